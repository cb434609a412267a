// A cohort through the CLI (the cohort row of `npm run bench`): BENCH_COHORT_SLIDES generated slides
// (default 200; mixed formats and sizes: Aperio, generic TIFF, Hamamatsu NDPI, Philips TIFF, Leica
// SCN, Ventana BIF and 3DHistech MIRAX, every kind one that OpenSlide 3.4.1 and vipsthumbnail read)
// in site/case folders, 1024-px PNG thumbnails with 2 jobs, against vipsthumbnail and OpenSlide's
// get_thumbnail run 2 at a time (xargs -P 2), each as a whole process tree's time; then the same CLI
// run as 2 shards one after the other (sharding's overhead: each shard lists the whole cohort and
// starts its own engine processes), the CLI's figures the medians of five rounds. Run alone with
// `npm run bench:cohort`.
//
// The slides are copies (hard links) of a few generated ones, the kinds taken in turn: every tool
// reads each file afresh, and generating 200 distinct slides would take longer than the benchmark. A
// MIRAX slide is its .mrxs and a folder of the same name beside it: each copy gets its own folder of
// hard links.

import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataFolderOf } from '../electron/engine/formats/mirax/mirax-files';
import { type FixtureSpec, fixtureDir, fixtureKey, GENERATOR_VERSION, generateFixture } from '../testing/fixtures';
import { median } from './median';
import { type Timed, timedRun } from './timed-run';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const JOBS = 2;
const SIZE = 1024;
/** Slides handed to one vipsthumbnail or python process. */
const PER_PROCESS = 20;
/** Rounds of the CLI's one run and its two shards. */
const SHARD_ROUNDS = 5;

/** Names the cohort's folder with GENERATOR_VERSION: bump it when VARIANTS or the layout change, so that an old cohort is not reused. */
const COHORT_VERSION = 2;

/**
 * The mix, 1500 to 8000 px: Aperio JPEG and JPEG 2000, generic pyramids in JPEG, LZW and Deflate,
 * BigTIFF; Hamamatsu NDPI, Philips TIFF, Leica SCN, Ventana BIF (overlapping frames) and MIRAX.
 */
const VARIANTS: FixtureSpec[] = [
  { kind: 'aperio', ext: '.svs', options: { width: 8000, height: 6000, compression: 'jpeg', photometric: 'rgb', quality: 75, seed: 300 } },
  { kind: 'aperio', ext: '.svs', options: { width: 4000, height: 3000, compression: 'jpeg', photometric: 'ycbcr', quality: 80, seed: 301 } },
  { kind: 'aperio', ext: '.svs', options: { width: 2400, height: 1800, levels: 2, compression: 'jpeg', photometric: 'rgb', seed: 302 } },
  { kind: 'aperio', ext: '.svs', options: { width: 3000, height: 2500, levels: 2, compression: 'jpeg2000-33003', seed: 303 } },
  { kind: 'generic', ext: '.tif', options: { width: 6000, height: 4500, tileSize: 256, compression: 'jpeg', mppMicrons: 0.25, seed: 304 } },
  { kind: 'generic', ext: '.tif', options: { width: 3000, height: 2200, tileSize: 256, compression: 'lzw', mppMicrons: 0.5, seed: 305 } },
  { kind: 'generic', ext: '.tif', options: { width: 1500, height: 1100, tileSize: 256, compression: 'deflate', seed: 306 } },
  { kind: 'generic', ext: '.tif', options: { width: 5000, height: 3500, tileSize: 256, compression: 'jpeg', bigTiff: true, seed: 307 } },
  // NanoZoomer-like: stored levels 1, 1/4 and 1/16, 4:2:2, 128-px restart intervals, a macro.
  {
    kind: 'ndpi',
    ext: '.ndpi',
    options: {
      width: 6144,
      height: 4608,
      storedHalvings: [0, 2, 4],
      chroma: '4:2:2',
      quality: 80,
      restartInterval: 8,
      recordMcuStarts: true,
      sourceLens: 40,
      mpp: 0.2265,
      macro: true,
      seed: 308,
    },
  },
  // 512-px tiles (padded: 2560 x 2048), 3 levels 2x apart, label and macro in the XML.
  { kind: 'philips', ext: '.tiff', options: { width: 2500, height: 1800, levels: 3, seed: 309 } },
  // One 3200 x 2400 main image (3 levels 4x apart) on a 4000 x 3000 collection at 250 nm/px, a macro.
  {
    kind: 'leica',
    ext: '.scn',
    options: { collectionNm: [1_000_000, 750_000], nmPerPixel: 250, main: [{ width: 3200, height: 2400, offsetNm: [100_250, 75_500] }], seed: 310 },
  },
  // 16 x 12 overlapping 256-px camera frames, one area, 4 levels: 3856 x 2940 once stitched.
  {
    kind: 'ventana-bif',
    ext: '.bif',
    options: {
      gridCols: 16,
      gridRows: 12,
      areas: [{ col: 0, row: 0, cols: 16, rows: 12, x: 0, y: 0 }],
      overlapX: { mean: 16, spread: 2 },
      overlapY: { mean: 12, spread: 2 },
      seed: 311,
    },
  },
  // 8 x 6 photos, each 2 x 2 JPEG images of 256 px, at jittered positions; 5 levels; 2 data files: 3886 x 2952.
  {
    kind: 'mirax',
    ext: '.mrxs',
    options: {
      photosX: 8,
      photosY: 6,
      divisions: 2,
      imageWidth: 256,
      imageHeight: 256,
      levels: 5,
      overlapX: 30,
      overlapY: 24,
      positions: 'vimslide',
      jitter: 3,
      format: 'JPEG',
      dataFiles: 2,
      seed: 312,
    },
  },
];

