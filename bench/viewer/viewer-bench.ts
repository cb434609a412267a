// npm run bench:viewer - how fast the screen fills, Slidescope against OpenSlide's deep-zoom viewer,
// in the same browser (Debian Chromium, 1600 x 1000, OpenSeadragon's canvas drawer for both: headless
// WebGL runs in software). Three stages, 3 repetitions each, medians:
//   open   - from asking for the slide to the first fully loaded whole-slide view (Slidescope: from the
//            drop on the running app; OpenSlide: from its page's own navigation start, in a browser
//            already running, the slide open in the server)
//   jump   - to 10x objective at the centre (image zoom 0.5 on a 20x slide), until fully loaded
//   pans   - ten pans of half a screen at that zoom, each until fully loaded, raster-scanning: at the
//            slide's edge the view steps down half a screen and turns, so every pan shows slide
// Every time is read on the page's own clock (performance.now()). Slidescope runs as in the e2e
// suite: the production renderer bundle, the real preload bridge and IPC handlers, the engine in its
// own process, the page's tiles on its own connection to it. (Tiles cross a Playwright binding as
// base64 there, where Electron passes the bytes over a MessagePort: a handicap, not a help.)

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import type OpenSeadragon from 'openseadragon';
import { SlidescopeHost } from '../../e2e/host/slidescope-host';
import { fixturePath } from '../../testing/fixtures';
import { median } from '../median';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, '.cache/bench-viewer');
const REPS = process.argv.includes('--quick') ? 1 : 3;
const VIEWPORT = { width: 1600, height: 1000 };
const LAUNCH = {
  executablePath: process.env['SLIDESCOPE_CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

type ViewerName = 'slidescope' | 'openslide';
interface StageTimes {
  open: number;
  jump: number;
  pans: number;
  tileRequests: number;
  tileBytes: number;
  rendererHeapMb: number;
  /** Peak resident size of the engine process (Slidescope only). */
  engineRssMb: number;
}

/** The highest resident size the kernel saw for a process (Linux), in MB. */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

// Page-side functions (not strings: the app's CSP forbids eval). Each finds the viewer itself:
// the app exposes it under ?e2e, the OpenSlide page as window.viewer.
// Typed with OpenSeadragon's declarations (a type-only import: the functions run in the page).
type PageWindow = { __slidescopeE2E?: { viewer: OpenSeadragon.Viewer | null }; viewer?: OpenSeadragon.Viewer };

/** Waits until the view is fully loaded; answers when, on the page's clock. */
async function waitFullyLoaded(page: Page, timeout = 60_000): Promise<number> {
  try {
    return await waitFullyLoadedOnce(page, timeout);
  } catch (error) {
    const state = await page.evaluate(() => {
      const w = window as unknown as PageWindow;
      const v = (w.__slidescopeE2E?.viewer ?? w.viewer)!;
      const c = v.viewport.getCenter(true);
      return { zoom: [v.viewport.getZoom(true), v.viewport.getZoom(false)], loaded: v.world.getItemAt(0).getFullyLoaded(), center: [c.x, c.y] };
    });
    throw new Error(`never fully loaded: ${JSON.stringify(state)} (${String(error)})`);
  }
}

async function waitFullyLoadedOnce(page: Page, timeout: number): Promise<number> {
  // OpenSeadragon recomputes "fully loaded" on its next frame: before that the answer is stale.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const when = await page.waitForFunction(
    () => {
      const w = window as unknown as PageWindow;
      const v = w.__slidescopeE2E?.viewer ?? w.viewer;
      if (!v || v.world.getItemCount() === 0) return false;
      const vp = v.viewport;
      const loaded = Math.abs(vp.getZoom(true) - vp.getZoom(false)) < 1e-9 && v.world.getItemAt(0).getFullyLoaded();
      return loaded ? performance.now() : false;
    },
    undefined,
    // Checked every animation frame: polling every 50 ms added 0-50 ms to every wait of both viewers
    // (ten waits in the pans).
    { timeout, polling: 'raf' },
  );
  return (await when.jsonValue()) as number;
}

function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

async function jump(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as PageWindow;
    const v = (w.__slidescopeE2E?.viewer ?? w.viewer)!;
    const item = v.world.getItemAt(0);
    const size = item.getContentSize();
    v.viewport.zoomTo(item.imageToViewportZoom(0.5), undefined, true);
    v.viewport.panTo(item.imageToViewportCoordinates(size.x / 2, size.y / 2), true);
  });
}

