// A region's every pixel is written once it is read: tiles decoded in place, copied, halved, absent or
// cut short at the image's edge, and the parts of the request outside the image. A buffer handed in
// full of garbage must come back as a fresh one does, in every mode.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import turbo from '@julusian/jpeg-turbo';
import type { RgbImage } from '../../shared/slide';
import { virtualSource } from '../../testing/virtual-source';
import { ByteLruCache } from './lru-cache';
import { RegionReader, type TileMode } from './region-reader';

const WIDTH = 1000;
const HEIGHT = 700;
const TILE = 256;
const ABSENT = '1,1';

/** A tile's pixels as the file has them: edge tiles cut to the image, as some formats store them. */
function pixels(col: number, row: number): RgbImage {
  const width = Math.min(TILE, WIDTH - col * TILE);
  const height = Math.min(TILE, HEIGHT - row * TILE);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = 40 + ((i * 7 + col * 31 + row * 57) % 150);
  return { data, width, height, channels: 3 };
}

/** Even columns stored as JPEG (full tiles, as TIFF pads them), odd ones only as pixels; tile 1,1 absent. */
const source = virtualSource(
  { width: WIDTH, height: HEIGHT, downsample: 1, tileWidth: TILE, tileHeight: TILE },
  {
    readTile: async (_level, col, row) => (`${col},${row}` === ABSENT ? null : pixels(col, row)),
    async readStoredJpeg(_level, col, row) {
      if (col % 2 === 1 || `${col},${row}` === ABSENT) return null;
      const full = new Uint8Array(TILE * TILE * 3).fill(200);
      const cut = pixels(col, row);
      for (let r = 0; r < cut.height; r++) full.set(cut.data.subarray(r * cut.width * 3, (r + 1) * cut.width * 3), r * TILE * 3);
      return turbo.compressSync(Buffer.from(full), { format: turbo.FORMAT_RGB, width: TILE, height: TILE, quality: 90, subsampling: turbo.SAMP_444 });
    },
    storesJpeg: () => true,
  },
);

const REGIONS: Array<[string, number, number, number, number]> = [
  ['the whole level and more', -40, -30, 1100, 800],
  ['inside, across the absent tile', 200, 200, 400, 300],
  ['over the right and bottom edges', 700, 500, 400, 300],
  ['outside the image', 2000, 2000, 20, 10],
];

describe('readLevelRect writes every pixel', () => {
  const reader = new RegionReader(source, new ByteLruCache(64 * 2 ** 20, (t) => (t ? t.data.byteLength : 0)), 'virtual');
  for (const mode of ['exact', 'fast', 'half', 'quarter'] as const satisfies readonly TileMode[]) {
    for (const channels of mode === 'exact' ? ([3, 4] as const) : ([3] as const)) {
      test(`${mode}, ${channels === 3 ? 'RGB' : 'RGBA'}`, async () => {
        const k = { exact: 1, fast: 1, half: 2, quarter: 4 }[mode];
        for (const [name, x0, y0, w0, h0] of REGIONS) {
          const [x, y, width, height] = [x0, y0, w0, h0].map((v) => Math.trunc(v / k)) as [number, number, number, number];
          const fresh = await reader.readLevelRect(0, x, y, width, height, channels, undefined, mode);
          const garbage = new Uint8Array(width * height * channels).fill(7);
          const into = await reader.readLevelRect(0, x, y, width, height, channels, undefined, mode, garbage);
          assert.ok(Buffer.from(into.data).equals(Buffer.from(fresh.data)), `${name}: a garbage buffer came back unlike a fresh one`);
          const blank = channels === 3 ? 255 : 0;
          const at = (px: number, py: number) => fresh.data[((py - y) * width + (px - x)) * channels];
          // Outside the image, and in the absent tile's place: white, or transparent.
          if (x < 0) assert.equal(at(x, Math.max(y, 0)), blank, `${name}: left of the image`);
          if (x + width > WIDTH / k) assert.equal(at(x + width - 1, y + height - 1), blank, `${name}: past the image`);
          const [ax, ay] = [Math.trunc((TILE * 1.5) / k), Math.trunc((TILE * 1.5) / k)];
          if (ax >= x && ax < x + width && ay >= y && ay < y + height) assert.equal(at(ax, ay), blank, `${name}: the absent tile`);
          // A tile's own pixels where it has them (tile 0,0 is JPEG: near, not equal).
          const [px, py] = [Math.trunc(TILE / 2 / k), Math.trunc(TILE / 2 / k)];
          if (px >= x && px < x + width && py >= y && py < y + height) assert.notEqual(at(px, py), blank, `${name}: tile 0,0`);
        }
      });
    }
  }
});

