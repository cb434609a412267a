// Walks a TIFF's IFD chain before geotiff parses it: geotiff follows next-IFD offsets blindly, so a
// chain that loops (libtiff_test_ifd_loop_to_self.tif) or points past the end must be caught here.
// It also allocates an array of each entry's declared count before reading its values: an entry
// whose values could not fit in the file (a count of 10^9 in a 2 KB file) is caught here too.

import type { ErrorCode } from '../../../shared/errors';
import { groupedInteger } from '../../../shared/number-format';
import { SlideError } from '../errors';
import { TIFF_TYPE_SIZES } from './field-types';
import type { StructureSource } from './structure-source';

export interface IfdChain extends IfdLayout {
  /** File offsets of the IFDs, in chain order. */
  offsets: number[];
  /** Why the chain ended before its last pointer, after good IFDs (cut short, damaged, a loop): sentences for the user; empty for a whole chain. */
  warnings: string[];
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
): Promise<{ ifd: Buffer; count: number; chunk: Buffer } | { problem: string }> {
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
  return { ifd, count, chunk };
}

const ASCII = 2;
/** A text tag's largest size: an XML description with its embedded label and macro (Philips) is a few MB. */
export const MAX_TEXT_BYTES = 32 * 1024 * 1024;

/** What is wrong with an IFD (with the tag at fault where it is one tag's). */
export type IfdProblem =
  | { problem: 'missing' | 'truncated' | 'damaged' }
  | { problem: 'too many values'; tag: number }
  | { problem: 'text too large'; tag: number; bytes: number }
  | { problem: 'unknown type'; tag: number; type: number }
  | { problem: 'past the end'; tag: number; end: number }
  | { problem: 'bad value'; tag: number; value: number }
  | { problem: 'signed 64-bit'; tag: number }
  | { problem: 'bad count'; tag: number; values: number }
  | { problem: 'bad type'; tag: number; type: number }
  | { problem: 'bad next'; next: number }
  /** It points back at a directory already read: `to` is that one's index. */
  | { problem: 'loop'; to: number };

/** Tags whose value geotiff checks as it parses, refusing the file with its own words: checked first here. */
const VALUES_TIFF_HAS: Readonly<Record<number, { name: string; values: readonly number[] }>> = {
  284: { name: 'PlanarConfiguration', values: [1, 2] },
};
/**
 * Baseline tags whose values are sizes, counts, offsets or codes, as libtiff reads them: unsigned
 * integers, one value where `single`. Stored as another type (a FLOAT tile offset) or count (two
 * Predictors), geotiff hands over floats, arrays or NaN that the readers would take for sizes.
 */
const INTEGER_TAGS: Readonly<Record<number, { name: string; single: boolean }>> = {
  254: { name: 'NewSubfileType', single: true },
  256: { name: 'ImageWidth', single: true },
  257: { name: 'ImageLength', single: true },
  258: { name: 'BitsPerSample', single: false },
  259: { name: 'Compression', single: true },
  262: { name: 'PhotometricInterpretation', single: true },
  273: { name: 'StripOffsets', single: false },
  277: { name: 'SamplesPerPixel', single: true },
  278: { name: 'RowsPerStrip', single: true },
  279: { name: 'StripByteCounts', single: false },
  284: { name: 'PlanarConfiguration', single: true },
  296: { name: 'ResolutionUnit', single: true },
  317: { name: 'Predictor', single: true },
  322: { name: 'TileWidth', single: true },
  323: { name: 'TileLength', single: true },
  324: { name: 'TileOffsets', single: false },
  325: { name: 'TileByteCounts', single: false },
  330: { name: 'SubIFDs', single: false },
  338: { name: 'ExtraSamples', single: false },
  339: { name: 'SampleFormat', single: false },
};
/** BYTE, SHORT, LONG, IFD, LONG8, IFD8. */
const UNSIGNED_INTEGER_TYPES = new Set([1, 3, 4, 13, 16, 18]);
/** BigTIFF's 8-byte integer types (LONG8, SLONG8, IFD8): no classic TIFF has them. */
const BIGTIFF_TYPES = new Set([16, 17, 18]);
/** The block tables, whose 8-byte values TiffFile reads itself (loadArray): any other tag's geotiff reads. */
const BLOCK_TABLES = new Set([273, 279, 324, 325]);
/** More 8-byte values than any tag but a block table has: read and checked at open up to this many. */
const MAX_CHECKED_LONG8 = 4096;
/** BigTIFF's unsigned 8-byte integer types (LONG8, IFD8): geotiff refuses a value past 2^53 (an offset no file reaches). */
const EIGHT_BYTE_UNSIGNED = new Set([16, 18]);
/** SLONG8, which geotiff cannot read inline or out of line (its reader ignores where the value is). */
const SLONG8 = 17;
/**
 * Tags read as a directory is parsed (geotiff's eager ones) or that a slide needs (its description,
 * block tables, SubIFDs, predictor, resolution unit, XMP, ICC profile): stored past the end of the
 * file, they fail the open. Another tag stored there is let be, as libtiff lets it be: a private one,
 * or a tiff.* property (Software, DateTime...: tiff-file's metadataValue leaves it out).
 */
