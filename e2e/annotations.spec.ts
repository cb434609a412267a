// Annotations from the UI: each tool drawn with the mouse on CMU-1-Small-Region (0.499 µm/px) at 1:1,
// its measurement read from the label, the file saved beside the slide, reloaded and seen back;
// exported as GeoJSON and compared with what was drawn; burned into an exported thumbnail and read
// back with sharp; drawn in the grid's cells; and the frame time with 10,000 polygons.

import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { readGeoJson, writeGeoJson } from '../shared/annotation-geojson';
import { type AnnotationDocument, emptyDocument } from '../shared/annotations';
import { copySlideForEachTest, expect, slidePath, test } from './fixtures';
import { containerSize, currentImageZoom, imageOriginOnScreen, setExactView, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';
/** The view's top-left corner, level-0 pixels, shown at 1:1. */
const ORIGIN = { x: 200, y: 300 };

let dir: string;
let slide: string;
copySlideForEachTest(CMU, 'annotations', (copy) => {
  dir = copy.dir;
  slide = copy.path;
});

/** CMU at 1:1, a Tumor rectangle drawn over level-0 (500, 600)-(900, 900) and left selected. */
async function drawTumorBox(page: Page, drop: (paths: string[]) => Promise<void>): Promise<void> {
  const at = await openAtOneToOne(page, drop);
  await page.getByTestId('active-class').selectOption('Tumor');
  await page.keyboard.press('b');
  await drag(page, at(500, 600), at(900, 900));
}

/** Opens the copy at 1:1 with ORIGIN at the top-left: a CSS pixel of the view is a level-0 pixel. The list, if wanted, first: it narrows the view. */
async function openAtOneToOne(page: Page, drop: (paths: string[]) => Promise<void>, list = false): Promise<(x: number, y: number) => { x: number; y: number }> {
  await drop([slide]);
  await waitForTiles(page);
  if (list) {
    await page.keyboard.press('a');
    await expect(page.getByTestId('annotation-panel')).toBeVisible();
  }
  const host = page.getByTestId('osd-host');
  // OpenSeadragon notices a resized container on its next frame; a view set before that is refitted.
  await expect
    .poll(async () => {
      const box = await host.boundingBox();
      const size = await containerSize(page);
      return box !== null && Math.round(box.width) === Math.round(size.x) && Math.round(box.height) === Math.round(size.y);
    })
    .toBe(true);
  await setExactView(page, { ...ORIGIN, imageZoom: 1 });
  await waitForTiles(page);
  expect(await currentImageZoom(page)).toBeCloseTo(1, 6);
  const origin = await imageOriginOnScreen(page);
  expect(origin.x).toBeCloseTo(ORIGIN.x, 3);
  expect(origin.y).toBeCloseTo(ORIGIN.y, 3);
  const box = await host.boundingBox();
  if (!box) throw new Error('no viewer on screen');
  // Level-0 (x, y) to page coordinates.
  return (x, y) => ({ x: box.x + x - ORIGIN.x, y: box.y + y - ORIGIN.y });
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 8): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

test('each tool drawn with the mouse: measurements, saved beside the slide, back after a reload', async ({ host }, testInfo) => {
  const { page } = host;
  const at = await openAtOneToOne(page, (paths) => host.drop(paths));
  const label = page.getByTestId('annotation-measure');

  // Ruler: 100 px across at 0.499 µm/px, live while dragging.
  await page.getByTestId('tool-ruler').click();
  await page.mouse.move(at(400, 400).x, at(400, 400).y);
  await page.mouse.down();
  await page.mouse.move(at(450, 400).x, at(450, 400).y, { steps: 4 });
  await expect(label).toHaveText('Length 24.95 µm');
  await page.mouse.move(at(500, 400).x, at(500, 400).y, { steps: 4 });
  await expect(label).toHaveText('Length 49.9 µm');
  await page.mouse.up();
  await expect(label).toHaveText('Length 49.9 µm');

  // Rectangle of class Tumor: 200 x 100 px = 99.8 x 49.9 µm.
  await page.getByTestId('active-class').selectOption('Tumor');
  await page.keyboard.press('b');
  await drag(page, at(300, 500), at(500, 600));
  await expect(label).toHaveText('Area 4980 µm² · Perimeter 299.4 µm');

  // Ellipse: a 200 px circle, r = 49.9 µm.
  await page.getByTestId('active-class').selectOption('Stroma');
  await page.keyboard.press('e');
  await drag(page, at(600, 400), at(800, 600));
  await expect(label).toHaveText('Area 7823 µm² · Perimeter 313.5 µm');

  // Polygon: a right triangle of 200 px legs, closed by a double-click on its last vertex.
  await page.keyboard.press('p');
  await page.mouse.click(at(300, 700).x, at(300, 700).y);
  await page.mouse.click(at(500, 700).x, at(500, 700).y);
  await page.mouse.dblclick(at(300, 900).x, at(300, 900).y);
  await expect(label).toHaveText('Area 4980 µm² · Perimeter 340.7 µm');

  // Freehand: a square stroke of 100 px sides.
  await page.keyboard.press('d');
  await page.mouse.move(at(700, 700).x, at(700, 700).y);
  await page.mouse.down();
  for (const [x, y] of [
    [800, 700],
    [800, 800],
    [700, 800],
    [700, 701],
  ] as const) {
    await page.mouse.move(at(x, y).x, at(x, y).y, { steps: 10 });
  }
  await page.mouse.up();
  await expect(label).toHaveText(/^Area 24\d\d µm² · Perimeter 19\d\.\d µm$/);

  // Points: one click each.
  await page.keyboard.press('.');
  await page.mouse.click(at(900, 450).x, at(900, 450).y);
  await expect(label).toHaveText('1 point');

  // The list: six annotations, their measurements, counts per class.
  await page.keyboard.press('a');
  const panel = page.getByTestId('annotation-panel');
  await expect(panel.getByTestId('annotation-row')).toHaveCount(6);
  await expect(panel.getByTestId('annotation-row-measure')).toHaveText([
    'Length 49.9 µm',
    'Area 4980 µm² · Perimeter 299.4 µm',
    'Area 7823 µm² · Perimeter 313.5 µm',
    'Area 4980 µm² · Perimeter 340.7 µm',
    /^Area 24\d\d µm²/,
    '1 point',
  ]);
  await expect(panel.getByTestId('summary-Tumor')).toContainText('Tumor1');
  await expect(panel.getByTestId('annotation-save')).toHaveAttribute('data-state', 'saved');
  await expect(panel.getByTestId('annotation-save')).toHaveText(`Saved beside the slide as ${CMU}.annotations.geojson`);
  await page.screenshot({ path: testInfo.outputPath('annotations.png') });
  const saved = JSON.parse(await readFile(`${slide}.annotations.geojson`, 'utf8'));
  expect(saved.features.map((f: { geometry: { type: string } }) => f.geometry.type)).toEqual([
    'LineString',
    'Polygon',
    'Polygon',
    'Polygon',
    'Polygon',
    'MultiPoint',
  ]);
  expect(saved.features[0].geometry.coordinates).toEqual([
    [400, 400],
    [500, 400],
  ]);

  // Exported as GeoJSON: what was drawn, to the pixel, QuPath's way.
  const exported = join(dir, 'exported.geojson');
  host.main.annotationDialogs.exportPath = exported;
  await panel.getByTestId('annotation-export-geojson').click();
  await expect
    .poll(() =>
      stat(exported).then(
        () => true,
        () => false,
      ),
    )
    .toBe(true);
  const json = JSON.parse(await readFile(exported, 'utf8'));
  expect(json.type).toBe('FeatureCollection');
  expect({ ...json.features[1], id: 'id' }).toEqual({
    type: 'Feature',
    id: 'id',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [300, 500],
          [500, 500],
          [500, 600],
          [300, 600],
          [300, 500],
        ],
      ],
    },
    properties: { objectType: 'annotation', classification: { name: 'Tumor', color: [200, 0, 0] } },
  });
  const shapes = readGeoJson(await readFile(exported, 'utf8'), { newId: () => 'unused' }).annotations.map((a) => [a.classification, a.shape]);
  expect(shapes.filter(([, shape]) => (shape as { kind: string }).kind !== 'freehand')).toEqual([
    [null, { kind: 'line', points: [400, 400, 500, 400] }],
    ['Tumor', { kind: 'rectangle', x0: 300, y0: 500, x1: 500, y1: 600 }],
    ['Stroma', { kind: 'ellipse', x0: 600, y0: 400, x1: 800, y1: 600 }],
    ['Stroma', { kind: 'polygon', polygons: [[[300, 700, 500, 700, 300, 900]]] }],
    ['Stroma', { kind: 'point', points: [900, 450] }],
  ]);

  // A measurement table: a row each, the Tumor rectangle's 200 x 100 px at 0.499 µm/px.
  const table = join(dir, 'measured.csv');
  host.main.annotationDialogs.exportPath = table;
  await panel.getByTestId('annotation-export-csv').click();
  await expect(page.getByText('Annotations exported to measured.csv')).toBeVisible();
  expect(host.main.annotationDialogs.calls.at(-1)).toMatchObject({
    dialog: 'export',
    format: 'csv',
    defaultPath: expect.stringMatching(/_measurements\.csv$/),
  });
  const rows = (await readFile(table, 'utf8'))
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(rows[0]).toContain('Parent,ROI,Centroid X µm,Centroid Y µm,Num points,Area µm^2,Perimeter µm,Length µm');
  expect(rows).toHaveLength(7);
  // QuPath's columns: ..., Classification, Parent (no annotation holds it: the image), ROI, centroids, Num points, Area.
  const header = rows[0]!.split(',');
  const rectangle = rows.find((row) => row.includes(',Tumor,Image,Rectangle,'))!.split(',');
  expect(Number(rectangle[header.indexOf('Area µm^2')])).toBeCloseTo(200 * 100 * 0.499 * 0.499, 1);
  expect(Number(rectangle[header.indexOf('Centroid X µm')])).toBeCloseTo(400 * 0.499, 1);

  // Reload the window and open the slide again: the same six.
  await page.reload();
  await host.drop([slide]);
  await waitForTiles(page);
  await page.keyboard.press('a');
  await expect(page.getByTestId('annotation-row')).toHaveCount(6);
  await expect(page.getByTestId('annotation-row-measure').first()).toHaveText('Length 49.9 µm');
  expect((await stat(`${slide}.annotations.geojson`)).isFile()).toBe(true);
});

