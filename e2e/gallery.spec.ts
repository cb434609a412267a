// A folder of several slides as a gallery: Open folder… (the stubbed dialog) and a dropped folder show
// a card per slide the CLI would list, each with a thumbnail the engine made (decoded, not blank), its
// format, size and magnification, or a broken file's reason; at most two previews asked at once; a
// card opens its slide in a tab by click or by keyboard; the gallery's tab stays until closed; a failed
// preview is tried again (by the person, or once by itself when the engine was restarted); the folder
// in the recent list, reopened from it; Korean.

import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { fixturePath } from '../testing/fixtures';
import { expect, koreanTest, slidePath, test } from './fixtures';
import type { SlidescopeHost } from './host/slidescope-host';
import { waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';
const BOXES = 'openslide-python_boxes.tiff';
const BROKEN = 'histolab_broken-html.svs';
const GENERATED = 'generated.tif';
/** As the CLI lists them: sorted by name, the text file left out. */
const NAMES = [CMU, GENERATED, BROKEN, BOXES];

let dir = '';
let folder = '';
test.beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-e2e-gallery-'));
  folder = join(dir, 'teaching set');
  await mkdir(folder);
  for (const name of [CMU, BOXES, BROKEN]) await copyFile(slidePath(name), join(folder, name));
  await copyFile(await fixturePath('cohort-tif'), join(folder, GENERATED));
  await writeFile(join(folder, 'notes.txt'), 'not a slide');
});
test.afterEach(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

const card = (page: Page, name: string): Locator => page.getByRole('button', { name, exact: true });

/** The card's thumbnail decoded by the browser: its size, and how much its pixels vary (0 = blank). */
async function thumbnailOf(locator: Locator): Promise<{ width: number; height: number; spread: number }> {
  return locator.locator('img').evaluate(async (img: HTMLImageElement) => {
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.drawImage(img, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let squares = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const grey = (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
      sum += grey;
      squares += grey * grey;
    }
    const mean = sum / n;
    return { width: img.naturalWidth, height: img.naturalHeight, spread: Math.sqrt(Math.max(0, squares / n - mean * mean)) };
  });
}

/** The most previews the page had asked for at any one time. */
function mostAtOnce(host: SlidescopeHost): number {
  const events = host
    .invocationsOf('gallery:preview')
    .flatMap((call) => [
      { at: call.askedAt, step: 1 },
      { at: call.answeredAt ?? Number.POSITIVE_INFINITY, step: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const event of events) {
    now += event.step;
    most = Math.max(most, now);
  }
  return most;
}

async function openFolder(host: SlidescopeHost, path: string): Promise<void> {
  host.main.setDialogAnswer(path);
  await host.page.getByRole('button', { name: 'Open folder…' }).click();
}

test('Open folder…: a card per slide with its thumbnail and facts, a broken file says why; click and Enter open slides', async ({ host }) => {
  const { page } = host;
  await openFolder(host, folder);
  const gallery = page.getByRole('tabpanel', { name: 'teaching set' });
  await expect(page.getByRole('tab', { name: 'teaching set' })).toHaveAttribute('aria-selected', 'true');
  await expect(gallery.getByRole('heading', { name: 'Slides in teaching set' })).toBeVisible();
  await expect(gallery).toContainText('4 slides');
  await expect(gallery.getByTestId('gallery-card')).toHaveCount(4);
  await expect(gallery.getByTestId('gallery-card').locator('[id$="-name"]')).toHaveText(NAMES);

  // Each readable slide's card: a thumbnail of at most 224 px that shows something, and its facts.
  for (const name of [CMU, GENERATED, BOXES]) {
    await expect(card(page, name)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    const thumbnail = await thumbnailOf(card(page, name));
    expect(Math.max(thumbnail.width, thumbnail.height), name).toBeLessThanOrEqual(224);
    expect(Math.min(thumbnail.width, thumbnail.height), name).toBeGreaterThan(10);
    expect(thumbnail.spread, `${name}'s thumbnail is not blank`).toBeGreaterThan(4);
  }
  expect(Math.max((await thumbnailOf(card(page, CMU))).width, (await thumbnailOf(card(page, CMU))).height)).toBe(224);
  // A screen reader hears the name, then the facts.
  await expect(card(page, CMU)).toHaveAccessibleDescription(/Aperio.*\(aperio\).*2,220 × 2,967 px.*20x · 0\.50 µm\/px/);
  await expect(card(page, BOXES)).toHaveAccessibleDescription(/generic-tiff.*300 × 250 px · 4 levels.*magnification not recorded/);
  // The file that is no slide: its reason, in the app's words for its code.
  await expect(card(page, BROKEN)).toHaveAttribute('data-state', 'failed');
  await expect(card(page, BROKEN)).toHaveAccessibleDescription(`${BROKEN} is not a slide file.`);
  await expect(card(page, BROKEN).getByTestId('gallery-error')).toHaveAttribute('title', /NOT_A_SLIDE/);
  expect(mostAtOnce(host), 'previews asked for at once').toBeLessThanOrEqual(2);
  expect(host.invocationsOf('gallery:preview')).toHaveLength(4);

  // A click opens the slide in a tab, as a dropped slide opens.
  await card(page, CMU).click();
  await waitForTiles(page, { slide: CMU });
  await expect(page.getByRole('tab', { name: CMU })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('gallery')).toBeHidden();

  // The gallery stays, its thumbnails with it (none asked again).
  await page.getByRole('tab', { name: 'teaching set' }).click();
  await expect(gallery).toBeVisible();
  await expect(card(page, CMU).locator('img')).toBeVisible();
  expect(host.invocationsOf('gallery:preview')).toHaveLength(4);

  // By keyboard: to a card, the arrows to the next ones, Enter opens it; the focus shows.
  await card(page, CMU).focus();
  await page.keyboard.press('ArrowRight');
  await expect(card(page, GENERATED)).toBeFocused();
  await page.keyboard.press('End');
  await expect(card(page, BOXES)).toBeFocused();
  expect(await card(page, BOXES).evaluate((el) => el.matches(':focus-visible'))).toBe(true);
  await page.keyboard.press('Enter');
  await waitForTiles(page, { slide: BOXES });
  await expect(page.getByRole('tab', { name: BOXES })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab')).toHaveCount(3);

  // Closed, the gallery's tab goes and main forgets it; the slides stay open.
  await page.getByRole('button', { name: 'Close the gallery of teaching set' }).click();
  await expect(page.getByRole('tab')).toHaveCount(2);
  expect(host.invocationsOf('gallery:close')).toHaveLength(1);
  const { galleryId } = host.invocationsOf('gallery:close')[0]!.request as { galleryId: string };
  const refused = await host.main.controller.dispatch('gallery:preview', 1, { galleryId, path: join(folder, CMU) });
  expect(refused.ok ? 'ok' : refused.error.code).toBe('NOT_AUTHORIZED');
});

test('a dropped folder of several slides shows its gallery; a folder of one slide opens it', async ({ host }) => {
  const { page } = host;
  await host.drop([folder]);
  await expect(page.getByRole('tab', { name: 'teaching set' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('gallery-card')).toHaveCount(4);
  await expect(card(page, CMU)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  // The gallery's first card takes the focus: the keyboard starts there.
  await expect(card(page, CMU)).toBeFocused();

  const one = join(dir, 'one');
  await mkdir(one);
  await copyFile(slidePath(BOXES), join(one, BOXES));
  await host.drop([one]);
  await waitForTiles(page, { slide: BOXES });
  await expect(page.getByRole('tab', { name: BOXES })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: 'teaching set' })).toHaveAttribute('aria-selected', 'false');
});

test('a folder of 60 slides: thumbnails are made for the cards in view, the others as they are scrolled to', async ({ host }) => {
  const { page } = host;
  const many = join(dir, 'many');
  await mkdir(many);
  const names = Array.from({ length: 60 }, (_, i) => `slide-${String(i).padStart(2, '0')}.tiff`);
  for (const name of names) await copyFile(slidePath(BOXES), join(many, name));
  await host.drop([many]);
  await expect(page.getByTestId('gallery-card')).toHaveCount(60);
  await expect(card(page, names[0]!)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  // The window shows a few rows: the cards far below are not asked for.
  await page.waitForTimeout(1000);
  const asked = host.invocationsOf('gallery:preview').length;
  expect(asked, 'previews asked before scrolling').toBeLessThan(30);
  await expect(card(page, names[59]!)).toHaveAttribute('data-state', 'waiting');
  await card(page, names[59]!).scrollIntoViewIfNeeded();
  await expect(card(page, names[59]!)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  expect(mostAtOnce(host), 'previews asked for at once').toBeLessThanOrEqual(2);
  // Those scrolled past before their turn were never asked for.
  expect(host.invocationsOf('gallery:preview').length).toBeLessThan(60);
});

test('a failed card says why and offers Try again; opened, it gives the real error; tried again once the file is whole, it shows', async ({ host }) => {
  const { page } = host;
  // A slide still being copied onto the share: its first 64 KiB.
  const copying = join(dir, 'copying');
  await mkdir(copying);
  const LATE = 'late.svs';
  await copyFile(slidePath(BOXES), join(copying, BOXES));
  await writeFile(join(copying, LATE), (await readFile(slidePath(CMU))).subarray(0, 65_536));
  await openFolder(host, copying);
  await expect(card(page, BOXES)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(card(page, LATE)).toHaveAttribute('data-state', 'failed');
  const reason = (await card(page, LATE).getByTestId('gallery-error').getAttribute('title')) ?? '';
  expect(reason, 'the typed error under the words').toMatch(/^[A-Z_]+: /);
  // A failure that is about the file is not asked again by itself.
  await page.waitForTimeout(1500);
  const previewsOf = (name: string) => host.invocationsOf('gallery:preview').filter((call) => (call.request as { path: string }).path === join(copying, name));
  expect(previewsOf(LATE)).toHaveLength(1);
  const retry = page.getByRole('button', { name: `Try again: the thumbnail of ${LATE}` });
  await expect(retry).toBeVisible();
  await expect(retry).toHaveText('Try again');
  await expect(page.getByRole('button', { name: /^Try again/ })).toHaveCount(1);

  // Opening it anyway says why it cannot be read, as opening the file does; the gallery stays.
  await card(page, LATE).click();
  await expect(page.getByTestId('notice').filter({ hasText: LATE })).toBeVisible();
  expect(host.invocationsOf('gallery:open').at(-1)?.errorCode).toBe(reason.split(':')[0]);
  await expect(page.getByTestId('gallery')).toBeVisible();

  // The copy finished: by keyboard, from the card to its Try again, and the thumbnail comes.
  await copyFile(slidePath(CMU), join(copying, LATE));
  await card(page, LATE).focus();
  await page.keyboard.press('Tab');
  await expect(retry).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(card(page, LATE)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(card(page, LATE)).toHaveAccessibleDescription(/Aperio.*2,220 × 2,967 px/);
  await expect(retry).toHaveCount(0);
  expect(previewsOf(LATE)).toHaveLength(2);
});

test('a preview lost with the engine (killed while it made it) is asked again by itself, and shows', async ({ host }) => {
  const { page } = host;
  let killed = false;
  host.onSent = {
    channel: 'gallery:preview',
    run: () => {
      process.kill(host.main.engine.pid!, 'SIGKILL');
      killed = true;
    },
  };
  await openFolder(host, folder);
  await expect.poll(() => killed).toBe(true);
  for (const name of [CMU, GENERATED, BOXES]) await expect(card(page, name)).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  const lost = host.invocationsOf('gallery:preview').filter((call) => call.errorCode === 'WORKER_FAILED');
  expect(lost.length, 'previews lost with the engine').toBeGreaterThan(0);
  for (const call of lost) {
    const { path } = call.request as { path: string };
    const again = host.invocationsOf('gallery:preview').filter((each) => (each.request as { path: string }).path === path);
    expect(again.map((each) => each.errorCode ?? 'ok')).toEqual(['WORKER_FAILED', 'ok']);
  }
  // Only the file that is no slide offers Try again.
  await expect(card(page, BROKEN)).toHaveAttribute('data-state', 'failed');
  await expect(page.getByRole('button', { name: /^Try again/ })).toHaveCount(1);
});

test('a folder opened as a gallery is in the recent list, marked as a folder, and reopens as its gallery; gone, it says so', async ({ host }) => {
  const { page } = host;
  await openFolder(host, folder);
  await card(page, BOXES).click();
  await waitForTiles(page, { slide: BOXES });
  await page.getByRole('button', { name: `Close ${BOXES}` }).click();
  await page.getByRole('button', { name: 'Close the gallery of teaching set' }).click();
  await expect(page.getByTestId('welcome')).toBeVisible();

  // The slide opened from it, then the folder, marked as one (the slide is not).
  const recent = page.getByTestId('recent-list').getByRole('button');
  await expect(recent).toHaveCount(2);
  await expect(recent.nth(0)).toContainText(BOXES);
  await expect(recent.nth(0)).not.toContainText('Folder');
  await expect(recent.nth(1)).toContainText('teaching setFolder');
  await expect(recent.nth(1)).toHaveAttribute('title', folder);

  // Chosen, it opens as its gallery again (a new one: its previews asked again).
  await recent.nth(1).click();
  await expect(page.getByRole('tab', { name: 'teaching set' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('gallery-card')).toHaveCount(4);
  await expect(card(page, CMU)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  expect(host.invocationsOf('slide:open-recent')).toHaveLength(1);
  expect(host.invocationsOf('slide:open-recent')[0]?.errorCode).toBeUndefined();

  // The folder gone: chosen again, the window says it cannot be found.
  await page.getByRole('button', { name: 'Close the gallery of teaching set' }).click();
  await rm(folder, { recursive: true, force: true });
  await expect(recent.nth(0)).toContainText('teaching setFolder');
  await recent.nth(0).click();
  await expect(page.getByTestId('notice').filter({ hasText: 'teaching set' })).toBeVisible();
  expect(host.invocationsOf('slide:open-recent').at(-1)?.errorCode).toBe('NOT_FOUND');
  await expect(page.getByTestId('welcome')).toBeVisible();
});

koreanTest.describe('in Korean', () => {
  koreanTest('the gallery, its cards and a broken file’s reason', async ({ host }) => {
    const { page } = host;
    host.main.setDialogAnswer(folder);
    await page.getByRole('button', { name: '폴더 열기…' }).click();
    const gallery = page.getByTestId('gallery');
    await expect(gallery.getByRole('heading', { name: 'teaching set 폴더의 슬라이드' })).toBeVisible();
    await expect(gallery).toContainText('슬라이드 4개');
    await expect(card(page, BOXES)).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await expect(card(page, BOXES)).toHaveAccessibleDescription(/300 × 250 px · 레벨 4개.*배율 기록 없음/);
    await expect(card(page, BROKEN)).toHaveAttribute('data-state', 'failed');
    await expect(card(page, BROKEN)).toHaveAccessibleDescription(/^histolab_broken-html\.svs/);
    expect(await card(page, BROKEN).getAttribute('data-state')).toBe('failed');
    const brokenText = (await card(page, BROKEN).getByTestId('gallery-error').textContent()) ?? '';
    expect(brokenText, 'the reason in Korean').toMatch(/[가-힣]/);
    await expect(page.getByRole('button', { name: `다시 시도: ${BROKEN}의 미리보기` })).toHaveText('다시 시도');
    await expect(page.getByRole('button', { name: 'teaching set 폴더의 갤러리 닫기' })).toBeVisible();
    await expect(gallery).toContainText('슬라이드를 클릭하거나 Enter 키를 누르면 탭으로 열립니다.');
    // Closed, it is in the recent list as a folder.
    await page.getByRole('button', { name: 'teaching set 폴더의 갤러리 닫기' }).click();
    await expect(page.getByTestId('recent-list').getByRole('button')).toContainText('teaching set폴더');
    expect(basename(folder)).toBe('teaching set');
  });
});
