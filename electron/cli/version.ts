// Slidescope's version, declared once in package.json: put into each bundle as it is built
// (scripts/build.mjs), and read from package.json when the source runs (two folders up).

import { createRequire } from 'node:module';

declare const __SLIDESCOPE_VERSION__: string | undefined;

export const SLIDESCOPE_VERSION: string =
  typeof __SLIDESCOPE_VERSION__ === 'string' ? __SLIDESCOPE_VERSION__ : (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
