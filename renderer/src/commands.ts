// One vocabulary for what the user can ask: the native menu's commands. Keyboard shortcuts, the
// toolbar and the Help overlay all map onto it, so a shortcut and its menu item can never disagree.

import type { MenuCommand } from '../../shared/ipc';

export type Command = MenuCommand;

/** Commands the slide viewer itself carries out; the rest are app-level (dialogs, panels). */
export type ViewCommand = Extract<Command, 'zoom-in' | 'zoom-out' | 'fit' | 'actual-pixels' | 'rotate-left' | 'rotate-right'>;

const VIEW_COMMANDS: readonly Command[] = ['zoom-in', 'zoom-out', 'fit', 'actual-pixels', 'rotate-left', 'rotate-right'];

export function isViewCommand(command: Command): command is ViewCommand {
  return VIEW_COMMANDS.includes(command);
}

export interface Shortcut {
  /** KeyboardEvent.key values that trigger it. */
  keys: readonly string[];
  /** How the Help overlay shows the key. */
  display: string;
  command: Command;
  label: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['+', '='], display: '+', command: 'zoom-in', label: 'Zoom in' },
  { keys: ['-', '_'], display: '−', command: 'zoom-out', label: 'Zoom out' },
  { keys: ['0'], display: '0', command: 'fit', label: 'Fit the slide to the window' },
  { keys: ['1'], display: '1', command: 'actual-pixels', label: '1:1 — one slide pixel per screen pixel' },
  { keys: ['r'], display: 'R', command: 'rotate-right', label: 'Rotate 90° clockwise' },
  { keys: ['R'], display: '⇧ R', command: 'rotate-left', label: 'Rotate 90° counter-clockwise' },
  { keys: ['f'], display: 'F', command: 'fullscreen', label: 'Full screen' },
  { keys: ['n'], display: 'N', command: 'toggle-navigator', label: 'Show or hide the navigator' },
  { keys: ['m'], display: 'M', command: 'toggle-metadata', label: 'Show or hide slide information' },
  { keys: ['g'], display: 'G', command: 'toggle-grid', label: 'Comparison grid: the same field at four magnifications, or back' },
  { keys: ['?'], display: '?', command: 'show-shortcuts', label: 'Show this list of shortcuts' },
];

/** Not commands, but worth telling: pointer and arrow-key navigation. */
export const OTHER_CONTROLS: ReadonlyArray<{ display: string; label: string }> = [
  { display: '← ↑ → ↓', label: 'Pan' },
  { display: 'Scroll', label: 'Zoom at the pointer' },
  { display: 'Drag', label: 'Pan' },
  { display: 'Double-click', label: 'Zoom in at the pointer (⇧ to zoom out)' },
  { display: 'Drag a grid cell', label: 'Pan all four cells together; 0 centres them on the slide (their zoom is fixed: click a label to change it)' },
  { display: '⇧ Drag', label: 'Slides side by side: move one slide against the others (⇧ Scroll turns it)' },
  { display: 'Ctrl E', label: 'Export a thumbnail or a magnification set (⌘ E on macOS)' },
  { display: 'Esc', label: 'Close a dialog or this overlay' },
];

export function commandForKey(key: string): Command | null {
  return SHORTCUTS.find((s) => s.keys.includes(key))?.command ?? null;
}
