// The app around the viewer: open dialog, recent files, sample, tabs, main-process events, menu
// commands, shortcuts help and the about box.

import { isGallery } from '../shared/operations';
import { expect, slidePath, test } from './fixtures';
import { SENDER_ID } from './host/slidescope-host';
import { currentImageZoom, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';

test('open dialog, recent files and tabs', async ({ host }) => {
  const { page } = host;
  // A cancelled dialog changes nothing and is no error.
  host.main.setDialogAnswer(null);
  await page.getByRole('button', { name: 'Open slide…' }).click();
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('notice')).toHaveCount(0);

  host.main.setDialogAnswer(slidePath(CMU));
  await page.getByRole('button', { name: 'Open slide…' }).click();
  await waitForTiles(page);
  await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');

  // A second slide gets its own tab; the first stays open.
  host.main.setDialogAnswer(slidePath('openslide-python_boxes.tiff'));
  await page.getByRole('button', { name: 'Open…' }).click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  await expect(page.getByRole('tab', { name: 'openslide-python_boxes.tiff' })).toHaveAttribute('aria-selected', 'true');
  await waitForTiles(page, { slide: 'openslide-python_boxes.tiff' });
  await page.getByRole('tab', { name: CMU }).click();
  await waitForTiles(page, { slide: CMU });

  // With the side panels open, each switch shows the one slide's viewer and panels, not one more.
  await page.keyboard.press('m');
  await page.keyboard.press('a');
  for (const name of ['openslide-python_boxes.tiff', CMU, 'openslide-python_boxes.tiff']) {
    await page.getByRole('tab', { name }).click();
    await waitForTiles(page, { slide: name });
    await expect(page.getByTestId('viewer')).toHaveCount(1);
    await expect(page.getByTestId('viewer')).toHaveAttribute('aria-label', new RegExp(name.replace('.', '\\.')));
    await expect(page.getByTestId('metadata-panel')).toHaveCount(1);
    await expect(page.getByTestId('annotation-panel')).toHaveCount(1);
  }
  await page.keyboard.press('m');
  await page.keyboard.press('a');

  // Closing every tab goes back to the welcome screen, which lists both files as recent.
  await page.getByRole('button', { name: `Close ${CMU}` }).click();
  await page.getByRole('button', { name: 'Close openslide-python_boxes.tiff' }).click();
  await expect(page.getByTestId('welcome')).toBeVisible();
  expect(host.invocationsOf('slide:close')).toHaveLength(2);
  expect(host.main.controller.slidesOf(SENDER_ID)).toHaveLength(0);
  const recent = page.getByTestId('recent-list').getByRole('button');
  await expect(recent).toHaveCount(2);
  await expect(recent.first()).toContainText('openslide-python_boxes.tiff');

  // A recent file reopens with one click.
  await recent.filter({ hasText: CMU }).click();
  await waitForTiles(page, { slide: CMU });
  await expect(page.getByRole('tab', { name: CMU })).toBeVisible();
  expect(host.invocationsOf('slide:open-recent')).toHaveLength(1);
});

test('a slow open ends as a tab behind what was asked for later; tabs narrow, then scroll to the one shown', async ({ host }) => {
  const { page } = host;
  await page.setViewportSize({ width: 800, height: 700 });
  // Open… on a slide that takes its time; meanwhile another is dropped and shown.
  let answer!: () => void;
  host.main.setDialogAnswer(slidePath(CMU), new Promise((resolve) => (answer = resolve)));
  await page.getByRole('button', { name: 'Open slide…' }).click();
  await host.drop([slidePath('openslide-python_boxes.tiff')]);
  await expect(page.getByRole('tab', { name: 'openslide-python_boxes.tiff' })).toHaveAttribute('aria-selected', 'true');
  answer();
  await expect(page.getByRole('tab', { name: CMU })).toBeVisible();
  await expect(page.getByTestId('busy')).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'openslide-python_boxes.tiff' })).toHaveAttribute('aria-selected', 'true');

  // A tab chosen while an open is under way stays shown.
  host.main.setDialogAnswer(slidePath('openslide-python_small.svs'), new Promise((resolve) => (answer = resolve)));
  await page.getByRole('button', { name: 'Open…' }).click();
  await page.getByRole('tab', { name: CMU }).click();
  answer();
  await expect(page.getByRole('tab', { name: 'openslide-python_small.svs' })).toBeVisible();
  await expect(page.getByTestId('busy')).toHaveCount(0);
  await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');

  // More tabs than fit: each opened one is scrolled into sight, and "Compare with…" stays in the bar.
  for (const name of ['image-js_tiled-jpeg.tif', 'slideio_test3-DAPI-2-387.ndpi', 'wsi2dcm_jpeg.dcm', 'wsi2dcm_raw.dcm']) {
    host.main.setDialogAnswer(slidePath(name));
    await page.getByRole('button', { name: 'Open…' }).click();
    await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
  }
  const strip = page.getByTestId('tab-strip');
  expect(await strip.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  const inSight = async (name: string): Promise<boolean> =>
    strip.evaluate((el, tab) => {
      const list = el.getBoundingClientRect();
      const shown = [...el.querySelectorAll('[role="tab"]')]
        .find((t) => t.textContent === tab)
        ?.closest('.tab')
        ?.getBoundingClientRect();
      return shown !== undefined && shown.left >= list.left - 1 && shown.right <= list.right + 1;
    }, name);
  await expect.poll(() => inSight('wsi2dcm_raw.dcm')).toBe(true);
  await page.getByRole('tab', { name: CMU }).click();
  await expect.poll(() => inSight(CMU)).toBe(true);
  await expect(page.getByTestId('tabs-compare')).toBeInViewport({ ratio: 1 });
});

