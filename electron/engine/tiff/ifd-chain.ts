// Walks a TIFF's IFD chain before geotiff parses it: geotiff follows next-IFD offsets blindly, so a
// chain that loops (libtiff_test_ifd_loop_to_self.tif) or points past the end must be caught here.
// It also allocates an array of each entry's declared count before reading its values: an entry
// whose values could not fit in the file (a count of 10^9 in a 2 KB file) is caught here too.

import { SlideError } from '../errors';
import { TIFF_TYPE_SIZES } from './field-types';
import type { StructureSource } from './structure-source';

export interface IfdChain extends IfdLayout {
  /** File offsets of the IFDs, in chain order. */
  offsets: number[];
}

/** Far more IFDs than any slide has (Aperio: ~6, generic pyramids: ~20). */
export const MAX_IFDS = 512;
const MAX_ENTRIES = 4096;

/** geotiff's first read of an IFD: reading the same chunk here lets it parse from memory. */
const IFD_CHUNK = { classic: 1024, big: 4048 };

async function readAt(source: StructureSource, offset: number, length: number): Promise<Buffer> {
  const chunk = await source.readChunk(offset, length);
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}

/** How a TIFF lays out its IFDs: byte order and classic or BigTIFF. */
export interface IfdLayout {
  littleEndian: boolean;
  bigTiff: boolean;
}

function reader(layout: IfdLayout) {
  const le = layout.littleEndian;
  return {
    u16: (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o)),
    u32: (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o)),
    u64: (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)),
    countSize: layout.bigTiff ? 8 : 2,
    entrySize: layout.bigTiff ? 20 : 12,
    pointerSize: layout.bigTiff ? 8 : 4,
  };
}

/** One IFD's bytes, when its entries lie within the file; a reason otherwise. */
async function readIfd(
  source: StructureSource,
  fileSize: number,
  layout: IfdLayout,
  offset: number,
): Promise<{ ifd: Buffer; count: number } | { problem: string }> {
  const { u16, u64, countSize, entrySize, pointerSize } = reader(layout);
  if (offset < 8 || offset + countSize > fileSize) return { problem: 'missing' };
  const chunk = await readAt(source, offset, layout.bigTiff ? IFD_CHUNK.big : IFD_CHUNK.classic);
  const countBytes = chunk.subarray(0, countSize);
  if (countBytes.length < countSize) return { problem: 'truncated' };
  const count = layout.bigTiff ? u64(countBytes, 0) : u16(countBytes, 0);
  const end = offset + countSize + count * entrySize + pointerSize;
  if (count === 0 || count > MAX_ENTRIES || end > fileSize) return { problem: 'damaged' };
  const ifd = end - offset <= chunk.length ? chunk.subarray(0, end - offset) : await readAt(source, offset, end - offset);
  if (ifd.length < end - offset) return { problem: 'truncated' };
  return { ifd, count };
}

const ASCII = 2;
/** A text tag's largest size: an XML description with its embedded label and macro (Philips) is a few MB. */
export const MAX_TEXT_BYTES = 32 * 1024 * 1024;

/**
 * Checks one IFD at an offset as the chain walk does: entries within the file, each entry's values
 * no more than the file holds. Gives the next-IFD pointer, or what is wrong (with the tag at fault).
 */
export async function checkIfd(
  source: StructureSource,
  fileSize: number,
  layout: IfdLayout,
  offset: number,
): Promise<{ next: number } | { problem: 'missing' | 'truncated' | 'damaged' | 'too many values' | 'text too large'; tag?: number; bytes?: number }> {
  const read = await readIfd(source, fileSize, layout, offset);
  if ('problem' in read) return { problem: read.problem as 'missing' | 'truncated' | 'damaged' };
  const { ifd, count } = read;
  const { u16, u32, u64, countSize, entrySize, pointerSize } = reader(layout);
  // Each entry's values must fit in the file: geotiff allocates count x size before reading them.
  for (let i = 0, at = countSize; i < count; i++, at += entrySize) {
    const size = TIFF_TYPE_SIZES[u16(ifd, at + 2)];
    const values = layout.bigTiff ? u64(ifd, at + 4) : u32(ifd, at + 4);
    if (size !== undefined && values * size > fileSize) return { problem: 'too many values', tag: u16(ifd, at) };
    // geotiff decodes text as it parses the IFD: tens of MB of it take seconds before anything can refuse them.
    if (u16(ifd, at + 2) === ASCII && values > MAX_TEXT_BYTES) return { problem: 'text too large', tag: u16(ifd, at), bytes: values };
  }
  const pointer = ifd.subarray(ifd.length - pointerSize);
  return { next: layout.bigTiff ? u64(pointer, 0) : u32(pointer, 0) };
}

