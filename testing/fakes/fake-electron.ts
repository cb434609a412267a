// A stand-in for the 'electron' module, just wide enough to run the built main process
// (dist/electron/main.cjs) and preload in plain Node: records what they do and lets a test play
// the part of Electron (ready, window loads, IPC calls, second instance, quit). Its utilityProcess
// forks the real engine process; a MessagePortMain handed to it becomes one channel of that
// process's IPC (Node cannot pass ports between processes), which is how the engine process serves
// windows when it is forked.

import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';

/** One end of a fake MessageChannelMain: what is posted on one end arrives at the other. */
export class FakePortMain extends EventEmitter {
  peer: FakePortMain | null = null;
  closed = false;
  postMessage(message: unknown) {
    const peer = this.peer;
    if (this.closed || !peer) return;
    setImmediate(() => {
      if (!peer.closed) peer.emit('message', { data: message, ports: [] });
    });
  }
  start() {}
  close() {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
    this.peer?.close();
  }
}

/** utilityProcess.fork as a forked Node process: the engine process speaks to either. */
class FakeUtilityProcess extends EventEmitter {
  private readonly child: ChildProcess;
  private readonly ports: FakePortMain[] = [];
  constructor(modulePath: string, args: string[], options: { execArgv?: string[]; env?: NodeJS.ProcessEnv }) {
    super();
    this.child = fork(modulePath, args, {
      execArgv: options.execArgv ?? [],
      env: options.env ?? process.env,
      serialization: 'advanced',
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    this.child.on('message', (message) => this.emit('message', message));
    this.child.on('exit', (code, signal) => {
      // As in Electron, a port whose other end lived in the process closes with it.
      for (const port of this.ports) port.close();
      this.emit('exit', code ?? (signal ? 128 + 9 : 0));
    });
  }
  get pid() {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }
  postMessage(message: unknown, transfer: FakePortMain[] = []) {
    if (!this.child.connected) return;
    this.child.send(message as object);
    const client = (message as { connect?: number }).connect;
    const port = transfer[0];
    if (client === undefined || !port) return;
    this.ports.push(port);
    // The engine's end of the window's port: a numbered channel of the IPC connection.
    port.on('message', (event: { data: unknown }) => {
      if (this.child.connected) this.child.send({ ch: client, m: event.data });
    });
    this.child.on('message', (envelope: { ch?: number; m?: unknown }) => {
      if (envelope?.ch === client) port.postMessage(envelope.m);
    });
  }
  kill() {
    return this.child.kill('SIGTERM');
  }
  /** The test's handle on the real process (to kill it). */
  get process() {
    return this.child;
  }
}

export interface Recorded {
  privileged: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  ipcHandlers: Map<string, (event: unknown, request: unknown) => Promise<unknown>>;
  ipcListeners: Map<string, (event: unknown, payload?: unknown) => void>;
  utilityProcesses: FakeUtilityProcess[];
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
    ipcListeners: new Map(),
    utilityProcesses: [],
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
    /** webContents.postMessage calls: the engine ports main handed this window. */
    readonly posted: Array<{ channel: string; ports: FakePortMain[] }> = [];
    destroyed = false;
    url = '';
    windowOpenHandler: unknown = null;
    send(channel: string, payload: unknown) {
      if (this.destroyed) throw new Error('send on a destroyed webContents');
      this.sent.push([channel, payload]);
      this.emit('test:sent', channel, payload);
    }
    postMessage(channel: string, _message: unknown, ports: FakePortMain[] = []) {
      this.posted.push({ channel, ports });
      this.emit('test:posted', channel, ports);
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
    getPreferredSystemLanguages: () => ['en-US'],
    getLocale: () => 'en-US',
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
      on(channel: string, fn: (event: unknown, payload?: unknown) => void) {
        recorded.ipcListeners.set(channel, fn);
      },
    },
    utilityProcess: {
      fork(modulePath: string, args: string[] = [], forkOptions: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}) {
        const child = new FakeUtilityProcess(modulePath, args, forkOptions);
        recorded.utilityProcesses.push(child);
        return child;
      },
    },
    MessageChannelMain: class {
      readonly port1 = new FakePortMain();
      readonly port2 = new FakePortMain();
      constructor() {
        this.port1.peer = this.port2;
        this.port2.peer = this.port1;
      }
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
  const sent: string[] = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        exposed.set(key, api);
      },
    },
    ipcRenderer: {
      send(channel: string) {
        sent.push(channel);
      },
      invoke: async (channel: string, request: unknown) => {
        invoked.push([channel, request]);
        return { ok: true, value: null };
      },
      on(channel: string, listener: (event: unknown, payload: unknown) => void) {
        let set = listeners.get(channel);
        if (!set) {
          set = new Set();
          listeners.set(channel, set);
        }
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
  return { electron, exposed, invoked, sent, emit };
}