test('an exported thumbnail with the annotations drawn in: the class colour where the rectangle lies, its legend', async ({ host }) => {
  const { page } = host;
  await drawTumorBox(page, (paths) => host.drop(paths));
  await page.getByTestId('cmd-export').click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByTestId('thumb-kind-size').check();
  await dialog.getByTestId('thumb-size').fill('1000');
  await dialog.getByTestId('export-annotations').check();
  const thumbnail = join(dir, 'thumbnail.png');
  host.main.exportAnswers.thumbnailPath = thumbnail;
  await dialog.getByTestId('export-thumbnail').click();
  await expect(dialog.getByTestId('export-status')).toHaveAttribute('data-status', 'done');
  const { data, info } = await sharp(thumbnail).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([748, 1000]);
  const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  // Level-0 x 500 is at 168.5 of 748; y 750 at 252.8 of 1000.
  expect(pixel(168, 252)).toEqual([200, 0, 0]);
  expect(pixel(250, 252)).not.toEqual([200, 0, 0]);
  // The legend's Tumor swatch in the bottom-left corner.
  let swatch = 0;
  for (let y = 920; y < 1000; y++) for (let x = 0; x < 200; x++) if (pixel(x, y).join() === '200,0,0') swatch++;
  expect(swatch).toBeGreaterThanOrEqual(144);
});