const READ_AT_OPEN = new Set([
  ...[254, 255, 256, 257, 258, 259, 262, 277, 278, 284, 322, 323, 338, 339, 347, 33550, 33922, 34264, 34735, 34736, 34737, 42113, 50674],
  ...[270, 273, 279, 296, 317, 324, 325, 330, 700, 34675],
]);

/**
 * Checks one IFD at an offset as the chain walk does: entries within the file, each entry's values
 * no more than the file holds, of a type TIFF has and values geotiff can read (it throws on others as
 * it parses), those read at open stored inside the file. Gives the next-IFD pointer, or what is wrong.
 */
export async function checkIfd(source: StructureSource, fileSize: number, layout: IfdLayout, offset: number): Promise<{ next: number } | IfdProblem> {
  const read = await readIfd(source, fileSize, layout, offset);
  if ('problem' in read) return { problem: read.problem as 'missing' | 'truncated' | 'damaged' };
  const { ifd, count, chunk } = read;
  const { u16, u32, u64, countSize, entrySize, pointerSize } = reader(layout);
  for (let i = 0, at = countSize; i < count; i++, at += entrySize) {
    const tag = u16(ifd, at);
    const type = u16(ifd, at + 2);
    const size = TIFF_TYPE_SIZES[type];
    if (size === undefined || (BIGTIFF_TYPES.has(type) && !layout.bigTiff)) return { problem: 'unknown type', tag, type };
    const values = layout.bigTiff ? u64(ifd, at + 4) : u32(ifd, at + 4);
    // geotiff's SLONG8 reader ignores where the value is, inline or not.
    if (values > 0 && type === SLONG8) return { problem: 'signed 64-bit', tag };
    const integer = INTEGER_TAGS[tag];
    if (integer && !UNSIGNED_INTEGER_TYPES.has(type)) return { problem: 'bad type', tag, type };
    if (integer?.single && values !== 1) return { problem: 'bad count', tag, values };
    // Each entry's values must fit in the file: geotiff allocates count x size before reading them.
    if (values * size > fileSize) return { problem: 'too many values', tag };
    // geotiff decodes text as it parses the IFD: tens of MB of it take seconds before anything can refuse them.
    if (type === ASCII && values > MAX_TEXT_BYTES) return { problem: 'text too large', tag, bytes: values };
    const valueAt = at + 4 + (layout.bigTiff ? 8 : 4);
    // Values too large to sit in the entry are stored elsewhere: a truncated file's lie past its end.
    if (values * size > pointerSize) {
      const stored = layout.bigTiff ? u64(ifd, valueAt) : u32(ifd, valueAt);
      // geotiff reads every entry's offset as it parses, whatever the tag: past 2^53 it throws.
      if (stored > Number.MAX_SAFE_INTEGER) return { problem: 'bad value', tag, value: stored };
      const end = stored + values * size;
      if (end > fileSize && READ_AT_OPEN.has(tag)) return { problem: 'past the end', tag, end };
      // 8-byte values geotiff reads (with the IFD, or when asked for the tag) must each be below 2^53.
      if (EIGHT_BYTE_UNSIGNED.has(type) && end <= fileSize && (!BLOCK_TABLES.has(tag) || (stored >= offset && end <= offset + chunk.length))) {
        const inChunk = stored >= offset && end <= offset + chunk.length;
        if (!inChunk && values > MAX_CHECKED_LONG8) return { problem: 'too many values', tag };
        const bytes = inChunk ? chunk.subarray(stored - offset, end - offset) : await readAt(source, stored, end - stored);
        for (let v = 0; v + 8 <= bytes.length; v += 8) {
          const value = u64(bytes, v);
          if (value > Number.MAX_SAFE_INTEGER) return { problem: 'bad value', tag, value };
        }
      }
    } else if (values === 1) {
      const value = EIGHT_BYTE_UNSIGNED.has(type) ? u64(ifd, valueAt) : size === 2 ? u16(ifd, valueAt) : size === 4 ? u32(ifd, valueAt) : null;
      const allowed = VALUES_TIFF_HAS[tag]?.values;
      if (value !== null && (value > Number.MAX_SAFE_INTEGER || (allowed !== undefined && !allowed.includes(value))))
        return { problem: 'bad value', tag, value };
    }
  }
  const pointer = ifd.subarray(ifd.length - pointerSize);
  const next = layout.bigTiff ? u64(pointer, 0) : u32(pointer, 0);
  // geotiff reads the pointer as it parses this IFD, and refuses one past 2^53.
  if (next > Number.MAX_SAFE_INTEGER) return { problem: 'bad next', next };
  return { next };
}

/** An IFD's problem as an error; `which` names it in a sentence ("the first image directory"). */
export function ifdError(checked: IfdProblem, which: string, directory: number, fileSize: number, path: string): SlideError {
  const { code, message } = ifdProblemText(checked, which, directory, fileSize);
  return new SlideError(code, message, path);
}

