// npm run bench: the slide engine (in its own process, as the app runs it) against OpenSlide on the
// same requests, in one run, on a generated 40000 x 30000 Aperio-like slide and a 40960 x 30720 NDPI (and
// the Aperio slide as DICOM, against itself as SVS). The slide is made first,
// in this process; the engine process starts after, so its peak memory is the engine's alone. Prints
// each figure and the ratio; with --json, ends with one JSON line of the figures.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../electron/engine-host/engine-client';
import { forkEngine } from '../electron/engine-host/fork-engine';
import { seededRandom } from '../electron/synth/random';
import { deepZoomGeometry } from '../shared/deepzoom';
import type { Result } from '../shared/errors';
import type { DeepZoomGeometry } from '../shared/slide';
import { fixturePath } from '../testing/fixtures';
import { benchBatchThumbnails } from './batch-thumbnails';
import { benchCohort, cohortLines } from './cohort-bench';
import { benchDicom, OPENS } from './dicom-bench';
import { median } from './median';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
// The engine process as the app runs it (built by npm run build / npm ci), else from source.
const BUILT_ENGINE = fileURLToPath(new URL('../dist/electron/engine-process.mjs', import.meta.url));
const ENGINE = existsSync(BUILT_ENGINE) ? BUILT_ENGINE : fileURLToPath(new URL('../electron/engine-host/engine-process.ts', import.meta.url));
const TILE_REQUESTS = quick ? 400 : 2000;
const RSS_REQUESTS = quick ? 2000 : 20_000;
const CONCURRENCY = 4;
/** Tile rates are the median of this many runs on each side (one run of 2000 tiles moved by 15% between runs); odd, see main. */
const TILE_RUNS = quick ? 1 : 5;

function log(line: string): void {
  if (!json) console.log(line);
  else console.error(line);
}

/** Random views over the four finest dz levels, as (level offset from the finest, x, y in 0..1). */
function randomViews(count: number, seed: number): Array<[number, number, number]> {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => [Math.floor(random() * 4), random(), random()]);
}

