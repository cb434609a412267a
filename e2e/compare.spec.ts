// Slides side by side: CMU-1-Small-Region (0.499 µm/px) and a copy at half its resolution (0.998
// µm/px), each in its own viewer, linked by physical position and scale; an offset set by
// Shift-drag is remembered for the pair; the field of view exports as one labelled image.

import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { fixturePath } from '../testing/fixtures';
import { expect, slidePath, test } from './fixtures';
import { waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';
const CMU_MPP = 0.499;
const HALF_MPP = 0.998;

interface PanelState {
  /** CSS pixels per level-0 pixel. */
  imageZoom: number;
  /** Level-0 point under the panel's middle, as drawn. */
  center: { x: number; y: number };
  size: { x: number; y: number };
  rotation: number;
}

type ProbeWindow = Window & { __slidescopeE2E?: { compareViewers: Array<unknown> } };

/** Waits until every panel has opened, settled and drawn every tile it needs. */
async function waitForPanels(page: Page, count: number): Promise<void> {
  await expect(page.getByTestId('compare-view')).toBeVisible();
  await page.waitForFunction(
    (n) => {
      const viewers = ((window as ProbeWindow).__slidescopeE2E?.compareViewers ?? []) as Array<{
        world: { getItemCount(): number; getItemAt(i: number): { getFullyLoaded(): boolean } };
        viewport: { getZoom(c: boolean): number; getCenter(c: boolean): { x: number; y: number } };
      } | null>;
      if (viewers.length !== n) return false;
      return viewers.every((v) => {
        if (!v || v.world.getItemCount() === 0) return false;
        const a = v.viewport.getCenter(true);
        const b = v.viewport.getCenter(false);
        return (
          Math.abs(v.viewport.getZoom(true) - v.viewport.getZoom(false)) < 1e-9 &&
          Math.abs(a.x - b.x) < 1e-9 &&
          Math.abs(a.y - b.y) < 1e-9 &&
          v.world.getItemAt(0).getFullyLoaded()
        );
      });
    },
    count,
    { timeout: 30_000, polling: 100 },
  );
}

async function panels(page: Page): Promise<PanelState[]> {
  return page.evaluate(() => {
    const viewers = ((window as ProbeWindow).__slidescopeE2E?.compareViewers ?? []) as Array<{
      viewport: {
        getContainerSize(): { x: number; y: number };
        getCenter(c: boolean): { x: number; y: number; times(f: number): { x: number; y: number } };
        viewerElementToImageCoordinates(p: { x: number; y: number }): { x: number; y: number };
        viewportToImageZoom(z: number): number;
        getZoom(c: boolean): number;
        getRotation(c: boolean): number;
      };
    }>;
    return viewers.map((v) => {
      const size = v.viewport.getContainerSize();
      const middle = v.viewport.getCenter(true).times(0);
      middle.x = size.x / 2;
      middle.y = size.y / 2;
      const center = v.viewport.viewerElementToImageCoordinates(middle);
      return {
        imageZoom: v.viewport.viewportToImageZoom(v.viewport.getZoom(true)),
        center: { x: center.x, y: center.y },
        size: { x: size.x, y: size.y },
        rotation: v.viewport.getRotation(true),
      };
    });
  });
}

/** Each panel's centre in µm (the slides as scanned: the first has no offset here). */
function microns(states: PanelState[]): Array<{ x: number; y: number }> {
  const mpp = [CMU_MPP, HALF_MPP];
  return states.map((s, i) => ({ x: s.center.x * mpp[i]!, y: s.center.y * mpp[i]! }));
}

async function drag(page: Page, testId: string, dx: number, dy: number, shift = false): Promise<void> {
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`no ${testId}`);
  const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + dx / 2, start.y + dy / 2, { steps: 6 });
  await page.mouse.move(start.x + dx, start.y + dy, { steps: 6 });
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

