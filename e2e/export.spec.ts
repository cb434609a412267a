// Exports from the UI: the Export dialog, through the real IPC handlers and the real Exporter (only
// its native dialogs are stubs that answer what the test chose), into a temporary folder. The files
// are read back with sharp.

import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { isGallery } from '../shared/operations';
import { generateFixture } from '../testing/fixtures';
import { expect, slidePath, test } from './fixtures';
import { SLIDES_DIR } from './host/paths';
import { SENDER_ID } from './host/slidescope-host';
import { gridState, readGridCanvas, waitForGridTiles, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';
const BOXES = 'openslide-python_boxes.tiff';
const STEM = 'CMU-1-Small-Region';
const POWERS = ['1.25x', '2.5x', '5x', '10x'];

let out: string;
test.beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'slidescope-e2e-export-'));
});
test.afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function size(path: string): Promise<string> {
  const meta = await sharp(path).metadata();
  return `${meta.format} ${meta.width}x${meta.height}`;
}

async function openExportDialog(page: Page) {
  await page.getByTestId('cmd-export').click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Records, in the page, the export:progress events the renderer receives. */
async function recordProgress(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as {
      __progress: string[];
      slidescope: { on(c: string, l: (p: { done: number; total: number; label: string }) => void): void };
    };
    w.__progress = [];
    w.slidescope.on('export:progress', (p) => w.__progress.push(`${p.done}/${p.total} ${p.label}`));
  });
  return () => page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
}

