// Broken and unsupported files: a clear message naming the file and the reason, and the app goes on.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDeflateBomb } from '../testing/hostile';
import { expect, slidePath, test } from './fixtures';
import { readCanvas, tileErrorCount, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';

test('a file that is not a slide says so, and the next slide opens', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath('histolab_broken-html.svs')]);
  const notice = page.getByTestId('notice');
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('histolab_broken-html.svs is not a slide file.');
  await expect(notice).toContainText('NOT_A_SLIDE');
  await expect(page.getByTestId('welcome')).toBeVisible();

  await host.drop([slidePath(CMU)]);
  await waitForTiles(page, { slide: CMU });
  await expect(page.getByRole('tab', { name: CMU })).toBeVisible();
});

test('several files dropped at once: each failure is listed by name, the good one opens', async ({ host }) => {
  const { page } = host;
  await host.drop([
    slidePath('histolab_broken-html.svs'),
    slidePath('openslide-python_unopenable.tiff'),
    slidePath('pillow_oom-225817ca.tif'),
    slidePath(CMU),
    slidePath('no-such-slide.svs'),
  ]);
  // Several files: the app asks whether they go into tabs or side by side.
  await page.getByTestId('drop-as-tabs').click();
  await waitForTiles(page);
  await expect(page.getByRole('tab')).toHaveCount(1);
  const notices = page.getByTestId('notice');
  await expect(notices).toHaveCount(4);
  await expect(notices.filter({ hasText: 'histolab_broken-html.svs is not a slide file.' })).toHaveCount(1);
  await expect(notices.filter({ hasText: 'openslide-python_unopenable.tiff uses an image compression that Slidescope cannot decode.' })).toHaveCount(1);
  await expect(notices.filter({ hasText: 'pillow_oom-225817ca.tif' })).toHaveCount(1);
  await expect(notices.filter({ hasText: 'no-such-slide.svs could not be found or read.' })).toHaveCount(1);

  // Messages can be dismissed one by one.
  await notices.first().getByRole('button', { name: 'Dismiss message' }).click();
  await expect(notices).toHaveCount(3);
  await page.getByRole('button', { name: 'Dismiss all messages' }).click();
  await expect(notices).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Dismiss all messages' })).toHaveCount(0);
});

test('tiles that cannot be read show as placeholders and are reported once', async ({ host }) => {
  const { page } = host;
  // Opens (its structure is fine) but its tile data is corrupt.
  await host.drop([slidePath('openslide-python_unreadable.svs')]);
  await waitForTiles(page);
  const notices = page.getByTestId('notice');
  await expect(notices.filter({ hasText: 'Some tiles of openslide-python_unreadable.svs could not be shown' })).toHaveCount(1);
  expect(await tileErrorCount(page)).toBeGreaterThanOrEqual(1);
  // Zooming asks for more (failing) tiles: still one message.
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await waitForTiles(page);
  await expect(notices).toHaveCount(1);

  // The slide area shows the grey hatched placeholder, not black and not nothing.
  const size = await page.getByTestId('osd-host').boundingBox();
  expect(size).not.toBeNull();
  const centre = await readCanvas(page, { x: Math.round((size?.width ?? 0) / 2) - 2, y: Math.round((size?.height ?? 0) / 2) - 2, width: 4, height: 4 });
  const [r, g, b] = [centre.data[0] ?? 0, centre.data[1] ?? 0, centre.data[2] ?? 0];
  expect(Math.min(r, g, b), `placeholder grey, got rgb(${r}, ${g}, ${b})`).toBeGreaterThan(150);
  expect(Math.max(r, g, b)).toBeLessThan(230);

  // The app stays usable: the next slide opens in its own tab and renders.
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page, { slide: CMU });
  await expect(page.getByRole('tab')).toHaveCount(2);
  await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');
});

test('a slide cut short opens with what can be read, a notice that stays says it is damaged, and the metadata panel lists why', async ({ host }) => {
  const { page } = host;
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-e2e-cut-'));
  try {
    // A network copy that stopped early: its macro's directory lies past the end.
    const cut = join(dir, 'cut-short.svs');
    await writeFile(cut, (await readFile(slidePath(CMU))).subarray(0, 1_900_000));
    const warning =
      'The file is truncated: image directory 3 lies beyond its end (the file is 1,900,000 bytes); the images it and any after it held (a level, the label or the macro) are missing.';
    await host.drop([cut]);
    await waitForTiles(page);
    const notice = page.getByTestId('notice');
    await expect(notice).toHaveCount(1);
    await expect(notice.locator('.notice-title')).toHaveText('cut-short.svs is damaged or cut short: some of its images may be missing.');
    await expect(notice.locator('.notice-detail')).toHaveText(warning);
    await expect(notice).toHaveClass(/notice-warning/);

    await page.keyboard.press('m');
    const warnings = page.getByTestId('metadata-panel').getByTestId('metadata-warnings');
    await expect(warnings).toContainText('This slide file is damaged or cut short: some images may be missing.');
    await expect(warnings.locator('li')).toHaveText([warning]);
    await expect(page.getByTestId('associated-macro')).toHaveCount(0);

    // A whole slide: no notice, no warnings in its panel.
    await notice.getByRole('button', { name: 'Dismiss message' }).click();
    await host.drop([slidePath(CMU)]);
    await waitForTiles(page, { slide: CMU });
    await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('metadata-panel')).toBeVisible();
    await expect(page.getByTestId('metadata-warnings')).toHaveCount(0);
    await expect(notice).toHaveCount(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('failures reported by main (command line, OS) are shown too', async ({ host }) => {
  const { page } = host;
  await host.emit('app:open-failed', { code: 'UNSUPPORTED_FORMAT', message: 'strips only', path: '/data/slides/old-scan.tif' });
  await expect(page.getByTestId('notice')).toContainText('old-scan.tif is a TIFF layout that Slidescope cannot show.');
  await expect(page.getByTestId('welcome')).toBeVisible();
});

test('a decompression bomb: its tiles fail with the reason, the engine stays up and small, and the next slide opens', async ({ host }) => {
  const { page } = host;
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-e2e-bomb-'));
  try {
    const bomb = join(dir, 'deflate-bomb.tif');
    await writeDeflateBomb(bomb, 1024 * 2 ** 20); // four 256 x 256 tiles that would inflate to 1 GiB each
    const pid = host.main.engine.pid;
    await host.drop([bomb]);
    await waitForTiles(page);
    const notice = page.getByTestId('notice').filter({ hasText: 'Some tiles of deflate-bomb.tif could not be shown' });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('CORRUPT_DATA');
    expect(await tileErrorCount(page)).toBeGreaterThan(0);
    // The engine neither restarted nor grew: the tiles were refused before anything was inflated.
    expect(host.main.engine.pid).toBe(pid);
    expect(host.main.engine.restarts).toBe(0);
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    expect(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024).toBeLessThan(1024);

    await host.drop([slidePath(CMU)]);
    await waitForTiles(page, { slide: CMU });
    await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
