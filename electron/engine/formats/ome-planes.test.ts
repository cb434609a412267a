// The focal planes (Z) and timepoints (T) of fluorescence OME-TIFFs, as tifffile and the test writer
// write them: each channel of each plane read exactly, at every level, through the open request and
// set-channels; display ranges kept across planes; planes the image lacks or keeps in another file refused.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { PlaneChoice } from '../../../shared/slide';
import { FIXTURES, fixturePath } from '../../../testing/fixtures';
import { compareRgb } from '../../../testing/pixel-compare';
import { type OmeTiffOptions, omeChannel, omeRgbLevels, omeRgbPlane, writeOmeTiff } from '../../../testing/writers/ome-tiff';
import { SlideEngine } from '../engine';
import { SlideError } from '../errors';
import { TiffFile } from '../tiff/tiff-file';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

const PYTHON = '/usr/bin/python3';

/**
 * A stack as tifffile writes it (OME, tiled, one IFD a plane), each plane one value: plane id + base
 * where id = c + C * (z + Z * t), so no two planes share one; with `subifds` reduced levels as each plane's SubIFDs.
 * Its channels are named for their dyes: three 8-bit channels that say nothing are a brightfield
 * image's colours (ome-colour-planes.test.ts).
 */
const TIFFFILE_STACK = `
import sys, numpy as np, tifffile
path, axes, dtype, levels = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sizes = {'T': 2, 'Z': 3, 'C': 3}
shape = [sizes[a] for a in axes[:-2]]
h, w = 300, 260
C, Z = sizes['C'], sizes['Z'] if 'Z' in axes else 1
data = np.zeros(shape + [h, w], dtype)
for index in np.ndindex(*shape):
    at = dict(zip(axes[:-2], index))
    ident = at['C'] + C * (at.get('Z', 0) + Z * at.get('T', 0))
    data[index] = (100 + ident) if dtype == 'uint8' else (1000 + 3001 * ident)
with tifffile.TiffWriter(path) as tif:
    tif.write(data, tile=(128, 128), photometric='minisblack', subifds=levels - 1, metadata={'axes': axes, 'Channel': {'Name': ['DAPI', 'FITC', 'TRITC']}})
    for k in range(1, levels):
        tif.write(data[..., ::2 ** k, ::2 ** k], tile=(128, 128), photometric='minisblack', subfiletype=1)
`;

interface Stack {
  axes: string;
  dtype: 'uint8' | 'uint16';
  levels: number;
}

const STACKS: Stack[] = [
  { axes: 'ZCYX', dtype: 'uint16', levels: 2 },
  { axes: 'ZCYX', dtype: 'uint8', levels: 1 },
  { axes: 'TCYX', dtype: 'uint8', levels: 2 },
  { axes: 'TCYX', dtype: 'uint16', levels: 1 },
  { axes: 'TZCYX', dtype: 'uint16', levels: 2 },
  { axes: 'TZCYX', dtype: 'uint8', levels: 1 },
];

function planeValue(stack: Stack, c: number, z: number, t: number): number {
  const id = c + 3 * (z + (stack.axes.includes('Z') ? 3 : 1) * t);
  return stack.dtype === 'uint8' ? 100 + id : 1000 + 3001 * id;
}

