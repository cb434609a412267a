// A fluorescence slide's channels in the colour panel: hidden, recoloured and reset, the view's tiles
// made again each time and the engine (so every export) showing the same.

import type { Page } from '@playwright/test';
import { fixturePath } from '../testing/fixtures';
import { expect, koreanTest, slidePath, test } from './fixtures';
import type { SlidescopeHost } from './host/slidescope-host';
import { gridViewersKept, markGridViewers, readCanvas, readGridCanvas, settledCentre, waitForGridTiles, waitForTiles } from './host/viewer-probe';

/** The mean of each colour over the middle of the view. */
async function viewMeans(page: Page): Promise<[number, number, number]> {
  const box = await page.getByTestId('osd-host').boundingBox();
  const width = Math.floor((box?.width ?? 400) / 2);
  const height = Math.floor((box?.height ?? 300) / 2);
  const pixels = await readCanvas(page, { x: Math.floor(width / 2), y: Math.floor(height / 2), width, height });
  const sums = [0, 0, 0];
  for (let i = 0; i < pixels.data.length; i += 4) for (let c = 0; c < 3; c++) sums[c]! += pixels.data[i + c]!;
  const n = pixels.data.length / 4;
  return sums.map((s) => s / n) as [number, number, number];
}

/** The mean of each colour of the engine's own pixels of the slide (what an export reads). */
async function engineMeans(host: SlidescopeHost, slideId: string): Promise<[number, number, number]> {
  const region = await host.engine('engine:region', { slideId, level: 2, x: 0, y: 0, width: 300, height: 225 });
  const sums = [0, 0, 0];
  for (let i = 0; i < region.data.length; i += 4) for (let c = 0; c < 3; c++) sums[c]! += region.data[i + c]!;
  return sums.map((s) => s / (region.data.length / 4)) as [number, number, number];
}

