// 3DHistech MIRAX against OpenSlide 3.4.1: generated slides whose camera photos overlap and sit off
// the grid (positions recorded plain or compressed, or the nominal grid), cut into 1, 4 or 16
// images per photo, JPEG, PNG and BMP; a plain grid served as stored; Slidedat.ini read as GLib
// reads it; missing companion files named; hostile Index.dat and Slidedat.ini refused, typed.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { SlideInfo } from '../../../../shared/slide';
import { FIXTURES, type FixtureName, fixturePath } from '../../../../testing/fixtures';
import { assertOpenRefused, openSlide } from '../../../../testing/open-slide';
import { type ReferenceInfo, runOpenSlide } from '../../../../testing/openslide-reference';
import { perLevel, stitchedAgainstOpenSlide } from '../../../../testing/stitched-against-openslide';
import { type IndexLayout, type MiraxOptions, writeMirax } from '../../../../testing/writers/mirax';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';
import { dataFolderOf } from './mirax-files';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

function photoSize(name: FixtureName): number {
  const o = FIXTURES[name].options as MiraxOptions;
  return o.imageWidth * o.divisions - o.overlapX;
}

describe('MIRAX against OpenSlide 3.4.1', { timeout: 600_000 }, () => {
  const cases: Array<{ name: FixtureName; check?: (info: SlideInfo, slideId: string) => void }> = [
    {
      name: 'mirax-positions',
      check: (info) => {
        assert.equal(info.objectivePower, 20);
        assert.deepEqual(info.mpp, { x: 0.25, y: 0.25 });
        assert.deepEqual([...info.associated].sort(), ['label', 'macro', 'thumbnail']);
        assert.equal(info.properties['mirax.GENERAL.CameraImageDivisionsPerSide'], '2');
      },
    },
    { name: 'mirax-stitching-png' },
    { name: 'mirax-bmp-nominal' },
    {
      name: 'mirax-plain',
      check: (info, slideId) => {
        assert.equal(info.properties['openslide.level[0].tile-width'], '256');
        assert.ok(
          engine.describeTiling(slideId).every((plan, z, all) => z < all.length - 4 || plan.startsWith('stored') || plan.startsWith('resample')),
          engine.describeTiling(slideId).join(', '),
        );
        assert.ok(engine.describeTiling(slideId).some((plan) => plan.startsWith('stored')));
      },
    },
  ];
  for (const c of cases) {
    test(`${c.name}: sizes, properties, associated images, every level and deep-zoom tiles within ±2`, async () => {
      const { info, slideId, figures } = await stitchedAgainstOpenSlide(engine, await fixturePath(c.name), 'mirax', photoSize(c.name));
      console.log(`${c.name}: ${perLevel(figures)}`);
      for (const f of figures) assert.ok(f.diff.maxDiff <= 2 && f.soft.maxDiff <= 3, `${f.label}: ${JSON.stringify(f)}`);
      c.check?.(info, slideId);
    });
  }

  test('a stored JPEG tile of a plain grid goes to the viewer as the data file holds it', async () => {
    const path = await fixturePath('mirax-plain');
    const { slideId, info } = await openSlide(engine, path);
    const top = info.deepZoom.levels.length - 1;
    const tile = await engine.getTile({ slideId, dzLevel: top, col: 1, row: 1, requestId: 0 });
    assert.equal(tile.mime, 'image/jpeg');
    const data = await readFile(join(dataFolderOf(path), 'Data0000.dat'));
    assert.ok(data.includes(Buffer.from(tile.bytes)), 'the tile is a JPEG of the data file, byte for byte');
  });
});

/** A slide written to a temporary folder with some options changed, opened, and the temporary folder removed. */
async function withSlide(options: Partial<MiraxOptions>, use: (path: string) => Promise<void>, base: FixtureName = 'mirax-positions'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-mirax-'));
  try {
    const path = join(dir, 'slide.mrxs');
    await writeMirax(path, { ...(FIXTURES[base].options as MiraxOptions), photosX: 3, photosY: 2, levels: 3, ...options });
    await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a MIRAX slide missing one of its files: NOT_FOUND naming it', { timeout: 120_000 }, () => {
  const cases: Array<{ name: string; remove: (folder: string) => Promise<void>; message: RegExp }> = [
    { name: 'no folder', remove: (folder) => rm(folder, { recursive: true }), message: /folder slide is missing/ },
    { name: 'no Slidedat.ini', remove: (folder) => unlink(join(folder, 'Slidedat.ini')), message: /Slidedat\.ini is missing/ },
    { name: 'no Index.dat', remove: (folder) => unlink(join(folder, 'Index.dat')), message: /index file "Index\.dat" is missing/ },
    { name: 'no second data file', remove: (folder) => unlink(join(folder, 'Data0001.dat')), message: /data file "Data0001\.dat" is missing/ },
  ];
  for (const c of cases) {
    test(c.name, () =>
      withSlide({}, async (path) => {
        await c.remove(dataFolderOf(path));
        assert.match(JSON.stringify(runOpenSlide([{ kind: 'info', path }])[0]), /error/, 'OpenSlide does not open it either');
        await assertOpenRefused(engine, path, 'NOT_FOUND', c.message);
      }),
    );
  }
});

