// Where the e2e suite finds the repository, the production bundles and the shared test slides.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_DIST = resolve(REPO_ROOT, 'dist/renderer');
/** The built engine process; SLIDESCOPE_E2E_ENGINE_PROCESS points the suite at another build of it. */
export const ENGINE_PROCESS = process.env['SLIDESCOPE_E2E_ENGINE_PROCESS'] ?? resolve(REPO_ROOT, 'dist/electron/engine-process.mjs');
export const ELECTRON_MAIN = resolve(REPO_ROOT, 'dist/electron/main.cjs');
/** The shared slides live beside the repository: ../shared/slides/ from its root. */
export const SLIDES_DIR = resolve(REPO_ROOT, '../shared/slides');

export function slidePath(name: string): string {
  return resolve(SLIDES_DIR, name);
}
