// Owns one OpenSeadragon viewer for one opened slide: created when the host element and the slide
// are there, destroyed (and its tile requests cancelled) when either goes away.

import OpenSeadragon from 'openseadragon';
import { useEffect, useRef, useState } from 'react';
import { dzLevelForDownsample, dzTilesCovering, type L0Rect } from '../../../shared/deepzoom';
import type { ErrorInfo } from '../../../shared/errors';
import type { OpenedSlide, SlidescopeApi } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import type { DeepZoomGeometry } from '../../../shared/slide';
import { focusLost } from '../focus';
import { useT } from '../i18n/i18n';
import { displayKey } from '../viewer/channelChoices';
import { SlideTileSource } from '../viewer/SlideTileSource';

const TILE_RETRIES = 2;

/** A level whose pixels are up to 2% larger than a device pixel still counts as sharp enough. */
const LEVEL_SLACK = 1.02;

function devicePixelRatio(): number {
  return Math.max(1, window.devicePixelRatio || 1);
}

export interface OsdViewerOptions {
  api: SlidescopeApi;
  slide: OpenedSlide;
  drawer: OpenSeadragon.DrawerType;
  onTileError: (error: ErrorInfo) => void;
  /**
   * Asked as a single viewer is built: whether it opens at home (the whole slide), whose tiles are
   * then asked for before it is built. False when its caller puts it back where it was. Default: yes.
   */
  opensAtHome?: () => boolean;
  /** 'cell': a comparison-grid cell, whose zoom the app sets (no zoom gestures, no navigator); 'compare': a compared slide's panel. */
  variant?: Variant;
}

/** Grid cells pan but never zoom by gesture: each one's magnification is fixed (see ComparisonGrid). */
const CELL_GESTURES: OpenSeadragon.GestureSettings = {
  dragToPan: true,
  scrollToZoom: false,
  clickToZoom: false,
  dblClickToZoom: false,
  dblClickDragToZoom: false,
  pinchToZoom: false,
  // No fling after release: the linked cells stop where the pointer let go.
  flickEnabled: false,
};

type Variant = 'single' | 'cell' | 'compare';

/** Compared slides' panels zoom and pan together; Shift-drag moves one slide instead (CompareView). */
const COMPARE_GESTURES: OpenSeadragon.GestureSettings = { dragToPan: true, scrollToZoom: true, clickToZoom: false, dblClickToZoom: true, flickEnabled: false };

/** A single viewer's fit leaves a little air around the slide instead of touching the toolbar. */
const SINGLE_MARGINS = { top: 12, bottom: 12, left: 12, right: 12 };

const VARIANT_OPTIONS: Record<Variant, Partial<OpenSeadragon.Options>> = {
  single: {
    showNavigator: true,
    navigatorPosition: 'BOTTOM_RIGHT',
    navigatorSizeRatio: 0.18,
    navigatorAutoFade: false,
    navigatorRotate: true,
    gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
    // Allow up to 2x past 1:1, a digital zoom students use to look at nuclei.
    maxZoomPixelRatio: 2,
    minZoomImageRatio: 0.5,
    visibilityRatio: 0.2,
    viewportMargins: SINGLE_MARGINS,
  },
  cell: {
    showNavigator: false,
    gestureSettingsMouse: CELL_GESTURES,
    gestureSettingsTouch: CELL_GESTURES,
    gestureSettingsPen: CELL_GESTURES,
    zoomPerScroll: 1,
    // OSD's own limits would clamp 1.25x of a large slide (below half the fit zoom) on every drag end.
    minZoomLevel: 1e-9,
    maxZoomPixelRatio: 2,
    // The link keeps the centre on the slide instead (LinkedViewers); OSD's rule depends on the zoom.
    visibilityRatio: 0,
    // No margins: the viewport's centre is the cell's centre, where the crosshair is.
    viewportMargins: { top: 0, bottom: 0, left: 0, right: 0 },
    // A resized cell keeps its magnification (CSS px per slide pixel), not its field.
    preserveImageSizeOnResize: true,
  },
  compare: {
    showNavigator: false,
    gestureSettingsMouse: COMPARE_GESTURES,
    gestureSettingsTouch: COMPARE_GESTURES,
    gestureSettingsPen: COMPARE_GESTURES,
    // Each panel's limits differ with its slide's µm/px; the link keeps them together instead.
    minZoomLevel: 1e-9,
    maxZoomPixelRatio: 4,
    visibilityRatio: 0,
    viewportMargins: { top: 0, bottom: 0, left: 0, right: 0 },
    preserveImageSizeOnResize: true,
  },
};