test('an empty .mrxs (a key file neither OpenSlide nor Slidescope reads) opens its slide, not "the file is empty"', () =>
  withSlide({}, async (path) => {
    await writeFile(path, '');
    assert.doesNotMatch(JSON.stringify(runOpenSlide([{ kind: 'info', path }])[0]), /"error"/, 'OpenSlide opens it');
    const { info } = await openSlide(engine, path);
    assert.equal(info.format, 'mirax');
  }));

describe("Slidedat.ini read as GLib's key files are: the same slides open, with the same properties", { timeout: 300_000 }, () => {
  const cases: Record<string, (ini: string) => string> = {
    'comments and blank lines': (s) => s.replace('[DATAFILE]', '# a comment\r\n\r\n   # indented\r\n[DATAFILE]'),
    'spaces around keys and values, trailing spaces kept': (s) =>
      s.replace('FILE_COUNT = 2', '   FILE_COUNT   =    2   ').replace('PROJECT_NAME = Slidescope', 'PROJECT_NAME = a b  '),
    'an integer followed by a space and more': (s) => s.replace('FILE_COUNT = 2', 'FILE_COUNT = 2 files'),
    'a signed integer': (s) => s.replace('FILE_COUNT = 2', 'FILE_COUNT = +2'),
    'a later key replaces an earlier one': (s) => s.replace('PROJECT_NAME = Slidescope', 'PROJECT_NAME = first\r\nPROJECT_NAME = second'),
    'a repeated group continues the first': (s) => `${s}\r\n[GENERAL]\r\nEXTRA = 1\r\n`,
    'escapes kept as written': (s) => s.replace('PROJECT_NAME = Slidescope', 'PROJECT_NAME = a\\tb\\\\c\\sd'),
    'translations dropped': (s) => s.replace('PROJECT_NAME = Slidescope', 'PROJECT_NAME = Slidescope\r\nPROJECT_NAME[ko] = 슬라이드'),
    'a group header followed by spaces': (s) => s.replace('[DATAFILE]', '[DATAFILE]  \t'),
    'Korean values': (s) => s.replace('PROJECT_NAME = Slidescope', 'PROJECT_NAME = 병리 슬라이드'),
    'a line that is no key, group or comment': (s) => s.replace('[DATAFILE]', '[DATAFILE]\r\nthis line is bad'),
    'a ";" comment (not GLib\'s)': (s) => s.replace('[DATAFILE]', '; note\r\n[DATAFILE]'),
    'a key before any group': (s) => `FOO = 1\r\n${s}`,
    'a hexadecimal integer': (s) => s.replace('FILE_COUNT = 2', 'FILE_COUNT = 0x2'),
    'a decimal comma': (s) => s.replace('OVERLAP_X = 30', 'OVERLAP_X = 30,5'),
    'a double with trailing spaces': (s) => s.replace('OVERLAP_X = 30', 'OVERLAP_X = 30 '),
    'no OBJECTIVE_MAGNIFICATION': (s) => s.replace(/OBJECTIVE_MAGNIFICATION = 20\r\n/, ''),
    'a fractional OBJECTIVE_MAGNIFICATION': (s) => s.replace('OBJECTIVE_MAGNIFICATION = 20', 'OBJECTIVE_MAGNIFICATION = 20.5'),
    'no SLIDE_VERSION': (s) => s.replace(/SLIDE_VERSION = 01.03\r\n/, ''),
    'keys are case-sensitive': (s) => s.replace('IMAGENUMBER_X', 'imagenumber_x'),
    'the zoom levels not the first hierarchical layer': (s) =>
      s.replace('HIER_0_NAME = Slide zoom level', 'HIER_0_NAME = X').replace('HIER_1_NAME = Slide filter level', 'HIER_1_NAME = Slide zoom level'),
    'a fill colour given as -1': (s) => s.replace(/IMAGE_FILL_COLOR_BGR = \d+/g, 'IMAGE_FILL_COLOR_BGR = -1'),
    'a blue fill colour': (s) => s.replace(/IMAGE_FILL_COLOR_BGR = \d+/g, 'IMAGE_FILL_COLOR_BGR = 16711680'),
  };
  for (const [name, rewrite] of Object.entries(cases)) {
    test(name, () =>
      withSlide({ rewriteSlidedat: rewrite }, async (path) => {
        const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo | { error: string };
        if ('error' in ref) {
          await assertOpenRefused(engine, path, 'CORRUPT_DATA', /Slidedat\.ini/);
          return;
        }
        const { info } = await openSlide(engine, path);
        const keys = new Set([...Object.keys(info.properties), ...Object.keys(ref.properties)]);
        keys.delete('openslide.quickhash-1');
        for (const key of keys) assert.equal(info.properties[key], ref.properties[key], `property ${key}`);
      }),
    );
  }

  test('a Slidedat.ini without its BOM, and one over 1 MB (OpenSlide refuses it)', () =>
    withSlide({}, async (path) => {
      const ini = join(dataFolderOf(path), 'Slidedat.ini');
      await writeFile(ini, (await readFile(ini)).subarray(3));
      await openSlide(engine, path);
      await writeFile(ini, Buffer.concat([await readFile(ini), Buffer.alloc(1 << 20, 0x23)]));
      await assertOpenRefused(engine, path, 'CORRUPT_DATA', /Slidedat\.ini of \d+ bytes/);
    }));
});

