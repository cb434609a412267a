// How well OpenJPEG's warm-up (electron/engine/codecs/openjpeg-warmup.ts) does its job: the decode
// times of a slide's first 30 JPEG 2000 tiles (240 x 240, as Aperio stores them) in a fresh codec
// thread that shares the process's compiled module, as the engine's codec threads do, after
//   none    - no warm-up
//   encode  - the warm-up as it was: tissue painted and encoded with the synth at every launch
//   stored  - the warm-up as it is: the stored codestreams (openjpeg-warmup-codestreams.ts)
// and, in the same thread after 10 more passes over the tiles, the steady state. Each variant runs in
// a process of its own (optimised code belongs to the process's compiled module), 5 times (the
// variants taking turns, so that load on the machine falls on all alike), medians.
// Run: node --import tsx bench/openjpeg-warmup.ts [--reps N]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decodeJpeg2000 } from '../electron/engine/codecs/jpeg2000-decoder';
import { adoptCompiledOpenJpeg, compileOpenJpeg, loadOpenJpeg } from '../electron/engine/codecs/openjpeg';
import { warmUpOpenJpeg } from '../electron/engine/codecs/openjpeg-warmup';
import { type J2kEncoderOptions, J2kTileEncoder } from '../electron/synth/jpeg2000-tiles';
import { TissuePainter } from '../electron/synth/tissue';
import { median } from './median';

const SELF = fileURLToPath(import.meta.url);
const BOOTSTRAP = new URL('../electron/rpc/source-bootstrap.mjs', import.meta.url);
const TILE = 240;
const FIRST = 30;
const STEADY_PASSES = 10;
const VARIANTS = ['none', 'encode', 'stored'] as const;
type Variant = (typeof VARIANTS)[number];
const KINDS: Record<string, J2kEncoderOptions> = {
  '33003': { colour: 'ycbcr' }, // as the generated slides: compression ratio 10, 5 decompositions
  '33005 lossy': { colour: 'rgb' },
  '33005 lossless': { colour: 'rgb', compressionRatio: 0 },
};

interface ThreadData {
  sourceEntry: string;
  role: 'warm-up' | 'measure';
  openJpeg: WebAssembly.Module;
  variant?: Variant;
  tiles?: Uint8Array[];
  ycbcr?: boolean;
}

/** The warm-up as it was before the stored codestreams: painted and encoded at every launch. */
async function encodeAtLaunchWarmUp(): Promise<void> {
  const kinds: J2kEncoderOptions[] = [
    { colour: 'ycbcr', compressionRatio: 12 },
    { colour: 'rgb', compressionRatio: 12 },
    { colour: 'rgb', compressionRatio: 0 },
  ];
  const painter = new TissuePainter({ width: 4 * TILE, height: 4 * TILE, seed: 1 });
  const rgb = painter.render(TILE, TILE, TILE, TILE);
  const tiles = await Promise.all(
    kinds.map(async (kind) => ({ ycbcr: kind.colour === 'ycbcr', codestream: (await J2kTileEncoder.create(kind)).encode(rgb, TILE, TILE) })),
  );
  for (let round = 0; round < 4; round++) {
    for (const { codestream, ycbcr } of tiles) {
      for (const reduce of [0, 1, 1, 2]) await decodeJpeg2000(codestream, { ycbcr, reduce }, null);
    }
  }
}

function startThread(data: Omit<ThreadData, 'sourceEntry'>): Worker {
  return new Worker(BOOTSTRAP, { workerData: { sourceEntry: SELF, ...data } });
}

