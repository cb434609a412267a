// The comparison grid: four linked viewers of one slide, each fixed to a magnification.

import { expect, slidePath, test } from './fixtures';
import { currentImageZoom, type GridCellState, gridState, waitForGridTiles, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';
/** CMU-1 is scanned at 20x, 0.499 µm/px: 1.25x shows one level-0 pixel in 1/16 of a CSS pixel. */
const CELLS = [
  { power: 1.25, imageZoom: 1 / 16, label: '1.25x · 7.98 µm/px' },
  { power: 2.5, imageZoom: 1 / 8, label: '2.5x · 3.99 µm/px' },
  { power: 5, imageZoom: 1 / 4, label: '5x · 2.00 µm/px' },
  { power: 10, imageZoom: 1 / 2, label: '10x · 1.00 µm/px' },
];

function cells(states: Array<GridCellState | null>): GridCellState[] {
  expect(states).toHaveLength(4);
  return states.map((s, i) => {
    if (!s) throw new Error(`grid cell ${i} has no viewer`);
    return s;
  });
}

/** Largest distance, in level-0 pixels, between any cell's centre and the first cell's. */
function spread(states: GridCellState[]): number {
  const first = states[0]!.center;
  return Math.max(...states.map((s) => Math.hypot(s.center.x - first.x, s.center.y - first.y)));
}

test('the grid shows four linked magnifications: zooms, labels, crosshairs, scale bars, linked panning', async ({ host }, testInfo) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const singleZoom = await currentImageZoom(page);

  await page.keyboard.press('g');
  await waitForGridTiles(page);
  await expect(page.getByTestId('cmd-toggle-grid')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('osd-host')).toHaveCount(0);
  let states = cells(await gridState(page));
  for (const [i, cell] of CELLS.entries()) {
    expect(states[i]!.imageZoom, `cell ${i} at ${cell.power}x`).toBeCloseTo(cell.imageZoom, 9);
    await expect(page.getByTestId(`grid-label-${i}`)).toHaveText(cell.label);
    await expect(page.getByTestId(`grid-cell-${i}`).locator('.crosshair')).toBeVisible();
    await expect(page.getByTestId(`grid-scale-${i}`)).toContainText(/µm|mm/);
  }
  // The grid opens where the single view was: the fit view's centre, the middle of the slide.
  for (const s of states) {
    expect(s.center.x).toBeCloseTo(2220 / 2, 1);
    expect(s.center.y).toBeCloseTo(2967 / 2, 1);
  }
  // Whole CSS pixels, the same for the four cells (the field of view an export reproduces).
  expect(new Set(states.map((s) => `${s.size.x}x${s.size.y}`)).size).toBe(1);
  expect(Number.isInteger(states[0]!.size.x) && Number.isInteger(states[0]!.size.y)).toBe(true);
  await page.screenshot({ path: testInfo.outputPath('grid.png') });

  // Drag the 5x cell with the mouse: 200 x 100 CSS px is 800 x 400 level-0 px at 1/4.
  const box = await page.getByTestId('grid-osd-2').boundingBox();
  if (!box) throw new Error('no 5x cell');
  const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x - 100, start.y - 50, { steps: 8 });
  await page.mouse.move(start.x - 200, start.y - 100, { steps: 8 });
  await page.mouse.up();
  await waitForGridTiles(page);
  states = cells(await gridState(page));
  expect(spread(states), 'all four centres agree within a pixel').toBeLessThan(1);
  expect(states[2]!.center.x).toBeCloseTo(1110 + 800, -1);
  expect(states[2]!.center.y).toBeCloseTo(1483.5 + 400, -1);
  // Zooms did not move.
  for (const [i, cell] of CELLS.entries()) expect(states[i]!.imageZoom).toBeCloseTo(cell.imageZoom, 9);

  // Any cell leads: drag the 1.25x one back by 50 x 25 CSS px = 800 x 400 level-0 px.
  const box0 = await page.getByTestId('grid-osd-0').boundingBox();
  if (!box0) throw new Error('no 1.25x cell');
  const start0 = { x: box0.x + box0.width / 2, y: box0.y + box0.height / 2 };
  await page.mouse.move(start0.x, start0.y);
  await page.mouse.down();
  await page.mouse.move(start0.x + 50, start0.y + 25, { steps: 10 });
  await page.mouse.up();
  await waitForGridTiles(page);
  states = cells(await gridState(page));
  expect(spread(states)).toBeLessThan(1);
  expect(states[3]!.center.x).toBeCloseTo(1110, -1);
  expect(states[3]!.center.y).toBeCloseTo(1483.5, -1);

  // Zoom is fixed in a cell: the wheel does nothing.
  await page.mouse.move(start0.x, start0.y);
  await page.mouse.wheel(0, -600);
  await page.waitForTimeout(300);
  await waitForGridTiles(page);
  states = cells(await gridState(page));
  for (const [i, cell] of CELLS.entries()) expect(states[i]!.imageZoom).toBeCloseTo(cell.imageZoom, 9);
  // Dragging past the slide's edge stops at the edge: the shared centre stays on the slide.
  await page.mouse.move(start0.x, start0.y);
  await page.mouse.down();
  await page.mouse.move(start0.x + 400, start0.y + 400, { steps: 10 });
  await page.mouse.up();
  await waitForGridTiles(page);
  states = cells(await gridState(page));
  expect(spread(states)).toBeLessThan(1);
  expect(states[0]!.center.x).toBeCloseTo(0, 3);
  expect(states[0]!.center.y).toBeCloseTo(0, 3);
  // 0 centres the grid on the slide again.
  await page.keyboard.press('0');
  await waitForGridTiles(page);
  states = cells(await gridState(page));
  expect(states[1]!.center.x).toBeCloseTo(1110, 3);
  expect(states[1]!.center.y).toBeCloseTo(1483.5, 3);
  // Arrow keys pan all four, by a step of the most magnified cell's view: it keeps most of its field.
  await page.keyboard.press('ArrowRight');
  await waitForGridTiles(page);
  states = cells(await gridState(page));
  expect(spread(states)).toBeLessThan(1);
  expect(states[0]!.center.x).toBeGreaterThan(1110 + 10);
  const most = states.reduce((a, b) => (b.imageZoom > a.imageZoom ? b : a));
  const movedOnScreen = (states[0]!.center.x - 1110) * most.imageZoom;
  expect(movedOnScreen).toBeCloseTo(most.size.x * 0.15, 0);

  // g again: the single view comes back at its own zoom, centred where the grid was.
  const gridCenter = states[0]!.center;
  const asked = host.invocations.length;
  await page.getByTestId('cmd-toggle-grid').click();
  await waitForTiles(page);
  await expect(page.getByTestId('comparison-grid')).toHaveCount(0);
  expect(await currentImageZoom(page)).toBeCloseTo(singleZoom, 6);
  // Not rebuilt at home: the whole-slide view's tiles are not asked for ahead of the view's own.
  const firstAsked = host.invocations.slice(asked).find((i) => i.channel === 'slide:prefetch' || i.channel === 'slide:tile');
  expect(firstAsked?.channel).toBe('slide:tile');
  const single = await page.evaluate(() => {
    const viewer = (
      window as unknown as {
        __slidescopeE2E: { viewer: { viewport: { getCenter(c: boolean): unknown; viewportToImageCoordinates(p: unknown): { x: number; y: number } } } };
      }
    ).__slidescopeE2E.viewer;
    return viewer.viewport.viewportToImageCoordinates(viewer.viewport.getCenter(true));
  });
  expect(single.x).toBeCloseTo(gridCenter.x, 1);
  expect(single.y).toBeCloseTo(gridCenter.y, 1);

  // The View menu's command toggles it too.
  await host.emit('app:menu-command', 'toggle-grid');
  await waitForGridTiles(page);
  states = cells(await gridState(page));
  expect(states[0]!.center.x).toBeCloseTo(gridCenter.x, 1);
  await host.emit('app:menu-command', 'toggle-grid');
  await expect(page.getByTestId('comparison-grid')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a cell magnification is edited as objective power or µm/px; ones the slide cannot reach are refused with the reason', async ({ host }, testInfo) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.getByTestId('cmd-toggle-grid').click();
  await waitForGridTiles(page);

  await page.getByTestId('grid-label-3').click();
  const input = page.getByTestId('grid-input-3');
  await expect(input).toBeFocused();
  // Typing in the field is not a shortcut: 'g' here must not leave the grid.
  await input.fill('40xg');
  await input.press('Enter');
  await expect(page.getByTestId('grid-error-3')).toContainText('is not a magnification');
  await input.fill('40x');
  await input.press('Enter');
  await expect(page.getByTestId('grid-error-3')).toHaveText("40x is beyond this slide's scan (20x at most).");
  await page.screenshot({ path: testInfo.outputPath('grid-refused-power.png') });
  await input.fill('0.25 µm/px');
  await input.press('Enter');
  await expect(page.getByTestId('grid-error-3')).toHaveText("0.25 µm/px is finer than this slide's scan (0.50 µm/px at best).");
  // So low that the whole 2220 x 2967 slide would be under 16 pixels: 20 x 16 / 2967 = 0.108x at least.
  await input.fill('0.001x');
  await input.press('Enter');
  await expect(page.getByTestId('grid-error-3')).toHaveText('0.001x would show the whole slide in fewer than 16 pixels (0.11x at least).');
  // Refused: the cell keeps its magnification.
  expect(cells(await gridState(page))[3]!.imageZoom).toBeCloseTo(1 / 2, 9);

  // µm/px: 2 µm/px on a 0.499 µm/px scan is downsample 4.008, 4.99x.
  await input.fill('2 µm/px');
  await input.press('Enter');
  await expect(page.getByTestId('grid-label-3')).toHaveText('4.99x · 2.00 µm/px');
  await waitForGridTiles(page);
  expect(cells(await gridState(page))[3]!.imageZoom).toBeCloseTo(0.499 / 2, 9);

  // Objective power, and the scan's own power (1:1).
  await page.getByTestId('grid-label-0').click();
  await page.getByTestId('grid-input-0').fill('20');
  await page.getByTestId('grid-input-0').press('Enter');
  await expect(page.getByTestId('grid-label-0')).toHaveText('20x · 0.50 µm/px');
  await waitForGridTiles(page);
  const states = cells(await gridState(page));
  expect(states[0]!.imageZoom).toBeCloseTo(1, 9);
  expect(spread(states)).toBeLessThan(1);

  // Escape leaves the editor without a change.
  await page.getByTestId('grid-label-1').click();
  await page.getByTestId('grid-input-1').fill('5x');
  await page.getByTestId('grid-input-1').press('Escape');
  await expect(page.getByTestId('grid-label-1')).toHaveText('2.5x · 3.99 µm/px');
  await expect(page.getByTestId('comparison-grid')).toBeVisible();

  // Zoom keys do not change a cell: they say how to.
  await page.keyboard.press('+');
  await expect(page.getByTestId('notice').filter({ hasText: 'Each grid cell keeps its magnification' })).toHaveCount(1);
});

test('a slide with neither objective power nor µm/px: the grid says why and leads back', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath('openslide-python_boxes.tiff')]);
  await waitForTiles(page);
  await page.keyboard.press('g');
  const refused = page.getByTestId('grid-refused');
  await expect(refused).toContainText('records neither');
  await refused.getByRole('button', { name: 'Back to the single view' }).click();
  await waitForTiles(page);
  await expect(page.getByTestId('grid-refused')).toHaveCount(0);
});
