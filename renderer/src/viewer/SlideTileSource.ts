// An OpenSeadragon tile source whose tiles come from window.slidescope.getTile, not from URLs.
// OSD 6 extension points used: downloadTileStart/downloadTileAbort (the tile "download"), and
// ImageJob.finish(data, null, 'context2d') to hand over a canvas, a data type every drawer takes.
// OSD level n is deepZoom.levels[n]: the engine's deep-zoom pyramid has OSD's own layout.

import OpenSeadragon from 'openseadragon';
import type { ErrorCode, ErrorInfo } from '../../../shared/errors';
import type { SlideId, SlidescopeApi } from '../../../shared/ipc';
import type { DeepZoomGeometry } from '../../../shared/slide';
import { dzTileRect } from '../../../shared/deepzoom';
import { decodeTile, placeholderTile } from './decodeTile';

export interface SlideTileSourceOptions {
  api: SlidescopeApi;
  slideId: SlideId;
  width: number;
  height: number;
  geometry: DeepZoomGeometry;
  /** A tile could not be shown; it is drawn as a placeholder. Called for every failed tile. */
  onTileError: (error: ErrorInfo) => void;
  /** Must match the viewer's tileRetryMax, so the last try ends in a placeholder, not a hole. */
  maxRetries: number;
}

/** Request ids are per window, so cancelTiles never names another slide's request. */
let nextRequestId = 1;

/** Cancellations are sent in one IPC message per task instead of one per tile. */
const CANCEL_BATCH_DELAY_MS = 0;

/**
 * Failures worth another try: the engine worker was replaced (it reopens the slide) or the IPC
 * call itself failed. OSD retries a failed job (viewer option tileRetryMax); the rest are final.
 */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['WORKER_FAILED', 'IO_ERROR']);

export class SlideTileSource extends OpenSeadragon.TileSource {
  readonly #options: SlideTileSourceOptions;
  readonly #inFlight = new Map<number, OpenSeadragon.ImageJob>();
  readonly #requestIds = new WeakMap<OpenSeadragon.ImageJob, number>();
  #pendingCancels: number[] = [];
  #cancelTimer: ReturnType<typeof setTimeout> | null = null;
  /** Stand-in requests held back (see #mustWait), by tile. */
  #waiting = new Map<OpenSeadragon.Tile, OpenSeadragon.ImageJob>();
  #disposed = false;

  constructor(options: SlideTileSourceOptions) {
    const { geometry } = options;
    super({
      width: options.width,
      height: options.height,
      tileSize: geometry.tileSize,
      tileOverlap: geometry.overlap,
      minLevel: 0,
      maxLevel: geometry.levels.length - 1,
    });
    this.#options = options;
  }

  /** Never fetched: OSD wants a string per tile for its bookkeeping and messages. */
  override getTileUrl(level: number, x: number, y: number): string {
    return `slidescope-tile:${this.#options.slideId}/${level}/${x}_${y}`;
  }

  override getTileHashKey(level: number, x: number, y: number): string {
    return `${this.#options.slideId}/${level}/${x}_${y}`;
  }

  /** The engine's geometry is the truth about tile counts (OSD would recompute it from scale). */
  override getNumTiles(level: number): OpenSeadragon.Point {
    const dz = this.#options.geometry.levels[level];
    return new OpenSeadragon.Point(dz?.cols ?? 0, dz?.rows ?? 0);
  }