/** A tag's field type and value count in the (checked) IFD at an offset, read from its entry. */
export async function ifdEntry(
  source: StructureSource,
  fileSize: number,
  layout: IfdLayout,
  offset: number,
  tag: number,
): Promise<{ type: number; count: number } | undefined> {
  const read = await readIfd(source, fileSize, layout, offset);
  if ('problem' in read) return undefined;
  const { u16, u32, u64, countSize, entrySize } = reader(layout);
  for (let i = 0, at = countSize; i < read.count; i++, at += entrySize) {
    if (u16(read.ifd, at) === tag) return { type: u16(read.ifd, at + 2), count: layout.bigTiff ? u64(read.ifd, at + 4) : u32(read.ifd, at + 4) };
  }
  return undefined;
}

export async function readIfdChain(source: StructureSource, fileSize: number, path: string): Promise<IfdChain> {
  const header = await readAt(source, 0, 1024);
  const order = header.subarray(0, 2).toString('latin1');
  if (header.length < 8 || (order !== 'II' && order !== 'MM')) {
    throw new SlideError('NOT_A_SLIDE', 'This file is not a TIFF or SVS slide.', path);
  }
  const layout = { littleEndian: order === 'II', bigTiff: false };
  const { u16, u32, u64 } = reader(layout);
  const magic = u16(header, 2);
  if (magic !== 42 && magic !== 43) {
    throw new SlideError('NOT_A_SLIDE', 'This file is not a TIFF or SVS slide.', path);
  }
  layout.bigTiff = magic === 43;
  if (layout.bigTiff && header.length < 16) throw new SlideError('CORRUPT_DATA', 'The file is truncated inside its header.', path);

  const offsets: number[] = [];
  const seen = new Set<number>();
  let next = layout.bigTiff ? u64(header, 8) : u32(header, 4);
  while (next !== 0) {
    if (seen.has(next)) break; // a loop: keep the IFDs read so far, as libtiff does
    if (offsets.length >= MAX_IFDS) throw new SlideError('CORRUPT_DATA', `The file has more than ${MAX_IFDS} image directories.`, path);
    const checked = await checkIfd(source, fileSize, layout, next);
    if ('problem' in checked) {
      if (checked.problem === 'text too large') throw textTooLarge(checked.tag!, checked.bytes!, offsets.length, path);
      // A dangling pointer or a damaged IFD after good ones: use what is there.
      if (offsets.length > 0) break;
      if (checked.problem === 'missing') throw new SlideError('CORRUPT_DATA', 'The file is truncated: its first image directory is missing.', path);
      if (checked.problem === 'truncated') throw new SlideError('CORRUPT_DATA', 'The file is truncated inside an image directory.', path);
      if (checked.problem === 'damaged') throw new SlideError('CORRUPT_DATA', 'The file is truncated or damaged inside its first image directory.', path);
      throw new SlideError('CORRUPT_DATA', `The first image directory declares more values for tag ${checked.tag} than the file holds.`, path);
    }
    seen.add(next);
    offsets.push(next);
    next = checked.next;
  }
  if (offsets.length === 0) throw new SlideError('CORRUPT_DATA', 'The file has no image directory.', path);
  return { ...layout, offsets };
}

export function textTooLarge(tag: number, bytes: number, directory: number, path: string): SlideError {
  return new SlideError('TOO_LARGE', `Tag ${tag} of image directory ${directory} is ${bytes} bytes of text, more than slide metadata can be.`, path);
}
