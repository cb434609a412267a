// Self-check of the synthetic slide generator: small versions of every fixture kind, verified with
// OpenSlide (through Debian's python3-openslide, when installed), libtiff's tiffinfo and geotiff.js:
// structure (vendor, levels, associated images) and pixels (against the painter's own source), and
// determinism (the same parameters give the same bytes).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fromFile } from 'geotiff';
import { reduceBox } from './pyramid';
import { type WrittenSlide, writeAperioSvs, writeGenericPyramid, writeHugeHeaderTiff, writeSingleLevelTiff, writeTruncatedCopies } from './slides';
import { TiffWriter } from './tiff-writer';
import { TissuePainter } from './tissue';

const PYTHON = '/usr/bin/python3';
const hasOpenSlide = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import openslide'], { stdio: 'ignore' }).status === 0;
const hasTiffinfo = spawnSync('tiffinfo', ['-h'], { stdio: 'ignore' }).error === undefined;

// Prints what OpenSlide sees, and regions (x, y in level 0, level, w, h) as base64 RGB.
const OPENSLIDE_PROBE = `
import sys, json, base64, openslide
s = openslide.OpenSlide(sys.argv[1])
out = {'vendor': s.properties.get('openslide.vendor'), 'levels': [list(d) for d in s.level_dimensions],
       'downsamples': list(s.level_downsamples),
       'associated': {k: list(v.size) for k, v in s.associated_images.items()},
       'mpp': s.properties.get('openslide.mpp-x'), 'objective': s.properties.get('openslide.objective-power'),
       'regions': []}
for (x, y, level, w, h) in json.loads(sys.argv[2]):
    out['regions'].append(base64.b64encode(s.read_region((x, y), level, (w, h)).convert('RGB').tobytes()).decode())
print(json.dumps(out))
`;

interface OpenSlideView {
  vendor: string | null;
  levels: [number, number][];
  downsamples: number[];
  associated: Record<string, [number, number]>;
  mpp: string | null;
  objective: string | null;
  regions: string[];
}

type Region = [x: number, y: number, level: number, w: number, h: number];

function openslide(path: string, regions: Region[] = []): Promise<OpenSlideView> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', OPENSLIDE_PROBE, path, JSON.stringify(regions)]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`openslide probe failed: ${Buffer.concat(err).toString()}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as OpenSlideView);
    });
  });
}

/** The painter's pixels for a region of a level (level-0 coordinates, box-reduced like the pyramid). */
function sourceRegion(painter: TissuePainter, [x, y, level, w, h]: Region, factor: number): Uint8Array {
  const ds = factor ** level;
  let data = painter.render(x, y, w * ds, h * ds);
  let cw = w * ds;
  let ch = h * ds;
  for (let k = 0; k < level; k++) {
    const r = reduceBox(data, cw, ch, factor);
    data = r.data;
    cw = r.width;
    ch = r.height;
  }
  return data;
}

/** A level-aligned region (at most size x size) holding as much tissue as can be found. */
function tissueRegion(painter: TissuePainter, level: number, factor: number, size: number): Region {
  const ds = factor ** level;
  const lw = Math.floor(painter.width / ds);
  const lh = Math.floor(painter.height / ds);
  const w = Math.min(size, lw);
  const h = Math.min(size, lh);
  let best: Region = [0, 0, level, w, h];
  let bestScore = -1;
  const stepX = Math.max(1, Math.floor(w / 4));
  const stepY = Math.max(1, Math.floor(h / 4));
  for (let y = 0; y + h <= lh; y += stepY) {
    for (let x = 0; x + w <= lw; x += stepX) {
      let score = 0;
      for (let j = 0; j < 5; j++) for (let i = 0; i < 5; i++) score += painter.alphaAt((x + ((i + 0.5) * w) / 5) * ds, (y + ((j + 0.5) * h) / 5) * ds);
      if (score > bestScore + 1e-9) {
        bestScore = score;
        best = [x * ds, y * ds, level, w, h];
      }
    }
  }
  return best;
}

