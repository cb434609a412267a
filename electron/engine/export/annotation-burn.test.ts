// Annotations drawn into exports of CMU-1-Small-Region, read back with sharp: the class's colour on
// the outline, the legend's swatch, the comparison's legend below its panels.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { writeGeoJson } from '../../../shared/annotation-geojson';
import { type AnnotationDocument, emptyDocument } from '../../../shared/annotations';
import { legendLabels } from '../../../shared/i18n/class-label';
import { createTranslator } from '../../../shared/i18n/i18n';
import type { RgbImage } from '../../../shared/slide';
import { openSlide } from '../../../testing/open-slide';
import { sharedSlide } from '../../../testing/paths';
import { SlideEngine } from '../engine';
import { burnAnnotations, withLegend } from './annotation-burn';
import { withScaleBar } from './scale-bar-burn';

const TUMOR: [number, number, number] = [200, 0, 0];
const STROMA: [number, number, number] = [150, 200, 150];

function document(): AnnotationDocument {
  const doc = emptyDocument();
  doc.annotations.push(
    {
      id: '11111111-1111-4111-8111-111111111111',
      name: '',
      description: '',
      classification: 'Tumor',
      shape: { kind: 'rectangle', x0: 500, y0: 1000, x1: 1500, y1: 2000 },
    },
    {
      id: '22222222-2222-4222-8222-222222222222',
      name: '',
      description: '',
      classification: 'Stroma',
      shape: { kind: 'line', points: [1800, 200, 1800, 2800] },
    },
  );
  return doc;
}

async function pixelAt(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

/** How many pixels of a region have exactly this colour (a swatch of the legend). */
async function countColor(file: string, region: { left: number; top: number; width: number; height: number }, rgb: number[]): Promise<number> {
  const { data } = await sharp(file).removeAlpha().extract(region).raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += 3) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2]) n++;
  return n;
}

