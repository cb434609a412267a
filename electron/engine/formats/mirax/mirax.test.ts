// 3DHistech MIRAX against OpenSlide 3.4.1: generated slides whose camera photos overlap and sit off
// the grid (positions recorded plain or compressed, or the nominal grid), cut into 1, 4 or 16
// images per photo, JPEG, PNG and BMP; a plain grid served as stored; Slidedat.ini read as GLib
// reads it; missing companion files named; hostile Index.dat and Slidedat.ini refused, typed.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { RgbImage, SlideInfo } from '../../../../shared/slide';
import { FIXTURES, type FixtureName, fixturePath } from '../../../../testing/fixtures';
import { openSlide } from '../../../../testing/open-slide';
import { type ReferenceInfo, type ReferenceRequest, referenceImage, runOpenSlide } from '../../../../testing/openslide-reference';
import { compareRgb, decodeTile, type PixelDiff } from '../../../../testing/pixel-compare';
import { type IndexLayout, type MiraxOptions, miraxFolder, writeMirax } from '../../../../testing/writers/mirax';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Level-0 regions of a level: origin, middle, across photo joints, the right, bottom and bottom-right edges. */
function regionsFor(level: { width: number; height: number; downsample: number }, photo: number): Region[] {
  const d = level.downsample;
  const at = (lx: number, ly: number, width: number, height: number): Region => {
    const x = Math.max(0, Math.min(lx, level.width - 1));
    const y = Math.max(0, Math.min(ly, level.height - 1));
    return { x: x * d, y: y * d, width: Math.min(width, level.width - x + 40), height: Math.min(height, level.height - y + 40) };
  };
  return [
    at(0, 0, 400, 300),
    at(Math.floor(level.width / 2) - 123, Math.floor(level.height / 2) - 77, 333, 222),
    // Around the joint of the first four photos.
    at(Math.floor((photo - 60) / d), Math.floor((photo - 50) / d), 150, 140),
    at(level.width - 150, Math.floor(level.height / 3), 300, 200),
    at(Math.floor(level.width / 3), level.height - 100, 300, 200),
    at(level.width - 150, level.height - 100, 300, 200),
  ];
}

function cropRgb(image: RgbImage, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(y * image.width * 3, (y * image.width + width) * 3), y * width * 3);
  return { data, width, height, channels: 3 };
}

/** OpenSlide's (un-premultiplied) RGBA over white, as the engine shows a slide. */
function overWhite(image: { width: number; height: number; channels: number; data: Uint8Array }): RgbImage {
  if (image.channels !== 4) return { ...image, channels: 3 };
  const data = new Uint8Array(image.width * image.height * 3);
  for (let s = 0, d = 0; d < data.length; s += 4, d += 3) {
    const a = image.data[s + 3]!;
    for (let c = 0; c < 3; c++) data[d + c] = Math.round((image.data[s + c]! * a) / 255 + 255 - a);
  }
  return { data, width: image.width, height: image.height, channels: 3 };
}

interface Figures {
  level: number | null;
  label: string;
  /** Over the pixels OpenSlide paints opaque. */
  diff: PixelDiff;
  /** Over those it paints partly transparent (resampled photos' soft edges), composited over white. */
  soft: PixelDiff;
}

async function compareWithOpenSlide(path: string, photo: number): Promise<{ info: SlideInfo; slideId: string; ref: ReferenceInfo; figures: Figures[] }> {
  const { slideId, info } = await openSlide(engine, path);
  const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
  assert.ok(!('error' in ref), JSON.stringify(ref));
  assert.equal(ref.properties['openslide.vendor'], 'mirax', 'OpenSlide reads the slide as MIRAX');
  assert.equal(info.vendor, 'mirax');
  assert.equal(info.levels.length, ref.level_count, 'level count');
  info.levels.forEach((l, i) => {
    assert.deepEqual([l.width, l.height], ref.dimensions[i], `level ${i} size`);
    assert.equal(l.downsample, ref.downsamples[i], `level ${i} downsample`);
  });
  assert.deepEqual([...info.associated].sort(), [...ref.associated].sort(), 'associated images');
  const keys = new Set([...Object.keys(info.properties), ...Object.keys(ref.properties)]);
  keys.delete('openslide.quickhash-1');
  for (const key of keys) assert.equal(info.properties[key], ref.properties[key], `property ${key}`);

  const requests: ReferenceRequest[] = [];
  const ours: Array<Promise<RgbImage>> = [];
  const labels: Array<{ level: number | null; label: string }> = [];
  info.levels.forEach((level, l) => {
    for (const r of regionsFor(level, photo)) {
      requests.push({ kind: 'region', path, level: l, ...r });
      ours.push(engine.readRegion({ slideId, level: l, ...r }));
      labels.push({ level: l, label: `level ${l} ${JSON.stringify(r)}` });
    }
  });
  for (const name of info.associated) {
    requests.push({ kind: 'associated', path, name });
    ours.push(engine.readAssociated({ slideId, name }));
    labels.push({ level: null, label: `associated ${name}` });
  }
  const dz = info.deepZoom;
  const top = dz.levels.length - 1;
  for (const z of [top, top - 2]) {
    const { cols, rows } = dz.levels[z]!;
    for (const [col, row] of [
      [0, 0],
      [Math.floor(cols / 2), Math.floor(rows / 2)],
      [cols - 1, rows - 1],
    ] as const) {
      requests.push({ kind: 'dztile', path, tile_size: dz.tileSize, overlap: 0, dz_level: z, col, row });
      ours.push(engine.getTile({ slideId, dzLevel: z, col, row, requestId: 0 }).then(decodeTile));
      labels.push({ level: null, label: `dz tile ${z}/${col}_${row}` });
    }
  }
  const refs = runOpenSlide(requests);
  const results = await Promise.all(ours);
  const figures: Figures[] = [];
  for (const [i, { level, label }] of labels.entries()) {
    const a = referenceImage(refs[i]);
    const request = requests[i]!;
    if (request.kind === 'dztile' && results[i]!.width - a.width === 1) {
      // python-openslide's last dz column can be a pixel narrower: it reads the level (floor-halved)
      // and only ever shrinks the read to the dz tile (ceil-halved).
      results[i] = cropRgb(results[i]!, a.width, a.height);
    }
    const region = request.kind === 'region' ? { ...request, ...info.levels[request.level]! } : null;
    // Past the level's edge is no part of the slide (OpenSlide paints photos that reach past it).
    const inside = (x: number, y: number) => !region || (region.x / region.downsample + x < region.width && region.y / region.downsample + y < region.height);
    const alpha = (x: number, y: number) => (a.channels === 4 ? a.data[(y * a.width + x) * 4 + 3]! : 255);
    const diff = compareRgb(results[i]!, overWhite(a), 2, (x, y) => inside(x, y) && alpha(x, y) === 255);
    // python-openslide un-premultiplies soft pixels by truncating division: off by up to 1 there.
    const soft = compareRgb(results[i]!, overWhite(a), 3, (x, y) => inside(x, y) && alpha(x, y) < 255);
    if (diff.compared + soft.compared === 0) {
      // A region over skipped photos: transparent in OpenSlide, white here.
      const blank = compareRgb(results[i]!, { ...a, data: new Uint8Array(a.data.length).fill(255) }, 0, inside);
      assert.ok(a.channels === 4 && a.data.every((v, k) => k % 4 !== 3 || v === 0) && blank.maxDiff === 0, `${label}: nothing compared`);
    }
    figures.push({ level, label, diff, soft });
  }
  return { info, slideId, ref, figures };
}

