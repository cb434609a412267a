// Keeps one child (a process or a thread) serving RPC: starts it, holds the parent's event loop only
// while it has work, pings it, and replaces it when it crashes, exits or stops answering. Calls in
// flight then answer WORKER_FAILED (the caller may ask again) and `restore` prepares the new child
// (reopening slides) before later calls reach it. The engine process, its lanes and the codec
// threads are each kept by one.

import { type ErrorInfo, fail, type Result } from '../../shared/errors';
import { type CallOptions, type Endpoint, type Health, type Protocol, RpcClient, type RpcMessage } from '../../shared/rpc';
import { untilSettledOrAborted } from './abortable';

export interface Child {
  readonly endpoint: Endpoint;
  /** Ends it: asked to leave between two tasks when it still answers (graceful), killed otherwise. */
  stop(graceful: boolean): Promise<void>;
  /** Whether it keeps this process alive: while it has work, not while idle (a CLI must be able to exit). */
  hold(held: boolean): void;
  readonly pid?: number | undefined;
}

/** Starts a child; it calls `gone` once, with what happened, when it has exited or crashed. */
export type Spawn = (gone: (reason: string) => void) => Child;

export interface Replaced {
  /** Why: "it crashed (...)", "it stopped answering for 15 s", or the reason the child gave before it ended. */
  reason: string;
  /** What it was serving for us when it went. */
  inFlight: Array<{ op: string; request: unknown }>;
  /** Its last report of itself (what it was reading, its memory). */
  lastHealth: Health | null;
  /** False when it is not restarted by itself: children that kept dying at once (the next call starts one). */
  restarting: boolean;
}

export interface SupervisorOptions<P extends Protocol> {
  /** For messages: 'The slide engine', 'An engine lane', 'A codec thread'. */
  name: string;
  spawn: Spawn;
  /** A child that answers no ping for this long, while it has work (or always, with pingWhenIdle), is replaced. */
  stallTimeoutMs?: number;
  /** The same for a child that has not answered yet: loading its modules takes longer than a ping. */
  startTimeoutMs?: number;
  /** Ping while idle too: the child serves others than us (the engine process serves windows' ports). */
  pingWhenIdle?: boolean;
  /** Start a new child as soon as one has gone (the engine process), rather than at the next call. */
  restartEagerly?: boolean;
  /** Prepares a fresh child (after a replacement) before calls reach it; calls made meanwhile wait. */
  restore?: (call: RpcClient<P>['call']) => Promise<void>;
  onReplaced?: (event: Replaced) => void;
  /** What the calls it was answering are told after "<name> stopped (<reason>).": by default, to try again. */
  afterStop?: (reason: string) => string;
  /** Events the child sent (other than 'fatal', which becomes the replacement's reason). */
  onEvent?: (name: string, payload: unknown) => void;
}

interface Running {
  child: Child;
  client: RpcClient<Protocol>;
  isReady: boolean;
  markReady: () => void;
  ready: Promise<void>;
  lastPong: number;
  /** It has answered a ping: from then on, silence is a stall. */
  answered: boolean;
  health: Health | null;
  /** The reason the child gave before ending itself (a 'fatal' event). */
  fatal: string | null;
  startedAt: number;
}

function describeMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** A child that lived less than this before it went is restarted after a growing pause. */
const SHORT_LIFE_MS = 2000;
/** After this many such deaths in a row, a new child waits for a call (a broken install is not retried forever). */
const MAX_QUICK_DEATHS = 5;
/**
 * A child that said it is ending itself ('fatal') and is still there this much later is killed: its
 * exit waits for its threads, and one inside a long native decode (what a memory cap stops) holds it.
 */
const FATAL_EXIT_GRACE_MS = 500;

/** The index of the least busy of `children` (calls in flight; the first of equals); -1 for none. */
export function leastBusy(children: readonly { readonly load: number }[]): number {
  let best = -1;
  children.forEach((child, index) => {
    if (best < 0 || child.load < children[best]!.load) best = index;
  });
  return best;
}