function meanAbsError(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** libtiff's complaints about a file; with decode, it also decompresses every tile and strip. */
function tiffinfoErrors(path: string, decode: boolean): string[] {
  const r = spawnSync('tiffinfo', decode ? ['-D', path] : [path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `tiffinfo failed: ${r.stderr}`);
  return r.stderr.split('\n').filter((l) => /error|bogus|corrupt/i.test(l));
}

interface SlideCase {
  name: string;
  make(path: string): Promise<WrittenSlide>;
  seed: number;
  factor: number;
  vendor: string;
  /** Levels OpenSlide should report. */
  levels: number;
  associated: string[];
  /** Mean absolute error allowed at level 0 and at the reduced levels. */
  tolerance: [number, number];
  /**
   * Mean error allowed for geotiff.js's level-0 pixels, or false where it cannot decode the tiles (it
   * has no JPEG 2000 codec). Its YCbCr 4:2:0 upsampling is nearest-neighbour, hence a little more.
   */
  geotiff: number | false;
  /**
   * Levels whose pixels OpenSlide can be compared on. OpenSlide 3.4.1 reads non-JPEG tiles through
   * libtiff's TIFFReadRGBATile, which since libtiff 4.5 shifts a tile larger than its whole level
   * ("Raster width ... shall not be larger than image width"); it does so on openslide-python's own
   * boxes.tiff too, while libvips and geotiff.js read those levels exactly. Default: all.
   */
  pixelLevels?: number;
  mpp?: string;
}

const A = { width: 2048, height: 1600, seed: 21, quality: 90 }; // 4x levels 512x400, 128x100: exact downsamples
const G = { width: 2048, height: 1536, tileSize: 256, seed: 22, quality: 90 }; // 2x levels down to 256x192

const CASES: SlideCase[] = [
  {
    name: 'aperio-jpeg-rgb',
    make: (p) => writeAperioSvs(p, { ...A, levels: 3, compression: 'jpeg', photometric: 'rgb' }),
    seed: A.seed,
    factor: 4,
    vendor: 'aperio',
    levels: 3,
    associated: ['label', 'macro', 'thumbnail'],
    tolerance: [3, 3],
    geotiff: 3,
    mpp: '0.499',
  },
  {
    name: 'aperio-jpeg-ycbcr',
    make: (p) => writeAperioSvs(p, { ...A, levels: 3, compression: 'jpeg', photometric: 'ycbcr' }),
    seed: A.seed,
    factor: 4,
    vendor: 'aperio',
    levels: 3,
    associated: ['label', 'macro', 'thumbnail'],
    tolerance: [3, 5],
    geotiff: 3,
  },
  {
    name: 'aperio-j2k-33003',
    make: (p) => writeAperioSvs(p, { ...A, levels: 2, compression: 'jpeg2000-33003' }),
    seed: A.seed,
    factor: 4,
    vendor: 'aperio',
    levels: 2,
    associated: ['label', 'macro', 'thumbnail'],
    tolerance: [3, 5],
    geotiff: false,
  },
  {
    name: 'aperio-j2k-33003-subsampled',
    make: (p) => writeAperioSvs(p, { ...A, levels: 2, compression: 'jpeg2000-33003', j2kSubsampleChroma: true }),
    seed: A.seed,
    factor: 4,
    vendor: 'aperio',
    levels: 2,
    associated: ['label', 'macro', 'thumbnail'],
    tolerance: [3, 6],
    geotiff: false,
  },
  {
    name: 'aperio-j2k-33005',
    make: (p) => writeAperioSvs(p, { ...A, levels: 2, compression: 'jpeg2000-33005', bigTiff: true }),
    seed: A.seed,
    factor: 4,
    vendor: 'aperio',
    levels: 2,
    associated: ['label', 'macro', 'thumbnail'],
    tolerance: [3, 5],
    geotiff: false,
  },
  {
    name: 'bigtiff-pyramid',
    make: (p) => writeGenericPyramid(p, { ...G, compression: 'jpeg', bigTiff: true, mppMicrons: 0.25 }),
    seed: G.seed,
    factor: 2,
    vendor: 'generic-tiff',
    levels: 4,
    associated: [],
    tolerance: [3, 5],
    geotiff: 4,
  },
  {
    name: 'generic-lzw',
    make: (p) => writeGenericPyramid(p, { ...G, compression: 'lzw', mppMicrons: 0.5 }),
    seed: G.seed,
    factor: 2,
    vendor: 'generic-tiff',
    levels: 4,
    associated: [],
    tolerance: [0, 0],
    geotiff: 0,
    pixelLevels: 3,
  },
  {
    name: 'generic-deflate',
    make: (p) => writeGenericPyramid(p, { ...G, compression: 'deflate' }),
    seed: G.seed,
    factor: 2,
    vendor: 'generic-tiff',
    levels: 4,
    associated: [],
    tolerance: [0, 0],
    geotiff: 0,
    pixelLevels: 3,
  },
  {
    name: 'generic-none',
    make: (p) => writeGenericPyramid(p, { ...G, compression: 'none', levels: 2 }),
    seed: G.seed,
    factor: 2,
    vendor: 'generic-tiff',
    levels: 2,
    associated: [],
    tolerance: [0, 0],
    geotiff: 0,
  },
  {
    name: 'generic-unflagged-jpeg',
    make: (p) => writeGenericPyramid(p, { ...G, compression: 'jpeg', flagReducedLevels: false }),
    seed: G.seed,
    factor: 2,
    vendor: 'generic-tiff',
    levels: 1,
    associated: [],
    tolerance: [3, 3],
    geotiff: 4,
  },
  {
    name: 'single-level-large',
    make: (p) => writeSingleLevelTiff(p, { ...G, compression: 'jpeg' }),
    seed: G.seed,
    factor: 2,
    vendor: 'generic-tiff',
    levels: 1,
    associated: [],
    tolerance: [3, 3],
    geotiff: 4,
  },
];

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-synth-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('synthetic slides', () => {
  for (const c of CASES) {
    test(c.name, async (t) => {
      const path = join(dir, `${c.name}.${c.vendor === 'aperio' ? 'svs' : 'tif'}`);
      const started = performance.now();
      const written = await c.make(path);
      t.diagnostic(
        `${c.name}: ${written.width}x${written.height}, ${written.levels.length} levels, ${written.fileSize} bytes, ${(performance.now() - started).toFixed(0)} ms`,
      );
      assert.equal((await stat(path)).size, written.fileSize);

      // libtiff has no JPEG 2000 codec: structure only there.
      if (hasTiffinfo) assert.deepEqual(tiffinfoErrors(path, c.geotiff !== false), []);

      const painter = new TissuePainter({ width: written.width, height: written.height, seed: c.seed });
      if (c.geotiff !== false) {
        const tiff = await fromFile(path);
        const image = await tiff.getImage(0);
        assert.equal(image.getWidth(), written.width);
        const [x, y] = tissueRegion(painter, 0, c.factor, 256);
        const got = (await image.readRGB({ window: [x, y, x + 256, y + 256], interleave: true })) as unknown as Uint8Array;
        const err = meanAbsError(painter.render(x, y, 256, 256), Uint8Array.from(got));
        assert.ok(err <= c.geotiff, `geotiff level 0 mean error ${err}`);
      }

      if (!hasOpenSlide) {
        t.diagnostic('python3-openslide is not installed: OpenSlide checks skipped');
        return;
      }
      const regions = Array.from({ length: c.pixelLevels ?? c.levels }, (_, level) => tissueRegion(painter, level, c.factor, 128));
      const view = await openslide(path, regions);
      assert.equal(view.vendor, c.vendor);
      assert.equal(view.levels.length, c.levels);
      written.levels.slice(0, c.levels).forEach((l, k) => {
        assert.deepEqual(view.levels[k], [l.width, l.height]);
        assert.ok(Math.abs(view.downsamples[k]! - c.factor ** k) < 1e-9, `level ${k} downsample ${view.downsamples[k]}`);
      });
      assert.deepEqual(Object.keys(view.associated).sort(), c.associated);
      for (const name of c.associated) assert.deepEqual(view.associated[name], [written.associated[name]!.width, written.associated[name]!.height]);
      if (c.mpp) assert.equal(view.mpp, c.mpp);
      if (c.vendor === 'aperio') assert.equal(view.objective, '20');
      regions.forEach((r, i) => {
        const err = meanAbsError(sourceRegion(painter, r, c.factor), Buffer.from(view.regions[i]!, 'base64'));
        t.diagnostic(`level ${r[2]} mean abs error ${err.toFixed(3)}`);
        assert.ok(err <= c.tolerance[r[2] === 0 ? 0 : 1], `level ${r[2]} mean error ${err}`);
      });
    });
  }

  test('TIFF writer: tiles from an async iterator, strips, classic and BigTIFF', async () => {
    for (const bigTiff of [false, true]) {
      const path = join(dir, `writer-${bigTiff}.tif`);
      const writer = await TiffWriter.create(path, { bigTiff });
      const tiled = writer.addImage({
        width: 40,
        height: 20,
        compression: 1,
        photometric: 2,
        layout: { kind: 'tiles', tileWidth: 32, tileHeight: 16 },
        software: 'test',
        resolution: { x: [20000, 1], y: [20000, 1], unit: 3 },
      });
      const stripped = writer.addImage({
        width: 5,
        height: 7,
        compression: 1,
        photometric: 2,
        layout: { kind: 'strips', rowsPerStrip: 3 },
        newSubfileType: 1,
        description: 'strips',
      });
      async function* tiles(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 4; i++) yield new Uint8Array(32 * 16 * 3).fill(10 + i);
      }
      await writer.writeChunks(tiled, tiles());
      for (let s = 0; s < 3; s++) await writer.writeChunk(stripped, s, new Uint8Array(5 * Math.min(3, 7 - s * 3) * 3).fill(100 + s));
      await writer.close();
      const tiff = await fromFile(path);
      assert.equal(await tiff.getImageCount(), 2);
      const a = (await (await tiff.getImage(0)).readRasters({ interleave: true })) as unknown as Uint8Array;
      assert.equal(a[(18 * 40 + 35) * 3], 13); // tile (1, 1)
      assert.equal(a[(3 * 40 + 31) * 3], 10); // tile (0, 0)
      const b = (await (await tiff.getImage(1)).readRasters({ interleave: true })) as unknown as Uint8Array;
      assert.deepEqual([b[0], b[3 * 5 * 3], b[(6 * 5 + 4) * 3]], [100, 101, 102]);
      if (hasTiffinfo) assert.deepEqual(tiffinfoErrors(path, true), []);
    }
  });

  test('huge header TIFF declares 1e9 x 1e9 in a tiny file', async () => {
    const tiled = await writeHugeHeaderTiff(join(dir, 'huge.tif'));
    const strips = await writeHugeHeaderTiff(join(dir, 'huge-strips.tif'), { layout: 'strips', bigTiff: true });
    assert.ok(tiled.fileSize < 4096, `${tiled.fileSize} bytes`);
    assert.ok(strips.fileSize < 512, `${strips.fileSize} bytes`);
    for (const path of [tiled.path, strips.path]) {
      const image = await (await fromFile(path)).getImage(0);
      assert.equal(image.getWidth(), 1e9);
      assert.equal(image.getHeight(), 1e9);
      if (hasTiffinfo) assert.match(spawnSync('tiffinfo', [path], { encoding: 'utf8' }).stdout, /Image Width: 1000000000 Image Length: 1000000000/);
    }
    if (hasOpenSlide) assert.deepEqual((await openslide(tiled.path)).levels, [[1e9, 1e9]]);
  });

  test('generation is deterministic', async () => {
    const makers: Array<(p: string) => Promise<WrittenSlide>> = [
      (p) => writeAperioSvs(p, { width: 1500, height: 1200, levels: 2, seed: 5 }),
      (p) => writeAperioSvs(p, { width: 1000, height: 800, levels: 1, seed: 5, compression: 'jpeg2000-33003' }),
      (p) => writeGenericPyramid(p, { width: 1000, height: 800, seed: 5, compression: 'lzw' }),
    ];
    for (const [i, make] of makers.entries()) {
      await make(join(dir, `det-${i}-a.tif`));
      await make(join(dir, `det-${i}-b.tif`));
      assert.equal(await sha256(join(dir, `det-${i}-a.tif`)), await sha256(join(dir, `det-${i}-b.tif`)), `maker ${i}`);
    }
  });

  test('truncated copies', async () => {
    const src = join(dir, 'trunc-src.svs');
    const { fileSize } = await writeAperioSvs(src, { width: 1000, height: 800, levels: 1, seed: 6 });
    const offsets = [0, 8, 1000, fileSize - 100];
    const paths = await writeTruncatedCopies(src, join(dir, 'trunc'), offsets);
    const whole = await readFile(src);
    for (const [i, path] of paths.entries()) {
      const cut = await readFile(path);
      assert.equal(cut.length, offsets[i]);
      assert.ok(cut.equals(whole.subarray(0, offsets[i])));
    }
  });
});
