// Generic TIFF layouts OpenSlide 3.4.1 reads that the engine once refused or misread, against
// OpenSlide on files generated at test time: separate colour planes (PlanarConfiguration 2), 16-bit
// samples (RGB and grey, either byte order), greyscale, and regions whose origin falls between the
// pixels of a level with a non-integer downsample.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { SlideInfo } from '../../shared/slide';
import { type FixtureName, fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { type ReferenceInfo, type ReferenceRequest, referenceImage, runOpenSlide } from '../../testing/openslide-reference';
import { compareRgb, type ImageLike } from '../../testing/pixel-compare';
import { Compression, FieldType, type ImageSpec, Photometric, TiffWriter } from '../synth/tiff-writer';
import { SlideEngine } from './engine';
import { SlideError } from './errors';

const engine = new SlideEngine({ tileEncoding: 'png' });
const scratch = mkdtempSync(join(tmpdir(), 'slidescope-generic-gaps-'));
after(async () => {
  await engine.closeAll();
  rmSync(scratch, { recursive: true, force: true });
});

interface Region {
  level: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Opens a fixture with both and checks that OpenSlide calls it generic-tiff and that the levels
 * agree. OpenSlide 3.4.1 opens no big-endian TIFF: such a fixture is compared with OpenSlide's
 * reading of its little-endian twin (`reference`, the same pixels).
 */
async function openBoth(name: FixtureName, reference: FixtureName = name) {
  const path = await fixturePath(name);
  const refPath = await fixturePath(reference);
  const [ref, own] = runOpenSlide([
    { kind: 'info', path: refPath },
    { kind: 'info', path },
  ]) as [ReferenceInfo, ReferenceInfo | { error: string }];
  assert.ok(!('error' in ref), `${reference}: OpenSlide cannot open it: ${JSON.stringify(ref)}`);
  assert.equal(ref.properties['openslide.vendor'], 'generic-tiff', `${reference}: OpenSlide's vendor`);
  if (reference !== name) assert.ok('error' in own, `${name}: OpenSlide 3.4.1 was expected to refuse a big-endian TIFF`);
  const { slideId, info } = await openSlide(engine, path);
  assert.equal(info.vendor, 'generic-tiff');
  assert.equal(info.levels.length, ref.level_count, `${name}: level count`);
  info.levels.forEach((level, l) => {
    assert.deepEqual([level.width, level.height], ref.dimensions[l], `${name}: level ${l} size`);
    assert.ok(Math.abs(level.downsample - ref.downsamples[l]!) < 1e-9, `${name}: level ${l} downsample ${level.downsample} vs ${ref.downsamples[l]}`);
  });
  return { path, refPath, slideId, info };
}

/** Alpha of two RGBA images: the fraction of pixels whose alpha differs by more than the tolerance. */
function alphaOff(a: ImageLike, b: ImageLike, tolerance: number): number {
  let off = 0;
  for (let p = 0; p < a.width * a.height; p++) if (Math.abs(a.data[p * 4 + 3]! - b.data[p * 4 + 3]!) > tolerance) off++;
  return off / (a.width * a.height);
}

/** Our regions and OpenSlide's, compared per channel (RGB where either is not transparent, and alpha). */
async function compareRegions(refPath: string, slideId: string, regions: readonly Region[]) {
  const requests: ReferenceRequest[] = regions.map((r) => ({ kind: 'region', path: refPath, ...r }));
  const refs = runOpenSlide(requests);
  const results = [];
  for (const [i, r] of regions.entries()) {
    const ours = await engine.readRegion({ slideId, ...r });
    const ref = referenceImage(refs[i]);
    results.push({ region: r, diff: compareRgb(ours, ref, 2), alphaOff: alphaOff(ours, ref, 2) });
  }
  return results;
}

/**
 * Every level whole, and at each level a region in the middle and one across the bottom-right
 * edge, at origins on the level's pixels (the levels' downsamples are integers).
 */
function regionsAtEveryLevel(info: SlideInfo): Region[] {
  return info.levels.flatMap((level, l) => {
    const ds = level.downsample;
    return [
      { level: l, x: 0, y: 0, width: level.width, height: level.height },
      { level: l, x: Math.floor(level.width / 2 - 61) * ds, y: Math.floor(level.height / 2 - 43) * ds, width: 150, height: 100 },
      { level: l, x: (level.width - 90) * ds, y: (level.height - 70) * ds, width: 180, height: 140 },
    ];
  });
}

/** Fixture, label, and the fixture OpenSlide reads for it (a big-endian file's little-endian twin). */
const SAMPLE_LAYOUTS: ReadonlyArray<[FixtureName, string, FixtureName?]> = [
  ['generic-planar-lzw', 'separate colour planes, LZW'],
  ['generic-planar-none', 'separate colour planes, uncompressed'],
  ['generic-planar-none-be', 'separate colour planes, uncompressed, big-endian', 'generic-planar-none'],
  ['generic-planar16-deflate', 'separate colour planes of 16-bit samples, Deflate'],
  ['generic-rgb16-lzw', '16-bit RGB, LZW'],
  ['generic-rgb16-lzw-be', '16-bit RGB, LZW, big-endian', 'generic-rgb16-lzw'],
  ['generic-rgb16-none', '16-bit RGB, uncompressed'],
  ['generic-grey8-lzw', '8-bit grey, LZW'],
  ['generic-grey16-none', '16-bit grey, uncompressed'],
  ['generic-grey16-none-be', '16-bit grey, uncompressed, big-endian', 'generic-grey16-none'],
  ['generic-grey16-white-deflate', '16-bit grey, MinIsWhite, Deflate'],
];

describe('generic TIFF sample layouts against OpenSlide (exact)', { timeout: 600_000 }, () => {
  for (const [name, label, reference] of SAMPLE_LAYOUTS) {
    test(label, async () => {
      const { refPath, slideId, info } = await openBoth(name, reference);
      for (const { region, diff, alphaOff: off } of await compareRegions(refPath, slideId, regionsAtEveryLevel(info))) {
        // Lossless codecs and libtiff's 16 -> 8 bit conversion reproduced: every pixel equal.
        assert.ok(diff.compared > 0, `${name} ${JSON.stringify(region)}: nothing compared`);
        assert.equal(diff.maxDiff, 0, `${name} ${JSON.stringify(region)}: ${JSON.stringify(diff)}`);
        assert.equal(off, 0, `${name} ${JSON.stringify(region)}: alpha differs`);
      }
    });
  }
});

describe('regions whose origin falls between a level’s pixels, against OpenSlide', { timeout: 600_000 }, () => {
  test('levels with non-integer downsamples (2.0006, 4.0015, 8.0031): every level, inner origins, tile seams, edges, negative origins', async (t) => {
    const { refPath, slideId, info } = await openBoth('generic-fractional-downsample');
    assert.ok(info.levels.slice(1).every((level) => !Number.isInteger(level.downsample)));
    const regions: Region[] = info.levels.flatMap((level, l) => {
      const ds = level.downsample;
      return [
        { level: l, x: 0, y: 0, width: level.width, height: level.height },
        { level: l, x: 1, y: 1, width: 300, height: 200 },
        { level: l, x: 3, y: 5, width: 257, height: 131 },
        // Across the seams of the level's tiles (256 px) and into the middle.
        { level: l, x: Math.round(250 * ds) + 1, y: Math.round(250 * ds) + 3, width: 300, height: 300 },
        { level: l, x: 1001, y: 777, width: 211, height: 187 },
        // Across the bottom-right edge: partly transparent, as OpenSlide leaves it.
        { level: l, x: Math.round((level.width - 100) * ds) + 1, y: Math.round((level.height - 80) * ds) + 1, width: 200, height: 160 },
        // Above and left of the slide.
        { level: l, x: -7, y: -13, width: 120, height: 90 },
      ];
    });
    for (const { region, diff, alphaOff: off } of await compareRegions(refPath, slideId, regions)) {
      t.diagnostic(
        `${JSON.stringify(region)}: max ${diff.maxDiff}, mean ${diff.meanDiff.toFixed(4)}, over ±2 ${(diff.overTolerance * 100).toFixed(3)}%, alpha off ${(off * 100).toFixed(3)}%`,
      );
      assert.ok(diff.compared > 0, `${JSON.stringify(region)}: nothing compared`);
      assert.ok(diff.overTolerance <= 0.01, `${JSON.stringify(region)}: ${JSON.stringify(diff)}`);
      assert.ok(off <= 0.01, `${JSON.stringify(region)}: alpha differs at ${off}`);
    }
  });

  test('the same path serves other formats: Aperio JPEG levels (4x, 16.016x) at origins between their pixels', async (t) => {
    const path = await fixturePath('aperio-jpeg-rgb');
    const { slideId, info } = await openSlide(engine, path);
    const regions: Region[] = info.levels.slice(1).flatMap((level, i) => [
      { level: i + 1, x: 1, y: 1, width: 400, height: 300 },
      { level: i + 1, x: 1001, y: 777, width: 400, height: 300 },
      { level: i + 1, x: Math.round(level.width * level.downsample) - 333, y: 5, width: 400, height: 300 },
    ]);
    for (const { region, diff, alphaOff: off } of await compareRegions(path, slideId, regions)) {
      t.diagnostic(`${JSON.stringify(region)}: max ${diff.maxDiff}, mean ${diff.meanDiff.toFixed(4)}, over ±2 ${(diff.overTolerance * 100).toFixed(3)}%`);
      assert.ok(diff.overTolerance <= 0.01, `${JSON.stringify(region)}: ${JSON.stringify(diff)}`);
      assert.ok(off <= 0.01, `${JSON.stringify(region)}: alpha differs at ${off}`);
    }
  });

  test('an integer downsample and an origin between its pixels (level 2 of 4x, origin 178 / 4 = 44.5)', async (t) => {
    const { refPath, slideId } = await openBoth('generic-planar-lzw');
    for (const { region, diff, alphaOff: off } of await compareRegions(refPath, slideId, [
      { level: 2, x: 256, y: 178, width: 150, height: 100 },
      { level: 1, x: 999, y: 1, width: 200, height: 190 },
    ])) {
      t.diagnostic(`${JSON.stringify(region)}: max ${diff.maxDiff}, mean ${diff.meanDiff.toFixed(4)}, over ±2 ${(diff.overTolerance * 100).toFixed(3)}%`);
      assert.ok(diff.overTolerance <= 0.01, `${JSON.stringify(region)}: ${JSON.stringify(diff)}`);
      assert.ok(off <= 0.01, `${JSON.stringify(region)}: alpha differs at ${off}`);
    }
  });
});

/** A one-level 256 x 256 tiled TIFF of the given layout; `tiles` gives each stored block's bytes (absent: not written). */
async function writeLayout(name: string, spec: Partial<ImageSpec>, tiles: (index: number) => Uint8Array | undefined): Promise<string> {
  const path = join(scratch, `${name}.tif`);
  const writer = await TiffWriter.create(path);
  const image = writer.addImage({
    width: 256,
    height: 256,
    compression: Compression.None,
    photometric: Photometric.RGB,
    layout: { kind: 'tiles', tileWidth: 128, tileHeight: 128 },
    ...spec,
  });
  for (let i = 0; i < image.chunkCount; i++) {
    const bytes = tiles(i);
    if (bytes) await writer.writeChunk(image, i, bytes);
  }
  await writer.close();
  return path;
}

async function failure(run: () => Promise<unknown>): Promise<SlideError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof SlideError, `not a SlideError: ${String(error)}`);
    return error;
  }
  assert.fail('no error');
}