/**
 * Half a screen onwards, raster-scanning the slide: along the row until the next pan would leave the
 * slide, then half a screen down and back the other way. Every pan shows slide, never background.
 */
async function pan(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as PageWindow & { __benchPanDirection?: number };
    const v = (w.__slidescopeE2E?.viewer ?? w.viewer)!;
    const item = v.world.getItemAt(0);
    const bounds = v.viewport.getBounds(true);
    const slide = item.getBounds(true);
    const direction = w.__benchPanDirection ?? 1;
    // An OpenSeadragon Point without the OpenSeadragon global (the app's page has none).
    const delta = bounds.getTopLeft().times(0);
    const step = bounds.width / 2;
    const fits = direction > 0 ? bounds.x + bounds.width + step <= slide.x + slide.width : bounds.x - step >= slide.x;
    if (fits) {
      delta.x = direction * step;
    } else {
      delta.y = bounds.height / 2;
      w.__benchPanDirection = -direction;
    }
    v.viewport.panBy(delta, true);
  });
}

async function heapMb(page: Page): Promise<number> {
  const used = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  return used / 1024 / 1024;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startOpenSlideServer(slide: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    '/usr/bin/python3',
    [join(ROOT, 'bench/viewer/openslide_server.py'), slide, String(port), join(ROOT, 'node_modules/openseadragon/build/openseadragon')],
    { stdio: 'ignore' } /* an unread stderr pipe fills with Flask's request log and hangs the server */,
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/slide.dzi`)).ok) return { url, process: child };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the OpenSlide deep-zoom server did not start');
}

/** Times the three stages on the page's clock; `openIt` answers when the open started there. */
async function runStages(
  page: Page,
  shot: (stage: string) => Promise<void>,
  openIt: () => Promise<number>,
): Promise<Pick<StageTimes, 'open' | 'jump' | 'pans'>> {
  const opened = await openIt();
  const open = (await waitFullyLoaded(page)) - opened;
  await shot('open');
  let t0 = await pageNow(page);
  await jump(page);
  const jumped = (await waitFullyLoaded(page)) - t0;
  await shot('jump');
  t0 = await pageNow(page);
  let panned = t0;
  for (let i = 0; i < 10; i++) {
    await pan(page);
    panned = await waitFullyLoaded(page);
  }
  const pans = panned - t0;
  await shot('pans');
  return { open, jump: jumped, pans };
}

async function runOpenSlide(slide: string, rep: number, tag: string): Promise<StageTimes> {
  const server = await startOpenSlideServer(slide);
  const profile = await mkdtemp(join(tmpdir(), 'slidescope-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { ...LAUNCH, viewport: VIEWPORT });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    let tileRequests = 0;
    let tileBytes = 0;
    page.on('requestfailed', (request) => console.error(`OpenSlide page: request failed ${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('response', (response) => {
      if (response.status() !== 200) console.error(`OpenSlide page: ${response.status()} ${response.url()}`);
      if (!response.url().includes('/slide_files/')) return;
      tileRequests++;
      tileBytes += Number(response.headers()['content-length'] ?? 0);
    });
    let peakHeap = 0;
    const shot = async (stage: string) => {
      peakHeap = Math.max(peakHeap, await heapMb(page));
      if (rep === 0) await page.screenshot({ path: join(OUT, `${tag}-openslide-${stage}.png`) });
    };
    // The browser is running with a blank page; the open is timed from the viewer page's own
    // navigation start (its performance.now() is 0 there).
    await page.goto('about:blank');
    const times = await runStages(page, shot, async () => {
      await page.goto(`${server.url}/`);
      return 0;
    });
    return { ...times, tileRequests, tileBytes, rendererHeapMb: peakHeap, engineRssMb: 0 };
  } finally {
    await context.close();
    server.process.kill();
    await rm(profile, { recursive: true, force: true });
  }
}

async function runSlidescope(slide: string, rep: number, tag: string): Promise<StageTimes> {
  const host = await SlidescopeHost.start({ launchOptions: LAUNCH, viewport: VIEWPORT, query: 'drawer=canvas&e2e' });
  try {
    const { page } = host;
    let tileRequests = 0;
    let tileBytes = 0;
    // The page's tiles, as its engine connection carries them.
    const callEngine = host.main.callEngine.bind(host.main);
    host.main.callEngine = async (operation, request) => {
      const result = await callEngine(operation, request);
      if (operation === 'slide:tile' && result.ok) {
        tileRequests++;
        tileBytes += (result.value as { bytes: Uint8Array }).bytes.byteLength;
      }
      return result;
    };
    let peakHeap = 0;
    const shot = async (stage: string) => {
      peakHeap = Math.max(peakHeap, await heapMb(page));
      if (rep === 0) await page.screenshot({ path: join(OUT, `${tag}-slidescope-${stage}.png`) });
    };
    // "Open" starts from a running app, as a user drops a slide on it: its engine process started and
    // warmed up (the app starts it at launch) and its window drawn. The OpenSlide server likewise has its slide
    // open before the page is asked for.
    await host.main.engine.whenReady();
    await page.getByTestId('welcome').waitFor();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const times = await runStages(page, shot, async () => {
      const dropped = await pageNow(page);
      await host.drop([slide]);
      return dropped;
    });
    return { ...times, tileRequests, tileBytes, rendererHeapMb: peakHeap, engineRssMb: peakRssMb(host.main.engine.pid) };
  } finally {
    await host.close();
  }
}

function summarize(runs: StageTimes[]): StageTimes {
  const pick = (k: keyof StageTimes) => median(runs.map((r) => r[k]));
  return {
    open: pick('open'),
    jump: pick('jump'),
    pans: pick('pans'),
    tileRequests: pick('tileRequests'),
    tileBytes: pick('tileBytes'),
    rendererHeapMb: Math.max(...runs.map((r) => r.rendererHeapMb)),
    engineRssMb: Math.max(...runs.map((r) => r.engineRssMb)),
  };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const only = process.argv.find((a) => a.startsWith('--slide='))?.slice('--slide='.length);
  const slides: Array<[string, string]> = [
    ['jpeg-40k', await fixturePath('bench-40k')],
    ['j2k-12k', await fixturePath('bench-j2k')],
  ].filter(([tag]) => !only || tag === only) as Array<[string, string]>;
  const results: Record<string, Record<ViewerName, StageTimes>> = {};
  for (const [tag, slide] of slides) {
    const runs: Record<ViewerName, StageTimes[]> = { slidescope: [], openslide: [] };
    for (let rep = 0; rep < REPS; rep++) {
      runs.openslide.push(await runOpenSlide(slide, rep, tag));
      runs.slidescope.push(await runSlidescope(slide, rep, tag));
      console.error(`${tag} rep ${rep + 1}/${REPS}: slidescope ${fmt(runs.slidescope.at(-1)!)} | openslide ${fmt(runs.openslide.at(-1)!)}`);
    }
    results[tag] = { slidescope: summarize(runs.slidescope), openslide: summarize(runs.openslide) };
  }
  console.log(`\nViewer benchmark: Chromium ${VIEWPORT.width}x${VIEWPORT.height}, OpenSeadragon canvas drawer (both), medians of ${REPS}`);
  console.log('slide      stage   Slidescope ms  OpenSlide ms  ratio   target <= 0.25');
  const verdicts: boolean[] = [];
  for (const [tag, r] of Object.entries(results)) {
    for (const stage of ['open', 'jump', 'pans'] as const) {
      const ratio = r.slidescope[stage] / r.openslide[stage];
      verdicts.push(ratio <= 0.25);
      console.log(
        `${tag.padEnd(10)} ${stage.padEnd(6)} ${r.slidescope[stage].toFixed(0).padStart(13)} ${r.openslide[stage].toFixed(0).padStart(13)} ${ratio.toFixed(3).padStart(6)}   ${ratio <= 0.25 ? 'PASS' : 'FAIL'}`,
      );
    }
    console.log(
      `${tag.padEnd(10)} tiles  ${r.slidescope.tileRequests} requests / ${(r.slidescope.tileBytes / 1e6).toFixed(1)} MB vs ${r.openslide.tileRequests} / ${(r.openslide.tileBytes / 1e6).toFixed(1)} MB`,
    );
    console.log(
      `${tag.padEnd(10)} memory renderer JS heap ${r.slidescope.rendererHeapMb.toFixed(0)} MB (OpenSlide page ${r.openslide.rendererHeapMb.toFixed(0)} MB), engine process peak RSS ${r.slidescope.engineRssMb.toFixed(0)} MB`,
    );
  }
  console.log(`Screenshots: ${OUT}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(results));
}

function fmt(t: StageTimes): string {
  return `open ${t.open.toFixed(0)} jump ${t.jump.toFixed(0)} pans ${t.pans.toFixed(0)}`;
}

await main();