test("tiles given up on while waiting for the lane's reads are never read", async () => {
  let reads = 0;
  let open = true;
  const waiting: Array<() => void> = [];
  const slow = virtualSource(
    { width: 256 * 100, height: 256, downsample: 1, tileWidth: 256, tileHeight: 256 },
    {
      readTile: async (_level, col, row) => {
        reads++;
        if (open) await new Promise<void>((resolve) => waiting.push(resolve));
        return pixels(col % 3, row);
      },
    },
  );
  const reader = new RegionReader(slow, new ByteLruCache(1 << 30, () => 1), 'slow');
  const controller = new AbortController();
  const asked = Array.from({ length: 100 }, (_, col) => reader.tile(0, col, 0, controller.signal).catch((error: { code?: string }) => error.code));
  await new Promise((resolve) => setImmediate(resolve));
  const started = reads;
  assert.ok(started > 0 && started < 100, `the lane's limit holds the rest back (${started} started)`);
  controller.abort();
  open = false;
  for (const resolve of waiting) resolve();
  assert.deepEqual(new Set(await Promise.all(asked)), new Set(['CANCELLED']));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(reads, started, 'no read started after the cancel');
});

describe('a region between the pixels of a stitched level', () => {
  type Paint = { x: number; y: number; width: number; height: number; atX: number; atY: number };
  /** A stitched level at downsample 4 that records what it is asked to paint, and paints each piece a grey of its own. */
  function stitched(paints: Paint[], stitchedLevel = true) {
    return virtualSource(
      { width: 3000, height: 2000, downsample: 4, tileWidth: 512, tileHeight: 512 },
      {
        readTile: async () => ({ data: new Uint8Array(512 * 512 * 3).fill(90), width: 512, height: 512, channels: 3 }),
        paintsRegion: () => stitchedLevel,
        async paintRegion(_level, x, y, canvas, atX, atY) {
          paints.push({ x, y, width: canvas.width - atX, height: canvas.height - atY, atX, atY });
          // Premultiplied at half alpha: straight, 2 * grey.
          const grey = 10 * paints.length;
          for (let py = atY; py < canvas.height; py++) {
            for (let px = atX; px < canvas.width; px++) canvas.data.set([grey, grey, grey, 128], (py * canvas.width + px) * 4);
          }
        },
      },
    );
  }
  const reader = (source: ReturnType<typeof stitched>) => new RegionReader(source, new ByteLruCache(1 << 24, () => 1), 'k');
  const pixel = (image: RgbImage, x: number, y: number) => [...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4)];

  test("is painted by the source in openslide_read_region's pieces of 4096, each from its own level-0 corner", async () => {
    const paints: Paint[] = [];
    const region = await reader(stitched(paints)).readRegion(0, 6, 10, 5000, 4100);
    assert.deepEqual(paints, [
      { x: 1.5, y: 2.5, width: 4096, height: 4096, atX: 0, atY: 0 },
      // int64 sx = x + col * 4096 * ds: the piece's corner in level 0, then in the level's plane.
      { x: 1.5 + 4096, y: 2.5, width: 904, height: 4096, atX: 0, atY: 0 },
      { x: 1.5, y: 2.5 + 4096, width: 4096, height: 4, atX: 0, atY: 0 },
      { x: 1.5 + 4096, y: 2.5 + 4096, width: 904, height: 4, atX: 0, atY: 0 },
    ]);
    // Each piece where it belongs, straight again: 255 * grey / 128.
    assert.deepEqual(pixel(region, 0, 0), [19, 19, 19, 128]);
    assert.deepEqual(pixel(region, 4096, 4095), [39, 39, 39, 128]);
    assert.deepEqual(pixel(region, 4095, 4096), [59, 59, 59, 128]);
    assert.deepEqual(pixel(region, 4999, 4099), [79, 79, 79, 128]);
  });

  test('skips the level-plane pixels before a negative origin, as OpenSlide translates by them', async () => {
    const paints: Paint[] = [];
    const region = await reader(stitched(paints)).readRegion(0, -9, 2, 20, 10);
    assert.deepEqual(paints, [{ x: 0, y: 0.5, width: 18, height: 10, atX: 2, atY: 0 }]);
    assert.deepEqual(pixel(region, 1, 0), [0, 0, 0, 0], 'nothing before the slide');
    // A piece the skip covers whole is not painted (OpenSlide paints nothing for w <= 0).
    const none = await reader(stitched(paints)).readRegion(0, -1000, 2, 100, 10);
    assert.equal(paints.length, 1);
    assert.ok(none.data.every((v) => v === 0));
  });

  test('a fractional level-0 corner is resampled from, as on any other level', async () => {
    const paints: Paint[] = [];
    await reader(stitched(paints)).readRegion(0, 6.5, 10, 40, 30);
    assert.deepEqual(
      paints.map(({ x, y }) => [x, y]),
      [[1.625, 2.5]],
    );
  });

  test('a level the source does not stitch is resampled from its tiles', async () => {
    const paints: Paint[] = [];
    const region = await reader(stitched(paints, false)).readRegion(0, 6, 10, 40, 30);
    assert.equal(paints.length, 0);
    assert.deepEqual(pixel(region, 1, 1), [90, 90, 90, 255]);
  });
});

