// Opening a slide by drop and checking what the viewer draws against the engine's own pixels.

import sharp from 'sharp';
import { expect, slidePath, test } from './fixtures';
import { blockAverages, comparePixels, meanAbsDifference } from './host/pixels';
import { type InvokeRecord, SlidescopeHost } from './host/slidescope-host';
import { canvasSize, currentImageZoom, currentRotation, imageOriginOnScreen, readCanvas, setExactView, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';

/**
 * Thresholds for drawn-vs-engine pixels (0-255 per channel) with one pixel of slack (comparePixels).
 * Measured on CMU-1: the right pixels give mean 2-4.5 / p99 23-26 (the canvas drawer's 1-pixel tile
 * stretch blurs a little); the same patch 2 pixels off already gives mean 7-14 / p99 96+.
 */
const SAME_MEAN = 6;
const SAME_P99 = 40;

/** The deep-zoom level a slide:tile request asked for. */
const level = (t: InvokeRecord): number => (t.request as { dzLevel: number }).dzLevel;

test('a dropped slide renders the same pixels the engine reads at 1:1', async ({ host }) => {
  const { page } = host;
  await expect(page.getByTestId('welcome')).toBeVisible();
  await host.drop([slidePath(CMU)], '[data-testid="drop-zone"]');
  await waitForTiles(page);
  await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');
  const slideId = host.slideIdOf(CMU);
  const slack = 1;

  const cases = [
    // Inside the slide: stored 240x240 JPEG tiles.
    { name: 'interior', origin: { x: 500, y: 1000 }, patch: { x: 120, y: 60, width: 400, height: 300 } },
    // The bottom row (y 2880-2967): edge tiles served as stored and cropped to 87 rows by the viewer.
    { name: 'bottom edge', origin: { x: 800, y: 2600 }, patch: { x: 100, y: 200, width: 400, height: 167 } },
  ];
  for (const { name, origin, patch } of cases) {
    // Level-0 pixel `origin` at the canvas's top-left, one slide pixel per CSS (= device) pixel.
    await setExactView(page, { ...origin, imageZoom: 1 });
    await waitForTiles(page);
    const onScreen = await imageOriginOnScreen(page);
    expect(onScreen.x).toBeCloseTo(origin.x, 3);
    expect(onScreen.y).toBeCloseTo(origin.y, 3);

    const drawn = await readCanvas(page, patch);
    const read = (dx: number, dy: number) =>
      host.engine('engine:region', {
        slideId,
        level: 0,
        x: origin.x + patch.x - slack + dx,
        y: origin.y + patch.y - slack + dy,
        width: patch.width + 2 * slack,
        height: patch.height + 2 * slack,
      });
    const diff = comparePixels(drawn, await read(0, 0), slack);
    test.info().annotations.push({ type: `pixel diff, ${name}`, description: JSON.stringify(diff) });
    expect(diff.referenceContrast, `${name}: the patch should hold tissue, not background`).toBeGreaterThan(10);
    expect(diff.mean, name).toBeLessThan(SAME_MEAN);
    expect(diff.p99, name).toBeLessThan(SAME_P99);

    // Control: the same patch 3 pixels off must not pass, or the thresholds prove nothing.
    const shifted = comparePixels(drawn, await read(3, 3), slack);
    expect(shifted.mean > SAME_MEAN || shifted.p99 > SAME_P99, `${name}: a shifted reference must fail`).toBe(true);
  }
});

test('the whole-slide view matches the engine at a coarse level (tile placement)', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);

  // Fit view: an OSD level well below level 0, stitched from many deep-zoom tiles.
  const zoom = await currentImageZoom(page);
  expect(zoom).toBeLessThan(0.5);
  const size = await canvasSize(page);
  const topLeft = await imageOriginOnScreen(page);
  // A square well inside the slide's on-screen area.
  const side = 256;
  const screenX = Math.round(size.width / 2 - side / 2);
  const screenY = Math.round(size.height / 2 - side / 2);
  const drawn = await readCanvas(page, { x: screenX, y: screenY, width: side, height: side });
  const x0 = Math.round(topLeft.x + screenX / zoom);
  const y0 = Math.round(topLeft.y + screenY / zoom);
  const reference = await host.engine('engine:scaled-region', {
    slideId: host.slideIdOf(CMU),
    x: x0,
    y: y0,
    width: Math.round(side / zoom),
    height: Math.round(side / zoom),
    outWidth: side,
    outHeight: side,
  });
  const a = blockAverages(drawn.data, side, side, 4, 16);
  const b = blockAverages(reference.data, side, side, reference.channels, 16);
  const difference = meanAbsDifference(a, b);
  test.info().annotations.push({ type: 'block difference at fit', description: difference.toFixed(2) });
  expect(difference).toBeLessThan(8);
});