test('thumbnail and magnification set from the Export dialog: names, sizes, progress, show in folder', async ({ host }, testInfo) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const progress = await recordProgress(page);

  // Thumbnail at 1.25x (the default): TIAToolbox's 139 x 185.
  const dialog = await openExportDialog(page);
  await expect(page.getByTestId('thumb-summary')).toHaveText('139 × 185 px · 1.25x · 7.98 µm/px');
  await page.screenshot({ path: testInfo.outputPath('export-thumbnail.png') });
  const thumbnail = join(out, `${STEM}_thumbnail.png`);
  host.main.exportAnswers.thumbnailPath = thumbnail;
  await dialog.getByTestId('export-thumbnail').click();
  const status = dialog.getByTestId('export-status');
  await expect(status).toHaveAttribute('data-status', 'done');
  await expect(dialog.getByTestId('export-files')).toHaveText(`${STEM}_thumbnail.png`);
  expect(host.main.exportDialogs).toEqual([{ dialog: 'thumbnail', defaultPath: join(SLIDES_DIR, `${STEM}_thumbnail.png`), format: 'png' }]);
  expect(await size(thumbnail)).toBe('png 139x185');
  await dialog.getByTestId('export-show-in-folder').click();
  await expect.poll(() => host.main.shownInFolder).toEqual([thumbnail]);

  // The set: one image per magnification (the grid's four by default) and the composite.
  await dialog.getByTestId('export-kind-set').click();
  for (const [i, power] of POWERS.entries()) await expect(dialog.getByTestId(`set-power-${i}`)).toHaveValue(power);
  await expect(dialog.getByTestId('set-mode-slide')).toBeChecked();
  host.main.exportAnswers.folder = out;
  await dialog.getByTestId('export-set').click();
  await expect(status).toHaveAttribute('data-status', 'done');
  const names = [...POWERS.map((p) => `${STEM}_${p}.png`), `${STEM}_resolution_comparison.png`];
  await expect(dialog.getByTestId('export-files').locator('li')).toHaveText(names);
  await page.screenshot({ path: testInfo.outputPath('export-set-done.png') });
  // The folder dialog starts where the last export went.
  expect(host.main.exportDialogs.at(-1)).toEqual({ dialog: 'folder', defaultPath: out });
  expect(host.main.exportDialogs.filter((d) => d.dialog === 'overwrite')).toEqual([]);
  const sizes = await Promise.all(names.map((n) => size(join(out, n))));
  expect(sizes.slice(0, 4)).toEqual(['png 139x185', 'png 278x371', 'png 555x742', 'png 1110x1484']);
  expect(sizes[4]).toMatch(/^png \d{4}x\d{4}$/);
  // Real progress reached the page, step by step.
  await expect
    .poll(progress)
    .toEqual(['0/1 thumbnail', '1/1 thumbnail', '0/6 1.25x', '1/6 2.5x', '2/6 5x', '3/6 10x', '4/6 comparison', '5/6 writing', '6/6 done']);
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('field of view from the grid; existing files: Cancel keeps them, Replace overwrites; EXISTS is explained', async ({ host }, testInfo) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.keyboard.press('g');
  await waitForGridTiles(page);
  // Move the field off the slide's middle, by dragging the 10x cell.
  const cell = await page.getByTestId('grid-osd-3').boundingBox();
  if (!cell) throw new Error('no 10x cell');
  await page.mouse.move(cell.x + cell.width / 2, cell.y + cell.height / 2);
  await page.mouse.down();
  await page.mouse.move(cell.x + cell.width / 2 + 120, cell.y + cell.height / 2 + 60, { steps: 10 });
  await page.mouse.up();
  await waitForGridTiles(page);
  const grid = await gridState(page);
  const shown = grid[0]!;

  // From the grid, the dialog offers the set of what the grid shows.
  const dialog = await openExportDialog(page);
  await expect(dialog.getByTestId('export-kind-set')).toBeChecked();
  await expect(dialog.getByTestId('set-mode-field')).toBeChecked();
  await expect(dialog).toContainText(`${shown.size.x} × ${shown.size.y} px around (${Math.round(shown.center.x)}, ${Math.round(shown.center.y)})`);
  await dialog.getByTestId('export-format').selectOption('jpeg');
  await page.screenshot({ path: testInfo.outputPath('export-field.png') });
  host.main.exportAnswers.folder = out;
  await dialog.getByTestId('export-set').click();
  const status = dialog.getByTestId('export-status');
  await expect(status).toHaveAttribute('data-status', 'done');
  const files = [...POWERS.map((p) => join(out, `${STEM}_${p}.jpg`)), join(out, `${STEM}_resolution_comparison.jpg`)];
  // Each panel is one grid cell's field: the cell's size in CSS pixels, at its magnification.
  for (const file of files.slice(0, 4)) expect(await size(file)).toBe(`jpeg ${shown.size.x}x${shown.size.y}`);
  const request = host.invocationsOf('export:comparison')[0]?.request as {
    mode: { centerX: number; centerY: number; panelWidth: number; panelHeight: number };
  };
  expect(request.mode.centerX).toBeCloseTo(shown.center.x, 1);
  expect(request.mode.centerY).toBeCloseTo(shown.center.y, 1);
  expect(request.mode).toMatchObject({ kind: 'field', panelWidth: shown.size.x, panelHeight: shown.size.y });
  // The 10x panel is what the 10x cell drew: the same layout in 16-pixel blocks (JPEG and the
  // canvas drawer's resampling differ in detail); the panel mirrored is the control.
  const drawn = await readGridCanvas(page, 3);
  expect(drawn.width).toBe(shown.size.x);
  const written = await sharp(files[3]!).removeAlpha().raw().toBuffer();
  const mirrored = await sharp(files[3]!).flop().removeAlpha().raw().toBuffer();
  const same = blockDifference(drawn.data, 4, written, shown.size.x, shown.size.y);
  const control = blockDifference(drawn.data, 4, mirrored, shown.size.x, shown.size.y);
  testInfo.annotations.push({ type: '10x panel vs cell (block difference)', description: `${same.toFixed(2)} (mirrored: ${control.toFixed(2)})` });
  expect(same).toBeLessThan(6);
  expect(control).toBeGreaterThan(same * 3);

  // Again into the same folder: asked once; Cancel keeps every file as it was.
  const before = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs)));
  host.main.exportAnswers.replace = false;
  await dialog.getByTestId('export-set').click();
  await expect(status).toHaveAttribute('data-status', 'cancelled');
  await expect(status).toContainText('Nothing was written');
  expect(host.main.exportDialogs.filter((d) => d.dialog === 'overwrite')).toEqual([{ dialog: 'overwrite', existing: files }]);
  expect(await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs)))).toEqual(before);
  // Replace overwrites them.
  host.main.exportAnswers.replace = true;
  await dialog.getByTestId('export-set').click();
  await expect(status).toHaveAttribute('data-status', 'done');
  const after = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs)));
  for (const [i, t] of after.entries()) expect(t).toBeGreaterThan(before[i]!);

  // A file that another program writes after the check is refused, and the dialog says so.
  await Promise.all(files.map((f) => rm(f)));
  host.main.onExportProgress = (p) => {
    if (p.done === 0) writeFileSync(files[0]!, 'theirs');
  };
  await dialog.getByTestId('export-set').click();
  await expect(status).toHaveAttribute('data-status', 'failed');
  await expect(status).toHaveAttribute('data-code', 'EXISTS');
  await expect(status).toContainText('Export failed: a file with that name already exists, and nothing was overwritten.');
  await expect(status).toContainText(`EXISTS: ${STEM}_1.25x.jpg already exists.`);
  await page.screenshot({ path: testInfo.outputPath('export-exists.png') });
  expect(await readFile(files[0]!, 'utf8')).toBe('theirs');
  host.main.onExportProgress = null;
});

