// Offline and locked down: the page reaches nothing but its own origin, its CSP is the main
// process's, and the fonts are the bundled ones (the Hangul face too, in a Korean window).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY_META } from '../electron/main/security';
import { expect, koreanTest, slidePath, test } from './fixtures';
import { RENDERER_DIST } from './host/paths';
import { FAKE_ORIGIN } from './host/slidescope-host';
import { waitForTiles } from './host/viewer-probe';

test('a whole session makes zero network requests', async ({ host }) => {
  const { page } = host;
  await expect(page.getByTestId('welcome')).toBeVisible();
  await host.drop([slidePath('CMU-1-Small-Region.svs')]);
  await waitForTiles(page);
  await page.keyboard.press('m');
  await expect(page.getByTestId('associated-macro').locator('img')).toHaveAttribute('src', /^blob:/);
  await page.getByTestId('preset-10').click();
  await waitForTiles(page);
  await page.keyboard.press('?');
  await page.keyboard.press('Escape');
  expect(host.externalRequests).toEqual([]);
  // Nothing the page loaded came from anywhere but the app's own files.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
  expect(loaded.filter((url) => !url.startsWith(`${FAKE_ORIGIN}/`) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
});

test('the request guard itself catches a request that leaves the app', async ({ host }) => {
  // A second page without the app's CSP tries the network: the host must see and block it.
  const other = await host.context.newPage();
  await other.goto('https://example.com/').catch(() => undefined);
  expect(host.externalRequests).toContain('https://example.com/');
  await other.close();
  host.externalRequests.length = 0;
});

test('the renderer carries the main process CSP and its bundled fonts', async ({ host }) => {
  const { page } = host;
  const html = await readFile(join(RENDERER_DIST, 'index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  expect(meta).toBe(CONTENT_SECURITY_POLICY_META);
  expect(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'))).toBe(
    CONTENT_SECURITY_POLICY_META,
  );

  await page.evaluate(() => document.fonts.ready);
  const fonts = await page.evaluate(() => [...document.fonts].filter((font) => font.status === 'loaded').map((font) => `${font.family} ${font.weight}`));
  expect(fonts).toEqual(expect.arrayContaining(['Inter 400', 'Inter 600']));
  const fontFiles = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((n) => n.endsWith('.woff2')),
  );
  expect(fontFiles.length).toBeGreaterThan(0);
  for (const file of fontFiles) expect(file.startsWith(`${FAKE_ORIGIN}/assets/`)).toBe(true);
});

koreanTest('a Korean window loads the bundled Hangul face, and nothing else', async ({ host }) => {
  const { page } = host;
  await expect(page.getByTestId('welcome')).toBeVisible();
  await page.evaluate(() => document.fonts.ready);
  const fonts = await page.evaluate(() => [...document.fonts].filter((font) => font.status === 'loaded').map((font) => font.family.replace(/"/g, '')));
  expect(fonts).toEqual(expect.arrayContaining(['Inter', 'Noto Sans KR']));
  const fontFiles = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((n) => n.endsWith('.woff2')),
  );
  expect(fontFiles.some((file) => file.includes('/assets/NotoSansKR-Regular-Hangul-'))).toBe(true);
  for (const file of fontFiles) expect(file.startsWith(`${FAKE_ORIGIN}/assets/`)).toBe(true);
});

test('an English window never loads the Hangul face', async ({ host }) => {
  const { page } = host;
  await expect(page.getByTestId('welcome')).toBeVisible();
  await page.evaluate(() => document.fonts.ready);
  const files = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  expect(files.filter((file) => file.includes('NotoSansKR'))).toEqual([]);
});
