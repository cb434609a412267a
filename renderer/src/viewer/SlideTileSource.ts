// An OpenSeadragon tile source whose tiles come from window.slidescope.getTile, not from URLs.
// OSD 6 extension points used: downloadTileStart/downloadTileAbort (the tile "download"), and
// ImageJob.finish(data, null, 'context2d') to hand over a canvas, a data type every drawer takes.
// OSD level n is deepZoom.levels[n]: the engine's deep-zoom pyramid has OSD's own layout.

import OpenSeadragon from 'openseadragon';
import { dzTileRect } from '../../../shared/deepzoom';
import { type ErrorCode, type ErrorInfo, toErrorInfo } from '../../../shared/errors';
import type { SlideId, SlidescopeApi } from '../../../shared/ipc';
import type { DeepZoomGeometry } from '../../../shared/slide';
import { decodeTile, placeholderTile } from './decodeTile';

export interface SlideTileSourceOptions {
  api: SlidescopeApi;
  slideId: SlideId;
  width: number;
  height: number;
  geometry: DeepZoomGeometry;
  /** A tile could not be shown; it is drawn as a placeholder. Called for every failed tile. */
  onTileError: (error: ErrorInfo) => void;
  /** Tries more of a tile that failed for a passing reason (TRANSIENT_CODES) before it becomes a placeholder. */
  maxRetries: number;
  /** How the engine makes the slide's tiles as the viewer opens (see setDisplay). */
  display: string;
}

/** Request ids are per window, so cancelTiles never names another slide's request. */
let nextRequestId = 1;

/** Cancellations are sent in one IPC message per task instead of one per tile. */
const CANCEL_BATCH_DELAY_MS = 0;

/**
 * Tiles that arrive while others of the same screen are still on their way are handed to OpenSeadragon
 * together, at most every this often: each handover redraws the whole view, and on the canvas drawer
 * the browser then rasterises the whole canvas again (docs/performance.md, "How the viewer is tuned").
 * The last tile of a screen is handed over at once.
 */
const HANDOVER_INTERVAL_MS = 100;

/**
 * Failures worth another try: the engine stopped and was restarted (it reopens the slide), or the
 * system failed a read (a network share that hiccupped); also a CANCELLED this source did not ask for.
 * This source asks again itself, the job still running: a job failed to OpenSeadragon marks its tile
 * missing, and OpenSeadragon retries failed jobs only as others complete, so the tiles a stopped
 * engine took with it stayed missing. Out of tries, or for any other failure, a tile is a placeholder.
 */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['WORKER_FAILED', 'IO_ERROR', 'CANCELLED']);
const RETRY_DELAY_MS = 300;

