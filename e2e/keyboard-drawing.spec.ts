// Annotations drawn from the keyboard alone: the view reached with Tab, the tool chosen by its key,
// the view moved with the arrows and zoom keys, each point put at the view's centre with Enter. The
// saved shapes' coordinates are the centres' level-0 coordinates; Escape, Backspace, Shift+Enter and
// undo act on them as on mouse-drawn shapes; each step is said in the live region, in Korean too.

import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { readGeoJson } from '../shared/annotation-geojson';
import type { Shape } from '../shared/annotations';
import { copySlideForEachTest, expect, koreanTest, test } from './fixtures';
import { gridState, settledCentre, waitForGridTiles, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';

let _dir: string;
let slide: string;
copySlideForEachTest(CMU, 'keyboard-drawing', (copy) => {
  _dir = copy.dir;
  slide = copy.path;
});

/** Tabs from the top of the page until the slide's view has the focus. */
async function tabToView(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.classList.contains('openseadragon-canvas') ?? false)) return;
  }
  throw new Error('Tab never reached the slide view');
}

/** The shapes saved beside the slide, once `count` of them are. */
async function savedShapes(count: number): Promise<Shape[]> {
  const read = async (): Promise<Shape[]> => {
    try {
      return readGeoJson(await readFile(`${slide}.annotations.geojson`, 'utf8'), { newId: () => 'unused' }).annotations.map((a) => a.shape);
    } catch {
      return [];
    }
  };
  await expect.poll(async () => (await read()).length).toBe(count);
  return read();
}

/** Presses each key, then gives the view's centre once it has stopped moving. */
async function move(page: Page, ...keys: string[]): Promise<{ x: number; y: number }> {
  for (const key of keys) await page.keyboard.press(key);
  return settledCentre(page);
}

function expectPoints(actual: number[], centres: Array<{ x: number; y: number }>): void {
  expect(actual).toHaveLength(centres.length * 2);
  centres.forEach((c, i) => {
    // The app keeps a thousandth of a pixel.
    expect(actual[i * 2]).toBeCloseTo(c.x, 2);
    expect(actual[i * 2 + 1]).toBeCloseTo(c.y, 2);
  });
}

