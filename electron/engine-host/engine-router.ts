// The engine process's switchboard: checks every request against the operation table, lets a window
// touch only the slides opened for it, and sends each operation to its lanes as the table routes it
// (a tile to the lane that owns it, other reads to the least busy lane, closing to every lane that
// opened the slide).
// Lane answers go back as they came: a Result is never rethrown or rewrapped here.

import { fail, ok, type Result } from '../../shared/errors';
import type { OperationProtocol } from '../../shared/operation-rpc';
import {
  deadlineMs,
  type EngineOperation,
  type EngineStats,
  isOperation,
  operationSpec,
  type ProcessOperation,
  type RequestOf,
  type ResponseOf,
  type TileOperation,
  validateRequest,
} from '../../shared/operations';
import type { CallContext, CallOptions, Dispatch } from '../../shared/rpc';
import type { EncodedTile, SlideInfo, StoredJpegTiles } from '../../shared/slide';
import { tileLane } from '../engine/tile-lanes';
import { settledOrAborted, untilSettledOrAborted } from '../rpc/abortable';
import { leastBusy, type Supervisor } from '../rpc/supervisor';
import { openRequestShowing } from './open-request';
import { StoredTileReader } from './stored-tile-reader';

type Lane = Supervisor<OperationProtocol>;

/** Failures of a lane that say nothing of the slide: asked again. */
const TRANSIENT: ReadonlySet<string> = new Set(['WORKER_FAILED', 'CANCELLED', 'TIMED_OUT']);

/** How long a slide counts as being read after its last request ended: what a crash was reading. */
const ACTIVE_FOR_MS = 2000;
/** How often requests are checked against their deadlines (seconds to minutes long). */
const DEADLINE_SWEEP_MS = 100;

/**
 * A request's own controller, aborted when its caller's signal is: one listener, where
 * AbortSignal.any and AbortSignal.timeout each cost a weak reference and a finalizer (together ~25 us
 * of the engine's main thread on every tile).
 */
function follow(parent: AbortSignal): { controller: AbortController; release(): void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, release: () => undefined };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, release: () => parent.removeEventListener('abort', onAbort) };
}

interface Deadline {
  at: number;
  controller: AbortController;
  expired: boolean;
}

interface OpenSlide {
  request: RequestOf<'engine:open'>;
  /** Each lane's open of it, made when that lane is first asked about it; a call to a lane waits for it. */
  opened: Array<Promise<Result<unknown>> | undefined>;
  /** The lanes whose open has succeeded: a tile's call goes straight to them, without waiting on it. */
  openedOk: boolean[];
}

function slideIdOf(request: unknown): string | undefined {
  const id = (request as { slideId?: unknown } | null)?.slideId;
  return typeof id === 'string' ? id : undefined;
}

/** Every slide a request reads: its slideId, and a side-by-side export's panels' (a lane must have opened each). */
function slideIdsOf(request: unknown): string[] {
  const id = slideIdOf(request);
  const panels = (request as { panels?: unknown } | null)?.panels;
  // Every tile passes here: one slide, no further arrays.
  if (!Array.isArray(panels)) return id === undefined ? [] : [id];
  return [id, ...panels.map(slideIdOf)].filter((each): each is string => each !== undefined);
}

function askKey(slideId: string, dzLevel: number): string {
  return `${dzLevel}:${slideId}`;
}

interface Session {
  /** The window's tile requests in flight, by its own request id, so that slide:cancel-tiles can name them. */
  tiles: Map<number, AbortController>;
}

export class EngineRouter {
  /** Every open slide, as it was opened: lanes that restart open them again. */
  private readonly slides = new Map<string, OpenSlide>();
  /** Slides being closed: nothing more is asked of them (a lane that has not opened one must not open it now). */
  private readonly closing = new Set<string>();
  private readonly reading = new Map<string, number>();
  private readonly lastRead = new Map<string, number>();
  private readonly sessions = new Map<number, Session>();
  /** Stored JPEG tiles, read in this thread once a lane has said where they lie. */
  private readonly storedTiles = new StoredTileReader();
  /** Levels whose lane has been asked where their stored tiles lie, until the answer is learnt (askKey). */
  private readonly asking = new Map<string, Promise<void>>();
  /** Requests in flight, checked by one timer while there are any. */
  private readonly deadlines = new Set<Deadline>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /**
   * Called when a slide starts being read after an idle spell: the engine process tells its host at
   * once, so a crash a moment later is blamed on the slide even before the next pong.
   */
  onReadingStarts: (() => void) | null = null;