describe('generic TIFF layouts still refused, and broken ones, each with a typed error naming the reason', () => {
  const plane = (bytes: number) => () => new Uint8Array(128 * 128 * bytes);
  const refused: Array<[string, Partial<ImageSpec>, RegExp]> = [
    ['separate planes of JPEG tiles', { compression: Compression.JPEG, planarConfiguration: 2 }, /PlanarConfiguration 2\) with JPEG tiles/],
    ['16-bit JPEG', { compression: Compression.JPEG, bitsPerSample: 16 }, /16-bit samples in JPEG tiles/],
    [
      'floating-point samples',
      { bitsPerSample: 16, extraTags: [{ tag: 339, type: FieldType.SHORT, values: [3, 3, 3] }] },
      /floating-point samples are not supported/,
    ],
  ];
  for (const [label, spec, message] of refused) {
    test(label, async () => {
      const path = await writeLayout(label.replaceAll(' ', '-'), spec, plane(6));
      const error = await failure(() => openSlide(engine, path));
      assert.equal(error.code, 'UNSUPPORTED_FORMAT');
      assert.match(error.message, message);
    });
  }

  test('separate planes with a colour plane missing from a tile: CORRUPT_DATA naming the plane', async () => {
    // Tile 0's green plane (block 4 + 0) is absent; its red and blue are there.
    const path = await writeLayout('planar-missing-plane', { planarConfiguration: 2 }, (i) => (i === 4 ? undefined : new Uint8Array(128 * 128)));
    const { slideId } = await openSlide(engine, path);
    const error = await failure(() => engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 }));
    assert.equal(error.code, 'CORRUPT_DATA');
    assert.match(error.message, /colour plane 1/);
    // The other tiles are whole.
    const region = await engine.readRegion({ slideId, level: 0, x: 128, y: 128, width: 64, height: 64 });
    assert.equal(region.data[3], 255);
  });
});
