// The native application menu, as a template built from plain data (recent files, platform) and
// callbacks: no runtime dependency on 'electron', so it is unit-tested. main.ts turns it into a Menu.
// Viewer commands go to the focused window as 'app:menu-command' events; file actions run in main.

import type { BaseWindow, MenuItemConstructorOptions } from 'electron';

import type { MenuCommand, RecentFile } from '../../shared/ipc';

/** The window a menu item was clicked for (Electron passes the focused one, if any). */
export type MenuWindow = BaseWindow | undefined;

export interface MenuActions {
  openDialog(win: MenuWindow): void;
  /** A folder that is a slide (DICOM: a series' files). */
  openFolderDialog(win: MenuWindow): void;
  openRecent(path: string, win: MenuWindow): void;
  clearRecent(): void;
  openSample(win: MenuWindow): void;
  closeWindow(win: MenuWindow): void;
  /** Sends a viewer command to the window's renderer. */
  command(command: MenuCommand, win: MenuWindow): void;
  /** Native fullscreen of the window (a menu click is no user gesture for the page's Fullscreen API). */
  toggleFullScreen(win: MenuWindow): void;
  toggleDevTools(win: MenuWindow): void;
  reload(win: MenuWindow): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  recent: readonly RecentFile[];
  /** Development builds get Reload and DevTools. */
  developer: boolean;
  actions: MenuActions;
}

/** Accelerators of the viewer commands; with a modifier so they never steal the page's typing. */
export const COMMAND_ACCELERATORS: Partial<Record<MenuCommand, string>> = {
  'zoom-in': 'CmdOrCtrl+=',
  'zoom-out': 'CmdOrCtrl+-',
  fit: 'CmdOrCtrl+0',
  'actual-pixels': 'CmdOrCtrl+1',
  'rotate-left': 'CmdOrCtrl+[',
  'rotate-right': 'CmdOrCtrl+]',
  'toggle-navigator': 'CmdOrCtrl+Shift+N',
  'toggle-metadata': 'CmdOrCtrl+I',
  'toggle-grid': 'CmdOrCtrl+G',
  export: 'CmdOrCtrl+E',
  'show-shortcuts': 'CmdOrCtrl+/',
};

const MAX_LABEL = 60;

/** Menu labels treat '&' as a mnemonic marker on Windows/Linux: escape it in file names. */
function menuLabel(text: string): string {
  const short = text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
  return short.replace(/&/g, '&&');
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { actions, platform } = options;
  const mac = platform === 'darwin';
  const cmd = (command: MenuCommand, label: string): MenuItemConstructorOptions => ({
    label,
    id: `command:${command}`,
    ...(COMMAND_ACCELERATORS[command] ? { accelerator: COMMAND_ACCELERATORS[command] } : {}),
    click: (_item, win) => actions.command(command, win),
  });

  const recentItems: MenuItemConstructorOptions[] =
    options.recent.length === 0
      ? [{ label: 'No Recent Files', enabled: false, id: 'recent:none' }]
      : options.recent.map((file, index) => ({
          label: menuLabel(file.name),
          id: `recent:${index}`,
          toolTip: file.path,
          click: (_item, win) => actions.openRecent(file.path, win),
        }));

  const file: MenuItemConstructorOptions = {
    label: mac ? 'File' : '&File',
    submenu: [
      { label: 'Open…', id: 'file:open', accelerator: 'CmdOrCtrl+O', click: (_item, win) => actions.openDialog(win) },
      { label: 'Open Folder…', id: 'file:open-folder', click: (_item, win) => actions.openFolderDialog(win) },
      {
        label: 'Open Recent',
        id: 'file:open-recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          { label: 'Clear Recently Opened', id: 'recent:clear', enabled: options.recent.length > 0, click: () => actions.clearRecent() },
        ],
      },
      { label: 'Open Sample Slide', id: 'file:open-sample', click: (_item, win) => actions.openSample(win) },
      { type: 'separator' },
      cmd('export', 'Export…'),
      { type: 'separator' },
      { label: 'Close', id: 'file:close', accelerator: 'CmdOrCtrl+W', click: (_item, win) => actions.closeWindow(win) },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit', label: 'Quit' } as const]),
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: mac ? 'Edit' : '&Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };

  const view: MenuItemConstructorOptions = {
    label: mac ? 'View' : '&View',
    submenu: [
      cmd('zoom-in', 'Zoom In'),
      cmd('zoom-out', 'Zoom Out'),
      cmd('fit', 'Fit to Window'),
      cmd('actual-pixels', '1:1 Pixels'),
      { type: 'separator' },
      cmd('rotate-left', 'Rotate Left'),
      cmd('rotate-right', 'Rotate Right'),
      { type: 'separator' },
      {
        label: 'Fullscreen',
        id: 'view:fullscreen',
        accelerator: mac ? 'Ctrl+Cmd+F' : 'F11',
        click: (_item, win) => actions.toggleFullScreen(win),
      },
      { type: 'separator' },
      cmd('toggle-navigator', 'Navigator'),
      cmd('toggle-metadata', 'Metadata'),
      cmd('toggle-grid', 'Comparison Grid'),
      cmd('compare-slides', 'Compare Slides Side by Side…'),
      ...(options.developer
        ? ([
            { type: 'separator' } as const,
            { label: 'Reload', id: 'dev:reload', accelerator: 'CmdOrCtrl+Shift+R', click: (_item, win) => actions.reload(win) },
            {
              label: 'Toggle Developer Tools',
              id: 'dev:devtools',
              accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I',
              click: (_item, win) => actions.toggleDevTools(win),
            },
          ] satisfies MenuItemConstructorOptions[])
        : []),
    ],
  };

  const about = cmd('show-about', `About ${options.appName}`);
  const help: MenuItemConstructorOptions = {
    label: mac ? 'Help' : '&Help',
    role: 'help',
    submenu: [cmd('show-shortcuts', 'Keyboard Shortcuts'), ...(mac ? [] : [{ type: 'separator' } as const, about])],
  };

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: options.appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(file, edit, view);
  if (mac) template.push({ role: 'windowMenu' });
  template.push(help);
  return template;
}
