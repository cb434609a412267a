// geotiff reads a slide's structure through this source: the slide's one file descriptor, read in
// blocks that are kept for a while (64 KB; 16 KB for a folder's DICOM files, whose headers are
// short). Opening walks a chain of IFDs and their tag arrays, often all near one another (at the end
// of the file for many writers): a dozen small reads become two or three (opening a 40000 x 30000
// Aperio slide: 13 reads -> 3), made in this thread (SlideFile).

import { readSync } from 'node:fs';
import { SlideError } from '../errors';
import { blockingCall, POOL_READ_PIECE_BYTES } from '../pool-reads';

type Slice = { offset: number; length: number };

/**
 * Fills `buffer` from `offset` of the file, or up to its end; the bytes read. In pieces, each watched
 * (pool-reads.ts): a large read from a slow share still returns every few seconds.
 */
export function readFullySync(fd: number, buffer: Uint8Array, offset: number): number {
  let done = 0;
  while (done < buffer.length) {
    const n = blockingCall(() => readSync(fd, buffer, done, Math.min(POOL_READ_PIECE_BYTES, buffer.length - done), offset + done));
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Block size by default: a TIFF's IFDs and tag arrays. */
const STRUCTURE_BLOCK_BYTES = 64 * 1024;
/** Blocks kept (2 MB of 64 KB blocks): the structure of any slide, never its tiles (those are read elsewhere). */
const MAX_BLOCKS = 32;

/** Implements geotiff's BaseSource (not exported by the package) structurally. */
export class StructureSource {
  private readonly blocks = new Map<number, Uint8Array>();
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly size: number,
    /** Smaller for files whose structure is a short header (a DICOM file's): every block read is a new buffer. */
    private readonly blockBytes = STRUCTURE_BLOCK_BYTES,
  ) {}

  get fileSize(): number {
    return this.size;
  }

  /** Reads [offset, offset + length) clipped to the file. */
  async readChunk(offset: number, length: number): Promise<Uint8Array> {
    // The descriptor's number may be another file's once the slide has closed it.
    if (this.closed) throw new SlideError('NOT_OPEN', 'The slide was closed.');
    const end = Math.min(this.size, offset + Math.max(0, length));
    if (end <= offset) return new Uint8Array(0);
    const first = Math.floor(offset / this.blockBytes);
    const last = Math.floor((end - 1) / this.blockBytes);
    // More than the cache holds (a Philips XML description with its label and macro): read past it.
    if (last - first >= MAX_BLOCKS) return this.readPast(offset, end - offset);
    this.load(first, last);
    if (first === last) {
      const start = offset - first * this.blockBytes;
      return this.blocks.get(first)!.subarray(start, start + (end - offset));
    }
    const out = new Uint8Array(end - offset);
    for (let b = first; b <= last; b++) {
      const block = this.blocks.get(b)!;
      const from = Math.max(offset, b * this.blockBytes);
      const to = Math.min(end, (b + 1) * this.blockBytes);
      out.set(block.subarray(from - b * this.blockBytes, to - b * this.blockBytes), from - offset);
    }
    return out;
  }

  /** A few bytes, from the blocks held or read alone (not kept): a peek that should not cost a block. */
  peek(offset: number, length: number): Uint8Array {
    if (this.closed) throw new SlideError('NOT_OPEN', 'The slide was closed.');
    const block = this.blocks.get(Math.floor(offset / this.blockBytes));
    const start = offset % this.blockBytes;
    if (block && start + length <= block.length) return block.subarray(start, start + length);
    return this.readPast(offset, Math.max(0, Math.min(length, this.size - offset)));
  }

  private readPast(offset: number, length: number): Uint8Array {
    const buffer = Buffer.allocUnsafe(length);
    return buffer.subarray(0, readFullySync(this.fd, buffer, offset));
  }

  /** Reads the missing blocks of [first, last] in one read, and keeps them (the oldest go). */
  private load(first: number, last: number): void {
    let from = first;
    while (from <= last && this.blocks.has(from)) from++;
    let to = last;
    while (to >= from && this.blocks.has(to)) to--;
    if (from <= to) {
      const start = from * this.blockBytes;
      const length = Math.min(this.size, (to + 1) * this.blockBytes) - start;
      const buffer = Buffer.allocUnsafe(length);
      const bytesRead = readFullySync(this.fd, buffer, start);
      for (let b = from; b <= to; b++) {
        const at = (b - from) * this.blockBytes;
        this.blocks.set(b, new Uint8Array(buffer.buffer, buffer.byteOffset + at, Math.max(0, Math.min(this.blockBytes, bytesRead - at))));
      }
    }
    for (let b = first; b <= last; b++) {
      // Most recently used last.
      const block = this.blocks.get(b);
      if (!block) continue;
      this.blocks.delete(b);
      this.blocks.set(b, block);
    }
    while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
  }

  async fetch(slices: Slice[]): Promise<ArrayBufferLike[]> {
    return Promise.all(
      slices.map(async ({ offset, length }) => {
        const chunk = await this.readChunk(offset, length);
        // geotiff wants an ArrayBuffer of its own; copying a KB is cheaper than a read.
        return chunk.slice().buffer;
      }),
    );
  }

  async fetchSlice(slice: Slice): Promise<Slice & { data: ArrayBufferLike }> {
    const [data] = await this.fetch([slice]);
    return { ...slice, data: data! };
  }

  close(): void {
    this.closed = true;
    this.blocks.clear();
  }
}
