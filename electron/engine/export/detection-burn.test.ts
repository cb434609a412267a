// QuPath's detections drawn into exports of CMU-1-Small-Region (2220 x 2967), read back with sharp:
// outlines at a region's scale, a pixel a cell at a thumbnail's, under the annotations, one legend.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { readGeoJsonDetections } from '../../../shared/detection-geojson';
import { DETECTION_FILL_ALPHA, type DetectionDrawing } from '../../../shared/detections';
import { boxPolygon } from '../../../testing/annotation-samples';
import { openSlide } from '../../../testing/open-slide';
import { sharedSlide } from '../../../testing/paths';
import { SlideEngine } from '../engine';
import { burnDetections } from './detection-burn';

const TUMOR: [number, number, number] = [200, 0, 0];
const IMMUNE: [number, number, number] = [160, 90, 160];

/** A square cell of side `side` at (x, y), with a nucleus half its size in its middle. */
function cell(x: number, y: number, side: number, cls: { name: string; color: number[] }): object {
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: boxPolygon(x, y, side) },
    nucleusGeometry: { type: 'Polygon', coordinates: boxPolygon(x + side / 4, y + side / 4, side / 2) },
    properties: { objectType: 'cell', classification: cls, measurements: { 'Nucleus: Area': (side * side) / 4 } },
  };
}

async function pixels(file: string): Promise<{ at: (x: number, y: number) => number[]; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { at: (x, y) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)], width: info.width, height: info.height };
}

