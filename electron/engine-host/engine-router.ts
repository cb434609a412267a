// The engine process's switchboard: checks every request against the operation table, lets a window
// touch only the slides opened for it, and sends each operation to its lanes as the table routes it
// (a tile to the lane that owns it, other reads to the least busy lane, opening and closing to all).
// Lane answers go back as they came: a Result is never rethrown or rewrapped here.

import { fail, ok, type Result } from '../../shared/errors';
import type { OperationProtocol } from '../../shared/operation-rpc';
import { type EngineOperation, type EngineStats, isOperation, operationSpec, type RequestOf, validateRequest } from '../../shared/operations';
import type { CallContext, Dispatch, RpcClient } from '../../shared/rpc';
import { tileLane } from '../engine/tile-lanes';
import type { Supervisor } from '../rpc/supervisor';

type Lane = Supervisor<OperationProtocol>;

/** How long a slide counts as being read after its last request ended: what a crash was reading. */
const ACTIVE_FOR_MS = 2000;

interface Session {
  /** The window's tile requests in flight, by its own request id, so that slide:cancel-tiles can name them. */
  tiles: Map<number, AbortController>;
}

export class EngineRouter {
  /** Every open slide, as it was opened: lanes that restart open them again. */
  private readonly slides = new Map<string, RequestOf<'engine:open'>>();
  private readonly reading = new Map<string, number>();
  private readonly lastRead = new Map<string, number>();
  private readonly sessions = new Map<number, Session>();

  constructor(
    private readonly lanes: readonly Lane[],
    private readonly stats: () => EngineStats,
  ) {}

  /** Reopens every open slide in a lane that was replaced, under the same ids. */
  async restoreLane(call: RpcClient<OperationProtocol>['call']): Promise<void> {
    for (const request of this.slides.values()) await call('engine:open', request);
  }

  /** Slides being read now or moments ago. */
  activeSlides(): string[] {
    const since = Date.now() - ACTIVE_FOR_MS;
    return [...this.slides.keys()].filter((id) => (this.reading.get(id) ?? 0) > 0 || (this.lastRead.get(id) ?? 0) >= since);
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
        if (!slide || slide.client !== client) return fail('NOT_OPEN', `slide ${request.slideId} is not open in this window`);
      }
      const slideId = request.slideId;
      if (slideId !== undefined) this.reading.set(slideId, (this.reading.get(slideId) ?? 0) + 1);
      try {
        return await this.route(name, checked.value, client, context);
      } finally {
        if (slideId !== undefined) {
          this.reading.set(slideId, (this.reading.get(slideId) ?? 1) - 1);
          this.lastRead.set(slideId, Date.now());
        }
      }
    };
  }

  private async route(op: EngineOperation, request: unknown, client: number | null, context: CallContext): Promise<Result<unknown>> {
    switch (op) {
      case 'engine:open':
        return this.open(request as RequestOf<'engine:open'>);
      case 'engine:close': {
        const { slideId } = request as RequestOf<'engine:close'>;
        this.slides.delete(slideId);
        this.reading.delete(slideId);
        this.lastRead.delete(slideId);
        await Promise.all(this.lanes.map((lane) => lane.call('engine:close', { slideId })));
        return ok(undefined);
      }
      case 'slide:cancel-tiles': {
        const session = client === null ? undefined : this.sessions.get(client);
        for (const id of (request as RequestOf<'slide:cancel-tiles'>).requestIds) session?.tiles.get(id)?.abort();
        return ok(undefined);
      }
      case 'engine:stats':
        return ok(this.stats());
      case 'slide:tile':
        return this.tile(request as RequestOf<'slide:tile'>, client, context);
      default:
        break;
    }
    const spec = operationSpec(op);
    const options = { signal: context.signal, onProgress: (value: unknown) => context.progress(value) };
    if (spec.route === 'all') {
      const results = await Promise.all(this.lanes.map((lane) => lane.call(op, request as never, options)));
      return results.find((r) => !r.ok) ?? results[0] ?? ok(undefined);
    }
    return this.leastBusy().call(op, request as never, options);
  }

  private async open(request: RequestOf<'engine:open'>): Promise<Result<unknown>> {
    if (this.slides.has(request.slideId)) return fail('INVALID_ARGUMENT', `a slide is already open as ${request.slideId}`, request.path);
    const results = await Promise.all(this.lanes.map((lane) => lane.call('engine:open', request)));
    const failed = results.find((r) => !r.ok);
    if (failed) {
      // A slide one lane cannot open is not left open in the others.
      await Promise.all(this.lanes.map((lane) => lane.call('engine:close', { slideId: request.slideId })));
      return failed;
    }
    this.slides.set(request.slideId, request);
    return results[0] ?? fail('INTERNAL', 'the engine has no lanes');
  }

  private async tile(request: RequestOf<'slide:tile'>, client: number | null, context: CallContext): Promise<Result<unknown>> {
    const lane = this.lanes[tileLane(request.col, request.row, this.lanes.length)]!;
    const session = client === null ? undefined : this.sessions.get(client);
    if (!session) return lane.call('slide:tile', request, { signal: context.signal });
    // A reused request id replaces the older request, which is no longer wanted.
    session.tiles.get(request.requestId)?.abort();
    const controller = new AbortController();
    session.tiles.set(request.requestId, controller);
    try {
      return await lane.call('slide:tile', request, { signal: AbortSignal.any([context.signal, controller.signal]) });
    } finally {
      if (session.tiles.get(request.requestId) === controller) session.tiles.delete(request.requestId);
    }
  }

  private leastBusy(): Lane {
    return this.lanes.reduce((a, b) => (b.load < a.load ? b : a));
  }
}
