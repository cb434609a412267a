// DICOM series the project's writer makes from its Aperio fixtures (testing/writers/dicom.ts): the
// pyramid read against the SVS it was copied from (JPEG frames copied: exact), every file against
// pydicom and GDCM, TILED_SPARSE, concatenations, offset tables, codecs, a folder of two slides,
// and hostile files.

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { RgbImage, SlideInfo } from '../../../../shared/slide';
import { dicomReference } from '../../../../testing/dicom-reference';
import { fixturePath } from '../../../../testing/fixtures';
import { openSlide } from '../../../../testing/open-slide';
import { compareRgb, type PixelDiff } from '../../../../testing/pixel-compare';
import { type DicomSeriesOptions, TEST_ICC_PROFILE, type WrittenDicomFile, writeDicomFolder } from '../../../../testing/writers/dicom';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';
import { openSlideSource } from '..';
import type { DicomSource } from './dicom-source';

const engine = new SlideEngine({ tileEncoding: 'png' });
let scratch = '';
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'slidescope-dicom-'));
});
after(async () => {
  await engine.closeAll();
  await rm(scratch, { recursive: true, force: true });
});

/** Files of a fixture folder, by name. */
async function folderFiles(folder: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(folder)).sort().map((name) => join(folder, name));
}

/** Level-plane regions of a level: its origin, middle, and bottom-right edge. */
function regionsOf(info: SlideInfo, level: number): Array<{ x: number; y: number; width: number; height: number }> {
  const l = info.levels[level]!;
  const at = (x: number, y: number, width: number, height: number) => ({
    x: Math.round(x * l.downsample),
    y: Math.round(y * l.downsample),
    width: Math.min(width, l.width - x),
    height: Math.min(height, l.height - y),
  });
  return [
    at(0, 0, 500, 400),
    at(Math.floor(l.width / 2) - 130, Math.floor(l.height / 2) - 90, 520, 410),
    at(Math.max(0, l.width - 300), Math.max(0, l.height - 200), 300, 200),
  ];
}

/** Every level's regions read from both slides; the worst difference. */
async function compareSlides(a: { slideId: string; info: SlideInfo }, b: { slideId: string; info: SlideInfo }, tolerance: number): Promise<PixelDiff> {
  let worst: PixelDiff = { maxDiff: 0, meanDiff: 0, overTolerance: 0, compared: 0 };
  for (let level = 0; level < a.info.levels.length; level++) {
    for (const region of regionsOf(a.info, level)) {
      const ra = await engine.readRegion({ slideId: a.slideId, level, ...region });
      const rb = await engine.readRegion({ slideId: b.slideId, level, ...region });
      const diff = compareRgb(ra, rb, tolerance);
      if (diff.maxDiff >= worst.maxDiff) worst = diff;
    }
  }
  return worst;
}

async function wholeLevel(slideId: string, info: SlideInfo, level: number): Promise<RgbImage> {
  const l = info.levels[level]!;
  return engine.readRegion({ slideId, level, x: 0, y: 0, width: l.width, height: l.height });
}

