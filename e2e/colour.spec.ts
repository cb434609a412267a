// Colour in the viewer: a slide that embeds a strongly non-sRGB ICC profile is drawn colour-managed
// (the canvas differs from the raw tile and agrees with the engine's region converted to sRGB), or
// as stored when the view says so; brightness, contrast and gamma change the canvas - single view
// and grid cells - without a tile being asked for again, reset restores it, and an export carries
// them when asked.

import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { convertToSrgb } from '../electron/engine/colour/srgb-transform';
import { adjustmentTable } from '../shared/colour';
import type { RgbImage } from '../shared/slide';
import { FIXTURES, fixturePath } from '../testing/fixtures';
import { iccSlideProfile } from '../testing/writers/icc-slide';
import { expect, slidePath, test } from './fixtures';
import { comparePixels } from './host/pixels';
import { SlidescopeHost } from './host/slidescope-host';
import { imageOriginOnScreen, type RgbaPixels, readCanvas, readGridCanvas, setExactView, waitForGridTiles, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';
const ICC_SLIDE = 'icc-aperio-swap';

/** The largest difference between two images' averages over size x size blocks, any channel. */
function blockMaxDiff(a: { width: number; height: number; data: Uint8Array; channels: number }, b: typeof a, size: number): number {
  let max = 0;
  for (let by = 0; by + size <= a.height; by += size) {
    for (let bx = 0; bx + size <= a.width; bx += size) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = by; y < by + size; y++) {
          for (let x = bx; x < bx + size; x++) sum += a.data[(y * a.width + x) * a.channels + c]! - b.data[(y * b.width + x) * b.channels + c]!;
        }
        max = Math.max(max, Math.abs(sum / (size * size)));
      }
    }
  }
  return max;
}

/** The image without its one-pixel margin. */
function inner(image: RgbImage): { width: number; height: number; data: Uint8Array; channels: number } {
  const width = image.width - 2;
  const height = image.height - 2;
  const data = new Uint8Array(width * height * image.channels);
  for (let y = 0; y < height; y++)
    data.set(
      image.data.subarray(((y + 1) * image.width + 1) * image.channels, ((y + 1) * image.width + 1 + width) * image.channels),
      y * width * image.channels,
    );
  return { width, height, data, channels: image.channels };
}

function rgba(pixels: RgbaPixels): { width: number; height: number; data: Uint8Array; channels: number } {
  return { width: pixels.width, height: pixels.height, data: new Uint8Array(pixels.data), channels: 4 };
}

/** The engine's level-0 pixels under a canvas patch, as stored. */
async function engineRegion(host: SlidescopeHost, slideId: string, x: number, y: number, width: number, height: number): Promise<RgbImage> {
  return host.engine('engine:region', { slideId, level: 0, x, y, width, height });
}

async function frames(page: Page, count = 3): Promise<void> {
  await page.evaluate(async (n) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  }, count);
}

test('a slide with an embedded profile is drawn colour-managed: unlike the raw tile, as the engine converts it (±3); as stored when switched off', async ({
  host,
}) => {
  const { page } = host;
  const path = await fixturePath(ICC_SLIDE);
  await host.drop([path]);
  await waitForTiles(page);
  const slideId = host.slideIdOf(path.split('/').pop()!);
  const at = { x: 1200, y: 900 };
  await setExactView(page, { ...at, imageZoom: 1 });
  await waitForTiles(page);
  const origin = await imageOriginOnScreen(page);
  expect(Math.abs(origin.x - at.x) + Math.abs(origin.y - at.y)).toBeLessThan(0.5);
  const patch = { x: 120, y: 80, width: 320, height: 240 };
  // A pixel of margin on every side (comparePixels' slack).
  const region = () => engineRegion(host, slideId, at.x + patch.x - 1, at.y + patch.y - 1, patch.width + 2, patch.height + 2);
  const raw = await region();
  const converted = await region();
  await convertToSrgb(converted, iccSlideProfile(FIXTURES[ICC_SLIDE].options));

  // Compared as viewer.spec.ts compares drawn and read pixels: each drawn pixel against the closest
  // within a pixel (the canvas drawer stretches tiles by up to one), and the patch's mean colour.
  const drawn = await readCanvas(page, patch);
  const managed = {
    toConverted: comparePixels(drawn, converted, 1),
    toRaw: comparePixels(drawn, raw, 1),
    meanColour: blockMaxDiff(rgba(drawn), inner(converted), patch.height),
  };
  test.info().annotations.push({ type: 'colour-managed canvas', description: JSON.stringify(managed) });
  expect(managed.toConverted.mean).toBeLessThanOrEqual(3);
  expect(managed.toConverted.p99).toBeLessThan(40);
  expect(managed.meanColour).toBeLessThanOrEqual(3);
  expect(managed.toRaw.mean).toBeGreaterThan(30);

  // The metadata panel names the profile.
  await page.keyboard.press('m');
  await expect(page.getByTestId('icc-profile')).toContainText('Slidescope test channel-swap');
  await page.keyboard.press('m');

  // Colour management off: the tiles are decoded again, as stored.
  await page.keyboard.press('Shift+C');
  const panel = page.getByTestId('colour-panel');
  await expect(panel).toContainText('ICC profile: Slidescope test channel-swap');
  const managedBox = panel.getByTestId('colour-managed');
  await expect(managedBox).toBeChecked();
  await managedBox.uncheck();
  await waitForTiles(page);
  const asStored = await readCanvas(page, patch);
  const off = {
    toRaw: comparePixels(asStored, raw, 1),
    toConverted: comparePixels(asStored, converted, 1),
    meanColour: blockMaxDiff(rgba(asStored), inner(raw), patch.height),
  };
  test.info().annotations.push({ type: 'canvas without colour management', description: JSON.stringify(off) });
  expect(off.toRaw.mean).toBeLessThanOrEqual(3);
  expect(off.meanColour).toBeLessThanOrEqual(3);
  expect(off.toConverted.mean).toBeGreaterThan(30);
});