test('coarser stand-ins wait for the level the view needs, and are asked for only when a view still wants them', async ({ host }) => {
  const { page } = host;
  host.tileLatencyMs = 300; // keeps the view's tiles in flight long enough to see what waits for them
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  // CMU-1-Small-Region, 2220 x 2967 in 240-pixel tiles: deep-zoom levels 0-12, level 8 the one-tile
  // overview (never waits). At 1:1 the view draws level 12, and OpenSeadragon wants 11 there as a
  // stand-in, which waits.
  const overview = 8;
  await setExactView(page, { x: 600, y: 900, imageZoom: 1 });
  await waitForTiles(page);
  // Zoomed out to where level 11 is the one to draw: its tiles, those still waiting as stand-ins
  // too, are asked for, and the view fills.
  const asked = host.invocationsOf('slide:tile').length;
  await setExactView(page, { x: 400, y: 700, imageZoom: 0.45 });
  await waitForTiles(page);
  expect(
    host
      .invocationsOf('slide:tile')
      .slice(asked)
      .some((t) => level(t) === 11),
  ).toBe(true);
  // No stand-in was ever asked for while a finer tile was on its way.
  const all = host.invocationsOf('slide:tile');
  await expect.poll(() => all.every((t) => t.answeredAt !== undefined)).toBe(true);
  for (const t of all.filter((t) => level(t) > overview)) {
    const finerInFlight = all.filter((f) => level(f) > level(t) && f.askedAt < t.askedAt && f.answeredAt! > t.askedAt);
    expect(finerInFlight, `level ${level(t)} asked for at ${t.askedAt.toFixed(0)} ms`).toEqual([]);
  }
});

test('opening asks the engine for the whole-slide view before OpenSeadragon does, at the level it then draws', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const first = host.invocations.find((i) => i.channel === 'slide:prefetch' || i.channel === 'slide:tile')!;
  expect(first.channel).toBe('slide:prefetch');
  const prefetch = first.request as { dzLevel: number; colStart: number; colEnd: number; rowStart: number; rowEnd: number };
  // The level drawn is the finest the first view asked for (the others are stand-ins), every tile of
  // it asked for, and the prefetch is exactly those tiles.
  const tiles = host.invocationsOf('slide:tile');
  const drawn = Math.max(...tiles.map(level));
  expect(prefetch.dzLevel).toBe(drawn);
  const asked = new Set(tiles.filter((t) => level(t) === drawn).map((t) => `${(t.request as { col: number }).col},${(t.request as { row: number }).row}`));
  const prefetched = new Set<string>();
  for (let col = prefetch.colStart; col <= prefetch.colEnd; col++)
    for (let row = prefetch.rowStart; row <= prefetch.rowEnd; row++) prefetched.add(`${col},${row}`);
  expect([...prefetched].sort()).toEqual([...asked].sort());
});

test('a pan asks for the tiles it shows, no stand-ins, and the prefetch only once they are all in', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  host.tileLatencyMs = 300; // tiles in flight long enough for OpenSeadragon to plan many frames meanwhile
  // CMU-1 at 1:1 draws deep-zoom level 12; level 11 would be the stand-in.
  await setExactView(page, { x: 200, y: 300, imageZoom: 1 });
  await waitForTiles(page);
  for (const x of [700, 1200]) {
    const asked = host.invocations.length;
    await setExactView(page, { x, y: 300, imageZoom: 1 });
    await waitForTiles(page);
    const after = host.invocations.slice(asked);
    const tiles = after.filter((i) => i.channel === 'slide:tile');
    expect(tiles.length).toBeGreaterThan(0);
    // The stand-ins of the newly shown area waited for the level-12 tiles, which cover it once drawn.
    expect(
      tiles.map(level).filter((l) => l !== 12),
      `pan to x=${x}`,
    ).toEqual([]);
    // The ring around the view is asked for after the last tile of the view was answered.
    await expect.poll(() => after.some((i) => i.channel === 'slide:prefetch')).toBe(true);
    const prefetch = after.find((i) => i.channel === 'slide:prefetch')!;
    const lastTile = Math.max(...tiles.map((t) => t.answeredAt ?? Number.POSITIVE_INFINITY));
    expect(prefetch.askedAt).toBeGreaterThanOrEqual(lastTile);
  }
});

