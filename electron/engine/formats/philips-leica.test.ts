// Philips TIFF and Leica SCN against OpenSlide 3.4.1, on files the test writers make
// (testing/writers/): OpenSlide must open each as its vendor first, then the engine must agree with
// it on levels, downsamples, MPP, objective power, every property it reports (quickhash aside),
// associated images, regions at every level (edges, absent tiles and the space around Leica's
// placed images included: RGB within ±2, transparency exactly) and deep-zoom tiles. Then hostile
// variants: broken, oversized or lying XML, broken embedded images, absurd sizes.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import type { SlideInfo } from '../../../shared/slide';
import { type FixtureName, fixturePath } from '../../../testing/fixtures';
import { openSlide } from '../../../testing/open-slide';
import { type ReferenceInfo, type ReferenceRequest, referenceImage, runOpenSlide } from '../../../testing/openslide-reference';
import { compareRgb, decodeTile } from '../../../testing/pixel-compare';
import { type LeicaOptions, writeLeicaScn } from '../../../testing/writers/leica';
import { type PhilipsOptions, writePhilipsTiff } from '../../../testing/writers/philips';
import { SlideEngine } from '../engine';
import { SlideError } from '../errors';
import { TiffFile } from '../tiff/tiff-file';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

interface Region {
  level: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Origin, middle and across the bottom-right corner of every level (level-0 coordinates). */
function standardRegions(info: SlideInfo): Region[] {
  return info.levels.flatMap((l, level) => {
    const ds = l.downsample;
    const regions: Region[] = [{ level, x: 0, y: 0, width: Math.min(l.width, 400), height: Math.min(l.height, 400) }];
    if (Number.isInteger(ds) && l.width > 600) {
      regions.push({ level, x: (Math.floor(l.width / 2) - 123) * ds, y: (Math.floor(l.height / 2) - 77) * ds, width: 333, height: 222 });
      regions.push({ level, x: (l.width - 150) * ds, y: (l.height - 100) * ds, width: 300, height: 200 });
    }
    return regions;
  });
}

/**
 * `perLevel` regions per level at level-0 points drawn from a fixed sequence, anywhere on the plane
 * and past its edges. `between`: most fall between a level's pixels, where rounding to Leica's
 * placed images shows; otherwise they are snapped to whole level pixels (OpenSlide 3.4.1 draws a
 * tile grid read from between pixels interpolated, for Philips as for every grid-based format).
 */
function scatteredRegions(info: SlideInfo, perLevel: number, seed: number, between: boolean): Region[] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const base = info.levels[0]!;
  return info.levels.flatMap((l, level) =>
    Array.from({ length: perLevel }, () => {
      const snap = (v: number) => (between ? v : Math.round(v / l.downsample) * l.downsample);
      return {
        level,
        x: snap(Math.floor(next() * base.width * 1.05) - Math.floor(base.width * 0.025)),
        y: snap(Math.floor(next() * base.height * 1.05) - Math.floor(base.height * 0.025)),
        width: 1 + Math.floor(next() * Math.min(300, l.width)),
        height: 1 + Math.floor(next() * Math.min(200, l.height)),
      };
    }),
  );
}

const OPENSLIDE_KEYS = /^(openslide|tiff|philips|leica)\./;

/**
 * The engine against OpenSlide on one file: metadata, properties, associated images, `regions` and
 * the top deep-zoom level's first, middle and last tiles. Reports the pixel differences per level.
 */