describe('detections burned into exports', () => {
  const engine = new SlideEngine();
  let out: string;
  let detections: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'slidescope-detections-'));
    detections = join(out, 'cells.geojson');
    const features = [cell(1000, 1000, 40, { name: 'Tumor', color: TUMOR }), cell(1100, 1000, 40, { name: 'Immune cells', color: IMMUNE })];
    // A grid of small tumour cells over the slide's lower half, for the thumbnail.
    for (let y = 2000; y < 2900; y += 50) for (let x = 100; x < 2100; x += 50) features.push(cell(x, y, 12, { name: 'Tumor', color: TUMOR }));
    await writeFile(detections, JSON.stringify({ type: 'FeatureCollection', features }));
  });
  after(async () => {
    await engine.closeAll();
    await rm(out, { recursive: true, force: true });
  });
  /** 400 x 300 at 20x from (980, 980), with the cells. */
  const writeCellsRegion = (slideId: string, path: string) =>
    engine.writeRegion({
      slideId,
      x: 980,
      y: 980,
      width: 400,
      height: 300,
      at: { kind: 'power', objectivePower: 20 },
      path,
      format: 'png',
      overwrite: false,
      detections,
    });

  test('a region at 20x: each cell its outline and nucleus in its class colour, the slide inside, a legend of the two classes', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const path = join(out, 'region.png');
    // At 20x (downsample 1) from (980, 980): the tumour cell's outline is columns and rows 20 to 60, its nucleus 30 to 50.
    await writeCellsRegion(slideId, path);
    const image = await pixels(path);
    assert.deepEqual(image.at(20, 40), TUMOR, "the outline's left edge");
    assert.deepEqual(image.at(40, 60), TUMOR, "the outline's bottom edge");
    assert.deepEqual(image.at(30, 40), TUMOR, "the nucleus's left edge");
    assert.notDeepEqual(image.at(25, 40), TUMOR, 'between them, the slide');
    assert.deepEqual(image.at(120, 40), IMMUNE, 'the other cell, in its class colour');
    let legendTumour = 0;
    let legendImmune = 0;
    // The legend in the bottom-left corner.
    for (let y = 200; y < image.height; y++)
      for (let x = 0; x < 200; x++) {
        const p = image.at(x, y).join();
        if (p === TUMOR.join()) legendTumour++;
        if (p === IMMUNE.join()) legendImmune++;
      }
    assert.ok(legendTumour >= 144 && legendImmune >= 144, `swatches ${legendTumour}, ${legendImmune}`);
  });

  test('a thumbnail: a cell smaller than two pixels is one pixel of its colour, where it lies; none elsewhere', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const path = join(out, 'thumb.png');
    // 2967 px high to 300: a scale of ~0.101; the 12 px cells are ~1.2 px.
    await engine.writeThumbnail({ slideId, spec: { kind: 'size', longestSide: 300 }, path, format: 'png', overwrite: false, detections });
    const image = await pixels(path);
    const scale = 300 / 2967;
    const tumourIn = (y0: number, y1: number) => {
      let n = 0;
      for (let y = Math.floor(y0 * scale); y < Math.floor(y1 * scale); y++)
        for (let x = 150; x < image.width; x++) if (image.at(x, y).join() === TUMOR.join()) n++;
      return n;
    };
    // Right of the legend (bottom-left): 18 rows of the 12 cells right of x 150 (level 0 ~1490), ~5 pixels apart, a pixel each.
    assert.equal(tumourIn(2000, 2900), 18 * 12);
    assert.equal(tumourIn(1100, 1900), 0, 'none where there are no cells (the two large ones lie above)');
  });

  test('a vertex far outside the image costs no steps: the outline is clipped before it is drawn', async () => {
    const set = readGeoJsonDetections(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [0, 0],
                  [2 ** 39, 5],
                  [0, 10],
                  [0, 0],
                ],
              ],
            },
            properties: { objectType: 'detection' },
          },
        ],
      }),
      '/x.geojson',
    );
    const image = { data: new Uint8Array(100 * 20 * 3), width: 100, height: 20, channels: 3 as const };
    const started = performance.now();
    const { image: drawn } = await burnDetections(image, set, { x: 0, y: 0, scaleX: 1, scaleY: 1 });
    assert.ok(performance.now() - started < 1000, 'not 2^39 steps');
    const at = (x: number, y: number) => [...drawn.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    assert.deepEqual(
      [at(50, 0), at(50, 10), at(50, 5)],
      [
        [255, 0, 0],
        [255, 0, 0],
        [0, 0, 0],
      ],
      'the long edges cross the image, clipped',
    );
  });

  test("a ring-shaped detection's hole is outlined as the app outlines it, its inside left as the slide; a hole of one position is no hole", async () => {
    const ring = (x: number, y: number, side: number) => boxPolygon(x, y, side)[0]!;
    const set = readGeoJsonDetections(
      JSON.stringify([
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring(10, 10, 60), ring(30, 30, 20), [[20, 60]]] },
          properties: { objectType: 'detection' },
        },
      ]),
      '/ring.geojson',
    );
    const image = { data: new Uint8Array(100 * 100 * 3), width: 100, height: 100, channels: 3 as const };
    const { image: drawn } = await burnDetections(image, set, { x: 0, y: 0, scaleX: 1, scaleY: 1 });
    const at = (x: number, y: number) => [...drawn.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    const red = [255, 0, 0];
    const slide = [0, 0, 0];
    assert.deepEqual(at(10, 40), red, "the outer ring's left edge");
    assert.deepEqual(at(30, 40), red, "the hole's left edge");
    assert.deepEqual(at(50, 40), red, "the hole's right edge");
    assert.deepEqual([at(20, 40), at(40, 40), at(60, 40)], [slide, slide, slide], 'between the rings and inside the hole: the slide');
    assert.deepEqual(at(20, 60), slide, 'a hole of one position: not drawn as a point');
  });

  test('filled as the view fills them: the area at 0.45 under an opaque outline, the hole empty; the layer at its opacity, each pixel blended once; nuclei left out when the view hides them', async () => {
    const ring = (x: number, y: number, side: number) => boxPolygon(x, y, side)[0]!;
    const set = readGeoJsonDetections(
      JSON.stringify([
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring(10, 10, 60), ring(30, 30, 20)] },
          properties: { objectType: 'detection' },
        },
        // Crossing the first's left edge: a pixel on both outlines.
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring(0, 20, 20)] }, properties: { objectType: 'detection' } },
        cell(80, 80, 16, { name: 'Tumor', color: TUMOR }),
      ]),
      '/ring.geojson',
    );
    const grey = 100;
    const image = { data: new Uint8Array(100 * 100 * 3).fill(grey), width: 100, height: 100, channels: 3 as const };
    const view = { x: 0, y: 0, scaleX: 1, scaleY: 1 };
    const burn = async (drawing: DetectionDrawing) => {
      const { image: drawn } = await burnDetections(image, set, view, { drawing });
      return (x: number, y: number) => [...drawn.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    };
    const mix = (alpha: number) => [Math.round(grey + (255 - grey) * alpha), Math.round(grey * (1 - alpha)), Math.round(grey * (1 - alpha))];
    const filled = await burn({ style: 'fill', nuclei: true, opacity: 1 });
    assert.deepEqual(filled(10, 50), [255, 0, 0], 'the outline, opaque');
    assert.deepEqual(filled(25, 50), mix(DETECTION_FILL_ALPHA), 'between the rings: filled');
    assert.deepEqual(filled(40, 40), [grey, grey, grey], 'inside the hole: the slide');
    assert.deepEqual(filled(5, 90), [grey, grey, grey], 'outside every detection: the slide');
    assert.deepEqual(filled(84, 88), [200, 0, 0], "the cell's nucleus outlined over its fill");
    const faint = await burn({ style: 'fill', nuclei: false, opacity: 0.5 });
    assert.deepEqual(faint(10, 50), mix(0.5), 'the outline at the opacity');
    assert.deepEqual(faint(10, 20), mix(0.5), 'a pixel on two outlines blended once');
    assert.deepEqual(faint(25, 50), mix(DETECTION_FILL_ALPHA * 0.5), 'the fill at the opacity');
    assert.deepEqual(
      faint(84, 88),
      mix(DETECTION_FILL_ALPHA * 0.5).map((v, k) => (k === 0 ? Math.round(grey + (200 - grey) * DETECTION_FILL_ALPHA * 0.5) : v)),
      'no nucleus: the fill',
    );
    const outlined = await burn({ style: 'outline', nuclei: true, opacity: 0.5 });
    assert.deepEqual([outlined(10, 20), outlined(25, 50)], [mix(0.5), [grey, grey, grey]], 'outlines only, each pixel once');
  });

  test("points (TIAToolbox's nuclei, QuPath's point detections) are circles of 3 pixels' radius at any scale, as the view draws them; filled, their discs", async () => {
    const set = readGeoJsonDetections(
      JSON.stringify([
        { type: 'Feature', geometry: { type: 'Point', coordinates: [2000, 2000] }, properties: { objectType: 'detection' } },
        {
          type: 'Feature',
          geometry: {
            type: 'MultiPoint',
            coordinates: [
              [1000, 6000],
              [6000, 6000],
            ],
          },
          properties: { objectType: 'detection' },
        },
      ]),
      '/points.geojson',
    );
    const image = { data: new Uint8Array(100 * 100 * 3), width: 100, height: 100, channels: 3 as const };
    // A thumbnail's scale: a hundredth.
    const view = { x: 0, y: 0, scaleX: 0.01, scaleY: 0.01 };
    const burn = async (drawing?: DetectionDrawing) => {
      const { image: drawn } = await burnDetections(image, set, view, drawing ? { drawing } : {});
      return (x: number, y: number) => [...drawn.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    };
    const red = [255, 0, 0];
    const at = await burn();
    for (const [x, y] of [
      [20, 20],
      [10, 60],
      [60, 60],
    ] as const) {
      assert.deepEqual([at(x + 3, y), at(x - 3, y), at(x, y + 3), at(x, y - 3), at(x + 2, y + 2)], [red, red, red, red, red], `the circle round ${x},${y}`);
      assert.deepEqual(at(x, y), [0, 0, 0], 'inside it, the slide');
    }
    assert.deepEqual(at(35, 60), [0, 0, 0], "a multipoint's points apart, nothing between them");
    const filled = await burn({ style: 'fill', nuclei: true, opacity: 1 });
    assert.deepEqual(filled(20, 20), [Math.round(255 * DETECTION_FILL_ALPHA), 0, 0], 'filled: the disc under the circle');
    assert.deepEqual(filled(23, 20), red);
  });

  test('an export drawing many detections is cancelled while it draws, and the thread answers meanwhile (a lane silent 15 s is restarted)', async () => {
    const features = [];
    for (let y = 0; y < 4000; y += 20) for (let x = 0; x < 4000; x += 20) features.push(cell(x, y, 16, { name: 'Tumor', color: TUMOR }));
    const set = readGeoJsonDetections(JSON.stringify(features), '/many.geojson');
    const image = { data: new Uint8Array(4000 * 4000 * 3), width: 4000, height: 4000, channels: 3 as const };
    const view = { x: 0, y: 0, scaleX: 1, scaleY: 1 };
    let started = performance.now();
    await burnDetections(image, set, view);
    const whole = performance.now() - started;
    // Aborted at the first turn of the event loop the drawing gives: drawn whole at once, it would resolve.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    started = performance.now();
    await assert.rejects(async () => burnDetections(image, set, view, { signal: controller.signal }), { code: 'CANCELLED' });
    assert.ok(performance.now() - started < whole, `cancelled after ${Math.round(performance.now() - started)} ms of a ${Math.round(whole)} ms drawing`);
  });

  test("one detection's fill is cancelled while it fills, and the thread answers meanwhile: a tissue outline of 20,000 vertices over a 3000 x 3000 export", async () => {
    const [side, vertices] = [3000, 20_000];
    const ring = Array.from({ length: vertices + 1 }, (_, k) => {
      const angle = (2 * Math.PI * k) / vertices;
      return [side / 2 + (side / 2) * Math.cos(angle), side / 2 + (side / 2) * Math.sin(angle)];
    });
    const set = readGeoJsonDetections(
      JSON.stringify([{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { objectType: 'detection' } }]),
      '/tissue.geojson',
    );
    const image = { data: new Uint8Array(side * side * 3), width: side, height: side, channels: 3 as const };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    const drawing: DetectionDrawing = { style: 'fill', nuclei: true, opacity: 1 };
    // Filled whole without a turn of the event loop, it would resolve.
    await assert.rejects(async () => burnDetections(image, set, { x: 0, y: 0, scaleX: 1, scaleY: 1 }, { signal: controller.signal, drawing }), {
      code: 'CANCELLED',
    });
  });

  test("drawn into a region's own pixels, never the engine's: the slide reads the same after; another caller's image is copied unless told", async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const read = async () => Buffer.from((await engine.readRegion({ slideId, level: 0, x: 980, y: 980, width: 400, height: 300 })).data);
    const before = await read();
    await writeCellsRegion(slideId, join(out, 'in-place.png'));
    assert.deepEqual((await pixels(join(out, 'in-place.png'))).at(20, 40), TUMOR, 'the export has its cells');
    assert.ok((await read()).equals(before), "the slide's pixels as they were");

    const set = readGeoJsonDetections(JSON.stringify([cell(10, 10, 40, { name: 'Tumor', color: TUMOR })]), '/one.geojson');
    const image = { data: new Uint8Array(100 * 100 * 3), width: 100, height: 100, channels: 3 as const };
    const view = { x: 0, y: 0, scaleX: 1, scaleY: 1 };
    const copied = await burnDetections(image, set, view);
    assert.notEqual(copied.image.data, image.data);
    assert.ok(
      image.data.every((v) => v === 0),
      'a copy drawn: the image as it was',
    );
    const own = await burnDetections(image, set, view, { inPlace: true });
    assert.equal(own.image.data, image.data);
    assert.deepEqual([...image.data.subarray((10 * 100 + 10) * 3, (10 * 100 + 10) * 3 + 3)], TUMOR);
  });

  test('a bad detections file is refused, naming it, before anything is written', async () => {
    const { slideId } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const bad = join(out, 'lines.geojson');
    await writeFile(
      bad,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: {
              type: 'LineString',
              coordinates: [
                [0, 0],
                [1, 1],
              ],
            },
            properties: { objectType: 'detection' },
          },
        ],
      }),
    );
    const folder = await mkdtemp(join(out, 'none-'));
    await assert.rejects(
      engine.writeThumbnail({
        slideId,
        spec: { kind: 'size', longestSide: 100 },
        path: join(folder, 'x.png'),
        format: 'png',
        overwrite: false,
        detections: bad,
      }),
      (error: { code?: string; message?: string; path?: string }) =>
        error.code === 'CORRUPT_DATA' && /Feature 1/.test(error.message ?? '') && error.path === bad,
    );
    await assert.rejects(
      engine.writeRegion({
        slideId,
        x: 0,
        y: 0,
        width: 10,
        height: 10,
        at: { kind: 'level', level: 0 },
        path: join(folder, 'y.png'),
        format: 'png',
        overwrite: false,
        detections,
      }),
      { code: 'INVALID_ARGUMENT' },
    );
    assert.deepEqual(await readdir(folder), []);
  });
});