test('magnification presets, 1:1, rotation and the readout', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const readout = page.getByTestId('magnification-readout');

  // The slide was scanned at 20x: 40x is offered but disabled, and says why.
  await expect(page.getByTestId('preset-40')).toBeDisabled();
  await expect(page.getByTestId('preset-40')).toHaveAttribute('title', /scanned at 20x/);
  const before = await readCanvas(page, { x: 300, y: 200, width: 200, height: 150 });

  await page.getByTestId('preset-10').click();
  await expect(readout).toHaveText('10x');
  await expect(page.getByTestId('preset-10')).toHaveAttribute('aria-pressed', 'true');
  await waitForTiles(page);
  expect(await currentImageZoom(page)).toBeCloseTo(0.5, 5);
  const after = await readCanvas(page, { x: 300, y: 200, width: 200, height: 150 });
  expect(after.data.equals(before.data), 'the view should change').toBe(false);

  await page.getByTestId('preset-2.5').click();
  await expect(readout).toHaveText('2.5x');

  // Keyboard: 1 = 1:1 = the scan's own power; 0 = fit; r rotates.
  await page.keyboard.press('1');
  await expect(readout).toHaveText('20x');
  await waitForTiles(page);
  expect(await currentImageZoom(page)).toBeCloseTo(1, 5);
  await page.keyboard.press('r');
  await expect(page.getByTestId('rotation')).toHaveText('90°');
  expect(await currentRotation(page)).toBe(90);
  await page.keyboard.press('Shift+R');
  await expect(page.getByTestId('rotation')).toHaveCount(0);
  await page.keyboard.press('0');
  await expect(readout).not.toHaveText('20x');
  await expect(page.getByTestId('scale-bar')).toContainText(/µm|mm/);
});

test('the navigator is opaque: the slide under it does not show through the minimap', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.getByTestId('preset-10').click();
  const navigator = page.locator('.osd-host .navigator');
  await expect(navigator).toBeVisible();
  // OpenSeadragon sets 0.8 on the element itself: its thumbnail and the tissue beneath mixed.
  await expect(navigator).toHaveCSS('opacity', '1');
});

test('the default drawer (as the app runs, without ?drawer=canvas) draws the slide', async ({ launchOptions }) => {
  const host = await SlidescopeHost.start({ launchOptions, query: 'e2e' });
  try {
    const { page } = host;
    await host.drop([slidePath(CMU)]);
    await waitForTiles(page, { timeout: 60_000 });
    const drawer = await page.evaluate(() =>
      (window as unknown as { __slidescopeE2E?: { viewer: { drawer: { getType(): string } } | null } }).__slidescopeE2E?.viewer?.drawer.getType(),
    );
    test.info().annotations.push({ type: 'drawer', description: String(drawer) });
    expect(['webgl', 'canvas']).toContain(drawer);
    // Tissue on screen: the viewer area is far from a flat colour.
    const { channels } = await sharp(await page.getByTestId('osd-host').screenshot()).stats();
    expect(Math.max(...channels.slice(0, 3).map((c) => c.stdev))).toBeGreaterThan(15);
    await expect(page.getByTestId('notice')).toHaveCount(0);
  } finally {
    await host.close();
  }
  expect(host.externalRequests).toEqual([]);
});

test('on a HiDPI screen magnification still counts CSS pixels: 1:1 reads as the scan power', async ({ launchOptions }) => {
  const host = await SlidescopeHost.start({ launchOptions, deviceScaleFactor: 2 });
  try {
    const { page } = host;
    await host.drop([slidePath(CMU)]);
    await waitForTiles(page);
    await page.keyboard.press('1');
    await expect(page.getByTestId('magnification-readout')).toHaveText('20x');
    await waitForTiles(page);
    expect(await currentImageZoom(page)).toBeCloseTo(1, 5);
    // The canvas has two device pixels per CSS pixel, so 1:1 is sharp rather than enlarged.
    const css = await page.getByTestId('osd-host').boundingBox();
    expect((await canvasSize(page)).width).toBe(Math.round((css?.width ?? 0) * 2));
    // The scale bar's label matches its CSS length: 0.499 µm per CSS pixel at 1:1.
    const bar = page.getByTestId('scale-bar');
    const label = (await bar.textContent()) ?? '';
    const microns = Number.parseFloat(label) * (label.includes('mm') ? 1000 : 1);
    const width = (await bar.locator('.scale-bar-line').boundingBox())?.width ?? 0;
    expect(width * 0.499).toBeCloseTo(microns, -1);
  } finally {
    await host.close();
  }
  expect(host.externalRequests).toEqual([]);
});
