// Reads and sets the viewer's state through the renderer's e2e handle (present with ?e2e): exact
// views for pixel comparisons, "all tiles drawn", and the canvas pixels themselves.

import { basename } from 'node:path';
import { expect, type Page } from '@playwright/test';

/** The parts of OpenSeadragon's viewer the probes touch (typed here: the page has no OSD types). */
interface ProbePoint {
  x: number;
  y: number;
}
interface ProbeViewer {
  viewport: {
    imageToViewportZoom(imageZoom: number): number;
    viewportToImageZoom(zoom: number): number;
    getZoom(current?: boolean): number;
    getRotation(current?: boolean): number;
    setRotation(degrees: number, immediately?: boolean): unknown;
    zoomTo(zoom: number, refPoint?: ProbePoint | null, immediately?: boolean): unknown;
    panTo(center: ProbePoint, immediately?: boolean): unknown;
    imageToViewportCoordinates(x: number, y: number): ProbePoint;
    viewportToImageCoordinates(point: ProbePoint): ProbePoint;
    viewerElementToImageCoordinates(pixel: ProbePoint): ProbePoint;
    getCenter(current?: boolean): ProbePoint & { times(factor: number): ProbePoint };
    getContainerSize(): ProbePoint;
  };
  world: { getItemCount(): number; getItemAt(index: number): { getFullyLoaded(): boolean } };
  drawer: { canvas: HTMLCanvasElement };
  /** The element the viewer was created in (the single view's osd-host). */
  element: HTMLElement;
  isAnimating?: () => boolean;
  navigator?: ProbeViewer;
}
interface ProbeHandle {
  viewer: ProbeViewer | null;
  /** The comparison grid's cells (null: a cell that shows a refusal). */
  gridViewers: Array<ProbeViewer | null>;
  tileErrors: number;
}

/** Frames sampled by watchBlankFrames, and how many showed background where the slide is, by canvas. */
interface BlankWatch {
  frames: number;
  blank: Record<string, number>;
  stopped: boolean;
}

/** window as the probes see it. Each probe looks the handle up itself: page functions cannot share helpers. */
type ProbeWindow = Window & { __slidescopeE2E?: ProbeHandle; __blankWatch?: BlankWatch };

export interface WaitForTilesOptions {
  /**
   * The slide the view must show: its file name (its tab's name) or its path. Needed after a second
   * slide is opened: until the new view mounts, the previous slide's ready view would pass the wait.
   */
  slide?: string;
  timeout?: number;
}

/** Waits until the viewer has opened the slide (the named one, if any) and drawn every tile the current view needs. */
export async function waitForTiles(page: Page, { slide, timeout = 30_000 }: WaitForTilesOptions = {}): Promise<void> {
  // The shown tab labels the workspace (its tabpanel) and the view inside it is remounted per slide,
  // so one locator names the slide and finds its view at once.
  const host = slide === undefined ? page.getByTestId('osd-host') : page.getByRole('tabpanel', { name: basename(slide), exact: true }).getByTestId('osd-host');
  await expect(host).toHaveAttribute('data-ready', 'true', { timeout });
  // Busy while a plane or channels chosen are being asked of the engine: until then the old tiles pass the check below.
  await expect(host).not.toHaveAttribute('aria-busy', 'true', { timeout });
  // OSD recomputes "fully loaded" in its next frame: after a view change the old answer is stale.
  await nextFrames(page, 3);
  await page.waitForFunction(
    () => {
      const h = (window as ProbeWindow).__slidescopeE2E;
      const viewer = h?.viewer;
      if (!viewer || viewer.world.getItemCount() === 0) return false;
      // The handle's viewer is the one in the view found above, not one left from another slide.
      if (viewer.element !== document.querySelector('[data-testid="osd-host"]')) return false;
      const { viewport } = viewer;
      // Settled: the zoom OSD shows is the one it was asked for, and every needed tile is in.
      const settled = Math.abs(viewport.getZoom(true) - viewport.getZoom(false)) < 1e-9;
      // One item: tiles being made again (remakeTiles) load in a second one until they replace the first.
      return settled && viewer.world.getItemCount() === 1 && viewer.world.getItemAt(0).getFullyLoaded();
    },
    undefined,
    { timeout, polling: 100 },
  );
  // One more frame so the last tile that arrived is on the canvas.
  await nextFrames(page, 2);
}

async function nextFrames(page: Page, count: number): Promise<void> {
  await page.evaluate(async (n) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  }, count);
}

/** Shows level-0 pixel (x, y) at the canvas's top-left corner at the given image zoom, no rotation. */
export async function setExactView(page: Page, view: { x: number; y: number; imageZoom: number }): Promise<void> {
  await page.evaluate(({ x, y, imageZoom }) => {
    const viewer = (window as ProbeWindow).__slidescopeE2E?.viewer;
    if (!viewer) throw new Error('no viewer (is ?e2e in the URL?)');
    const { viewport } = viewer;
    viewport.setRotation(0, true);
    viewport.zoomTo(viewport.imageToViewportZoom(imageZoom), null, true);
    const size = viewport.getContainerSize();
    viewport.panTo(viewport.imageToViewportCoordinates(x + size.x / 2 / imageZoom, y + size.y / 2 / imageZoom), true);
  }, view);
}

