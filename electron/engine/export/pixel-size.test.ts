// Exports say their pixels' physical size in the file, where ImageJ/Fiji and QuPath read it: TIFF
// resolution (pixels per cm), PNG pHYs (per metre), JFIF density (per cm). Read back by tifffile and
// Pillow, not by the code that wrote them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { openSlide } from '../../../testing/open-slide';
import { sharedSlide } from '../../../testing/paths';
import { SlideEngine } from '../engine';

const hasPython = spawnSync('/usr/bin/python3', ['-c', 'import tifffile, PIL'], { stdio: 'ignore' }).status === 0;

/** µm per pixel along x and y as the file says, or null where it says none. */
const READ_PIXEL_SIZE = `
import json, sys
from PIL import Image
path = sys.argv[1]
if path.endswith('.tif'):
    import tifffile
    page = tifffile.TiffFile(path).pages[0]
    unit = page.tags['ResolutionUnit'].value
    res = (page.tags['XResolution'].value, page.tags['YResolution'].value)
    # 72 pixels an inch: the convention for "no physical size" (ImageJ leaves such a TIFF uncalibrated).
    size = None if unit == 2 and all(r[0] == 72 * r[1] for r in res) else [{3: 1e4, 2: 25.4e3}[unit] * r[1] / r[0] for r in res]
elif path.endswith('.png'):
    data = open(path, 'rb').read()
    at = data.find(b'pHYs')
    x, y, unit = int.from_bytes(data[at+4:at+8], 'big'), int.from_bytes(data[at+8:at+12], 'big'), data[at+12]
    size = [1e6 / x, 1e6 / y] if unit == 1 else None
else:
    info = Image.open(path).info
    size = [1e4 / d for d in info['jfif_density']] if info.get('jfif_unit') == 2 else None
print(json.dumps(size))
`;

function pixelSizeIn(path: string): [number, number] | null {
  const run = spawnSync('/usr/bin/python3', ['-c', READ_PIXEL_SIZE, path], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as [number, number] | null;
}

function assertNear(actual: [number, number] | null, expected: [number, number], what: string): void {
  assert.ok(actual, `${what}: no pixel size`);
  for (const i of [0, 1]) assert.ok(Math.abs(actual[i]! / expected[i]! - 1) < 2e-4, `${what}: ${actual} µm, not ${expected}`);
}

describe('exports carry their pixel size', { skip: !hasPython && 'needs /usr/bin/python3 with tifffile and Pillow' }, () => {
  const engine = new SlideEngine();
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'slidescope-pixel-size-'));
  });
  after(async () => {
    await engine.closeAll();
    await rm(out, { recursive: true, force: true });
  });

  test('a thumbnail, a region at a power and at a level, and each magnification of a set, in PNG, TIFF and JPEG', async () => {
    // CMU-1-Small-Region: 2220 x 2967 at 0.499 µm, 20x.
    const { slideId, info } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const mpp = info.mpp!;
    for (const format of ['png', 'tiff', 'jpeg'] as const) {
      const ext = format === 'tiff' ? 'tif' : format === 'jpeg' ? 'jpg' : 'png';
      const thumbnail = join(out, `thumbnail.${ext}`);
      await engine.writeThumbnail({ slideId, spec: { kind: 'size', longestSide: 500 }, path: thumbnail, format, overwrite: true });
      // The sides scale apart by their rounding: each has its own size.
      const { width, height } = await sharp(thumbnail).metadata();
      assertNear(pixelSizeIn(thumbnail), [(mpp.x * info.width) / width!, (mpp.y * info.height) / height!], `${format} thumbnail`);

      const region = join(out, `region.${ext}`);
      await engine.writeRegion({
        slideId,
        x: 100,
        y: 100,
        width: 300,
        height: 200,
        at: { kind: 'power', objectivePower: 5 },
        path: region,
        format,
        overwrite: true,
      });
      assertNear(pixelSizeIn(region), [mpp.x * 4, mpp.y * 4], `${format} region at 5x`);

      const level = join(out, `level.${ext}`);
      await engine.writeRegion({ slideId, x: 0, y: 0, width: 64, height: 64, at: { kind: 'level', level: 0 }, path: level, format, overwrite: true });
      assertNear(pixelSizeIn(level), [mpp.x, mpp.y], `${format} region at level 0`);

      const set = await engine.writeComparison({ slideId, powers: [2.5, 10], mode: { kind: 'slide' }, folder: out, format, overwrite: true });
      const [at2, at10, composite] = set.files;
      const half = await sharp(at10!).metadata();
      assertNear(pixelSizeIn(at10!), [(mpp.x * info.width) / half.width!, (mpp.y * info.height) / half.height!], `${format} 10x of a set`);
      assert.ok(pixelSizeIn(at2!), `${format} 2.5x of a set`);
      // Panels of several magnifications have no one pixel size.
      assert.equal(pixelSizeIn(composite!), null, `${format} composite`);
    }
  });
});
