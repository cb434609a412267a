// The app's built-in sample: a multi-level Aperio-like slide with label and macro, made by the
// project's own generator on first use and cached, so the app ships no slide file.

import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from '../engine/export/make-folder';
import { type AperioOptions, writeAperioSvs } from './slides';

/** Bump when the sample's content changes, so caches of the old one are not reused. */
const SAMPLE_VERSION = 1;
export const SAMPLE_FILE_NAME = `Slidescope-sample-v${SAMPLE_VERSION}.svs`;

/** Big enough to pan and zoom through four levels, small enough to make in seconds on first launch. */
export const SAMPLE_SLIDE: Readonly<AperioOptions> = Object.freeze({
  width: 24000,
  height: 18000,
  tileSize: 240,
  compression: 'jpeg',
  photometric: 'rgb',
  quality: 80,
  appMag: 20,
  mpp: 0.499,
  seed: 20240102,
  name: 'Slidescope sample',
});

let making: Promise<string> | undefined;

export async function ensureSampleSlide(cacheDir: string): Promise<string> {
  const path = join(cacheDir, SAMPLE_FILE_NAME);
  const exists = await stat(path).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );
  if (exists) return path;
  making ??= (async () => {
    await makeFolder(cacheDir);
    const partial = `${path}.${process.pid}.partial`;
    try {
      await writeAperioSvs(partial, SAMPLE_SLIDE);
      await rename(partial, path);
      return path;
    } finally {
      await rm(partial, { force: true });
      making = undefined;
    }
  })();
  return making;
}
