// geotiff reads through this source: the slide's one file handle, and the chunks the IFD-chain walk
// already read (geotiff parses each IFD from a 1 KB chunk at its offset, the walk reads the same).

import type { FileHandle } from 'node:fs/promises';

type Slice = { offset: number; length: number };

/** Implements geotiff's BaseSource (not exported by the package) structurally. */
export class FileHandleSource {
  private readonly chunks = new Map<number, Uint8Array>();

  constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
  ) {}

  get fileSize(): number {
    return this.size;
  }

  /** Reads [offset, offset + length) clipped to the file, remembering it for geotiff. */
  async readChunk(offset: number, length: number): Promise<Uint8Array> {
    const cached = this.chunks.get(offset);
    if (cached && cached.length >= Math.min(length, this.size - offset)) return cached.subarray(0, length);
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const buffer = Buffer.alloc(wanted);
    const { bytesRead } = wanted > 0 ? await this.fh.read(buffer, 0, wanted, offset) : { bytesRead: 0 };
    const chunk = new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
    this.chunks.set(offset, chunk);
    return chunk;
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

  async close(): Promise<void> {
    this.chunks.clear();
  }
}
