// The preload: runs sandboxed in Electron's isolated world before the page, and exposes the bridge
// as window.slidescope. Bundled by scripts/build.mjs into one CJS file that requires only 'electron'
// (a sandboxed preload cannot load anything else).

import { contextBridge, ipcRenderer, webUtils } from 'electron';

import { ENGINE_PORT_CHANNELS, type EngineStopped, type EventChannel } from '../../shared/ipc';
import type { MainOperation } from '../../shared/operations';
import { type BridgeTransport, createSlidescopeApi } from './bridge';
import { createEnginePort, messagePortEndpoint } from './engine-port';

// The window's own port to the engine process: main sends one when asked, and a new one after the
// engine has restarted (an 'engine:stopped' comes first).
const engine = createEnginePort();
ipcRenderer.on(ENGINE_PORT_CHANNELS.port, (event) => {
  const [port] = event.ports;
  if (port) engine.attach(messagePortEndpoint(port));
});
ipcRenderer.on('engine:stopped', (_event, payload: EngineStopped) => engine.detach(payload.message));
ipcRenderer.send(ENGINE_PORT_CHANNELS.request);

const transport: BridgeTransport = {
  invoke: (operation: MainOperation, request: unknown) => ipcRenderer.invoke(operation, request),
  invokeEngine: (operation, request) => engine.call(operation, request),
  on: (channel: EventChannel, listener: (payload: unknown) => void) => {
    // Never hand the IpcRendererEvent (it carries `sender`) to page code: payload only.
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
};

// getPathForFile throws for objects that are not real Files and returns '' for Files that do not
// come from disk (made in script): the bridge turns both into NOT_AUTHORIZED.
const api = createSlidescopeApi(transport, (file) => webUtils.getPathForFile(file as unknown as File));

contextBridge.exposeInMainWorld('slidescope', api);