test('brightness, contrast and gamma change the canvas without asking for a tile; reset restores it; grid cells too; kept per slide', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await setExactView(page, { x: 500, y: 1000, imageZoom: 1 });
  await waitForTiles(page);
  const patch = { x: 100, y: 60, width: 400, height: 300 };
  const before = rgba(await readCanvas(page, patch));
  const tilesAsked = host.invocationsOf('slide:tile').length;

  // Keys: two steps brighter (+10%), two more contrast (130%... 110%), two gamma steps (1.10).
  for (const key of [']', ']', '}', '}', "'", "'"]) await page.keyboard.press(key);
  await frames(page);
  await expect(page.getByTestId('cmd-colour')).toHaveClass(/colour-adjusted/);
  const adjusted = rgba(await readCanvas(page, patch));
  const table = adjustmentTable({ brightness: 0.1, contrast: 1.1, gamma: 1.1 });
  const expected = { ...before, data: before.data.map((v, i) => (i % 4 === 3 ? v : table[v]!)) };
  const diff = comparePixels({ width: adjusted.width, height: adjusted.height, data: Buffer.from(adjusted.data) }, { ...expected, channels: 4 }, 0);
  test.info().annotations.push({ type: 'adjusted canvas vs the export table on the unadjusted canvas', description: JSON.stringify(diff) });
  // The same curve, to the unit; a few pixels on tile seams (where the canvas drawer stretches a tile
  // by a pixel) differ more: there the curve meets interpolated values.
  expect(diff.mean).toBeLessThan(0.5);
  expect(diff.p99).toBeLessThanOrEqual(1);
  expect(blockMaxDiff(adjusted, before, 8)).toBeGreaterThan(10);
  expect(host.invocationsOf('slide:tile').length, 'no tile asked for again').toBe(tilesAsked);

  // The panel shows the values; its sliders set them; Reset restores the canvas exactly.
  await page.keyboard.press('Shift+C');
  const panel = page.getByTestId('colour-panel');
  await expect(panel.getByTestId('colour-brightness-value')).toHaveText('+10%');
  await expect(panel.getByTestId('colour-contrast-value')).toHaveText('110%');
  await expect(panel.getByTestId('colour-gamma-value')).toHaveText('1.10');
  await panel.getByTestId('colour-contrast').fill('2');
  await expect(panel.getByTestId('colour-contrast-value')).toHaveText('200%');
  await panel.getByTestId('colour-reset').click();
  await frames(page);
  const reset = rgba(await readCanvas(page, patch));
  expect(blockMaxDiff(reset, before, 1)).toBe(0);
  expect(host.invocationsOf('slide:tile').length).toBe(tilesAsked);

  // The grid's cells draw with the same setting, and change with it without asking for tiles.
  await page.keyboard.press('g');
  await waitForGridTiles(page);
  const cellBefore = rgba(await readGridCanvas(page, 3));
  const gridTiles = host.invocationsOf('slide:tile').length;
  // Three steps darker: -15% (-38.25 levels, away from a rounding tie).
  for (const key of ['[', '[', '[']) await page.keyboard.press(key);
  await frames(page);
  const cellAdjusted = rgba(await readGridCanvas(page, 3));
  const darker = adjustmentTable({ brightness: -0.15, contrast: 1, gamma: 1 });
  const cellExpected = { ...cellBefore, data: cellBefore.data.map((v, i) => (i % 4 === 3 ? v : darker[v]!)) };
  const cellDiff = comparePixels(
    { width: cellAdjusted.width, height: cellAdjusted.height, data: Buffer.from(cellAdjusted.data) },
    { ...cellExpected, channels: 4 },
    0,
  );
  test.info().annotations.push({ type: 'adjusted grid cell vs the table on the unadjusted cell', description: JSON.stringify(cellDiff) });
  expect(cellDiff.mean).toBeLessThan(0.5);
  expect(cellDiff.p99).toBeLessThanOrEqual(1);
  expect(blockMaxDiff(cellAdjusted, cellBefore, 8)).toBeGreaterThan(10);
  expect(host.invocationsOf('slide:tile').length).toBe(gridTiles);
  await page.keyboard.press('g');
  await waitForTiles(page);

  // Kept per slide: another slide opens neutral, and this one comes back darker.
  const iccPath = await fixturePath(ICC_SLIDE);
  await host.drop([iccPath]);
  await waitForTiles(page, { slide: iccPath });
  await expect(page.getByTestId('cmd-colour')).not.toHaveClass(/colour-adjusted/);
  await page.getByRole('tab', { name: CMU }).click();
  await waitForTiles(page, { slide: CMU });
  await expect(page.getByTestId('cmd-colour')).toHaveClass(/colour-adjusted/);
  await page.getByTestId('cmd-colour').click();
  await expect(page.getByTestId('colour-brightness-value')).toHaveText('−15%');

  // The help lists the colour keys.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help.getByTestId('colour-shortcuts').locator('tr')).toHaveCount(8);
  await page.keyboard.press('Escape');

  // An export carries the adjustment when asked.
  await page.getByTestId('cmd-export').click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByTestId('export-carry-adjustment').check();
  host.main.exportAnswers.thumbnailPath = test.info().outputPath('adjusted-thumbnail.png');
  await dialog.getByTestId('export-thumbnail').click();
  await expect(dialog.getByTestId('export-status')).toHaveAttribute('data-status', 'done');
  expect(host.invocationsOf('export:thumbnail').at(-1)?.request).toMatchObject({
    colour: { managed: true, adjustment: { brightness: -0.15, contrast: 1, gamma: 1 } },
  });
});

