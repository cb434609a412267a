// The slide information panel: summary, pyramid levels, properties and associated images.

import { expect, slidePath, test } from './fixtures';
import { waitForTiles } from './host/viewer-probe';

test('the metadata panel shows 20x, 0.499 µm/px, the levels, every property and the associated images', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath('CMU-1-Small-Region.svs')]);
  await waitForTiles(page);
  await page.keyboard.press('m');
  const panel = page.getByTestId('metadata-panel');
  await expect(panel).toBeVisible();

  await expect(panel.getByTestId('objective-power')).toHaveText('20x');
  await expect(panel.getByTestId('mpp')).toHaveText('0.499 µm/px');
  await expect(panel.getByTestId('metadata-summary')).toContainText('aperio');
  await expect(panel.getByTestId('metadata-summary')).toContainText('Aperio SVS');
  await expect(panel.getByTestId('metadata-summary')).toContainText('2,220 × 2,967 px');
  const levels = panel.getByTestId('level-table').locator('tbody tr');
  await expect(levels).toHaveCount(1);
  await expect(levels.first()).toContainText('2,220 × 2,967');
  await expect(levels.first()).toContainText('240 × 240');

  // Every property is listed; the filter matches names and values, ignoring case.
  const rows = panel.getByTestId('property-table').locator('tbody tr');
  const total = await rows.count();
  expect(total).toBeGreaterThan(10);
  await panel.getByTestId('property-filter').fill('aperio.appmag');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('aperio.AppMag');
  await expect(rows.first()).toContainText('20');
  await expect(panel.getByTestId('property-count')).toHaveText(`1 of ${total}`);
  await panel.getByTestId('property-filter').fill('0.4990');
  await expect(rows.filter({ hasText: 'aperio.MPP' })).toHaveCount(1);
  await panel.getByTestId('property-filter').fill('');
  await expect(rows).toHaveCount(total);

  // Associated images arrive as bytes over IPC and are shown through blob: URLs.
  for (const name of ['label', 'macro', 'thumbnail']) {
    const image = panel.getByTestId(`associated-${name}`).locator('img');
    await expect(image).toHaveAttribute('src', /^blob:/);
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(100);
  }
  await panel.getByTestId('associated-macro').getByRole('button').click();
  const full = page.getByTestId('associated-full');
  await expect(full).toBeVisible();
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1280);
  await page.keyboard.press('Escape');
  await expect(full).toHaveCount(0);

  // Typing in the filter must not trigger the single-key shortcuts (m would close the panel).
  await panel.getByTestId('property-filter').fill('m');
  await expect(panel).toBeVisible();

  // The menu command closes it like the key does.
  await host.emit('app:menu-command', 'toggle-metadata');
  await expect(panel).toHaveCount(0);
});

test("an NDPI's physical size is written in one unit, and its level table groups every number alike", async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath('slideio_test3-DAPI-2-387.ndpi')]);
  await waitForTiles(page);
  await page.keyboard.press('m');
  const panel = page.getByTestId('metadata-panel');
  // 3,968 x 4,864 px at 0.2282 µm/px: 905 µm by 1.11 mm, both in mm.
  await expect(panel.getByTestId('physical-size')).toHaveText('0.905 mm × 1.11 mm');
  // Its strips are as wide as the level: "3,968 × 64" beside "3,968 × 4,864", not "3968 × 64".
  await expect(panel.getByTestId('level-table').locator('tbody tr').first()).toHaveText(['0', '3,968 × 4,864', '1', '3,968 × 64'].join(''));
});

test('the smallest window (640 x 480): the metadata panel, then the annotation panel beside it, stay inside the window', async ({ host }) => {
  const { page } = host;
  await page.setViewportSize({ width: 640, height: 480 });
  await host.drop([slidePath('CMU-1-Small-Region.svs')]);
  await waitForTiles(page);
  const inside = async (testId: string) => {
    const box = await page.getByTestId(testId).boundingBox();
    expect(box, testId).not.toBeNull();
    expect(box!.x + box!.width, `${testId}'s right edge`).toBeLessThanOrEqual(640);
  };
  await page.keyboard.press('m');
  await inside('metadata-panel');
  await page.keyboard.press('a');
  await inside('annotation-panel');
  await inside('metadata-panel');
});