/** Back to tabs, then the same pair (CMU and the other open slide) compared again: its alignment as remembered. */
async function compareAgain(page: Page): Promise<void> {
  await page.getByTestId('compare-leave').click();
  await expect(page.getByTestId('compare-view')).toHaveCount(0);
  await waitForTiles(page);
  await page.getByRole('tab', { name: CMU }).click();
  await page.getByTestId('tabs-compare').click();
  await page.getByTestId('compare-start').click();
  await waitForPanels(page, 2);
  await expect(page.getByTestId('compare-aligned-1')).toBeVisible();
}
test('from the tab bar: two slides of different µm/px line up, pan together in µm, and a Shift-drag offset is remembered', async ({ host }, testInfo) => {
  const { page } = host;
  const half = await fixturePath('compare-cmu-half');
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);

  // Compare with…: CMU is chosen; the copy is opened from the chooser and chosen with it.
  await page.getByTestId('tabs-compare').click();
  await expect(page.getByTestId('compare-chooser')).toBeVisible();
  await expect(page.getByTestId('compare-start')).toBeDisabled();
  host.main.setDialogAnswer(half);
  await page.getByTestId('compare-open-more').click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  await expect(page.getByTestId('compare-start')).toBeEnabled();
  await page.getByTestId('compare-start').click();
  await waitForPanels(page, 2);

  let states = await panels(page);
  // The same µm per CSS pixel: each copy pixel covers two of CMU's, so it is drawn at twice the image zoom.
  expect(states[1]!.imageZoom / states[0]!.imageZoom).toBeCloseTo(HALF_MPP / CMU_MPP, 6);
  expect(states[0]!.size).toEqual(states[1]!.size);
  let um = microns(states);
  expect(um[1]!.x).toBeCloseTo(um[0]!.x, 1);
  expect(um[1]!.y).toBeCloseTo(um[0]!.y, 1);
  // It opens on CMU's middle, the whole slide in a panel.
  expect(states[0]!.center.x).toBeCloseTo(1110, 0);
  await expect(page.getByTestId('compare-scale-0')).toContainText(/µm|mm/);
  await expect(page.getByTestId('compare-power-1')).toHaveText(/x · .* µm\/px/);
  await page.screenshot({ path: testInfo.outputPath('compare.png') });

  // Zoom in (keys act on every panel) and pan CMU's panel: the copy moves by the same µm.
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await waitForPanels(page, 2);
  const before = microns(await panels(page));
  const umPerPx = CMU_MPP / (await panels(page))[0]!.imageZoom;
  await drag(page, 'compare-osd-0', -120, -60);
  await waitForPanels(page, 2);
  states = await panels(page);
  um = microns(states);
  expect(um[0]!.x - before[0]!.x).toBeCloseTo(120 * umPerPx, -1);
  expect(um[0]!.y - before[0]!.y).toBeCloseTo(60 * umPerPx, -1);
  expect(um[1]!.x).toBeCloseTo(um[0]!.x, 1);
  expect(um[1]!.y).toBeCloseTo(um[0]!.y, 1);
  // Panning the copy leads as well.
  await drag(page, 'compare-osd-1', 80, 40);
  await waitForPanels(page, 2);
  um = microns(await panels(page));
  expect(um[1]!.x).toBeCloseTo(um[0]!.x, 1);
  expect(um[0]!.x - before[0]!.x).toBeCloseTo(40 * umPerPx, -1);

  // Shift-drag moves only the copy: its content goes right and down, so its panel now shows what was up-left.
  const aligned = microns(await panels(page));
  await drag(page, 'compare-osd-1', 60, 30, true);
  await waitForPanels(page, 2);
  um = microns(await panels(page));
  expect(um[0]!.x).toBeCloseTo(aligned[0]!.x, 1);
  expect(um[1]!.x - um[0]!.x).toBeCloseTo(-60 * umPerPx, -1);
  expect(um[1]!.y - um[0]!.y).toBeCloseTo(-30 * umPerPx, -1);
  await expect(page.getByTestId('compare-aligned-1')).toBeVisible();
  const offset = { x: um[1]!.x - um[0]!.x, y: um[1]!.y - um[0]!.y };

  // The export: the field of view as one labelled image, panels side by side.
  const out = join(tmpdir(), `slidescope-compare-${process.pid}-${Date.now()}.png`);
  host.main.exportAnswers.thumbnailPath = out;
  // Zoomed past the copy's scan, the export says why it cannot be made.
  await host.emit('app:menu-command', 'export');
  await expect(page.getByTestId('compare-export-error')).toContainText(/is finer than compare-cmu-half-\w+\.tif's scan \(1\.00 µm\/px at best\)/);
  await expect(page.getByTestId('compare-export-start')).toBeDisabled();
  await page.keyboard.press('Escape');
  await page.keyboard.press('-');
  await waitForPanels(page, 2);
  states = await panels(page);
  await page.getByTestId('compare-export').click();
  await expect(page.getByTestId('compare-export-dialog')).toBeVisible();
  await page.getByTestId('compare-export-start').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  const meta = await sharp(out).metadata();
  const size = states[0]!.size;
  expect(meta.width).toBe(2 * Math.floor(size.x) + 3 * 8);
  expect(meta.height).toBe(Math.floor(size.y) + 44 + 2 * 8);
  const { data, info } = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (const i of [0, 1]) {
    // The label band under each panel has text in it.
    let ink = 0;
    const left = 8 + i * (Math.floor(size.x) + 8);
    for (let y = 8 + Math.floor(size.y); y < info.height - 8; y++)
      for (let x = left; x < left + Math.floor(size.x); x++) if (data[(y * info.width + x) * 3]! < 100) ink++;
    expect(ink, `panel ${i}'s label`).toBeGreaterThan(200);
  }
  await page.keyboard.press('Escape');

  // Back to tabs, and the same pair compared again: the offset is back.
  await compareAgain(page);
  um = microns(await panels(page));
  expect(um[1]!.x - um[0]!.x).toBeCloseTo(offset.x, 0);
  expect(um[1]!.y - um[0]!.y).toBeCloseTo(offset.y, 0);
  // Reset puts the copy back as scanned.
  await page.getByTestId('compare-reset-1').click();
  await waitForPanels(page, 2);
  um = microns(await panels(page));
  expect(um[1]!.x).toBeCloseTo(um[0]!.x, 1);
  expect(host.consoleErrors).toEqual([]);
});

