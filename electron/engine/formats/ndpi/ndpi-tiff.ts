// The TIFF structure of a Hamamatsu NDPI file. NDPI is classic TIFF that outgrows 4 GB: the header's
// first-directory offset and each directory's next-directory offset are 8 bytes, while the offsets
// inside directories stay 4 bytes and their high bits are implied - taken, as OpenSlide 3.4.1 does,
// as the highest that keeps the value before the directory itself (Hamamatsu writes each directory
// after the data it describes). geotiff reads none of this, hence a reader of its own.

import { SlideError } from '../../errors';
import type { SlideFile } from '../../slide-file';
import { TIFF_TYPE_SIZES } from '../../tiff/field-types';
import { chainStopWarning, type IfdProblem } from '../../tiff/ifd-chain';

/** The tag that marks NDPI (always present, in every directory). */
export const NDPI_FORMAT_FLAG = 65420;

const MAX_DIRECTORIES = 512;
const MAX_ENTRIES = 4096;
/** Largest tag value read into memory (MCU starts: 8 bytes a restart interval). */
const MAX_VALUE_BYTES = 128 * 1024 * 1024;
const TWO_32 = 2 ** 32;

interface Entry {
  type: number;
  count: number;
  /** The value's bytes when they fit in the entry, else null and `offset` says where they are. */
  inline: Uint8Array | null;
  offset: number;
  /** The 32-bit offset as stored (OpenSlide reuses the first directory's fix for a repeated one). */
  rawOffset: number;
}

/** OpenSlide's heuristic: the offset's high bits are those of the directory, less one if that passes it. */
export function fixNdpiOffset(directoryOffset: number, offset32: number): number {
  const high = Math.floor(directoryOffset / TWO_32) * TWO_32;
  const result = high + offset32;
  return result >= directoryOffset && high > 0 ? result - TWO_32 : result;
}

export class NdpiDirectory {
  constructor(
    readonly index: number,
    /** Where the directory starts in the file. */
    readonly offset: number,
    private readonly entries: Map<number, Entry>,
    private readonly file: SlideFile,
    private readonly littleEndian: boolean,
  ) {}

  has(tag: number): boolean {
    return (this.entries.get(tag)?.count ?? 0) > 0;
  }

  count(tag: number): number {
    return this.entries.get(tag)?.count ?? 0;
  }

  /** The first `count` values' bytes, read from the file when they are not in the entry. */
  private async bytes(tag: number, count = Number.POSITIVE_INFINITY): Promise<{ entry: Entry; count: number; bytes: DataView } | null> {
    const entry = this.entries.get(tag);
    if (!entry || entry.count === 0) return null;
    const n = Math.min(count, entry.count);
    if (entry.inline) return { entry, count: n, bytes: new DataView(entry.inline.buffer, entry.inline.byteOffset, entry.inline.length) };
    const length = n * TIFF_TYPE_SIZES[entry.type]!;
    const data =
      length <= 64 * 1024 ? (await this.file.source.readChunk(entry.offset, length)).slice() : await this.file.read(entry.offset, length, `Tag ${tag}`);
    if (data.length !== length) throw new SlideError('CORRUPT_DATA', `The value of tag ${tag} lies beyond the end of the file.`, this.file.path);
    return { entry, count: n, bytes: new DataView(data.buffer, data.byteOffset, data.length) };
  }

  /** Numeric values of any integer or real type (the first `count` of them). */
  async numbers(tag: number, count = Number.POSITIVE_INFINITY): Promise<number[] | null> {
    const got = await this.bytes(tag, count);
    if (!got) return null;
    const { entry, bytes } = got;
    const le = this.littleEndian;
    const out: number[] = new Array(got.count);
    for (let i = 0; i < got.count; i++) {
      switch (entry.type) {
        case 1:
        case 7:
          out[i] = bytes.getUint8(i);
          break;
        case 6:
          out[i] = bytes.getInt8(i);
          break;
        case 3:
          out[i] = bytes.getUint16(2 * i, le);
          break;
        case 8:
          out[i] = bytes.getInt16(2 * i, le);
          break;
        case 4:
        case 13:
          out[i] = bytes.getUint32(4 * i, le);
          break;
        case 9:
          out[i] = bytes.getInt32(4 * i, le);
          break;
        case 5:
          out[i] = bytes.getUint32(8 * i, le) / bytes.getUint32(8 * i + 4, le);
          break;
        case 10:
          out[i] = bytes.getInt32(8 * i, le) / bytes.getInt32(8 * i + 4, le);
          break;
        case 11:
          out[i] = bytes.getFloat32(4 * i, le);
          break;
        case 12:
          out[i] = bytes.getFloat64(8 * i, le);
          break;
        case 16:
        case 18:
          out[i] = Number(bytes.getBigUint64(8 * i, le));
          break;
        case 17:
          out[i] = Number(bytes.getBigInt64(8 * i, le));
          break;
        default:
          return null;
      }
    }
    return out;
  }

