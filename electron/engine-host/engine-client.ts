// The engine process as its parent sees it (the main process, the CLI, a test): a typed proxy for
// the table's engine operations that starts the process, keeps it alive and, when it crashes, is
// killed or goes over its memory cap, restarts it and reopens the open slides under their ids. A
// slide that stops the engine twice is not reopened: it would only stop it again. Windows talk to
// the engine over connections of their own (connect), which a restart replaces.

import { randomUUID } from 'node:crypto';
import type { ErrorInfo, Result } from '../../shared/errors';
import type { OperationCallOptions, OperationProtocol } from '../../shared/operation-rpc';
import type { EngineOperation, OpenedSlide, RequestInput, RequestOf, ResponseOf } from '../../shared/operations';
import type { RpcClient } from '../../shared/rpc';
import type { SlideShown } from '../../shared/slide';
import { type Child, type Replaced, Supervisor } from '../rpc/supervisor';
import { ENGINE_ENV, OVER_MEMORY_CAP, STOPPED_FILE_SYSTEM } from './engine-settings';
import { openRequestShowing } from './open-request';

/** A started engine process, with what a launcher gives a window to talk to it (a MessagePort, a channel). */
export interface EngineChild<Connection> extends Child {
  connect(client: number): Connection;
  disconnect(client: number): void;
}

export type EngineSpawn<Connection> = (gone: (reason: string) => void) => EngineChild<Connection>;

export interface EngineStoppedEvent {
  /** What happened: "it was killed (SIGKILL)", "it used 3100 MB, over its memory cap of 3072 MB". */
  reason: string;
  /** The open slides it was reading. */
  slideIds: string[];
  /** Of those, the ones not reopened: they had stopped it before. */
  failedSlideIds: string[];
  /** False when it kept stopping at once and is not restarted by itself: the next slide opened starts it. */
  restarting: boolean;
}

export interface EngineRestartedEvent {
  /** Slides that could not be reopened (a file moved or gone meanwhile), with why. */
  notReopened: Array<{ slideId: string; error: ErrorInfo }>;
}

export interface EngineClientOptions {
  /** The engine process stopped; it is being restarted. */
  onStopped?: (event: EngineStoppedEvent) => void;
  /** A new engine process is running with the open slides reopened (but those named): windows connect again now. */
  onRestarted?: (event: EngineRestartedEvent) => void;
  stallTimeoutMs?: number;
  /** What a slide read when the engine stopped is told after why it stopped (default afterEngineStop). */
  afterStop?: (reason: string) => string;
}

/**
 * What a request the engine stopped under is told by default: where it ran over its memory cap, that
 * the same request would again (trying again is no way out), and what is.
 */
export function afterEngineStop(reason: string): string {
  return reason.includes(OVER_MEMORY_CAP)
    ? `It was restarted. The same request would need as much memory again: ask for less (a smaller region or size), or set ${ENGINE_ENV.memoryCapMb} higher.`
    : 'It was restarted; please try again.';
}

/** Two stops within this time while reading a slide, and that slide is not reopened. */
const STRIKE_WINDOW_MS = 5 * 60_000;

function slideIdOf(request: unknown): string | undefined {
  const id = (request as { slideId?: unknown } | null)?.slideId;
  return typeof id === 'string' ? id : undefined;
}

export class EngineClient<Connection> {
  private readonly supervisor: Supervisor<OperationProtocol>;
  private child: EngineChild<Connection> | null = null;
  private readonly slides = new Map<string, { request: RequestOf<'engine:open'>; strikes: number[] }>();
  private readonly failed = new Map<string, ErrorInfo>();
  /** Windows connected: the engine process is in use while any is, whatever this proxy waits for. */
  private readonly connected = new Set<number>();
  /** The slides are being reopened together after a restart (not one at a time). */
  private reopeningTogether = false;
  /** An engine stopped while the slides were reopened together: the next reopens them one at a time. */
  private reopenOneAtATime = false;

