// Bounds on how much work runs at once: a region reads its tiles a few at a time rather than all
// together (a huge region would otherwise start thousands of reads and hold their buffers), and a
// lane decodes at most so many stored tiles at once, whatever the requests.

import { cancelledError, throwIfAborted } from './errors';

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /**
   * Runs `work` once a slot is free. A wait that `signal` aborts ends there (CANCELLED) and the work
   * never starts: a pan's tiles given up on must not decode ahead of the next view's.
   */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    throwIfAborted(signal);
    if (this.active >= this.limit) await this.turn(signal);
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const next = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(next);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(cancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(next);
    });
  }
}

/**
 * Runs `work` over `items`, at most `limit` at once. The first failure stops the rest from starting,
 * and is thrown once the items already started have ended: nothing of this call still runs when it
 * returns (a region's tiles write into a buffer its caller may lend to another request next).
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