/** Max and mean difference per level, for the report and the assertion messages. */
function perLevel(figures: Figures[]): string {
  const levels = [...new Set(figures.map((f) => f.level))];
  return levels
    .map((l) => {
      const mine = figures.filter((f) => f.level === l);
      const n = mine.reduce((s, f) => s + f.diff.compared, 0);
      const mean = n ? mine.reduce((s, f) => s + f.diff.meanDiff * f.diff.compared, 0) / n : 0;
      const soft = mine.reduce((s, f) => s + f.soft.compared / 3, 0);
      return `${l === null ? 'associated+dz' : `L${l}`} max ${Math.max(...mine.map((f) => f.diff.maxDiff))} mean ${mean.toFixed(3)} (soft pixels ${soft}: max ${Math.max(...mine.map((f) => f.soft.maxDiff))})`;
    })
    .join('; ');
}

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
      const { info, slideId, figures } = await compareWithOpenSlide(await fixturePath(c.name), photoSize(c.name));
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
    const data = await readFile(join(miraxFolder(path), 'Data0000.dat'));
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

async function rejects(path: string, code: string, message: RegExp): Promise<void> {
  await assert.rejects(
    () => openSlide(engine, path),
    (error: unknown) => {
      assert.ok(error instanceof SlideError, String(error));
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      assert.equal(error.path, path);
      return true;
    },
  );
}

describe('a MIRAX slide missing one of its files: NOT_FOUND naming it', { timeout: 120_000 }, () => {
  const cases: Array<{ name: string; remove: (folder: string) => Promise<void>; message: RegExp }> = [
    { name: 'no folder', remove: (folder) => rm(folder, { recursive: true }), message: /folder slide is missing/ },
    { name: 'no Slidedat.ini', remove: (folder) => unlink(join(folder, 'Slidedat.ini')), message: /Slidedat\.ini is missing/ },
    { name: 'no Index.dat', remove: (folder) => unlink(join(folder, 'Index.dat')), message: /index file Index\.dat is missing/ },
    { name: 'no second data file', remove: (folder) => unlink(join(folder, 'Data0001.dat')), message: /data file Data0001\.dat is missing/ },
  ];
  for (const c of cases) {
    test(c.name, () =>
      withSlide({}, async (path) => {
        await c.remove(miraxFolder(path));
        assert.match(JSON.stringify(runOpenSlide([{ kind: 'info', path }])[0]), /error/, 'OpenSlide does not open it either');
        await rejects(path, 'NOT_FOUND', c.message);
      }),
    );
  }
});

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
          await rejects(path, 'CORRUPT_DATA', /Slidedat\.ini/);
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
      const ini = join(miraxFolder(path), 'Slidedat.ini');
      await writeFile(ini, (await readFile(ini)).subarray(3));
      await openSlide(engine, path);
      await writeFile(ini, Buffer.concat([await readFile(ini), Buffer.alloc(1 << 20, 0x23)]));
      await rejects(path, 'CORRUPT_DATA', /Slidedat\.ini of \d+ bytes/);
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
    { name: 'a negative image index', rewrite: (b, l) => setInt32(b, l.pages[0]![0]! + 8, -5), code: 'CORRUPT_DATA', message: /image_index < 0/ },
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
    test(c.name, () => withSlide({ rewriteIndex: c.rewrite }, (path) => rejects(path, c.code, c.message)));
  }

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
    test(c.name, () => withSlide({ rewriteSlidedat: c.rewrite }, (path) => rejects(path, c.code, c.message)));
  }

  test('a compressed position record that does not inflate to the positions', () =>
    withSlide({ positions: 'stitching', rewriteIndex: (b, l) => setInt32(b, l.nonhierRecords[3]! + 28, 12) }, (path) =>
      rejects(path, 'CORRUPT_DATA', /camera positions are unusable/),
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
      const data = join(miraxFolder(path), 'Data0000.dat');
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
