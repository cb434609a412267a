// Bundles the real preload bridge (electron/preload/bridge.ts) for a plain browser page, so the e2e
// page gets exactly the window.slidescope the Electron preload builds, over another transport.

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BRIDGE_ENTRY = fileURLToPath(new URL('../../electron/preload/bridge.ts', import.meta.url));
export const BRIDGE_GLOBAL = '__slidescopeBridge';

let bundled: Promise<string> | null = null;

/** IIFE source defining globalThis.__slidescopeBridge = { createSlidescopeApi, ... }; built once per worker. */
export function bridgeBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [BRIDGE_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: BRIDGE_GLOBAL,
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild produced no bridge bundle');
    return file.text;
  });
  return bundled;
}
