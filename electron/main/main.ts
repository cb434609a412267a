// Electron main process: wires the slide engine (a process of its own), the IPC handlers, windows, menus,
// the app:// protocol and the security policy together. Logic lives in the modules it imports
// (unit-tested in plain Node); this file is the glue that only runs inside Electron.
//
// Bundled by scripts/build.mjs to dist/electron/main.cjs (CommonJS: __dirname is dist/electron).

import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import {
  app,
  type BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  type MessageBoxOptions,
  nativeImage,
  type OpenDialogOptions,
  protocol,
  type SaveDialogOptions,
  session,
  shell,
} from 'electron';

import type { Result, SlideChoice } from '../../shared/errors';
import { legendLabels } from '../../shared/i18n/class-label';
import { createTranslator } from '../../shared/i18n/i18n';
import { ENGINE_PORT_CHANNELS, type MenuCommand } from '../../shared/ipc';
import { isGallery, MAIN_OPERATIONS } from '../../shared/operations';
import { AnnotationStore } from '../annotations/annotation-store';
import { setPartialWriteJournal } from '../engine/export/atomic-file';
import { EngineClient } from '../engine-host/engine-client';
import { AlignmentStore } from './alignment-store';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';
import { ChannelMemory } from './channel-memory';
import { headlessCliArgv, isSecondInstanceData, parseCliArgs, type SecondInstanceData } from './cli-args';
import { runHeadlessCli } from './cli-mode';
import { type AlignmentDialogs, CompareAlignments } from './compare-alignments';
import { DetectionMemory } from './detection-memory';
import { describeExisting, type ExportDialogs, Exporter } from './exporter';
import { alignmentFilters, annotationExportFilters, annotationImportFilters, detectionFileFilters, exportDialogFilters, openDialogFilters } from './file-types';
import { createIpcHandlers } from './ipc-handlers';
import { LanguageSetting } from './language-setting';
import { buildMenuTemplate, type MenuActions } from './menu';
import { PathAuthorizer } from './path-authorizer';
import { RecentFiles } from './recent-files';
import { APP_INDEX_URL, APP_SCHEME, applySessionSecurity, hardenWebContents, isTrustedSender } from './security';
import { type AnnotationDialogs, SlideAnnotationFiles } from './slide-annotations';
import { createSlideRouter, type OpenTarget } from './slide-router';
import { utilityEngine } from './utility-engine';
import { WindowStateStore } from './window-state';
import { type AppWindow, WindowManager } from './windows';

const APP_NAME = 'Slidescope';
const APP_ID = 'org.slidescope.viewer';
const developer = !app.isPackaged;
/** Main's words (menus, dialogs, the engine-stopped message), in the language View > Language resolves to. */
const { i18n, t } = createTranslator();

function log(message: string, error?: unknown): void {
  if (error === undefined) console.error(`[slidescope] ${message}`);
  else console.error(`[slidescope] ${message}:`, error);
}

/** Files asarUnpack'ed by electron-builder live beside app.asar in app.asar.unpacked. */
function unpackedPath(path: string): string {
  const unpacked = path.replace(/\.asar([\\/])/, '.asar.unpacked$1');
  return unpacked !== path && existsSync(unpacked) ? unpacked : path;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}

// ---- Before ready ----------------------------------------------------------------------------

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.enableSandbox();
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

const defaultApp = process.defaultApp === true;
const launchArgs = parseCliArgs(process.argv, { cwd: process.cwd(), defaultApp });
const instanceData: SecondInstanceData = { argv: [...process.argv], cwd: process.cwd() };

const cliArgv = headlessCliArgv(process.argv, { defaultApp });
if (cliArgv) {
  // `slidescope thumbnail ...`: the command line, no window.
  runHeadlessCli(cliArgv, unpackedPath(join(__dirname, 'engine-process.mjs')));
} else if (!app.requestSingleInstanceLock({ ...instanceData })) {
  // Another Slidescope is running: it got our argv through 'second-instance' and opens the slides.
  app.quit();
} else {
  start();
}

