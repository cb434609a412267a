// The README screenshot (e2e/screenshots/viewer.png, light theme, < 300 KB) and a dark-theme check.
// The committed file is written when it is missing or with SLIDESCOPE_E2E_SCREENSHOT=1, so that
// ordinary runs leave the work tree clean; every run leaves a fresh copy in test-results.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { expect, slidePath, test } from './fixtures';
import { SlidescopeHost } from './host/slidescope-host';
import { waitForTiles } from './host/viewer-probe';

const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), 'screenshots', 'viewer.png');
const MAX_BYTES = 300 * 1024;

test('README screenshot of the viewer', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath('CMU-1-Small-Region.svs')]);
  await waitForTiles(page);
  await page.keyboard.press('m');
  await page.getByTestId('preset-5').click();
  await waitForTiles(page);
  await page.mouse.move(0, 400); // no hover highlight in the picture
  await page.waitForTimeout(300);
  const png = await page.screenshot();
  // A 128-colour palette PNG keeps the H&E colours faithful and the file about 240 KB (a full-colour
  // PNG of tissue is 750 KB).
  const fresh = test.info().outputPath('viewer.png');
  await sharp(png).png({ palette: true, colors: 128, quality: 70, dither: 0.5, compressionLevel: 9, effort: 10 }).toFile(fresh);
  expect((await stat(fresh)).size).toBeLessThan(MAX_BYTES);
  if (!existsSync(SCREENSHOT) || process.env['SLIDESCOPE_E2E_SCREENSHOT'] === '1') {
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await copyFile(fresh, SCREENSHOT);
  }
});

test('dark theme follows prefers-color-scheme', async ({ launchOptions }, testInfo) => {
  const host = await SlidescopeHost.start({ launchOptions, colorScheme: 'dark' });
  try {
    const { page } = host;
    await host.drop([slidePath('CMU-1-Small-Region.svs')]);
    await waitForTiles(page);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    expect((r ?? 255) + (g ?? 255) + (b ?? 255)).toBeLessThan(150);
    await page.screenshot({ path: testInfo.outputPath('viewer-dark.png') });
  } finally {
    await host.close();
  }
  expect(host.externalRequests).toEqual([]);
});