describe('a DICOM pyramid copied from an Aperio SVS (JPEG frames, RGB)', () => {
  test('opens from its folder or any of its files as the SVS reads, level by level exactly', async () => {
    const folder = await fixturePath('dicom-jpeg-rgb');
    const svs = await openSlide(engine, await fixturePath('aperio-jpeg-rgb'));
    const dicom = await openSlide(engine, folder);
    assert.equal(dicom.info.vendor, 'dicom');
    assert.deepEqual(
      dicom.info.levels.map((l) => [l.width, l.height, l.tileWidth, l.tileHeight]),
      svs.info.levels.map((l) => [l.width, l.height, l.tileWidth, l.tileHeight]),
    );
    assert.deepEqual(
      dicom.info.levels.map((l) => l.downsample),
      svs.info.levels.map((l) => l.downsample),
    );
    assert.deepEqual(dicom.info.mpp, { x: 0.499, y: 0.499 });
    assert.equal(dicom.info.objectivePower, 20);
    assert.equal(dicom.info.properties['openslide.objective-power'], '20');
    assert.equal(dicom.info.properties['dicom.OpticalPathSequence[0].ObjectiveLensPower'], '20');
    assert.equal(dicom.info.properties['dicom.ContainerIdentifier'], 'SLIDE-1');
    assert.deepEqual([...dicom.info.associated].sort(), ['label', 'macro', 'thumbnail']);
    const diff = await compareSlides(dicom, svs, 2);
    assert.equal(diff.maxDiff, 0, `DICOM vs SVS: ${JSON.stringify(diff)}`);
    // Opened by one of its files (level 1's), the same slide.
    const level1 = (await folderFiles(folder)).find((f) => f.endsWith('level1.dcm'))!;
    const byFile = await openSlide(engine, level1);
    assert.deepEqual(byFile.info.levels, dicom.info.levels);
    assert.deepEqual(byFile.info.associated.sort(), dicom.info.associated.sort());
    for (const s of [svs, dicom, byFile]) await engine.close({ slideId: s.slideId });
  });

  test('its frames are the deep-zoom tiles, sent as the SVS sends its tiles', async () => {
    const svs = await openSlide(engine, await fixturePath('aperio-jpeg-rgb'));
    const dicom = await openSlide(engine, await fixturePath('dicom-jpeg-rgb'));
    assert.deepEqual(engine.describeTiling(dicom.slideId), engine.describeTiling(svs.slideId));
    const z = dicom.info.deepZoom.levels.length - 1;
    for (const [col, row] of [
      [0, 0],
      [7, 5],
      [37, 29],
    ] as const) {
      const a = await engine.getTile({ slideId: dicom.slideId, dzLevel: z, col, row, requestId: 1 });
      const b = await engine.getTile({ slideId: svs.slideId, dzLevel: z, col, row, requestId: 2 });
      assert.equal(a.mime, 'image/jpeg');
      assert.ok(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)), `tile ${col},${row}`);
      assert.deepEqual(a.crop, b.crop);
    }
    for (const s of [svs, dicom]) await engine.close({ slideId: s.slideId });
  });

  test('label exact, overview and thumbnail within their JPEG loss; the ICC profile reachable', async () => {
    const folder = await fixturePath('dicom-jpeg-rgb');
    const svs = await openSlide(engine, await fixturePath('aperio-jpeg-rgb'));
    const dicom = await openSlide(engine, folder);
    const label = compareRgb(
      await engine.readAssociated({ slideId: dicom.slideId, name: 'label' }),
      await engine.readAssociated({ slideId: svs.slideId, name: 'label' }),
      0,
    );
    assert.equal(label.maxDiff, 0);
    // JPEG quality 90, chroma 4:2:0, of the SVS's (measured: macro mean 0.6; thumbnail mean 1.6, 0.7% of samples off by more than 16).
    for (const name of ['macro', 'thumbnail']) {
      const diff = compareRgb(await engine.readAssociated({ slideId: dicom.slideId, name }), await engine.readAssociated({ slideId: svs.slideId, name }), 16);
      assert.ok(diff.meanDiff < 2 && diff.overTolerance < 0.015, `${name}: ${JSON.stringify(diff)}`);
    }
    assert.equal(dicom.info.properties['openslide.icc-size'], String(TEST_ICC_PROFILE.length));
    const source = (await openSlideSource(folder)) as DicomSource;
    assert.deepEqual(await source.iccProfile(), TEST_ICC_PROFILE);
    await source.close();
    for (const s of [svs, dicom]) await engine.close({ slideId: s.slideId });
  });

  test('pydicom parses every file and reads its frames; GDCM decodes them as the engine does', async () => {
    const folder = await fixturePath('dicom-jpeg-rgb');
    const dicom = await openSlide(engine, folder);
    const files = await folderFiles(folder);
    for (const [level, suffix] of [
      [0, 'level0.dcm'],
      [2, 'level2.dcm'],
    ] as const) {
      const ref = dicomReference([files.find((f) => f.endsWith(suffix))!]);
      const mine = await wholeLevel(dicom.slideId, dicom.info, level);
      assert.equal(compareRgb(mine, ref.image, 0).maxDiff, 0, `level ${level}`);
    }
    for (const [name, suffix] of [
      ['label', 'label.dcm'],
      ['macro', 'macro.dcm'],
    ] as const) {
      const ref = dicomReference([files.find((f) => f.endsWith(suffix))!]);
      const diff = compareRgb(await engine.readAssociated({ slideId: dicom.slideId, name }), ref.image, 1);
      assert.equal(diff.overTolerance, 0, `${name}: ${JSON.stringify(diff)}`);
    }
    await engine.close({ slideId: dicom.slideId });
  });
});

