// OME-TIFF SubIFD pyramids against what was written and what tifffile and libvips read (OpenSlide
// 3.4.1 reads OME-TIFF as a generic TIFF: level 0 only, which is compared too), 16-bit
// multi-channel files composited in their channels' colours, and hostile SubIFDs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import type { RgbImage } from '../../../shared/slide';
import { FIXTURES, fixturePath } from '../../../testing/fixtures';
import { assertOpenRefused, openSlide } from '../../../testing/open-slide';
import { type ReferenceInfo, referenceImage, runOpenSlide } from '../../../testing/openslide-reference';
import { compareRgb } from '../../../testing/pixel-compare';
import { type OmeTiffOptions, omeChannel, omeRgbLevels, writeOmeTiff } from '../../../testing/writers/ome-tiff';
import { SlideEngine } from '../engine';
import { SlideError } from '../errors';
import { TiffFile } from '../tiff/tiff-file';
import { openSlideSource } from '.';
import { formatDouble } from './openslide-values';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

const PYTHON = '/usr/bin/python3';

/** What tifffile makes of a file: OME or not, and each series' name, dtype and level shapes. */
function tifffileSeries(path: string): { isOme: boolean; series: Array<{ name: string; dtype: string; levels: number[][] }> } {
  const script = `
import json, sys, tifffile
with tifffile.TiffFile(sys.argv[1]) as t:
    print(json.dumps({"isOme": t.is_ome, "series": [{"name": s.name, "dtype": str(s.dtype), "levels": [list(l.shape) for l in s.levels]} for s in t.series]}))
`;
  const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as ReturnType<typeof tifffileSeries>;
}

/** libvips' decoding of a page, or of a SubIFD of the first page (a reduced level). */
async function vipsImage(path: string, option: string): Promise<RgbImage> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-vips-'));
  try {
    const out = join(dir, 'page.png');
    const run = spawnSync('vips', ['copy', `${path}[${option}]`, out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { data, info } = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function crop(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) data.set(image.data.subarray(((y + r) * image.width + x) * 3, ((y + r) * image.width + x + width) * 3), r * width * 3);
  return { data, width, height, channels: 3 };
}

/** QuPath's first three default channel colours. */
const RED_GREEN_BLUE = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
];

/**
 * The composite a fluorescence slide should show, worked out here apart from the engine: each
 * channel's display range the samples at ranks floor(n / 1000) from each end of its smallest level,
 * each channel scaled from it to [0, 1] times its colour, the channels summed and clamped.
 */
function expectedComposite(
  channels: ReadonlyArray<ArrayLike<number>>,
  smallest: ReadonlyArray<ArrayLike<number>>,
  colours: ReadonlyArray<readonly number[]>,
  max: number,
): { data: Uint8Array; ranges: string[] } {
  const ranges = smallest.map((samples) => {
    const sorted = Float64Array.from(samples).sort();
    const below = Math.floor(sorted.length / 1000);
    const low = sorted[below]!;
    const high = sorted[sorted.length - 1 - below]!;
    return high > low ? [low, high] : low < max ? [low, low + 1] : [max - 1, max];
  });
  const pixels = channels[0]!.length;
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      for (const [c, samples] of channels.entries()) {
        const [low, high] = ranges[c]!;
        sum += Math.min(1, Math.max(0, (samples[p]! - low!) / (high! - low!))) * colours[c]![k]!;
      }
      data[p * 3 + k] = Math.min(255, Math.round(sum));
    }
  }
  return { data, ranges: ranges.map(([low, high]) => `${low}-${high}`) };
}

/** Regions of a level (in its own pixels): origin, middle, across the bottom-right edge tile. */
function regionsOf(level: { width: number; height: number }): Array<{ x: number; y: number; width: number; height: number }> {
  const w = Math.min(300, level.width);
  const h = Math.min(200, level.height);
  return [
    { x: 0, y: 0, width: w, height: h },
    { x: Math.floor((level.width - w) / 2) + 7, y: Math.floor((level.height - h) / 2) + 3, width: w - 7, height: h - 3 },
    { x: level.width - w, y: level.height - h, width: w, height: h },
  ];
}

async function engineRegion(slideId: string, level: number, downsample: number, r: { x: number; y: number; width: number; height: number }): Promise<RgbImage> {
  const image = await engine.readRegion({ slideId, level, x: r.x * downsample, y: r.y * downsample, width: r.width, height: r.height });
  return image;
}