test('thumbnail choices the slide cannot give are refused before asking; cancel and write errors are shown', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const dialog = await openExportDialog(page);
  const button = dialog.getByTestId('export-thumbnail');
  // The name the save dialog will offer, as main makes it (its format's extension).
  await expect(dialog).toContainText(`(${STEM}_thumbnail.png by default)`);
  await dialog.getByTestId('export-format').selectOption('jpeg');
  await expect(dialog).toContainText(`(${STEM}_thumbnail.jpg by default)`);
  await dialog.getByTestId('export-format').selectOption('png');

  await dialog.getByTestId('thumb-power').fill('40x');
  await expect(dialog.getByTestId('thumb-error')).toHaveText("40x is beyond this slide's scan (20x at most).");
  await expect(button).toBeDisabled();
  await dialog.getByTestId('thumb-mpp').fill('0.2');
  await expect(dialog.getByTestId('thumb-kind-mpp')).toBeChecked();
  await expect(dialog.getByTestId('thumb-error')).toHaveText("0.20 µm/px is finer than this slide's scan (0.50 µm/px at best).");
  await dialog.getByTestId('thumb-size').fill('5000');
  await expect(dialog.getByTestId('thumb-error')).toHaveText('5000 px is larger than the slide itself (2220 × 2967 px).');
  await expect(button).toBeDisabled();
  expect(host.main.exportDialogs).toEqual([]);

  // The save dialog cancelled: nothing written, and said so.
  await dialog.getByTestId('thumb-size').fill('512');
  await expect(dialog.getByTestId('thumb-summary')).toHaveText('383 × 512 px');
  host.main.exportAnswers.thumbnailPath = null;
  await button.click();
  const status = dialog.getByTestId('export-status');
  await expect(status).toHaveAttribute('data-status', 'cancelled');

  // A folder that is gone: the error names it.
  host.main.exportAnswers.thumbnailPath = join(out, 'gone', 'thumb.png');
  await button.click();
  await expect(status).toHaveAttribute('data-status', 'failed');
  await expect(status).toHaveAttribute('data-code', 'NOT_FOUND');
  await expect(status).toContainText(`The folder ${join(out, 'gone')} does not exist.`);
  // The failure is the thumbnail's: not shown under Magnification set, shown again back under Thumbnail.
  await dialog.getByTestId('export-kind-set').click();
  await expect(status).toHaveCount(0);
  await dialog.getByTestId('export-kind-thumbnail').click();
  await expect(status).toHaveAttribute('data-status', 'failed');

  // µm/px and JPEG; the name typed without an extension gets .jpg.
  await dialog.getByTestId('thumb-mpp').fill('8');
  await expect(dialog.getByTestId('thumb-summary')).toHaveText('138 × 185 px · 1.25x · 8.00 µm/px');
  await dialog.getByTestId('export-format').selectOption('jpeg');
  host.main.exportAnswers.thumbnailPath = join(out, 'by-mpp');
  await button.click();
  await expect(status).toHaveAttribute('data-status', 'done');
  expect(await size(join(out, 'by-mpp.jpg'))).toBe('jpeg 138x185');
});