  /** The operations the engine process answers itself, one handler each (a missing one does not compile). */
  readonly processHandlers: { [O in ProcessOperation]: (request: RequestOf<O>, client: number | null) => ResponseOf<O> } = {
    'slide:cancel-tiles': ({ requestIds }, client) => {
      const session = client === null ? undefined : this.sessions.get(client);
      for (const id of requestIds) session?.tiles.get(id)?.abort();
    },
    'engine:stats': () => this.stats(),
  };

  constructor(
    private readonly lanes: readonly Lane[],
    private readonly stats: () => EngineStats,
    /** How long each operation may run (the table's deadlines; tests shorten them). */
    private readonly deadline: (op: EngineOperation) => number = deadlineMs,
  ) {}

  /**
   * Lane `index` has gone (it is replaced): its next request for each slide opens the slide there
   * again, under that request's own deadline, so one slide's slow reopen holds no other slide's tiles.
   */
  laneLost(index: number): void {
    for (const slide of this.slides.values()) {
      slide.opened[index] = undefined;
      slide.openedOk[index] = false;
    }
  }

  /** Slides being read now or moments ago. */
  activeSlides(): string[] {
    const since = Date.now() - ACTIVE_FOR_MS;
    return [...this.slides.keys()].filter((id) => this.isActive(id, since));
  }

  private isActive(slideId: string, since: number): boolean {
    return (this.reading.get(slideId) ?? 0) > 0 || (this.lastRead.get(slideId) ?? 0) >= since;
  }

  /** A window's connection: it may ask only for the page's operations, and only of its own slides. */
  connect(client: number): Dispatch {
    this.sessions.set(client, { tiles: new Map() });
    return this.dispatch(client);
  }

  /** The window has gone: what it asked for is no longer wanted. */
  disconnect(client: number): void {
    const session = this.sessions.get(client);
    this.sessions.delete(client);
    for (const controller of session?.tiles.values() ?? []) controller.abort();
  }

  /** The parent's (main process, CLI) dispatch: every engine operation. */
  hostDispatch(): Dispatch {
    return this.dispatch(null);
  }

  private dispatch(client: number | null): Dispatch {
    return async (op, raw, context) => {
      if (!isOperation(op) || operationSpec(op).at !== 'engine') return fail('INVALID_ARGUMENT', `${String(op).slice(0, 40)} is not an engine operation`);
      const name = op as EngineOperation;
      if (client !== null && operationSpec(name).exposure !== 'page') return fail('NOT_AUTHORIZED', `a window may not ask for ${name}`);
      const checked = validateRequest(name, raw);
      if (!checked.ok) return checked;
      const request = (checked.value ?? {}) as { slideId?: string };
      if (client !== null) {
        const slide = request.slideId === undefined ? undefined : this.slides.get(request.slideId);
        if (!slide || slide.request.client !== client) return fail('NOT_OPEN', `slide ${request.slideId} is not open in this window`);
      }
      const slideId = request.slideId;
      if (this.closing.size > 0 && name !== 'engine:close') {
        const closing = slideIdsOf(request).find((id) => this.closing.has(id));
        if (closing !== undefined) return fail('NOT_OPEN', `slide ${closing} is being closed`);
      }
      // What a crash was reading: its opening and closing are not reads (a restart reopens every slide).
      const reads = slideId !== undefined && name !== 'engine:open' && name !== 'engine:close';
      if (reads) {
        const wasActive = this.isActive(slideId, Date.now() - ACTIVE_FOR_MS);
        this.reading.set(slideId, (this.reading.get(slideId) ?? 0) + 1);
        if (!wasActive && this.slides.has(slideId)) this.onReadingStarts?.();
      }
      // Every request has a deadline: past it, its work is stopped and the caller told so.
      const ms = this.deadline(name);
      const { controller, release } = follow(context.signal);
      const deadline: Deadline = { at: Date.now() + ms, controller, expired: false };
      this.watch(deadline);
      try {
        const result = await this.route(name, checked.value, client, { ...context, signal: controller.signal }, controller);
        if (!result.ok && deadline.expired && !context.signal.aborted) {
          const path = slideId === undefined ? undefined : this.slides.get(slideId)?.request.path;
          return fail('TIMED_OUT', `${name} took longer than ${ms / 1000} s and was stopped.`, path);
        }
        return result;
      } finally {
        this.deadlines.delete(deadline);
        release();
        // Only an open slide's: a close left none to keep.
        if (reads && this.slides.has(slideId)) {
          this.reading.set(slideId, (this.reading.get(slideId) ?? 1) - 1);
          this.lastRead.set(slideId, Date.now());
        } else if (reads) {
          this.reading.delete(slideId);
          this.lastRead.delete(slideId);
        }
      }
    };
  }