/** Every pixel of the region, as one grey value (the red samples; failing if they differ). */
function greyOf(image: { data: Uint8Array; channels: number }): number | string {
  const values = new Set<string>();
  for (let p = 0; p < image.data.length; p += image.channels) values.add(`${image.data[p]},${image.data[p + 1]},${image.data[p + 2]}`);
  if (values.size !== 1) return `${values.size} values: ${[...values].slice(0, 4).join(' ')}`;
  const [r, g, b] = [...values][0]!.split(',').map(Number);
  return r === g && g === b ? r! : `${r},${g},${b}`;
}

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-planes-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function written(stack: Stack): Promise<string> {
  const path = join(dir, `${stack.axes}-${stack.dtype}-${stack.levels}.ome.tif`);
  const run = spawnSync(PYTHON, ['-c', TIFFFILE_STACK, path, stack.axes, stack.dtype, String(stack.levels)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return path;
}

describe('z-stacks and time series as tifffile writes them', { timeout: 300_000 }, () => {
  for (const stack of STACKS) {
    test(`${stack.axes}, ${stack.dtype}, ${stack.levels === 1 ? 'one level' : 'a SubIFD pyramid'}: each channel of each plane read exactly at every level`, async () => {
      const path = await written(stack);
      const slideId = randomUUID();
      const info = await engine.open({ slideId, path, client: null });
      const sizeZ = stack.axes.includes('Z') ? 3 : 1;
      const sizeT = stack.axes.includes('T') ? 2 : 1;
      assert.deepEqual(info.plane, { z: 0, t: 0, sizeZ, sizeT });
      assert.equal(info.channels?.length, 3);
      assert.equal(info.levels.length, stack.levels);
      try {
        for (let t = 0; t < sizeT; t++) {
          for (let z = 0; z < sizeZ; z++) {
            for (let c = 0; c < 3; c++) {
              // Channel c alone in white: 8-bit over 0-255, its value as grey; 16-bit 100 below to 155 above the plane's value, grey 100.
              const value = planeValue(stack, c, z, t);
              const [low, grey] = stack.dtype === 'uint8' ? [0, value] : [value - 100, 100];
              const shown = await engine.chooseChannels({ slideId, channels: [{ channel: c, colour: '#ffffff', low, high: low + 255 }], plane: { z, t } });
              assert.deepEqual(shown.plane, { z, t, sizeZ, sizeT });
              for (const [k, level] of shown.levels.entries()) {
                const region = await engine.readRegion({ slideId, level: k, x: 0, y: 0, width: level.width, height: level.height });
                assert.equal(greyOf(region), grey, `channel ${c} at z=${z} t=${t}, level ${k}`);
              }
            }
          }
        }
      } finally {
        await engine.close({ slideId });
      }
    });
  }

  test('the open request shows the plane asked; a plane the image lacks is refused naming its planes, at open and after', async () => {
    const stack = STACKS[4]!;
    const path = await written(stack);
    const slideId = randomUUID();
    const value = planeValue(stack, 1, 2, 1);
    const info = await engine.open({
      slideId,
      path,
      client: null,
      channels: [{ channel: 1, colour: '#ffffff', low: value - 100, high: value + 155 }],
      plane: { z: 2, t: 1 },
    });
    try {
      assert.deepEqual(info.plane, { z: 2, t: 1, sizeZ: 3, sizeT: 2 });
      assert.equal(info.properties['slidescope.plane'], 'Z 3 of 3, T 2 of 2');
      assert.equal(greyOf(await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 })), 100);
      for (const plane of [
        { z: 3, t: 0 },
        { z: 0, t: 2 },
      ] satisfies PlaneChoice[]) {
        await assert.rejects(
          engine.chooseChannels({ slideId, channels: null, plane }),
          (error: unknown) =>
            error instanceof SlideError &&
            error.code === 'INVALID_ARGUMENT' &&
            error.path === path &&
            /no plane at Z-slice \d, timepoint \d: its Z-slices are 1 to 3, its timepoints 1 to 2/.test(error.message),
        );
        await assert.rejects(
          engine.open({ slideId: randomUUID(), path, client: null, plane }),
          (error: unknown) => error instanceof SlideError && error.code === 'INVALID_ARGUMENT',
        );
      }
      // The refusal left the plane shown as it was.
      assert.equal(greyOf(await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 })), 100);
    } finally {
      await engine.close({ slideId });
    }
  });

  test('an axis the slide has one plane on is passed by at open, as channels are by a slide without them; asked after, refused', async () => {
    const path = join(dir, 'rgb.ome.tif');
    await writeOmeTiff(path, { kind: 'rgb', width: 300, height: 200, levels: 1, compression: 'lzw' });
    const plain = randomUUID();
    const asked = randomUUID();
    await engine.open({ slideId: plain, path, client: null });
    const info = await engine.open({ slideId: asked, path, client: null, channels: [{ channel: 'DAPI' }], plane: { z: 2, t: 1 } });
    const stack = await written(STACKS[0]!);
    const zOnly = randomUUID();
    try {
      assert.equal(info.plane, undefined);
      assert.equal(info.channels, undefined);
      const region = { level: 0, x: 0, y: 0, width: 300, height: 200 };
      assert.deepEqual(await engine.readRegion({ slideId: asked, ...region }), await engine.readRegion({ slideId: plain, ...region }));
      await assert.rejects(
        engine.chooseChannels({ slideId: asked, channels: null, plane: { z: 1, t: 0 } }),
        (error: unknown) =>
          error instanceof SlideError && error.code === 'INVALID_ARGUMENT' && error.path === path && /no channels or planes/.test(error.message),
      );
      // A z-stack (ZCYX) asked for a timepoint: the Z-slice shown, the T passed by; after, the timepoint is refused.
      const opened = await engine.open({ slideId: zOnly, path: stack, client: null, plane: { z: 2, t: 1 } });
      assert.deepEqual(opened.plane, { z: 2, t: 0, sizeZ: 3, sizeT: 1 });
      await assert.rejects(
        engine.chooseChannels({ slideId: zOnly, channels: null, plane: { z: 2, t: 1 } }),
        (error: unknown) =>
          error instanceof SlideError && /no plane at Z-slice 3, timepoint 2: its Z-slices are 1 to 3, its timepoints 1 to 1/.test(error.message),
      );
    } finally {
      for (const slideId of [plain, asked, zOnly]) await engine.close({ slideId });
    }
  });
});

