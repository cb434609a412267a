// Which of a gallery's previews to ask main for, and when: the cards in view, in the order they came
// into view, `atOnce` at a time, none while the gallery is hidden. A failed preview is asked again
// when the person asks (the card's Try again); a card's first ask that fails for a reason that says
// nothing of the file (the engine restarted, a read of a share failed) is asked once more by itself.

import type { ErrorCode, ErrorInfo, Result } from '../../shared/errors';

export type PreviewState<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'failed'; error: ErrorInfo };

/**
 * Failures asked again once by themselves, after `retryDelayMs`: the engine was restarted (its calls
 * in flight answer WORKER_FAILED or CANCELLED) or the system failed a read. Not TIMED_OUT (the same
 * slide would hold one of the few turns for another whole deadline) nor NOT_FOUND (usually the file
 * is gone): for those, and for a second failure in a row, the card says why and offers Try again.
 */
export const RETRIED_BY_ITSELF: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['WORKER_FAILED', 'CANCELLED', 'IO_ERROR']);

/** Long enough for the engine to come back after a crash (it restarts at once) or a share to answer again. */
export const RETRY_DELAY_MS = 1000;

export interface PreviewQueueOptions<T> {
  atOnce: number;
  load: (path: string) => Promise<Result<T>>;
  /** Told of each card's new state (not called once disposed). */
  onState: (path: string, state: PreviewState<T>) => void;
  retryDelayMs?: number;
  /** Timers (tests pass their own clock). */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export class PreviewQueue<T> {
  /** Cards in view not asked for yet, in the order they came into view. */
  private wanted: string[] = [];
  /** Failed previews to ask again, before any card in view: they were in view when first asked. */
  private readonly again: string[] = [];
  /** Asked (or answered): not wanted again by coming into view. */
  private readonly asked = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly timers = new Set<unknown>();
  private running = 0;
  private paused = false;
  private disposed = false;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: PreviewQueueOptions<T>) {
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** A card came into view (or near it). */
  want(path: string): void {
    if (this.asked.has(path) || this.wanted.includes(path)) return;
    this.wanted.push(path);
    this.pump();
  }

  /** A card left the view before its turn: not asked for. */
  unwant(path: string): void {
    const at = this.wanted.indexOf(path);
    if (at >= 0) this.wanted.splice(at, 1);
  }

  /** The gallery is hidden: nothing more asked (those under way finish) until it is shown and its cards come into view again. */
  pause(): void {
    this.paused = true;
    this.wanted = [];
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** The person's Try again on a failed card: asked next, once. */
  retry(path: string): void {
    if (!this.failed.has(path)) return;
    this.failed.delete(path);
    this.askAgain(path);
  }

  /** The gallery is gone: no more asks, timers or states. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) this.clearTimer(timer);
    this.timers.clear();
  }

  private askAgain(path: string): void {
    this.again.push(path);
    this.options.onState(path, { status: 'loading' });
    this.pump();
  }

  private pump(): void {
    while (!this.disposed && !this.paused && this.running < this.options.atOnce) {
      const retried = this.again.shift();
      const path = retried ?? this.wanted.shift();
      if (path === undefined) return;
      if (retried === undefined && this.asked.has(path)) continue;
      this.asked.add(path);
      this.ask(path, retried === undefined);
    }
  }

  private ask(path: string, first: boolean): void {
    this.running++;
    if (first) this.options.onState(path, { status: 'loading' });
    void this.options
      .load(path)
      .catch((error: unknown): Result<T> => ({ ok: false, error: { code: 'INTERNAL', message: String(error), path } }))
      .then((result) => {
        if (this.disposed) return;
        if (result.ok) {
          this.options.onState(path, { status: 'ready', value: result.value });
        } else if (first && RETRIED_BY_ITSELF.has(result.error.code)) {
          // The card keeps its spinner: to the person this is one slow preview.
          const timer = this.setTimer(() => {
            this.timers.delete(timer);
            if (!this.disposed) this.askAgain(path);
          }, this.options.retryDelayMs ?? RETRY_DELAY_MS);
          this.timers.add(timer);
        } else {
          this.failed.add(path);
          this.options.onState(path, { status: 'failed', error: result.error });
        }
      })
      .finally(() => {
        this.running--;
        this.pump();
      });
  }
}