function answer(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function thread(data: ThreadData): Promise<void> {
  adoptCompiledOpenJpeg(data.openJpeg);
  if (data.role === 'warm-up') {
    const started = performance.now();
    if (data.variant === 'encode') await encodeAtLaunchWarmUp();
    else if (data.variant === 'stored') await warmUpOpenJpeg();
    parentPort!.postMessage(performance.now() - started);
    return;
  }
  // As a codec thread: OpenJPEG instantiated before the first tile.
  await loadOpenJpeg();
  const tiles = data.tiles!;
  const times: number[] = [];
  for (let pass = 0; pass <= STEADY_PASSES; pass++) {
    for (const codestream of tiles) {
      const started = performance.now();
      await decodeJpeg2000(codestream, { ycbcr: data.ycbcr! }, null);
      if (pass === 0 || pass === STEADY_PASSES) times.push(performance.now() - started);
    }
  }
  parentPort!.postMessage(times);
}

/** One process: the warm-up in a thread that exits, then the first tiles in a fresh thread. */
async function child(variant: Variant, tilesFile: string): Promise<void> {
  const { ycbcr, tiles } = JSON.parse(readFileSync(tilesFile, 'utf8')) as { ycbcr: boolean; tiles: string[] };
  const openJpeg = await compileOpenJpeg();
  let warmUpMs = 0;
  if (variant !== 'none') {
    const warm = startThread({ role: 'warm-up', openJpeg, variant });
    warmUpMs = (await answer(warm)) as number;
    await warm.terminate();
  }
  const measure = startThread({ role: 'measure', openJpeg, tiles: tiles.map((t) => Buffer.from(t, 'base64')), ycbcr });
  const times = (await answer(measure)) as number[];
  await measure.terminate();
  console.log(JSON.stringify({ warmUpMs, first: times.slice(0, FIRST), steady: times.slice(FIRST) }));
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

interface Run {
  warmUpMs: number;
  first: number[];
  steady: number[];
}

async function main(): Promise<void> {
  const repsArg = process.argv.indexOf('--reps');
  const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 5;
  // 30 tiles of tissue from the middle of a 12000 x 9000 slide (as the viewer bench's JPEG 2000 slide).
  const painter = new TissuePainter({ width: 12000, height: 9000, seed: 41 });
  const rgbs = Array.from({ length: FIRST }, (_, i) => painter.render(6000 + (i % 6) * TILE, 4500 + Math.floor(i / 6) * TILE, TILE, TILE));
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-warmup-bench-'));
  try {
    const files = new Map<string, string>();
    for (const [name, kind] of Object.entries(KINDS)) {
      const encoder = await J2kTileEncoder.create(kind);
      const file = join(dir, `${name.replace(' ', '-')}.json`);
      writeFileSync(
        file,
        JSON.stringify({ ycbcr: kind.colour === 'ycbcr', tiles: rgbs.map((rgb) => Buffer.from(encoder.encode(rgb, TILE, TILE)).toString('base64')) }),
      );
      files.set(name, file);
    }
    const runs = new Map<string, Run[]>();
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, file] of files) {
        for (const variant of VARIANTS) {
          const run = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', variant, file], { encoding: 'utf8' });
          if (run.status !== 0) throw new Error(run.stderr);
          const key = `${name} | ${variant}`;
          runs.set(key, [...(runs.get(key) ?? []), JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Run]);
        }
      }
    }
    console.log(`first ${FIRST} tiles (${TILE} x ${TILE}, full size) in a fresh codec thread, ms; medians of ${reps} processes`);
    console.log('kind           | warm-up | warm-up ms | 1st tile | mean of 30 | steady mean');
    for (const [key, rs] of runs) {
      const cells = [
        median(rs.map((r) => r.warmUpMs)).toFixed(0),
        median(rs.map((r) => r.first[0]!)).toFixed(1),
        median(rs.map((r) => mean(r.first))).toFixed(2),
        median(rs.map((r) => mean(r.steady))).toFixed(2),
      ];
      const [name, variant] = key.split(' | ');
      console.log(`${name!.padEnd(14)} | ${variant!.padEnd(7)} | ${cells.map((c, i) => c.padStart(i === 2 ? 10 : i === 3 ? 11 : 8)).join(' | ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread) await thread(workerData as ThreadData);
else if (process.argv[2] === '--child') await child(process.argv[3] as Variant, process.argv[4]!);
else await main();
