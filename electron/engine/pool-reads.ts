// Slide files' calls into libuv's thread pool, watched across the engine process's threads. A file on
// a share that stops answering holds a pool thread for as long as it hangs, and the process has four,
// which every thread's reads, sharp's jobs and fs.promises share: past STUCK_READ_MS with none of them
// back, the engine process ends itself (engine-process.ts) and is restarted, which frees them.

/** A call into the pool not back after this long, while no other came back either, is a file system that stopped answering. */
export const STUCK_READ_MS = 60_000;
/** Reads through the pool go in pieces of at most this: each a few seconds even at 1 MB/s. */
export const POOL_READ_PIECE_BYTES = 4 * 1024 * 1024;

/**
 * The process's table: slot 0 counts the calls that came back (any thread); each other slot, a
 * thread's, holds when its oldest call in the pool started (ms of the monotonic clock, which every
 * thread of the process shares and a laptop's sleep or a clock change does not move), 0 when none.
 */
export function poolReadTable(threads: number): SharedArrayBuffer {
  return new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT * (threads + 1));
}

/** How many threads a table has slots for. */
export function poolReadSlots(shared: SharedArrayBuffer): number {
  return shared.byteLength / BigInt64Array.BYTES_PER_ELEMENT - 1;
}

const nowMs = () => process.hrtime.bigint() / 1_000_000n;

/** This thread's table and slot, once given (watchPoolReadsIn). */
let table: BigInt64Array | null = null;
let slot = 0;
/** This thread's calls in the pool: when each started, oldest first (ids rise with time). */
const pending = new Map<number, bigint>();
let nextCall = 0;

/** This thread writes its calls in the pool to `index` (from 0) of `shared` from now on. */
export function watchPoolReadsIn(shared: SharedArrayBuffer, index: number): void {
  table = new BigInt64Array(shared);
  slot = index + 1;
  publish();
}

function publish(): void {
  if (table) Atomics.store(table, slot, pending.values().next().value ?? 0n);
}

/** `call` (a call into the pool: a read, an open, a stat, a close), watched until it settles. */
export async function poolCall<T>(call: Promise<T>): Promise<T> {
  const id = nextCall++;
  pending.set(id, nowMs());
  // Only a change of the oldest is written: a screen of tiles on a slow share queues dozens at once.
  if (pending.size === 1) publish();
  try {
    return await call;
  } finally {
    const wasOldest = pending.keys().next().value === id;
    pending.delete(id);
    if (wasOldest) publish();
    if (table) Atomics.add(table, 0, 1n);
  }
}

/** A thread's slot emptied, when that thread has ended (a lane replaced): its calls ended with it. */
export function clearPoolReadSlot(shared: SharedArrayBuffer, index: number): void {
  Atomics.store(new BigInt64Array(shared), index + 1, 0n);
}

/**
 * Watches a table from the main thread: each look says whether a call has been out over `limitMs`
 * while no call of any thread came back for as long (a busy but slow share still answers some).
 */
export function stuckPoolReads(shared: SharedArrayBuffer, limitMs = STUCK_READ_MS, clock: () => bigint = nowMs): () => number | null {
  const slots = new BigInt64Array(shared);
  let answered = Atomics.load(slots, 0);
  let lastAnswer = clock();
  return () => {
    const now = clock();
    const count = Atomics.load(slots, 0);
    if (count !== answered) {
      answered = count;
      lastAnswer = now;
    }
    let oldest = 0n;
    for (let i = 1; i < slots.length; i++) {
      const started = Atomics.load(slots, i);
      if (started !== 0n && (oldest === 0n || started < oldest)) oldest = started;
    }
    if (oldest === 0n) return null;
    const waited = Number(now - oldest);
    return waited > limitMs && Number(now - lastAnswer) > limitMs ? waited : null;
  };
}