describe('TILED_SPARSE and concatenations', () => {
  test('a sparse level 0 in three files (YBR_FULL_422, Extended Offset Tables): absent frames blank, the rest as the SVS', async () => {
    const folder = await fixturePath('dicom-jpeg-sparse');
    const svs = await openSlide(engine, await fixturePath('aperio-jpeg-ycbcr'));
    const dicom = await openSlide(engine, folder);
    const source = await openSlideSource(folder);
    const level = source.levels[0]!;
    let absent = 0;
    for (let row = 0; row < Math.ceil(level.height / level.tileHeight); row++) {
      for (let col = 0; col < Math.ceil(level.width / level.tileWidth); col++) {
        const left = (col + 3 * row) % 5 === 1;
        const tile = await source.readTile(0, col, row);
        assert.equal(tile === null, left, `tile ${col},${row}`);
        if (left) absent++;
      }
    }
    assert.ok(absent > 100);
    await source.close();
    // Absent tiles are transparent in regions (compareRgb skips them); every other pixel as the SVS.
    const diff = await compareSlides(dicom, svs, 2);
    assert.equal(diff.maxDiff, 0, JSON.stringify(diff));
    const region = await engine.readRegion({ slideId: dicom.slideId, level: 0, x: 240, y: 0, width: 240, height: 240 });
    assert.ok(
      region.data.every((v, i) => i % 4 !== 3 || v === 0),
      'tile 1,0 (left out) is transparent',
    );
    // pydicom and GDCM place the three parts' frames where the engine does.
    const parts = (await folderFiles(folder)).filter((f) => /level0-part\d\.dcm$/.test(f));
    assert.equal(parts.length, 3);
    const ref = dicomReference(parts);
    const whole = await wholeLevel(dicom.slideId, dicom.info, 0);
    const placed = compareRgb(whole, ref.image, 1);
    assert.equal(placed.overTolerance, 0, JSON.stringify(placed));
    for (const s of [svs, dicom]) await engine.close({ slideId: s.slideId });
  });
});

describe('a folder of two slides', () => {
  test('is SEVERAL_SLIDES naming both; each opens by its own files, the other series left alone', async () => {
    const folder = await fixturePath('dicom-two-series');
    const error = await openSlideSource(folder).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SlideError);
    assert.equal(error.code, 'SEVERAL_SLIDES');
    assert.deepEqual(
      error.choices?.map((c) => c.name),
      ['first slide (2400 x 1800)', 'second slide (2400 x 1800)'],
    );
    const first = await openSlide(engine, error.choices![0]!.path);
    const second = await openSlide(engine, error.choices![1]!.path);
    assert.equal(first.info.levels.length, 2);
    assert.equal(second.info.levels.length, 1);
    assert.equal(first.info.properties['dicom.SeriesDescription'], 'first slide');
    assert.equal(second.info.properties['dicom.SeriesDescription'], 'second slide');
    const svs = await openSlide(engine, await fixturePath('cohort-svs'));
    assert.equal((await compareSlides(second, svs, 0)).maxDiff, 0, 'the uncompressed slide is the SVS decoded');
    for (const s of [first, second, svs]) await engine.close({ slideId: s.slideId });
  });
});