export async function imageOriginOnScreen(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const viewer = (window as ProbeWindow).__slidescopeE2E?.viewer;
    if (!viewer) throw new Error('no viewer (is ?e2e in the URL?)');
    // An OSD Point at (0, 0): the page has no OpenSeadragon global to construct one from.
    const zero = viewer.viewport.getCenter(true).times(0);
    const p = viewer.viewport.viewerElementToImageCoordinates(zero);
    return { x: p.x, y: p.y };
  });
}

/** The size OpenSeadragon believes its container has (it re-reads it once a frame). */
export async function containerSize(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const viewer = (window as ProbeWindow).__slidescopeE2E?.viewer;
    if (!viewer) throw new Error('no viewer (is ?e2e in the URL?)');
    const size = viewer.viewport.getContainerSize();
    return { x: size.x, y: size.y };
  });
}

/** The level-0 point at the view's centre once it has stopped moving (waits for an arrow's or zoom's animation). */
export async function settledCentre(page: Page): Promise<{ x: number; y: number }> {
  await page.waitForFunction(() => {
    const viewport = (window as ProbeWindow).__slidescopeE2E?.viewer?.viewport;
    if (!viewport) return false;
    const now = viewport.getCenter(true);
    const target = viewport.getCenter(false);
    return Math.abs(now.x - target.x) < 1e-9 && Math.abs(now.y - target.y) < 1e-9 && Math.abs(viewport.getZoom(true) - viewport.getZoom(false)) < 1e-12;
  });
  return page.evaluate(() => {
    const viewport = (window as ProbeWindow).__slidescopeE2E?.viewer?.viewport;
    if (!viewport) throw new Error('no viewer (is ?e2e in the URL?)');
    const p = viewport.viewportToImageCoordinates(viewport.getCenter(false));
    return { x: p.x, y: p.y };
  });
}

export async function currentImageZoom(page: Page): Promise<number> {
  return page.evaluate(() => {
    const viewer = (window as ProbeWindow).__slidescopeE2E?.viewer;
    if (!viewer) throw new Error('no viewer (is ?e2e in the URL?)');
    return viewer.viewport.viewportToImageZoom(viewer.viewport.getZoom(true));
  });
}

export async function currentRotation(page: Page): Promise<number> {
  return page.evaluate(() => (window as ProbeWindow).__slidescopeE2E?.viewer?.viewport.getRotation(false) ?? Number.NaN);
}

export async function tileErrorCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as ProbeWindow).__slidescopeE2E?.tileErrors ?? 0);
}

export interface RgbaPixels {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Buffer;
}

/** Pixels of the viewer's canvas (canvas drawer only: a WebGL canvas cannot be read back). */
export async function readCanvas(page: Page, rect: { x: number; y: number; width: number; height: number }): Promise<RgbaPixels> {
  const base64 = await page.evaluate(({ x, y, width, height }) => {
    const viewer = (window as ProbeWindow).__slidescopeE2E?.viewer;
    if (!viewer) throw new Error('no viewer (is ?e2e in the URL?)');
    const context = viewer.drawer.canvas.getContext('2d');
    if (!context) throw new Error('the viewer does not draw on a 2D canvas (use ?drawer=canvas)');
    const bytes = context.getImageData(x, y, width, height).data;
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, rect);
  return { width: rect.width, height: rect.height, data: Buffer.from(base64, 'base64') };
}

export async function canvasSize(page: Page): Promise<{ width: number; height: number }> {
  return page.evaluate(() => {
    const canvas = (window as ProbeWindow).__slidescopeE2E?.viewer?.drawer.canvas;
    return { width: canvas?.width ?? 0, height: canvas?.height ?? 0 };
  });
}

/** Waits until the comparison grid's four cells have opened and drawn every tile they need. */
export async function waitForGridTiles(page: Page, timeout = 30_000): Promise<void> {
  await expect(page.getByTestId('comparison-grid')).toBeVisible({ timeout });
  await nextFrames(page, 3);
  await page.waitForFunction(
    () => {
      const viewers = (window as ProbeWindow).__slidescopeE2E?.gridViewers ?? [];
      if (viewers.length !== 4) return false;
      return viewers.every((viewer) => {
        if (!viewer) return true;
        if (viewer.world.getItemCount() === 0) return false;
        const { viewport } = viewer;
        const settled = Math.abs(viewport.getZoom(true) - viewport.getZoom(false)) < 1e-9;
        const center = viewport.getCenter(true);
        const target = viewport.getCenter(false);
        const loaded = viewer.world.getItemCount() === 1 && viewer.world.getItemAt(0).getFullyLoaded();
        return settled && Math.abs(center.x - target.x) < 1e-9 && Math.abs(center.y - target.y) < 1e-9 && loaded;
      });
    },
    undefined,
    { timeout, polling: 100 },
  );
  await nextFrames(page, 2);
}

export interface GridCellState {
  /** CSS pixels per level-0 pixel. */
  imageZoom: number;
  /** Level-0 point at the cell's centre, as drawn. */
  center: { x: number; y: number };
  /** The cell's size in CSS pixels. */
  size: { x: number; y: number };
}

/** Each grid cell's zoom, centre and size (null for a cell without a viewer). */
export async function gridState(page: Page): Promise<Array<GridCellState | null>> {
  return page.evaluate(() => {
    const viewers = (window as ProbeWindow).__slidescopeE2E?.gridViewers ?? [];
    return viewers.map((viewer) => {
      if (!viewer || viewer.world.getItemCount() === 0) return null;
      const { viewport } = viewer;
      const size = viewport.getContainerSize();
      // The image point under the cell's middle pixel position, as the user sees it.
      const half = viewport.getCenter(true).times(0);
      half.x = size.x / 2;
      half.y = size.y / 2;
      const center = viewport.viewerElementToImageCoordinates(half);
      return { imageZoom: viewport.viewportToImageZoom(viewport.getZoom(true)), center: { x: center.x, y: center.y }, size: { x: size.x, y: size.y } };
    });
  });
}

/** All pixels of one grid cell's canvas (canvas drawer only). */
export async function readGridCanvas(page: Page, index: number): Promise<RgbaPixels> {
  const { width, height, base64 } = await page.evaluate((i) => {
    const viewer = (window as ProbeWindow).__slidescopeE2E?.gridViewers[i];
    if (!viewer) throw new Error(`grid cell ${i} has no viewer`);
    const canvas = viewer.drawer.canvas;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('the viewer does not draw on a 2D canvas (use ?drawer=canvas)');
    const bytes = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let j = 0; j < bytes.length; j += 0x8000) binary += String.fromCharCode(...bytes.subarray(j, j + 0x8000));
    return { width: canvas.width, height: canvas.height, base64: btoa(binary) };
  }, index);
  return { width, height, data: Buffer.from(base64, 'base64') };
}