test('a region export: the selected annotation or the view, at a magnification, with the annotations and a scale bar', async ({ host }) => {
  const { page } = host;
  await drawTumorBox(page, (paths) => host.drop(paths));
  await page.getByTestId('cmd-export').click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByTestId('export-kind-region').click();
  // The rectangle just drawn is selected: its bounds are the region, at the view's magnification (1:1 of a 20x scan).
  await expect(dialog.getByTestId('region-selection')).toBeChecked();
  await expect(dialog.getByText('The selected annotation, Rectangle: 400 × 300 px at (500, 600)')).toBeVisible();
  await expect(dialog.getByTestId('region-power')).toHaveValue('20x');
  await expect(dialog.getByTestId('region-summary')).toHaveText('400 × 300 px · 20x · 0.50 µm/px');
  await expect(dialog.getByTestId('region-scale-bar')).toBeChecked();
  await dialog.getByTestId('region-power').fill('60x');
  await expect(dialog.getByTestId('region-error')).toContainText('beyond');
  await expect(dialog.getByTestId('export-region')).toBeDisabled();
  await dialog.getByTestId('region-power').fill('10x');
  await expect(dialog.getByTestId('region-summary')).toHaveText('200 × 150 px · 10x · 1.00 µm/px');
  await dialog.getByTestId('export-annotations').check();
  const file = join(dir, 'region.png');
  host.main.exportAnswers.thumbnailPath = file;
  await dialog.getByTestId('export-region').click();
  await expect(dialog.getByTestId('export-status')).toHaveAttribute('data-status', 'done');
  expect(host.main.exportDialogs.at(-1)).toEqual({ dialog: 'thumbnail', defaultPath: join(dir, 'CMU-1-Small-Region_10x_x500_y600.png'), format: 'png' });
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // The region, then its legend in a band below (the scale bar has the corner).
  expect(info.width).toBe(200);
  expect(info.height).toBeGreaterThan(150);
  const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  expect(pixel(0, 75)).toEqual([200, 0, 0]);
  expect(pixel(100, 75)).not.toEqual([200, 0, 0]);
  // The scale bar, at most a third of the width: 50 µm, 50 px.
  let bar = 0;
  for (let y = 100; y < 150; y++) for (let x = 10; x < 120; x++) if (pixel(x, y).join() === '31,35,40') bar++;
  expect(bar).toBeGreaterThanOrEqual(4 * 45);

  // The view: what the single view shows of the slide (its top-left's level-0 pixel on, cut where the slide ends).
  const origin = await imageOriginOnScreen(page);
  const zoom = await currentImageZoom(page);
  const shown = await containerSize(page);
  const x0 = Math.max(0, Math.floor(origin.x + 1e-6));
  const y0 = Math.max(0, Math.floor(origin.y + 1e-6));
  const width = Math.min(2220, Math.ceil(origin.x + shown.x / zoom - 1e-6)) - x0;
  const height = Math.min(2967, Math.ceil(origin.y + shown.y / zoom - 1e-6)) - y0;
  await dialog.getByTestId('region-view').check();
  await expect(dialog.getByText(`The view: ${width.toLocaleString('en')} × ${height} px of the slide at (${x0}, ${y0})`)).toBeVisible();
  await dialog.getByTestId('region-power').fill('5');
  await dialog.getByTestId('export-annotations').uncheck();
  const view = join(dir, 'view.jpg');
  host.main.exportAnswers.thumbnailPath = view;
  await dialog.getByTestId('export-format').selectOption('jpeg');
  await dialog.getByTestId('export-region').click();
  await expect(dialog.getByTestId('export-status')).toHaveAttribute('data-status', 'done');
  const meta = await sharp(view).metadata();
  // At 5x of a 20x scan: a quarter of the level-0 size.
  expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', Math.round(width / 4), Math.round(height / 4)]);
});