/**
 * A brightfield stack as tifffile writes it (OME, tiled RGB, samples interleaved, one IFD a plane),
 * each plane random pixels; with `subifds` reduced levels as each plane's SubIFDs. tifffile's reading
 * of each level (every plane, in its axes' order) is left beside it as <path>.level<k>.raw.
 */
const TIFFFILE_RGB_STACK = `
import sys, numpy as np, tifffile
path, axes, compression, levels = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
shape = [{'T': 2, 'Z': 3}[a] for a in axes[:-3]]
data = np.random.default_rng(7).integers(0, 256, size=shape + [300, 260, 3], dtype=np.uint8)
options = dict(tile=(128, 128), photometric='rgb', compression=None if compression == 'none' else compression)
with tifffile.TiffWriter(path) as tif:
    tif.write(data, subifds=levels - 1, metadata={'axes': axes}, **options)
    for k in range(1, levels):
        tif.write(data[..., ::2 ** k, ::2 ** k, :], subfiletype=1, **options)
with tifffile.TiffFile(path) as tif:
    for k, level in enumerate(tif.series[0].levels):
        level.asarray().tofile(f'{path}.level{k}.raw')
`;

interface RgbStack {
  axes: 'ZYXS' | 'TYXS' | 'TZYXS';
  compression: 'none' | 'zlib';
  levels: number;
}

const RGB_STACKS: RgbStack[] = [
  { axes: 'ZYXS', compression: 'zlib', levels: 2 },
  { axes: 'ZYXS', compression: 'none', levels: 1 },
  { axes: 'TYXS', compression: 'none', levels: 2 },
  { axes: 'TZYXS', compression: 'zlib', levels: 2 },
  { axes: 'TZYXS', compression: 'none', levels: 1 },
];