export class SlideTileSource extends OpenSeadragon.TileSource {
  readonly #options: SlideTileSourceOptions;
  readonly #inFlight = new Map<number, OpenSeadragon.ImageJob>();
  readonly #requestIds = new WeakMap<OpenSeadragon.ImageJob, number>();
  /** Decoded tiles not yet handed to OpenSeadragon (see HANDOVER_INTERVAL_MS), by request id; still in #inFlight. */
  readonly #arrived = new Map<number, CanvasRenderingContext2D>();
  #handoverTimer: ReturnType<typeof setTimeout> | null = null;
  #pendingCancels: number[] = [];
  #cancelTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Tiles handed to OpenSeadragon that do not cover their place yet: OpenSeadragon marks a tile loaded
   * asynchronously, and counts it as covering only once drawn (opacity 1). Until then it visits the
   * coarser stand-ins: released in that window, they were asked for after every tile of the view had
   * arrived, and the view counted as loaded only when they too were in, well after its own tiles.
   * Value: the frame count when first seen loaded but not drawn (a tile
   * still undrawn a frame later is hidden by finer ones, and no longer holds anything back).
   */
  readonly #landing = new Map<OpenSeadragon.Tile, number | null>();
  /** Frames drawn by the viewers of this source (frameDrawn). */
  #framesDrawn = 0;
  /** Jobs started or visited in the current plan, to send or hold back when it is complete (#consider). */
  readonly #considering = new Set<OpenSeadragon.ImageJob>();
  /** Tries made again of each job (see TRANSIENT_CODES), and the timers of those waiting to be. */
  readonly #retries = new WeakMap<OpenSeadragon.ImageJob, number>();
  readonly #retryTimers = new Map<OpenSeadragon.ImageJob, ReturnType<typeof setTimeout>>();
  /** Stand-in requests held back (see #mustWait), by tile. */
  #waiting = new Map<OpenSeadragon.Tile, OpenSeadragon.ImageJob>();
  #disposed = false;
  /** Tiles are decoded through the slide's ICC profile (see setColourManaged). */
  #colourManaged = true;
  /** How the engine makes the tiles now (a fluorescence slide's channels and plane, see setDisplay). */
  #display: string;

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
    this.#display = options.display;
  }

  /**
   * Whether tiles are decoded through the slide's ICC profile; true when it changed. Tiles of the
   * other kind get other cache keys, and are made again (remakeTiles, from ViewerColour).
   */
  setColourManaged(on: boolean): boolean {
    if (on === this.#colourManaged) return false;
    this.#colourManaged = on;
    this.#dropRequests();
    return true;
  }

  /**
   * The engine makes the tiles otherwise from now (the channels and plane shown); true when that
   * changed. As for the ICC choice, tiles of the other kind get other cache keys (remakeTiles).
   */
  setDisplay(key: string): boolean {
    if (key === this.#display) return false;
    this.#display = key;
    this.#dropRequests();
    return true;
  }

  /**
   * Forgets every tile request of the display (or ICC choice) just replaced: answered now, a tile
   * would come as the engine makes it from now on, under its old cache key. The engine's are
   * cancelled, and OpenSeadragon's jobs left unfinished, as held stand-ins are, their timers stopped
   * (failed, OpenSeadragon would log each): the tiled images that asked are replaced (remakeTiles),
   * and OpenSeadragon keeps no job once started, only a count, which bounds nothing with
   * imageLoaderLimit 0 (useOsdViewer).
   */
  #dropRequests(): void {
    for (const [requestId, job] of this.#inFlight) {
      stopJobTimer(job);
      if (!this.#arrived.has(requestId)) this.#queueCancel(requestId);
    }
    this.#inFlight.clear();
    for (const context of this.#arrived.values()) freeContext(context);
    this.#arrived.clear();
    if (this.#handoverTimer !== null) clearTimeout(this.#handoverTimer);
    this.#handoverTimer = null;
    for (const timer of this.#retryTimers.values()) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const job of this.#considering) stopJobTimer(job);
    this.#considering.clear();
    this.#waiting.clear();
    this.#landing.clear();
  }

  /** Never fetched: OSD wants a string per tile for its bookkeeping and messages. */
  override getTileUrl(level: number, x: number, y: number): string {
    return `slidescope-tile:${this.#options.slideId}/${level}/${x}_${y}`;
  }

  override getTileHashKey(level: number, x: number, y: number): string {
    // A tile asked for under another display lands under its own key, never under the new one's.
    return `${this.#options.slideId}/${level}/${x}_${y}${this.#colourManaged ? '' : '/as-stored'}${this.#display && `/${this.#display}`}`;
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
    this.#consider(job);
  }

  /**
   * Jobs are sent or held back once OpenSeadragon's plan of a frame is complete: the plan visits the
   * tiles of every level (releasing held stand-ins it still wants) before it starts the jobs of the
   * tiles it wants, in its own order, stand-ins maybe first. Decided on the way, a stand-in went out
   * ahead of the finer tiles of the same plan (every half-screen pan: 6 stand-ins before 20 tiles).
   * Decided together, finest first, a stand-in sees them in flight.
   */
  #consider(job: OpenSeadragon.ImageJob): void {
    if (this.#considering.size === 0) queueMicrotask(() => this.#decide());
    this.#considering.add(job);
  }

  #decide(): void {
    const jobs = [...this.#considering].sort((a, b) => b.tile.level - a.tile.level);
    this.#considering.clear();
    for (const job of jobs) {
      if (this.#disposed) return;
      if (this.#mustWait(job.tile.level)) {
        // A stand-in may wait as long as the view stays.
        stopJobTimer(job);
        this.#waiting.set(job.tile, job);
      } else {
        this.#waiting.delete(job.tile);
        this.#send(job);
      }
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
    // A tile waiting to be asked again (see #retry) is still on its way.
    for (const job of this.#retryTimers.keys()) if (job.tile.level > level) return true;
    return this.#finerLanding(level);
  }

  /** Whether a tile finer than `level` is landing (see #landing); forgets the ones that have landed. */
  #finerLanding(level: number): boolean {
    for (const [tile, seenLoadedAt] of this.#landing) {
      if (!tile.loading) {
        const drawn = !tile.loaded || (tile.opacity ?? 0) >= 1; // or dropped
        if (drawn || (seenLoadedAt !== null && this.#framesDrawn > seenLoadedAt)) {
          this.#landing.delete(tile);
          continue;
        }
        if (seenLoadedAt === null) this.#landing.set(tile, this.#framesDrawn);
      }
      if (tile.level > level) return true;
    }
    return false;
  }

  /** OpenSeadragon visits a tile for a view (its viewers' 'update-tile' events). */
  tileVisited(tile: OpenSeadragon.Tile): void {
    // Judged as the plan sees it: by the end of the plan's frame, the finer tiles it found missing
    // may have been drawn, and the stand-in no longer wanted.
    const job = this.#waiting.get(tile);
    if (job && !this.#mustWait(tile.level)) this.#consider(job);
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
            const context = await decodeTile(result.value, this.#colourManaged);
            if (this.#isCurrent(requestId)) this.#arrive(requestId, context);
            else freeContext(context);
          } catch (error) {
            this.#fallBack(job, requestId, { code: 'CORRUPT_DATA', message: `The tile image could not be decoded: ${String(error)}` });
          }
          return;
        }
        // CANCELLED here came from the engine, not from this source (its own leave #inFlight first).
        this.#fallBack(job, requestId, result.error);
      })
      .catch((error: unknown) => {
        // The bridge never rejects; this is a bug in this file. Still, no tile may hang.
        this.#fallBack(job, requestId, toErrorInfo(error));
      });
  }

  #arrive(requestId: number, context: CanvasRenderingContext2D): void {
    this.#arrived.set(requestId, context);
    this.#handoverTimer ??= setTimeout(() => this.#handOver(), HANDOVER_INTERVAL_MS);
    this.#handOverIfLast();
  }

  /** Hands the decoded tiles over at once when nothing else is on its way. */
  #handOverIfLast(): void {
    if (this.#arrived.size > 0 && this.#arrived.size === this.#inFlight.size) this.#handOver();
  }

  #handOver(): void {
    if (this.#handoverTimer !== null) clearTimeout(this.#handoverTimer);
    this.#handoverTimer = null;
    const arrived = [...this.#arrived];
    this.#arrived.clear();
    for (const [requestId, context] of arrived) {
      const job = this.#inFlight.get(requestId);
      if (job && this.#settle(requestId)) this.#finish(job, context);
      else freeContext(context);
    }
  }

  /** One of the viewers drawing this source has drawn a frame (its 'update-viewport' event). */
  frameDrawn(): void {
    this.#framesDrawn++;
  }

  #finish(job: OpenSeadragon.ImageJob, context: CanvasRenderingContext2D): void {
    this.#landing.set(job.tile, null);
    job.finish(context, null, 'context2d');
  }

  override downloadTileAbort(job: OpenSeadragon.ImageJob): void {
    clearTimeout(this.#retryTimers.get(job));
    this.#retryTimers.delete(job);
    this.#considering.delete(job);
    this.#waiting.delete(job.tile);
    const requestId = this.#requestIds.get(job);
    if (requestId === undefined || !this.#inFlight.delete(requestId)) return;
    const arrived = this.#arrived.get(requestId);
    if (arrived) {
      this.#arrived.delete(requestId);
      freeContext(arrived);
    } else {
      this.#queueCancel(requestId);
    }
    this.#handOverIfLast();
  }

  /** Stops every tile request still running; late answers are dropped. The viewer is going away. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#dropRequests();
    // A disposed source has no next batch: its cancels go now.
    if (this.#cancelTimer !== null) clearTimeout(this.#cancelTimer);
    this.#cancelTimer = null;
    const all = this.#pendingCancels;
    this.#pendingCancels = [];
    if (all.length > 0) void this.#options.api.cancelTiles({ slideId: this.#options.slideId, requestIds: all });
  }

  #isCurrent(requestId: number): boolean {
    return !this.#disposed && this.#inFlight.has(requestId);
  }

  /** Marks a request answered; false when it was aborted or the source disposed meanwhile. */
  #settle(requestId: number): boolean {
    return !this.#disposed && this.#inFlight.delete(requestId);
  }

  /** Settles a request that ended without a tile; the ones waiting for it may now be handed over. */
  #settleUnanswered(requestId: number): boolean {
    const settled = this.#settle(requestId);
    this.#handOverIfLast();
    return settled;
  }

  /**
   * A failed tile becomes a placeholder rather than a hole (OSD marks a failed tile as missing and
   * never asks again). Its size is the tile's own, so it lines up with its neighbours.
   */
  #fallBack(job: OpenSeadragon.ImageJob, requestId: number, error: ErrorInfo): void {
    if (!this.#settleUnanswered(requestId)) return;
    if (TRANSIENT_CODES.has(error.code) && this.#retry(job)) return;
    const rect = dzTileRect(this.#options.geometry, job.tile.level, job.tile.x, job.tile.y);
    this.#options.onTileError(error);
    this.#finish(job, placeholderTile(rect?.width ?? 1, rect?.height ?? 1));
  }

  /** Sends a settled job again after a moment, if it has tries left; false when it has none. */
  #retry(job: OpenSeadragon.ImageJob): boolean {
    const tries = this.#retries.get(job) ?? 0;
    if (tries >= this.#options.maxRetries) return false;
    this.#retries.set(job, tries + 1);
    // A restarting engine takes seconds.
    stopJobTimer(job);
    const timer = setTimeout(() => {
      this.#retryTimers.delete(job);
      if (!this.#disposed) this.#send(job);
    }, RETRY_DELAY_MS);
    this.#retryTimers.set(job, timer);
    return true;
  }

  #queueCancel(requestId: number): void {
    this.#pendingCancels.push(requestId);
    if (this.#cancelTimer !== null) return;
    this.#cancelTimer = setTimeout(() => {
      this.#cancelTimer = null;
      const ids = this.#pendingCancels;
      this.#pendingCancels = [];
      if (ids.length > 0) void this.#options.api.cancelTiles({ slideId: this.#options.slideId, requestIds: ids });
    }, CANCEL_BATCH_DELAY_MS);
  }
}

/**
 * Stops OpenSeadragon's timer for a job (its ImageJob's jobId, set when the job starts) for a job this
 * source holds back: it would fail the job, which marks its tile missing for good.
 */
function stopJobTimer(job: OpenSeadragon.ImageJob): void {
  clearTimeout((job as unknown as { jobId?: ReturnType<typeof setTimeout> }).jobId);
}

function freeContext(context: CanvasRenderingContext2D): void {
  // Safari/Chromium keep canvas memory until the size is zeroed (OSD does the same on eviction).
  context.canvas.width = 0;
  context.canvas.height = 0;
}
