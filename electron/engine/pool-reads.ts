// Slide files' calls into libuv's thread pool, watched across the engine process's threads. A file on
// a share that stops answering holds a pool thread for as long as it hangs, and the process has four,
// which every thread's reads and libvips's work share: the engine process ends itself past
// STUCK_READ_MS (engine-process.ts) and is restarted, which frees them.

/** A call into the pool not back after this long is a file system that stopped answering: a read of a few MB takes seconds at worst. */
export const STUCK_READ_MS = 60_000;

/** This thread's slot in the process's table, once given (watchPoolReadsIn). */
let table: BigInt64Array | null = null;
let slot = 0;
/** This thread's calls in the pool: when each started (ms since the epoch). */
const pending = new Map<number, number>();
let nextCall = 0;

/** A table with a slot per thread of the process: each holds when its thread's oldest call in the pool started (ms since the epoch), 0 when none. */
export function poolReadTable(threads: number): SharedArrayBuffer {
  return new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT * threads);
}

/** This thread writes its oldest call in the pool to slot `index` of `shared` from now on. */
export function watchPoolReadsIn(shared: SharedArrayBuffer, index: number): void {
  table = new BigInt64Array(shared);
  slot = index;
  publish();
}

function publish(): void {
  if (!table) return;
  let oldest = 0;
  for (const started of pending.values()) if (oldest === 0 || started < oldest) oldest = started;
  Atomics.store(table, slot, BigInt(oldest));
}

/** `call` (a call into the pool: a read, an open, a stat, a close), watched until it settles. */
export async function poolCall<T>(call: Promise<T>): Promise<T> {
  const id = nextCall++;
  const wasIdle = pending.size === 0;
  pending.set(id, Date.now());
  // Only a change of the oldest is written: a screen of tiles on a slow share queues dozens at once.
  if (wasIdle) publish();
  try {
    return await call;
  } finally {
    const oldest = pending.keys().next().value === id;
    pending.delete(id);
    if (oldest) publish();
  }
}

/** How long the process's oldest call in the pool has waited, in ms, or 0 when none waits. */
export function oldestPoolReadMs(shared: SharedArrayBuffer, now = Date.now()): number {
  const slots = new BigInt64Array(shared);
  let oldest = 0;
  for (let i = 0; i < slots.length; i++) {
    const started = Number(Atomics.load(slots, i));
    if (started !== 0 && (oldest === 0 || started < oldest)) oldest = started;
  }
  return oldest === 0 ? 0 : now - oldest;
}