async function checkAgainstOpenSlide(t: TestContext, path: string, vendor: string, regions: Region[]): Promise<{ slideId: string; info: SlideInfo }> {
  const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
  assert.ok(!('error' in ref), `OpenSlide cannot open the writer's file: ${JSON.stringify(ref)}`);
  assert.equal(ref.properties['openslide.vendor'], vendor, 'OpenSlide reads the file as its vendor');
  const { slideId, info } = await openSlide(engine, path);
  assert.equal(info.vendor, vendor);
  assert.equal(info.format, vendor);
  assert.deepEqual(
    info.levels.map((l) => [l.width, l.height]),
    ref.dimensions,
    'level sizes',
  );
  assert.deepEqual(
    info.levels.map((l) => l.downsample),
    ref.downsamples,
    'downsamples',
  );
  const expected = Object.entries(ref.properties).filter(([key]) => OPENSLIDE_KEYS.test(key) && key !== 'openslide.quickhash-1');
  for (const [key, value] of expected) assert.equal(info.properties[key], value, key);
  const extra = Object.keys(info.properties).filter((key) => OPENSLIDE_KEYS.test(key) && !(key in ref.properties));
  assert.deepEqual(extra, [], 'properties OpenSlide does not report');
  const mpp = ref.properties['openslide.mpp-x'];
  assert.deepEqual(info.mpp, mpp === undefined ? null : { x: Number(mpp), y: Number(ref.properties['openslide.mpp-y']) });
  const power = ref.properties['openslide.objective-power'];
  assert.equal(info.objectivePower, power === undefined ? null : Number(power));
  assert.deepEqual([...info.associated].sort(), ref.associated, 'associated images');

  const requests: ReferenceRequest[] = [];
  const ours: Array<Promise<{ data: Uint8Array; width: number; height: number; channels: 3 | 4 }>> = [];
  const labels: string[] = [];
  for (const r of regions) {
    requests.push({ kind: 'region', path, ...r });
    ours.push(engine.readRegion({ slideId, ...r }));
    labels.push(`level ${r.level} region ${r.x},${r.y} ${r.width}x${r.height}`);
  }
  for (const name of info.associated) {
    requests.push({ kind: 'associated', path, name });
    ours.push(engine.readAssociated({ slideId, name }));
    labels.push(`associated ${name}`);
  }
  const dz = info.deepZoom;
  const top = dz.levels.length - 1;
  const { cols, rows } = dz.levels[top]!;
  for (const [col, row] of [
    [0, 0],
    [Math.floor(cols / 2), Math.floor(rows / 2)],
    [cols - 1, rows - 1],
  ] as const) {
    requests.push({ kind: 'dztile', path, tile_size: dz.tileSize, overlap: 0, dz_level: top, col, row });
    ours.push(engine.getTile({ slideId, dzLevel: top, col, row, requestId: 0 }).then(decodeTile));
    labels.push(`dz tile ${top}/${col}_${row}`);
  }
  const refs = runOpenSlide(requests);
  const results = await Promise.all(ours);
  const figures = new Map<string, { max: number; sum: number; n: number }>();
  for (const [i, label] of labels.entries()) {
    const expectedImage = referenceImage(refs[i]);
    const image = results[i]!;
    const diff = compareRgb(image, expectedImage, 2);
    assert.ok(diff.maxDiff <= 2, `${label}: ${JSON.stringify(diff)}`);
    if (image.channels === 4) {
      // Transparent exactly where OpenSlide is (outside the level, absent tiles, around placed images).
      let mismatched = 0;
      for (let p = 3; p < image.data.length; p += 4) if (image.data[p] !== expectedImage.data[p]) mismatched++;
      assert.equal(mismatched, 0, `${label}: alpha differs at ${mismatched} pixels`);
    }
    const key = label.replace(/ region .*/, '');
    const f = figures.get(key) ?? { max: 0, sum: 0, n: 0 };
    figures.set(key, { max: Math.max(f.max, diff.maxDiff), sum: f.sum + diff.meanDiff * diff.compared, n: f.n + diff.compared });
  }
  for (const [key, f] of figures) t.diagnostic(`${vendor} ${key}: max ${f.max}, mean ${(f.n ? f.sum / f.n : 0).toFixed(3)} over ${f.n / 3} pixels`);
  return { slideId, info };
}

async function fixture(name: FixtureName): Promise<string> {
  return fixturePath(name);
}