const setInt32 = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setInt32(at, value, true);
  return bytes;
};

describe('hostile MIRAX files: typed errors naming the slide, nothing unbounded', { timeout: 300_000 }, () => {
  const indexCases: Array<{ name: string; rewrite: (index: Uint8Array, layout: IndexLayout) => Uint8Array; code: string; message: RegExp }> = [
    { name: 'Index.dat cut after its header', rewrite: (b) => b.subarray(0, 30), code: 'CORRUPT_DATA', message: /beyond the end of Index\.dat/ },
    {
      name: 'Index.dat cut in a page',
      rewrite: (b, l) => b.subarray(0, l.pages[0]![1]! + 20),
      code: 'CORRUPT_DATA',
      message: /beyond the end|more than Index\.dat holds/,
    },
    { name: 'another slide id', rewrite: (b) => setInt32(b, 6, 0x41414141), code: 'CORRUPT_DATA', message: /matching slide identifier/ },
    {
      name: 'a zoom level pointer past the end',
      rewrite: (b, l) => setInt32(b, l.hierRoot, 0x7fff0000),
      code: 'CORRUPT_DATA',
      message: /beyond the end of Index\.dat/,
    },
    {
      name: 'a record pointer past the end',
      rewrite: (b, l) => setInt32(b, l.nonhierRecords[0]! + 4, 0x10000000),
      code: 'CORRUPT_DATA',
      message: /beyond the end of Index\.dat/,
    },
    {
      name: 'a page declaring 2^30 records',
      rewrite: (b, l) => setInt32(b, l.pages[0]![0]!, 1 << 30),
      code: 'CORRUPT_DATA',
      message: /declares 1073741824 records/,
    },
    { name: 'pages that loop', rewrite: (b, l) => setInt32(b, l.pages[0]![1]! + 4, l.pages[0]![0]!), code: 'CORRUPT_DATA', message: /loops/ },
    { name: 'a page that points at itself', rewrite: (b, l) => setInt32(b, l.pages[1]![0]! + 4, l.pages[1]![0]!), code: 'CORRUPT_DATA', message: /loops/ },
    {
      name: 'a record in a data file the slide does not list',
      rewrite: (b, l) => setInt32(b, l.pages[0]![0]! + 8 + 12, 7),
      code: 'CORRUPT_DATA',
      message: /Invalid fileno/,
    },
    {
      name: 'a negative image index',
      rewrite: (b, l) => setInt32(b, l.pages[0]![0]! + 8, -5),
      code: 'CORRUPT_DATA',
      message: /an image's number in the grid is -5, below 0/,
    },
    { name: 'an image below the grid', rewrite: (b, l) => setInt32(b, l.pages[0]![0]! + 8, 1_000_000), code: 'CORRUPT_DATA', message: /outside of bounds/ },
    {
      name: 'a non-hierarchical page of two items',
      rewrite: (b, l) => setInt32(b, l.nonhierRecords[0]! + 8, 2),
      code: 'CORRUPT_DATA',
      message: /Expected 1 value/,
    },
    {
      name: 'a position record of the wrong size',
      rewrite: (b, l) => setInt32(b, l.nonhierRecords[3]! + 28, 17),
      code: 'CORRUPT_DATA',
      message: /not of the expected size/,
    },
  ];
  for (const c of indexCases) {
    test(c.name, () => withSlide({ rewriteIndex: c.rewrite }, (path) => assertOpenRefused(engine, path, c.code, c.message)));
  }

  // At (1, 1): (0, 0) is where a photo the scanner skipped is recorded.
  test('photos recorded all at one place: a tile, and a region between pixels, of images stacked past 64 deep refused', () =>
    withSlide({ photosX: 9, photosY: 8, placePhoto: () => ({ x: 1, y: 1 }) }, async (path) => {
      const { slideId, info } = await openSlide(engine, path);
      const tooDeep = (error: unknown) => {
        assert.ok(error instanceof SlideError && error.code === 'TOO_LARGE', String(error));
        assert.match(error.message, /More than 64 of level \d's images overlap in (tile 0,0|a region)/);
        assert.equal(error.path, path);
        return true;
      };
      await assert.rejects(() => engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 }), tooDeep);
      await assert.rejects(() => engine.readRegion({ slideId, level: 1, x: 1, y: 1, width: 100, height: 100 }), tooDeep);
    }));

  // 24 photos of 2048 x 2048 (12 MB decoded each), each recorded to reach 1 pixel into (4096, 4096)
  // from the left, 100 rows apart: shallow overlaps, but more image bytes than a tile's 256 MB.
  test('a tile that each of 24 large images reaches into by a pixel refused; a region in 4 of them read', () =>
    withSlide(
      {
        photosX: 6,
        photosY: 4,
        divisions: 1,
        imageWidth: 2048,
        imageHeight: 2048,
        levels: 1,
        overlapX: 0,
        overlapY: 0,
        skipped: [],
        associated: false,
        placePhoto: (px, py) => ({ x: 4096 - 2047, y: 2049 + 100 * (py * 6 + px) }),
      },
      async (path) => {
        const { slideId } = await openSlide(engine, path);
        await assert.rejects(
          () => engine.readRegion({ slideId, level: 0, x: 4096, y: 4096, width: 512, height: 512 }),
          (error: unknown) => {
            assert.ok(error instanceof SlideError && error.code === 'TOO_LARGE', String(error));
            assert.match(error.message, /Tile 8,8 of level 0 needs 24 of its images/);
            assert.equal(error.path, path);
            return true;
          },
        );
        const region = await engine.readRegion({ slideId, level: 0, x: 2100, y: 2100, width: 256, height: 256 });
        assert.equal(region.width, 256);
      },
    ));

  const iniCases: Array<{ name: string; rewrite: (ini: string) => string; code: string; message: RegExp }> = [
    {
      name: '10^9 zoom levels',
      rewrite: (s) => s.replace('HIER_0_COUNT = 3', 'HIER_0_COUNT = 1000000000'),
      code: 'CORRUPT_DATA',
      message: /1000000000 zoom levels/,
    },
    {
      name: '2^31-1 images a side',
      rewrite: (s) => s.replace('IMAGENUMBER_X = 6', 'IMAGENUMBER_X = 2147483647'),
      code: 'CORRUPT_DATA',
      message: /images, more than a slide holds/,
    },
    {
      name: 'a negative image height, named by its key',
      rewrite: (s) => s.replace(/DIGITIZER_HEIGHT = 256/, 'DIGITIZER_HEIGHT = -1'),
      code: 'CORRUPT_DATA',
      message: /unusable Slidedat\.ini: its \[LAYER_0_LEVEL_0_SECTION\] DIGITIZER_HEIGHT is -1, not above 0\.$/,
    },
    { name: '10^6 data files', rewrite: (s) => s.replace('FILE_COUNT = 2', 'FILE_COUNT = 1000000'), code: 'CORRUPT_DATA', message: /1000000 data files/ },
    {
      name: 'images of 60000 x 60000 pixels',
      rewrite: (s) => s.replaceAll(/DIGITIZER_(WIDTH|HEIGHT) = 256/g, 'DIGITIZER_$1 = 60000'),
      code: 'CORRUPT_DATA',
      message: /larger than a camera's/,
    },
    {
      name: 'concatenation past 2^30',
      rewrite: (s) => s.replace('IMAGE_CONCAT_FACTOR = 1', 'IMAGE_CONCAT_FACTOR = 40'),
      code: 'CORRUPT_DATA',
      message: /2\^40 images a side/,
    },
    {
      name: 'overlaps as large as the images',
      rewrite: (s) => s.replace('OVERLAP_X = 30', 'OVERLAP_X = 256'),
      code: 'CORRUPT_DATA',
      message: /overlaps its 256 x 256 images/,
    },
    {
      name: 'a data file outside the folder',
      rewrite: (s) => s.replace('FILE_1 = Data0001.dat', 'FILE_1 = ../../etc/passwd'),
      code: 'CORRUPT_DATA',
      message: /not a file in its folder/,
    },
    {
      name: 'an unknown image format',
      rewrite: (s) => s.replace('IMAGE_FORMAT = JPEG', 'IMAGE_FORMAT = TIFF'),
      code: 'CORRUPT_DATA',
      message: /Unrecognized image format: TIFF/,
    },
    {
      name: 'no zoom level layer',
      rewrite: (s) => s.replace('HIER_0_NAME = Slide zoom level', 'HIER_0_NAME = Something'),
      code: 'CORRUPT_DATA',
      message: /Can't find slide zoom level/,
    },
  ];
  for (const c of iniCases) {
    test(c.name, () => withSlide({ rewriteSlidedat: c.rewrite }, (path) => assertOpenRefused(engine, path, c.code, c.message)));
  }

  test('a compressed position record that does not inflate to the positions', () =>
    withSlide({ positions: 'stitching', rewriteIndex: (b, l) => setInt32(b, l.nonhierRecords[3]! + 28, 12) }, (path) =>
      assertOpenRefused(engine, path, 'CORRUPT_DATA', /camera positions are unusable/),
    ));

  test('an image record past the end of its data file fails its tiles alone, naming the file', () =>
    withSlide({ rewriteIndex: (b, l) => setInt32(b, l.pages[0]![0]! + 8 + 4, 0x7ffffff0) }, async (path) => {
      const { slideId } = await openSlide(engine, path);
      await assert.rejects(
        () => engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 100, height: 100 }),
        (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA' && /beyond the end of Data0000\.dat/.test(error.message),
      );
      await engine.readRegion({ slideId, level: 0, x: 1000, y: 600, width: 100, height: 100 });
    }));

  test('a damaged image fails its tile, naming it; its neighbours still read', () =>
    withSlide({ dataFiles: 1 }, async (path) => {
      const data = join(dataFolderOf(path), 'Data0000.dat');
      const bytes = await readFile(data);
      // The first image's JPEG header, scrambled.
      bytes.fill(0x55, 2, 200);
      await writeFile(data, bytes);
      const { slideId } = await openSlide(engine, path);
      await assert.rejects(
        () => engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 100, height: 100 }),
        (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA' && /Image 0 of level 0/.test(error.message),
      );
      await engine.readRegion({ slideId, level: 0, x: 1000, y: 600, width: 100, height: 100 });
    }));
});