test("a region past 4096 a side is read in openslide_read_region's pieces, each from its own level-0 corner", async () => {
  // A level at downsample 2.3: the second piece's corner, trunc(x0 + 4096 * 2.3) / 2.3, falls between its pixels otherwise than the first's.
  const source = virtualSource(
    { width: 6000, height: 300, downsample: 2.3, tileWidth: 256, tileHeight: 256 },
    {
      readTile: async (_level, col, row) => {
        const data = new Uint8Array(256 * 256 * 3);
        for (let i = 0; i < 256 * 256; i++) data.fill(((col * 256 + (i % 256)) * 7 + (row * 256 + Math.floor(i / 256)) * 3) % 251, i * 3, i * 3 + 3);
        return { data, width: 256, height: 256, channels: 3 };
      },
    },
  );
  const reader = new RegionReader(source, new ByteLruCache(1 << 26, (t) => t?.data.byteLength ?? 1), 'k');
  const x0 = 3;
  const whole = await reader.readRegion(0, x0, 5, 5000, 40);
  const first = await reader.readRegion(0, x0, 5, 4096, 40);
  const second = await reader.readRegion(0, Math.trunc(x0 + 4096 * 2.3), 5, 904, 40);
  for (let y = 0; y < 40; y++) {
    const row = (image: RgbImage, from: number, to: number) => [...image.data.subarray((y * image.width + from) * 4, (y * image.width + to) * 4)];
    assert.deepEqual(row(whole, 0, 4096), row(first, 0, 4096), `row ${y}, first piece`);
    assert.deepEqual(row(whole, 4096, 5000), row(second, 0, 904), `row ${y}, second piece`);
  }
  // Read as one, the second piece would be sampled at another phase.
  const continued = await reader.readRegion(0, x0 + 4096 * 2.3, 5, 904, 40);
  assert.notDeepEqual([...continued.data.subarray(0, 904 * 4)], [...second.data.subarray(0, 904 * 4)]);
});

test('a stored JPEG that does not decode is CORRUPT_DATA naming its tile, level and file, in every mode that decodes it here', async () => {
  const good = turbo.compressSync(Buffer.alloc(TILE * TILE * 3, 120), {
    format: turbo.FORMAT_RGB,
    width: TILE,
    height: TILE,
    quality: 90,
    subsampling: turbo.SAMP_444,
  });
  // The entropy-coded data broken by a marker libjpeg does not know (0xFF51) just after the scan starts.
  const damaged = Uint8Array.from(good);
  const sos = damaged.findIndex((b, i) => b === 0xff && damaged[i + 1] === 0xda);
  damaged.set([0xff, 0x51, 0xff, 0x51], sos + 20);
  const broken = virtualSource(
    { width: TILE, height: TILE, downsample: 1, tileWidth: TILE, tileHeight: TILE },
    { readStoredJpeg: async () => damaged, storesJpeg: () => true },
  );
  const reader = new RegionReader(broken, new ByteLruCache(2 ** 20, (t) => (t ? t.data.byteLength : 0)), 'virtual');
  for (const mode of ['fast', 'half', 'quarter'] as const) {
    const k = { fast: 1, half: 2, quarter: 4 }[mode];
    await assert.rejects(reader.readLevelRect(0, 0, 0, TILE / k, TILE / k, 3, undefined, mode), (e: unknown) => {
      const { code, message, path } = e as { code?: string; message?: string; path?: string };
      assert.equal(code, 'CORRUPT_DATA', `${mode}: ${message}`);
      assert.match(message ?? '', /^Tile 0,0 of level 0 is damaged and cannot be decoded \(JPEG data: .+\)\.$/, mode);
      assert.doesNotMatch(message ?? '', /No error/);
      assert.equal(path, '/virtual.tif');
      return true;
    });
  }
});