  /** `controller` is the request's own: aborting it stops the request (its deadline, a window's cancel). */
  private async route(
    op: EngineOperation,
    request: unknown,
    client: number | null,
    context: CallContext,
    controller: AbortController,
  ): Promise<Result<unknown>> {
    const spec = operationSpec(op);
    if (spec.route === 'process') {
      const handler = this.processHandlers[op as ProcessOperation] as (request: unknown, client: number | null) => unknown;
      return ok(handler(request, client));
    }
    switch (op) {
      case 'engine:open':
        return this.open(request as RequestOf<'engine:open'>, context.signal);
      case 'engine:close': {
        const { slideId } = request as RequestOf<'engine:close'>;
        if (this.slides.has(slideId)) this.closing.add(slideId);
        // Each lane closes it once its own open has finished (a close must not overtake it).
        await Promise.all(this.lanes.map((_, index) => this.onLane(index, 'engine:close', { slideId }, { signal: context.signal })));
        this.closing.delete(slideId);
        this.slides.delete(slideId);
        this.storedTiles.close(slideId);
        this.reading.delete(slideId);
        this.lastRead.delete(slideId);
        return ok(undefined);
      }
      case 'engine:set-channels': {
        // A lane that opens the slide from here opens it showing the channels as chosen now; not
        // before the lanes took them (a refused choice would fail every later open there).
        const shown = request as RequestOf<'engine:set-channels'>;
        const result = await this.onEveryLane(op, request, { signal: context.signal });
        const slide = this.slides.get(shown.slideId);
        if (result.ok && slide) slide.request = openRequestShowing(slide.request, shown);
        // Another plane's tiles lie elsewhere in the file: those read here are asked about again.
        if (result.ok && shown.plane) this.storedTiles.reshown(shown.slideId);
        return result;
      }
      case 'slide:prefetch': {
        // Lanes leave to this thread the stored tiles it reads: it says which levels those are, once it knows.
        const { slideId, dzLevel } = request as RequestOf<'slide:prefetch'>;
        if (this.storedTiles.shouldAsk(slideId, dzLevel)) this.askWhereStored(slideId, dzLevel, leastBusy(this.lanes));
        await untilSettledOrAborted(this.asking.get(askKey(slideId, dzLevel)), context.signal);
        request = { ...(request as RequestOf<'slide:prefetch'>), storedReadByRouter: this.storedTiles.reads(slideId, dzLevel) };
        break;
      }
      default:
        break;
    }
    const options = { signal: context.signal, onProgress: (value: unknown) => context.progress(value) };
    if (spec.route === 'tile') {
      // One lane per tile, so that a tile's work and cache entry are never doubled (the request's type
      // must name the tile: a tile-routed operation without one does not compile here).
      const { col, row }: { col: number; row: number } = request as RequestOf<TileOperation>;
      const lane = tileLane(col, row, this.lanes.length);
      if (op === 'slide:tile') return this.tile(request as RequestOf<'slide:tile'>, lane, client, controller);
      return this.onLane(lane, op, request, options);
    }
    if (spec.route === 'all') return this.onEveryLane(op, request, options);
    return this.onLane(leastBusy(this.lanes), op, request, options);
  }

  /** A call to every lane: the first failure, else the first lane's answer. */
  private async onEveryLane(op: EngineOperation, request: unknown, options: CallOptions): Promise<Result<unknown>> {
    const results = await Promise.all(this.lanes.map((_, index) => this.onLane(index, op, request, options)));
    return results.find((r) => !r.ok) ?? results[0] ?? ok(undefined);
  }

  /** A call to one lane, once that lane has opened the slide it names (or with the reason it could not). */
  private async onLane(index: number, op: EngineOperation, request: unknown, options: CallOptions = {}): Promise<Result<unknown>> {
    for (const slideId of slideIdsOf(request)) {
      const slide = this.slides.get(slideId);
      if (!slide || slide.openedOk[index]) continue;
      // A lane that was never asked about the slide has nothing to close.
      if (op === 'engine:close' && slide.opened[index] === undefined) return ok(undefined);
      // A close under way has passed this lane or is about to: an open now would outlive it there.
      if (op !== 'engine:close' && this.closing.has(slideId)) return fail('NOT_OPEN', `slide ${slideId} is being closed`, slide.request.path);
      slide.opened[index] ??= this.lanes[index]!.call('engine:open', slide.request);
      const pending = slide.opened[index];
      // The lane's open is shared by every request for the slide there; this one stops waiting for it
      // at its own deadline or cancel (a file on a share that hangs must not hang them all).
      const open = options.signal ? await settledOrAborted(pending, options.signal) : await pending;
      if (open === null) {
        // A close given up on still closes it there once that open ends.
        const lane = this.lanes[index]!;
        if (op === 'engine:close') void pending.then(() => lane.call('engine:close', { slideId })).catch(() => undefined);
        return fail('CANCELLED', `${op} was cancelled while the slide was being opened.`, slide.request.path);
      }
      if (!open.ok) return op === 'engine:close' ? ok(undefined) : open;
      // Not when the lane was replaced meanwhile: its reopen is another promise.
      if (slide.opened[index] === pending) slide.openedOk[index] = true;
    }
    return this.lanes[index]!.call(op, request as never, options);
  }

