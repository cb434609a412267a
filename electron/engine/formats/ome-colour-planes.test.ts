// Brightfield OME-TIFFs whose red, green and blue are stored apart: an 8-bit grey IFD per channel
// (SizeC=3, SamplesPerPixel=1: bfconvert -separate, raw2ometiff, tifffile's CYX) shown as one colour
// slide unless the OME-XML says fluorescence; and PlanarConfiguration 2 (one IFD, a plane per
// sample) read exactly, or refused naming the file where its codec cannot be read so.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { type OmeTiffOptions, omeRgbLevels, omeRgbPlane, writeOmeTiff } from '../../../testing/writers/ome-tiff';
import { SlideEngine } from '../engine';
import { SlideError } from '../errors';
import { TiffFile } from '../tiff/tiff-file';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-colour-planes-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const BASE: OmeTiffOptions = { kind: 'rgb', width: 300, height: 200, levels: 2, tileSize: 128, associated: false, seed: 5 };

/** OME's Color of red, green and blue (signed RGBA), and white (bfconvert's on every channel). */
const [RED, GREEN, BLUE, WHITE] = ['-16776961', '16711935', '65535', '-1'];

/** The pixels of an engine region (RGBA or RGB) that differ from an RGB image's. */
function differing(region: { data: Uint8Array; channels: number }, rgb: Uint8Array): number {
  let differ = 0;
  for (let p = 0; p * 3 < rgb.length; p++) {
    if ([0, 1, 2].some((c) => region.data[p * region.channels + c] !== rgb[p * 3 + c])) differ++;
  }
  return differ;
}

async function written(name: string, options: Partial<OmeTiffOptions>): Promise<string> {
  const path = join(dir, `${name}.ome.tif`);
  await writeOmeTiff(path, { ...BASE, ...options });
  return path;
}

/** Each level of each plane read as written (lossless codecs), through the plane sliders' requests. */
async function assertPlanesExact(slideId: string, options: Partial<OmeTiffOptions>): Promise<void> {
  const written = omeRgbLevels({ ...BASE, ...options });
  const zSlices = options.zSlices ?? 1;
  for (let z = 0; z < zSlices; z++) {
    if (zSlices > 1) await engine.chooseChannels({ slideId, channels: null, plane: { z, t: 0 } });
    for (const [k, level] of written.entries()) {
      const region = await engine.readRegion({ slideId, level: k, x: 0, y: 0, width: level.width, height: level.height });
      assert.equal(differing(region, omeRgbPlane(level, z, zSlices).data), 0, `z=${z}, level ${k}`);
    }
  }
}

describe('three 8-bit channels of a plane each: one colour slide', { timeout: 300_000 }, () => {
  const cases: Array<{ name: string; options: Partial<OmeTiffOptions> }> = [
    { name: 'no colours or names (bfconvert -separate), uncompressed', options: { compression: 'none' } },
    {
      name: 'Color red, green, blue; LZW with differencing',
      options: { compression: 'lzw', channelAttributes: [`Color="${RED}"`, `Color="${GREEN}"`, `Color="${BLUE}"`] },
    },
    {
      name: 'named R, G, B, white on every channel; Deflate, a z-stack',
      options: {
        compression: 'deflate',
        zSlices: 2,
        channelAttributes: [`Name="R" Color="${WHITE}"`, `Name="G" Color="${WHITE}"`, `Name="B" Color="${WHITE}"`],
      },
    },
    {
      name: 'named Red, Green, Blue; brightfield contrast',
      options: { compression: 'lzw', channelAttributes: ['Name="Red" ContrastMethod="Brightfield"', 'Name="green"', 'Name="BLUE"'] },
    },
  ];
  for (const { name, options } of cases) {
    test(`${name}: no channels, every level of every plane exactly as written`, async () => {
      const path = await written(name.replace(/\W+/g, '-'), { rgbLayout: 'channel-planes', ...options });
      const slideId = randomUUID();
      const info = await engine.open({ slideId, path, client: null });
      try {
        assert.equal(info.channels, undefined, 'a colour slide: no channel panel');
        assert.equal(info.plane?.sizeZ, options.zSlices, 'the Z slider of a stack');
        assert.match(info.properties['slidescope.note'] ?? '', /shown as the red, green and blue of a brightfield slide/);
        await assertPlanesExact(slideId, options);
      } finally {
        await engine.close({ slideId });
      }
    });
  }

  test("tifffile's ZCYX of three unnamed 8-bit channels: a colour z-stack, each plane as tifffile reads it", async () => {
    const path = join(dir, 'tifffile-zcyx.ome.tif');
    const script = `
import sys, numpy as np, tifffile
data = np.random.default_rng(9).integers(0, 256, size=(2, 3, 150, 130), dtype=np.uint8)
tifffile.imwrite(sys.argv[1], data, tile=(64, 64), photometric='minisblack', metadata={'axes': 'ZCYX'})
np.moveaxis(data, 1, -1).tofile(sys.argv[1] + '.raw')
`;
    const run = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const planes = new Uint8Array(await readFile(`${path}.raw`));
    const slideId = randomUUID();
    const info = await engine.open({ slideId, path, client: null });
    try {
      assert.equal(info.channels, undefined);
      assert.deepEqual(info.plane, { z: 0, t: 0, sizeZ: 2, sizeT: 1 });
      const bytes = 130 * 150 * 3;
      for (const z of [1, 0]) {
        await engine.chooseChannels({ slideId, channels: null, plane: { z, t: 0 } });
        const region = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 130, height: 150 });
        assert.equal(differing(region, planes.subarray(z * bytes, (z + 1) * bytes)), 0, `z=${z}`);
      }
    } finally {
      await engine.close({ slideId });
    }
  });

  test('tifffile reads the fixtures as the writer wrote them (channels CYX; PlanarConfiguration 2)', async () => {
    for (const layout of ['channel-planes', 'planar'] as const) {
      const path = await written(`tifffile-${layout}`, { rgbLayout: layout, compression: 'deflate' });
      const run = spawnSync('/usr/bin/python3', ['-c', 'import sys, tifffile; tifffile.imread(sys.argv[1]).tofile(sys.argv[1] + ".raw")', path], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const read = new Uint8Array(await readFile(`${path}.raw`));
      const level = omeRgbLevels(BASE)[0]!;
      const pixels = level.width * level.height;
      for (let p = 0; p < pixels; p++) for (let c = 0; c < 3; c++) assert.equal(read[c * pixels + p], level.data[p * 3 + c], `${layout}: pixel ${p}`);
    }
  });

  test('JPEG planes: each tile the three stored grey JPEGs as sharp decodes them, none served as stored', async () => {
    const path = await written('jpeg-planes', { rgbLayout: 'channel-planes', compression: 'jpeg' });
    const slideId = randomUUID();
    const info = await engine.open({ slideId, path, client: null });
    const tiff = await TiffFile.open(path);
    try {
      assert.equal(info.channels, undefined);
      assert.deepEqual(
        engine.describeTiling(slideId).filter((plan) => plan.startsWith('stored')),
        [],
      );
      // Channel c's plane is IFD c (XYCZT): its tile (1, 1) decoded by sharp is that colour of the region.
      const tile = 128;
      const region = await engine.readRegion({ slideId, level: 0, x: tile, y: tile, width: tile, height: 72 });
      for (let c = 0; c < 3; c++) {
        const stored = await tiff.readBlock(tiff.directories[c]!, 1, 1);
        // One component in its frame (SOF0: the count after precision, height and width).
        const sof = Buffer.from(stored!).indexOf(Buffer.from([0xff, 0xc0]));
        assert.equal(stored![sof + 9], 1, 'a grey JPEG');
        const { data: grey, info: decoded } = await sharp(stored!).raw().toBuffer({ resolveWithObject: true });
        for (let y = 0; y < 72; y++) {
          for (let x = 0; x < tile; x++)
            assert.equal(region.data[(y * tile + x) * region.channels + c], grey[(y * tile + x) * decoded.channels], `colour ${c} at ${x},${y}`);
        }
      }
    } finally {
      await tiff.close();
      await engine.close({ slideId });
    }
  });
});