test('a rectangle, a polygon and a ruler drawn by keyboard alone: at the view centre, saved, undone, cancelled', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const canvas = page.getByTestId('annotation-canvas');
  const said = page.getByTestId('annotation-announced');

  await tabToView(page);
  // No crosshair until a drawing tool is chosen.
  await expect(canvas).toHaveAttribute('data-crosshair', 'hidden');
  await page.keyboard.press('+');
  await page.keyboard.press('b');
  await expect(page.getByTestId('tool-rectangle')).toHaveAttribute('aria-pressed', 'true');
  await expect(canvas).toHaveAttribute('data-crosshair', 'shown');

  // Rectangle: two Enters at opposite corners, the view moved between them.
  const a = await settledCentre(page);
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Rectangle’s first corner: x [\d,.]+ µm, y [\d,.]+ µm\. /);
  const b = await move(page, 'ArrowRight', 'ArrowRight', 'ArrowDown');
  // The rubber band follows the view: its label measures the box to the centre.
  await expect(page.getByTestId('annotation-measure')).toHaveText(/^Area /);
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Rectangle drawn: Area [\d.]+ (µm²|mm²) · Perimeter [\d.]+ (µm|mm)$/);
  const [rectangle] = await savedShapes(1);
  expect(rectangle?.kind).toBe('rectangle');
  if (rectangle?.kind !== 'rectangle') throw new Error('not a rectangle');
  expectPoints([rectangle.x0, rectangle.y0, rectangle.x1, rectangle.y1], [a, b]);

  // Escape cancels a ruler under way: nothing is added.
  await page.keyboard.press('l');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Ruler started: /);
  await move(page, 'ArrowLeft');
  await page.keyboard.press('Escape');
  await expect(said).toHaveText('Ruler cancelled');
  await expect(page.getByTestId('tool-ruler')).toHaveAttribute('aria-pressed', 'true');

  // Polygon: a vertex per Enter, a wrong one taken back with Backspace, closed with Shift+Enter.
  await page.keyboard.press('p');
  const p1 = await settledCentre(page);
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Polygon vertex 1: x [\d,.]+ µm, y [\d,.]+ µm\. /);
  const p2 = await move(page, 'ArrowRight');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Vertex 2 added: x [\d,.]+ µm, y [\d,.]+ µm$/);
  // Enter again without moving is not a second vertex there (it would close a polygon of three).
  await page.keyboard.press('Enter');
  await expect(said).toHaveText('A point is already here: move the view first');
  const p3 = await move(page, 'ArrowDown', '-');
  await page.keyboard.press('Enter');
  await move(page, 'ArrowLeft', 'ArrowLeft');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Vertex 4 added: /);
  await page.keyboard.press('Backspace');
  await expect(said).toHaveText('Vertex 4 removed');
  await page.keyboard.press('Shift+Enter');
  await expect(said).toHaveText(/^Polygon drawn: Area .+ · Perimeter /);
  const polygon = (await savedShapes(2))[1];
  if (polygon?.kind !== 'polygon') throw new Error('not a polygon');
  expectPoints(polygon.polygons[0]![0]!, [p1, p2, p3]);

  // A second polygon, closed by Enter back on its first vertex.
  const q1 = await settledCentre(page);
  await page.keyboard.press('Enter');
  const q2 = await move(page, 'ArrowUp');
  await page.keyboard.press('Enter');
  const q3 = await move(page, 'ArrowRight');
  await page.keyboard.press('Enter');
  await move(page, 'ArrowLeft', 'ArrowDown');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Polygon drawn: /);
  const triangle = (await savedShapes(3))[2];
  if (triangle?.kind !== 'polygon') throw new Error('not a polygon');
  expectPoints(triangle.polygons[0]![0]!, [q1, q2, q3]);

  // Ruler: zoomed in between its two ends.
  await page.keyboard.press('l');
  const r1 = await move(page, '+');
  await page.keyboard.press('Enter');
  const r2 = await move(page, 'ArrowDown', 'ArrowRight');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Ruler drawn: Length [\d.]+ µm$/);
  const ruler = (await savedShapes(4))[3];
  if (ruler?.kind !== 'line') throw new Error('not a ruler');
  expectPoints(ruler.points, [r1, r2]);

  // One undo takes the whole ruler back; the list shows the rest.
  await page.keyboard.press('Control+z');
  expect((await savedShapes(3)).map((s) => s.kind)).toEqual(['rectangle', 'polygon', 'polygon']);
  await page.keyboard.press('a');
  await expect(page.getByTestId('annotation-panel').getByTestId('annotation-row')).toHaveCount(3);

  // The focus leaves the view: no crosshair.
  await page.keyboard.press('Tab');
  await expect(canvas).toHaveAttribute('data-crosshair', 'hidden');
});

test('freehand stays with the mouse: Enter says so and draws nothing; the keys are in the help', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  await tabToView(page);
  await page.keyboard.press('d');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('annotation-announced')).toHaveText('Freehand draws with the mouse only');
  await expect(page.getByTestId('tool-freehand')).toHaveAttribute('title', /mouse only/);
  await page.keyboard.press('?');
  const rows = page.getByTestId('annotation-shortcuts');
  await expect(rows).toContainText('Shift + Enter');
  await expect(rows).toContainText('at its centre (the crosshair)');
});

koreanTest('in Korean, each step of a polygon is said in Korean, with its place in µm', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  await tabToView(page);
  // In Hangul input mode the P key types 'ㅔ': it still chooses the polygon.
  const cdp = await page.context().newCDPSession(page);
  for (const type of ['keyDown', 'keyUp'] as const)
    await cdp.send('Input.dispatchKeyEvent', { type, key: 'ㅔ', code: 'KeyP', text: type === 'keyDown' ? 'ㅔ' : undefined, windowsVirtualKeyCode: 80 });
  await expect(page.getByTestId('tool-polygon')).toHaveAttribute('aria-pressed', 'true');
  const said = page.getByTestId('annotation-announced');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^다각형 꼭짓점 1: x [\d,.]+ µm, y [\d,.]+ µm\. Enter로 꼭짓점 추가/);
  await move(page, 'ArrowRight');
  await page.keyboard.press('Enter');
  await move(page, 'ArrowDown');
  await page.keyboard.press('Enter');
  // CMU-1 is 0.499 µm/px: the centre's level-0 x, in µm, grouped as Korean writes numbers.
  const centre = await settledCentre(page);
  const micronsX = new Intl.NumberFormat('ko-KR', { maximumFractionDigits: 1 }).format(centre.x * 0.499);
  await expect(said).toHaveText(new RegExp(`^꼭짓점 3 추가: x ${micronsX.replace(/[.]/g, '\\.')} µm, y [\\d,.]+ µm$`));
  await page.keyboard.press('Backspace');
  await expect(said).toHaveText('꼭짓점 3 삭제');
  await page.keyboard.press('Escape');
  await expect(said).toHaveText('다각형 그리기 취소');
});