test('the dialog never holds the app: it closes while main waits, or when another slide is shown, and the outcome arrives as a message', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  let release!: () => void;
  host.main.exportAnswers.gate = new Promise((resolve) => (release = resolve));
  host.main.exportAnswers.folder = out;

  const dialog = await openExportDialog(page);
  await dialog.getByTestId('export-kind-set').click();
  await dialog.getByTestId('export-set').click();
  const status = dialog.getByTestId('export-status');
  await expect(status).toHaveAttribute('data-status', 'running');
  await expect(status).toContainText('Waiting for your choice of file or folder');
  await expect(dialog.getByTestId('export-set')).toBeDisabled();
  // Progress as main reports it.
  await host.emit('export:progress', { jobId: 99, done: 2, total: 5, label: '5x' });
  await expect(status).toContainText('Reading the 5x image (3 of 5)');
  await expect(dialog.getByTestId('export-progress')).toHaveAttribute('value', '2');

  // Close it: the slide is usable (keys reach it again) while the export waits.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await page.getByTestId('preset-5').click();
  await expect(page.getByTestId('magnification-readout')).toHaveText('5x');

  // Reopened, then another slide opened from the menu: the dialog is this slide's, and goes with it from view.
  await openExportDialog(page);
  const opened = await host.main.controller.openFromMain(SENDER_ID, slidePath(BOXES), 'menu');
  if (!opened.ok) throw new Error(opened.error.message);
  if (isGallery(opened.value)) throw new Error(`${BOXES} opened as a folder`);
  await host.emit('app:slide-opened', opened.value);
  await expect(page.getByRole('tab', { name: BOXES })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByRole('tab', { name: CMU }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  host.main.exportAnswers.gate = null;
  release();
  await expect(page.getByTestId('notice').filter({ hasText: `Exported 5 files from ${CMU}` })).toContainText(out);
  // Reopened, the dialog shows how the last export ended.
  await openExportDialog(page);
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-status', 'done');
});

/** Mean absolute difference of 16 x 16 block averages (RGB; a has aChannels, b 3): layout, not resampling filters. */
function blockDifference(a: Buffer, aChannels: number, b: Buffer, width: number, height: number): number {
  const size = 16;
  let sum = 0;
  let count = 0;
  for (let by = 0; by + size <= height; by += size) {
    for (let bx = 0; bx + size <= width; bx += size) {
      for (let c = 0; c < 3; c++) {
        let sa = 0;
        let sb = 0;
        for (let y = by; y < by + size; y++) {
          for (let x = bx; x < bx + size; x++) {
            sa += a[(y * width + x) * aChannels + c] ?? 0;
            sb += b[(y * width + x) * 3 + c] ?? 0;
          }
        }
        sum += Math.abs(sa - sb) / (size * size);
        count++;
      }
    }
  }
  return sum / count;
}

test('a region of a slide that gives only its pixel size starts at its own scan power; one with no scale says why', async ({ host }) => {
  const { page } = host;
  // 0.4985 µm/px and no objective power: the scan is 20.06x, written 20.1x (past the scan if taken as typed).
  const slide = join(out, 'mpp-only.tif');
  await generateFixture(
    { kind: 'generic', ext: '.tif', options: { width: 2000, height: 1500, tileSize: 256, compression: 'jpeg', mppMicrons: 0.4985, seed: 41 } },
    slide,
  );
  await host.drop([slide]);
  await waitForTiles(page);
  await host.emit('app:menu-command', 'actual-pixels');
  const dialog = await openExportDialog(page);
  await dialog.getByTestId('export-kind-region').click();
  await expect(dialog.getByTestId('region-power')).toHaveValue('20.1x');
  await expect(dialog.getByTestId('region-summary')).toContainText('20.1x');
  await expect(dialog.getByTestId('export-region')).toBeEnabled();
  await dialog.getByRole('button', { name: 'Close' }).click();

  await host.drop([slidePath(BOXES)]);
  // Named: until the new view mounts, the first slide's ready view passes the wait, and the export would ask a view that is going.
  await waitForTiles(page, { slide: BOXES });
  await expect(page.getByRole('tab', { name: BOXES })).toHaveAttribute('aria-selected', 'true');
  const again = await openExportDialog(page);
  await again.getByTestId('export-kind-region').click();
  await expect(again.getByTestId('region-error')).toHaveText(
    'The slide records neither its objective power nor its pixel size, so magnifications are unknown.',
  );
  await expect(again.getByTestId('region-power')).toBeDisabled();
  await expect(again.getByText('A part of the slide at the magnification you choose, saved where you choose.')).toBeVisible();
  await expect(again.getByTestId('export-region')).toBeDisabled();
});
