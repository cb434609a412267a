// A slide's tiles made again (another plane, other channels, colour management switched): the old
// tiles stay drawn until the new ones cover the view, in the single view, its navigator and each
// grid cell. Every animation frame is sampled while they change: none may show the background.

import type { Page } from '@playwright/test';
import { fixturePath } from '../testing/fixtures';
import { expect, test } from './fixtures';
import type { InvokeRecord, SlidescopeHost } from './host/slidescope-host';
import { canvasSize, readCanvas, readGridCanvas, stopBlankWatch, waitForGridTiles, waitForTiles, watchBlankFrames } from './host/viewer-probe';

/** The mean red, green and blue of the pixels the slide covers (the rest of a canvas is background). */
function slideMeans({ data }: { data: Buffer }): [number, number, number] {
  const sums = [0, 0, 0];
  let count = 0;
  for (let k = 0; k < data.length; k += 4) {
    if (data[k + 3] !== 255) continue;
    for (let c = 0; c < 3; c++) sums[c]! += data[k + c]!;
    count++;
  }
  return sums.map((s) => s / Math.max(1, count)) as [number, number, number];
}

const mean = ([r, g, b]: [number, number, number]): number => (r + g + b) / 3;

async function viewMeans(page: Page): Promise<[number, number, number]> {
  const { width, height } = await canvasSize(page);
  return slideMeans(await readCanvas(page, { x: 0, y: 0, width, height }));
}

const viewMean = async (page: Page): Promise<number> => mean(await viewMeans(page));
const cellMean = async (page: Page, index: number): Promise<number> => mean(slideMeans(await readGridCanvas(page, index)));