describe('a MIRAX slide opened from a folder', { timeout: 120_000 }, () => {
  const infoOf = async (path: string): Promise<Omit<SlideInfo, 'path' | 'name'>> => {
    const { slideId, info } = await openSlide(engine, path);
    await engine.close({ slideId });
    // The slide is named by what was opened: the rest is the slide's.
    const { path: _path, name: _name, ...rest } = info;
    return rest;
  };
  test('its data folder, or a folder holding its .mrxs, opens the slide the .mrxs opens', () =>
    withSlide({}, async (path) => {
      const expected = await infoOf(path);
      assert.equal(expected.format, 'mirax');
      assert.deepEqual(await infoOf(dataFolderOf(path)), expected);
      assert.deepEqual(await infoOf(join(path, '..')), expected);
    }));
  test('a folder of two MIRAX slides names both: SEVERAL_SLIDES', () =>
    withSlide({}, async (path) => {
      const dir = join(path, '..');
      await writeMirax(join(dir, 'second.mrxs'), { ...(FIXTURES['mirax-positions'].options as MiraxOptions), photosX: 2, photosY: 2, levels: 2 });
      const error = await openSlide(engine, dir).then(
        () => assert.fail('two slides opened as one'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SlideError && error.code === 'SEVERAL_SLIDES', String(error));
      assert.deepEqual(
        error.choices?.map((c) => c.name),
        ['second.mrxs', 'slide.mrxs'],
      );
      assert.deepEqual(await infoOf(error.choices![1]!.path), await infoOf(path));
    }));
  test('a data folder whose .mrxs is gone is no slide', () =>
    withSlide({}, async (path) => {
      await unlink(path);
      await assert.rejects(openSlide(engine, dataFolderOf(path)), (e: unknown) => e instanceof SlideError && e.code === 'NOT_A_SLIDE');
    }));
});