test('Copy View puts on the clipboard what the Region export writes of the view, the annotations and scale bar drawn in', async ({ host }) => {
  const { page } = host;
  await drawTumorBox(page, (paths) => host.drop(paths));
  // The Region export of the view, as the copy makes it: its magnification, the annotations, a scale bar.
  await page.getByTestId('cmd-export').click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByTestId('export-kind-region').click();
  await dialog.getByTestId('region-view').check();
  await expect(dialog.getByTestId('region-power')).toHaveValue('20x');
  await expect(dialog.getByTestId('region-scale-bar')).toBeChecked();
  await dialog.getByTestId('export-annotations').check();
  const file = join(dir, 'view-region.png');
  host.main.exportAnswers.thumbnailPath = file;
  await dialog.getByTestId('export-region').click();
  await expect(dialog.getByTestId('export-status')).toHaveAttribute('data-status', 'done');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  const dialogsBefore = host.main.exportDialogs.length;
  await page.getByTestId('cmd-copy-view').click();
  const written = await sharp(file).metadata();
  await expect(page.getByText(`Copied the view: ${written.width!.toLocaleString('en')} × ${written.height!.toLocaleString('en')} px at 20x`)).toBeVisible();
  expect(host.main.clipboardImages).toHaveLength(1);
  expect(host.main.exportDialogs).toHaveLength(dialogsBefore);
  const raw = (input: Uint8Array | string) => sharp(input).raw().toBuffer();
  expect((await raw(host.main.clipboardImages[0]!)).equals(await raw(file))).toBe(true);

  // The grid has no one view to copy: it says so, and copies nothing.
  await page.keyboard.press('g');
  await expect(page.getByTestId('cmd-copy-view')).toHaveCount(0);
  await host.emit('app:menu-command', 'copy-view');
  await expect(page.getByText('Open a slide in the single view to copy what it shows')).toBeVisible();
  expect(host.main.clipboardImages).toHaveLength(1);
});