test('the default drawer (WebGL where it works) draws the adjustment too: the view darkens without a tile asked for, and reset brings it back', async ({
  launchOptions,
}) => {
  const host = await SlidescopeHost.start({ launchOptions, query: 'e2e' });
  try {
    const { page } = host;
    await host.drop([slidePath(CMU)]);
    await waitForTiles(page, { timeout: 60_000 });
    const drawer = await page.evaluate(() =>
      (window as unknown as { __slidescopeE2E?: { viewer: { drawer: { getType(): string } } | null } }).__slidescopeE2E?.viewer?.drawer.getType(),
    );
    test.info().annotations.push({ type: 'drawer', description: String(drawer) });
    // What the screen shows in the middle of the slide (a CSS filter is applied by the compositor,
    // so the canvas cannot be read back).
    const box = (await page.getByTestId('osd-host').boundingBox())!;
    const clip = { x: box.x + box.width / 2 - 60, y: box.y + box.height / 2 - 60, width: 120, height: 120 };
    const meanOnScreen = async (): Promise<number[]> => {
      await frames(page);
      const { channels } = await sharp(await page.screenshot({ clip })).stats();
      return channels.slice(0, 3).map((c) => c.mean);
    };
    const before = await meanOnScreen();
    const tilesAsked = host.invocationsOf('slide:tile').length;
    for (const key of ['[', '[', '[', '[']) await page.keyboard.press(key);
    const darker = await meanOnScreen();
    test.info().annotations.push({ type: 'mean RGB on screen, before and 20% darker', description: JSON.stringify({ before, darker }) });
    // 20% of full scale is 51 levels (less where the darkest stain clips at 0).
    for (const [c, mean] of darker.entries()) expect(before[c]! - mean).toBeGreaterThan(40);
    expect(host.invocationsOf('slide:tile').length).toBe(tilesAsked);
    await page.keyboard.press('\\');
    const reset = await meanOnScreen();
    for (const [c, mean] of reset.entries()) expect(Math.abs(before[c]! - mean)).toBeLessThan(0.5);
  } finally {
    await host.close();
  }
  expect(host.externalRequests).toEqual([]);
});