/** The most tiled images a viewer's world held at once (see watchItems). */
async function watchItems(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    type Counted = { world: { getItemCount(): number } };
    const w = window as Window & {
      __slidescopeE2E?: { viewer: Counted | null; gridViewers: Array<Counted | null> };
      __mostItems?: { most: number; stopped: boolean };
    };
    const watch = { most: 0, stopped: false };
    w.__mostItems = watch;
    const sample = (): void => {
      if (watch.stopped) return;
      const handle = w.__slidescopeE2E;
      for (const v of [handle?.viewer, ...(handle?.gridViewers ?? [])]) if (v) watch.most = Math.max(watch.most, v.world.getItemCount());
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  return () =>
    page.evaluate(() => {
      const watch = (window as Window & { __mostItems?: { most: number; stopped: boolean } }).__mostItems!;
      watch.stopped = true;
      return watch.most;
    });
}

async function openZStack(host: SlidescopeHost) {
  const { page } = host;
  await host.drop([await fixturePath('ome-fluorescence-zstack')]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  const controls = page.getByTestId('channel-controls');
  return { controls, slider: controls.getByRole('slider', { name: 'Z-slice (focal plane), 1 to 4' }) };
}

test("a z-stack's plane and its channels changed: the view and its navigator never show the background", async ({ host }) => {
  const { page } = host;
  const { controls, slider } = await openZStack(host);
  const top = await viewMean(page);

  await watchBlankFrames(page);
  await slider.focus();
  await page.keyboard.press('End');
  // Busy (for assistive technology and waitForTiles) from the step until the new plane's tiles are asked for.
  const view = page.getByTestId('osd-host');
  await expect(view).toHaveAttribute('aria-busy', 'true');
  await expect(view).toHaveAttribute('aria-busy', 'false');
  // The deepest plane is darker: the change has been drawn.
  await expect.poll(() => viewMean(page)).toBeLessThan(top - 5);
  await waitForTiles(page);
  const deep = await viewMean(page);
  await controls.getByRole('checkbox', { name: 'Show FITC' }).uncheck();
  await expect.poll(() => viewMean(page)).toBeLessThan(deep - 1);
  await waitForTiles(page);
  const watched = await stopBlankWatch(page);
  expect(watched.frames).toBeGreaterThan(10);
  expect(watched.blank, 'frames that showed the background').toEqual({});
  expect(host.consoleErrors).toEqual([]);
});

test("planes stepped through faster than their tiles come: never the background, never a third tiled image, the older planes' requests cancelled, the last plane shown", async ({
  host,
}) => {
  const { page } = host;
  const { controls, slider } = await openZStack(host);
  await slider.focus();
  const value = controls.getByTestId('channel-plane-z-value');
  const cancelled = () => host.invocationsOf('slide:cancel-tiles').length;
  const cancelledBefore = cancelled();
  // Each step is asked of the engine (past the panel's settling delay) while the previous one's tiles are on their way.
  host.tileLatencyMs = 1200;

  await watchBlankFrames(page);
  const mostItems = await watchItems(page);
  const asked = (z: number): InvokeRecord | undefined =>
    host.invocationsOf('slide:set-channels').find((i) => (i.request as { plane?: { z: number } }).plane?.z === z && i.answeredAt !== undefined);
  // Each step is taken once the previous plane's tiles are asked for (not before: on a busy machine
  // a step could then pass the engine by) and still on their way (1.2 s each).
  for (const [key, z] of [
    ['End', 3],
    ['ArrowLeft', 2],
    ['ArrowLeft', 1],
  ] as const) {
    await page.keyboard.press(key);
    await expect.poll(() => asked(z) !== undefined).toBe(true);
    const answeredAt = asked(z)!.answeredAt!;
    await expect.poll(() => host.invocationsOf('slide:tile').some((i) => i.askedAt > answeredAt)).toBe(true);
  }
  await expect(value).toHaveText('2 of 4');
  await waitForTiles(page);
  const watched = await stopBlankWatch(page);
  expect(watched.blank, 'frames that showed the background').toEqual({});
  expect(await mostItems()).toBe(2);
  expect(cancelled()).toBeGreaterThan(cancelledBefore);
  const stepped = await viewMean(page);

  // The same plane reached at leisure looks the same: no tile of a plane passed by stayed.
  host.tileLatencyMs = 0;
  await page.keyboard.press('ArrowRight');
  await expect(value).toHaveText('3 of 4');
  await expect.poll(() => viewMean(page)).not.toBeCloseTo(stepped, 1);
  await waitForTiles(page);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => viewMean(page)).toBeCloseTo(stepped, 1);
  expect(host.consoleErrors).toEqual([]);
});

test("the grid's cells never show the background while a z-stack's plane changes", async ({ host }) => {
  const { page } = host;
  const { slider } = await openZStack(host);
  await page.keyboard.press('Shift+C');
  await page.keyboard.press('g');
  await waitForGridTiles(page);
  const before = await Promise.all([0, 1, 2, 3].map((i) => cellMean(page, i)));

  await watchBlankFrames(page);
  await page.keyboard.press('Shift+C');
  await slider.focus();
  await page.keyboard.press('End');
  for (const [i, mean] of before.entries()) await expect.poll(() => cellMean(page, i), `cell ${i} shows the deeper plane`).toBeLessThan(mean - 3);
  await waitForGridTiles(page);
  const watched = await stopBlankWatch(page);
  expect(watched.frames).toBeGreaterThan(10);
  expect(watched.blank, 'frames that showed the background').toEqual({});
  expect(host.consoleErrors).toEqual([]);
});

test('colour management switched off and on: the view and its navigator never show the background', async ({ host }) => {
  const { page } = host;
  await host.drop([await fixturePath('icc-aperio-swap')]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  const managed = page.getByTestId('colour-panel').getByTestId('colour-managed');
  // The fixture's profile swaps channels: red tells the two decodings apart.
  const red = async () => (await viewMeans(page))[0];
  const before = await red();

  await watchBlankFrames(page);
  await managed.uncheck();
  await expect.poll(async () => Math.abs((await red()) - before)).toBeGreaterThan(3);
  await waitForTiles(page);
  await managed.check();
  await expect.poll(async () => Math.abs((await red()) - before)).toBeLessThan(1);
  await waitForTiles(page);
  const watched = await stopBlankWatch(page);
  expect(watched.frames).toBeGreaterThan(10);
  expect(watched.blank, 'frames that showed the background').toEqual({});
  expect(host.consoleErrors).toEqual([]);
});