  async number(tag: number): Promise<number | null> {
    return (await this.numbers(tag, 1))?.[0] ?? null;
  }

  /** An ASCII (or UNDEFINED) value up to its first NUL, as OpenSlide reads it. */
  async text(tag: number): Promise<string | null> {
    const entry = this.entries.get(tag);
    if (!entry || (entry.type !== 2 && entry.type !== 7 && entry.type !== 1)) return null;
    const got = await this.bytes(tag);
    if (!got) return null;
    const raw = new Uint8Array(got.bytes.buffer, got.bytes.byteOffset, got.bytes.byteLength);
    const end = raw.indexOf(0);
    return Buffer.from(raw.subarray(0, end < 0 ? raw.length : end)).toString('latin1');
  }
}

/** An NDPI file's directories, and why their chain ended early (for SlideSource.warnings). */
export interface NdpiDirectories {
  directories: NdpiDirectory[];
  /** The chain's break after good directories (cut short, damaged, a loop), in the TIFF chain's words; empty for a whole chain. */
  warnings: string[];
}

/**
 * The file's directories read as NDPI, or null when it is not NDPI (no TIFF, or no NDPI tag in a
 * first directory that parses). A chain that breaks after the first directory keeps those read, as
 * the TIFF chain does (ifd-chain.ts), and says where it broke.
 */
export async function readNdpiDirectories(file: SlideFile, head: Uint8Array): Promise<NdpiDirectories | null> {
  if (head.length < 12) return null;
  const order = String.fromCharCode(head[0]!, head[1]!);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  if (view.getUint16(2, le) !== 42) return null;
  let next = Number(view.getBigUint64(4, le));
  const directories: NdpiDirectory[] = [];
  let first: Map<number, Entry> | null = null;
  while (next !== 0) {
    if (directories.length >= MAX_DIRECTORIES) throw new SlideError('CORRUPT_DATA', `The file has more than ${MAX_DIRECTORIES} image directories.`, file.path);
    const to = directories.findIndex((d) => d.offset === next);
    const entries: { map: Map<number, Entry>; next: number } | IfdProblem =
      to >= 0 ? { problem: 'loop', to } : next < 8 || next + 2 > file.size ? { problem: 'missing' } : await readEntries(file, next, le, first);
    if ('problem' in entries) {
      // As OpenSlide's first trial read: a first directory that does not parse means "not NDPI".
      if (directories.length === 0) return null;
      return { directories, warnings: [chainStopWarning(entries, directories.length, file.size)] };
    }
    if (directories.length === 0 && !(entries.map.get(NDPI_FORMAT_FLAG)?.count ?? 0)) return null;
    first ??= entries.map;
    directories.push(new NdpiDirectory(directories.length, next, entries.map, file, le));
    next = entries.next;
  }
  return directories.length > 0 ? { directories, warnings: [] } : null;
}

async function readEntries(
  file: SlideFile,
  at: number,
  le: boolean,
  first: Map<number, Entry> | null,
): Promise<{ map: Map<number, Entry>; next: number } | { problem: 'truncated' | 'damaged' }> {
  const countBytes = await file.source.readChunk(at, 2);
  if (countBytes.length < 2) return { problem: 'truncated' };
  const count = new DataView(countBytes.buffer, countBytes.byteOffset, 2).getUint16(0, le);
  const size = 2 + count * 12 + 8;
  if (count === 0 || count > MAX_ENTRIES || at + size > file.size) return { problem: 'damaged' };
  const raw = await file.source.readChunk(at, size);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const map = new Map<number, Entry>();
  for (let i = 0, p = 2; i < count; i++, p += 12) {
    const tag = view.getUint16(p, le);
    const type = view.getUint16(p + 2, le);
    const n = view.getUint32(p + 4, le);
    const typeSize = TIFF_TYPE_SIZES[type];
    if (typeSize === undefined) continue; // an unknown type: its value cannot be sized, so it is skipped
    const bytes = n * typeSize;
    if (bytes <= 4) {
      map.set(tag, { type, count: n, inline: raw.slice(p + 8, p + 8 + bytes), offset: 0, rawOffset: 0 });
      continue;
    }
    const rawOffset = view.getUint32(p + 8, le);
    const previous = first?.get(tag);
    const offset = previous && previous.rawOffset === rawOffset && !previous.inline ? previous.offset : fixNdpiOffset(at, rawOffset);
    // A value the file cannot hold is refused when read, not here: OpenSlide opens such files
    // as long as it never needs the value.
    const fits = offset + bytes <= file.size && bytes <= MAX_VALUE_BYTES;
    map.set(tag, { type, count: fits ? n : 0, inline: null, offset, rawOffset });
  }
  const next = Number(view.getBigUint64(2 + count * 12, le));
  return { map, next };
}
