// Walks a TIFF's IFD chain before geotiff parses it: geotiff follows next-IFD offsets blindly, so a
// chain that loops (libtiff_test_ifd_loop_to_self.tif) or points past the end must be caught here.
// It also allocates an array of each entry's declared count before reading its values: an entry
// whose values could not fit in the file (a count of 10^9 in a 2 KB file) is caught here too.

import { SlideError } from '../errors';
import type { FileHandleSource } from './file-handle-source';

export interface IfdChain {
  littleEndian: boolean;
  bigTiff: boolean;
  /** File offsets of the IFDs, in chain order. */
  offsets: number[];
}

/** Far more IFDs than any slide has (Aperio: ~6, generic pyramids: ~20). */
const MAX_IFDS = 512;
const MAX_ENTRIES = 4096;

/** Bytes of one value of each TIFF field type (TIFF 6 and BigTIFF); geotiff refuses the others itself. */
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

/** geotiff's first read of an IFD: reading the same chunk here lets it parse from memory. */
const IFD_CHUNK = { classic: 1024, big: 4048 };

async function readAt(source: FileHandleSource, offset: number, length: number): Promise<Buffer> {
  const chunk = await source.readChunk(offset, length);
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}

export async function readIfdChain(source: FileHandleSource, fileSize: number, path: string): Promise<IfdChain> {
  const header = await readAt(source, 0, 1024);
  const order = header.subarray(0, 2).toString('latin1');
  if (header.length < 8 || (order !== 'II' && order !== 'MM')) {
    throw new SlideError('NOT_A_SLIDE', 'This file is not a TIFF or SVS slide.', path);
  }
  const le = order === 'II';
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const magic = u16(header, 2);
  if (magic !== 42 && magic !== 43) {
    throw new SlideError('NOT_A_SLIDE', 'This file is not a TIFF or SVS slide.', path);
  }
  const bigTiff = magic === 43;
  if (bigTiff && header.length < 16) throw new SlideError('CORRUPT_DATA', 'The file is truncated inside its header.', path);
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  const pointerSize = bigTiff ? 8 : 4;

  const offsets: number[] = [];
  const seen = new Set<number>();
  let next = bigTiff ? u64(header, 8) : u32(header, 4);
  while (next !== 0) {
    if (seen.has(next)) break; // a loop: keep the IFDs read so far, as libtiff does
    if (offsets.length >= MAX_IFDS) throw new SlideError('CORRUPT_DATA', `The file has more than ${MAX_IFDS} image directories.`, path);
    if (next < 8 || next + countSize > fileSize) {
      if (offsets.length > 0) break; // a dangling pointer after good IFDs: use what is there
      throw new SlideError('CORRUPT_DATA', 'The file is truncated: its first image directory is missing.', path);
    }
    const chunk = await readAt(source, next, bigTiff ? IFD_CHUNK.big : IFD_CHUNK.classic);
    const countBytes = chunk.subarray(0, countSize);
    if (countBytes.length < countSize) throw new SlideError('CORRUPT_DATA', 'The file is truncated inside an image directory.', path);
    const count = bigTiff ? u64(countBytes, 0) : u16(countBytes, 0);
    const end = next + countSize + count * entrySize + pointerSize;
    if (count === 0 || count > MAX_ENTRIES || end > fileSize) {
      if (offsets.length > 0) break;
      throw new SlideError('CORRUPT_DATA', 'The file is truncated or damaged inside its first image directory.', path);
    }
    const ifd = end - next <= chunk.length ? chunk : await readAt(source, next, end - next);
    if (ifd.length < end - next) throw new SlideError('CORRUPT_DATA', 'The file is truncated inside an image directory.', path);
    // Each entry's values must fit in the file: geotiff allocates count x size before reading them.
    let tooLarge: number | null = null;
    for (let i = 0, at = countSize; i < count; i++, at += entrySize) {
      const size = TYPE_SIZES[u16(ifd, at + 2)];
      const values = bigTiff ? u64(ifd, at + 4) : u32(ifd, at + 4);
      if (size !== undefined && values * size > fileSize) {
        tooLarge = u16(ifd, at);
        break;
      }
    }
    if (tooLarge !== null) {
      if (offsets.length > 0) break; // as a dangling pointer: the IFDs before it stand
      throw new SlideError('CORRUPT_DATA', `The first image directory declares more values for tag ${tooLarge} than the file holds.`, path);
    }
    seen.add(next);
    offsets.push(next);
    const pointer = ifd.subarray(end - pointerSize - next, end - next);
    next = bigTiff ? u64(pointer, 0) : u32(pointer, 0);
  }
  if (offsets.length === 0) throw new SlideError('CORRUPT_DATA', 'The file has no image directory.', path);
  return { littleEndian: le, bigTiff, offsets };
}