describe('three 8-bit channels the OME-XML says are fluorescence, or not red, green and blue: composited as channels', { timeout: 300_000 }, () => {
  const cases: Array<{ name: string; attributes: [string, string, string] }> = [
    { name: 'dyes named', attributes: ['Name="DAPI"', 'Name="FITC"', 'Name="TRITC"'] },
    { name: 'a Fluor', attributes: ['Fluor="Hoechst"', '', ''] },
    { name: 'an emission wavelength', attributes: ['', 'EmissionWavelength="520"', ''] },
    { name: 'epifluorescence', attributes: ['IlluminationType="Epifluorescence"', '', ''] },
    { name: 'colours other than red, green, blue', attributes: [`Color="${BLUE}"`, `Color="${GREEN}"`, `Color="${RED}"`] },
  ];
  for (const { name, attributes } of cases) {
    test(name, async () => {
      const path = await written(`fluorescence-${name.replace(/\W+/g, '-')}`, {
        rgbLayout: 'channel-planes',
        compression: 'none',
        channelAttributes: attributes,
      });
      await opensAsChannels(path);
    });
  }
});

test('a plane the OME-XML gives to both green and blue: composited as channels, not shown as a colour photograph with blue as green', async () => {
  const path = await written('green-is-blue', {
    rgbLayout: 'channel-planes',
    compression: 'none',
    rewriteXml: (xml) => xml.replace('FirstC="2" FirstT="0" FirstZ="0" IFD="2"', 'FirstC="2" FirstT="0" FirstZ="0" IFD="1"'),
  });
  await opensAsChannels(path);
});

/** The file opens as three channels composited, not as a colour slide. */
async function opensAsChannels(path: string): Promise<void> {
  const slideId = randomUUID();
  const info = await engine.open({ slideId, path, client: null });
  try {
    assert.equal(info.channels?.length, 3);
  } finally {
    await engine.close({ slideId });
  }
}

describe('RGB in separate planes of one IFD (PlanarConfiguration 2)', { timeout: 300_000 }, () => {
  for (const compression of ['none', 'lzw', 'deflate'] as const) {
    test(`${compression}, a z-stack: every level of every plane exactly as written`, async () => {
      const options = { rgbLayout: 'planar', compression, zSlices: 2 } as const;
      const path = await written(`planar-${compression}`, options);
      const slideId = randomUUID();
      const info = await engine.open({ slideId, path, client: null });
      try {
        assert.equal(info.channels, undefined);
        await assertPlanesExact(slideId, options);
      } finally {
        await engine.close({ slideId });
      }
    });
  }

  test('JPEG is refused at open, naming the file and why, not shown with wrong pixels', async () => {
    const path = await written('planar-jpeg', { rgbLayout: 'planar', compression: 'jpeg' });
    await assert.rejects(
      engine.open({ slideId: randomUUID(), path, client: null }),
      (error: unknown) =>
        error instanceof SlideError &&
        error.code === 'UNSUPPORTED_FORMAT' &&
        error.path === path &&
        /Separate colour planes \(PlanarConfiguration 2\) with JPEG tiles are not supported/.test(error.message),
    );
  });
});