describe('annotations burned into exports', () => {
  const engine = new SlideEngine();
  let out: string;
  let annotations: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'slidescope-burn-'));
    annotations = join(out, 'marks.geojson');
    await writeFile(annotations, writeGeoJson(document()));
  });
  after(async () => {
    await engine.closeAll();
    await rm(out, { recursive: true, force: true });
  });

  test('a thumbnail: the outline in its class colour where it lies, a legend of the classes drawn', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const path = join(out, 'thumb.png');
    // 2220 x 2967 to 748 x 1000: level-0 x 500 is at 168.5, x 1800 at 606.5, y 1500 at 505.6.
    await engine.writeThumbnail({ slideId, spec: { kind: 'size', longestSide: 1000 }, path, format: 'png', overwrite: false, annotations });
    const meta = await sharp(path).metadata();
    assert.deepEqual([meta.width, meta.height], [748, 1000]);
    assert.deepEqual(await pixelAt(path, 168, 505), TUMOR);
    assert.deepEqual(await pixelAt(path, 606, 505), STROMA, 'the line at x 1800');
    // Inside the rectangle the slide shows through.
    assert.notDeepEqual(await pixelAt(path, 300, 505), TUMOR);
    // The legend in the bottom-left corner: a 14 px swatch of each class.
    const corner = { left: 0, top: 1000 - 80, width: 200, height: 80 };
    assert.ok((await countColor(path, corner, TUMOR)) >= 144, 'the Tumor swatch');
    assert.ok((await countColor(path, corner, STROMA)) >= 144, 'the Stroma swatch');
    // Without annotations: the same thumbnail, plain.
    const plain = join(out, 'plain.png');
    await engine.writeThumbnail({ slideId, spec: { kind: 'size', longestSide: 1000 }, path: plain, format: 'png', overwrite: false });
    assert.notDeepEqual(await pixelAt(plain, 168, 505), TUMOR);
  });

  test('a thumbnail too small for the legend in its corner has it in a band below', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const path = join(out, 'small.png');
    await engine.writeThumbnail({ slideId, spec: { kind: 'size', longestSide: 80 }, path, format: 'png', overwrite: false, annotations });
    const meta = await sharp(path).metadata();
    // The 60 x 80 thumbnail, then the legend: wider and taller than it.
    assert.ok((meta.height ?? 0) > 80 && (meta.width ?? 0) > 60, `${meta.width} x ${meta.height}`);
    const band = { left: 0, top: 80, width: meta.width ?? 0, height: (meta.height ?? 0) - 80 };
    assert.ok((await countColor(path, band, TUMOR)) >= 144, 'the Tumor swatch below');
    assert.ok((await countColor(path, band, STROMA)) >= 144, 'the Stroma swatch below');
  });

  test("the legend names QuPath's classes in the language main gives (the app's Korean), else as stored", async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const spec = { kind: 'size', longestSide: 80 } as const;
    const stored = join(out, 'legend-stored.png');
    const korean = join(out, 'legend-ko.png');
    await engine.writeThumbnail({ slideId, spec, path: stored, format: 'png', overwrite: false, annotations });
    await engine.writeThumbnail({ slideId, spec, path: korean, format: 'png', overwrite: false, annotations, legend: legendLabels(createTranslator('ko').t) });
    // '종양 (Tumor)' and '기질 (Stroma)' are wider than 'Tumor' and 'Stroma': so is the band below.
    const [a, b] = await Promise.all([sharp(stored).metadata(), sharp(korean).metadata()]);
    assert.ok((b.width ?? 0) > (a.width ?? 0) + 20, `${a.width} -> ${b.width}`);
  });

  test('a field-of-view set: each panel drawn where the field shows it, one legend below the 2x2 composite', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const folder = await mkdtemp(join(out, 'set-'));
    // Centred on the rectangle's left edge (x 500) at mid-height: at 10x (downsample 2) the edge is the panel's middle column.
    const mode = { kind: 'field' as const, centerX: 500, centerY: 1500, panelWidth: 400, panelHeight: 300 };
    const written = await engine.writeComparison({ slideId, powers: [1.25, 2.5, 5, 10], mode, folder, format: 'png', overwrite: false, annotations });
    assert.equal(written.files.length, 5);
    const tenX = written.files.find((f) => f.endsWith('_10x.png'))!;
    assert.deepEqual(await pixelAt(tenX, 200, 150), TUMOR);
    const composite = written.files.find((f) => f.endsWith('_resolution_comparison.png'))!;
    const meta = await sharp(composite).metadata();
    const bottom = { left: 0, top: (meta.height ?? 0) - 60, width: 200, height: 60 };
    assert.ok((await countColor(composite, bottom, TUMOR)) >= 144, 'the legend below the panels');
  });

  test('a region at a power: the outline where it lies, a scale bar in its corner and the legend below', async () => {
    const { slideId, info } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const path = join(out, 'region.png');
    // At 10x (downsample 2) from (300, 900): the rectangle's left edge (x 500) is column 100, its top (y 1000) row 50.
    const region = { slideId, x: 300, y: 900, width: 400, height: 300, at: { kind: 'power' as const, objectivePower: 10 } };
    await engine.writeRegion({ ...region, path, format: 'png', overwrite: false, annotations, scaleBar: true });
    const meta = await sharp(path).metadata();
    assert.equal(meta.width, 400);
    assert.ok((meta.height ?? 0) > 300, 'the legend in a band below the region');
    assert.deepEqual(await pixelAt(path, 100, 150), TUMOR);
    assert.deepEqual(await pixelAt(path, 200, 50), TUMOR);
    const band = { left: 0, top: 300, width: 400, height: (meta.height ?? 0) - 300 };
    assert.ok((await countColor(path, band, TUMOR)) >= 144, 'the Tumor swatch below');
    // The scale bar: 100 µm at ~0.998 µm/px, a 4 px dark bar 16 px above the region's bottom-left badge.
    assert.equal(info.mpp?.x.toFixed(3), '0.499');
    const bar = { left: 16, top: 300 - 10 - 29, width: 100, height: 16 };
    assert.ok((await countColor(path, bar, [0x1f, 0x23, 0x28])) >= 4 * 90, 'the scale bar');
    // The clipboard's PNG of the same: the band below said in its size, the same pixels as the file.
    const copied = await engine.regionPng({ ...region, annotations, scaleBar: true });
    const decoded = await sharp(copied.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([copied.width, copied.height], [decoded.info.width, decoded.info.height]);
    assert.deepEqual([copied.width, copied.height], [meta.width, meta.height]);
    assert.ok(decoded.data.equals((await sharp(path).raw().toBuffer({ resolveWithObject: true })).data), 'the clipboard image is the file');
    // Plain, it is the region alone.
    const plain = join(out, 'region-plain.png');
    await engine.writeRegion({ ...region, path: plain, format: 'png', overwrite: false });
    assert.deepEqual([(await sharp(plain).metadata()).height, await countColor(plain, bar, [0x1f, 0x23, 0x28])], [300, 0]);
  });

  test('a region at a level, or on a slide without a pixel size, is refused a scale bar before anything is written', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const folder = await mkdtemp(join(out, 'refused-'));
    const base = { slideId, x: 0, y: 0, width: 64, height: 64, format: 'png' as const, overwrite: false };
    await assert.rejects(engine.writeRegion({ ...base, at: { kind: 'level', level: 0 }, path: join(folder, 'a.png'), scaleBar: true }), {
      code: 'INVALID_ARGUMENT',
      message: /objective power, not at a slide level/,
    });
    await assert.rejects(engine.writeRegion({ ...base, at: { kind: 'level', level: 0 }, path: join(folder, 'b.png'), annotations }), {
      code: 'INVALID_ARGUMENT',
    });
    const unscaled = await openSlide(engine, sharedSlide('openslide-python_boxes.tiff'));
    assert.equal(unscaled.info.mpp, null);
    await assert.rejects(
      engine.writeRegion({ ...base, slideId: unscaled.slideId, at: { kind: 'power', objectivePower: 1 }, path: join(folder, 'c.png'), scaleBar: true }),
      (error: { code?: string; message?: string }) =>
        error.code === 'INVALID_ARGUMENT' && /no (objective power|pixel size)|magnifications are unknown/.test(error.message ?? ''),
    );
    assert.deepEqual(await readdir(folder), []);
  });

  test('a bad annotation file is refused, naming its line, before anything is read or written', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const bad = join(out, 'bad.geojson');
    await writeFile(bad, '{"type":"FeatureCollection",\n"features":[}');
    const folder = await mkdtemp(join(out, 'none-'));
    await assert.rejects(
      engine.writeThumbnail({
        slideId,
        spec: { kind: 'size', longestSide: 100 },
        path: join(folder, 'x.png'),
        format: 'png',
        overwrite: false,
        annotations: bad,
      }),
      (error: { code?: string; message?: string; path?: string }) => error.code === 'CORRUPT_DATA' && /line 2/.test(error.message ?? '') && error.path === bad,
    );
    await assert.rejects(
      engine.writeThumbnail({
        slideId,
        spec: { kind: 'size', longestSide: 100 },
        path: join(folder, 'y.png'),
        format: 'png',
        overwrite: false,
        annotations: join(out, 'missing.geojson'),
      }),
      { code: 'NOT_FOUND' },
    );
    assert.deepEqual(await readdir(folder), []);
  });
});