test('Shift + arrows on a focused panel move its slide a step against the others, said aloud and remembered as a Shift-drag is', async ({ host }) => {
  const { page } = host;
  const half = await fixturePath('compare-cmu-half');
  await host.drop([slidePath(CMU), half]);
  await page.getByTestId('drop-side-by-side').click();
  await waitForPanels(page, 2);
  // The copy's panel, reached with Tab.
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.closest('[data-testid="compare-osd-1"]') != null)) break;
  }
  await expect(page.getByTestId('compare-osd-1').locator('.openseadragon-canvas')).toBeFocused();
  const before = microns(await panels(page));
  const umPerPx = CMU_MPP / (await panels(page))[0]!.imageZoom;
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  await waitForPanels(page, 2);
  let um = microns(await panels(page));
  // Only the copy moved, 20 and 10 screen pixels right and down, as a Shift-drag that far moves it.
  expect(um[0]!.x).toBeCloseTo(before[0]!.x, 1);
  expect(um[0]!.y).toBeCloseTo(before[0]!.y, 1);
  expect(um[1]!.x - um[0]!.x).toBeCloseTo(-20 * umPerPx, 0);
  expect(um[1]!.y - um[0]!.y).toBeCloseTo(-10 * umPerPx, 0);
  const name = basename(half);
  const tenths = (v: number) => (Math.round(v * 10) / 10).toFixed(1);
  await expect(page.getByTestId('compare-announced-1')).toHaveText(`${name} moved ${tenths(20 * umPerPx)}, ${tenths(10 * umPerPx)} µm`);
  await expect(page.getByTestId('compare-aligned-1')).toBeVisible();
  // The arrows alone still pan every panel together.
  await page.keyboard.press('ArrowLeft');
  await waitForPanels(page, 2);
  um = microns(await panels(page));
  expect(um[0]!.x).toBeLessThan(before[0]!.x);
  expect(um[1]!.x - um[0]!.x).toBeCloseTo(-20 * umPerPx, 0);
  // Remembered for the pair, the last move too though the comparison is left at once (before the
  // changes settle): back to tabs and compared again, the copy is still moved, 30 px in all.
  await page.keyboard.press('Shift+ArrowRight');
  await compareAgain(page);
  um = microns(await panels(page));
  expect(um[1]!.x - um[0]!.x).toBeCloseTo(-30 * umPerPx, 0);
  expect(um[1]!.y - um[0]!.y).toBeCloseTo(-10 * umPerPx, 0);
});