describe('OME-TIFF SubIFD pyramids', { timeout: 600_000 }, () => {
  test('RGB JPEG, 4 levels: levels, MPP from nm, objective, associated images, pixels as libvips and OpenSlide read them', async () => {
    const path = await fixturePath('ome-rgb-jpeg');
    const tf = tifffileSeries(path);
    assert.ok(tf.isOme);
    assert.deepEqual(
      tf.series.map((s) => s.name),
      ['synthetic slide', 'macro', 'label'],
    );
    const { slideId, info } = await openSlide(engine, path);
    assert.equal(info.vendor, 'ome-tiff');
    assert.deepEqual(
      info.levels.map((l) => [l.height, l.width, 3]),
      tf.series[0]!.levels,
      'levels as tifffile finds them',
    );
    assert.deepEqual(
      info.levels.map((l) => l.downsample),
      [1, 2, 4, 8],
    );
    assert.deepEqual(info.mpp, { x: 0.25, y: 0.25 });
    assert.equal(info.objectivePower, 20);
    assert.equal(info.properties['ome.pixels.PhysicalSizeXUnit'], 'nm');
    assert.equal(info.properties['ome.objective.nominal-magnification'], '20');
    assert.equal(info.properties['slidescope.note'], undefined);
    assert.deepEqual([...info.associated].sort(), ['label', 'macro']);

    const figures: string[] = [];
    for (const [k, level] of info.levels.entries()) {
      const reference = await vipsImage(path, k === 0 ? 'page=0' : `subifd=${k - 1}`);
      assert.deepEqual([reference.width, reference.height], [level.width, level.height]);
      let max = 0;
      for (const r of regionsOf(level)) {
        const diff = compareRgb(await engineRegion(slideId, k, level.downsample, r), crop(reference, r.x, r.y, r.width, r.height), 2);
        assert.ok(diff.maxDiff <= 2, `level ${k} ${JSON.stringify(r)} vs libvips: ${JSON.stringify(diff)}`);
        max = Math.max(max, diff.maxDiff);
      }
      figures.push(`L${k} max ${max}`);
    }
    console.log(`ome-rgb-jpeg vs libvips: ${figures.join('; ')}`);
    for (const [page, name] of [
      [1, 'macro'],
      [2, 'label'],
    ] as const) {
      const diff = compareRgb(await engine.readAssociated({ slideId, name }), await vipsImage(path, `page=${page}`), 0);
      assert.equal(diff.maxDiff, 0, `${name}: ${JSON.stringify(diff)}`);
    }

    // OpenSlide 3.4.1 sees a generic TIFF of one level: its level 0 as a second reference.
    const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
    assert.equal(ref.properties['openslide.vendor'], 'generic-tiff');
    assert.equal(ref.level_count, 1);
    const regions = regionsOf(info.levels[0]!);
    const refs = runOpenSlide(regions.map((r) => ({ kind: 'region' as const, path, level: 0, ...r })));
    for (const [i, r] of regions.entries()) {
      const diff = compareRgb(await engineRegion(slideId, 0, 1, r), referenceImage(refs[i]), 2);
      assert.ok(diff.maxDiff <= 2, `level 0 ${JSON.stringify(r)} vs OpenSlide: ${JSON.stringify(diff)}`);
    }
  });

  test('RGB LZW, 3 levels: every level exactly the pixels written', async () => {
    const path = await fixturePath('ome-rgb-lzw');
    const tf = tifffileSeries(path);
    assert.ok(tf.isOme);
    const { slideId, info } = await openSlide(engine, path);
    assert.deepEqual(
      info.levels.map((l) => [l.height, l.width, 3]),
      tf.series[0]!.levels,
    );
    const written = omeRgbLevels(FIXTURES['ome-rgb-lzw'].options as OmeTiffOptions);
    for (const [k, level] of info.levels.entries()) {
      const image = { ...written[k]!, channels: 3 as const };
      for (const r of regionsOf(level)) {
        const diff = compareRgb(await engineRegion(slideId, k, level.downsample, r), crop(image, r.x, r.y, r.width, r.height), 0);
        assert.equal(diff.maxDiff, 0, `level ${k} ${JSON.stringify(r)}: ${JSON.stringify(diff)}`);
      }
    }
    // No PhysicalSize unit given means µm.
    assert.deepEqual(info.mpp, { x: 0.5, y: 0.5 });
    assert.equal(info.objectivePower, null);
  });

  test('16-bit, 3 channels: composited in red, green and blue (no Color given), each over its display range', async () => {
    const path = await fixturePath('ome-fluorescence-16bit');
    const options = FIXTURES['ome-fluorescence-16bit'].options as OmeTiffOptions;
    const tf = tifffileSeries(path);
    assert.ok(tf.isOme);
    assert.equal(tf.series[0]!.dtype, 'uint16');
    const { slideId, info } = await openSlide(engine, path);
    assert.equal(info.vendor, 'ome-tiff');
    assert.deepEqual(
      info.levels.map((l) => [3, l.height, l.width]),
      tf.series[0]!.levels,
    );
    assert.match(info.properties['slidescope.note'] ?? '', /3 channels are shown composited, each in its colour/);
    assert.equal(info.properties['ome.channel[0].name'], 'DAPI');
    assert.deepEqual(
      [0, 1, 2].map((c) => [info.properties[`slidescope.channel[${c}].name`], info.properties[`slidescope.channel[${c}].color`]]),
      [
        ['DAPI', '#ff0000'],
        ['FITC', '#00ff00'],
        ['TRITC', '#0000ff'],
      ],
    );
    // openslide.* as an RGB OME-TIFF reports them: doubles in %.17g, the OME-XML as the comment.
    assert.match(info.properties['openslide.comment'] ?? '', /<OME /);
    for (const [i, l] of info.levels.entries()) assert.equal(info.properties[`openslide.level[${i}].downsample`], formatDouble(l.downsample));
    assert.ok(info.mpp, 'the fixture gives a pixel size');
    assert.equal(info.properties['openslide.mpp-x'], formatDouble(info.mpp.x));
    // tifffile reads the planes as written (uncompressed): each channel's sum at each level.
    const script = `
import json, sys, tifffile
print(json.dumps([[int(c.astype('uint64').sum()) for c in tifffile.imread(sys.argv[1], level=k)] for k in range(${info.levels.length})]))
`;
    const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const sums = JSON.parse(run.stdout) as number[][];
    const written = omeRgbLevels(options);
    const channelsOf = (k: number) => [0, 1, 2].map((c) => omeChannel(written[k]!, c, options.significantBits!));
    const smallest = channelsOf(info.levels.length - 1);
    for (const [k, level] of info.levels.entries()) {
      const channels = channelsOf(k);
      assert.deepEqual(
        channels.map((channel) => channel.reduce((s, v) => s + v, 0)),
        sums[k],
        `level ${k}: tifffile reads the channels as written`,
      );
      const expected = expectedComposite(channels, smallest, RED_GREEN_BLUE, 4095);
      if (k === 0)
        assert.deepEqual(
          [0, 1, 2].map((c) => info.properties[`slidescope.channel[${c}].display-range`]),
          expected.ranges,
        );
      for (const r of regionsOf(level)) {
        const diff = compareRgb(
          await engineRegion(slideId, k, level.downsample, r),
          crop({ data: expected.data, width: level.width, height: level.height, channels: 3 }, r.x, r.y, r.width, r.height),
          0,
        );
        assert.equal(diff.maxDiff, 0, `level ${k} ${JSON.stringify(r)}: ${JSON.stringify(diff)}`);
      }
    }
  });
});

