// Whether an output a batch finds already there is a whole image, so a rerun may skip its slide, and
// what it was made from. Slidescope's own writes are atomic (a file exists only once complete); this
// also catches a file cut short by something else (a copy that was interrupted, a full disk): a PNG or
// JPEG by its last bytes, a TIFF (which has no end marker) by its structure: every IFD, every value an
// IFD points to and every strip or tile lies within the file. A file that is not whole, or cannot be
// told to be, counts as not complete: the rerun makes it again. What it was made from is the XMP
// packet Slidescope writes into it (shared/provenance.ts), found by walking the format's own layout.

import { type FileHandle, open } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import type { ImageFormat } from '../../shared/operations';
import { type Provenance, parseProvenance } from '../../shared/provenance';
import { readFully } from '../engine/read-fully';
import { TIFF_TYPE_SIZES } from '../engine/tiff/field-types';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The IEND chunk every PNG ends with: length 0, type, CRC. */
const PNG_END = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** `read` over an output file opened with its size; `fallback` when it cannot be opened or read. */
async function readOutput<T>(path: string, fallback: T, read: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return fallback;
  }
  try {
    return await read(handle, (await handle.stat()).size);
  } catch {
    return fallback;
  } finally {
    await handle.close();
  }
}

/** What a rerun needs to know of an output there: whether it is whole, and the record it holds. */
export interface OutputState {
  complete: boolean;
  /** Null when it holds no Slidescope record (or cannot be read). */
  provenance: Provenance | null;
}

const NO_OUTPUT: OutputState = { complete: false, provenance: null };

/** An output's state from one open: a TIFF's IFDs are walked once for both. */
export function examineOutput(path: string, format: ImageFormat): Promise<OutputState> {
  return readOutput(path, NO_OUTPUT, async (handle, size) => {
    // A record that cannot be read (a damaged packet) is no record; the file may still be whole.
    const record = (packet: Promise<string | null>) => packet.then((p) => (p === null ? null : parseProvenance(p))).catch(() => null);
    if (format === 'tiff') {
      let packet: Promise<string | null> = Promise.resolve(null);
      const complete = await isCompleteTiff(handle, size, (entry) => {
        // Caught at once: the walk goes on reading before the packet is awaited.
        packet = tiffXmp(handle, entry, size).catch(() => null);
      });
      return { complete, provenance: await record(packet) };
    }
    const provenance = await record(format === 'png' ? pngXmp(handle, size) : jpegXmp(handle, size));
    if (size < 16) return { complete: false, provenance };
    const head = new Uint8Array(8);
    const tail = new Uint8Array(12);
    await handle.read(head, 0, 8, 0);
    await handle.read(tail, 0, 12, size - 12);
    const complete =
      format === 'png'
        ? startsWith(head, PNG_SIGNATURE) && startsWith(tail, PNG_END)
        : head[0] === 0xff && head[1] === 0xd8 && tail[10] === 0xff && tail[11] === 0xd9;
    return { complete, provenance };
  });
}

export async function isCompleteImage(path: string, format: ImageFormat): Promise<boolean> {
  return (await examineOutput(path, format)).complete;
}

/** What an output says it was made from; null when it holds no Slidescope record (or cannot be read). */
export async function outputProvenance(path: string, format: ImageFormat): Promise<Provenance | null> {
  return (await examineOutput(path, format)).provenance;
}

// The TIFF walk's bounds: a hostile file (an IFD chain of 10^5, a loop, 10^8 declared tiles) is
// judged in a few fixed buffers and a bounded number of reads. Past a bound the file counts as not
// complete (Slidescope's outputs have one image, or a few, of a few strips).
/** IFDs (the chain and SubIFDs) walked at most. */
export const TIFF_MAX_IFDS = 256;
/** Entries one IFD may have (a real one has 10 to 30). */
export const TIFF_MAX_ENTRIES = 1024;
/** Strips and tiles checked at most, over all the IFDs. */
export const TIFF_MAX_BLOCKS = 1 << 22;
/** Offsets (and as many byte counts) read at a time. */
const CHUNK_VALUES = 4096;