test('Shift + an arrow held down on a panel is said as the slide starts and where it ends, not at every repeat', async ({ host }) => {
  const { page } = host;
  const half = await fixturePath('compare-cmu-half');
  await host.drop([slidePath(CMU), half]);
  await page.getByTestId('drop-side-by-side').click();
  await waitForPanels(page, 2);
  await page.getByTestId('compare-osd-1').locator('.openseadragon-canvas').focus();
  const said = page.getByTestId('compare-announced-1');
  // Every text put into the live region, in order.
  await said.evaluate((region) => {
    const heard: string[] = [];
    (window as unknown as { __heard: string[] }).__heard = heard;
    new MutationObserver(() => heard.push(region.textContent ?? '')).observe(region, { childList: true, subtree: true, characterData: true });
  });
  await page.keyboard.down('Shift');
  // The first press, then the key's own repeats while it is held.
  for (let i = 0; i < 8; i++) await page.keyboard.down('ArrowRight');
  await page.keyboard.up('ArrowRight');
  await page.keyboard.up('Shift');
  await waitForPanels(page, 2);
  const umPerPx = CMU_MPP / (await panels(page))[0]!.imageZoom;
  const tenths = (v: number) => (Math.round(v * 10) / 10).toFixed(1);
  const name = basename(half);
  await expect(said).toHaveText(`${name} moved ${tenths(80 * umPerPx)}, ${tenths(0)} µm`);
  const heard = await page.evaluate(() => (window as unknown as { __heard: string[] }).__heard.filter((text) => text !== ''));
  expect(heard).toEqual([`${name} moved ${tenths(10 * umPerPx)}, ${tenths(0)} µm`, `${name} moved ${tenths(80 * umPerPx)}, ${tenths(0)} µm`]);
});