function start(): void {
  /** Opens requested before the app was ready (macOS open-file at launch, an early second instance). */
  const queued: OpenTarget[] = [];
  let openTargets: ((targets: OpenTarget[]) => void) | null = null;
  /** Opens targets (an empty list brings a window forward); before ready, queues them for launch. */
  const requestOpen = (targets: OpenTarget[]) => {
    if (openTargets) openTargets(targets);
    else queued.push(...targets);
  };

  app.on('open-file', (event, path) => {
    event.preventDefault();
    requestOpen([{ kind: 'path', path, source: 'os' }]);
  });

  // Another launch of the app (double-clicked file, `slidescope x.svs` in a shell): it passed its
  // argv and cwd as additionalData, and quit.
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    const data = isSecondInstanceData(additionalData) ? additionalData : { argv, cwd: workingDirectory };
    const args = parseCliArgs(data.argv, { cwd: data.cwd, defaultApp });
    const targets: OpenTarget[] = args.slides.map((path) => ({ kind: 'path', path, source: 'cli' }));
    if (args.sample) targets.push({ kind: 'sample' });
    requestOpen(targets);
  });

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  app
    .whenReady()
    .then(() => ready(queued, (fn) => (openTargets = fn)))
    .catch((error: unknown) => {
      log('startup failed', error);
      dialog.showErrorBox(t('dialogs.startFailed'), error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}

async function ready(queued: OpenTarget[], setOpener: (fn: (targets: OpenTarget[]) => void) => void): Promise<void> {
  const userData = app.getPath('userData');

  applySessionSecurity(session.defaultSession, {
    allowDevTools: developer,
    onBlocked: (url) => log(`blocked a request to ${url.slice(0, 200)}`),
  });
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: join(__dirname, '..', 'renderer') }));

  const recent = new RecentFiles({ dir: userData, onError: log });
  const authorizer = new PathAuthorizer({ recent });
  const stateStore = new WindowStateStore({ dir: userData, onError: log });
  const initialState = await stateStore.load();
  // The OS's languages, most preferred first (getLocale is the UI language Chromium chose from them).
  const language = new LanguageSetting({ dir: userData, systemLanguages: () => [...app.getPreferredSystemLanguages(), app.getLocale()], onError: log });
  await i18n.changeLanguage((await language.load()).language);

  let sample: Promise<Result<string>> | null = null;
  const samplePath = (): Promise<Result<string>> => {
    sample ??= engine.call('engine:ensure-sample', { dir: join(userData, 'sample') }).then((made) => {
      if (!made.ok) sample = null; // try again next time
      return made;
    });
    return sample;
  };

  /** Slide files, or (folders) folders that are slides: a DICOM series. */
  async function showOpenDialog(parent: BrowserWindow | undefined, multiple: boolean, folders = false): Promise<string[]> {
    const options: OpenDialogOptions = {
      title: folders ? t('dialogs.openFolder') : t('dialogs.openSlide'),
      buttonLabel: t('dialogs.openButton'),
      properties: [folders ? 'openDirectory' : 'openFile', ...(multiple ? (['multiSelections'] as const) : [])],
      ...(folders ? {} : { filters: openDialogFilters(t) }),
    };
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  }

  /**
   * A folder of several slides: a button for each (a few), else an open dialog in the folder, where
   * any file of a slide opens it.
   */
  const MAX_CHOICE_BUTTONS = 8;
  async function chooseSlide(parent: BrowserWindow | undefined, folder: string, choices: readonly SlideChoice[]): Promise<string | null> {
    if (choices.length <= MAX_CHOICE_BUTTONS) {
      const options: MessageBoxOptions = {
        type: 'question',
        title: t('dialogs.openSlide'),
        message: t('dialogs.chooseSlide', { folder: basename(folder), count: choices.length }),
        buttons: [...choices.map((c) => c.name), t('common.cancel')],
        cancelId: choices.length,
        noLink: true,
      };
      const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
      return choices[response]?.path ?? null;
    }
    const options: OpenDialogOptions = {
      title: t('dialogs.chooseSlideFile', { count: choices.length, folder: basename(folder) }),
      defaultPath: folder,
      properties: ['openFile'],
    };
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  }

  const iconFile = join(__dirname, '..', '..', 'assets', 'icons', 'icon-256.png');
  const windows: WindowManager = new WindowManager({
    preloadPath: join(__dirname, 'preload.cjs'),
    indexUrl: APP_INDEX_URL,
    language: () => language.state().language,
    ...(process.platform === 'linux' && existsSync(iconFile) ? { iconPath: iconFile } : {}),
    stateStore,
    initialState,
    devTools: developer,
    onPageGone: (senderId) => {
      engine.disconnect(senderId);
      void ipc.releaseSender(senderId);
    },
    log,
  });

  // The engine runs in a utility process; each window reads tiles from it over a port of its own.
  const engine = new EngineClient(
    utilityEngine({ module: unpackedPath(join(__dirname, 'engine-process.mjs')), partialWritesDir: join(userData, 'partial-writes') }),
    {
      onStopped: (event) => {
        log(`the slide engine stopped: ${event.reason}`);
        for (const win of windows.all()) {
          win
            .send('engine:stopped', ipc.engineStopped(event, win.senderId))
            .catch((error: unknown) => log('telling a window the engine stopped failed', error));
        }
      },
      onRestarted: (event) => {
        for (const win of windows.all()) {
          // The notice first: the preload lets go of its engine port on engine:stopped, and takes the new one after.
          const lost = ipc.notReopened(event, win.senderId);
          const told = lost
            ? win.send('engine:stopped', lost).catch((error: unknown) => log('telling a window its slides were not reopened failed', error))
            : null;
          if (told) void told.then(() => connectWindow(win.win.webContents));
          else connectWindow(win.win.webContents);
        }
      },
    },
  );
  // Loaded while the window comes up, not when the first slide is dropped on it (no await before ipc
  // exists below: the engine's events find both).
  engine.start();
  const connectWindow = (contents: Electron.WebContents): void => {
    if (contents.isDestroyed()) return;
    engine.disconnect(contents.id);
    contents.postMessage(ENGINE_PORT_CHANNELS.port, null, [engine.connect(contents.id)]);
  };

  // Dialogs asked for by a window are sheets of it; a window that has gone meanwhile cancels (null).
  const openSheet = async (senderId: number, options: OpenDialogOptions): Promise<string | null> => {
    const parent = windows.fromSenderId(senderId)?.win;
    if (!parent) return null;
    const result = await dialog.showOpenDialog(parent, options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  const saveSheet = async (senderId: number, options: SaveDialogOptions): Promise<string | null> => {
    const parent = windows.fromSenderId(senderId)?.win;
    if (!parent) return null;
    const result = await dialog.showSaveDialog(parent, { ...options, properties: ['showOverwriteConfirmation', 'createDirectory'] });
    return result.canceled || !result.filePath ? null : result.filePath;
  };

  const exportDialogs: ExportDialogs = {
    chooseThumbnailPath: (senderId, defaultPath, format) =>
      saveSheet(senderId, {
        title: t('dialogs.exportThumbnail'),
        defaultPath,
        buttonLabel: t('dialogs.exportButton'),
        filters: exportDialogFilters(t, format),
      }),
    chooseFolder: (senderId, defaultPath) =>
      openSheet(senderId, {
        title: t('dialogs.exportSet'),
        defaultPath,
        buttonLabel: t('dialogs.exportHere'),
        properties: ['openDirectory', 'createDirectory'],
      }),
    async confirmOverwrite(senderId, existing) {
      const parent = windows.fromSenderId(senderId)?.win;
      if (!parent) return false;
      const result = await dialog.showMessageBox(parent, {
        type: 'warning',
        buttons: [t('dialogs.replace'), t('common.cancel')],
        defaultId: 1,
        cancelId: 1,
        message: existing.length === 1 ? t('dialogs.existsOne', { name: basename(existing[0] ?? '') }) : t('dialogs.existsMany', { count: existing.length }),
        detail: t('dialogs.replaceDetail', { files: describeExisting(existing, t) }),
      });
      return result.response === 0;
    },
  };
  // Annotations are saved by main itself: a crash mid-write leaves a temporary file the engine removes at its next start.
  // Its folder is made at the first save, so that a full or read-only disk does not keep the app from starting.
  setPartialWriteJournal(join(userData, 'partial-writes'));
  const annotationDialogs: AnnotationDialogs = {
    chooseImportFile: (senderId, defaultFolder) =>
      openSheet(senderId, {
        title: t('dialogs.importAnnotations'),
        defaultPath: defaultFolder,
        buttonLabel: t('dialogs.importButton'),
        properties: ['openFile'],
        filters: annotationImportFilters(t),
      }),
    chooseDetectionsFile: (senderId, defaultFolder) =>
      openSheet(senderId, {
        title: t('dialogs.showDetections'),
        defaultPath: defaultFolder,
        buttonLabel: t('dialogs.showButton'),
        properties: ['openFile'],
        filters: detectionFileFilters(t),
      }),
    chooseExportPath: (senderId, defaultPath, format) =>
      saveSheet(senderId, {
        title: t('dialogs.exportAnnotations'),
        defaultPath,
        buttonLabel: t('dialogs.exportButton'),
        filters: annotationExportFilters(t, format),
      }),
  };
  const annotations = new SlideAnnotationFiles(new AnnotationStore({ dataDir: join(userData, 'annotations') }), annotationDialogs);
  const alignmentDialogs: AlignmentDialogs = {
    chooseAlignmentFile: (senderId, defaultFolder) =>
      openSheet(senderId, {
        title: t('dialogs.loadAlignment'),
        defaultPath: defaultFolder,
        buttonLabel: t('dialogs.loadButton'),
        properties: ['openFile'],
        filters: alignmentFilters(t),
      }),
    chooseAlignmentPath: (senderId, defaultPath) =>
      saveSheet(senderId, {
        title: t('dialogs.saveAlignment'),
        defaultPath,
        buttonLabel: t('dialogs.saveButton'),
        filters: alignmentFilters(t).slice(0, 1),
      }),
  };
  const alignments = new CompareAlignments(new AlignmentStore({ dir: userData, onError: log }), alignmentDialogs);
  const exporter = new Exporter({
    engine,
    dialogs: exportDialogs,
    overlays: annotations,
    legend: () => legendLabels(t),
    clipboard: { writePng: (png) => clipboard.writeImage(nativeImage.createFromBuffer(Buffer.from(png.buffer, png.byteOffset, png.length))) },
    sendProgress: (senderId, progress) => {
      windows
        .fromSenderId(senderId)
        ?.send('export:progress', progress)
        .catch((error: unknown) => log('sending export progress failed', error));
    },
  });

  const ipc = createIpcHandlers({
    engine,
    authorizer,
    recent,
    dialogs: {
      showOpenSlide: async (senderId) => (await showOpenDialog(windows.fromSenderId(senderId)?.win, false))[0] ?? null,
      showOpenFolder: async (senderId) => (await showOpenDialog(windows.fromSenderId(senderId)?.win, false, true))[0] ?? null,
      chooseSlide: (senderId, folder, choices) => chooseSlide(windows.fromSenderId(senderId)?.win, folder, choices),
    },
    samplePath,
    versions: () => ({
      app: app.getVersion(),
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node,
    }),
    showInFolder: (path) => shell.showItemInFolder(path),
    exporter,
    annotations,
    alignments,
    channelMemory: new ChannelMemory({ dir: userData, onError: log }),
    detectionMemory: new DetectionMemory({ dir: userData, onError: log }),
    log,
    language: () => language.state(),
    t,
  });

  for (const operation of MAIN_OPERATIONS) {
    ipcMain.handle(operation, (event, rawRequest: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event.senderFrame)) {
        return Promise.resolve({ ok: false, error: { code: 'NOT_AUTHORIZED', message: 'request from a frame that is not the app' } });
      }
      return ipc.dispatch(operation, event.sender.id, rawRequest);
    });
  }
  // A window's preload asks for its port to the engine (at load, and so after a reload).
  ipcMain.on(ENGINE_PORT_CHANNELS.request, (event) => {
    if (isTrustedSender(event.senderFrame)) connectWindow(event.sender);
  });

  const router = createSlideRouter<AppWindow>({
    current: () => windows.current(),
    create: () => windows.create(),
    slideCount: (senderId) => ipc.slidesOf(senderId).length,
    open: (senderId, target) => (target.kind === 'sample' ? ipc.openSampleFor(senderId) : ipc.openFromMain(senderId, target.path, target.source)),
    deliver: async (win, result) => {
      if (!result.ok) await win.send('app:open-failed', result.error);
      else if (isGallery(result.value)) await win.send('app:folder-opened', result.value);
      else await win.send('app:slide-opened', result.value);
      win.reveal();
    },
  });
  const open = (targets: OpenTarget[]) => {
    router.open(targets).catch((error: unknown) => log('opening failed', error));
  };

  const target = (win: Parameters<MenuActions['command']>[1]): AppWindow | undefined => windows.fromBaseWindow(win) ?? windows.current();
  const actions: MenuActions = {
    openDialog: (win) => {
      void showOpenDialog(target(win)?.win, true).then(
        (paths) => open(paths.map((path) => ({ kind: 'path', path, source: 'dialog' }))),
        (error: unknown) => log('the open dialog failed', error),
      );
    },
    openFolderDialog: (win) => {
      void showOpenDialog(target(win)?.win, true, true).then(
        (paths) => open(paths.map((path) => ({ kind: 'path', path, source: 'dialog' }))),
        (error: unknown) => log('the open dialog failed', error),
      );
    },
    openRecent: (path) => open([{ kind: 'path', path, source: 'menu' }]),
    clearRecent: () => void recent.clear(),
    openSample: () => open([{ kind: 'sample' }]),
    closeWindow: (win) => target(win)?.win.close(),
    command: (command: MenuCommand, win) => {
      let w = target(win);
      // About and the shortcut sheet make sense without a slide: open a window for them (macOS keeps
      // running with none).
      if (!w && (command === 'show-about' || command === 'show-shortcuts')) w = windows.create();
      if (w) void w.send('app:menu-command', command);
    },
    toggleFullScreen: (win) => {
      const w = target(win)?.win;
      if (w) w.setFullScreen(!w.isFullScreen());
    },
    toggleDevTools: (win) => target(win)?.win.webContents.toggleDevTools(),
    reload: (win) => target(win)?.win.webContents.reload(),
    chooseLanguage: (preference) => void language.choose(preference),
  };

  const rebuildMenu = async () => {
    const files = await recent.list();
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate({ platform: process.platform, appName: APP_NAME, recent: files, developer, actions, t, language: language.state() }),
      ),
    );
  };
  // A new language: main's words, the menu, and every window.
  language.onChange((state) => {
    void i18n.changeLanguage(state.language).then(rebuildMenu);
    for (const win of windows.all()) win.send('app:language-changed', state).catch((error: unknown) => log('telling a window the language failed', error));
  });
  recent.onChange((files) => {
    void rebuildMenu();
    if (files[0]) app.addRecentDocument(files[0].path);
    else app.clearRecentDocuments();
  });
  await rebuildMenu();

  app.on('activate', () => {
    if (windows.all().length === 0) windows.create();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    void (async () => {
      try {
        await withTimeout(Promise.all([ipc.releaseAll(), stateStore.flush()]), 3000);
        await withTimeout(engine.dispose(), 2000);
      } catch (error) {
        log('shutdown', error);
      } finally {
        cleanedUp = true;
        app.quit();
      }
    })();
  });

  // Launch: the slides named on the command line (and any the OS sent meanwhile), else the sample,
  // unless --no-sample asks for the welcome screen.
  const launch: OpenTarget[] = [...launchArgs.slides.map((path): OpenTarget => ({ kind: 'path', path, source: 'cli' })), ...queued];
  if (launchArgs.sample || (launch.length === 0 && !launchArgs.noSample)) launch.push({ kind: 'sample' });
  setOpener((targets) => {
    if (targets.length > 0) open(targets);
    else (windows.current() ?? windows.create()).reveal();
  });
  if (launch.length > 0) open(launch);
  else windows.create();
}
