// A least-recently-used cache capped in bytes, that also shares one in-flight computation among
// concurrent callers (ten viewers asking for the same tile decode it once).

import { setMaxListeners } from 'node:events';
import { cancelledError } from './errors';

export class ByteLruCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  /** Computations running; `keep` false once their key was dropped (its value no longer wanted). */
  private readonly pending = new Map<string, { promise: Promise<V>; controller: AbortController; waiters: number; keep: boolean }>();
  private total = 0;

  constructor(
    readonly capacityBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get bytes(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value);
    const old = this.entries.get(key);
    if (old) {
      this.total -= old.bytes;
      this.entries.delete(key);
    }
    if (bytes > this.capacityBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, entry] of this.entries) {
      if (this.total <= this.capacityBytes) break;
      this.entries.delete(k);
      this.total -= entry.bytes;
    }
  }

  /**
   * The cached value, or compute() once for all concurrent callers and cache its result. The
   * computation is cancelled only when every caller waiting for it has cancelled: one viewer
   * giving up on a tile must not fail another that wants the same tile (or shares its children).
   * With `store` false, callers share the computation while it runs but its value is not kept.
   */
  getOrCompute(key: string, compute: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal, store = true): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    if (signal?.aborted) return Promise.reject(cancelledError());
    let running = this.pending.get(key);
    if (!running) {
      const controller = new AbortController();
      // Every tile of a region listens to the one signal of the request that reads it.
      setMaxListeners(0, controller.signal);
      const promise = compute(controller.signal).then(
        (value) => {
          if (this.pending.get(key) === running) this.pending.delete(key);
          if (store && running?.keep) this.set(key, value);
          return value;
        },
        (error: unknown) => {
          if (this.pending.get(key) === running) this.pending.delete(key);
          throw error;
        },
      );
      running = { promise, controller, waiters: 0, keep: true };
      this.pending.set(key, running);
    }
    const job = running;
    job.waiters++;
    if (!signal) {
      // A caller that cannot cancel keeps the computation alive for good.
      job.waiters = Number.POSITIVE_INFINITY;
      return job.promise;
    }
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => {
        job.waiters--;
        if (job.waiters <= 0) {
          job.controller.abort();
          if (this.pending.get(key) === job) this.pending.delete(key);
        }
        reject(cancelledError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /**
   * Drops the entries whose keys start with `prefix` (a closed slide's, or one whose channels
   * changed); computations of such keys still running answer their callers but are not kept, nor
   * shared with a caller asking from now (it wants the key's new value).
   */
  dropPrefix(prefix: string): void {
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.entries.delete(key);
      this.total -= entry.bytes;
    }
    for (const [key, job] of this.pending) {
      if (!key.startsWith(prefix)) continue;
      job.keep = false;
      this.pending.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
