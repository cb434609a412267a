// A slide whose file is damaged but partly readable opens with what can be read, and says so:
// SlideInfo.warnings names the damage and what may be missing (a copy cut short, a looping IFD
// chain, an associated image left out). A whole slide has none.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { sharedSlide } from '../../testing/paths';
import { withDirectoriesFirst } from '../../testing/writers/ifds-first';
import { SlideEngine } from './engine';
import { SlideError } from './errors';

const engine = new SlideEngine();
const dir = mkdtempSync(join(tmpdir(), 'slidescope-warnings-'));
after(async () => {
  await engine.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

async function infoOf(path: string) {
  const { slideId, info } = await openSlide(engine, path);
  await engine.close({ slideId });
  return info;
}

/** A copy of `source` cut after its first `bytes` bytes, in the test's folder. */
function cutCopy(source: string, bytes: number, name = `${bytes}-${source.split('/').pop()}`): string {
  const path = join(dir, name);
  writeFileSync(path, readFileSync(source).subarray(0, bytes));
  return path;
}

/** A little-endian classic TIFF's IFD offsets, and where each stores its next-IFD pointer. */
function ifdChain(bytes: Buffer): Array<{ offset: number; pointerAt: number }> {
  assert.equal(bytes.toString('latin1', 0, 2), 'II');
  const chain: Array<{ offset: number; pointerAt: number }> = [];
  for (let offset = bytes.readUInt32LE(4); offset !== 0; ) {
    const pointerAt = offset + 2 + 12 * bytes.readUInt16LE(offset);
    chain.push({ offset, pointerAt });
    offset = bytes.readUInt32LE(pointerAt);
  }
  return chain;
}

describe('CMU-1-Small-Region.svs cut short, as a network copy that stopped', () => {
  test('the whole file has no warning', async () => {
    const info = await infoOf(sharedSlide('CMU-1-Small-Region.svs'));
    assert.deepEqual(info.warnings, []);
    assert.deepEqual(info.associated, ['thumbnail', 'label', 'macro']);
  });

  test('at 1,900,000 bytes: opens without its macro, and says the file is truncated and what is missing', async () => {
    const info = await infoOf(cutCopy(sharedSlide('CMU-1-Small-Region.svs'), 1_900_000));
    assert.deepEqual(info.associated, ['thumbnail', 'label']);
    assert.deepEqual(info.warnings, [
      'The file is truncated: image directory 3 lies beyond its end (the file is 1,900,000 bytes); the images it and any after it held (a level, the label or the macro) are missing.',
    ]);
  });

  test('at 1,500,000 bytes: without its label and macro, the same warning for directory 2', async () => {
    const info = await infoOf(cutCopy(sharedSlide('CMU-1-Small-Region.svs'), 1_500_000));
    assert.deepEqual(info.associated, ['thumbnail']);
    assert.equal(info.warnings.length, 1);
    assert.match(info.warnings[0]!, /^The file is truncated: image directory 2 lies beyond its end \(the file is 1,500,000 bytes\)/);
  });
});

describe('a generated Aperio slide, damaged', () => {
  test('cut inside its last IFD: the macro is missing, and the warning says where the file ends', async () => {
    const source = await fixturePath('cohort-svs');
    const whole = await infoOf(source);
    assert.deepEqual(whole.warnings, []);
    assert.ok(whole.associated.includes('macro'));
    const chain = ifdChain(readFileSync(source));
    const last = chain.at(-1)!;
    // Its entry count is there, its entries are not.
    const path = cutCopy(source, last.offset + 20, 'cut-inside-ifd.svs');
    const info = await infoOf(path);
    assert.deepEqual(info.levels, whole.levels);
    assert.deepEqual(
      info.associated,
      whole.associated.filter((name) => name !== 'macro'),
    );
    assert.deepEqual(info.warnings, [
      `The file is truncated or damaged inside image directory ${chain.length - 1} (the file is ${(last.offset + 20).toLocaleString('en-US')} bytes); the images it and any after it held (a level, the label or the macro) are missing.`,
    ]);
  });

  test('its last IFD pointing back at an earlier one: every image is there, and the loop is told', async () => {
    const source = await fixturePath('cohort-svs');
    const bytes = Buffer.from(readFileSync(source));
    const chain = ifdChain(bytes);
    bytes.writeUInt32LE(chain[1]!.offset, chain.at(-1)!.pointerAt);
    const path = join(dir, 'loop.svs');
    writeFileSync(path, bytes);
    const info = await infoOf(path);
    assert.deepEqual(info.associated, ['thumbnail', 'label', 'macro']);
    assert.deepEqual(info.warnings, [
      `Image directory ${chain.length - 1} points back at image directory 1, already read (a loop): the file is damaged; any images after it (a level, the label or the macro) may be missing.`,
    ]);
  });

  test("libtiff's IFD that loops to itself: the loop is told", async () => {
    const info = await infoOf(sharedSlide('libtiff_test_ifd_loop_to_self.tif'));
    assert.equal(info.warnings.length, 1);
    assert.match(info.warnings[0]!, /^Image directory 0 points back at itself \(a loop\): the file is damaged/);
  });
});

describe('a file cut inside its image data, its directories whole (written ahead of their tiles)', () => {
  /** A copy of the fixture with its directories first, cut `fraction` of the way through. */
  async function cutInsideData(name: 'cohort-tif' | 'cohort-svs', fraction: number): Promise<{ path: string; size: number; whole: string }> {
    const bytes = withDirectoriesFirst(readFileSync(await fixturePath(name)));
    const whole = join(dir, `first-${name}.tif`);
    writeFileSync(whole, bytes);
    const size = Math.floor(bytes.length * fraction);
    return { path: cutCopy(whole, size, `first-${name}-${fraction}.tif`), size, whole };
  }

  test('generic TIFF: opens with every level, a warning naming the levels cut and how many tiles; tiles before the cut read, those past it fail as before', async () => {
    const { path, size, whole } = await cutInsideData('cohort-tif', 0.8);
    const entire = await infoOf(whole);
    assert.deepEqual(entire.warnings, []);
    const { slideId, info } = await openSlide(engine, path);
    try {
      assert.deepEqual(info.levels, entire.levels);
      assert.deepEqual(info.warnings, [
        `The file is truncated inside its image data (it is ${size.toLocaleString('en-US')} bytes): 6 of level 0's 30 tiles, 6 of level 1's 9 tiles, 4 of level 2's 4 tiles, 1 of level 3's 1 tile lie past its end and cannot be shown.`,
      ]);
      const first = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 256, height: 256 });
      assert.equal(first.width, 256);
      // Level 0's last tile: its bytes are past the cut.
      const { width, height } = info.levels[0]!;
      await assert.rejects(
        () => engine.readRegion({ slideId, level: 0, x: width - 16, y: height - 16, width: 16, height: 16 }),
        (error: unknown) =>
          error instanceof SlideError && error.code === 'CORRUPT_DATA' && /lies beyond the end of the file .*: the file is truncated\.$/.test(error.message),
      );
    } finally {
      await engine.close({ slideId });
    }
  });

  test('Aperio cut inside its associated images only: the levels whole, the images cut left out and said', async () => {
    const { path, size } = await cutInsideData('cohort-svs', 0.8);
    const info = await infoOf(path);
    const bytes = size.toLocaleString('en-US');
    assert.deepEqual(info.associated, []);
    assert.deepEqual(info.warnings, [
      `The thumbnail image: 17 of its 48 strips lie past the end of the file (${bytes} bytes): the file is truncated; it is left out.`,
      `The label image: 67 of its 67 strips lie past the end of the file (${bytes} bytes): the file is truncated; it is left out.`,
      `The macro image: 27 of its 27 strips lie past the end of the file (${bytes} bytes): the file is truncated; it is left out.`,
    ]);
  });
});

