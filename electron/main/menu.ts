// The native application menu, as a template built from plain data (recent files, platform) and
// callbacks: no runtime dependency on 'electron', so it is unit-tested. main.ts turns it into a Menu.
// Viewer commands go to the focused window as 'app:menu-command' events; file actions run in main.

import type { BaseWindow, MenuItemConstructorOptions } from 'electron';

import type { Translate } from '../../shared/i18n/catalogue';
import { LANGUAGE_NAMES, LANGUAGES, type LanguagePreference, type LanguageState } from '../../shared/i18n/languages';
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
  /** View > Language: remembered, and every window told. */
  chooseLanguage(preference: LanguagePreference): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  recent: readonly RecentFile[];
  /** Development builds get Reload and DevTools. */
  developer: boolean;
  actions: MenuActions;
  /** The labels' language. */
  t: Translate;
  language: LanguageState;
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
  'copy-view': 'CmdOrCtrl+Shift+C',
  'show-shortcuts': 'CmdOrCtrl+/',
};

const MAX_LABEL = 60;

/**
 * A recent entry's label: its name cut short, a folder's marked as one (the cut never takes the mark).
 * Menu labels treat '&' as a mnemonic marker on Windows/Linux: it is escaped in file names.
 */
function recentLabel(file: RecentFile, t: Translate): string {
  const name = file.name.length > MAX_LABEL ? `${file.name.slice(0, MAX_LABEL - 1)}…` : file.name;
  return (file.kind === 'folder' ? t('menu.recentFolder', { name }) : name).replace(/&/g, '&&');
}

/**
 * A top-level menu's label with its Alt mnemonic: on its first letter (&File), or, for a label with
 * no such letter (Korean), after it in brackets as Windows writes Korean menus: 파일(&F).
 */
export function mnemonic(label: string, letter: string): string {
  return label.toUpperCase().startsWith(letter) ? `&${label}` : `${label}(&${letter})`;
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { actions, platform, t } = options;
  const mac = platform === 'darwin';
  const cmd = (command: MenuCommand, label: string): MenuItemConstructorOptions => ({
    label,
    id: `command:${command}`,
    ...(COMMAND_ACCELERATORS[command] ? { accelerator: COMMAND_ACCELERATORS[command] } : {}),
    click: (_item, win) => actions.command(command, win),
  });

  const recentItems: MenuItemConstructorOptions[] =
    options.recent.length === 0
      ? [{ label: t('menu.noRecent'), enabled: false, id: 'recent:none' }]
      : options.recent.map((file, index) => ({
          label: recentLabel(file, t),
          id: `recent:${index}`,
          toolTip: file.path,
          click: (_item, win) => actions.openRecent(file.path, win),
        }));

  // Each language by its own name, so a user who cannot read the current one still finds theirs.
  const languageItems: MenuItemConstructorOptions[] = (['system', ...LANGUAGES] as const).map((preference) => ({
    label: preference === 'system' ? t('menu.languageSystem') : LANGUAGE_NAMES[preference],
    id: `language:${preference}`,
    type: 'radio',
    checked: options.language.preference === preference,
    click: () => actions.chooseLanguage(preference),
  }));

  const file: MenuItemConstructorOptions = {
    label: mac ? t('menu.file') : mnemonic(t('menu.file'), 'F'),
    submenu: [
      { label: t('menu.open'), id: 'file:open', accelerator: 'CmdOrCtrl+O', click: (_item, win) => actions.openDialog(win) },
      { label: t('menu.openFolder'), id: 'file:open-folder', click: (_item, win) => actions.openFolderDialog(win) },
      {
        label: t('menu.openRecent'),
        id: 'file:open-recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          { label: t('menu.clearRecent'), id: 'recent:clear', enabled: options.recent.length > 0, click: () => actions.clearRecent() },
        ],
      },
      { label: t('menu.openSample'), id: 'file:open-sample', click: (_item, win) => actions.openSample(win) },
      { type: 'separator' },
      cmd('export', t('menu.export')),
      { type: 'separator' },
      { label: t('menu.close'), id: 'file:close', accelerator: 'CmdOrCtrl+W', click: (_item, win) => actions.closeWindow(win) },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit', label: t('menu.quit') } as const]),
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: mac ? t('menu.edit') : mnemonic(t('menu.edit'), 'E'),
    submenu: [
      { role: 'undo', label: t('menu.undo') },
      { role: 'redo', label: t('menu.redo') },
      { type: 'separator' },
      { role: 'cut', label: t('menu.cut') },
      { role: 'copy', label: t('menu.copy') },
      { role: 'paste', label: t('menu.paste') },
      { role: 'selectAll', label: t('menu.selectAll') },
      { type: 'separator' },
      cmd('copy-view', t('menu.copyView')),
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: mac ? t('menu.view') : mnemonic(t('menu.view'), 'V'),
    submenu: [
      cmd('zoom-in', t('menu.zoomIn')),
      cmd('zoom-out', t('menu.zoomOut')),
      cmd('fit', t('menu.fit')),
      cmd('actual-pixels', t('menu.actualPixels')),
      { type: 'separator' },
      cmd('rotate-left', t('menu.rotateLeft')),
      cmd('rotate-right', t('menu.rotateRight')),
      { type: 'separator' },
      {
        label: t('menu.fullscreen'),
        id: 'view:fullscreen',
        accelerator: mac ? 'Ctrl+Cmd+F' : 'F11',
        click: (_item, win) => actions.toggleFullScreen(win),
      },
      { type: 'separator' },
      cmd('toggle-navigator', t('menu.navigator')),
      cmd('toggle-metadata', t('menu.metadata')),
      cmd('toggle-grid', t('menu.grid')),
      cmd('compare-slides', t('menu.compareSlides')),
      { type: 'separator' },
      { label: t('menu.language'), id: 'view:language', submenu: languageItems },
      ...(options.developer
        ? ([
            { type: 'separator' } as const,
            { label: t('menu.reload'), id: 'dev:reload', accelerator: 'CmdOrCtrl+Shift+R', click: (_item, win) => actions.reload(win) },
            {
              label: t('menu.devTools'),
              id: 'dev:devtools',
              accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I',
              click: (_item, win) => actions.toggleDevTools(win),
            },
          ] satisfies MenuItemConstructorOptions[])
        : []),
    ],
  };

  const about = cmd('show-about', t('menu.about', { app: options.appName }));
  const help: MenuItemConstructorOptions = {
    label: mac ? t('menu.help') : mnemonic(t('menu.help'), 'H'),
    role: 'help',
    submenu: [cmd('show-shortcuts', t('menu.shortcuts')), ...(mac ? [] : [{ type: 'separator' } as const, about])],
  };

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: options.appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'services', label: t('menu.services') },
        { type: 'separator' },
        { role: 'hide', label: t('menu.hide', { app: options.appName }) },
        { role: 'hideOthers', label: t('menu.hideOthers') },
        { role: 'unhide', label: t('menu.showAll') },
        { type: 'separator' },
        { role: 'quit', label: t('menu.quitApp', { app: options.appName }) },
      ],
    });
  }
  template.push(file, edit, view);
  if (mac) template.push({ role: 'windowMenu', label: t('menu.window') });
  template.push(help);
  return template;
}