  override tileExists(level: number, x: number, y: number): boolean {
    return dzTileRect(this.#options.geometry, level, x, y) !== null;
  }

  /** Slide tiles are opaque; OSD would otherwise guess from the URL's extension. */
  override hasTransparency(): boolean {
    return false;
  }

  override downloadTileStart(job: OpenSeadragon.ImageJob): void {
    if (this.#mustWait(job.tile.level)) {
      // A stand-in may wait as long as the view stays: OpenSeadragon's per-job timer (its ImageJob's
      // jobId) would fail it, and after the retries mark its tile missing for good.
      clearTimeout((job as unknown as { jobId?: ReturnType<typeof setTimeout> }).jobId);
      this.#waiting.set(job.tile, job);
    } else {
      this.#send(job);
    }
  }

  /**
   * OpenSeadragon asks for the level it will draw and, as stand-ins until that has arrived, every
   * coarser level down to the one-tile overview. A stand-in costs the engine about as much as a wanted
   * tile (a JPEG 2000 one more), so it waits while finer tiles are on their way, and is asked for
   * only if OpenSeadragon still visits its tile after that (tileVisited): once the wanted level has
   * arrived it is not drawn, and is asked for when a view wants it (zooming out). The overview is
   * cheap and shows the whole slide: it never waits.
   */
  #mustWait(level: number): boolean {
    if (level <= this.getClosestLevel()) return false;
    for (const job of this.#inFlight.values()) if (job.tile.level > level) return true;
    return false;
  }

  /** OpenSeadragon visits a tile for a view (its viewers' 'update-tile' events). */
  tileVisited(tile: OpenSeadragon.Tile): void {
    const job = this.#waiting.get(tile);
    if (!job || this.#mustWait(tile.level)) return;
    this.#waiting.delete(tile);
    this.#send(job);
  }

  #send(job: OpenSeadragon.ImageJob): void {
    const { level, x, y } = job.tile;
    const requestId = nextRequestId++;
    this.#requestIds.set(job, requestId);
    this.#inFlight.set(requestId, job);
    const { api, slideId } = this.#options;

    void api
      .getTile({ slideId, dzLevel: level, col: x, row: y, requestId })
      .then(async (result) => {
        if (!this.#isCurrent(requestId)) return;
        if (result.ok) {
          try {
            const context = await decodeTile(result.value);
            if (this.#settle(requestId)) job.finish(context, null, 'context2d');
            else freeContext(context);
          } catch (error) {
            this.#fallBack(job, requestId, { code: 'CORRUPT_DATA', message: `The tile image could not be decoded: ${String(error)}` });
          }
          return;
        }
        if (result.error.code === 'CANCELLED') {
          if (this.#settle(requestId)) job.fail('Tile request cancelled', null);
          return;
        }
        this.#fallBack(job, requestId, result.error);
      })
      .catch((error: unknown) => {
        // The bridge never rejects; this is a bug in this file. Still, no tile may hang.
        this.#fallBack(job, requestId, { code: 'IO_ERROR', message: String(error) });
      });
  }

  override downloadTileAbort(job: OpenSeadragon.ImageJob): void {
    this.#waiting.delete(job.tile);
    const requestId = this.#requestIds.get(job);
    if (requestId !== undefined && this.#inFlight.delete(requestId)) this.#queueCancel(requestId);
  }

  /** Stops every tile request still running; late answers are dropped. The viewer is going away. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const ids = [...this.#inFlight.keys()];
    this.#inFlight.clear();
    if (this.#cancelTimer !== null) clearTimeout(this.#cancelTimer);
    this.#waiting.clear();
    const all = [...this.#pendingCancels, ...ids];
    this.#pendingCancels = [];
    if (all.length > 0) void this.#options.api.cancelTiles(this.#options.slideId, all);
  }

  #isCurrent(requestId: number): boolean {
    return !this.#disposed && this.#inFlight.has(requestId);
  }

  /** Marks a request answered; false when it was aborted or the source disposed meanwhile. */
  #settle(requestId: number): boolean {
    return !this.#disposed && this.#inFlight.delete(requestId);
  }

  /**
   * A failed tile becomes a placeholder rather than a hole (OSD marks a failed tile as missing and
   * never asks again). Its size is the tile's own, so it lines up with its neighbours.
   */
  #fallBack(job: OpenSeadragon.ImageJob, requestId: number, error: ErrorInfo): void {
    if (!this.#settle(requestId)) return;
    // job.tries counts this try: 1 + retries so far.
    if (TRANSIENT_CODES.has(error.code) && job.tries <= this.#options.maxRetries) {
      job.fail(`${error.code}: ${error.message}`, null);
      return;
    }
    const rect = dzTileRect(this.#options.geometry, job.tile.level, job.tile.x, job.tile.y);
    this.#options.onTileError(error);
    job.finish(placeholderTile(rect?.width ?? 1, rect?.height ?? 1), null, 'context2d');
  }

  #queueCancel(requestId: number): void {
    this.#pendingCancels.push(requestId);
    if (this.#cancelTimer !== null) return;
    this.#cancelTimer = setTimeout(() => {
      this.#cancelTimer = null;
      const ids = this.#pendingCancels;
      this.#pendingCancels = [];
      if (ids.length > 0) void this.#options.api.cancelTiles(this.#options.slideId, ids);
    }, CANCEL_BATCH_DELAY_MS);
  }
}

function freeContext(context: CanvasRenderingContext2D): void {
  // Safari/Chromium keep canvas memory until the size is zeroed (OSD does the same on eviction).
  context.canvas.width = 0;
  context.canvas.height = 0;
}
