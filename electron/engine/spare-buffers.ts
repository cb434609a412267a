// Byte buffers reused by size within a thread, for the tile hot path: a 240 px tile's pixels are
// 170 KB, and one allocated per tile and alive across its file reads survives into V8's old
// generation, where a stream of them sets off a full collection every hundred tiles or so
// (docs/performance.md, "Reused pixel buffers").

/** What the spares of one thread may hold in all; the sizes used least recently go first. */
const MAX_SPARE_BYTES = 8 * 1024 * 1024;
/** Spares kept of one size: as many as a lane's tiles run at once. */
const MAX_SPARE_PER_SIZE = 8;

/** Spares by size, the most recently used size last. */
const spares = new Map<number, Buffer[]>();
let spareBytes = 0;

function take(size: number): Buffer {
  const list = spares.get(size);
  const buffer = list?.pop();
  if (!list || !buffer) return Buffer.allocUnsafeSlow(size);
  spareBytes -= size;
  spares.delete(size);
  if (list.length > 0) spares.set(size, list);
  return buffer;
}

function give(buffer: Buffer): void {
  const size = buffer.byteLength;
  const list = spares.get(size) ?? [];
  if (list.length >= MAX_SPARE_PER_SIZE) return;
  // Room is made one buffer at a time from the sizes used least recently, never from this size.
  for (const [other, kept] of spares) {
    if (spareBytes + size <= MAX_SPARE_BYTES) break;
    if (other === size) continue;
    kept.pop();
    spareBytes -= other;
    if (kept.length === 0) spares.delete(other);
  }
  if (spareBytes + size > MAX_SPARE_BYTES) return;
  spares.delete(size);
  list.push(buffer);
  spares.set(size, list);
  spareBytes += size;
}

/** A buffer of `size` bytes, uninitialised, for the duration of `use`, which must not keep it. */
export function withSpareBuffer<T>(size: number, use: (buffer: Buffer) => T): T {
  const buffer = take(size);
  try {
    return use(buffer);
  } finally {
    give(buffer);
  }
}

/** withSpareBuffer for work that waits: the buffer is out of the spares until the promise settles. */
export async function withSpareBufferAsync<T>(size: number, use: (buffer: Buffer) => Promise<T>): Promise<T> {
  const buffer = take(size);
  try {
    return await use(buffer);
  } finally {
    give(buffer);
  }
}

/** Bytes the spares hold now: for the tests. */
export function spareBufferBytes(): number {
  return spareBytes;
}