export class Supervisor<P extends Protocol> {
  private running: Running | null = null;
  private restoring: Promise<void> | null = null;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  private heldForReady = false;
  private heldByUser = false;
  private quickDeaths = 0;
  /** The restart waiting out its pause, if one is: its timer, and what it does when it fires. */
  private pendingRespawn: { timer: ReturnType<typeof setTimeout>; fire: () => void } | null = null;
  /** Ends the wait for a restart (the restore done, or no restart to come). */
  private endRestore: (() => void) | null = null;
  /** The children kept dying at once: the next call starts and restores one. */
  private respawnOnDemand = false;
  /** Children replaced so far. */
  restarts = 0;
  /** Highest resident memory a child reported. */
  peakRssBytes = 0;

  constructor(private readonly options: SupervisorOptions<P>) {}

  /** Starts the child now (at launch), held until it is ready, so a first request does not wait for it. */
  start(): void {
    if (this.disposed) return;
    this.heldForReady = true;
    const running = this.ensure();
    this.updateHold();
    void running.ready.then(() => {
      this.heldForReady = false;
      this.updateHold();
    });
  }

  /** Keeps this process alive for the child's sake while others use it (windows' connections). */
  hold(held: boolean): void {
    this.heldByUser = held;
    this.updateHold();
  }

  /** Settles when the current child has warmed up (after start(), or a first call). */
  whenReady(): Promise<void> {
    return this.disposed ? Promise.resolve() : this.ensure().ready;
  }

  /** Calls in flight. */
  get load(): number {
    return this.running?.client.pending ?? 0;
  }

  /** Whether a child is running now (not between a crash and its replacement). */
  get alive(): boolean {
    return this.running !== null;
  }

  /** The current child's process id, when it is a process. */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  get lastHealth(): Health | null {
    return this.running?.health ?? null;
  }

  async call<K extends keyof P & string>(op: K, request: P[K]['request'], options: CallOptions<P[K]['progress']> = {}): Promise<Result<P[K]['response']>> {
    if (this.respawnOnDemand && !this.disposed) {
      this.respawnOnDemand = false;
      this.respawn(0);
    }
    while (this.restoring && !this.disposed && !options.signal?.aborted) await untilSettledOrAborted(this.restoring, options.signal);
    if (this.disposed) return fail('CANCELLED', `${this.options.name} is shutting down.`);
    if (options.signal?.aborted) return fail('CANCELLED', `${String(op)} was cancelled while ${this.options.name.toLowerCase()} was restarting.`);
    return (this.ensure().client as RpcClient<P>).call(op, request, options);
  }

  /** Replaces the child now (the tests, a user's "restart"). */
  restart(reason = 'it was restarted'): void {
    if (this.running) this.replace(this.running, reason, true);
  }