describe('brightfield z-stacks and time series as tifffile writes them', { timeout: 300_000 }, () => {
  for (const stack of RGB_STACKS) {
    test(`${stack.axes}, ${stack.compression}, ${stack.levels === 1 ? 'one level' : 'a SubIFD pyramid'}: each plane read as tifffile reads it, at every level, at open and after`, async () => {
      const path = join(dir, `${stack.axes}-${stack.compression}-${stack.levels}.ome.tif`);
      const run = spawnSync(PYTHON, ['-c', TIFFFILE_RGB_STACK, path, stack.axes, stack.compression, String(stack.levels)], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const sizeZ = stack.axes.includes('Z') ? 3 : 1;
      const sizeT = stack.axes.includes('T') ? 2 : 1;
      const slideId = randomUUID();
      const atOpen = randomUUID();
      const info = await engine.open({ slideId, path, client: null });
      try {
        assert.equal(info.channels, undefined, 'brightfield: no channels');
        assert.deepEqual(info.plane, { z: 0, t: 0, sizeZ, sizeT });
        assert.equal(info.levels.length, stack.levels);
        for (const [k, level] of info.levels.entries()) {
          const read = new Uint8Array(await readFile(`${path}.level${k}.raw`));
          const planeBytes = level.width * level.height * 3;
          for (let t = 0; t < sizeT; t++) {
            for (let z = 0; z < sizeZ; z++) {
              const shown = await engine.chooseChannels({ slideId, channels: null, plane: { z, t } });
              assert.deepEqual(shown.plane, { z, t, sizeZ, sizeT });
              const region = await engine.readRegion({ slideId, level: k, x: 0, y: 0, width: level.width, height: level.height });
              const at = (t * sizeZ + z) * planeBytes;
              assert.equal(rgbDifference(region, read.subarray(at, at + planeBytes)), 0, `z=${z} t=${t}, level ${k}`);
            }
          }
        }
        // The last plane asked at open, as the CLI's --plane asks it.
        const [z, t] = [sizeZ - 1, sizeT - 1];
        const opened = await engine.open({ slideId: atOpen, path, client: null, plane: { z, t } });
        assert.equal(opened.properties['slidescope.plane'], `Z ${sizeZ} of ${sizeZ}, T ${sizeT} of ${sizeT}`);
        const read = new Uint8Array(await readFile(`${path}.level0.raw`));
        const region = await engine.readRegion({ slideId: atOpen, level: 0, x: 0, y: 0, width: 260, height: 300 });
        const at = (t * sizeZ + z) * 260 * 300 * 3;
        assert.equal(rgbDifference(region, read.subarray(at, at + 260 * 300 * 3)), 0);
      } finally {
        await engine.close({ slideId });
        await engine.close({ slideId: atOpen }).catch(() => undefined);
      }
    });
  }
});

/** The pixels of an engine region (RGBA) that differ from tifffile's RGB. */
function rgbDifference(region: { data: Uint8Array; channels: number }, rgb: Uint8Array): number {
  let differ = 0;
  for (let p = 0; p * 3 < rgb.length; p++) {
    for (let c = 0; c < 3; c++) {
      if (region.data[p * region.channels + c] !== rgb[p * 3 + c]) {
        differ++;
        break;
      }
    }
  }
  return differ;
}

describe('the z-stack fixture', { timeout: 120_000 }, () => {
  test("display ranges stay as set across planes; the defaults are plane (0, 0)'s", async () => {
    const path = await fixturePath('ome-fluorescence-zstack');
    const options = FIXTURES['ome-fluorescence-zstack'].options as OmeTiffOptions;
    const slideId = randomUUID();
    const info = await engine.open({ slideId, path, client: null });
    try {
      assert.deepEqual(info.plane, { z: 0, t: 0, sizeZ: 4, sizeT: 1 });
      const deeper = await engine.chooseChannels({ slideId, channels: null, plane: { z: 3, t: 0 } });
      assert.deepEqual(deeper.channels, info.channels, "plane (0, 0)'s default ranges");
      const set = [{ channel: 0, low: 10, high: 2000 }, { channel: 2 }];
      const first = await engine.chooseChannels({ slideId, channels: set, plane: { z: 0, t: 0 } });
      const last = await engine.chooseChannels({ slideId, channels: set, plane: { z: 3, t: 0 } });
      assert.deepEqual(last.channels, first.channels);
      assert.equal(last.channels?.[0]?.low, 10);
      // Plane 3's samples are a quarter of plane 0's: channel 0 alone, its range 0-4095 in white.
      const level = info.levels.at(-1)!;
      const k = info.levels.length - 1;
      const written = omeRgbLevels(options)[k]!;
      for (const z of [0, 3]) {
        await engine.chooseChannels({ slideId, channels: [{ channel: 0, colour: '#ffffff', low: 0, high: 4095 }], plane: { z, t: 0 } });
        const region = await engine.readRegion({ slideId, level: k, x: 0, y: 0, width: level.width, height: level.height });
        const samples = omeChannel(written, 0, 12, z, 4);
        let worst = 0;
        for (let p = 0; p < samples.length; p++)
          worst = Math.max(worst, Math.abs(region.data[p * region.channels]! - Math.min(255, Math.round((samples[p]! * 255) / 4095))));
        assert.ok(worst <= 1, `z=${z}: off by ${worst}`);
      }
    } finally {
      await engine.close({ slideId });
    }
  });

  test('the brightfield z-stack fixture: each plane exactly as written, its macro and label kept', async () => {
    const path = await fixturePath('ome-rgb-zstack');
    const options = FIXTURES['ome-rgb-zstack'].options as OmeTiffOptions;
    const slideId = randomUUID();
    const info = await engine.open({ slideId, path, client: null });
    try {
      assert.deepEqual(info.plane, { z: 0, t: 0, sizeZ: 3, sizeT: 1 });
      assert.deepEqual(info.associated, ['macro', 'label']);
      const k = info.levels.length - 1;
      const level = info.levels[k]!;
      const written = omeRgbLevels(options)[k]!;
      for (const z of [2, 0, 1]) {
        await engine.chooseChannels({ slideId, channels: null, plane: { z, t: 0 } });
        const region = await engine.readRegion({ slideId, level: k, x: 0, y: 0, width: level.width, height: level.height });
        assert.equal(rgbDifference(region, omeRgbPlane(written, z, 3).data), 0, `z=${z}`);
      }
    } finally {
      await engine.close({ slideId });
    }
  });

  test("a brightfield plane the OME-XML leaves out, or puts past the file's image directories, is refused saying which and why", async () => {
    const path = join(dir, 'rgb-hostile.ome.tif');
    const options = { ...(FIXTURES['ome-rgb-zstack'].options as OmeTiffOptions), width: 300, height: 200, levels: 1 };
    await writeOmeTiff(path, {
      ...options,
      rewriteXml: (xml) =>
        xml
          .replace('<TiffData FirstC="0" FirstT="0" FirstZ="1" IFD="1" PlaneCount="1"/>', '')
          .replace(
            '<TiffData FirstC="0" FirstT="0" FirstZ="2" IFD="2" PlaneCount="1"/>',
            '<TiffData FirstC="0" FirstT="0" FirstZ="2" IFD="50" PlaneCount="1"/>',
          ),
    });
    const slideId = randomUUID();
    await engine.open({ slideId, path, client: null });
    const refused = (z: number, message: RegExp) =>
      assert.rejects(
        engine.chooseChannels({ slideId, channels: null, plane: { z, t: 0 } }),
        (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA' && error.path === path && message.test(error.message),
      );
    try {
      await refused(1, /^The OME-XML does not say where the plane at Z-slice 2, timepoint 1 is\.$/);
      await refused(2, /^The OME-XML puts the plane at Z-slice 3, timepoint 1 at image directory 50, which the file does not have\.$/);
    } finally {
      await engine.close({ slideId });
    }
  });

  test('an OME-XML whose planes, in order without TiffData, need more image directories than the file has: its first plane shown, with a warning', async () => {
    const path = join(dir, 'rgb-sizes.ome.tif');
    const options = { ...(FIXTURES['ome-rgb-zstack'].options as OmeTiffOptions), width: 300, height: 200, levels: 1 };
    await writeOmeTiff(path, {
      ...options,
      rewriteXml: (xml) => xml.replace(/<TiffData [^>]*\/>/g, '').replace(/SizeZ="3"/, 'SizeZ="2147483647"'),
    });
    const slideId = randomUUID();
    const info = await engine.open({ slideId, path, client: null });
    try {
      assert.equal(info.plane, undefined);
      assert.ok(
        info.warnings.some((w) =>
          /2147483647 Z-slices and 1 timepoint, more planes than the file.s 5 image directories hold: only the first plane is shown/.test(w),
        ),
        info.warnings.join(' | '),
      );
    } finally {
      await engine.close({ slideId });
    }
  });

  test('a plane the OME-XML puts in another file is refused naming that file', async () => {
    const path = join(dir, 'elsewhere.ome.tif');
    const options = { ...(FIXTURES['ome-fluorescence-zstack'].options as OmeTiffOptions), width: 300, height: 200, levels: 1 };
    await writeOmeTiff(path, {
      ...options,
      rewriteXml: (xml) =>
        xml.replace(
          '<TiffData FirstC="1" FirstT="0" FirstZ="2" IFD="7" PlaneCount="1"/>',
          '<TiffData FirstC="1" FirstT="0" FirstZ="2" IFD="0" PlaneCount="1"><UUID FileName="z2.ome.tif">urn:uuid:other</UUID></TiffData>',
        ),
    });
    const slideId = randomUUID();
    await engine.open({ slideId, path, client: null });
    try {
      await engine.chooseChannels({ slideId, channels: null, plane: { z: 1, t: 0 } });
      await assert.rejects(
        engine.chooseChannels({ slideId, channels: null, plane: { z: 2, t: 0 } }),
        (error: unknown) =>
          error instanceof SlideError &&
          error.code === 'UNSUPPORTED_FORMAT' &&
          error.path === path &&
          /Channel 2 \(FITC\)'s plane at Z-slice 3, timepoint 1 .*another file \(z2\.ome\.tif\)/.test(error.message),
      );
    } finally {
      await engine.close({ slideId });
    }
  });
});

describe('brightfield JPEG z-stacks', { timeout: 300_000 }, () => {
  for (const jpegPhotometric of ['ycbcr', 'rgb'] as const) {
    test(`JPEG tiles, ${jpegPhotometric === 'rgb' ? 'RGB' : 'YCbCr'} photometric: each plane's tiles served as it stores them, decoding to that plane`, async () => {
      const options: OmeTiffOptions = {
        kind: 'rgb',
        width: 600,
        height: 400,
        levels: 2,
        compression: 'jpeg',
        jpegPhotometric,
        zSlices: 3,
        associated: false,
        seed: 8,
      };
      const path = join(dir, `jpeg-${jpegPhotometric}.ome.tif`);
      await writeOmeTiff(path, options);
      const written = omeRgbLevels(options)[0]!;
      const slideId = randomUUID();
      const info = await engine.open({ slideId, path, client: null });
      const tiff = await TiffFile.open(path);
      try {
        assert.deepEqual(info.plane, { z: 0, t: 0, sizeZ: 3, sizeT: 1 });
        const dzLevel = info.deepZoom.levels.length - 1;
        for (const z of [2, 0, 1]) {
          const shown = await engine.chooseChannels({ slideId, channels: null, plane: { z, t: 0 } });
          assert.equal(shown.properties['slidescope.plane'], `Z ${z + 1} of 3, T 1 of 1`);
          assert.ok(engine.describeTiling(slideId).includes('stored L0'), engine.describeTiling(slideId).join(', '));
          // Plane z is IFD z (XYCZT): where the engine says its tile (1, 0) lies, and what it serves, is that IFD's.
          const stored = (await tiff.readBlock(tiff.directories[z]!, 1, 0))!;
          const { offsets } = await tiff.blockTable(tiff.directories[z]!);
          assert.equal((await engine.storedTiles({ slideId, dzLevel }))?.offsets[1], offsets[1], `z=${z}: the plane's tile offsets`);
          const tile = await engine.getTile({ slideId, dzLevel, col: 1, row: 0, requestId: 0 });
          assert.equal(tile.mime, 'image/jpeg', 'served as stored, not encoded again');
          // Its scan as stored (past the tile's SOI and SOF, before EOI) is in the JPEG served.
          const scan = Buffer.from(stored.subarray(stored.length - 1000, stored.length - 2));
          assert.ok(Buffer.from(tile.bytes).includes(scan), `z=${z}: the stored tile's own data`);
          // sharp decodes it as the engine's regions decode the tile, and it is plane z's pixels, not another's.
          const served = await sharp(tile.bytes).raw().toBuffer({ resolveWithObject: true });
          const image = { data: new Uint8Array(served.data), width: served.info.width, height: served.info.height, channels: served.info.channels };
          const region = await engine.readRegion({ slideId, level: 0, x: 256, y: 0, width: 256, height: 256 });
          assert.ok(compareRgb(region, image, 2).maxDiff <= 2, `z=${z}: decoded as sharp decodes it`);
          const means = [0, 1, 2].map((p) => compareRgb(image, cropRgb(omeRgbPlane(written, p, 3).data, written.width, 256, 0, 256, 256), 0).meanDiff);
          assert.equal(means.indexOf(Math.min(...means)), z, `z=${z}: mean differences from the planes written ${means.join(', ')}`);
          assert.ok(means[z]! < 3, `z=${z}: ${means[z]} from its plane as written`);
        }
      } finally {
        await tiff.close();
        await engine.close({ slideId });
      }
    });
  }
});

/** A rectangle of an RGB image. */
function cropRgb(data: Uint8Array, width: number, x: number, y: number, w: number, h: number) {
  const out = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) out.set(data.subarray(((y + r) * width + x) * 3, ((y + r) * width + x + w) * 3), r * w * 3);
  return { data: out, width: w, height: h, channels: 3 };
}