  /**
   * Opens a slide in the least busy lane, which answers with the slide's info; each other lane opens
   * it when first asked about it (onLane): opened in every lane at once, the other lanes' opens ran
   * beside the reply and slowed it (docs/performance.md, "Opening"). A slide never viewed is opened once.
   */
  private async open(request: RequestOf<'engine:open'>, signal: AbortSignal): Promise<Result<unknown>> {
    if (this.slides.has(request.slideId)) return fail('INVALID_ARGUMENT', `a slide is already open as ${request.slideId}`, request.path);
    const lead = leastBusy(this.lanes);
    const lane = this.lanes[lead]!;
    // A lane's open cannot be stopped part-way (a read on a share that hangs): the request stops
    // waiting at its deadline or cancel, and the lane closes the slide if its open ends after all.
    const opening = lane.call('engine:open', request);
    const first = await settledOrAborted(opening, signal);
    if (first === null) {
      void opening.then((late) => (late.ok ? lane.call('engine:close', { slideId: request.slideId }) : undefined)).catch(() => undefined);
      return fail('CANCELLED', 'The slide was not opened: its opening was stopped.', request.path);
    }
    if (!first.ok) return first;
    const opened = this.lanes.map((_, index) => (index === lead ? Promise.resolve(first) : undefined));
    this.slides.set(request.slideId, { request, opened, openedOk: this.lanes.map((_, index) => index === lead) });
    const geometry = (first.value as Partial<SlideInfo>).deepZoom;
    if (geometry) this.storedTiles.add(request.slideId, geometry);
    return first;
  }

  private async tile(request: RequestOf<'slide:tile'>, lane: number, client: number | null, controller: AbortController): Promise<Result<unknown>> {
    const session = client === null ? undefined : this.sessions.get(client);
    // A reused request id replaces the older request, which is no longer wanted; slide:cancel-tiles
    // and a closed window abort the request's own controller.
    session?.tiles.get(request.requestId)?.abort();
    session?.tiles.set(request.requestId, controller);
    try {
      const stored = await this.storedTile(request, lane, controller.signal);
      if (stored) return ok(stored);
      return await this.onLane(lane, 'slide:tile', request, { signal: controller.signal });
    } finally {
      if (session?.tiles.get(request.requestId) === controller) session.tiles.delete(request.requestId);
    }
  }

  /**
   * A stored tile read in this thread, or null for its lane to make. A level's first tile asks the
   * tile's own lane (which opens the slide for it anyway) where the level's tiles lie, and is made
   * there meanwhile.
   */
  private async storedTile({ slideId, dzLevel, col, row }: RequestOf<'slide:tile'>, lane: number, signal: AbortSignal): Promise<EncodedTile | null> {
    if (!this.storedTiles.shouldAsk(slideId, dzLevel)) return this.storedTiles.read(slideId, dzLevel, col, row, signal);
    this.askWhereStored(slideId, dzLevel, lane);
    return null;
  }

  /** Asks `lane` where a level's stored tiles lie (the reader said to ask); `asking` holds the question until its answer is learnt. */
  private askWhereStored(slideId: string, dzLevel: number, lane: number): void {
    const key = askKey(slideId, dzLevel);
    const asked = this.storedTiles.showing(slideId);
    const learnt = this.onLane(lane, 'engine:stored-tiles', { slideId, dzLevel })
      .then((answer) => {
        if (answer.ok) return this.storedTiles.learn(slideId, dzLevel, answer.value as StoredJpegTiles | null, asked);
        // A lane that restarted or was stopped may answer next time; any other failure is the lanes' to report, tile by tile.
        if (TRANSIENT.has(answer.error.code)) this.storedTiles.forget(slideId, dzLevel, asked);
        else return this.storedTiles.learn(slideId, dzLevel, null, asked);
      })
      .catch(() => undefined) // the level stays asked about: its tiles go to the lanes
      .finally(() => {
        // A slide closed and opened again under the same id may have asked anew meanwhile.
        if (this.asking.get(key) === learnt) this.asking.delete(key);
      });
    this.asking.set(key, learnt);
  }

  private watch(deadline: Deadline): void {
    this.deadlines.add(deadline);
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const each of this.deadlines) {
        if (each.at > now) continue;
        this.deadlines.delete(each);
        each.expired = true;
        each.controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
      }
      if (this.deadlines.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, DEADLINE_SWEEP_MS);
    // The engine process lives as long as its parent's channel: the sweep alone must not hold it.
    this.sweeper.unref();
  }
}
