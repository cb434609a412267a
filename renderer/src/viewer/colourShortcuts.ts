// The colour keys, declared once: the key handler (useColourShortcuts) and the Help overlay read
// this table. Keys no other shortcut takes (commands.ts), punctuation rather than letters, which
// tools take: brackets for brightness, braces for contrast, ; and ' for gamma, \ resets; ⇧ C opens
// the panel, as Shift+C opens brightness and contrast in QuPath.

import type { ColourAction } from '../hooks/useViewColour';

export type ColourKeyAction = ColourAction | { kind: 'toggle-panel' };

export interface ColourShortcut {
  /** KeyboardEvent.key values that trigger it. */
  keys: readonly string[];
  /** How the Help overlay shows the key. */
  display: string;
  action: ColourKeyAction;
  label: string;
}

export const COLOUR_SHORTCUTS: readonly ColourShortcut[] = [
  { keys: ['C'], display: '⇧ C', action: { kind: 'toggle-panel' }, label: 'Show or hide the colour panel (brightness, contrast, gamma, ICC profile)' },
  { keys: [']'], display: ']', action: { kind: 'step', control: 'brightness', direction: 1 }, label: 'Brighter' },
  { keys: ['['], display: '[', action: { kind: 'step', control: 'brightness', direction: -1 }, label: 'Darker' },
  { keys: ['}'], display: '}', action: { kind: 'step', control: 'contrast', direction: 1 }, label: 'More contrast' },
  { keys: ['{'], display: '{', action: { kind: 'step', control: 'contrast', direction: -1 }, label: 'Less contrast' },
  { keys: ["'"], display: "'", action: { kind: 'step', control: 'gamma', direction: 1 }, label: 'Gamma up: brighter midtones' },
  { keys: [';'], display: ';', action: { kind: 'step', control: 'gamma', direction: -1 }, label: 'Gamma down: darker midtones' },
  { keys: ['\\'], display: '\\', action: { kind: 'reset' }, label: 'Reset brightness, contrast and gamma' },
];

export function colourActionForKey(key: string): ColourKeyAction | null {
  return COLOUR_SHORTCUTS.find((s) => s.keys.includes(key))?.action ?? null;
}
