// A stand-in for the 'electron' module, just wide enough to run the built main process
// (dist/electron/main.cjs) and preload in plain Node: records what they do and lets a test play
// the part of Electron (ready, window loads, IPC calls, second instance, quit). Test-only.

import { EventEmitter } from 'node:events';

export interface Recorded {
  privileged: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  ipcHandlers: Map<string, (event: unknown, request: unknown) => Promise<unknown>>;
  menus: unknown[];
  beforeRequest: ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | null;
  permissionRequest: ((wc: unknown, permission: string, cb: (ok: boolean) => void, details: { requestingUrl?: string }) => void) | null;
  quitCalls: number;
  exitCalls: number[];
  recentDocuments: string[];
  shown: string[];
}

let nextContentsId = 1;
let nextWindowId = 1;

export function createFakeElectron(options: { userData: string }) {
  const recorded: Recorded = {
    privileged: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    menus: [],
    beforeRequest: null,
    permissionRequest: null,
    quitCalls: 0,
    exitCalls: [],
    recentDocuments: [],
    shown: [],
  };

  class FakeWebContents extends EventEmitter {
    readonly id = nextContentsId++;
    readonly sent: Array<[string, unknown]> = [];
    destroyed = false;
    url = '';
    windowOpenHandler: unknown = null;
    send(channel: string, payload: unknown) {
      if (this.destroyed) throw new Error('send on a destroyed webContents');
      this.sent.push([channel, payload]);
      this.emit('test:sent', channel, payload);
    }
    isDestroyed() {
      return this.destroyed;
    }
    getURL() {
      return this.url;
    }
    setWindowOpenHandler(handler: unknown) {
      this.windowOpenHandler = handler;
    }
    toggleDevTools() {}
    reload() {
      this.emit('did-start-navigation', { url: this.url, isMainFrame: true, isSameDocument: false });
    }
  }

  class FakeBrowserWindow extends EventEmitter {
    static readonly windows: FakeBrowserWindow[] = [];
    static focused: FakeBrowserWindow | null = null;
    static getFocusedWindow() {
      return FakeBrowserWindow.focused && !FakeBrowserWindow.focused.destroyed ? FakeBrowserWindow.focused : null;
    }
    static getAllWindows() {
      return FakeBrowserWindow.windows.filter((w) => !w.destroyed);
    }
    readonly id = nextWindowId++;
    readonly webContents = new FakeWebContents();
    destroyed = false;
    visible = false;
    fullScreen = false;
    bounds: { x: number; y: number; width: number; height: number };
    constructor(readonly options: Record<string, unknown>) {
      super();
      const o = options as { x: number; y: number; width: number; height: number };
      this.bounds = { x: o.x, y: o.y, width: o.width, height: o.height };
      FakeBrowserWindow.windows.push(this);
      FakeBrowserWindow.focused = this;
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      this.webContents.url = url;
      setImmediate(() => {
        if (this.destroyed) return;
        this.emit('ready-to-show');
        this.webContents.emit('did-finish-load');
      });
      return Promise.resolve();
    }
    isDestroyed() {
      return this.destroyed;
    }
    isMinimized() {
      return false;
    }
    isVisible() {
      return this.visible;
    }
    isMaximized() {
      return false;
    }
    isFullScreen() {
      return this.fullScreen;
    }
    setFullScreen(value: boolean) {
      this.fullScreen = value;
    }
    show() {
      this.visible = true;
    }
    focus() {
      FakeBrowserWindow.focused = this;
      this.emit('focus');
    }
    restore() {}
    maximize() {}
    getNormalBounds() {
      return { ...this.bounds };
    }
    close() {
      if (this.destroyed) return;
      this.emit('close');
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
    }
  }

  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    readyPromise: null as Promise<void> | null,
    enableSandbox() {},
    setAppUserModelId() {},
    requestSingleInstanceLock: (_data?: unknown) => true,
    whenReady() {
      return Promise.resolve();
    },
    getPath(name: string) {
      if (name !== 'userData') throw new Error(`fake app.getPath(${name})`);
      return options.userData;
    },
    getVersion: () => '0.1.0-test',
    quit() {
      recorded.quitCalls++;
      const event = {
        defaultPrevented: false,
        preventDefault() {
          this.defaultPrevented = true;
        },
      };
      app.emit('will-quit', event);
    },
    exit(code: number) {
      recorded.exitCalls.push(code);
    },
    addRecentDocument(path: string) {
      recorded.recentDocuments.push(path);
    },
    clearRecentDocuments() {
      recorded.recentDocuments.length = 0;
    },
  });

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    protocol: {
      registerSchemesAsPrivileged(schemes: unknown[]) {
        recorded.privileged.push(...schemes);
      },
      handle(scheme: string, handler: (request: Request) => Promise<Response>) {
        recorded.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        webRequest: {
          onBeforeRequest(fn: Recorded['beforeRequest']) {
            recorded.beforeRequest = fn;
          },
          onHeadersReceived() {},
        },
        setPermissionRequestHandler(fn: Recorded['permissionRequest']) {
          recorded.permissionRequest = fn;
        },
        setPermissionCheckHandler() {},
        setDevicePermissionHandler() {},
        setDisplayMediaRequestHandler() {},
        setSpellCheckerEnabled() {},
        on() {},
      },
    },
    ipcMain: {
      handle(channel: string, fn: (event: unknown, request: unknown) => Promise<unknown>) {
        if (recorded.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        recorded.ipcHandlers.set(channel, fn);
      },
    },
    Menu: {
      buildFromTemplate: (template: unknown) => ({ template }),
      setApplicationMenu(menu: unknown) {
        recorded.menus.push(menu);
      },
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] as string[] }),
      showErrorBox() {},
    },
    shell: {
      showItemInFolder(path: string) {
        recorded.shown.push(path);
      },
    },
  };

  return { electron, recorded, FakeBrowserWindow, app };
}

/** The preload's side: contextBridge, ipcRenderer and webUtils. */
export function createFakePreloadElectron() {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const invoked: Array<[string, unknown]> = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        exposed.set(key, api);
      },
    },
    ipcRenderer: {
      invoke: async (channel: string, request: unknown) => {
        invoked.push([channel, request]);
        return { ok: true, value: null };
      },
      on(channel: string, listener: (event: unknown, payload: unknown) => void) {
        let set = listeners.get(channel);
        if (!set) listeners.set(channel, (set = new Set()));
        set.add(listener);
      },
      removeListener(channel: string, listener: (event: unknown, payload: unknown) => void) {
        listeners.get(channel)?.delete(listener);
      },
    },
    webUtils: {
      getPathForFile: (file: { name: string }) => `/dropped/${file.name}`,
    },
  };
  const emit = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'secret' }, payload);
  };
  return { electron, exposed, invoked, emit };
}