  constructor(
    spawn: EngineSpawn<Connection>,
    private readonly options: EngineClientOptions = {},
  ) {
    this.supervisor = new Supervisor<OperationProtocol>({
      name: 'The slide engine',
      spawn: (gone) => {
        this.child = spawn(gone);
        return this.child;
      },
      // Windows' tile requests reach it over their own ports: its silence matters even when ours is idle.
      pingWhenIdle: true,
      restartEagerly: true,
      ...(options.stallTimeoutMs !== undefined ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
      afterStop: options.afterStop ?? afterEngineStop,
      restore: (call) => this.reopen(call),
      onReplaced: (event) => this.stopped(event),
    });
  }

  /** Starts the engine process now (at launch), so that the first slide does not wait for it. */
  start(): void {
    this.supervisor.start();
  }

  /** Settles when the engine's lanes have warmed up. */
  whenReady(): Promise<void> {
    return this.supervisor.whenReady();
  }

  /** The engine process's id (tests kill it; the benchmark reads its memory). */
  get pid(): number | undefined {
    return this.supervisor.pid;
  }

  get restarts(): number {
    return this.supervisor.restarts;
  }

  async call<O extends EngineOperation>(op: O, request: RequestInput<O>, options?: OperationCallOptions<O>): Promise<Result<ResponseOf<O>>> {
    const slideId = slideIdOf(request);
    const failed = slideId === undefined ? undefined : this.failed.get(slideId);
    // A failed slide is no longer open in the engine: closing it only forgets it.
    if (failed && op === 'engine:close') {
      this.failed.delete(slideId!);
      return { ok: true, value: undefined as ResponseOf<O> };
    }
    if (failed) return { ok: false, error: failed };
    const result = await this.supervisor.call(op, request, options);
    if (op === 'engine:open' && result.ok) this.slides.set(slideId!, { request: request as RequestOf<'engine:open'>, strikes: [] });
    // A restarted engine reopens the slide showing its channels and plane as last chosen.
    const shown = op === 'engine:set-channels' && result.ok ? this.slides.get(slideId!) : undefined;
    if (shown) shown.request = openRequestShowing(shown.request, request as RequestOf<'engine:set-channels'>);
    if (op === 'engine:close' && slideId !== undefined) {
      this.slides.delete(slideId);
      this.failed.delete(slideId);
    }
    return result;
  }

  /** Opens a slide under a new id, readable by `client`'s connection (null: only by this proxy). */
  /** Opens a slide under a new id; `shown`: a fluorescence slide's channels as chosen (ignored for others) and its plane. */
  async open(path: string, client: number | null, shown: SlideShown = {}): Promise<Result<OpenedSlide>> {
    const slideId = randomUUID();
    const { channels, plane } = shown;
    const opened = await this.call('engine:open', { slideId, path, client, ...(channels ? { channels } : {}), ...(plane ? { plane } : {}) });
    return opened.ok ? { ok: true, value: { slideId, info: opened.value } } : opened;
  }

  close(slideId: string): Promise<Result<void>> {
    return this.call('engine:close', { slideId });
  }

  /** A connection for a window, to the engine process running now (after a restart, ask again). */
  connect(client: number): Connection {
    // Between a crash and the restart, the last child's port would lead nowhere: its replacement starts now.
    if (!this.supervisor.alive) this.supervisor.startNow();
    this.connected.add(client);
    this.supervisor.hold(true);
    return this.child!.connect(client);
  }

  disconnect(client: number): void {
    this.child?.disconnect(client);
    this.connected.delete(client);
    if (this.connected.size === 0) this.supervisor.hold(false);
  }

  /** Replaces the engine process now (the tests). */
  restart(reason?: string): void {
    this.supervisor.restart(reason);
  }

  /** Ends the engine process: asked to leave between two tasks, or (`graceful` false: work abandoned) killed at once. */
  dispose(graceful = true): Promise<void> {
    return this.supervisor.dispose(graceful);
  }

  private stopped(event: Replaced): void {
    const reading = new Set(event.lastHealth?.activeSlides ?? []);
    const reopeningTogether = this.reopeningTogether;
    this.reopeningTogether = false;
    for (const call of event.inFlight) {
      const id = slideIdOf(call.request);
      // Stopped while reopening them all at once: which one did it is not known, so none is blamed
      // and the next engine reopens them one at a time (then the one being reopened is).
      if (call.op === 'engine:open' && reopeningTogether) {
        this.reopenOneAtATime = true;
        continue;
      }
      if (id !== undefined) reading.add(id);
    }
    const slideIds = [...reading].filter((id) => this.slides.has(id));
    const failedSlideIds: string[] = [];
    const now = Date.now();
    for (const id of slideIds) {
      const slide = this.slides.get(id)!;
      slide.strikes = [...slide.strikes.filter((t) => now - t < STRIKE_WINDOW_MS), now];
      if (slide.strikes.length < 2) continue;
      this.slides.delete(id);
      failedSlideIds.push(id);
      const name = slide.request.path.split(/[\\/]/).pop();
      const code = /memory cap/.test(event.reason) ? 'TOO_LARGE' : event.reason.includes(STOPPED_FILE_SYSTEM) ? 'IO_ERROR' : 'CORRUPT_DATA';
      this.failed.set(id, {
        code,
        message: `${name} stopped the slide engine twice (${event.reason}), so it is no longer read. Open it again to retry.`,
        path: slide.request.path,
      });
    }
    this.options.onStopped?.({ reason: event.reason, slideIds, failedSlideIds, restarting: event.restarting });
  }

  /** The open slides reopened together: one on a share that answers slowly holds back no other. */
  private async reopen(call: RpcClient<OperationProtocol>['call']): Promise<void> {
    const restarts = this.supervisor.restarts;
    const slides = [...this.slides];
    const open = (slide: { request: RequestOf<'engine:open'> }) => call('engine:open', slide.request);
    this.reopeningTogether = !this.reopenOneAtATime;
    const results: Array<Result<unknown>> = [];
    if (this.reopeningTogether) results.push(...(await Promise.all(slides.map(([, slide]) => open(slide)))));
    else for (const [, slide] of slides) if (this.supervisor.restarts === restarts) results.push(await open(slide));
    // This engine process stopped too, or we are shutting down: the slides are not at fault, and the
    // next restart reopens them (the one that stopped it counts a strike in stopped()). A lane that
    // stopped on one is that slide's own failure.
    if (this.supervisor.restarts !== restarts || results.some((result) => !result.ok && result.error.code === 'CANCELLED')) return;
    this.reopeningTogether = false;
    this.reopenOneAtATime = false;
    const notReopened: EngineRestartedEvent['notReopened'] = [];
    slides.forEach(([id], i) => {
      const result = results[i]!;
      if (result.ok) return;
      this.slides.delete(id);
      this.failed.set(id, result.error);
      notReopened.push({ slideId: id, error: result.error });
    });
    this.options.onRestarted?.({ notReopened });
  }
}
