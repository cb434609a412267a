// Test-time fixture cache: fixturePath(name) returns a generated slide file, making it on first use
// in <repo>/.cache/fixtures/ (git-ignored; SLIDESCOPE_FIXTURES_DIR overrides). A file's name carries
// a hash of its generator parameters and GENERATOR_VERSION, so a change to either makes a new file
// (and the stale one is deleted). Safe when several processes ask at once: one makes the file under
// a lock file while the others wait; the file itself is written under a temporary name and renamed.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AperioOptions,
  type GenericPyramidOptions,
  type HugeHeaderOptions,
  type SingleLevelOptions,
  type WrittenSlide,
  writeAperioSvs,
  writeGenericPyramid,
  writeHugeHeaderTiff,
  writeSingleLevelTiff,
} from '../electron/synth/slides';

/** Bump whenever generated content changes without a parameter changing (painter, codecs...). */
export const GENERATOR_VERSION = 1;

export type FixtureSpec =
  | { kind: 'aperio'; ext: '.svs'; options: AperioOptions }
  | { kind: 'generic'; ext: '.tif'; options: GenericPyramidOptions }
  | { kind: 'single'; ext: '.tif'; options: SingleLevelOptions }
  | { kind: 'huge'; ext: '.tif'; options: HugeHeaderOptions };

export const FIXTURES = {
  /** Aperio, JPEG with RGB photometric (like CMU-1), 3 levels, thumbnail/label/macro. */
  'aperio-jpeg-rgb': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 9000, height: 7000, levels: 3, compression: 'jpeg', photometric: 'rgb', quality: 90, seed: 11 },
  },
  /** The same with YCbCr photometric, 4:2:0. */
  'aperio-jpeg-ycbcr': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 9000, height: 7000, levels: 3, compression: 'jpeg', photometric: 'ycbcr', quality: 90, seed: 12 },
  },
  /** Aperio JPEG 2000, YCbCr components (33003), 2 levels. */
  'aperio-j2k-33003': { kind: 'aperio', ext: '.svs', options: { width: 3000, height: 2500, levels: 2, compression: 'jpeg2000-33003', seed: 13 } },
  /** Aperio JPEG 2000, YCbCr components with Cb and Cr at half resolution (33003, 4:2:0), 2 levels. */
  'aperio-j2k-33003-subsampled': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 3000, height: 2500, levels: 2, compression: 'jpeg2000-33003', j2kSubsampleChroma: true, seed: 20 },
  },
  /** Aperio JPEG 2000, RGB components (33005), 2 levels. */
  'aperio-j2k-33005': { kind: 'aperio', ext: '.svs', options: { width: 3000, height: 2500, levels: 2, compression: 'jpeg2000-33005', seed: 14 } },
  /** BigTIFF generic pyramid, JPEG (YCbCr 4:2:0), flagged levels, MPP 0.25. */
  'bigtiff-pyramid': {
    kind: 'generic',
    ext: '.tif',
    options: { width: 6000, height: 4500, tileSize: 256, compression: 'jpeg', bigTiff: true, mppMicrons: 0.25, seed: 15 },
  },
  /** Generic pyramid, LZW + predictor (lossless), MPP 0.5. */
  'generic-lzw': { kind: 'generic', ext: '.tif', options: { width: 3000, height: 2200, tileSize: 256, compression: 'lzw', mppMicrons: 0.5, seed: 16 } },
  /** Generic pyramid, Deflate + predictor (lossless). */
  'generic-deflate': { kind: 'generic', ext: '.tif', options: { width: 3000, height: 2200, tileSize: 256, compression: 'deflate', seed: 17 } },
  /** Generic JPEG pyramid whose reduced levels are NOT flagged (OpenSlide sees one level). */
  'generic-unflagged-jpeg': {
    kind: 'generic',
    ext: '.tif',
    options: { width: 4000, height: 3000, tileSize: 256, compression: 'jpeg', flagReducedLevels: false, seed: 18 },
  },
  /** One large JPEG level, no pyramid. */
  'single-level-large': { kind: 'single', ext: '.tif', options: { width: 12000, height: 9000, tileSize: 256, compression: 'jpeg', seed: 19 } },
  /** Declares 1e9 x 1e9 pixels; tiny file, no pixel data. */
  'huge-header': { kind: 'huge', ext: '.tif', options: { width: 1e9, height: 1e9 } },
  /** The benchmark slide: 40000 x 30000 Aperio-like, JPEG RGB, 240-px tiles, 4 levels 4x apart. */
  'bench-40k': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 40000, height: 30000, tileSize: 240, compression: 'jpeg', photometric: 'rgb', quality: 70, seed: 40, name: 'bench-40k' },
  },
  /** The viewer benchmark's JPEG 2000 slide (Aperio 33003): 12000 x 9000, 3 levels. */
  'bench-j2k': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 12000, height: 9000, tileSize: 240, compression: 'jpeg2000-33003', seed: 41, name: 'bench-j2k' },
  },

  // The CLI's cohort tests (electron/cli): small slides of two kinds, copied under many names.
  /** A small Aperio slide, JPEG, 2 levels. */
  'cohort-svs': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 2400, height: 1800, levels: 2, compression: 'jpeg', photometric: 'rgb', quality: 80, seed: 60, name: 'cohort-svs' },
  },
  /** A small generic pyramid, Deflate. */
  'cohort-tif': { kind: 'generic', ext: '.tif', options: { width: 1500, height: 1100, tileSize: 256, compression: 'deflate', seed: 61 } },
} as const satisfies Record<string, FixtureSpec>;