function tileAt(geometry: DeepZoomGeometry, fromFinest: number, fx: number, fy: number): [number, number, number] {
  const z = geometry.levels.length - 1 - fromFinest;
  const level = geometry.levels[z]!;
  const col = Math.min(level.cols - 1, Math.floor((fx * level.width) / geometry.tileSize));
  const row = Math.min(level.rows - 1, Math.floor((fy * level.height) / geometry.tileSize));
  return [z, col, row];
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The highest resident size the kernel saw for a process (Linux), in bytes; null elsewhere. */
function peakRssOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function runPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function main(): Promise<void> {
  log('Generating (or reusing) the 40000 x 30000 benchmark slide...');
  const path = await fixturePath('bench-40k');
  const views = randomViews(TILE_REQUESTS, 1);

  // --- OpenSlide and Slidescope's engine (in its process: every request and answer crosses to it and back) ---
  const engine = new EngineClient(forkEngine({ module: ENGINE }));
  const { info } = value(await engine.open(path, null));
  await engine.dispose();
  log(
    `${TILE_REQUESTS} random tiles over the four finest levels, ${CONCURRENCY} at a time, ${TILE_RUNS} rounds of OpenSlide and a fresh engine process, taking turns...`,
  );
  const turns = await takingTurns(
    () => openSlideRun(path, info, views, 3, 1),
    async (round) => {
      const run = await engineRun(path, views);
      // Gone before OpenSlide's next turn; the last (an odd TILE_RUNS: OpenSlide went first) stays for the memory run.
      if (round < TILE_RUNS - 1) await run.host.dispose();
      return run;
    },
  );
  const runs = turns.ours;
  for (const [i, o] of turns.openslide.entries()) {
    log(`  round ${i + 1}: Slidescope ${Math.round(runs[i]!.tilesPerS)} tiles/s, OpenSlide ${Math.round(o.tiles_per_s)}`);
  }
  const openslide = medianFigures(turns.openslide);
  const host = runs.at(-1)!.host;
  const opens = runs.flatMap((run) => run.opens);
  const thumbs = runs.flatMap((run) => run.thumbs);
  const thumbSize = runs[0]!.thumbSize;
  const tilesPerS = median(runs.map((run) => run.tilesPerS));
  const bytes = runs[0]!.bytes;

  // Memory: a fresh slide, 20,000 random requests; the engine process's peak resident size (every thread).
  log(`Engine memory over ${RSS_REQUESTS} random tile requests...`);
  const memory = value(await host.open(path, null));
  const rssViews = randomViews(RSS_REQUESTS, 2).map(([f, x, y]) => tileAt(memory.info.deepZoom, f, x, y));
  await runPool(rssViews, CONCURRENCY, async ([dzLevel, col, row]) => {
    value(await host.call('slide:tile', { slideId: memory.slideId, dzLevel, col, row, requestId: 0 }));
  });
  const stats = value(await host.call('engine:stats', undefined));
  const peakRss = peakRssOf(host.pid) ?? stats.peakRssBytes;

  // --- NDPI: the same requests on a generated NanoZoomer-like slide ---
  log('Generating (or reusing) the 40960 x 30720 NDPI benchmark slide...');
  const ndpiPath = await fixturePath('bench-ndpi');
  const ndpiInfo = value(await host.open(ndpiPath, null)).info;
  log(`OpenSlide and the engine on the NDPI: same requests, ${TILE_RUNS} rounds taking turns...`);
  const ndpiTurns = await takingTurns(
    () => openSlideRun(ndpiPath, ndpiInfo, views, 0, 1),
    async () => (await ourTiles(host, ndpiPath, views)).tilesPerS,
  );
  const ndpiOpenSlide = medianFigures(ndpiTurns.openslide);
  const ndpi = { tilesPerS: median(ndpiTurns.ours) };

  // --- DICOM: the benchmark slide's tiles as a DICOM series, against the SVS ---
  log('Generating (or reusing) the benchmark slide as DICOM...');
  const dicomPath = await fixturePath('bench-dicom');
  log('Slidescope engine on the DICOM folder: same requests, and its opening...');
  const dicom = await benchDicom(host, dicomPath, path, async (p) => (await ourTiles(host, p, views)).tilesPerS);
  await host.dispose();

  const figures = {
    slide: `${info.width}x${info.height}, ${info.levels.length} levels, ${info.levels[0]!.tileWidth}px JPEG tiles`,
    tiles_per_s: round(tilesPerS),
    openslide_tiles_per_s: round(openslide.tiles_per_s),
    tiles_ratio: round(tilesPerS / openslide.tiles_per_s),
    tile_bytes_avg: round(bytes / TILE_REQUESTS),
    openslide_tile_bytes_avg: round(openslide.tile_bytes / TILE_REQUESTS),
    thumbnail_ms: round(median(thumbs)),
    openslide_thumbnail_ms: round(openslide.thumbnail_ms ?? Number.NaN),
    thumbnail_ratio: round(median(thumbs) / (openslide.thumbnail_ms ?? Number.NaN)),
    open_ms: round(median(opens)),
    openslide_open_ms: round(openslide.open_ms),
    open_ratio: round(median(opens) / openslide.open_ms),
    engine_peak_rss_mb: round(peakRss / 1024 / 1024),
    ndpi_slide: `${ndpiInfo.width}x${ndpiInfo.height}, ${ndpiInfo.levels.length} levels (4 stored)`,
    ndpi_tiles_per_s: round(ndpi.tilesPerS),
    ndpi_openslide_tiles_per_s: round(ndpiOpenSlide.tiles_per_s),
    ndpi_tiles_ratio: round(ndpi.tilesPerS / ndpiOpenSlide.tiles_per_s),
    ...dicom,
  };
  const batch = await benchBatchThumbnails(log);
  const cohort = await benchCohort(log);
  const targets: Array<[string, boolean]> = [
    ['tiles >= 7x OpenSlide', figures.tiles_ratio >= 7],
    ['thumbnail <= 0.5x OpenSlide', figures.thumbnail_ratio <= 0.5],
    ['open + metadata <= 1.0x OpenSlide', figures.open_ratio <= 1],
    ['engine process peak RSS <= 300 MB', figures.engine_peak_rss_mb <= 300],
    ['NDPI tiles >= 3x OpenSlide', figures.ndpi_tiles_ratio >= 3],
    ['DICOM tiles within 1.2x of the same slide as SVS', figures.dicom_tiles_slowdown <= 1.2],
    ['DICOM open within 1.2x of the same slide as SVS', figures.dicom_open_slowdown <= 1.2],
    ['batch thumbnails at least as fast as vipsthumbnail', batch.cli_vs_vips <= 1],
    ['cohort in 2 shards < 5% slower than in one run', cohort.sharding_overhead < 0.05],
  ];
  log('');
  log(`Slide: ${figures.slide}; thumbnail ${thumbSize}`);
  log(`                      Slidescope   OpenSlide   ratio`);
  log(`tiles/s (${CONCURRENCY} in flight) ${pad(figures.tiles_per_s)} ${pad(figures.openslide_tiles_per_s)} ${pad(figures.tiles_ratio)}x`);
  log(`thumbnail 1024 (ms)    ${pad(figures.thumbnail_ms)} ${pad(figures.openslide_thumbnail_ms)} ${pad(figures.thumbnail_ratio)}x`);
  log(`open + metadata (ms)   ${pad(figures.open_ms)} ${pad(figures.openslide_open_ms)} ${pad(figures.open_ratio)}x`);
  log(`bytes per tile         ${pad(figures.tile_bytes_avg)} ${pad(figures.openslide_tile_bytes_avg)}`);
  log(`engine peak RSS (MB)   ${pad(figures.engine_peak_rss_mb)}`);
  log(
    `NDPI tiles/s           ${pad(figures.ndpi_tiles_per_s)} ${pad(figures.ndpi_openslide_tiles_per_s)} ${pad(figures.ndpi_tiles_ratio)}x  (${figures.ndpi_slide})`,
  );
  log(
    `DICOM (same slide) tiles/s ${pad(figures.dicom_tiles_per_s)}, open ${figures.dicom_open_ms} ms: ${figures.dicom_tiles_slowdown}x and ${figures.dicom_open_slowdown}x the SVS's time`,
  );
  log(
    `batch thumbnails, ${batch.slides} slides (ms): CLI ${batch.cli_ms}, vipsthumbnail ${batch.vipsthumbnail_ms} (${batch.cli_vs_vips}x), OpenSlide get_thumbnail ${batch.openslide_ms} (${batch.cli_vs_openslide}x)`,
  );
  for (const line of cohortLines(cohort)) log(line);
  for (const [name, ok] of targets) log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
  if (json) console.log(JSON.stringify({ ...figures, batch_thumbnails: batch, cohort, targets: Object.fromEntries(targets) }));
}

interface OpenSlideFigures {
  open_ms: number;
  thumbnail_ms: number | null;
  tiles_per_s: number;
  tile_bytes: number;
}

/**
 * TILE_RUNS rounds of an OpenSlide run and one of ours, taking turns (OpenSlide first in even rounds):
 * the machine's speed drifts within minutes, and both sides see the same drift.
 */
async function takingTurns<T>(openslide: () => OpenSlideFigures, ours: (round: number) => Promise<T>): Promise<{ openslide: OpenSlideFigures[]; ours: T[] }> {
  const turns: { openslide: OpenSlideFigures[]; ours: T[] } = { openslide: [], ours: [] };
  for (let round = 0; round < TILE_RUNS; round++) {
    if (round % 2 === 0) turns.openslide.push(openslide());
    turns.ours.push(await ours(round));
    if (round % 2 === 1) turns.openslide.push(openslide());
  }
  return turns;
}

/** Each figure the median of the runs' own medians (the bytes are the first run's: every run makes the same tiles). */
function medianFigures(runs: OpenSlideFigures[]): OpenSlideFigures {
  const thumbs = runs.flatMap((run) => (run.thumbnail_ms === null ? [] : [run.thumbnail_ms]));
  return {
    open_ms: median(runs.map((run) => run.open_ms)),
    thumbnail_ms: thumbs.length > 0 ? median(thumbs) : null,
    tiles_per_s: median(runs.map((run) => run.tiles_per_s)),
    tile_bytes: runs[0]!.tile_bytes,
  };
}

/** OpenSlide's side: the same views as deep-zoom tiles of openslide-python's server (254 px, overlap 1). */
function openSlideRun(
  path: string,
  info: { width: number; height: number },
  views: Array<[number, number, number]>,
  thumbnailRuns: number,
  tileRuns: number,
): OpenSlideFigures {
  const geometry = deepZoomGeometry(info.width, info.height, 254, 1);
  const tiles = views.map(([f, x, y]) => tileAt(geometry, f, x, y));
  const run = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./openslide_bench.py', import.meta.url))], {
    input: JSON.stringify({ path, tiles, tile_runs: tileRuns, concurrency: CONCURRENCY, opens: OPENS, thumbnail: 1024, thumbnail_runs: thumbnailRuns }),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`OpenSlide benchmark failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as OpenSlideFigures;
}

interface EngineRun {
  host: EngineClient<unknown>;
  opens: number[];
  thumbs: number[];
  thumbSize: string;
  tilesPerS: number;
  bytes: number;
}

/**
 * A fresh engine process, started and ready as the app starts it (its start-up is the app's launch,
 * not a slide's): OPENS timed opens, three thumbnails, then the views' tiles on a fresh slide.
 */
async function engineRun(path: string, views: Array<[number, number, number]>): Promise<EngineRun> {
  const host = new EngineClient(forkEngine({ module: ENGINE }));
  host.start();
  await host.whenReady();
  value(await host.open(path, null));
  const opens: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const t0 = performance.now();
    const opened = value(await host.open(path, null));
    opens.push(performance.now() - t0);
    await host.close(opened.slideId);
  }
  const thumbs: number[] = [];
  let thumbSize = '';
  for (let i = 0; i < 3; i++) {
    const { slideId } = value(await host.open(path, null)); // a fresh slide each time: no warm tile cache
    const t0 = performance.now();
    const thumb = value(await host.call('engine:thumbnail', { slideId, spec: { kind: 'size', longestSide: 1024 } }));
    thumbs.push(performance.now() - t0);
    thumbSize = `${thumb.width}x${thumb.height}`;
    await host.close(slideId);
  }
  const { tilesPerS, bytes } = await ourTiles(host, path, views);
  return { host, opens, thumbs, thumbSize, tilesPerS, bytes };
}

/** Ours: the same views on a freshly opened slide (no warm tile cache), CONCURRENCY in flight. */
async function ourTiles(host: EngineClient<unknown>, path: string, views: Array<[number, number, number]>): Promise<{ tilesPerS: number; bytes: number }> {
  const { slideId, info } = value(await host.open(path, null));
  const tiles = views.map(([f, x, y]) => tileAt(info.deepZoom, f, x, y));
  let bytes = 0;
  const t0 = performance.now();
  await runPool(tiles, CONCURRENCY, async ([dzLevel, col, row]) => {
    // The answer first: `bytes += await ...` would read bytes before the wait and lose the others' sums.
    const tile = value(await host.call('slide:tile', { slideId, dzLevel, col, row, requestId: 0 }));
    bytes += tile.bytes.length;
  });
  const tilesPerS = tiles.length / ((performance.now() - t0) / 1000);
  await host.close(slideId);
  return { tilesPerS, bytes };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function pad(value: number): string {
  return String(value).padStart(10);
}

await main();