/** Bytes of one value of a TIFF field type; 0: unknown, not checked. */
const typeSize = (type: number): number => TIFF_TYPE_SIZES[type] ?? 0;

const TAG = { StripOffsets: 273, StripByteCounts: 279, SubIFDs: 330, TileOffsets: 324, TileByteCounts: 325, XMP: 700 } as const;

interface Entry {
  type: number;
  count: number;
  /** Where the values are: in the IFD's buffer (inline) or in the file. */
  inline: boolean;
  /** The offset in the IFD buffer (inline) or in the file. */
  at: number;
}

/** A TIFF's layout: byte order and classic or BigTIFF. */
class TiffLayout {
  readonly entrySize: number;
  readonly inlineSize: number;
  constructor(
    readonly little: boolean,
    readonly big: boolean,
  ) {
    this.entrySize = big ? 20 : 12;
    this.inlineSize = big ? 8 : 4;
  }

  /** An unsigned integer of `bytes` (2, 4 or 8) at `at`; past 2^53, Infinity (beyond any file). */
  uint(view: DataView, at: number, bytes: number): number {
    if (bytes === 2) return view.getUint16(at, this.little);
    if (bytes === 4) return view.getUint32(at, this.little);
    const n = view.getBigUint64(at, this.little);
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(n);
  }
}

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A TIFF's layout and first IFD's offset from its first 16 bytes; null when they are no TIFF header. */
function tiffHeader(header: Uint8Array): { tiff: TiffLayout; first: number } | null {
  const view = viewOf(header);
  const order = String.fromCharCode(header[0]!, header[1]!);
  if (order !== 'II' && order !== 'MM') return null;
  const little = order === 'II';
  const magic = view.getUint16(2, little);
  if (magic !== 42 && magic !== 43) return null;
  const tiff = new TiffLayout(little, magic === 43);
  if (tiff.big && (view.getUint16(4, little) !== 8 || view.getUint16(6, little) !== 0)) return null;
  return { tiff, first: tiff.big ? tiff.uint(view, 8, 8) : tiff.uint(view, 4, 4) };
}

/**
 * Whether a TIFF (classic or BigTIFF, either byte order) is whole: its IFD chain and SubIFDs walked
 * with bounded reads, each IFD, each value stored outside its IFD and each strip or tile within
 * `size` bytes, and each IFD an image (offsets and byte counts of its strips or tiles). The first
 * IFD's XMP field, where it has one within the file, goes to `xmp` as the walk passes it.
 */