describe('annotations drawn a band of rows at a time', () => {
  /** A gradient, so that a pixel drawn over twice, or left out at a band's edge, shows. */
  function gradient(width: number, height: number): RgbImage {
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.set([i % 251, (i >> 3) % 241, (i >> 7) % 239], i * 3);
    return { data, width, height, channels: 3 };
  }

  function marks(): AnnotationDocument {
    const doc = emptyDocument();
    const add = (classification: string | null, shape: AnnotationDocument['annotations'][number]['shape']) =>
      doc.annotations.push({ id: crypto.randomUUID(), name: '', description: '', classification, shape });
    // Edges on, just above and just below the 10-row bands' boundaries; a slanted line crossing many;
    // a point whose dot reaches into the band above its own; an ellipse and a polygon with a hole.
    add('Tumor', { kind: 'rectangle', x0: 20, y0: 40, x1: 150, y1: 69.5 });
    add('Stroma', { kind: 'line', points: [5, 19.2, 190, 131.7] });
    add('Stroma', { kind: 'line', points: [10, 100.6, 180, 100.6] });
    add(null, { kind: 'point', points: [60, 81, 120, 119.9, 199, 0] });
    add('Tumor', { kind: 'ellipse', x0: 40, y0: 61.7, x1: 160, y1: 128.3 });
    add('Necrosis', {
      kind: 'polygon',
      polygons: [
        [
          [30, 120, 170, 121, 160, 148, 35, 149],
          [60, 128, 90, 128, 90, 140, 60, 140],
        ],
      ],
    });
    return doc;
  }

  test('the bands come out as the whole image drawn at once, drawn into the pixels only when told', async () => {
    const image = gradient(200, 150);
    const before = new Uint8Array(image.data);
    const view = { x: 0, y: 0, scaleX: 1, scaleY: 1 };
    const whole = await burnAnnotations(image, marks(), view, { bandPixels: 200 * 150 });
    const banded = await burnAnnotations(image, marks(), view, { bandPixels: 200 * 10 });
    assert.deepEqual(image.data, before, "a copy unless told: the caller's pixels as they were");
    assert.notDeepEqual(whole.image.data, before, 'the annotations were drawn');
    assert.deepEqual(banded.drawn, new Set(['Tumor', 'Stroma', null, 'Necrosis']));
    let differ = 0;
    for (let i = 0; i < whole.image.data.length; i++) if (whole.image.data[i] !== banded.image.data[i]) differ++;
    assert.equal(differ, 0, 'bands of 10 rows differ from the whole in this many bytes');
    const own = await burnAnnotations(image, marks(), view, { inPlace: true, bandPixels: 200 * 7 });
    assert.equal(own.image.data, image.data, 'drawn into the pixels given');
    assert.deepEqual(image.data, whole.image.data);
  });

  test('the legend and the scale bar are drawn into the pixels given when told, into a copy otherwise', async () => {
    const image = gradient(300, 200);
    const before = new Uint8Array(image.data);
    const legend = { data: Buffer.alloc(40 * 30 * 4, 255), width: 40, height: 30 };
    const copied = await withLegend(image, legend);
    assert.deepEqual(image.data, before);
    // White from the legend's corner (8, 200 - 30 - 8), the gradient beside it.
    const at = (img: RgbImage, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
    assert.deepEqual(at(copied, 8, 162), [255, 255, 255]);
    assert.deepEqual(at(copied, 48, 162), at(image, 48, 162));
    const own = await withLegend(image, legend, true);
    assert.equal(own.data, image.data);
    assert.deepEqual(image.data, copied.data);
    const barred = await withScaleBar(image, 1, true);
    assert.equal(barred.data, image.data);
    assert.notDeepEqual(image.data, copied.data, 'the scale bar drawn in');
  });
});