/** An OME-TIFF as tifffile itself writes one (SubIFD pyramid, macro Image), and its levels as tifffile reads them back. */
const TIFFFILE_WRITER = `
import sys, numpy as np, tifffile
path, out = sys.argv[1], sys.argv[2]
h, w = 900, 1300
y, x = np.mgrid[0:h, 0:w]
img = np.stack([x * 255 // w, y * 255 // h, (x + y) * 7 % 256], axis=-1).astype('uint8')
meta = {'axes': 'YXS', 'PhysicalSizeX': 0.3, 'PhysicalSizeXUnit': 'µm', 'PhysicalSizeY': 0.3, 'PhysicalSizeYUnit': 'µm', 'Name': 'tifffile slide'}
with tifffile.TiffWriter(path, ome=True) as tif:
    tif.write(img, subifds=2, tile=(256, 256), photometric='rgb', metadata=meta)
    for k in (2, 4):
        tif.write(img[::k, ::k], tile=(256, 256), photometric='rgb', subfiletype=1)
    tif.write(img[::8, ::8], photometric='rgb', metadata={'Name': 'macro'})
for k in range(3):
    open(f'{out}/level{k}.raw', 'wb').write(tifffile.imread(path, level=k).tobytes())
open(f'{out}/macro.raw', 'wb').write(tifffile.imread(path, series=1).tobytes())
`;