export function useOsdViewer(host: HTMLElement | null, options: OsdViewerOptions): OpenSeadragon.Viewer | null {
  const { api, slide, drawer } = options;
  const variant = options.variant ?? 'single';
  const [viewer, setViewer] = useState<OpenSeadragon.Viewer | null>(null);
  // The tile-error callback changes with every render; the viewer must not be rebuilt for that.
  const onTileError = useRef(options.onTileError);
  const opensAtHome = useRef(options.opensAtHome);
  useEffect(() => {
    onTileError.current = options.onTileError;
    opensAtHome.current = options.opensAtHome;
  }, [options.onTileError, options.opensAtHome]);

  useEffect(() => {
    if (!host) return undefined;
    const { info, slideId } = slide;
    // The whole-slide view's tiles, asked for before OpenSeadragon is built: the engine starts on
    // them while this thread builds the viewer, before OpenSeadragon asks for them itself.
    if (variant === 'single' && (opensAtHome.current?.() ?? true)) prefetchHome(host, api, slideId, info.deepZoom, info.width, info.height);
    const source = new SlideTileSource({
      maxRetries: TILE_RETRIES,
      api,
      slideId,
      width: info.width,
      height: info.height,
      geometry: info.deepZoom,
      onTileError: (error) => onTileError.current(error),
      // As the engine shows the slide now: a grid cell opened after a plane was chosen makes no tile twice.
      display: displayKey(info.channels, info.plane),
    });
    const created = OpenSeadragon({
      element: host,
      tileSources: source,
      drawer,
      // Our own toolbar replaces OSD's buttons, which would also load images from prefixUrl.
      showNavigationControl: false,
      // Our shortcuts own the keyboard (OSD's would flip on 'f' and rotate on 'r' twice).
      keyboardNavEnabled: false,
      ...VARIANT_OPTIONS[variant],
      animationTime: 0.5,
      // Load the level the view needs, not every coarser one on the way: each tile is an engine
      // request, and the coarse levels are rarely on screen long enough to matter.
      immediateRender: true,
      // Draw the coarsest level whose pixels are no larger than a device pixel: full detail, never
      // upscaled. OSD's default (0.5) is the same rule but takes the 2x finer level when the zoom is
      // exactly a level's (as at 10x on a 20x slide): 4x the tiles for detail the screen cannot show.
      minPixelRatio: LEVEL_SLACK / (2 * devicePixelRatio()),
      // The engine is local and keeps its own queue (lanes, cancellation): ask for a whole screen of
      // tiles at once (no limit in flight, up to 64 a frame), so that it never waits for the UI thread
      // to ask for the next few (docs/performance.md, "How the viewer is tuned"). Coarser stand-ins wait
      // for the wanted level in SlideTileSource.
      imageLoaderLimit: 0,
      maxTilesPerFrame: 64,
      timeout: 60_000,
      // SlideTileSource asks again for a tile that failed for a passing reason; a job failed to
      // OpenSeadragon is final (see its TRANSIENT_CODES).
      tileRetryMax: 0,
      crossOriginPolicy: false,
      // Tiles made again load in a second tiled image of the same bounds (remakeTiles), for which the
      // viewport's image coordinates are still exact: OpenSeadragon would log each use as inaccurate.
      silenceMultiImageWarnings: true,
    });
    // Stand-ins OpenSeadragon still visits are asked for (see SlideTileSource), the navigator's too;
    // the source also counts the frames they draw.
    const visited = (event: OpenSeadragon.TileEvent) => source.tileVisited(event.tile);
    const drawn = () => source.frameDrawn();
    for (const viewer of created.navigator ? [created, created.navigator] : [created]) {
      viewer.addHandler('update-tile', visited);
      viewer.addHandler('update-viewport', drawn);
    }
    if (variant === 'single') {
      prefetchWhenComplete(created, () => prefetchAround(created, api, slideId, info.deepZoom));
      keepMagnificationOnResize(created);
    }
    setViewer(created);
    // A slide opened from the welcome screen removes the button that had the focus: the view takes it.
    if (variant === 'single' && focusLost()) created.canvas.focus({ preventScroll: true });
    return () => {
      source.dispose();
      created.destroy();
      setViewer(null);
    };
  }, [host, api, slide, drawer, variant]);

  // OpenSeadragon's canvas is a Tab stop with no role or name: say what it is and which keys it takes.
  const t = useT();
  const label = t(variant === 'cell' ? 'viewer.canvasCell' : variant === 'compare' ? 'viewer.canvasCompare' : 'viewer.canvas', { name: slide.info.name });
  useEffect(() => {
    if (!viewer) return;
    viewer.canvas.setAttribute('role', 'application');
    viewer.canvas.setAttribute('aria-label', label);
  }, [viewer, label]);

  return viewer;
}

/**
 * A view resized (a side panel opened, the window resized) keeps its magnification and its centre, as
 * a pathologist at 20x expects; one showing the whole slide fitted (at home) fits again. OpenSeadragon
 * keeps the field instead, and its preserveImageSizeOnResize is off by the viewport's margins.
 */
