// Each vendor format dropped on the app: its tiles drawn where the engine reads them, at 1:1 and at
// the whole-slide view, and its metadata (vendor, objective, µm/px, levels, vendor properties) shown.

import { basename } from 'node:path';
import { dataFolderOf } from '../electron/engine/formats/mirax/mirax-files';
import { type FixtureName, fixturePath } from '../testing/fixtures';
import { expect, slidePath, test } from './fixtures';
import { blockAverages, comparePixels, meanAbsDifference } from './host/pixels';
import type { SlidescopeHost } from './host/slidescope-host';
import { canvasSize, currentImageZoom, imageOriginOnScreen, readCanvas, setExactView, waitForTiles } from './host/viewer-probe';

interface VendorSlide {
  /** A slide in ../shared/slides, or a fixture the project's writer makes. */
  file: { shared: string } | { fixture: FixtureName };
  vendor: string;
  power: string;
  mpp: string;
  levels: number;
  /** Dropped as its data folder (a MIRAX slide's folder beside its .mrxs), not its key file. */
  asFolder?: true;
  /** A vendor property the metadata panel lists. */
  property: string;
  /** A level-0 point inside tissue, for the 1:1 comparison. */
  at: { x: number; y: number };
}

const SLIDES: VendorSlide[] = [
  {
    file: { shared: 'slideio_test3-DAPI-2-387.ndpi' },
    vendor: 'hamamatsu',
    power: '40x',
    mpp: '0.2282 µm/px',
    levels: 7,
    property: 'hamamatsu.SourceLens',
    at: { x: 1500, y: 2000 },
  },
  { file: { fixture: 'ndpi-422' }, vendor: 'hamamatsu', power: '40x', mpp: '0.2265 µm/px', levels: 8, property: 'hamamatsu.Product', at: { x: 4000, y: 2500 } },
  {
    file: { fixture: 'philips-sparse' },
    vendor: 'philips',
    power: 'not recorded',
    mpp: '0.251 × 0.25 µm/px',
    levels: 3,
    property: 'philips.DICOM_MANUFACTURER',
    at: { x: 300, y: 300 },
  },
  { file: { fixture: 'leica-offset' }, vendor: 'leica', power: '20x', mpp: '0.252 µm/px', levels: 3, property: 'leica.device-model', at: { x: 1700, y: 1300 } },
  {
    file: { fixture: 'ventana-overlap' },
    vendor: 'ventana',
    power: '40x',
    mpp: '0.25 µm/px',
    levels: 4,
    property: 'ventana.BuildVersion',
    at: { x: 800, y: 500 },
  },
  { file: { fixture: 'ome-rgb-jpeg' }, vendor: 'ome-tiff', power: '20x', mpp: '0.25 µm/px', levels: 4, property: 'ome.pixels.type', at: { x: 600, y: 1200 } },
  // A DICOM slide is a folder of files: the folder is dropped.
  {
    file: { fixture: 'dicom-jpeg-rgb' },
    vendor: 'dicom',
    power: '20x',
    mpp: '0.499 µm/px',
    levels: 3,
    property: 'dicom.ContainerIdentifier',
    at: { x: 3000, y: 2500 },
  },
  {
    file: { fixture: 'mirax-positions' },
    vendor: 'mirax',
    power: '20x',
    mpp: '0.25 µm/px',
    levels: 5,
    property: 'mirax.GENERAL.SLIDE_NAME',
    at: { x: 1000, y: 1400 },
  },
  {
    file: { fixture: 'mirax-positions' },
    asFolder: true,
    vendor: 'mirax',
    power: '20x',
    mpp: '0.25 µm/px',
    levels: 5,
    property: 'mirax.GENERAL.SLIDE_NAME',
    at: { x: 1000, y: 1400 },
  },
];

/** Same thresholds as viewer.spec.ts: the canvas drawer's 1-pixel stretch against a 3-pixel shift. */
const SAME_MEAN = 6;
const SAME_P99 = 40;

async function pathOf(slide: VendorSlide): Promise<string> {
  const path = 'shared' in slide.file ? slidePath(slide.file.shared) : await fixturePath(slide.file.fixture);
  return slide.asFolder ? dataFolderOf(path) : path;
}