describe('OME-TIFF as tifffile writes it', { timeout: 120_000 }, () => {
  test('SubIFD pyramid and macro Image: every level as tifffile reads it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
    try {
      const path = join(dir, 'tifffile.ome.tif');
      const run = spawnSync(PYTHON, ['-c', TIFFFILE_WRITER, path, dir], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const { slideId, info } = await openSlide(engine, path);
      assert.equal(info.vendor, 'ome-tiff');
      assert.deepEqual(
        info.levels.map((l) => [l.width, l.height]),
        [
          [1300, 900],
          [650, 450],
          [325, 225],
        ],
      );
      assert.deepEqual(info.mpp, { x: 0.3, y: 0.3 });
      assert.equal(info.properties['ome.image.name'], 'tifffile slide');
      for (const [k, level] of info.levels.entries()) {
        const image: RgbImage = { data: new Uint8Array(await readFile(join(dir, `level${k}.raw`))), width: level.width, height: level.height, channels: 3 };
        const whole = await engine.readRegion({ slideId, level: k, x: 0, y: 0, width: level.width, height: level.height });
        assert.equal(compareRgb(whole, image, 0).maxDiff, 0, `level ${k}`);
      }
      assert.deepEqual([...info.associated], ['macro']);
      const macro = await engine.readAssociated({ slideId, name: 'macro' });
      assert.equal(compareRgb(macro, { data: new Uint8Array(await readFile(join(dir, 'macro.raw'))), width: 163, height: 113, channels: 3 }, 0).maxDiff, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const TIFFFILE_16BIT = `
import sys, numpy as np, tifffile
path, out = sys.argv[1], sys.argv[2]
c, h, w = 2, 500, 700
z, y, x = np.mgrid[0:c, 0:h, 0:w]
img = ((x * 37 + y * 91 + z * 5000) % 65536).astype('uint16')
with tifffile.TiffWriter(path, ome=True) as tif:
    tif.write(img, subifds=1, tile=(256, 256), photometric='minisblack', metadata={'axes': 'CYX', 'Channel': {'Name': ['DAPI', 'FITC']}})
    tif.write(img[:, ::2, ::2], tile=(256, 256), photometric='minisblack', subfiletype=1)
for k in range(2):
    for ch in range(2):
        open(f'{out}/level{k}-{ch}.raw', 'wb').write(tifffile.imread(path, level=k)[ch].astype('<u2').tobytes())
`;

describe('16-bit OME-TIFF as tifffile writes it', { timeout: 120_000 }, () => {
  test('two channels, a plane each with its own SubIFDs: composited in red and green at each level', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
    try {
      const path = join(dir, 'tifffile16.ome.tif');
      const run = spawnSync(PYTHON, ['-c', TIFFFILE_16BIT, path, dir], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const { slideId, info } = await openSlide(engine, path);
      assert.equal(info.vendor, 'ome-tiff');
      assert.match(info.properties['slidescope.note'] ?? '', /2 channels are shown composited/);
      assert.equal(info.properties['ome.channel[1].name'], 'FITC');
      assert.equal(info.levels.length, 2);
      const samples = async (k: number, ch: number) => {
        const raw = await readFile(join(dir, `level${k}-${ch}.raw`));
        return new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
      };
      const smallest = [await samples(1, 0), await samples(1, 1)];
      for (const [k, level] of info.levels.entries()) {
        const expected = expectedComposite(
          [await samples(k, 0), await samples(k, 1)],
          smallest,
          [
            [255, 0, 0],
            [0, 255, 0],
          ],
          65535,
        );
        const whole = await engine.readRegion({ slideId, level: k, x: 0, y: 0, width: level.width, height: level.height });
        assert.equal(compareRgb(whole, { data: expected.data, width: level.width, height: level.height, channels: 3 }, 0).maxDiff, 0, `level ${k}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Three 16-bit samples a pixel in one IFD, interleaved or in planes of their own (PlanarConfiguration 2), as tifffile writes them; each sample's raw values. */
const TIFFFILE_SAMPLES = `
import sys, numpy as np, tifffile
path, out, planar = sys.argv[1], sys.argv[2], sys.argv[3] == 'separate'
h, w = 300, 420
y, x = np.mgrid[0:h, 0:w]
img = np.stack([(x * 150) % 60000, (y * 200) % 50000, ((x + y) * 90) % 65536], axis=0 if planar else -1).astype('uint16')
tifffile.imwrite(path, img, ome=True, tile=(128, 128), photometric='rgb', planarconfig='separate' if planar else 'contig', metadata={'axes': 'SYX' if planar else 'YXS'})
for ch in range(3):
    open(f'{out}/sample{ch}.raw', 'wb').write((img[ch] if planar else img[..., ch]).astype('<u2').tobytes())
`;

test('fluorescence planes stored whole in one strip larger than 16 M pixels are refused with how to save them, not composited past any memory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
  try {
    const path = join(dir, 'one-strip.ome.tif');
    const script = `
import sys, numpy as np, tifffile
tifffile.imwrite(sys.argv[1], np.zeros((2, 4200, 4100), 'uint16'), ome=True, photometric='minisblack', rowsperstrip=4200, metadata={'axes': 'CYX'})
`;
    const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    await assert.rejects(
      () => openSlide(engine, path),
      (error: unknown) =>
        error instanceof SlideError &&
        error.code === 'UNSUPPORTED_FORMAT' &&
        /blocks of 4100 x 4200 pixels, more than 16 M .* save the image tiled/.test(error.message) &&
        error.path === path,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a fluorescence OME-TIFF whose channel's tiles lie past the end of the file opens with a warning naming the channel and level", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
  try {
    const path = join(dir, 'cut.ome.tif');
    await writeOmeTiff(path, { ...(FIXTURES['ome-fluorescence-16bit'].options as OmeTiffOptions), width: 500, height: 360, levels: 2 });
    // Channel 2's last two tiles moved past the end, as in a copy cut short inside its image data.
    const script = `
import sys, struct, tifffile
with tifffile.TiffFile(sys.argv[1]) as t:
    at = t.pages[1].tags['TileOffsets'].valueoffset
with open(sys.argv[1], 'r+b') as f:
    f.seek(at + 8)
    f.write(struct.pack('<2I', 2**31, 2**31 + 4096))
`;
    const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { info } = await openSlide(engine, path);
    assert.deepEqual(info.warnings.length, 1, JSON.stringify(info.warnings));
    assert.match(
      info.warnings[0]!,
      /^The file is truncated inside its image data \(it is [\d,]+ bytes\): 2 of level 0 of channel 2's 4 tiles lie past its end/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('16-bit samples of one OME plane', { timeout: 120_000 }, () => {
  for (const layout of ['contig', 'separate'] as const) {
    test(`three samples a pixel (${layout}): composited in red, green and blue`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
      try {
        const path = join(dir, `samples-${layout}.ome.tif`);
        const run = spawnSync(PYTHON, ['-c', TIFFFILE_SAMPLES, path, dir, layout], { encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        const { slideId, info } = await openSlide(engine, path);
        assert.equal(info.vendor, 'ome-tiff');
        const level = info.levels[0]!;
        const samples = await Promise.all(
          [0, 1, 2].map(async (ch) => {
            const raw = await readFile(join(dir, `sample${ch}.raw`));
            return new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
          }),
        );
        const expected = expectedComposite(samples, samples, RED_GREEN_BLUE, 65535);
        const whole = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: level.width, height: level.height });
        assert.equal(compareRgb(whole, { data: expected.data, width: level.width, height: level.height, channels: 3 }, 0).maxDiff, 0);
        // A tile reads each stored block once: interleaved samples share one for all three channels.
        const source = await openSlideSource(path);
        const read = TiffFile.prototype.readBlock;
        let reads = 0;
        TiffFile.prototype.readBlock = function (...args) {
          reads++;
          return read.apply(this, args);
        };
        try {
          await source.readTile(0, 1, 1);
        } finally {
          TiffFile.prototype.readBlock = read;
          await source.close();
        }
        assert.equal(reads, layout === 'contig' ? 1 : 3);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("fluorescence channels' colours and planes from the OME-XML", { timeout: 120_000 }, () => {
  const base = { ...(FIXTURES['ome-fluorescence-16bit'].options as OmeTiffOptions), width: 500, height: 360, levels: 2 };
  /** Writes the fixture with its OME-XML rewritten, and opens it. */
  async function opened(rewrite: (xml: string) => string) {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
    const path = join(dir, 'channels.ome.tif');
    await writeOmeTiff(path, { ...base, rewriteXml: rewrite });
    const { slideId, info } = await openSlide(engine, path);
    const colours = [0, 1, 2].map((c) => info.properties[`slidescope.channel[${c}].color`]);
    return { slideId, info, colours, done: () => rm(dir, { recursive: true, force: true }) };
  }

  test("each Channel's Color (OME's signed RGBA) is its colour; white on every channel (bfconvert's default) gives QuPath's defaults", async () => {
    // RGBA as signed 32-bit: 16777215 is 0x00FFFFFF (cyan), -16711681 0xFF00FFFF (magenta), -65281 0xFFFF00FF (yellow).
    const colours = { 0: 16777215, 1: -16711681, 2: -65281 };
    const given = await opened((xml) =>
      xml.replace(/(<Channel ID="Channel:0:(\d)")/g, (_, start: string, c: string) => `${start} Color="${colours[Number(c) as 0 | 1 | 2]}"`),
    );
    try {
      assert.deepEqual(given.colours, ['#00ffff', '#ff00ff', '#ffff00']);
      assert.equal(given.info.properties['ome.channel[1].color'], '#ff00ff');
    } finally {
      await given.done();
    }
    const white = await opened((xml) => xml.replace(/(<Channel ID="Channel:0:\d")/g, '$1 Color="-1"'));
    try {
      assert.deepEqual(white.colours, ['#ff0000', '#00ff00', '#0000ff']);
    } finally {
      await white.done();
    }
  });

  test('a channel whose plane the OME-XML does not place in the file is left out, with a warning naming it', async () => {
    const missing = await opened((xml) => xml.replace(/<TiffData FirstC="2"[^>]*\/>/, ''));
    try {
      assert.match(missing.info.properties['slidescope.note'] ?? '', /2 channels are shown/);
      assert.deepEqual(missing.info.warnings, ['Channel 3 (TRITC) is not shown: its plane is not in this file.']);
      assert.equal(missing.info.properties['slidescope.channel[2].color'], undefined);
    } finally {
      await missing.done();
    }
  });

  test('channels chosen at open: by name or position, in a colour and range of their own, the others hidden; a wrong choice is a typed error naming the channels', async () => {
    const path = await fixturePath('ome-fluorescence-16bit');
    const options = FIXTURES['ome-fluorescence-16bit'].options as OmeTiffOptions;
    const { info: shown } = await openSlide(engine, path);
    const slideId = randomUUID();
    const info = await engine.open({ slideId, path, client: null, channels: [{ channel: 'fitc', colour: '#ffffff', low: 100, high: 3000 }, { channel: '3' }] });
    assert.deepEqual(
      info.channels?.map(({ name, colour, low, high, max, shown }) => [name, colour, low, high, max, shown]),
      [
        ['DAPI', '#ff0000', shown.channels![0]!.low, shown.channels![0]!.high, 4095, false],
        ['FITC', '#ffffff', 100, 3000, 4095, true],
        ['TRITC', '#0000ff', shown.channels![2]!.low, shown.channels![2]!.high, 4095, true],
      ],
    );
    assert.equal(info.properties['slidescope.channel[0].hidden'], 'true');
    const level = info.levels[1]!;
    const written = omeRgbLevels(options)[1]!;
    const fitc = omeChannel(written, 1, 12);
    const tritc = omeChannel(written, 2, 12);
    const [tLow, tHigh] = [shown.channels![2]!.low, shown.channels![2]!.high];
    const expected = new Uint8Array(level.width * level.height * 3);
    for (let p = 0; p < fitc.length; p++) {
      const grey = Math.min(1, Math.max(0, (fitc[p]! - 100) / 2900)) * 255;
      const blue = Math.min(1, Math.max(0, (tritc[p]! - tLow) / (tHigh - tLow))) * 255;
      expected.set([Math.round(grey), Math.round(grey), Math.min(255, Math.round(grey + blue))], p * 3);
    }
    const whole = await engine.readRegion({ slideId, level: 1, x: 0, y: 0, width: level.width, height: level.height });
    assert.equal(compareRgb(whole, { data: expected, width: level.width, height: level.height, channels: 3 }, 0).maxDiff, 0);
    await engine.close({ slideId });

    const refused = [
      [[{ channel: 'Cy5' }], /no channel named or numbered "Cy5" \(its channels: 1 DAPI, 2 FITC, 3 TRITC\)/],
      [[{ channel: '4' }], /no channel named or numbered "4"/],
      [[{ channel: 3 }], /no channel 4 /],
      [[{ channel: 0 }, { channel: 'dapi' }], /DAPI is chosen twice/],
      [[{ channel: 0, low: 500, high: 500 }], /range 500-500 is not one of 0 to 4095/],
      [[{ channel: 0, high: 5000 }], /range \d+-5000/],
    ] as const;
    for (const [channels, message] of refused) {
      await assert.rejects(
        () => engine.open({ slideId: randomUUID(), path, client: null, channels: [...channels] }),
        (error: unknown) => error instanceof SlideError && error.code === 'INVALID_ARGUMENT' && message.test(error.message) && error.path === path,
        JSON.stringify(channels),
      );
    }
    // An RGB slide has no channels to choose: the choice is passed over (a cohort mixes both).
    const rgb = await engine.open({ slideId: randomUUID(), path: await fixturePath('ome-rgb-lzw'), client: null, channels: [{ channel: 'DAPI' }] });
    assert.equal(rgb.channels, undefined);
  });

  test('a channel named with a comma is chosen by its name; the channels a wrong choice lists quote such names as --channels takes them', async () => {
    const named = await opened((xml) => xml.replace('Name="FITC"', 'Name="CD8, FITC"'));
    try {
      const path = named.info.path;
      const info = await engine.open({ slideId: randomUUID(), path, client: null, channels: [{ channel: 'cd8, fitc' }] });
      assert.deepEqual(
        info.channels?.map((c) => c.shown),
        [false, true, false],
      );
      await assert.rejects(
        () => engine.open({ slideId: randomUUID(), path, client: null, channels: [{ channel: 'CD8' }] }),
        (error: unknown) => error instanceof SlideError && /\(its channels: 1 DAPI, 2 "CD8, FITC", 3 TRITC\)/.test(error.message),
      );
    } finally {
      await named.done();
    }
  });

  test('DimensionOrder XYZCT with no TiffData: channel c is the IFD at c x SizeZ', async () => {
    // Two Z planes a channel, as the order says, over the same three IFDs: channel 1 at IFD 2, channel 2 beyond the file.
    const zct = await opened((xml) =>
      xml
        .replace(/<TiffData[^>]*\/>/g, '')
        .replace('SizeZ="1"', 'SizeZ="2"')
        .replace(/DimensionOrder="[A-Z]+"/, 'DimensionOrder="XYZCT"'),
    );
    try {
      assert.deepEqual(zct.info.warnings, ['Channel 3 (TRITC) is not shown: its plane is at image directory 4, which the file does not have.']);
      assert.deepEqual(zct.colours.slice(0, 2), ['#ff0000', '#00ff00']);
    } finally {
      await zct.done();
    }
  });
});

/** Where tag 330 of the first IFD keeps its SubIFD offsets (classic little-endian TIFF). */
async function subIfdEntry(path: string): Promise<{ entry: number; count: number; values: number; ifd0: number; fileSize: number }> {
  const bytes = await readFile(path);
  assert.equal(bytes.toString('latin1', 0, 2), 'II');
  const ifd0 = bytes.readUInt32LE(4);
  const n = bytes.readUInt16LE(ifd0);
  for (let i = 0; i < n; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (bytes.readUInt16LE(entry) === 330) {
      const count = bytes.readUInt32LE(entry + 4);
      return { entry, count, values: count > 1 ? bytes.readUInt32LE(entry + 8) : entry + 8, ifd0, fileSize: bytes.length };
    }
  }
  throw new Error('no SubIFDs tag');
}

async function patch(path: string, at: number, value: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    await fh.write(b, 0, 4, at);
  } finally {
    await fh.close();
  }
}

describe('hostile OME-TIFF SubIFDs: typed errors naming the file', { timeout: 120_000 }, () => {
  const cases: Array<{ name: string; damage: (path: string) => Promise<void>; code: string; message: RegExp }> = [
    {
      name: 'a SubIFD pointing back at the first IFD (a loop)',
      damage: async (path) => {
        const { values, ifd0 } = await subIfdEntry(path);
        await patch(path, values + 4, ifd0);
      },
      code: 'CORRUPT_DATA',
      message: /loop/,
    },
    {
      name: 'a SubIFD that is its own sibling (listed twice)',
      damage: async (path) => {
        const { values } = await subIfdEntry(path);
        const first = (await readFile(path)).readUInt32LE(values);
        await patch(path, values + 4, first);
      },
      code: 'CORRUPT_DATA',
      message: /loop/,
    },
    {
      name: 'a SubIFD count larger than the file',
      damage: async (path) => {
        const { entry } = await subIfdEntry(path);
        await patch(path, entry + 4, 0x3fffffff);
      },
      code: 'CORRUPT_DATA',
      message: /tag 330/,
    },
    {
      name: 'more SubIFDs than a slide has',
      damage: async (path) => {
        const { entry } = await subIfdEntry(path);
        await patch(path, entry + 4, 1000);
        // Their offsets read from the file's start: within the file, so only their number is wrong.
        await patch(path, entry + 8, 8);
      },
      code: 'CORRUPT_DATA',
      message: /1000 SubIFDs/,
    },
    {
      name: 'a SubIFD offset beyond the end of the file',
      damage: async (path) => {
        const { values, fileSize } = await subIfdEntry(path);
        await patch(path, values, fileSize + 4096);
      },
      code: 'CORRUPT_DATA',
      message: /a SubIFD of image 0 lies beyond its end/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
      try {
        const path = join(dir, 'hostile.ome.tif');
        await copyFile(await fixturePath('ome-rgb-lzw'), path);
        await c.damage(path);
        assert.ok((await stat(path)).size > 0);
        await assertOpenRefused(engine, path, c.code, c.message);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

test('a BinaryOnly OME-TIFF (metadata in a companion file) opens as a plain TIFF pyramid', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
  try {
    const path = join(dir, 'binary-only.ome.tif');
    const binaryOnly = (xml: string) =>
      xml.replace(/<Instrument.*<\/OME>|<Image .*<\/OME>/s, '<BinaryOnly MetadataFile="slide.companion.ome" UUID="urn:uuid:1"/></OME>');
    await writeOmeTiff(path, { ...(FIXTURES['ome-rgb-lzw'].options as OmeTiffOptions), levels: 2, rewriteXml: binaryOnly });
    const { info } = await openSlide(engine, path);
    assert.equal(info.vendor, 'generic-tiff');
    assert.equal(info.levels[0]!.width, 1500);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('hostile OME-XML: typed errors naming the file', { timeout: 120_000 }, () => {
  const base = { ...(FIXTURES['ome-rgb-lzw'].options as OmeTiffOptions), width: 600, height: 400, levels: 2 };
  const cases: Array<{ name: string; rewrite: (xml: string) => string; message: RegExp; code?: string }> = [
    { name: 'truncated OME-XML', rewrite: (xml) => xml.slice(0, Math.floor(xml.length * 0.6)), message: /OME-XML is not valid XML/ },
    { name: 'a DTD with entities', rewrite: (xml) => xml.replace('<OME ', '<!DOCTYPE OME [<!ENTITY a "aaaa">]><OME '), message: /DOCTYPE/ },
    { name: 'absurd SizeX', rewrite: (xml) => xml.replace('SizeX="600"', 'SizeX="99999999999"'), message: /99999999999 x 400/ },
    { name: 'a TiffData IFD the file does not have', rewrite: (xml) => xml.replace('IFD="0"', 'IFD="4000000"'), message: /directory 4000000/ },
    { name: 'an unknown pixel type', rewrite: (xml) => xml.replace('Type="uint8"', 'Type="complex"'), message: /pixel type/ },
    {
      name: 'a multi-file OME-TIFF whose slide plane is in another file',
      rewrite: (xml) =>
        xml.replace(
          /(<TiffData [^>]*IFD="0" PlaneCount="1")\/>/,
          '$1><UUID FileName="other.ome.tif">urn:uuid:99999999-0000-4000-8000-000000000002</UUID></TiffData>',
        ),
      code: 'UNSUPPORTED_FORMAT',
      message: /another file \(other\.ome\.tif\)/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
      try {
        const path = join(dir, 'hostile.ome.tif');
        await writeOmeTiff(path, { ...base, rewriteXml: c.rewrite });
        await assert.rejects(
          () => openSlide(engine, path),
          (error: unknown) => {
            assert.ok(error instanceof SlideError, String(error));
            assert.equal(error.code, c.code ?? 'CORRUPT_DATA');
            assert.match(error.message, c.message);
            assert.equal(error.path, path);
            return true;
          },
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

test('signed 16-bit channels (tifffile, int16) are refused, not shown with their negative samples brightest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
  try {
    const path = join(dir, 'signed.ome.tif');
    const script = `
import sys, numpy, tifffile
planes = numpy.zeros((2, 256, 256), numpy.int16)
planes[0, :, :100] = -500
planes[0, :, 100:] = 1000
tifffile.imwrite(sys.argv[1], planes, photometric='minisblack', tile=(256, 256), metadata={'axes': 'CYX'})
`;
    const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    await assert.rejects(
      () => openSlide(engine, path),
      (error: unknown) => error instanceof SlideError && error.code === 'UNSUPPORTED_FORMAT' && /signed/.test(error.message) && error.path === path,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a 16-bit image of one level too large to read whole at open gets its display ranges from a spread of its blocks, not the type's full range (a view near black)", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-'));
  try {
    const path = join(dir, 'one-level.ome.tif');
    // 6 channels of 1800 x 1800 (19 M samples), no pyramid, as tifffile.imwrite writes a stack; samples 1000 to 4000.
    const script = `
import sys, numpy as np, tifffile
c, y, x = np.mgrid[0:6, 0:1800, 0:1800]
img = (1000 + (x * 7 + y * 13 + c * 500) % 3001).astype('uint16')
tifffile.imwrite(sys.argv[1], img, ome=True, photometric='minisblack', tile=(256, 256), compression='zlib', metadata={'axes': 'CYX'})
`;
    const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { info } = await openSlide(engine, path);
    assert.equal(info.levels.length, 1);
    for (const channel of info.channels ?? []) {
      assert.ok(channel.low >= 1000 && channel.low < 1100 && channel.high > 3900 && channel.high <= 4000, JSON.stringify(channel));
    }
    assert.equal(info.channels?.length, 6);
    assert.match(info.properties['slidescope.note'] ?? '', /percentile of .*blocks spread over the smallest level/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