describe('codecs, offset tables and encodings', () => {
  const variants: Array<{ name: string; options: DicomSeriesOptions; lossy?: number; gdcm?: boolean }> = [
    { name: 'JPEG 2000 lossless, two fragments a frame', options: { seed: 11, codec: 'jpeg2000', twoFragments: true } },
    { name: 'JPEG 2000 lossless, no offset table', options: { seed: 12, codec: 'jpeg2000', offsetTable: 'none' } },
    {
      name: 'JPEG 2000 YBR_ICT, sparse, items of undefined length',
      options: { seed: 13, codec: 'jpeg2000-ict', sparseEvery: 4, undefinedLengthItems: true },
      lossy: 16,
    },
    // Not as the standard has it (YBR_ICT names the codestream's transform): read as Aperio's 33003,
    // matching the SVS; GDCM hands such components out unconverted, so it is no reference here.
    { name: 'JPEG 2000 YBR_ICT without a component transform', options: { seed: 14, codec: 'jpeg2000-ycbcr' }, lossy: 16, gdcm: false },
    { name: 'JPEG-LS lossless, no offset table', options: { seed: 15, codec: 'jpeg-ls', offsetTable: 'none' } },
    { name: 'JPEG-LS grey (MONOCHROME2)', options: { seed: 16, codec: 'jpeg-ls', grey: true } },
    { name: 'uncompressed, implicit VR, grey', options: { seed: 17, codec: 'native', implicitVr: true, grey: true } },
    { name: 'uncompressed, level 0 in two files', options: { seed: 18, codec: 'native', level0Parts: 2 } },
    { name: 'JPEG, two fragments a frame, no offset table', options: { seed: 19, codec: 'jpeg', twoFragments: true, offsetTable: 'none' } },
  ];
  for (const variant of variants) {
    test(variant.name, async () => {
      const svsPath = await fixturePath('cohort-svs');
      const written = await writeDicomFolder(join(scratch, `v${variant.options.seed}`), svsPath, [variant.options]);
      const dicom = await openSlide(engine, written.path);
      const svs = await openSlide(engine, svsPath);
      assert.equal(dicom.info.levels.length, 2);
      for (let level = 0; level < 2; level++) {
        const mine = await wholeLevel(dicom.slideId, dicom.info, level);
        let theirs = await wholeLevel(svs.slideId, svs.info, level);
        if (variant.options.grey) theirs = { ...theirs, data: theirs.data.map((_, i, d) => (i % 4 === 3 ? d[i]! : d[i - (i % 4) + 1]!)) };
        const diff = compareRgb(mine, theirs, variant.lossy ?? 0);
        assert.ok(diff.overTolerance < (variant.lossy ? 0.001 : 1e-9), `level ${level} vs SVS: ${JSON.stringify(diff)}`);
        if (variant.gdcm === false) continue;
        const files = written.files.filter((f: WrittenDicomFile) => f.image === 'level' && f.level === level).map((f) => f.path);
        const ref = dicomReference(files);
        const agreed = compareRgb(mine, ref.image, 1);
        assert.equal(agreed.overTolerance, 0, `level ${level} vs pydicom/GDCM: ${JSON.stringify(agreed)}`);
      }
      if (variant.options.codec === 'jpeg2000') {
        // JPEG 2000 frames decode at half size from their own resolution levels, close to the halved frame.
        const source = await openSlideSource(written.path);
        assert.equal(source.decodesReduced(0), true);
        const half = await source.readTileReduced(0, 2, 1, 1);
        const whole = await source.readTile(0, 2, 1);
        assert.ok(half && whole);
        assert.deepEqual([half.width, half.height], [whole.width / 2, whole.height / 2]);
        const halved = await sharp(whole.data, { raw: { width: whole.width, height: whole.height, channels: 3 } })
          .resize(half.width, half.height, { kernel: 'cubic' })
          .raw()
          .toBuffer();
        const near = compareRgb(half, { data: new Uint8Array(halved), width: half.width, height: half.height, channels: 3 }, 16);
        assert.ok(near.meanDiff < 3, JSON.stringify(near));
        await source.close();
      }
      for (const s of [svs, dicom]) await engine.close({ slideId: s.slideId });
    });
  }
});