describe('Philips TIFF against OpenSlide', { timeout: 600_000 }, () => {
  test('sparse slide: padded levels corrected, absent tiles transparent, XML label and macro, philips.* properties', async (t) => {
    const path = await fixture('philips-sparse');
    const probe = await openSlide(engine, path);
    const regions = [
      ...standardRegions(probe.info),
      ...scatteredRegions(probe.info, 12, 7, false),
      // Across the unscanned square's corner (absent tiles at levels 0 and 1).
      { level: 0, x: 900, y: 950, width: 400, height: 300 },
      { level: 1, x: 1800, y: 1800, width: 300, height: 300 },
      // Past level 2's corrected width (768; the TIFF declares 1024).
      { level: 2, x: 700 * 4, y: 400 * 4, width: 200, height: 150 },
      // Starting outside the slide.
      { level: 0, x: -50, y: -20, width: 100, height: 100 },
    ];
    const { info } = await checkAgainstOpenSlide(t, path, 'philips', regions);
    assert.deepEqual(
      info.levels.map((l) => [l.width, l.height, l.downsample]),
      [
        [3072, 2048, 1],
        [1536, 1024, 2],
        [768, 512, 4],
      ],
    );
    assert.deepEqual(info.mpp, { x: 0.251, y: 0.25 });
    assert.equal(info.properties['philips.PIM_DP_SCANNER_OPERATOR_ID'], 'Slidescope <tests> & co');
    assert.equal(info.properties['philips.PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE[2].DICOM_PIXEL_SPACING'], '"0.001" "0.001004"');
    assert.equal(info.properties['tiff.ImageDescription'], undefined);
    assert.equal(info.properties['philips.PIM_DP_SOURCE_FILE'], undefined);
    assert.deepEqual([...info.associated].sort(), ['label', 'macro']);
  });

  test('BigTIFF, 4 levels, label and macro as TIFF directories', async (t) => {
    const path = await fixture('philips-directories');
    const probe = await openSlide(engine, path);
    const regions = [
      ...standardRegions(probe.info),
      ...scatteredRegions(probe.info, 12, 7, false),
      // Level 3 across its corrected edges (320 x 224; the TIFF declares 512 x 256).
      { level: 3, x: 200 * 8, y: 150 * 8, width: 200, height: 120 },
    ];
    const { info } = await checkAgainstOpenSlide(t, path, 'philips', regions);
    assert.deepEqual(
      info.levels.map((l) => [l.width, l.height]),
      [
        [2560, 1792],
        [1280, 896],
        [640, 448],
        [320, 224],
      ],
    );
    assert.deepEqual([...info.associated].sort(), ['label', 'macro']);
  });
});