test('Enter on a focused button while a shape is under way presses the button: no point is placed', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const said = page.getByTestId('annotation-announced');
  await tabToView(page);
  await page.keyboard.press('l');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Ruler started: /);
  await move(page, 'ArrowRight');
  // Shift+Tab back to the toolbar's last control, the list toggle, and press it.
  await page.getByTestId('annotation-list-toggle').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('annotation-list-toggle')).toHaveAttribute('aria-pressed', 'true');
  await expect(said).toHaveText(/^Ruler started: /);
  await expect(page.getByTestId('annotation-panel').getByTestId('annotation-row')).toHaveCount(0);
  // Back on the view, Enter ends the ruler.
  await tabToView(page);
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Ruler drawn: /);
  await savedShapes(1);
});

test('in the grid, a polygon begun in one cell goes on from another: Enter there adds a vertex', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const said = page.getByTestId('annotation-announced');
  await page.keyboard.press('g');
  await expect(page.getByTestId('grid-osd-3')).toHaveAttribute('data-ready', 'true');
  const cells = page.locator('[data-testid^="grid-osd-"] .openseadragon-canvas');
  await cells.nth(3).focus();
  await page.keyboard.press('p');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Polygon vertex 1: /);
  await page.keyboard.press('ArrowRight');
  await cells.nth(2).focus();
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Vertex 2 added: /);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Vertex 3 added: /);
  await page.keyboard.press('Shift+Enter');
  await expect(said).toHaveText(/^Polygon drawn: /);
  const [shape] = await savedShapes(1);
  if (shape?.kind !== 'polygon') throw new Error('not a polygon');
  expect(shape.polygons[0]![0]).toHaveLength(6);
});

test('turned mid-shape (R): the corner is placed at the turned view centre', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const said = page.getByTestId('annotation-announced');
  await tabToView(page);
  await page.keyboard.press('b');
  const a = await move(page, '+');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Rectangle’s first corner/);
  await page.keyboard.press('r');
  const b = await move(page, 'ArrowRight', 'ArrowDown');
  await expect(page.getByTestId('annotation-measure')).toHaveText(/^Area /);
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Rectangle drawn/);
  const [rectangle] = await savedShapes(1);
  if (rectangle?.kind !== 'rectangle') throw new Error('not a rectangle');
  expect(rectangle.x0).toBeCloseTo(Math.min(a.x, b.x), 2);
  expect(rectangle.y0).toBeCloseTo(Math.min(a.y, b.y), 2);
  expect(rectangle.x1).toBeCloseTo(Math.max(a.x, b.x), 2);
  expect(rectangle.y1).toBeCloseTo(Math.max(a.y, b.y), 2);
});

test('in the grid, Enter right after an arrow, in a cell that follows the leading one, places at where the view is going', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const said = page.getByTestId('annotation-announced');
  await page.keyboard.press('g');
  await waitForGridTiles(page);
  // Cell 0 (1.25x) follows the 10x cell, which an arrow pans (animated).
  await page.locator('[data-testid="grid-osd-0"] .openseadragon-canvas').focus();
  await page.keyboard.press('.');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Point added: /);
  await waitForGridTiles(page);
  const centre = (await gridState(page))[3]!.center;
  const [point] = await savedShapes(1);
  if (point?.kind !== 'point') throw new Error('not a point');
  expect(point.points[0]).toBeCloseTo(centre.x, 0);
  expect(point.points[1]).toBeCloseTo(centre.y, 0);
});

test('a shape under way when its view goes (G for the grid) is said to be cancelled, not dropped unheard', async ({ host }) => {
  const { page } = host;
  await host.drop([slide]);
  await waitForTiles(page);
  const said = page.getByTestId('annotation-announced');
  await tabToView(page);
  await page.keyboard.press('p');
  await page.keyboard.press('Enter');
  await move(page, 'ArrowRight');
  await page.keyboard.press('Enter');
  await expect(said).toHaveText(/^Vertex 2 added/);
  await page.keyboard.press('g');
  await expect(page.getByTestId('grid-osd-3')).toHaveAttribute('data-ready', 'true');
  await expect(said).toHaveText('Polygon cancelled');
});
