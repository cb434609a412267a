// The app's windows: creation with the secure webPreferences, remembered bounds, event delivery
// once the page has loaded, and telling the IPC layer when a window's page goes away (closed,
// reloaded, crashed) so its slides are closed. Electron glue, kept thin: the policies it uses
// (bounds clamping, which window gets a slide) are plain functions.

import { type BaseWindow, BrowserWindow, type Rectangle, screen } from 'electron';

import type { Language } from '../../shared/i18n/languages';
import { withLanguage } from '../../shared/i18n/page-language';
import type { EventChannel, EventChannels } from '../../shared/ipc';
import { cascadeFrom, clampToDisplays, MIN_WINDOW_SIZE, type Rect, type WindowState, type WindowStateStore } from './window-state';

export interface WindowManagerOptions {
  preloadPath: string;
  indexUrl: string;
  /** The language main speaks now: a new window's page is loaded in it (its URL says which). */
  language: () => Language;
  iconPath?: string;
  stateStore: WindowStateStore;
  /** State remembered from the last session, for the first window. */
  initialState: WindowState | null;
  devTools: boolean;
  /** The page of this sender is gone (window closed, page reloaded, renderer crashed). */
  onPageGone: (senderId: number) => void;
  log: (message: string, error?: unknown) => void;
}

export class AppWindow {
  readonly senderId: number;
  /** Resolves once the page finished (or failed) loading: events sent after that reach the preload. */
  readonly loaded: Promise<void>;
  /** A slide is being opened into this window by main: do not pick it for another. */
  busy = false;
  lastFocusedAt = Date.now();

  constructor(readonly win: BrowserWindow) {
    this.senderId = win.webContents.id;
    this.loaded = new Promise((resolve) => {
      win.webContents.once('did-finish-load', () => resolve());
      win.webContents.once('did-fail-load', () => resolve());
      win.once('closed', () => resolve());
    });
  }

  get alive(): boolean {
    return !this.win.isDestroyed() && !this.win.webContents.isDestroyed();
  }

  /** Sends an event to the page, after it has loaded; dropped if the window is gone. */
  async send<E extends EventChannel>(channel: E, payload: EventChannels[E]): Promise<void> {
    await this.loaded;
    if (this.alive) this.win.webContents.send(channel, payload);
  }

  reveal(): void {
    if (!this.alive) return;
    if (this.win.isMinimized()) this.win.restore();
    if (!this.win.isVisible()) this.win.show();
    this.win.focus();
  }
}

function toRect(r: Rectangle): Rect {
  return { x: r.x, y: r.y, width: r.width, height: r.height };
}

export class WindowManager {
  private readonly windows = new Map<number, AppWindow>();
  private usedInitialState = false;

  constructor(private readonly options: WindowManagerOptions) {}

  all(): AppWindow[] {
    return [...this.windows.values()].filter((w) => w.alive);
  }

  fromSenderId(senderId: number): AppWindow | undefined {
    const w = this.windows.get(senderId);
    return w?.alive ? w : undefined;
  }

  fromBaseWindow(win: BaseWindow | undefined | null): AppWindow | undefined {
    if (!win) return undefined;
    return this.all().find((w) => w.win.id === win.id);
  }

  /** The focused window, else the one focused last. */
  current(): AppWindow | undefined {
    const focused = BrowserWindow.getFocusedWindow();
    const f = focused ? this.fromBaseWindow(focused) : undefined;
    if (f) return f;
    return this.all().sort((a, b) => b.lastFocusedAt - a.lastFocusedAt)[0];
  }

  create(): AppWindow {
    const { options } = this;
    const workAreas = screen.getAllDisplays().map((d) => toRect(d.workArea));
    const primary = toRect(screen.getPrimaryDisplay().workArea);
    const current = this.current();
    let bounds: Rect;
    let maximize = false;
    if (current) {
      bounds = cascadeFrom(toRect(current.win.getNormalBounds()), workAreas, primary);
    } else if (!this.usedInitialState && options.initialState) {
      bounds = clampToDisplays(options.initialState.bounds, workAreas, primary);
      maximize = options.initialState.maximized;
    } else {
      bounds = clampToDisplays(null, workAreas, primary);
    }
    this.usedInitialState = true;

    const win = new BrowserWindow({
      ...bounds,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      title: 'Slidescope',
      backgroundColor: '#1e1f22',
      ...(options.iconPath ? { icon: options.iconPath } : {}),
      webPreferences: {
        preload: options.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        devTools: options.devTools,
        safeDialogs: true,
      },
    });
    const appWindow = new AppWindow(win);
    const senderId = appWindow.senderId;
    this.windows.set(senderId, appWindow);

    win.once('ready-to-show', () => {
      if (maximize) win.maximize();
      win.show();
    });
    win.on('focus', () => {
      appWindow.lastFocusedAt = Date.now();
    });
    const remember = () => {
      if (!win.isDestroyed() && !win.isMinimized()) options.stateStore.saveSoon(this.stateOf(win));
    };
    win.on('resize', remember);
    win.on('move', remember);
    win.on('maximize', remember);
    win.on('unmaximize', remember);
    win.on('close', remember);
    win.on('closed', () => {
      this.windows.delete(senderId);
      options.onPageGone(senderId);
    });

    const contents = win.webContents;
    let loadedOnce = false;
    contents.on('did-finish-load', () => {
      loadedOnce = true;
    });
    contents.on('did-start-navigation', (details) => {
      // A reload (or any new document) of a loaded page: its slides belong to the old page.
      if (loadedOnce && details.isMainFrame && !details.isSameDocument) options.onPageGone(senderId);
    });
    contents.on('render-process-gone', (_event, details) => {
      options.log(`renderer of window ${senderId} gone: ${details.reason}`);
      options.onPageGone(senderId);
    });

    const url = withLanguage(options.indexUrl, options.language());
    win.loadURL(url).catch((error: unknown) => options.log(`loading ${url} failed`, error));
    return appWindow;
  }

  stateOf(win: BrowserWindow): WindowState {
    return { bounds: toRect(win.getNormalBounds()), maximized: win.isMaximized(), fullScreen: win.isFullScreen() };
  }
}
