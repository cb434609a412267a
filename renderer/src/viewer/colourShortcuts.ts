// The colour keys, declared once: the key handler (useColourShortcuts) and the Help overlay read
// this table. Keys no other shortcut takes (commands.ts), punctuation rather than letters, which
// tools take: brackets for brightness, braces for contrast, ; and ' for gamma, \ resets; ⇧ C opens
// the panel, as Shift+C opens brightness and contrast in QuPath.

import type { PlainKey } from '../../../shared/i18n/catalogue';
import type { ColourAction } from '../hooks/useViewColour';

export type ColourKeyAction = ColourAction | { kind: 'toggle-panel' };

export interface ColourShortcut {
  /** KeyboardEvent.key values that trigger it. */
  keys: readonly string[];
  /** How the Help overlay shows the key. */
  display: string;
  action: ColourKeyAction;
  label: PlainKey;
}

export const COLOUR_SHORTCUTS: readonly ColourShortcut[] = [
  { keys: ['C'], display: '⇧ C', action: { kind: 'toggle-panel' }, label: 'colourKeys.toggle-panel' },
  { keys: [']'], display: ']', action: { kind: 'step', control: 'brightness', direction: 1 }, label: 'colourKeys.brighter' },
  { keys: ['['], display: '[', action: { kind: 'step', control: 'brightness', direction: -1 }, label: 'colourKeys.darker' },
  { keys: ['}'], display: '}', action: { kind: 'step', control: 'contrast', direction: 1 }, label: 'colourKeys.moreContrast' },
  { keys: ['{'], display: '{', action: { kind: 'step', control: 'contrast', direction: -1 }, label: 'colourKeys.lessContrast' },
  { keys: ["'"], display: "'", action: { kind: 'step', control: 'gamma', direction: 1 }, label: 'colourKeys.gammaUp' },
  { keys: [';'], display: ';', action: { kind: 'step', control: 'gamma', direction: -1 }, label: 'colourKeys.gammaDown' },
  { keys: ['\\'], display: '\\', action: { kind: 'reset' }, label: 'colourKeys.reset' },
];

export function colourActionForKey(key: string): ColourKeyAction | null {
  return COLOUR_SHORTCUTS.find((s) => s.keys.includes(key))?.action ?? null;
}