test('the channels as last chosen come back when the slide is opened again; Reset forgets them', async ({ host }) => {
  const { page } = host;
  const path = await fixturePath('ome-fluorescence-16bit');
  const name = path.split('/').pop()!;
  await host.drop([path]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  const controls = page.getByTestId('channel-controls');
  await controls.getByRole('checkbox', { name: 'Show FITC' }).uncheck();
  await expect.poll(async () => (await engineMeans(host, host.slideIdOf(name)))[1]).toBe(0);
  await page.getByRole('button', { name: `Close ${name}` }).click();
  await expect(page.getByTestId('welcome')).toBeVisible();

  await host.drop([path]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  await expect(controls.getByRole('checkbox', { name: 'Show FITC' })).not.toBeChecked();
  await expect(controls.getByRole('checkbox', { name: 'Show DAPI' })).toBeChecked();
  expect((await engineMeans(host, host.slideIdOf(name)))[1]).toBe(0);

  await controls.getByTestId('channels-reset').click();
  await expect(controls.getByRole('checkbox', { name: 'Show FITC' })).toBeChecked();
  await page.getByRole('button', { name: `Close ${name}` }).click();
  await host.drop([path]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  await expect(controls.getByRole('checkbox', { name: 'Show FITC' })).toBeChecked();
});

test("a fluorescence slide's channels: hidden, recoloured and reset from the colour panel; the view and the engine agree", async ({ host }) => {
  const { page } = host;
  const path = await fixturePath('ome-fluorescence-16bit');
  await host.drop([path]);
  await waitForTiles(page);
  const slideId = host.slideIdOf(path.split('/').pop()!);
  const [r0, g0, b0] = await viewMeans(page);
  expect(Math.min(r0, g0, b0)).toBeGreaterThan(10);

  await page.keyboard.press('Shift+C');
  const controls = page.getByTestId('channel-controls');
  await expect(controls.getByRole('checkbox')).toHaveCount(3);
  await expect(controls).toContainText('DAPI');
  await expect(controls).toContainText('TRITC');

  // DAPI alone: red only, in the view and in the engine.
  await controls.getByRole('checkbox', { name: 'Show FITC' }).uncheck();
  await controls.getByRole('checkbox', { name: 'Show TRITC' }).uncheck();
  await expect.poll(async () => (await engineMeans(host, slideId)).slice(1)).toEqual([0, 0]);
  await waitForTiles(page);
  await expect
    .poll(async () => {
      const [r, g, b] = await viewMeans(page);
      return r > 10 && g < 2 && b < 2;
    })
    .toBe(true);

  // DAPI in green, from its colour well.
  await page.getByTestId('channel-0-colour').fill('#00ff00');
  await expect.poll(async () => (await engineMeans(host, slideId))[0]).toBe(0);
  await waitForTiles(page);
  await expect
    .poll(async () => {
      const [r, g, b] = await viewMeans(page);
      return r < 2 && g > 10 && b < 2;
    })
    .toBe(true);

  // A range of its own: a lower high makes it brighter.
  const before = (await engineMeans(host, slideId))[1];
  await page.getByTestId('channel-0-high').fill('1000');
  await expect.poll(async () => (await engineMeans(host, slideId))[1]).toBeGreaterThan(before + 5);

  // Reset: every channel back as the slide opened.
  await controls.getByTestId('channels-reset').click();
  await expect(controls.getByRole('checkbox', { name: 'Show FITC' })).toBeChecked();
  await waitForTiles(page);
  await expect
    .poll(async () => {
      const [r, g, b] = await viewMeans(page);
      return [r, g, b].every((v, c) => Math.abs(v - [r0, g0, b0][c]!) < 2);
    })
    .toBe(true);
});

test('a channel hidden just before another tab is shown stays hidden: the edit is not lost with the view', async ({ host }) => {
  const { page } = host;
  const path = await fixturePath('ome-fluorescence-16bit');
  const name = path.split('/').pop()!;
  await host.drop([path]);
  await waitForTiles(page);
  const slideId = host.slideIdOf(name);
  host.main.setDialogAnswer(slidePath('CMU-1-Small-Region.svs'));
  await page.getByRole('button', { name: 'Open…' }).click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  await page.getByRole('tab', { name }).click();
  await waitForTiles(page);

  await page.keyboard.press('Shift+C');
  await page.getByTestId('channel-controls').getByRole('checkbox', { name: 'Show FITC' }).uncheck();
  // At once, before the edit settles and is asked of the engine.
  await page.getByRole('tab', { name: 'CMU-1-Small-Region.svs' }).click();
  await page.getByRole('tab', { name }).click();
  await waitForTiles(page);
  await expect.poll(async () => (await engineMeans(host, slideId))[1]).toBe(0);
  await page.keyboard.press('Shift+C');
  await expect(page.getByTestId('channel-controls').getByRole('checkbox', { name: 'Show FITC' })).not.toBeChecked();
});

koreanTest('in Korean, the channels are named in Korean; arrow keys in a range field change it, not the view', async ({ host }) => {
  const { page } = host;
  await host.drop([await fixturePath('ome-fluorescence-16bit')]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  const controls = page.getByRole('region', { name: '채널' });
  await expect(controls.getByRole('heading', { name: '채널' })).toBeVisible();
  await expect(controls.getByRole('checkbox', { name: 'DAPI 표시' })).toBeChecked();
  const centre = await settledCentre(page);
  const high = controls.getByRole('spinbutton', { name: 'DAPI의 높은 값 (채널 색 그대로)' });
  const before = Number(await high.inputValue());
  await high.focus();
  await page.keyboard.press('ArrowDown');
  await expect(high).toHaveValue(String(before - 1));
  expect(await settledCentre(page)).toEqual(centre);
});

test("a z-stack's Z slider, moved by keyboard: the view's and the engine's pixels change with the plane, the display ranges as they were", async ({ host }) => {
  const { page } = host;
  const path = await fixturePath('ome-fluorescence-zstack');
  await host.drop([path]);
  await waitForTiles(page);
  const slideId = host.slideIdOf(path.split('/').pop()!);
  const top = await viewMeans(page);
  const topEngine = await engineMeans(host, slideId);
  await page.keyboard.press('Shift+C');
  const controls = page.getByTestId('channel-controls');
  const high = controls.getByTestId('channel-0-high');
  const range = await high.inputValue();
  // One focal plane axis: a Z slider, no Time slider.
  await expect(controls.getByTestId('channel-plane-t')).toHaveCount(0);
  const slider = controls.getByRole('slider', { name: 'Z-slice (focal plane), 1 to 4' });
  await expect(slider).toHaveValue('1');
  await expect(controls.getByTestId('channel-plane-z-value')).toHaveText('1 of 4');
  const centre = await settledCentre(page);
  await slider.focus();
  await page.keyboard.press('End');
  await expect(slider).toHaveValue('4');
  await expect(controls.getByTestId('channel-plane-z-value')).toHaveText('4 of 4');
  // The deepest plane is a quarter as bright: darker in the engine and the view, the view not moved.
  await expect.poll(async () => (await engineMeans(host, slideId)).every((v, c) => v < topEngine[c]! - 5)).toBe(true);
  await waitForTiles(page);
  await expect.poll(async () => (await viewMeans(page)).every((v, c) => v < top[c]! - 5)).toBe(true);
  expect(await settledCentre(page)).toEqual(centre);
  await expect(high).toHaveValue(range);

  await page.keyboard.press('Home');
  await expect.poll(async () => engineMeans(host, slideId)).toEqual(topEngine);
  await waitForTiles(page);
  await expect.poll(async () => (await viewMeans(page)).every((v, c) => Math.abs(v - top[c]!) < 2)).toBe(true);
});

test('a Z step taken while the engine still answers the step before stays: the answer does not take the slider back', async ({ host }) => {
  const { page } = host;
  await host.drop([await fixturePath('ome-fluorescence-zstack')]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  const controls = page.getByTestId('channel-controls');
  const slider = controls.getByRole('slider', { name: 'Z-slice (focal plane), 1 to 4' });
  const value = controls.getByTestId('channel-plane-z-value');
  const asks = () => host.invocationsOf('slide:set-channels');
  const before = asks().length;
  const release = host.holdAnswers('slide:set-channels');
  await slider.focus();
  await page.keyboard.press('End');
  // Plane 4 is asked of the engine once the panel has settled; its answer is held back.
  await expect.poll(() => asks().length).toBe(before + 1);
  // Every value the panel shows from here on.
  await value.evaluate((output) => {
    const shown: string[] = [];
    (window as unknown as { zShown: string[] }).zShown = shown;
    new MutationObserver(() => shown.push(output.textContent ?? '')).observe(output, { childList: true, characterData: true, subtree: true });
  });
  await page.keyboard.press('ArrowLeft');
  await expect(value).toHaveText('3 of 4');
  // Plane 4's answer comes while plane 3 settles (before it is asked): the panel keeps 3.
  release();
  await expect.poll(() => asks()[before]!.answeredAt).toBeDefined();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(await page.evaluate(() => (window as unknown as { zShown: string[] }).zShown)).toEqual(['3 of 4']);
  await page.keyboard.press('ArrowLeft');
  await expect(value).toHaveText('2 of 4');
  await expect.poll(() => asks().at(-1)?.request).toMatchObject({ plane: { z: 1, t: 0 } });
  await expect.poll(() => asks().at(-1)?.answeredAt).toBeDefined();
  await expect(value).toHaveText('2 of 4');
  expect(host.consoleErrors).toEqual([]);
});

koreanTest('in Korean, the Z slider is named in Korean', async ({ host }) => {
  const { page } = host;
  await host.drop([await fixturePath('ome-fluorescence-zstack')]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  const slider = page.getByRole('region', { name: '채널' }).getByRole('slider', { name: 'Z 단면 (초점면), 1부터 4까지' });
  await expect(slider).toHaveValue('1');
  await expect(page.getByTestId('channel-plane-z-value')).toHaveText('4 중 1');
});

for (const [fixture, tiles] of [
  ['ome-rgb-zstack', 'LZW'],
  ['ome-rgb-zstack-jpeg', 'JPEG, served as stored'],
] as const)
  test(`a brightfield z-stack (${tiles}): the panel's Z slider without channels; the view and the engine show the plane, which comes back when the slide is opened again`, async ({
    host,
  }) => {
    const { page } = host;
    const path = await fixturePath(fixture);
    const name = path.split('/').pop()!;
    await host.drop([path]);
    await waitForTiles(page);
    const slideId = host.slideIdOf(name);
    const top = await viewMeans(page);
    const topEngine = await engineMeans(host, slideId);
    await page.keyboard.press('Shift+C');
    const controls = page.getByRole('region', { name: 'Planes' });
    await expect(controls.getByRole('checkbox')).toHaveCount(0);
    await expect(controls.getByTestId('channels-reset')).toHaveCount(0);
    const slider = controls.getByRole('slider', { name: 'Z-slice (focal plane), 1 to 3' });
    await expect(slider).toHaveValue('1');
    await slider.focus();
    await page.keyboard.press('End');
    await expect(controls.getByTestId('channel-plane-z-value')).toHaveText('3 of 3');
    // The deepest plane is fainter (lighter): in the engine and the view.
    await expect.poll(async () => (await engineMeans(host, slideId)).every((v, c) => v > topEngine[c]! + 5)).toBe(true);
    await waitForTiles(page);
    await expect.poll(async () => (await viewMeans(page)).every((v, c) => v > top[c]! + 5)).toBe(true);

    await page.getByRole('button', { name: `Close ${name}` }).click();
    await host.drop([path]);
    await waitForTiles(page);
    await expect.poll(async () => (await engineMeans(host, host.slideIdOf(name))).every((v, c) => v > topEngine[c]! + 5)).toBe(true);
    await page.keyboard.press('Shift+C');
    await expect(page.getByRole('region', { name: 'Planes' }).getByTestId('channel-plane-z-value')).toHaveText('3 of 3');
  });

test("the grid's cells keep their viewers while a z-stack's plane changes (their tiles made again, as the single view's), then show the new plane", async ({
  host,
}) => {
  const { page } = host;
  const path = await fixturePath('ome-fluorescence-zstack');
  await host.drop([path]);
  await waitForTiles(page);
  const slideId = host.slideIdOf(path.split('/').pop()!);
  const topEngine = await engineMeans(host, slideId);
  await page.keyboard.press('g');
  await waitForGridTiles(page);
  const before = await Promise.all([0, 1, 2, 3].map((i) => readGridCanvas(page, i)));
  await markGridViewers(page);
  await page.keyboard.press('Shift+C');
  const slider = page.getByTestId('channel-controls').getByRole('slider', { name: 'Z-slice (focal plane), 1 to 4' });
  await slider.focus();
  await page.keyboard.press('End');
  await expect.poll(async () => (await engineMeans(host, slideId)).every((v, c) => v < topEngine[c]! - 5)).toBe(true);
  await waitForGridTiles(page);
  // Rebuilt, a cell drew nothing for tens of frames until its tiles came in again.
  expect(await gridViewersKept(page)).toBe(4);
  /** The mean colour value of the pixels the slide covers (the rest of a cell is background). */
  const mean = ({ data }: { data: Buffer }) => {
    let [sum, count] = [0, 0];
    for (let k = 0; k < data.length; k += 4) if (data[k + 3] === 255) [sum, count] = [sum + data[k]! + data[k + 1]! + data[k + 2]!, count + 3];
    return sum / Math.max(1, count);
  };
  for (const [i, pixels] of before.entries()) {
    await expect.poll(async () => mean(await readGridCanvas(page, i)), `cell ${i} shows the deeper, darker plane`).toBeLessThan(mean(pixels) - 3);
  }
});