describe('Leica SCN against OpenSlide', { timeout: 600_000 }, () => {
  test('main image at a fractional offset on its collection, macro, focal plane 1 ignored', async (t) => {
    const path = await fixture('leica-offset');
    const probe = await openSlide(engine, path);
    const regions = [
      ...standardRegions(probe.info),
      ...scatteredRegions(probe.info, 24, 7, true),
      // Across the image's top-left corner (it lies at 600,400 of level 0's 4000 x 3000).
      { level: 0, x: 500, y: 300, width: 400, height: 300 },
      // Across its bottom-right corner, and wholly outside it.
      { level: 0, x: 3500, y: 2300, width: 300, height: 200 },
      { level: 0, x: 3700, y: 2500, width: 200, height: 200 },
      // Level 1 from a level-0 point between its pixels, left of and above the image: OpenSlide
      // truncates toward the image there.
      { level: 1, x: 590, y: 398, width: 100, height: 100 },
      { level: 1, x: 2001, y: 1603, width: 100, height: 100 },
      { level: 2, x: 0, y: 0, width: probe.info.levels[2]!.width, height: probe.info.levels[2]!.height },
    ];
    const { info } = await checkAgainstOpenSlide(t, path, 'leica', regions);
    assert.deepEqual(
      info.levels.map((l) => [l.width, l.height]),
      [
        [4000, 3000],
        [1000, 750],
        [250, 187],
      ],
    );
    assert.equal(info.objectivePower, 20);
    // 10000 over the resolution as libtiff's float (39682.54 px/cm).
    assert.equal(info.properties['openslide.mpp-x'], '0.25200000393750005');
    assert.equal(info.properties['leica.barcode'], 'SLIDESCOPE-52');
    assert.deepEqual(
      ['x', 'y', 'width', 'height'].map((k) => info.properties[`openslide.bounds-${k}`]),
      ['600', '400', '3000', '2000'],
    );
  });

  test('two main images composited on one collection', async (t) => {
    const path = await fixture('leica-two-regions');
    const probe = await openSlide(engine, path);
    const regions = [
      ...standardRegions(probe.info),
      ...scatteredRegions(probe.info, 24, 8, true),
      // From between level 2's pixels, right of the first image's origin and left of the second's:
      // OpenSlide truncates toward each, and the second lands a pixel from where the plane has it.
      { level: 2, x: 1749, y: 771, width: 130, height: 63 },
      // The first image's right edge, the gap, the second's top-left corner.
      { level: 0, x: 2000, y: 1150, width: 500, height: 400 },
      { level: 1, x: 0, y: 0, width: probe.info.levels[1]!.width, height: probe.info.levels[1]!.height },
    ];
    const { info } = await checkAgainstOpenSlide(t, path, 'leica', regions);
    assert.equal(info.properties['openslide.region[1].y'], '1201');
  });

  test('the 2010/03/10 namespace: barcode attribute, no macro', async (t) => {
    const path = await fixture('leica-2010-03');
    const probe = await openSlide(engine, path);
    const regions = [...standardRegions(probe.info), ...scatteredRegions(probe.info, 16, 9, true)];
    const { info } = await checkAgainstOpenSlide(t, path, 'leica', regions);
    assert.equal(info.properties['leica.barcode'], 'SLIDESCOPE-57');
    assert.equal(info.objectivePower, 10);
    assert.deepEqual(info.associated, []);
  });

  test('fluorescence is refused, as OpenSlide refuses it', async () => {
    const path = await fixture('leica-fluorescence');
    const ref = runOpenSlide([{ kind: 'info', path }])[0] as { error?: string };
    assert.match(ref.error ?? '', /Can't find main image/);
    await assert.rejects(openSlide(engine, path), (e: unknown) => e instanceof SlideError && e.code === 'UNSUPPORTED_FORMAT' && /fluorescence/.test(e.message));
  });
});

describe('hostile Philips and Leica files', { timeout: 300_000 }, () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-xml-formats-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  let counter = 0;
  const philips = async (mangleXml: (xml: string) => string, options: Partial<PhilipsOptions> = {}) => {
    const path = join(dir, `philips-${counter++}.tiff`);
    await writePhilipsTiff(path, { width: 900, height: 700, tileSize: 256, levels: 2, seed: 61, mangleXml, ...options });
    return path;
  };
  const leica = async (mangleXml: (xml: string) => string, options: Partial<LeicaOptions> = {}) => {
    const path = join(dir, `leica-${counter++}.scn`);
    await writeLeicaScn(path, {
      collectionNm: [400_000, 300_000],
      nmPerPixel: 250,
      main: [{ width: 800, height: 600, offsetNm: [100_000, 50_000] }],
      levels: 2,
      seed: 62,
      mangleXml,
      ...options,
    });
    return path;
  };
  /** Opening fails with `code` and a message matching `pattern`, quickly, allocating nothing large. */
  const refused = async (path: string, code: string, pattern: RegExp, withinMs = 5000) => {
    const started = Date.now();
    const before = process.memoryUsage().rss;
    await assert.rejects(openSlide(engine, path), (e: unknown) => {
      assert.ok(e instanceof SlideError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, pattern);
      assert.equal(e.path, path);
      return true;
    });
    assert.ok(Date.now() - started < withinMs, `took ${Date.now() - started} ms`);
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024);
  };

  test('Philips: truncated, malformed, entity-bomb and too deeply nested XML are CORRUPT_DATA', async () => {
    await refused(await philips((x) => x.slice(0, Math.floor(x.length / 2))), 'CORRUPT_DATA', /not valid XML/);
    await refused(await philips((x) => x.replace('</Array>', '</Arr>')), 'CORRUPT_DATA', /not valid XML/);
    const bomb = `<!DOCTYPE DataObject [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`;
    await refused(await philips((x) => x.replace('<DataObject', `${bomb}<DataObject`).replace('PHILIPS<', '&c;<')), 'CORRUPT_DATA', /DOCTYPE/);
    const deep = `${'<Attribute Name="X">'.repeat(200)}${'</Attribute>'.repeat(200)}`;
    await refused(await philips((x) => x.replace('</DataObject>\n', `${deep}</DataObject>\n`)), 'CORRUPT_DATA', /not valid XML/);
  });

  test('Philips: an XML description beyond 32 MB is TOO_LARGE before it is parsed', async () => {
    const path = await philips((x) =>
      x.replace('<DataObject ObjectType="DPUfsImport">', `<DataObject ObjectType="DPUfsImport"><!--${'x'.repeat(33 * 1024 * 1024)}-->`),
    );
    await refused(path, 'TOO_LARGE', /Tag 270 of image directory 0 is \d+ bytes of text/);
  });

  test('Philips: spacings that do not make levels, and the wrong number of WSIs, are CORRUPT_DATA', async () => {
    await refused(await philips((x) => x.replaceAll('&quot;0.0005&quot; &quot;0.000502&quot;', '&quot;0&quot; &quot;0&quot;')), 'CORRUPT_DATA', /downsample/);
    await refused(
      await philips((x) => x.replaceAll('&quot;0.0005&quot; &quot;0.000502&quot;', '&quot;1e300&quot; &quot;1e300&quot;')),
      'CORRUPT_DATA',
      /downsample/,
    );
    await refused(await philips((x) => x.replaceAll('&quot;0.0005&quot; &quot;0.000502&quot;', 'half a micron')), 'CORRUPT_DATA', /not two numbers/);
    await refused(
      await philips((x) => x.replace(/<DataObject ObjectType="PixelDataRepresentation">[\s\S]*?<\/DataObject>/, '')),
      'CORRUPT_DATA',
      /spacings for 1 levels, not its 2/,
    );
    await refused(await philips((x) => x.replace('>LABELIMAGE<', '>WSI<')), 'CORRUPT_DATA', /2 WSI images/);
  });

  test('Philips: a broken embedded label or macro is dropped and the slide opens', async () => {
    // Not Base64 at all, and a JPEG header declaring 65000 x 65000 pixels.
    const huge = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xfd, 0xe8, 0xfd, 0xe8, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xda, 0, 2]);
    const path = await philips((x) => {
      const [label, macro] = [...x.matchAll(/Name="PIM_DP_IMAGE_DATA" PMSVR="IString">([^<]*)</g)].map((m) => m[1]!);
      return x.replace(label!, '!!! not base64 !!!').replace(macro!, huge.toString('base64'));
    });
    const { slideId, info } = await openSlide(engine, path);
    assert.deepEqual(info.associated, []);
    const region = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 });
    assert.equal(region.width, 64);
    await engine.close({ slideId });
  });

  test('Leica: truncated XML, a missing view attribute, a missing directory, an empty dimension', async () => {
    await refused(await leica((x) => x.slice(0, Math.floor(x.length * 0.6))), 'CORRUPT_DATA', /not valid XML/);
    await refused(await leica((x) => x.replace(/offsetX="100000"/, '')), 'CORRUPT_DATA', /<view> has no offsetX/);
    await refused(await leica((x) => x.replace(/ifd="2"/, 'ifd="99"')), 'CORRUPT_DATA', /image 99/);
    await refused(await leica((x) => x.replace(/<dimension sizeX="800"/, '<dimension sizeX="0"')), 'CORRUPT_DATA', /pixel size/);
    await refused(await leica((x) => x.replace(/<collection /, '<collectio ').replace('</collection>', '</collectio>')), 'CORRUPT_DATA', /no <collection>/);
  });

  test('Leica: a collection of absurd size is TOO_LARGE', async () => {
    await refused(
      await leica((x) => x.replace('sizeX="400000" sizeY="300000"', 'sizeX="4000000000000000" sizeY="300000"'), { macro: false }),
      'TOO_LARGE',
      /level 0 would be/,
    );
  });

  test('Leica: absent tiles read as blank (white where the image lies, transparent around it), not as errors', async () => {
    const path = await leica((x) => x);
    // Blank out the byte counts of the main image's first level: every tile absent.
    const tiff = await TiffFile.open(path);
    const dir = tiff.directories[2]!;
    const counts = (await dir.ifd.loadValue(325)) as ArrayLike<number>;
    const entry = await findTagOffset(path, dir.index, 325);
    await tiff.close();
    const bytes = await readFile(path);
    for (let i = 0; i < counts.length; i++) bytes.writeUInt32LE(0, entry + i * 4);
    await writeFile(path, bytes);
    const { slideId } = await openSlide(engine, path);
    const region = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 1600, height: 1200 });
    for (let p = 0; p < region.data.length; p += 4) {
      const inside = Math.floor(p / 4 / 1600) >= 200 && Math.floor(p / 4 / 1600) < 800 && (p / 4) % 1600 >= 400 && (p / 4) % 1600 < 1200;
      const expected = inside ? [255, 255, 255, 255] : [0, 0, 0, 0];
      assert.deepEqual([...region.data.subarray(p, p + 4)], expected, `pixel ${(p / 4) % 1600},${Math.floor(p / 4 / 1600)}`);
    }
    await engine.close({ slideId });
  });
});

/** Where a BigTIFF directory's LONG array for `tag` lies (the writer stores byte counts as LONG). */
async function findTagOffset(path: string, dirIndex: number, tag: number): Promise<number> {
  const b = await readFile(path);
  let ifd = Number(b.readBigUInt64LE(8));
  for (let i = 0; i < dirIndex; i++) {
    const n = Number(b.readBigUInt64LE(ifd));
    ifd = Number(b.readBigUInt64LE(ifd + 8 + n * 20));
  }
  const n = Number(b.readBigUInt64LE(ifd));
  for (let e = 0; e < n; e++) {
    const at = ifd + 8 + e * 20;
    if (b.readUInt16LE(at) === tag) {
      const count = Number(b.readBigUInt64LE(at + 4));
      return count * 4 <= 8 ? at + 12 : Number(b.readBigUInt64LE(at + 12));
    }
  }
  throw new Error(`tag ${tag} not found`);
}