test('a rectangle drawn and its tab closed at once is stored, as is one drawn on a tab left just before', async ({ host }) => {
  const { page } = host;
  const at = await openAtOneToOne(page, (paths) => host.drop(paths));
  await page.keyboard.press('b');
  await drag(page, at(300, 500), at(500, 600));
  // Closed before the save's moment has come: the close waits for it.
  await page.getByRole('button', { name: `Close ${CMU}` }).click();
  await expect(page.getByTestId('welcome')).toBeVisible();
  const kinds = async () => readGeoJson(await readFile(`${slide}.annotations.geojson`, 'utf8'), { newId: () => 'unused' }).annotations.map((a) => a.shape.kind);
  await expect.poll(() => kinds().catch(() => [])).toEqual(['rectangle']);
  // Its engine handle went after the save, not before it.
  await expect.poll(() => host.invocationsOf('slide:close').length).toBe(1);
  const saveAt = host.invocations.findIndex((i) => i.channel === 'annotations:save');
  const closeAt = host.invocations.findIndex((i) => i.channel === 'slide:close');
  expect(saveAt).toBeGreaterThanOrEqual(0);
  expect(closeAt).toBeGreaterThan(saveAt);

  // Drawn, another slide shown (its session let go, saving), then closed from its tab.
  await openAtOneToOne(page, (paths) => host.drop(paths));
  await page.keyboard.press('b');
  await drag(page, at(600, 500), at(700, 600));
  await host.drop([slidePath('openslide-python_boxes.tiff')]);
  await page.getByRole('button', { name: `Close ${CMU}` }).click();
  await expect(page.getByRole('tab')).toHaveCount(1);
  await expect.poll(async () => readGeoJson(await readFile(`${slide}.annotations.geojson`, 'utf8'), { newId: () => 'unused' }).annotations.length).toBe(2);
});

test('the list filtered by a class follows the class when it is renamed', async ({ host }) => {
  const { page } = host;
  const at = await openAtOneToOne(page, (paths) => host.drop(paths), true);
  await page.getByTestId('active-class').selectOption('Tumor');
  await page.keyboard.press('b');
  await drag(page, at(300, 500), at(400, 560));
  await page.getByTestId('summary-Tumor').click();
  await expect(page.getByTestId('annotation-row')).toHaveCount(1);
  await page.getByTestId('class-editor').locator('summary').click();
  const name = page.getByRole('textbox', { name: 'Name of class Tumor', exact: true });
  await name.fill('종양');
  await name.press('Enter');
  await expect(page.getByTestId('summary-종양')).toHaveClass(/active/);
  await expect(page.getByTestId('annotation-row')).toHaveCount(1);
});

/** What the slide's stored file holds now (after the save the list says is done). */
async function stored(page: Page): Promise<AnnotationDocument> {
  await expect(page.getByTestId('annotation-save')).toHaveAttribute('data-state', 'saved');
  return readGeoJson(await readFile(`${slide}.annotations.geojson`, 'utf8'), { newId: () => 'unused' });
}