export interface CohortFigures {
  slides: number;
  jobs: number;
  cli_ms: number;
  cli_slides_per_s: number;
  cli_peak_rss_mb: number | null;
  vipsthumbnail_ms: number;
  vipsthumbnail_slides_per_s: number;
  openslide_ms: number;
  openslide_slides_per_s: number;
  two_shards_ms: number;
  sharding_overhead: number;
  cli_vs_vips: number;
  cli_vs_openslide: number;
}

/** A hard link, or a copy where the file system has none. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    linkSync(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/**
 * The cohort: site-N/case-NNN/slide-NNN.ext (and slide-NNN/ beside a MIRAX slide), unique base
 * names (vipsthumbnail names outputs by them).
 */
async function ensureCohort(count: number): Promise<{ dir: string; slides: string[] }> {
  const variantDir = join(fixtureDir(), `cohort-variants-v${GENERATOR_VERSION}`);
  mkdirSync(variantDir, { recursive: true });
  const variants: string[] = [];
  for (const spec of VARIANTS) {
    const path = join(variantDir, `${fixtureKey(spec)}${spec.ext}`);
    if (!existsSync(path)) await generateFixture(spec, path);
    variants.push(path);
  }
  const dir = join(fixtureDir(), `cohort-v${GENERATOR_VERSION}.${COHORT_VERSION}-${count}`);
  const slides: string[] = [];
  for (let i = 0; i < count; i++) {
    const variant = variants[i % variants.length]!;
    const name = `slide-${String(i).padStart(3, '0')}${variant.slice(variant.lastIndexOf('.'))}`;
    const folder = join(dir, `site-${i % 4}`, `case-${String(Math.floor(i / 4)).padStart(3, '0')}`);
    const path = join(folder, name);
    if (!existsSync(path)) {
      mkdirSync(folder, { recursive: true });
      if (path.endsWith('.mrxs')) {
        // Its data folder first, the key file last (as the writer does): the key says the copy is whole.
        const data = dataFolderOf(path);
        mkdirSync(data, { recursive: true });
        for (const file of readdirSync(dataFolderOf(variant))) {
          rmSync(join(data, file), { force: true });
          await linkOrCopy(join(dataFolderOf(variant), file), join(data, file));
        }
      }
      await linkOrCopy(variant, path);
    }
    slides.push(path);
  }
  return { dir, slides };
}

const OPENSLIDE_SCRIPT = `import sys, os, openslide
for p in sys.argv[2:]:
    s = openslide.OpenSlide(p)
    s.get_thumbnail((${SIZE}, ${SIZE})).save(os.path.join(sys.argv[1], os.path.basename(p) + '.png'))
    s.close()
`;

