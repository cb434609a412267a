// The preload: runs sandboxed in Electron's isolated world before the page, and exposes the bridge
// as window.slidescope. Bundled by scripts/build.mjs into one CJS file that requires only 'electron'
// (a sandboxed preload cannot load anything else).

import { contextBridge, ipcRenderer, webUtils } from 'electron';

import type { EventChannel, InvokeChannel } from '../../shared/ipc';
import { type BridgeTransport, createSlidescopeApi } from './bridge';

const transport: BridgeTransport = {
  invoke: (channel: InvokeChannel, request: unknown) => ipcRenderer.invoke(channel, request),
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