test('select, move, reshape, the right-click menu, delete, undo and redo; drawn and drawn on in every grid cell', async ({ host }) => {
  const { page } = host;
  const at = await openAtOneToOne(page, (paths) => host.drop(paths), true);
  const label = page.getByTestId('annotation-measure');
  await page.keyboard.press('b');
  await drag(page, at(300, 500), at(500, 600));
  await page.keyboard.press('v');
  await expect((await stored(page)).annotations[0]?.shape).toEqual({ kind: 'rectangle', x0: 300, y0: 500, x1: 500, y1: 600 });

  // Drag inside it: it moves.
  await drag(page, at(400, 550), at(450, 570));
  await expect.poll(async () => (await stored(page)).annotations[0]?.shape).toEqual({ kind: 'rectangle', x0: 350, y0: 520, x1: 550, y1: 620 });
  // Drag its bottom-right corner: 250 x 130 px = 124.75 x 64.87 µm.
  await drag(page, at(550, 620), at(600, 650));
  await expect(label).toHaveText('Area 8093 µm² · Perimeter 379.2 µm');
  await expect.poll(async () => (await stored(page)).annotations[0]?.shape).toEqual({ kind: 'rectangle', x0: 350, y0: 520, x1: 600, y1: 650 });

  // Undo twice, redo once: back where the move left it.
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await stored(page)).annotations[0]?.shape).toEqual({ kind: 'rectangle', x0: 300, y0: 500, x1: 500, y1: 600 });
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await stored(page)).annotations[0]?.shape).toEqual({ kind: 'rectangle', x0: 350, y0: 520, x1: 550, y1: 620 });

  // The right-click menu gives it a class.
  await page.mouse.click(at(360, 600).x, at(360, 600).y, { button: 'right' });
  const menu = page.getByTestId('annotation-menu');
  await expect(menu).toBeVisible();
  // Its keys are its own: the arrows move between its items, not the slide; a tool's letter changes no tool.
  const before = await imageOriginOnScreen(page);
  await expect(menu.getByTestId('menu-class-none')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitemradio').nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(menu.getByRole('menuitem', { name: 'Redo' })).toBeFocused();
  await page.keyboard.press('e');
  await expect(menu.getByTestId('menu-tool-select')).toHaveAttribute('aria-checked', 'true');
  expect(await imageOriginOnScreen(page)).toEqual(before);
  await menu.getByTestId('menu-class-Necrosis').click();
  await expect(menu).toHaveCount(0);
  await expect(page.getByTestId('summary-Necrosis')).toContainText('Necrosis1');

  // Delete, then undo.
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('annotation-row')).toHaveCount(0);
  await expect.poll(async () => (await stored(page)).annotations.length).toBe(0);
  await page.getByTestId('annotation-undo').click();
  await expect(page.getByTestId('annotation-row')).toHaveCount(1);

  // The grid: the rectangle in each of the four cells; a ruler drawn in one appears in all.
  await page.keyboard.press('g');
  await expect(page.getByTestId('grid-osd-3')).toHaveAttribute('data-ready', 'true');
  const necrosis = [50, 50, 50];
  const painted = () =>
    page.evaluate((rgb) => {
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid^="grid-osd-"] [data-testid="annotation-canvas"]')];
      return canvases.map((canvas) => {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 0; i < data.length; i += 4)
          if (data[i + 3]! > 60 && Math.abs(data[i]! - rgb[0]!) + Math.abs(data[i + 1]! - rgb[1]!) + Math.abs(data[i + 2]! - rgb[2]!) < 30) count++;
        return count;
      });
    }, necrosis);
  await expect.poll(async () => (await painted()).map((n) => n > 10)).toEqual([true, true, true, true]);
  const cell = await page.getByTestId('grid-osd-3').boundingBox();
  if (!cell) throw new Error('no grid cell');
  await page.keyboard.press('l');
  await drag(page, { x: cell.x + 40, y: cell.y + 40 }, { x: cell.x + 140, y: cell.y + 40 });
  await expect(page.getByTestId('annotation-row')).toHaveCount(2);
  // The 10x cell shows a level-0 pixel as half a CSS pixel: 100 CSS px are 200 level-0 px, 99.8 µm.
  await expect(page.getByTestId('annotation-row-measure').nth(1)).toHaveText('Length 99.8 µm');
});