test('a multi-file drop asks: side by side opens them linked; a slide without µm/px is refused with the reason', async ({ host }) => {
  const { page } = host;
  const half = await fixturePath('compare-cmu-half');
  await host.drop([slidePath(CMU), half]);
  await expect(page.getByTestId('drop-choice')).toBeVisible();
  await page.getByTestId('drop-side-by-side').click();
  await waitForPanels(page, 2);
  await expect(page.getByRole('tab')).toHaveCount(2);
  const before = microns(await panels(page));
  await drag(page, 'compare-osd-1', -50, 20);
  await waitForPanels(page, 2);
  const states = await panels(page);
  const um = microns(states);
  const umPerPx = HALF_MPP / states[1]!.imageZoom;
  expect(um[1]!.x - before[1]!.x).toBeCloseTo(50 * umPerPx, -1);
  expect(um[0]!.x - before[0]!.x).toBeCloseTo(um[1]!.x - before[1]!.x, 1);
  expect(um[0]!.y - before[0]!.y).toBeCloseTo(um[1]!.y - before[1]!.y, 1);

  // Turning the copy (its button, then Shift + wheel) turns it about the view's centre: the centres still agree.
  await page.getByTestId('compare-turn-right-1').click();
  const box = await page.getByTestId('compare-osd-1').boundingBox();
  if (!box) throw new Error('no panel');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 100);
  await page.keyboard.up('Shift');
  // mouse.wheel does not wait for the page to handle the event.
  await expect.poll(async () => (await panels(page))[1]!.rotation).toBeCloseTo(2, 6);
  await waitForPanels(page, 2);
  const turned = await panels(page);
  expect(turned[0]!.rotation).toBe(0);
  expect(turned[1]!.imageZoom).toBeCloseTo(states[1]!.imageZoom, 9);
  await expect(page.getByTestId('compare-aligned-1')).toContainText('turned 2.0°');
  // The rotation is about the copy's centre: its level-0 centre is now off the unturned µm, but what
  // the panel shows at its middle is the same tissue point as before the turn.
  expect(turned[1]!.center.x).toBeCloseTo(states[1]!.center.x, 1);
  expect(turned[1]!.center.y).toBeCloseTo(states[1]!.center.y, 1);

  // Save alignment… writes the file format of docs/compare.md.
  const saved = join(tmpdir(), `slidescope-alignment-${process.pid}-${Date.now()}.json`);
  host.main.alignmentDialogs.savePath = saved;
  await page.getByTestId('compare-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'Alignment saved' })).toBeVisible();
  const file = JSON.parse(await readFile(saved, 'utf8')) as { format: string; slides: Array<{ name: string; rotationDegrees: number }> };
  expect(file.format).toBe('slidescope-alignment');
  expect(file.slides.map((s) => [s.name, s.rotationDegrees])).toEqual([
    [CMU, 0],
    [basename(half), 2],
  ]);
  await page.getByTestId('compare-leave').click();
  await expect(page.getByTestId('compare-view')).toHaveCount(0);

  // Dropped again as tabs: nothing new opens side by side.
  await host.drop([slidePath('openslide-python_boxes.tiff'), slidePath(CMU)]);
  await page.getByTestId('drop-as-tabs').click();
  await expect(page.getByRole('tab')).toHaveCount(3);
  await expect(page.getByTestId('compare-view')).toHaveCount(0);
  // boxes.tiff has no pixel size: its panel says why instead of linking it by pixels.
  await page.getByTestId('tabs-compare').click();
  await page.getByTestId('compare-choose-openslide-python_boxes.tiff').check();
  await page.getByTestId(`compare-choose-${CMU}`).check();
  await page.getByTestId('compare-choose-compare-cmu-half-e8a0171ddb30.tif').uncheck();
  await page.getByTestId('compare-start').click();
  await expect(page.getByTestId('compare-view')).toBeVisible();
  await expect(page.getByTestId(/compare-refused-\d/)).toContainText(
    'records no pixel size (µm/px), so it cannot be placed beside the others by physical position',
  );
});

test('a slide closed from three side by side leaves the other two side by side; from two, the single view', async ({ host }) => {
  const { page } = host;
  const half = await fixturePath('compare-cmu-half');
  const ndpi = 'slideio_test3-DAPI-2-387.ndpi';
  await host.drop([slidePath(CMU), half, slidePath(ndpi)]);
  await page.getByTestId('drop-side-by-side').click();
  await waitForPanels(page, 3);
  // The gestures' hint is read whole in a window 1000 px wide, not cut off.
  await page.setViewportSize({ width: 1000, height: 700 });
  const hint = page.locator('.compare-hint');
  await expect(hint).toContainText('Shift + wheel turns it');
  expect(await hint.evaluate((el) => [el.scrollHeight, el.clientHeight, el.scrollWidth, el.clientWidth])).toEqual(
    await hint.evaluate((el) => [el.clientHeight, el.clientHeight, el.clientWidth, el.clientWidth]),
  );
  await page.getByRole('button', { name: `Close ${ndpi}` }).click();
  await waitForPanels(page, 2);
  await expect(page.getByTestId('compare-osd-2')).toHaveCount(0);
  await expect(page.getByRole('tab')).toHaveCount(2);
  await page.getByRole('button', { name: `Close ${basename(half)}` }).click();
  await expect(page.getByTestId('compare-view')).toHaveCount(0);
  await waitForTiles(page, { slide: CMU });
  await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');
});
