// The init script that runs in the page before the renderer bundle: it plays the preload's part.
// window.slidescope comes from the real createSlidescopeApi; its transport is two Playwright
// bindings (main's invoke and the engine port) and a dispatch function the host calls through
// page.evaluate (events).

import { BRIDGE_GLOBAL } from './bridge-bundle';
import { PAGE_DECODE_SOURCE } from './wire';

export const INVOKE_BINDING = '__slidescopeInvoke';
/** The page's engine port (in the app: a MessagePort to the engine process). */
export const ENGINE_BINDING = '__slidescopeEngine';
export const EMIT_FUNCTION = '__slidescopeEmit';
/** File.name -> absolute path, registered by the test: stands in for webUtils.getPathForFile. */
export const DROP_PATHS = '__slidescopeDropPaths';

export function pageInitScript(bridgeSource: string): string {
  return `
${bridgeSource}
;(() => {
  ${PAGE_DECODE_SOURCE}
  const listeners = new Map();
  Object.defineProperty(window, '${DROP_PATHS}', { value: Object.create(null) });
  Object.defineProperty(window, '${EMIT_FUNCTION}', {
    value: (channel, payload) => {
      for (const listener of [...(listeners.get(channel) ?? [])]) listener(__slidescopeDecode(payload));
    },
  });
  const transport = {
    invoke: async (channel, request) => __slidescopeDecode(await window['${INVOKE_BINDING}'](channel, request)),
    invokeEngine: async (operation, request) => __slidescopeDecode(await window['${ENGINE_BINDING}'](operation, request)),
    on: (channel, listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  // Like webUtils.getPathForFile: '' for a File that has no path on disk.
  const resolveDroppedPath = (file) => window['${DROP_PATHS}'][file && file.name] ?? '';
  const api = ${BRIDGE_GLOBAL}.createSlidescopeApi(transport, resolveDroppedPath);
  // contextBridge.exposeInMainWorld makes a read-only property; so does this.
  Object.defineProperty(window, 'slidescope', { value: api, enumerable: true });
})();
`;
}