/** 10,000 cells of 20 vertices on a 100 x 100 grid over the slide, as a cell-counting session leaves them. */
function cells(width: number, height: number): AnnotationDocument {
  const doc = emptyDocument();
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let row = 0; row < 100; row++) {
    for (let col = 0; col < 100; col++) {
      const cx = ((col + 0.5) * width) / 100;
      const cy = ((row + 0.5) * height) / 100;
      const ring: number[] = [];
      for (let k = 0; k < 20; k++) {
        const angle = (2 * Math.PI * k) / 20;
        const r = 6 + random() * 4;
        ring.push(Math.round((cx + r * Math.cos(angle)) * 100) / 100, Math.round((cy + r * Math.sin(angle)) * 100) / 100);
      }
      const id = `00000000-0000-4000-8000-${String(row * 100 + col).padStart(12, '0')}`;
      doc.annotations.push({
        id,
        name: '',
        description: '',
        classification: random() < 0.5 ? 'Positive' : 'Negative',
        shape: { kind: 'polygon', polygons: [[ring]] },
      });
    }
  }
  return doc;
}

interface FrameFigures {
  frames: number;
  /** The annotation layer's draw per frame (ms). */
  drawP50: number;
  drawP95: number;
  drawMax: number;
  /** Whole frames while panning: requestAnimationFrame to requestAnimationFrame (ms). */
  frameP50: number;
  frameP95: number;
}

/** Pans by dragging across the view while recording the layer's draw times and the frame intervals. */
async function panAndMeasure(page: Page, box: { x: number; y: number; width: number; height: number }): Promise<FrameFigures> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framing: boolean; __slidescopeE2E: { annotationOverlays: Array<{ drawTimes: number[] }> } };
    for (const overlay of w.__slidescopeE2E.annotationOverlays) overlay.drawTimes.length = 0;
    w.__frames = [];
    w.__framing = true;
    let last = performance.now();
    const tick = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__framing) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const y = box.y + box.height / 2;
  // Across and back: the second drag shows again what the first left (tiles cached, shapes the same).
  await page.mouse.move(box.x + box.width * 0.8, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.2, y + 40, { steps: 50 });
  await page.mouse.up();
  await page.mouse.move(box.x + box.width * 0.2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, y - 40, { steps: 50 });
  await page.mouse.up();
  const { draws, frames } = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framing: boolean; __slidescopeE2E: { annotationOverlays: Array<{ drawTimes: number[] }> } };
    w.__framing = false;
    return { draws: w.__slidescopeE2E.annotationOverlays.flatMap((o) => [...o.drawTimes]), frames: w.__frames.slice(1) };
  });
  const quantile = (list: number[], q: number) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(list.length * q))] ?? Number.NaN;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    frames: draws.length,
    drawP50: round(quantile(draws, 0.5)),
    drawP95: round(quantile(draws, 0.95)),
    drawMax: round(Math.max(...draws)),
    frameP50: round(quantile(frames, 0.5)),
    frameP95: round(quantile(frames, 0.95)),
  };
}

test('an import that would take the slide past its limits adds nothing and says so; what was there is still saved', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  // Two files of points, each in classes of its own: 600 and 500, more than the 1000 a slide may have together.
  const classed = (prefix: string, n: number) =>
    JSON.stringify({
      type: 'FeatureCollection',
      features: Array.from({ length: n }, (_, i) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [10 + i, 20] },
        properties: { objectType: 'annotation', classification: { name: `${prefix}${i}`, color: [i % 256, 0, 0] } },
      })),
    });
  const first = join(dir, 'first.geojson');
  const second = join(dir, 'second.geojson');
  await writeFile(first, classed('a', 600));
  await writeFile(second, classed('b', 500));
  await page.keyboard.press('a');
  host.main.annotationDialogs.importPath = first;
  await page.getByTestId('annotation-import').click();
  await expect(page.getByTestId('notice').last()).toContainText('Imported 600 annotations from first.geojson');
  await expect(page.getByTestId('annotation-save')).toHaveAttribute('data-state', 'saved');
  host.main.annotationDialogs.importPath = second;
  await page.getByTestId('annotation-import').click();
  await expect(page.getByTestId('notice').last()).toContainText('The annotations of second.geojson could not be imported');
  await expect(page.getByTestId('notice').last()).toContainText('more than a slide may hold: nothing was added');
  await expect(page.getByTestId('summary-all')).toHaveText('All classes600');
  await expect(page.getByTestId('annotation-save')).toHaveAttribute('data-state', 'saved');
  expect(readGeoJson(await readFile(`${slide}.annotations.geojson`, 'utf8'), { newId: () => 'unused' }).annotations).toHaveLength(600);
});