  /** Ends the child: asked to leave between two tasks, or (`graceful` false) killed at once. */
  async dispose(graceful = true): Promise<void> {
    this.disposed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.pendingRespawn) clearTimeout(this.pendingRespawn.timer);
    // Calls waiting for a restart that will not come now end (CANCELLED).
    this.endRestore?.();
    const running = this.running;
    this.running = null;
    if (!running) return;
    running.client.close({ code: 'CANCELLED', message: `${this.options.name} is shutting down.` });
    running.markReady();
    await running.child.stop(graceful);
  }

  private ensure(): Running {
    if (this.running) return this.running;
    if (this.disposed) throw new Error(`${this.options.name} was disposed of.`);
    let markReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    let running: Running | undefined;
    const child = this.options.spawn((reason) => {
      if (running) this.replace(running, reason, false);
    });
    const client = new RpcClient<Protocol>(child.endpoint, {
      onMessage: (message) => {
        if (running) this.receive(running, message);
      },
      onLoad: () => this.updateHold(),
    });
    running = { child, client, isReady: false, markReady, ready, lastPong: Date.now(), answered: false, health: null, fatal: null, startedAt: Date.now() };
    this.running = running;
    this.updateHold();
    this.startWatchdog();
    return running;
  }

  private receive(running: Running, message: RpcMessage): void {
    if (message.rpc === 'pong' || message.rpc === 'ready' || message.rpc === 'health') {
      running.lastPong = Date.now();
      running.answered = true;
      running.health = message.health;
      this.peakRssBytes = Math.max(this.peakRssBytes, message.health.rssBytes);
      if (message.rpc === 'ready' && !running.isReady) {
        running.isReady = true;
        running.markReady();
        this.updateHold();
      }
    } else if (message.rpc === 'event') {
      if (message.name === 'fatal') {
        // The child is about to end itself: why, and what it was doing.
        const payload = (message.payload ?? {}) as { reason?: unknown; health?: Health };
        running.fatal = String(payload.reason ?? 'it failed');
        if (payload.health) running.health = payload.health;
        const timer = setTimeout(() => this.replace(running, running.fatal!, false), FATAL_EXIT_GRACE_MS);
        (timer as { unref?: () => void }).unref?.();
      } else {
        this.options.onEvent?.(message.name, message.payload);
      }
    }
  }

  private updateHold(): void {
    const running = this.running;
    if (running) running.child.hold(running.client.pending > 0 || this.heldForReady || this.heldByUser);
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    const stall = this.options.stallTimeoutMs ?? 15_000;
    const start = Math.max(stall, this.options.startTimeoutMs ?? 30_000);
    const every = Math.max(50, Math.min(1000, stall / 4));
    let lastTick = Date.now();
    this.watchdog = setInterval(() => {
      const running = this.running;
      const now = Date.now();
      // A tick this late means our own thread was busy (a CLI listing its inputs): the child's pongs
      // may be waiting unread, so its silence says nothing yet.
      const late = now - lastTick > Math.max(2 * every, 1000);
      lastTick = now;
      if (!running) return;
      if (late) running.lastPong = now;
      const watched = running.client.pending > 0 || this.options.pingWhenIdle === true;
      const limit = running.answered ? stall : start;
      if (watched && now - running.lastPong > limit) {
        this.replace(running, running.answered ? `it stopped answering for ${describeMs(limit)}` : `it did not start within ${describeMs(limit)}`, false);
        return;
      }
      if (!watched) running.lastPong = now; // an idle child's silence says nothing
      running.client.send({ rpc: 'ping' });
    }, every);
    (this.watchdog as { unref?: () => void }).unref?.();
  }

  private replace(running: Running, cause: string, responsive: boolean): void {
    if (this.running !== running) return;
    this.running = null;
    const reason = running.fatal ?? cause;
    const inFlight = running.client.inFlight();
    const after = this.options.afterStop?.(reason) ?? 'It was restarted; please try again.';
    const error: ErrorInfo = { code: 'WORKER_FAILED', message: `${this.options.name} stopped (${reason}). ${after}` };
    running.client.close(error);
    running.markReady();
    void running.child.stop(responsive);
    if (this.disposed) return;
    this.restarts++;
    this.quickDeaths = Date.now() - running.startedAt < SHORT_LIFE_MS ? this.quickDeaths + 1 : 0;
    const restarts = (this.options.restore !== undefined || this.options.restartEagerly === true) && this.quickDeaths < MAX_QUICK_DEATHS;
    this.options.onReplaced?.({ reason, inFlight, lastHealth: running.health, restarting: restarts });
    if (this.quickDeaths >= MAX_QUICK_DEATHS) this.respawnOnDemand = this.options.restore !== undefined;
    if (!restarts) return;
    // A child that dies at once (a broken install, a slide that kills it on reopening) is not respawned in a tight loop.
    this.respawn(this.quickDeaths === 0 ? 0 : Math.min(5000, 250 * 2 ** (this.quickDeaths - 1)));
  }

  /**
   * Starts a child now: a pending restart's, restored as it would have been, without waiting out its
   * pause (a window connecting between a crash and the restart), or a new one.
   */
  startNow(): void {
    if (this.pendingRespawn) this.pendingRespawn.fire();
    else this.start();
  }

  /** Starts a new child after `pause` ms and restores it; calls made meanwhile wait for that. */
  private respawn(pause: number): void {
    // A restart still waiting out its pause is this one now: one child started, its slides restored once.
    if (this.pendingRespawn) clearTimeout(this.pendingRespawn.timer);
    this.endRestore?.();
    const restored = new Promise<void>((resolve) => {
      this.endRestore = resolve;
      const fire = () => {
        if (this.pendingRespawn) clearTimeout(this.pendingRespawn.timer);
        this.pendingRespawn = null;
        if (this.disposed) return resolve();
        const next = this.ensure();
        const client = next.client as RpcClient<P>;
        const restore = this.options.restore?.((op, request, options) => client.call(op, request, options)) ?? Promise.resolve();
        void restore.catch(() => undefined).then(() => resolve());
      };
      this.pendingRespawn = { timer: setTimeout(fire, pause), fire };
    });
    const restoring: Promise<void> = restored.then(() => {
      if (this.restoring === restoring) this.restoring = null;
    });
    this.restoring = restoring;
  }
}