export type FixtureName = keyof typeof FIXTURES;

export const FIXTURE_NAMES = Object.keys(FIXTURES) as FixtureName[];

/** Where fixtures are cached: $SLIDESCOPE_FIXTURES_DIR, else <repo>/.cache/fixtures. */
export function fixtureDir(): string {
  const override = process.env['SLIDESCOPE_FIXTURES_DIR'];
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, '.cache', 'fixtures');
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (no package.json above testing/)');
    dir = up;
  }
}

/** The cache key of a spec: its parameters and the generator version. */
export function fixtureKey(spec: FixtureSpec): string {
  const text = JSON.stringify({ version: GENERATOR_VERSION, kind: spec.kind, options: spec.options });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Writes a fixture (or any spec) to a path, bypassing the cache. */
export function generateFixture(spec: FixtureSpec, path: string): Promise<WrittenSlide> {
  switch (spec.kind) {
    case 'aperio':
      return writeAperioSvs(path, spec.options);
    case 'generic':
      return writeGenericPyramid(path, spec.options);
    case 'single':
      return writeSingleLevelTiff(path, spec.options);
    case 'huge':
      return writeHugeHeaderTiff(path, spec.options);
  }
}

const inProcess = new Map<string, Promise<string>>();

/** Path of a named fixture, generating it on first use. */
export function fixturePath(name: FixtureName): Promise<string> {
  const spec: FixtureSpec = FIXTURES[name];
  if (!spec) return Promise.reject(new Error(`unknown fixture ${String(name)}`));
  const dir = fixtureDir();
  const path = join(dir, `${name}-${fixtureKey(spec)}${spec.ext}`);
  let pending = inProcess.get(path);
  if (!pending) {
    pending = ensure(name, spec, dir, path);
    inProcess.set(path, pending);
    pending.catch(() => inProcess.delete(path));
  }
  return pending;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

const LOCK_POLL_MS = 200;

async function ensure(name: string, spec: FixtureSpec, dir: string, path: string): Promise<string> {
  if (await isFile(path)) return path;
  await mkdir(dir, { recursive: true });
  const lock = `${path}.lock`;
  for (;;) {
    if (await isFile(path)) return path;
    let handle: FileHandle;
    try {
      handle = await open(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockIsStale(lock)) await rm(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      continue;
    }
    try {
      await handle.writeFile(String(process.pid));
      await handle.close();
      if (!(await isFile(path))) {
        await generateFixture(spec, path);
        await removeStale(dir, name, spec.ext, path);
      }
      return path;
    } finally {
      await rm(lock, { force: true });
    }
  }
}

/** A lock whose process is gone (or that is unreadable and old) is stale. */
async function lockIsStale(lock: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(lock, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    const info = await stat(lock);
    return Date.now() - info.mtimeMs > 60_000;
  } catch {
    return false; // vanished meanwhile: retry
  }
}

/** Deletes other generations of the same fixture (files named <name>-<12 hex><ext>). */
async function removeStale(dir: string, name: string, ext: string, keep: string): Promise<void> {
  const pattern = new RegExp(`^${name.replace(/[-]/g, '\\-')}-[0-9a-f]{12}${ext.replace('.', '\\.')}$`);
  for (const entry of await readdir(dir)) {
    const full = join(dir, entry);
    if (full !== keep && pattern.test(entry)) await rm(full, { force: true });
  }
}