test('a file imported twice adds its annotations once, and the second import says they were there', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const few = cells(2220, 2967);
  const file = join(dir, 'three.geojson');
  await writeFile(file, writeGeoJson({ ...few, annotations: few.annotations.slice(0, 3) }));
  await page.keyboard.press('a');
  host.main.annotationDialogs.importPath = file;
  await page.getByTestId('annotation-import').click();
  await expect(page.getByTestId('notice').last()).toContainText('Imported 3 annotations from three.geojson');
  await expect(page.getByTestId('summary-all')).toHaveText('All classes3');
  await page.getByTestId('annotation-import').click();
  await expect(page.getByTestId('notice').last()).toContainText('Nothing new in three.geojson: its 3 annotations are there already');
  await expect(page.getByTestId('summary-all')).toHaveText('All classes3');
  // With one of QuPath's cell detections beside them: left out, and said to be.
  const withCell = JSON.parse(await readFile(file, 'utf8'));
  withCell.features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [50, 50] }, properties: { objectType: 'cell' } });
  await writeFile(file, JSON.stringify(withCell));
  await page.getByTestId('annotation-import').click();
  await expect(page.getByTestId('notice').last()).toContainText('1 QuPath detection (a cell, tile or TMA core) was left out');
  await expect(page.getByTestId('summary-all')).toHaveText('All classes3');
  // The second import left no step to undo: Ctrl+Z takes back the first.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('summary-all')).toHaveText('All classes0');
});

test('10,000 polygons of 20 vertices: the frame time while panning, at fit and at 1:1', async ({ host }, testInfo) => {
  test.setTimeout(180_000);
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const file = join(dir, 'cells.geojson');
  await writeFile(file, writeGeoJson(cells(2220, 2967)));
  await page.keyboard.press('a');
  host.main.annotationDialogs.importPath = file;
  await page.getByTestId('annotation-import').click();
  await expect(page.getByTestId('summary-all')).toContainText('10,000', { timeout: 60_000 });
  await expect(page.getByTestId('annotation-save')).toHaveAttribute('data-state', 'saved', { timeout: 60_000 });
  // The list closed: the view is as wide as in a session at the microscope.
  await page.keyboard.press('a');
  await waitForTiles(page);
  const box = await page.getByTestId('osd-host').boundingBox();
  if (!box) throw new Error('no viewer');

  const figures: Record<string, FrameFigures> = {};
  // The whole slide: every cell on screen, a few pixels each.
  figures['fit'] = await panAndMeasure(page, box);
  // 1:1: a few hundred cells of ~20 px.
  await setExactView(page, { x: 600, y: 900, imageZoom: 1 });
  await waitForTiles(page);
  figures['1:1'] = await panAndMeasure(page, box);
  // 4x digital zoom: tens of cells, every vertex drawn.
  await setExactView(page, { x: 1000, y: 1400, imageZoom: 2 });
  await waitForTiles(page);
  figures['2:1'] = await panAndMeasure(page, box);
  await testInfo.attach('frame-times.json', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
  console.log(`annotation frame times (ms), 10,000 polygons x 20 vertices, canvas drawer: ${JSON.stringify(figures)}`);
  // The suite runs three workers on two cores: the median must stay within a frame, the 95th
  // percentile within two (alone, it stays within one: docs/annotations.md).
  for (const [view, f] of Object.entries(figures)) {
    expect(f.frames, `${view}: frames drawn while panning`).toBeGreaterThan(20);
    expect(f.drawP50, `${view}: median of the annotation layer's draw`).toBeLessThan(16);
    expect(f.drawP95, `${view}: 95th percentile of the annotation layer's draw`).toBeLessThan(33);
  }
});
