// The real DICOM whole-slide images in ../shared/slides (Google's wsi-to-dicom-converter test files:
// one 957 x 715 level in 12 frames, as JPEG baseline YBR_FULL_422, JPEG 2000 lossless and raw RGB)
// against each other and against pydicom and GDCM's decoding of them.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { RgbImage } from '../../../../shared/slide';
import { dicomReference } from '../../../../testing/dicom-reference';
import { openSlide } from '../../../../testing/open-slide';
import { SHARED_SLIDES, sharedSlide } from '../../../../testing/paths';
import { compareRgb, decodeTile } from '../../../../testing/pixel-compare';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';
import { openSlideSource } from '..';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

const FILES = { jpeg: 'wsi2dcm_jpeg.dcm', jpeg2000: 'wsi2dcm_jpeg2000.dcm', raw: 'wsi2dcm_raw.dcm' } as const;

/** Level 0 whole, as the engine reads it. */
async function wholeLevel(name: string): Promise<RgbImage> {
  const { slideId, info } = await openSlide(engine, sharedSlide(name));
  const region = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: info.width, height: info.height });
  await engine.close({ slideId });
  return region;
}

describe('the real wsi2dcm DICOM files', () => {
  test('open as one 957 x 715 level of 256-px frames, with their MPP and dicom.* properties', async () => {
    for (const name of Object.values(FILES)) {
      const { slideId, info } = await openSlide(engine, sharedSlide(name));
      assert.equal(info.format, 'dicom');
      assert.equal(info.vendor, 'dicom');
      assert.deepEqual(
        info.levels.map((l) => [l.width, l.height, l.tileWidth, l.tileHeight]),
        [[957, 715, 256, 256]],
      );
      // Pixel Spacing 0.016783 mm, as OpenSlide multiplies it.
      assert.deepEqual(info.mpp, { x: 0.016783 * 1000, y: 0.016783 * 1000 });
      assert.equal(info.properties['openslide.mpp-x'], '16.782999999999998');
      assert.equal(info.properties['openslide.vendor'], 'dicom');
      assert.equal(info.properties['dicom.DimensionOrganizationType'], 'TILED_FULL');
      assert.equal(info.properties['dicom.ImageType[2]'], 'VOLUME');
      assert.equal(info.properties['dicom.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing[1]'], '0.016783');
      assert.equal(info.properties['dicom.ImagedVolumeWidth'], '16.061538696289062');
      assert.equal(info.objectivePower, null);
      assert.deepEqual(info.associated, []);
      await engine.close({ slideId });
    }
  });

  test('the lossless and raw files agree exactly; the JPEG one within its loss', async () => {
    const raw = await wholeLevel(FILES.raw);
    const j2k = await wholeLevel(FILES.jpeg2000);
    const jpeg = await wholeLevel(FILES.jpeg);
    assert.equal(compareRgb(j2k, raw, 0).maxDiff, 0, 'JPEG 2000 lossless = raw');
    const loss = compareRgb(jpeg, raw, 16);
    // Quality 80, YBR_FULL_422 (measured: mean 2.26, max 59 at the edges, 0.39% of samples off by more than 16).
    assert.ok(loss.meanDiff < 2.5, `JPEG mean loss ${loss.meanDiff}`);
    assert.ok(loss.overTolerance < 0.005, `JPEG samples off by more than 16: ${loss.overTolerance}`);
  });

  test('each agrees with pydicom and GDCM decoding it (JPEG within ±1 at 10 of 2 million samples: GDCM leaves YCbCr, pydicom converts it in floating point)', async () => {
    for (const [kind, name] of Object.entries(FILES)) {
      const mine = await wholeLevel(name);
      const ref = dicomReference([sharedSlide(name)]);
      assert.equal(ref.files[0]!.placed, 12);
      const diff = compareRgb(mine, ref.image, kind === 'jpeg' ? 1 : 0);
      assert.equal(diff.overTolerance, 0, `${name}: max ${diff.maxDiff}, mean ${diff.meanDiff}`);
    }
  });

  test('a JPEG frame is a deep-zoom tile, sent undecoded with its colour space said', async () => {
    const { slideId, info } = await openSlide(engine, sharedSlide(FILES.jpeg));
    const z = info.deepZoom.levels.length - 1;
    assert.equal(info.deepZoom.tileSize, 256);
    const tile = await engine.getTile({ slideId, dzLevel: z, col: 1, row: 1, requestId: 1 });
    assert.equal(tile.mime, 'image/jpeg');
    const decoded = await decodeTile(tile);
    const region = await engine.readRegion({ slideId, level: 0, x: 256, y: 256, width: 256, height: 256 });
    assert.equal(compareRgb(decoded, region, 0).maxDiff, 0);
    // The edge tile is cropped by the viewer.
    const edge = await engine.getTile({ slideId, dzLevel: z, col: 3, row: 2, requestId: 2 });
    assert.deepEqual(edge.crop, { width: 957 - 768, height: 715 - 512 });
    await engine.close({ slideId });
  });

  test('the folder holding all three is three slides: SEVERAL_SLIDES names each by a file that opens it', async () => {
    const error = await openSlideSource(SHARED_SLIDES).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SlideError);
    assert.equal(error.code, 'SEVERAL_SLIDES');
    assert.deepEqual(
      error.choices?.map((c) => c.path),
      Object.values(FILES)
        .map((f) => sharedSlide(f))
        .sort(),
    );
    assert.match(error.choices![0]!.name, /^test\d+ \(957 x 715\)$/);
  });
});