describe('hostile DICOM', () => {
  let written: Awaited<ReturnType<typeof writeDicomFolder>>;
  before(async () => {
    written = await writeDicomFolder(join(scratch, 'hostile-source'), await fixturePath('cohort-svs'), [{ seed: 21, codec: 'jpeg', level0Parts: 2 }]);
  });

  /** A copy of the folder with `change` applied to the named file's bytes (null: the file left out). */
  async function variant(name: string, file: string, change: (bytes: Uint8Array) => Uint8Array | null): Promise<string> {
    const folder = join(scratch, name);
    await mkdir(folder, { recursive: true });
    for (const f of written.files) {
      const bytes = new Uint8Array(await readFile(f.path));
      const out = basename(f.path) === file ? change(bytes) : bytes;
      if (out) await writeFile(join(folder, basename(f.path)), out);
    }
    return folder;
  }

  /** The offset of an element's value (explicit VR, short form), found by its tag and VR. */
  function valueAt(bytes: Uint8Array, tag: number, vr: string): number {
    const key = Uint8Array.from([(tag >>> 16) & 0xff, tag >>> 24, tag & 0xff, (tag >>> 8) & 0xff, vr.charCodeAt(0), vr.charCodeAt(1)]);
    for (let i = 132; i < bytes.length - key.length; i++) if (key.every((b, k) => bytes[i + k] === b)) return i + 8;
    throw new Error(`no ${tag.toString(16)} element`);
  }

  async function failure(path: string): Promise<SlideError> {
    const error = await openSlideSource(path).then(
      async (source) => {
        await source.close();
        return assert.fail(`${path} opened`);
      },
      (e: unknown) => e,
    );
    assert.ok(error instanceof SlideError, String(error));
    return error;
  }

  /** A slide that opens, but whose level's frames cannot be found: its offset tables are read on its first tile. */
  async function levelFailure(path: string, level: number): Promise<SlideError> {
    const source = await openSlideSource(path);
    try {
      const error = await source.readTile(level, 0, 0).then(
        () => assert.fail(`a tile of ${path} level ${level} was read`),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SlideError, String(error));
      return error;
    } finally {
      await source.close();
    }
  }

  test('a truncated file: CORRUPT_DATA, and the folder without it opens without that level', async () => {
    const folder = await variant('truncated', 'series21-level1.dcm', (b) => b.subarray(0, Math.floor(b.length / 2)));
    const error = await levelFailure(join(folder, 'series21-level1.dcm'), 1);
    assert.equal(error.code, 'CORRUPT_DATA');
    assert.equal(error.path, join(folder, 'series21-level1.dcm'));
    assert.match(error.message, /past the end|truncated/);
    const cut = await variant('truncated-header', 'series21-level1.dcm', (b) => b.subarray(0, 700));
    assert.equal((await failure(join(cut, 'series21-level1.dcm'))).code, 'CORRUPT_DATA');
  });

  test('absurd rows, columns, frames and matrix sizes are refused before anything is allocated for them', async () => {
    const rows = await variant('rows', 'series21-level1.dcm', (b) => {
      new DataView(b.buffer, b.byteOffset).setUint16(valueAt(b, 0x00280010, 'US'), 0xffff, true);
      new DataView(b.buffer, b.byteOffset).setUint16(valueAt(b, 0x00280011, 'US'), 0xffff, true);
      return b;
    });
    assert.equal((await failure(join(rows, 'series21-level1.dcm'))).code, 'TOO_LARGE');
    const frames = await variant('frames', 'series21-level1.dcm', (b) => {
      const at = valueAt(b, 0x00280008, 'IS');
      const length = new DataView(b.buffer, b.byteOffset).getUint16(at - 2, true);
      b.set(new TextEncoder().encode('9'.repeat(length)), at);
      return b;
    });
    // More frames than the level's tiles, but not more than the file could hold: found on the level's first read.
    const tooMany = await levelFailure(join(frames, 'series21-level1.dcm'), 1);
    assert.equal(tooMany.code, 'CORRUPT_DATA');
    assert.match(tooMany.message, /frames/);
    const matrix = await variant('matrix', 'series21-level1.dcm', (b) => {
      new DataView(b.buffer, b.byteOffset).setUint32(valueAt(b, 0x00480006, 'UL'), 0xfffffff0, true);
      new DataView(b.buffer, b.byteOffset).setUint32(valueAt(b, 0x00480007, 'UL'), 0xfffffff0, true);
      return b;
    });
    assert.equal((await failure(join(matrix, 'series21-level1.dcm'))).code, 'TOO_LARGE');
  });

  test('a TILED_FULL level with fewer frames than its grid (frames declared 1 x 1 pixels) is refused at open, not read tile by tile', async () => {
    const tiny = await variant('tiny-frames', 'series21-level1.dcm', (b) => {
      new DataView(b.buffer, b.byteOffset).setUint16(valueAt(b, 0x00280010, 'US'), 1, true);
      new DataView(b.buffer, b.byteOffset).setUint16(valueAt(b, 0x00280011, 'US'), 1, true);
      return b;
    });
    const error = await failure(join(tiny, 'series21-level1.dcm'));
    assert.equal(error.code, 'CORRUPT_DATA');
    assert.equal(error.path, join(tiny, 'series21-level1.dcm'));
    assert.match(error.message, /needs \d+ frames of 1 x 1 pixels to fill it \(TILED_FULL\), but it has \d+\./);
  });

  test('an offset table pointing past the end of the file', async () => {
    const folder = await variant('offsets', 'series21-level1.dcm', (b) => {
      // The Basic Offset Table is the first item after the pixel data element's 12-byte header.
      const pixelData = valueAt(b, 0x7fe00010, 'OB') + 4;
      const view = new DataView(b.buffer, b.byteOffset);
      const entries = view.getUint32(pixelData + 4, true) / 4;
      view.setUint32(pixelData + 8 + (entries - 1) * 4, 0x7ffffff0, true);
      return b;
    });
    const error = await levelFailure(join(folder, 'series21-level1.dcm'), 1);
    assert.equal(error.code, 'CORRUPT_DATA');
    assert.match(error.message, /Basic Offset Table points past the end/);
  });

  test('a folder missing a level file, or a part of one', async () => {
    const noLevel1 = await variant('no-level1', 'series21-level1.dcm', () => null);
    const source = await openSlideSource(noLevel1);
    assert.equal(source.levels.length, 1);
    await source.close();
    const noPart = await variant('no-part', 'series21-level0-part2.dcm', () => null);
    const error = await failure(noPart);
    assert.equal(error.code, 'CORRUPT_DATA');
    assert.match(error.message, /split over 2 files .* part 2 of them is not in the folder/);
  });

  test('a DICOM file that is no whole-slide image, and a folder with no slide', async () => {
    const other = await variant('not-wsi', 'series21-level1.dcm', (b) => {
      const at = valueAt(b, 0x00020002, 'UI');
      b[at + 29] = '7'.charCodeAt(0); // 1.2.840.10008.5.1.4.1.1.77.1.6 -> ...1.7
      return b;
    });
    assert.equal((await failure(join(other, 'series21-level1.dcm'))).code, 'NOT_A_SLIDE');
    const empty = join(scratch, 'empty');
    await mkdir(empty, { recursive: true });
    await copyFile(join(other, 'series21-level1.dcm'), join(empty, 'x.dcm'));
    assert.equal((await failure(empty)).code, 'NOT_A_SLIDE');
  });
});