export async function benchCohort(log: (line: string) => void, count = Number(process.env['BENCH_COHORT_SLIDES'] ?? 200)): Promise<CohortFigures> {
  const { dir, slides } = await ensureCohort(count);
  const out = join(fixtureDir(), 'cohort-out');
  const fresh = (name: string) => {
    const d = join(out, name);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    return d;
  };
  const built = join(ROOT, 'dist/cli/slidescope.mjs');
  const cli = existsSync(built) ? [built] : ['--import', 'tsx', join(ROOT, 'electron/cli/main.ts')];
  log(
    `Cohort: ${slides.length} slides (${VARIANTS.length} kinds of ${new Set(VARIANTS.map((v) => v.kind)).size} formats, 1500-8000 px), ${SIZE}-px PNG thumbnails, ${JOBS} at a time`,
  );
  const batch = (outDir: string, ...more: string[]) => [
    ...cli,
    'thumbnail',
    dir,
    '--recursive',
    '--size',
    String(SIZE),
    '--jobs',
    String(JOBS),
    '--out',
    outDir,
    ...more,
  ];

  // The one run and the two shards alternate, SHARD_ROUNDS times: a run's time moves with the machine
  // by more than the overhead measured (9.3 to 12.4 s within a quarter of an hour on the 2-core
  // machine), so each figure is the median of its rounds.
  const rounds: Array<{ whole: Timed; shards: number }> = [];
  const oneRun = (): Timed => {
    const whole = fresh('cli');
    const report = join(out, 'cli.jsonl');
    rmSync(report, { force: true });
    const run = timedRun(process.execPath, batch(whole, '--report', report));
    const lines = readFileSync(report, 'utf8').split('\n').filter(Boolean);
    if (lines.length !== slides.length || lines.some((l) => !l.includes('"status":"written"'))) throw new Error(`the CLI did not write every slide: ${report}`);
    return run;
  };
  const twoShards = (): number => {
    const sharded = fresh('shards');
    let ms = 0;
    for (const k of [1, 2]) {
      const report = join(out, `shard-${k}.jsonl`);
      rmSync(report, { force: true });
      ms += timedRun(process.execPath, batch(sharded, '--shard', `${k}/2`, '--report', report)).ms;
    }
    if (readdirSync(sharded, { recursive: true }).filter((f) => String(f).endsWith('.png')).length !== slides.length)
      throw new Error('the shards missed slides');
    return ms;
  };
  for (let round = 0; round < SHARD_ROUNDS; round++) {
    // Which goes first alternates too: neither gains from the other's page cache or leftovers.
    let whole: Timed;
    let shards: number;
    if (round % 2 === 0) {
      whole = oneRun();
      shards = twoShards();
    } else {
      shards = twoShards();
      whole = oneRun();
    }
    rounds.push({ whole, shards });
    log(`  round ${round + 1}: one run ${Math.round(whole.ms)} ms, 2 shards ${Math.round(shards)} ms`);
  }
  const cliRun = { ms: median(rounds.map((r) => r.whole.ms)), peakRssMb: Math.max(...rounds.map((r) => r.whole.peakRssMb ?? 0)) || null };
  const shardsMs = median(rounds.map((r) => r.shards));
  const overhead = median(rounds.map((r) => r.shards / r.whole.ms - 1));

  const vipsDir = fresh('vips');
  const vips = timedRun(
    'xargs',
    ['-0', '-P', String(JOBS), '-n', String(PER_PROCESS), 'vipsthumbnail', '--size', String(SIZE), '-o', `${vipsDir}/%s.png`],
    slides.join('\0'),
  );
  const pyDir = fresh('openslide');
  const openslide = timedRun(
    'xargs',
    ['-0', '-P', String(JOBS), '-n', String(PER_PROCESS), '/usr/bin/python3', '-c', OPENSLIDE_SCRIPT, pyDir],
    slides.join('\0'),
  );
  for (const [name, d] of [
    ['vipsthumbnail', vipsDir],
    ['OpenSlide', pyDir],
  ] as const) {
    if (readdirSync(d).length !== slides.length) throw new Error(`${name} did not write every slide`);
  }

  const perS = (ms: number) => Math.round((slides.length / (ms / 1000)) * 100) / 100;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    slides: slides.length,
    jobs: JOBS,
    cli_ms: Math.round(cliRun.ms),
    cli_slides_per_s: perS(cliRun.ms),
    cli_peak_rss_mb: cliRun.peakRssMb,
    vipsthumbnail_ms: Math.round(vips.ms),
    vipsthumbnail_slides_per_s: perS(vips.ms),
    openslide_ms: Math.round(openslide.ms),
    openslide_slides_per_s: perS(openslide.ms),
    two_shards_ms: Math.round(shardsMs),
    sharding_overhead: Math.round(overhead * 1000) / 1000,
    cli_vs_vips: ratio(cliRun.ms, vips.ms),
    cli_vs_openslide: ratio(cliRun.ms, openslide.ms),
  };
}

export function cohortLines(c: CohortFigures): string[] {
  const rss = c.cli_peak_rss_mb === null ? '' : `, largest process ${c.cli_peak_rss_mb} MB`;
  return [
    `cohort, ${c.slides} slides, ${c.jobs} at a time: CLI ${c.cli_ms} ms (${c.cli_slides_per_s} slides/s${rss}), vipsthumbnail ${c.vipsthumbnail_ms} ms (${c.vipsthumbnail_slides_per_s}/s, ${c.cli_vs_vips}x), OpenSlide get_thumbnail ${c.openslide_ms} ms (${c.openslide_slides_per_s}/s, ${c.cli_vs_openslide}x)`,
    `cohort in 2 shards one after the other: ${c.two_shards_ms} ms (${c.sharding_overhead >= 0 ? '+' : ''}${Math.round(c.sharding_overhead * 1000) / 10}% over one run; medians of ${SHARD_ROUNDS} rounds)`,
  ];
}

// `npm run bench:cohort`: this row alone.
if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) {
  const figures = await benchCohort((line) => console.log(line));
  for (const line of cohortLines(figures)) console.log(line);
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
}