test('the built-in sample slide opens', async ({ host }) => {
  // The first open makes the 24000 x 18000 sample: ~10 s alone, several times that beside the
  // suite's other browsers and engines on two cores.
  test.setTimeout(180_000);
  const { page } = host;
  await page.getByRole('button', { name: 'Open sample slide' }).click();
  await waitForTiles(page, { timeout: 150_000 });
  await expect(page.getByRole('tab')).toHaveCount(1);
  await expect(page.getByTestId('magnification-readout')).toHaveText(/x$/);
});

test('slides opened by main and menu commands', async ({ host }) => {
  const { page } = host;
  // File > Open from the native menu: main opens the file and tells the window.
  const opened = await host.main.controller.openFromMain(SENDER_ID, slidePath(CMU), 'menu');
  expect(opened.ok).toBe(true);
  if (!opened.ok || isGallery(opened.value)) return;
  await host.emit('app:slide-opened', opened.value);
  await waitForTiles(page);
  await expect(page.getByRole('tab', { name: CMU })).toBeVisible();

  const readout = page.getByTestId('magnification-readout');
  const fitZoom = await currentImageZoom(page);
  await host.emit('app:menu-command', 'zoom-in');
  await waitForTiles(page);
  expect(await currentImageZoom(page)).toBeCloseTo(fitZoom * 1.6, 3);
  await host.emit('app:menu-command', 'actual-pixels');
  await expect(readout).toHaveText('20x');
  // A side panel takes room from the view, not its magnification.
  await page.keyboard.press('m');
  await expect(page.getByTestId('metadata-panel')).toBeVisible();
  await waitForTiles(page);
  await expect(readout).toHaveText('20x');
  await page.keyboard.press('m');
  await waitForTiles(page);
  await expect(readout).toHaveText('20x');
  await host.emit('app:menu-command', 'rotate-right');
  await expect(page.getByTestId('rotation')).toHaveText('90°');
  await host.emit('app:menu-command', 'rotate-left');
  await expect(page.getByTestId('rotation')).toHaveCount(0);
  await host.emit('app:menu-command', 'fit');
  await waitForTiles(page);
  expect(await currentImageZoom(page)).toBeCloseTo(fitZoom, 3);

  // Navigator on and off, by menu and by key.
  const navigator = page.locator('.osd-host .navigator');
  await expect(navigator).toBeVisible();
  await host.emit('app:menu-command', 'toggle-navigator');
  await expect(navigator).toBeHidden();
  await page.keyboard.press('n');
  await expect(navigator).toBeVisible();

  // View > Comparison Grid and back (the grid itself: grid.spec.ts).
  await host.emit('app:menu-command', 'toggle-grid');
  await expect(page.getByTestId('comparison-grid')).toBeVisible();
  await host.emit('app:menu-command', 'toggle-grid');
  await expect(page.getByTestId('comparison-grid')).toHaveCount(0);
  await waitForTiles(page);

  // File > Export… opens the export dialog (exports themselves: export.spec.ts).
  await host.emit('app:menu-command', 'export');
  const exportDialog = page.getByRole('dialog', { name: 'Export' });
  await expect(exportDialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(exportDialog).toHaveCount(0);

  await host.emit('app:menu-command', 'show-about');
  const about = page.getByRole('dialog', { name: 'About Slidescope' });
  await expect(about).toContainText('0.0.0-e2e');
  await page.keyboard.press('Escape');
  await expect(about).toHaveCount(0);
});

test('the shortcuts help lists every shortcut, from the ? key and the menu', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  const rows = help.getByTestId('shortcuts').locator('tr');
  await expect(rows).toHaveCount(11);
  for (const text of [
    'Zoom in',
    'Zoom out',
    'Fit',
    '1:1',
    'Rotate 90° clockwise',
    'Full screen',
    'navigator',
    'slide information',
    'Comparison grid',
    'Export',
  ]) {
    await expect(help).toContainText(text);
  }
  // While the dialog is open, keys do not reach the slide.
  const zoom = await currentImageZoom(page);
  await page.keyboard.press('+');
  expect(await currentImageZoom(page)).toBe(zoom);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await host.emit('app:menu-command', 'show-shortcuts');
  await expect(help).toBeVisible();
  await page.keyboard.press('Escape');

  // f toggles full screen (a key press is the user gesture the Fullscreen API wants).
  await page.keyboard.press('f');
  await expect.poll(() => page.evaluate(() => document.fullscreenElement !== null)).toBe(true);
  await expect(page.getByTestId('cmd-fullscreen')).toHaveAttribute('aria-label', /Leave full screen/);
  await page.keyboard.press('f');
  await expect.poll(() => page.evaluate(() => document.fullscreenElement !== null)).toBe(false);
});

test('closing a slide cancels the tile requests still in flight', async ({ host }) => {
  const { page } = host;
  host.tileLatencyMs = 1500;
  await host.drop([slidePath(CMU)]);
  await expect(page.getByTestId('osd-host')).toHaveAttribute('data-ready', 'true');
  await expect.poll(() => host.invocationsOf('slide:tile').length).toBeGreaterThan(0);
  const requested = host.invocationsOf('slide:tile').map((i) => (i.request as { requestId: number }).requestId);
  await page.getByRole('button', { name: `Close ${CMU}` }).click();
  await expect.poll(() => host.invocationsOf('slide:cancel-tiles').length).toBeGreaterThan(0);
  const cancelled = host.invocationsOf('slide:cancel-tiles').flatMap((i) => (i.request as { requestIds: number[] }).requestIds);
  expect(cancelled.length).toBeGreaterThan(0);
  for (const id of cancelled) expect(requested).toContain(id);
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('notice')).toHaveCount(0);
});