/**
 * Marks each grid cell's viewer as it is now, to tell later whether the same viewers still show the
 * cells (gridViewersKept) or they were built again (their canvases blank until their tiles are in).
 */
export async function markGridViewers(page: Page): Promise<void> {
  await page.evaluate(() => {
    const viewers = (window as ProbeWindow).__slidescopeE2E?.gridViewers ?? [];
    viewers.forEach((viewer, i) => {
      if (viewer) (viewer as ProbeViewer & { e2eMark?: number }).e2eMark = i;
    });
  });
}

/** How many grid cells are still shown by the viewers markGridViewers marked. */
export async function gridViewersKept(page: Page): Promise<number> {
  return page.evaluate(() => {
    const viewers = (window as ProbeWindow).__slidescopeE2E?.gridViewers ?? [];
    return viewers.filter((viewer, i) => (viewer as (ProbeViewer & { e2eMark?: number }) | null)?.e2eMark === i).length;
  });
}

/**
 * Samples, every animation frame until stopBlankWatch, the middle of the single view's canvas, its
 * navigator's and each grid cell's (the slide covers them all): a frame in which one is not opaque
 * showed the background instead of the slide. Canvas drawer only.
 */
export async function watchBlankFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as ProbeWindow;
    const watch: BlankWatch = { frames: 0, blank: {}, stopped: false };
    w.__blankWatch = watch;
    const opaque = (canvas: HTMLCanvasElement): boolean => {
      const context = canvas.getContext('2d');
      if (!context || canvas.width < 8 || canvas.height < 8) return true;
      const { data } = context.getImageData(Math.floor(canvas.width / 2) - 2, Math.floor(canvas.height / 2) - 2, 4, 4);
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
      return true;
    };
    const sample = (): void => {
      if (watch.stopped) return;
      const handle = w.__slidescopeE2E;
      const canvases: Array<[string, HTMLCanvasElement | undefined]> = [
        ['view', handle?.viewer?.drawer.canvas],
        ['navigator', handle?.viewer?.navigator?.drawer.canvas],
        ...(handle?.gridViewers ?? []).map((v, i): [string, HTMLCanvasElement | undefined] => [`cell ${i}`, v?.drawer.canvas]),
      ];
      watch.frames++;
      for (const [name, canvas] of canvases) if (canvas?.isConnected && !opaque(canvas)) watch.blank[name] = (watch.blank[name] ?? 0) + 1;
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
}

/** Stops watchBlankFrames: the frames it sampled, and the blank ones by canvas ('view', 'navigator', 'cell 0'...). */
export async function stopBlankWatch(page: Page): Promise<{ frames: number; blank: Record<string, number> }> {
  return page.evaluate(() => {
    const watch = (window as ProbeWindow).__blankWatch;
    if (!watch) throw new Error('watchBlankFrames was not started');
    watch.stopped = true;
    return { frames: watch.frames, blank: watch.blank };
  });
}