async function isCompleteTiff(handle: FileHandle, size: number, xmp: (entry: Entry) => void): Promise<boolean> {
  // The few buffers the walk reads into, whatever the file: a header, an IFD, a chunk of offsets and one of counts.
  const header = new Uint8Array(16);
  const ifd = new Uint8Array(8 + TIFF_MAX_ENTRIES * 20 + 8);
  const offsets = new Uint8Array(CHUNK_VALUES * 8);
  const counts = new Uint8Array(CHUNK_VALUES * 8);
  if (!(await readFully(handle, header, 16, 0))) return false;
  const start = tiffHeader(header);
  if (!start) return false;
  const { tiff, first } = start;
  const little = tiff.little;

  const ifdView = viewOf(ifd);
  const pending = [first];
  const seen = new Set<number>();
  let blocks = 0;

  /** Loads values `from` to `from + n` of an entry into `into`. */
  const load = async (entry: Entry, from: number, n: number, into: Uint8Array): Promise<boolean> => {
    const bytes = typeSize(entry.type);
    if (entry.inline) {
      into.set(ifd.subarray(entry.at + from * bytes, entry.at + (from + n) * bytes));
      return true;
    }
    return readFully(handle, into, n * bytes, entry.at + from * bytes);
  };
  /** Value `i` of a chunk loaded by `load`: SHORT, LONG or LONG8 (the types offsets and counts come in). */
  const valueIn = (entry: Entry, chunk: DataView, i: number) => tiff.uint(chunk, i * typeSize(entry.type), typeSize(entry.type));
  const offsetType = (entry: Entry | undefined): entry is Entry => entry !== undefined && [3, 4, 16].includes(entry.type);

  while (pending.length > 0) {
    const at = pending.shift()!;
    if (at === 0 || seen.has(at) || seen.size >= TIFF_MAX_IFDS) return false;
    seen.add(at);
    // The IFD: its entry count, its entries and the next IFD's offset, all within the file.
    const countBytes = tiff.big ? 8 : 2;
    if (at + countBytes > size || !(await readFully(handle, ifd, countBytes, at))) return false;
    const entries = tiff.uint(ifdView, 0, countBytes);
    if (entries === 0 || entries > TIFF_MAX_ENTRIES) return false;
    const length = countBytes + entries * tiff.entrySize + tiff.inlineSize;
    if (at + length > size || !(await readFully(handle, ifd, length, at))) return false;

    const tags = new Map<number, Entry>();
    for (let e = 0; e < entries; e++) {
      const p = countBytes + e * tiff.entrySize;
      const tag = ifdView.getUint16(p, little);
      const type = ifdView.getUint16(p + 2, little);
      const count = tiff.big ? tiff.uint(ifdView, p + 4, 8) : tiff.uint(ifdView, p + 4, 4);
      const valueAt = p + (tiff.big ? 12 : 8);
      const bytes = typeSize(type) === 0 ? 0 : count * typeSize(type);
      if (bytes > size) return false;
      const inline = bytes <= tiff.inlineSize;
      const entry: Entry = { type, count, inline, at: inline ? valueAt : tiff.uint(ifdView, valueAt, tiff.inlineSize) };
      // A value stored outside the IFD (a type this walk does not know is not checked).
      if (!inline && entry.at + bytes > size) return false;
      tags.set(tag, entry);
    }
    const packet = tags.get(TAG.XMP);
    if (at === first && packet) xmp(packet);
    const next = tiff.uint(ifdView, length - tiff.inlineSize, tiff.inlineSize);
    if (next !== 0) pending.push(next);
    if (seen.size + pending.length > TIFF_MAX_IFDS) return false;

    // The image's strips or tiles: as many offsets as byte counts, each block within the file.
    const tiled = tags.has(TAG.TileOffsets) || tags.has(TAG.TileByteCounts);
    const offsetsEntry = tags.get(tiled ? TAG.TileOffsets : TAG.StripOffsets);
    const countsEntry = tags.get(tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
    if (!offsetType(offsetsEntry) || !offsetType(countsEntry)) return false;
    const n = offsetsEntry.count;
    if (n === 0 || countsEntry.count !== n) return false;
    blocks += n;
    if (blocks > TIFF_MAX_BLOCKS) return false;
    for (let from = 0; from < n; from += CHUNK_VALUES) {
      const chunk = Math.min(CHUNK_VALUES, n - from);
      if (!(await load(offsetsEntry, from, chunk, offsets)) || !(await load(countsEntry, from, chunk, counts))) return false;
      const offsetsView = viewOf(offsets);
      const countsView = viewOf(counts);
      for (let i = 0; i < chunk; i++) {
        const bytes = valueIn(countsEntry, countsView, i);
        // A block of 0 bytes (a sparse tile) has no data to lie outside the file.
        if (bytes !== 0 && valueIn(offsetsEntry, offsetsView, i) + bytes > size) return false;
      }
    }

    // SubIFDs (reduced images): walked as the chain is, within the same bound.
    const sub = tags.get(TAG.SubIFDs);
    if (sub) {
      if (![4, 13, 16, 18].includes(sub.type) || sub.count > TIFF_MAX_IFDS) return false;
      for (let from = 0; from < sub.count; from += CHUNK_VALUES) {
        const chunk = Math.min(CHUNK_VALUES, sub.count - from);
        if (!(await load(sub, from, chunk, offsets))) return false;
        const view = viewOf(offsets);
        for (let i = 0; i < chunk; i++) pending.push(valueIn(sub, view, i));
        if (seen.size + pending.length > TIFF_MAX_IFDS) return false;
      }
    }
  }
  return true;
}

/** The most XMP read from an output (Slidescope's record is well under 1 KB), and the markers or chunks passed on the way. */
const MAX_XMP_BYTES = 64 * 1024;
const MAX_SEGMENTS = 256;
const XMP_PNG_KEYWORD = 'XML:com.adobe.xmp';
const XMP_JPEG_HEADER = 'http://ns.adobe.com/xap/1.0/\0';

/** Bytes at `position`, or null past the file's end or beyond the XMP bound. */
async function bytesAt(handle: FileHandle, position: number, length: number, size: number): Promise<Uint8Array | null> {
  if (length > MAX_XMP_BYTES || position + length > size) return null;
  const out = new Uint8Array(length);
  return (await readFully(handle, out, length, position)) ? out : null;
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const utf8 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** XMP in a zTXt or iTXt chunk before the image data (libvips writes zTXt). */
async function pngXmp(handle: FileHandle, size: number): Promise<string | null> {
  let at = 8;
  for (let n = 0; n < MAX_SEGMENTS; n++) {
    const head = await bytesAt(handle, at, 8, size);
    if (!head) return null;
    const length = viewOf(head).getUint32(0);
    const type = latin1(head.subarray(4, 8));
    if (type === 'IDAT' || type === 'IEND') return null;
    if (type === 'zTXt' || type === 'iTXt') {
      const data = await bytesAt(handle, at + 8, length, size);
      const keywordEnd = data?.indexOf(0) ?? -1;
      if (data && keywordEnd > 0 && latin1(data.subarray(0, keywordEnd)) === XMP_PNG_KEYWORD) {
        const inflate = (bytes: Uint8Array) => utf8(inflateSync(bytes, { maxOutputLength: MAX_XMP_BYTES }));
        if (type === 'zTXt') return inflate(data.subarray(keywordEnd + 2));
        // iTXt: compression flag and method, then a language tag and a translated keyword, each ended by 0.
        const compressed = data[keywordEnd + 1] === 1;
        const language = data.indexOf(0, keywordEnd + 3);
        const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
        if (translated < 0) return null;
        const text = data.subarray(translated + 1);
        return compressed ? inflate(text) : utf8(text);
      }
    }
    at += 12 + length;
  }
  return null;
}

/** XMP in an APP1 segment before the scan. */
async function jpegXmp(handle: FileHandle, size: number): Promise<string | null> {
  let at = 2;
  for (let n = 0; n < MAX_SEGMENTS; n++) {
    const head = await bytesAt(handle, at, 4, size);
    if (head?.[0] !== 0xff) return null;
    const marker = head[1]!;
    if (marker === 0xda || marker === 0xd9) return null;
    const length = viewOf(head).getUint16(2);
    if (length < 2) return null;
    if (marker === 0xe1 && length - 2 > XMP_JPEG_HEADER.length) {
      const data = await bytesAt(handle, at + 4, length - 2, size);
      if (data && latin1(data.subarray(0, XMP_JPEG_HEADER.length)) === XMP_JPEG_HEADER) return utf8(data.subarray(XMP_JPEG_HEADER.length));
    }
    at += 2 + length;
  }
  return null;
}

/** XMP in the first IFD's field 700 (BYTE or UNDEFINED, stored outside the IFD). */
async function tiffXmp(handle: FileHandle, entry: Entry, size: number): Promise<string | null> {
  if ((entry.type !== 1 && entry.type !== 7) || entry.inline) return null;
  const data = await bytesAt(handle, entry.at, entry.count, size);
  return data && utf8(data);
}