async function oneToOne(host: SlidescopeHost, slideId: string, at: { x: number; y: number }): Promise<void> {
  const { page } = host;
  await setExactView(page, { ...at, imageZoom: 1 });
  await waitForTiles(page);
  // The view must still be the one set (a late resize would move it, and compare the wrong places).
  const origin = await imageOriginOnScreen(page);
  expect(Math.abs(origin.x - at.x) + Math.abs(origin.y - at.y)).toBeLessThan(0.5);
  const patch = { x: 100, y: 80, width: 300, height: 200 };
  const drawn = await readCanvas(page, patch);
  const read = (d: number) =>
    host.engine('engine:region', { slideId, level: 0, x: at.x + patch.x - 1 + d, y: at.y + patch.y - 1 + d, width: patch.width + 2, height: patch.height + 2 });
  const diff = comparePixels(drawn, await read(0), 1);
  expect(diff.mean).toBeLessThan(SAME_MEAN);
  expect(diff.p99).toBeLessThan(SAME_P99);
  const shifted = comparePixels(drawn, await read(3), 1);
  expect(shifted.mean > SAME_MEAN || shifted.p99 > SAME_P99, 'a shifted reference must fail').toBe(true);
}

async function wholeSlide(host: SlidescopeHost, slideId: string): Promise<void> {
  const { page } = host;
  const zoom = await currentImageZoom(page);
  const size = await canvasSize(page);
  const topLeft = await imageOriginOnScreen(page);
  const side = 128;
  const screen = { x: Math.round(size.width / 2 - side / 2), y: Math.round(size.height / 2 - side / 2) };
  const drawn = await readCanvas(page, { ...screen, width: side, height: side });
  const reference = await host.engine('engine:scaled-region', {
    slideId,
    x: Math.round(topLeft.x + screen.x / zoom),
    y: Math.round(topLeft.y + screen.y / zoom),
    width: Math.round(side / zoom),
    height: Math.round(side / zoom),
    outWidth: side,
    outHeight: side,
  });
  const difference = meanAbsDifference(blockAverages(drawn.data, side, side, 4, 16), blockAverages(reference.data, side, side, reference.channels, 16));
  expect(difference).toBeLessThan(8);
}

for (const slide of SLIDES) {
  const name = `${'shared' in slide.file ? slide.file.shared : slide.file.fixture}${slide.asFolder ? ' folder' : ''}`;
  test(`${name} (${slide.vendor}) dropped: tiles where the engine reads them, and its metadata`, async ({ host }) => {
    const path = await pathOf(slide);
    const { page } = host;
    await host.drop([path]);
    await waitForTiles(page);
    // Nothing to say about it (a folder's annotations once failed with EISDIR).
    await expect(page.getByTestId('notice')).toHaveCount(0);
    const slideId = host.slideIdOf(basename(path));
    await wholeSlide(host, slideId);

    await page.keyboard.press('m');
    const panel = page.getByTestId('metadata-panel');
    await expect(panel.getByTestId('metadata-summary')).toContainText(slide.vendor);
    await expect(panel.getByTestId('objective-power')).toHaveText(slide.power);
    await expect(panel.getByTestId('mpp')).toHaveText(slide.mpp);
    await expect(panel.getByTestId('level-table').locator('tbody tr')).toHaveCount(slide.levels);
    await panel.getByTestId('property-filter').fill(slide.property);
    await expect(panel.getByTestId('property-table').locator('tbody tr').first()).toContainText(slide.property);
    await page.keyboard.press('Escape');
    await host.emit('app:menu-command', 'toggle-metadata');
    await expect(panel).toHaveCount(0);
    // The viewer takes the panel's room back in its next frames: let it settle before setting a view.
    await waitForTiles(page);

    await oneToOne(host, slideId, slide.at);
  });
}

test('slides that are folders (DICOM, a MIRAX data folder) reopen from the recent list', async ({ host }) => {
  const { page } = host;
  const folders = [await fixturePath('dicom-jpeg-rgb'), dataFolderOf(await fixturePath('mirax-positions'))];
  for (const folder of folders) {
    await host.drop([folder]);
    await waitForTiles(page, { slide: folder });
    await page.getByRole('button', { name: `Close ${basename(folder)}` }).click();
  }
  await expect(page.getByTestId('welcome')).toBeVisible();
  const recent = page.getByTestId('recent-list').getByRole('button');
  for (const folder of folders) {
    await recent
      .filter({ hasText: basename(folder) })
      .first()
      .click();
    await waitForTiles(page, { slide: folder });
    await expect(page.getByRole('tab', { name: basename(folder) })).toHaveAttribute('aria-selected', 'true');
    await page.getByRole('button', { name: `Close ${basename(folder)}` }).click();
  }
  expect(host.invocationsOf('slide:open-recent')).toHaveLength(2);
});