/**
 * What the user is told of a chain that ends at directory `directory`, after good ones: the problem's
 * sentence (ifdError's), and what the slide lacks for it. Read by TiffFile.warnings and NDPI's reader.
 */
export function chainStopWarning(checked: IfdProblem, directory: number, fileSize: number): string {
  // A loop is the pointer of the directory before it.
  const at = checked.problem === 'loop' ? directory - 1 : directory;
  const { message } = ifdProblemText(checked, `image directory ${at}`, at, fileSize);
  const lost =
    checked.problem === 'loop'
      ? 'any images after it (a level, the label or the macro) may be missing'
      : 'the images it and any after it held (a level, the label or the macro) are missing';
  return `${message.replace(/\.$/, '')}; ${lost}.`;
}

/** The one wording of an IFD's problems, for errors (ifdError) and for a chain's warnings (chainStopWarning). */
function ifdProblemText(checked: IfdProblem, which: string, directory: number, fileSize: number): { code: ErrorCode; message: string } {
  const Which = which.charAt(0).toUpperCase() + which.slice(1);
  const size = `${groupedInteger(fileSize)} bytes`;
  const corrupt = (message: string) => ({ code: 'CORRUPT_DATA' as const, message });
  switch (checked.problem) {
    case 'text too large':
      return {
        code: 'TOO_LARGE',
        message: `Tag ${checked.tag} of image directory ${directory} is ${checked.bytes} bytes of text, more than slide metadata can be.`,
      };
    case 'missing':
      return corrupt(`The file is truncated: ${which} lies beyond its end (the file is ${size}).`);
    case 'truncated':
      return corrupt(`The file is truncated inside ${which} (the file is ${size}).`);
    case 'damaged':
      return corrupt(`The file is truncated or damaged inside ${which} (the file is ${size}).`);
    case 'too many values':
      return corrupt(`${Which} declares more values for tag ${checked.tag} than the file holds.`);
    case 'unknown type':
      return corrupt(`${Which} gives tag ${checked.tag} a field type TIFF does not have (${checked.type}): the file is damaged.`);
    case 'bad value':
      return corrupt(
        checked.value > Number.MAX_SAFE_INTEGER
          ? `${Which} gives tag ${checked.tag} a value past any file's size (${checked.value}): the file is damaged.`
          : `${Which} gives ${VALUES_TIFF_HAS[checked.tag]?.name ?? `tag ${checked.tag}`} the value ${checked.value}, which TIFF does not have: the file is damaged.`,
      );
    case 'bad count':
      return corrupt(`${Which} gives ${INTEGER_TAGS[checked.tag]?.name ?? `tag ${checked.tag}`} ${checked.values} values, not one: the file is damaged.`);
    case 'bad type':
      return corrupt(
        `${Which} gives ${INTEGER_TAGS[checked.tag]?.name ?? `tag ${checked.tag}`} as values of field type ${checked.type}, not unsigned integers: the file is damaged.`,
      );
    case 'signed 64-bit':
      return { code: 'UNSUPPORTED_FORMAT', message: `${Which} gives tag ${checked.tag} as a signed 64-bit value (SLONG8), which cannot be read here.` };
    case 'bad next':
      return corrupt(`${Which} points to a next one past any file's size (${checked.next}): the file is damaged.`);
    case 'past the end':
      return corrupt(
        `Tag ${checked.tag} of ${which} is stored up to byte ${checked.end}, past the end of the file (${size}): the file is truncated or damaged.`,
      );
    case 'loop':
      return corrupt(
        `${Which} points back at ${checked.to === directory ? 'itself' : `image directory ${checked.to}, already read`} (a loop): the file is damaged.`,
      );
  }
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
  const warnings: string[] = [];
  let next = layout.bigTiff ? u64(header, 8) : u32(header, 4);
  while (next !== 0) {
    const to = offsets.indexOf(next);
    if (to < 0 && offsets.length >= MAX_IFDS) throw new SlideError('CORRUPT_DATA', `The file has more than ${MAX_IFDS} image directories.`, path);
    // A loop: keep the IFDs read so far, as libtiff does, and say the file is damaged.
    const checked: { next: number } | IfdProblem = to >= 0 ? { problem: 'loop', to } : await checkIfd(source, fileSize, layout, next);
    if ('problem' in checked) {
      // A dangling pointer or a damaged IFD after good ones: use what is there, and say what may be
      // missing (text that large is refused).
      if (offsets.length > 0 && checked.problem !== 'text too large') {
        warnings.push(chainStopWarning(checked, offsets.length, fileSize));
        break;
      }
      throw ifdError(checked, offsets.length === 0 ? 'the first image directory' : `image directory ${offsets.length}`, offsets.length, fileSize, path);
    }
    offsets.push(next);
    next = checked.next;
  }
  if (offsets.length === 0) throw new SlideError('CORRUPT_DATA', 'The file has no image directory.', path);
  return { ...layout, offsets, warnings };
}