describe('a DICOM series with a damaged file', () => {
  test('a label file cut inside its header: left out, and named in a warning', async () => {
    const folder = join(dir, 'dicom');
    cpSync(await fixturePath('dicom-jpeg-rgb'), folder, { recursive: true });
    const files = readdirSync(folder).sort();
    const whole = await infoOf(folder);
    assert.deepEqual(whole.warnings, []);
    assert.ok(whole.associated.includes('label'));
    // The label's file: the one whose header names LABEL in its ImageType.
    const label = files.find((name) => readFileSync(join(folder, name)).includes('LABEL'))!;
    const size = readFileSync(join(folder, label)).indexOf('LABEL') + 64;
    truncateSync(join(folder, label), size);
    const info = await infoOf(folder);
    assert.deepEqual(
      info.associated,
      whole.associated.filter((name) => name !== 'label'),
    );
    assert.equal(info.warnings.length, 1);
    // Cut before its Series Instance UID: the file may be another slide's, and the warning says so.
    assert.equal(
      info.warnings[0],
      `DICOM file "${label}" in the slide's folder cannot be read (The file is truncated inside its DICOM header (it is ${size.toLocaleString('en-US')} bytes)); if it is one of this slide's, the level, label or macro it holds may be missing.`,
    );
  });

  test('a folder whose only DICOM file is cut inside its file meta group (its SOP class unread): CORRUPT_DATA naming it too', async () => {
    const folder = join(dir, 'dicom-cut-meta');
    mkdirSync(folder);
    writeFileSync(join(folder, 'only.dcm'), readFileSync(sharedSlide('wsi2dcm_jpeg.dcm')).subarray(0, 200));
    await assert.rejects(
      () => openSlide(engine, folder),
      (error: unknown) =>
        error instanceof SlideError &&
        error.code === 'CORRUPT_DATA' &&
        error.message === `The folder's whole-slide DICOM files cannot be read: "only.dcm" (The file is truncated inside its DICOM header (it is 200 bytes)).`,
    );
  });

  test('a folder whose only whole-slide file is cut inside its header: CORRUPT_DATA naming it, not "holds no slide"', async () => {
    const folder = join(dir, 'dicom-cut');
    mkdirSync(folder);
    writeFileSync(join(folder, 'only.dcm'), readFileSync(sharedSlide('wsi2dcm_jpeg.dcm')).subarray(0, 1000));
    await assert.rejects(
      () => openSlide(engine, folder),
      (error: unknown) => {
        assert.ok(error instanceof SlideError, String(error));
        assert.equal(error.code, 'CORRUPT_DATA', error.message);
        assert.equal(
          error.message,
          `The folder's whole-slide DICOM files cannot be read: "only.dcm" (The file is truncated inside its DICOM header (it is 1,000 bytes)).`,
        );
        return true;
      },
    );
  });
});
