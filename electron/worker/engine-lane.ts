// One slide engine in a worker thread (EngineHost runs a few, one per core). A worker that crashes or
// stops answering is replaced; the slides it had open are reopened under the same ids, and the
// requests it was serving fail with WORKER_FAILED (the viewer simply asks again).

import { Worker } from 'node:worker_threads';
import type { ErrorInfo } from '../../shared/errors';
import type { SlideInfo } from '../../shared/slide';
import type { OpenOptions } from '../engine/engine-api';
import { SlideError } from '../engine/errors';
import { askToExit } from '../engine/thread-exit';
import type { EngineMethod, HostMessage, LaneData, WorkerMessage } from './protocol';

export interface EngineLaneOptions {
  /** The built worker script (dist/electron/engine-worker.mjs), or the .ts source under tsx. */
  workerPath: string;
  /** A worker that answers no ping for this long, while busy, is replaced. */
  stallTimeoutMs?: number;
  /** Called when a worker was replaced, with what happened. */
  onRestart?: (error: ErrorInfo) => void;
  /** Which lane this is, of how many. */
  lane: LaneData;
}

/**
 * A small young generation makes V8 collect the worker's short-lived pixel buffers (sharp's
 * outputs, tens of KB each) sooner, which keeps resident memory flat under a stream of tiles.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: SlideError) => void;
  method: EngineMethod;
}

interface HostSlide {
  path: string;
  options: OpenOptions;
  workerId: string;
}

export class EngineLane {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly slides = new Map<string, HostSlide>();
  private lastPong = Date.now();
  private peakRss = 0;
  private markReady: () => void = () => undefined;
  /** Settles when a worker of this lane has warmed up (modules loaded, JPEG 2000 threads started). */
  readonly ready = new Promise<void>((resolve) => {
    this.markReady = resolve;
  });
  private watchdog: NodeJS.Timeout | undefined;
  private disposed = false;
  private openJpeg: WebAssembly.Module | undefined;
  private awaitingReady = false;
  private reopening: Promise<void> | undefined;
  restarts = 0;

  constructor(private readonly options: EngineLaneOptions) {}

  /** Peak resident memory the worker reported (whole process, as the OS counts it). */
  get workerPeakRssBytes(): number {
    return this.peakRss;
  }

  /**
   * Loads the worker now, so the first slide opened does not wait for it (the app starts it at
   * launch), with the process's compiled OpenJPEG for it and its successors to share.
   */
  start(openJpeg?: WebAssembly.Module): void {
    if (this.disposed) return;
    this.openJpeg = openJpeg;
    // Held until ready (see updateRef; idle workers are unref'd).
    this.awaitingReady = true;
    this.ensureWorker().ref();
    void this.ready.then(() => {
      this.awaitingReady = false;
      this.updateRef();
    });
  }

  private ensureWorker(): Worker {
    if (this.disposed) throw new SlideError('WORKER_FAILED', 'The slide engine has been shut down.');
    if (this.worker) return this.worker;
    // The TypeScript source (tests, benchmarks) runs through tsx; the app runs the built bundle.
    const fromSource = this.options.workerPath.endsWith('.ts');
    const lane: LaneData = { ...this.options.lane, openJpeg: this.openJpeg };
    const worker = fromSource
      ? new Worker(new URL('./source-bootstrap.mjs', import.meta.url), { workerData: { sourceEntry: this.options.workerPath, ...lane } })
      : // geotiff pulls in the web-worker package, which reads workerData.mod in any worker thread.
        new Worker(this.options.workerPath, { workerData: { ...lane }, resourceLimits: WORKER_LIMITS });
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', (error) => this.replace(worker, `The slide engine crashed (${error.message}).`));
    worker.on('exit', (code) => this.replace(worker, `The slide engine stopped (exit code ${code}).`));
    // An idle worker must not keep a CLI or test process alive; a busy one must (see updateRef).
    worker.unref();
    this.worker = worker;
    this.lastPong = Date.now();
    this.startWatchdog();
    return worker;
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    const timeout = this.options.stallTimeoutMs ?? 15_000;
    this.watchdog = setInterval(
      () => {
        const worker = this.worker;
        if (!worker) return;
        if (this.pending.size > 0 && Date.now() - this.lastPong > timeout) {
          this.replace(worker, `The slide engine stopped answering for ${Math.round(timeout / 1000)} s.`);
          return;
        }
        worker.postMessage({ type: 'ping', id: 0 } satisfies HostMessage);
      },
      Math.max(50, Math.min(1000, timeout / 4)),
    );
    this.watchdog.unref();
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'pong' || message.type === 'ready') {
      this.lastPong = Date.now();
      this.peakRss = Math.max(this.peakRss, message.rssBytes);
      if (message.type === 'ready') this.markReady();
      return;
    }
    this.lastPong = Date.now();
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    this.updateRef();
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new SlideError(message.error.code, message.error.message, message.error.path));
  }

  /** Requests in flight: the host sends work that any lane can do to the least busy. */
  get load(): number {
    return this.pending.size;
  }

  /** Replaces the worker now (a user's "restart engine", and the tests). */
  restart(reason = 'The slide engine was restarted.'): void {
    if (this.worker) this.replace(this.worker, reason, true);
  }

  /** Ends a worker: asked to exit if it still answers (see thread-exit); one stuck, or dead, is terminated. */
  private stop(worker: Worker, responsive: boolean): Promise<void> {
    return responsive ? askToExit(worker, { type: 'exit' } satisfies HostMessage) : worker.terminate().then(() => undefined);
  }

  private replace(worker: Worker, reason: string, responsive = false): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    void this.stop(worker, responsive);
    if (this.disposed) return;
    this.restarts++;
    const error = new SlideError('WORKER_FAILED', `${reason} It was restarted; please try again.`);
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(error);
    }
    this.options.onRestart?.(error.toInfo());
    // Reopen the slides in a fresh worker so their ids stay valid.
    const slides = [...this.slides.entries()];
    if (slides.length > 0) {
      this.reopening = (async () => {
        for (const [hostId, slide] of slides) {
          try {
            const opened = await this.send<{ slideId: string }>('open', [slide.path, slide.options]);
            slide.workerId = opened.slideId;
          } catch {
            this.slides.delete(hostId);
          }
        }
      })().finally(() => {
        this.reopening = undefined;
      });
    }
  }

  private updateRef(): void {
    // A started worker is also held until it is ready, so that awaiting `ready` keeps a process alive.
    if (this.pending.size > 0 || this.awaitingReady) this.worker?.ref();
    else this.worker?.unref();
  }

  send<T>(method: EngineMethod, args: unknown[], signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new SlideError('CANCELLED', 'The request was cancelled.'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.updateRef();
      worker.postMessage({ type: 'call', id, method, args } satisfies HostMessage);
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.has(id)) return;
          this.worker?.postMessage({ type: 'cancel', id } satisfies HostMessage);
        },
        { once: true },
      );
    });
  }

  /** A call about a slide, by the host's id for it. */
  async call<T>(method: EngineMethod, slideId: string, rest: unknown[], signal?: AbortSignal): Promise<T> {
    if (this.reopening) await this.reopening;
    const slide = this.slides.get(slideId);
    if (!slide) throw new SlideError('NOT_OPEN', 'This slide is not open.');
    return this.send<T>(method, [slide.workerId, ...rest], signal);
  }

  /** Opens a slide in this lane's worker under the host's id for it. */
  async open(slideId: string, path: string, options: OpenOptions): Promise<SlideInfo> {
    if (this.reopening) await this.reopening;
    const opened = await this.send<{ slideId: string; info: SlideInfo }>('open', [path, options]);
    this.slides.set(slideId, { path, options, workerId: opened.slideId });
    return opened.info;
  }

  async close(slideId: string): Promise<void> {
    const slide = this.slides.get(slideId);
    if (!slide) return;
    this.slides.delete(slideId);
    await this.send<void>('close', [slide.workerId]).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    const worker = this.worker;
    this.worker = undefined;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new SlideError('CANCELLED', 'The slide engine is shutting down.'));
    }
    if (worker) await this.stop(worker, true);
  }
}