function keepMagnificationOnResize(viewer: OpenSeadragon.Viewer): void {
  let atHome = true;
  let imageZoom = 0;
  let centre: OpenSeadragon.Point | null = null;
  // 'resize' starts OpenSeadragon's resize, 'after-resize' ends the viewport's part, and the zoom it
  // sets last is the end of it: the view is put back then.
  let resizing: 'no' | 'started' | 'viewport-done' = 'no';
  const look = (): void => {
    const viewport = viewer.viewport;
    const home = viewport.getHomeBounds();
    centre = viewport.getCenter();
    imageZoom = viewport.viewportToImageZoom(viewport.getZoom());
    const slack = 1e-3 * Math.max(home.width, home.height);
    atHome = Math.abs(viewport.getZoom() / viewport.getHomeZoom() - 1) < 1e-3 && centre.distanceTo(home.getCenter()) < slack;
  };
  const putBack = (): void => {
    const viewport = viewer.viewport;
    if (atHome || !centre) viewport.goHome(true);
    else {
      viewport.zoomTo(viewport.imageToViewportZoom(imageZoom), undefined, true);
      viewport.panTo(centre, true);
    }
  };
  viewer.addHandler('open', look);
  viewer.addHandler('resize', () => {
    resizing = 'started';
  });
  viewer.addHandler('after-resize', () => {
    if (resizing === 'started') resizing = 'viewport-done';
  });
  viewer.addHandler('pan', () => {
    if (resizing === 'no') look();
  });
  // A rotated slide's fit is another zoom.
  viewer.addHandler('rotate', () => {
    if (resizing === 'no') look();
  });
  viewer.addHandler('zoom', () => {
    if (resizing === 'viewport-done') {
      resizing = 'no';
      putBack();
    } else if (resizing === 'no') look();
  });
}

/**
 * Once the view has settled and all its tiles are in, the engine is asked to make the tiles around it
 * while it has nothing else to do, so that the next pan finds them ready (real requests go first).
 * Asked for as soon as the view settled, one engine lane's prefetch would run beside the other's last
 * tiles of the view and slow them.
 */
function prefetchWhenComplete(viewer: OpenSeadragon.Viewer, prefetch: () => void): void {
  let animating = false;
  const maybe = (): void => {
    if (!animating && viewer.world.getItemAt(0)?.getFullyLoaded()) prefetch();
  };
  viewer.addHandler('animation-start', () => {
    animating = true;
  });
  viewer.addHandler('animation-finish', () => {
    animating = false;
    maybe();
  });
  const watch = (item: OpenSeadragon.TiledImage): void => {
    item.addHandler('fully-loaded-change', ({ fullyLoaded }) => {
      if (fullyLoaded) maybe();
    });
  };
  viewer.world.addHandler('add-item', ({ item }) => watch(item));
  for (let i = 0; i < viewer.world.getItemCount(); i++) watch(viewer.world.getItemAt(i));
}

/** Tiles beyond the view on each side that the engine is asked to prepare. */
const PREFETCH_RING = 2;

/** The level drawn at a zoom of `cssPerImagePixel`: the coarsest whose pixels are no larger than a device pixel (minPixelRatio above). */
function drawnLevel(geometry: DeepZoomGeometry, cssPerImagePixel: number): number {
  return dzLevelForDownsample(geometry, LEVEL_SLACK / (cssPerImagePixel * devicePixelRatio()));
}

function prefetchAround(viewer: OpenSeadragon.Viewer, api: SlidescopeApi, slideId: string, geometry: DeepZoomGeometry): void {
  const item = viewer.world.getItemAt(0);
  if (!item) return;
  const dzLevel = drawnLevel(geometry, item.viewportToImageZoom(viewer.viewport.getZoom(true)));
  const bounds = viewer.viewport.getBounds(true);
  const topLeft = item.viewportToImageCoordinates(bounds.getTopLeft());
  const bottomRight = item.viewportToImageCoordinates(bounds.getBottomRight());
  const l0 = {
    x: Math.min(topLeft.x, bottomRight.x),
    y: Math.min(topLeft.y, bottomRight.y),
    width: Math.abs(bottomRight.x - topLeft.x),
    height: Math.abs(bottomRight.y - topLeft.y),
  };
  prefetch(api, slideId, geometry, dzLevel, l0, PREFETCH_RING);
}

/**
 * The tiles of the view a single viewer opens at: the whole slide fitted inside its margins, as
 * OpenSeadragon's home (the smaller of the two axes' scales).
 */
function prefetchHome(host: HTMLElement, api: SlidescopeApi, slideId: string, geometry: DeepZoomGeometry, width: number, height: number): void {
  const fitWidth = host.clientWidth - SINGLE_MARGINS.left - SINGLE_MARGINS.right;
  const fitHeight = host.clientHeight - SINGLE_MARGINS.top - SINGLE_MARGINS.bottom;
  if (fitWidth <= 0 || fitHeight <= 0) return;
  const dzLevel = drawnLevel(geometry, Math.min(fitWidth / width, fitHeight / height));
  prefetch(api, slideId, geometry, dzLevel, { x: 0, y: 0, width, height }, 0);
}

function prefetch(api: SlidescopeApi, slideId: string, geometry: DeepZoomGeometry, dzLevel: number, l0: L0Rect, ring: number): void {
  const tiles = dzTilesCovering(geometry, dzLevel, l0, ring);
  if (!tiles) return;
  if ((tiles.colEnd - tiles.colStart + 1) * (tiles.rowEnd - tiles.rowStart + 1) > LIMITS.maxPrefetchTiles) return; // a wall of screens: skip
  void api.prefetchTiles({ slideId, dzLevel, ...tiles });
}
