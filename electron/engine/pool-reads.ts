// Slide files' calls into libuv's thread pool, watched across the engine process's threads. A file on
// a share that stops answering holds a pool thread for as long as it hangs, and the process has four,
// which every thread's reads, sharp's jobs and fs.promises share: past STUCK_READ_MS with none of them
// back, the engine process ends itself (engine-process.ts) and is restarted, which frees them.
// A lane's own blocking calls (its opens and reads in its thread) are watched too: one that hangs holds
// the lane, whose replacement cannot end that thread either, so past STUCK_READ_MS the process ends.

/**
 * A call into the pool not back after this long, while no other came back either, is a file system
 * that stopped answering; so is a blocking call out this long, whatever else came back.
 */
export const STUCK_READ_MS = 60_000;
/** Reads through the pool go in pieces of at most this: each a few seconds even at 1 MB/s. */
export const POOL_READ_PIECE_BYTES = 4 * 1024 * 1024;

/**
 * The process's table: slot 0 counts the calls that came back (any thread); then one slot per thread
 * holding when its oldest call in the pool started (ms of the monotonic clock, which every thread of
 * the process shares and a laptop's sleep or a clock change does not move), 0 when none; then one
 * slot per thread holding when its blocking call in progress started.
 */
export function poolReadTable(threads: number): SharedArrayBuffer {
  return new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT * (1 + 2 * threads));
}

/** How many threads a table has slots for. */
export function poolReadSlots(shared: SharedArrayBuffer): number {
  return (shared.byteLength / BigInt64Array.BYTES_PER_ELEMENT - 1) / 2;
}

const nowMs = () => process.hrtime.bigint() / 1_000_000n;

/** This thread's table and slot, once given (watchPoolReadsIn). */
let table: BigInt64Array | null = null;
let slot = 0;
let blockingSlot = 0;
/** This thread's calls in the pool: when each started, oldest first (ids rise with time). */
const pending = new Map<number, bigint>();
let nextCall = 0;

/** This thread writes its calls in the pool to `index` (from 0) of `shared` from now on. */
export function watchPoolReadsIn(shared: SharedArrayBuffer, index: number): void {
  table = new BigInt64Array(shared);
  slot = index + 1;
  blockingSlot = 1 + poolReadSlots(shared) + index;
  publish();
}

/** `call`, a blocking call on a slide's file in this thread (a read, an open, a stat), watched while it runs. */
export function blockingCall<T>(call: () => T): T {
  if (!table) return call();
  // Within another blocking call, the outer one's start stays: it is the older.
  const outer = Atomics.load(table, blockingSlot);
  if (outer === 0n) Atomics.store(table, blockingSlot, nowMs());
  try {
    return call();
  } finally {
    Atomics.store(table, blockingSlot, outer);
  }
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
  const slots = new BigInt64Array(shared);
  Atomics.store(slots, index + 1, 0n);
  Atomics.store(slots, 1 + poolReadSlots(shared) + index, 0n);
}

/**
 * Watches a table from the main thread: each look says how long a call has been out, where one has
 * been over `limitMs` while no call of any thread came back for as long (a busy but slow share still
 * answers some), or where a blocking call has (no thread's other calls tell anything of it).
 */
export function stuckPoolReads(shared: SharedArrayBuffer, limitMs = STUCK_READ_MS, clock: () => bigint = nowMs): () => number | null {
  const slots = new BigInt64Array(shared);
  const threads = poolReadSlots(shared);
  let answered = Atomics.load(slots, 0);
  let lastAnswer = clock();
  const oldestIn = (from: number) => {
    let oldest = 0n;
    for (let i = from; i < from + threads; i++) {
      const started = Atomics.load(slots, i);
      if (started !== 0n && (oldest === 0n || started < oldest)) oldest = started;
    }
    return oldest;
  };
  return () => {
    const now = clock();
    const count = Atomics.load(slots, 0);
    if (count !== answered) {
      answered = count;
      lastAnswer = now;
    }
    const blocking = oldestIn(1 + threads);
    if (blocking !== 0n && Number(now - blocking) > limitMs) return Number(now - blocking);
    const oldest = oldestIn(1);
    if (oldest === 0n) return null;
    const waited = Number(now - oldest);
    return waited > limitMs && Number(now - lastAnswer) > limitMs ? waited : null;
  };
}
