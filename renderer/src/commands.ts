// One vocabulary for what the user can ask: the native menu's commands. Keyboard shortcuts, the
// toolbar and the Help overlay all map onto it, so a shortcut and its menu item can never disagree.

import type { PlainKey } from '../../shared/i18n/catalogue';
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
  label: PlainKey;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['+', '='], display: '+', command: 'zoom-in', label: 'shortcuts.zoom-in' },
  { keys: ['-', '_'], display: '−', command: 'zoom-out', label: 'shortcuts.zoom-out' },
  { keys: ['0'], display: '0', command: 'fit', label: 'shortcuts.fit' },
  { keys: ['1'], display: '1', command: 'actual-pixels', label: 'shortcuts.actual-pixels' },
  { keys: ['r'], display: 'R', command: 'rotate-right', label: 'shortcuts.rotate-right' },
  { keys: ['R'], display: '⇧ R', command: 'rotate-left', label: 'shortcuts.rotate-left' },
  { keys: ['f'], display: 'F', command: 'fullscreen', label: 'shortcuts.fullscreen' },
  { keys: ['n'], display: 'N', command: 'toggle-navigator', label: 'shortcuts.toggle-navigator' },
  { keys: ['m'], display: 'M', command: 'toggle-metadata', label: 'shortcuts.toggle-metadata' },
  { keys: ['g'], display: 'G', command: 'toggle-grid', label: 'shortcuts.toggle-grid' },
  { keys: ['?'], display: '?', command: 'show-shortcuts', label: 'shortcuts.show-shortcuts' },
];

/** A row of the Help overlay that is not a command: the key (a name when it is a word) and what it does. */
export interface ControlRow {
  display: PlainKey;
  label: PlainKey;
}

/** Not commands, but worth telling: pointer and arrow-key navigation. */
export const OTHER_CONTROLS: readonly ControlRow[] = [
  { display: 'keys.arrows', label: 'controls.pan' },
  { display: 'keys.scroll', label: 'controls.zoomAtPointer' },
  { display: 'keys.drag', label: 'controls.pan' },
  { display: 'keys.doubleClick', label: 'controls.doubleClick' },
  { display: 'keys.dragGridCell', label: 'controls.dragGrid' },
  { display: 'keys.shiftDrag', label: 'controls.alignCompared' },
  { display: 'keys.shiftArrows', label: 'controls.alignComparedKeys' },
  { display: 'keys.ctrlE', label: 'controls.export' },
  { display: 'keys.ctrlShiftC', label: 'controls.copyView' },
  { display: 'keys.esc', label: 'controls.escape' },
];

export function commandForKey(key: string): Command | null {
  return SHORTCUTS.find((s) => s.keys.includes(key))?.command ?? null;
}
