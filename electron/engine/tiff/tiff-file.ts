// An open TIFF: its IFD records (tags read through geotiff) and raw reads of tile and strip bytes.

import { GeoTIFF, type ImageFileDirectory } from 'geotiff';
import { readError, SlideError } from '../errors';
import { SlideFile } from '../slide-file';
import { checkIfd, type IfdLayout, ifdEntry, ifdError, MAX_IFDS, readIfdChain } from './ifd-chain';
import { DOUBLE_PROPERTY_TAGS, PROPERTY_TAGS, RESOLUTION_UNIT_TAG, tiffTagProperties } from './tiff-properties';

/** Larger than any scanned slide (the largest are ~250k px wide); guards allocations on hostile headers. */
export const MAX_DIMENSION = 4_000_000;
const MAX_BLOCK_PIXELS = 64 * 1024 * 1024;

export const Compression = {
  NONE: 1,
  LZW: 5,
  OJPEG: 6,
  JPEG: 7,
  ADOBE_DEFLATE: 8,
  DEFLATE: 32946,
  PACKBITS: 32773,
  APERIO_J2K_YCBCR: 33003,
  APERIO_J2K_RGB: 33005,
  JPEG2000: 34712,
  ZSTD: 50000,
  WEBP: 50001,
} as const;

export const Photometric = { MIN_IS_WHITE: 0, MIN_IS_BLACK: 1, RGB: 2, PALETTE: 3, YCBCR: 6 } as const;

export interface TiffDirectory {
  index: number;
  /** The geotiff directory, for decoder parameters. */
  ifd: ImageFileDirectory;
  width: number;
  height: number;
  tiled: boolean;
  /** Block = tile, or strip (full width x rowsPerStrip). */
  blockWidth: number;
  blockHeight: number;
  compression: number;
  photometric: number;
  samplesPerPixel: number;
  bitsPerSample: number;
  planarConfiguration: number;
  /** The file's byte order, which is also that of its 16-bit samples. */
  littleEndian: boolean;
  newSubfileType: number;
  description: string | undefined;
  jpegTables: Uint8Array | undefined;
  xResolution: number | undefined;
  yResolution: number | undefined;
  resolutionUnit: number | undefined;
  /** Every ASCII and numeric tag, named like OpenSlide's tiff.* properties. */
  tags: Record<string, string>;
  blocksAcross: number;
  blocksDown: number;
}

function rational(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'length' in value) {
    const [num, den] = Array.from(value as ArrayLike<unknown>);
    if (typeof num === 'number' && typeof den === 'number' && den !== 0) return num / den;
  }
  return undefined;
}

function firstNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'length' in value) {
    const first = (value as ArrayLike<unknown>)[0];
    return typeof first === 'number' ? first : undefined;
  }
  return undefined;
}

function declaredLength(ifd: ImageFileDirectory, tag: number): number | undefined {
  const deferred = ifd.deferredArrays.get(tag);
  if (deferred) return deferred.length;
  const value = ifd.actualizedFields.get(tag);
  if (value === undefined) return undefined;
  return Array.isArray(value) || ArrayBuffer.isView(value) ? (value as ArrayLike<unknown>).length : 1;
}

/** A directory's block table (blockTable). */
export interface BlockTable {
  offsets: ArrayLike<number>;
  counts: ArrayLike<number>;
  /** The blocks (of those the image uses) stored past the end of the file: the file is cut inside them. */
  pastEnd: number;
}

/** The blocks an image uses: its grid, once per sample with separate planes. */
export function blockCount(dir: TiffDirectory): number {
  return dir.blocksAcross * dir.blocksDown * (dir.planarConfiguration === 2 ? dir.samplesPerPixel : 1);
}

/** Blocks among the first `blocks` whose bytes end past `fileSize` (absent ones, offset or count 0, are not). */
function blocksPastEnd(table: { offsets: ArrayLike<number>; counts: ArrayLike<number> }, blocks: number, fileSize: number): number {
  const { offsets, counts } = table;
  const n = Math.min(blocks, offsets.length, counts.length);
  let past = 0;
  for (let i = 0; i < n; i++) {
    const offset = offsets[i]!;
    const count = counts[i]!;
    if (offset + count > fileSize && offset !== 0 && count !== 0) past++;
  }
  return past;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** SubIFDs one directory may list (an OME-TIFF pyramid has one per reduced level: ~10). */
export const MAX_SUBIFDS = 64;

/** Bytes of one value of the field types a tag's bytes can be read as (BYTE, ASCII, UNDEFINED). */
const BYTE_TYPES = new Set([1, 2, 6, 7]);

export class TiffFile {
  /** The IFD chain's directories, in file order. */
  readonly directories: TiffDirectory[];
  readonly path: string;
  readonly fileSize: number;
  /** Why the IFD chain ended early (the file cut short, damaged, looping): what the slide may lack, for the user. */
  readonly warnings: readonly string[];
  private readonly blockTables = new Map<number, Promise<BlockTable>>();
  /** Each directory's SubIFDs (tag 330), by the parent's index; indices continue after the chain's. */
  private readonly subDirectories = new Map<number, TiffDirectory[]>();

  private constructor(
    readonly file: SlideFile,
    private readonly tiff: GeoTIFF,
    private readonly layout: IfdLayout,
    /** File offset of each directory's IFD, by index (chain and SubIFDs). */
    private readonly ifdOffsets: number[],
    directories: TiffDirectory[],
    warnings: readonly string[],
  ) {
    this.directories = directories;
    this.warnings = warnings;
    this.path = file.path;
    this.fileSize = file.size;
  }

  /** Parses an open file's IFDs; the TiffFile then owns the file (close() closes it). */
  static async fromFile(file: SlideFile): Promise<TiffFile> {
    const { path, size, source } = file;
    try {
      const chain = await readIfdChain(source, size, path);
      const tiff = await GeoTIFF.fromSource(source as unknown as Parameters<typeof GeoTIFF.fromSource>[0]);
      const directories: TiffDirectory[] = [];
      for (let index = 0; index < chain.offsets.length; index++) {
        const image = await tiff.getImage(index);
        directories.push(await readDirectory(index, image.getFileDirectory(), size, path, tiff.littleEndian));
      }
      return new TiffFile(file, tiff, chain, [...chain.offsets], directories, chain.warnings);
    } catch (error) {
      throw readError(error, path);
    }
  }

  /** Opens and parses a TIFF at a path (a regular file only: see SlideFile.open). */
  static async open(path: string): Promise<TiffFile> {
    const file = SlideFile.open(path);
    try {
      return await TiffFile.fromFile(file);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /**
   * A directory's SubIFDs (tag 330: OME-TIFF keeps a pyramid's reduced levels there), parsed on
   * first call. Bounded as the chain is: at most MAX_SUBIFDS, each IFD within the file and checked
   * entry by entry, none that is already a directory of the file (a loop); CORRUPT_DATA otherwise.
   */
  async subIfds(dir: TiffDirectory): Promise<TiffDirectory[]> {
    const known = this.subDirectories.get(dir.index);
    if (known) return known;
    const subs: TiffDirectory[] = [];
    const entry = await ifdEntry(this.file.source, this.fileSize, this.layout, this.ifdOffsets[dir.index]!, 330);
    if (entry) {
      if (entry.count > MAX_SUBIFDS) throw new SlideError('CORRUPT_DATA', `Image ${dir.index} lists ${entry.count} SubIFDs, more than a slide has.`, this.path);
      const value = (await dir.ifd.loadValue(330)) as ArrayLike<number | bigint> | number | bigint | undefined;
      const offsets = value === undefined ? [] : typeof value === 'object' ? Array.from(value, Number) : [Number(value)];
      for (const offset of offsets) {
        if (this.ifdOffsets.length >= MAX_IFDS) throw new SlideError('CORRUPT_DATA', `The file has more than ${MAX_IFDS} image directories.`, this.path);
        const to = this.ifdOffsets.indexOf(offset);
        const checked = to >= 0 ? ({ problem: 'loop', to } as const) : await checkIfd(this.file.source, this.fileSize, this.layout, offset);
        if ('problem' in checked) throw ifdError(checked, `a SubIFD of image ${dir.index}`, this.ifdOffsets.length, this.fileSize, this.path);
        const index = this.ifdOffsets.length;
        this.ifdOffsets.push(offset);
        const ifd = await this.tiff.parser.parseFileDirectoryAt(offset).catch((error: unknown) => {
          throw readError(error, this.path);
        });
        subs.push(await readDirectory(index, ifd, this.fileSize, this.path, this.littleEndian));
      }
    }
    this.subDirectories.set(dir.index, subs);
    return subs;
  }

  /**
   * A tag's value as bytes (BYTE, ASCII or UNDEFINED values: an XMP packet, an ICC profile), or
   * undefined when the directory has no such tag. Its declared length is checked against maxBytes
   * before anything is read (TOO_LARGE).
   */
  async readTagBytes(dir: TiffDirectory, tag: number, maxBytes: number): Promise<Uint8Array | undefined> {
    const entry = await ifdEntry(this.file.source, this.fileSize, this.layout, this.ifdOffsets[dir.index]!, tag);
    if (!entry) return undefined;
    if (!BYTE_TYPES.has(entry.type)) throw new SlideError('CORRUPT_DATA', `Tag ${tag} of image ${dir.index} is not stored as bytes.`, this.path);
    if (entry.count > maxBytes)
      throw new SlideError('TOO_LARGE', `Tag ${tag} of image ${dir.index} is ${entry.count} bytes, more than its content can be.`, this.path);
    const value: unknown = await dir.ifd.loadValue(tag);
    if (typeof value === 'string') return new TextEncoder().encode(value);
    if (value instanceof Uint8Array) return value;
    if (Array.isArray(value) || ArrayBuffer.isView(value)) return Uint8Array.from(value as ArrayLike<number>);
    return undefined;
  }

  /** Byte order of the file's multi-byte samples (16-bit planes are decoded outside geotiff). */
  get littleEndian(): boolean {
    return this.layout.littleEndian;
  }

  async close(): Promise<void> {
    await Promise.resolve(this.tiff.close()).catch(() => undefined);
    this.file.close();
  }

  /**
   * An array tag's values. geotiff 3.0 reads the arrays it defers (those past the bytes it fetched
   * with the IFD) as little-endian whatever the file's byte order, refuses an 8-byte value past 2^53
   * in its own words, and parses through a DataView a value at a time: a deferred array is read here,
   * through the structure's blocks (a table beside its IFD is often held already), in a typed array
   * where the file's order allows (a value past the file is then the block's error, readBlock's).
   */
  private async loadArray(dir: TiffDirectory, tag: number): Promise<ArrayLike<number> | number | undefined> {
    const deferred = dir.ifd.deferredArrays.get(tag);
    if (!deferred) return (await dir.ifd.loadValue(tag)) as ArrayLike<number> | number | undefined;
    const size = ARRAY_ITEM_SIZE[deferred.fieldType];
    if (size === undefined) throw new SlideError('CORRUPT_DATA', `Tag ${tag} has a field type (${deferred.fieldType}) that cannot hold offsets.`, this.path);
    const length = deferred.length * size;
    // Bytes of their own (a table across blocks comes as a new array): aligned for a typed array, and
    // holding no block of the cache.
    const chunk = await this.file.source.readChunk(deferred.arrayOffset, length);
    const bytes = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
    if (bytes.length !== length) throw new SlideError('CORRUPT_DATA', 'A tile offset table lies beyond the end of the file: the file is truncated.', this.path);
    if (dir.littleEndian === HOST_LITTLE_ENDIAN && size !== 8) return size === 2 ? new Uint16Array(bytes.buffer) : new Uint32Array(bytes.buffer);
    const view = new DataView(bytes.buffer);
    const values = new Float64Array(deferred.length);
    for (let i = 0; i < values.length; i++) {
      values[i] =
        size === 2
          ? view.getUint16(i * 2, dir.littleEndian)
          : size === 4
            ? view.getUint32(i * 4, dir.littleEndian)
            : Number(view.getBigUint64(i * 8, dir.littleEndian));
    }
    return values;
  }

  /**
   * Where the directory's last tile (or strip) ends, as its tables' last entries say, read alone (a few
   * bytes, not the tables): writers store a level's tiles in order, so a file cut inside a level's
   * data cuts its last tile. Null when a table is missing or unreadable (its tiles say why).
   */
  async lastBlockEnd(dir: TiffDirectory): Promise<number | null> {
    const last = async (tag: number): Promise<number | null> => {
      const deferred = dir.ifd.deferredArrays.get(tag);
      if (!deferred) {
        const value = (await dir.ifd.loadValue(tag)) as ArrayLike<number> | number | undefined;
        if (value === undefined) return null;
        return typeof value === 'number' ? value : Number(value[value.length - 1] ?? Number.NaN);
      }
      const size = ARRAY_ITEM_SIZE[deferred.fieldType];
      if (size === undefined || deferred.length === 0) return null;
      const bytes = this.file.source.peek(deferred.arrayOffset + (deferred.length - 1) * size, size);
      if (bytes.length !== size) return null;
      const view = new DataView(bytes.buffer, bytes.byteOffset, size);
      return size === 2
        ? view.getUint16(0, dir.littleEndian)
        : size === 4
          ? view.getUint32(0, dir.littleEndian)
          : Number(view.getBigUint64(0, dir.littleEndian));
    };
    const offset = await last(dir.tiled ? 324 : 273);
    const count = await last(dir.tiled ? 325 : 279);
    return offset === null || count === null || !Number.isFinite(offset + count) ? null : offset + count;
  }

  /**
   * A directory's tile (or strip) offsets and byte counts, read once, and how many of its blocks the
   * file no longer holds (pastEnd: a copy cut short inside its image data).
   */
  blockTable(dir: TiffDirectory): Promise<BlockTable> {
    let table = this.blockTables.get(dir.index);
    if (!table) {
      table = (async () => {
        const offsets = await this.loadArray(dir, dir.tiled ? 324 : 273);
        const counts = await this.loadArray(dir, dir.tiled ? 325 : 279);
        if (offsets === undefined || counts === undefined)
          throw new SlideError('CORRUPT_DATA', `Image ${dir.index} has no ${dir.tiled ? 'tile' : 'strip'} offsets or byte counts.`, this.path);
        const asArray = (v: ArrayLike<number> | number) => (typeof v === 'number' ? [v] : v);
        const table = { offsets: asArray(offsets), counts: asArray(counts) };
        return { ...table, pastEnd: blocksPastEnd(table, blockCount(dir), this.fileSize) };
      })();
      this.blockTables.set(dir.index, table);
    }
    return table;
  }

  /**
   * The stored bytes of one tile or strip (of one sample's plane, with PlanarConfiguration 2); null
   * when the block is absent (offset or count 0). A byte count beyond what the block's pixels can
   * need compressed with its codec (maxStoredBytes) is refused before anything is allocated for it.
   */
  async readBlock(dir: TiffDirectory, col: number, row: number, plane = 0): Promise<Uint8Array | null> {
    const { offsets, counts } = await this.blockTable(dir);
    const index = (plane * dir.blocksDown + row) * dir.blocksAcross + col;
    const offset = offsets[index];
    const count = counts[index];
    if (offset === undefined || count === undefined)
      throw new SlideError('CORRUPT_DATA', `${blockName(dir, col, row)} is missing from its image's table of offsets.`, this.path);
    if (offset === 0 || count === 0) return null;
    if (offset + count > this.fileSize) {
      throw new SlideError(
        'CORRUPT_DATA',
        `${blockName(dir, col, row)} lies beyond the end of the file (bytes ${offset} to ${offset + count} of ${this.fileSize}): the file is truncated.`,
        this.path,
      );
    }
    const limit = maxStoredBytes(dir);
    if (count > limit) {
      throw new SlideError(
        'CORRUPT_DATA',
        `${blockName(dir, col, row)} declares ${count} bytes, more than its ${dir.blockWidth} x ${dir.blockHeight} pixels can take compressed with ${codecName(dir.compression)} (${limit}).`,
        this.path,
      );
    }
    return this.file.read(offset, count, 'A tile');
  }
}

/** "Tile 3,1 of image 0", "Strip 7 of image 2": how errors name a block, at the start of a sentence. */
export function blockName(dir: TiffDirectory, col: number, row: number): string {
  return dir.tiled ? `Tile ${col},${row} of image ${dir.index}` : `Strip ${row} of image ${dir.index}`;
}

const CODEC_NAMES: Record<number, string> = {
  [Compression.NONE]: 'no compression',
  [Compression.LZW]: 'LZW',
  [Compression.JPEG]: 'JPEG',
  [Compression.ADOBE_DEFLATE]: 'Deflate',
  [Compression.DEFLATE]: 'Deflate',
  [Compression.PACKBITS]: 'PackBits',
  [Compression.APERIO_J2K_YCBCR]: 'JPEG 2000',
  [Compression.APERIO_J2K_RGB]: 'JPEG 2000',
  [Compression.JPEG2000]: 'JPEG 2000',
  [Compression.ZSTD]: 'ZSTD',
};

function codecName(compression: number): string {
  return CODEC_NAMES[compression] ?? `compression ${compression}`;
}

/** Bytes per value of the field types an offset or byte-count array may have: SHORT, LONG (or IFD), LONG8 (or IFD8). */
const ARRAY_ITEM_SIZE: Readonly<Record<number, 2 | 4 | 8>> = { 3: 2, 4: 4, 13: 4, 16: 8, 18: 8 };

/**
 * The most bytes one stored block can hold: its codec's worst case for the block's decoded size n
 * (width x height x samples, whole rows of bits; strips count their full RowsPerStrip):
 *
 * - none: n, plus 4 KB for writers that pad blocks to a sector or page;
 * - Deflate: zlib's deflateBound without its assumptions on the encoder's settings,
 *   n + n/8 + n/64 + 5, plus 18 for a gzip wrapper: covers stored blocks (n + 5 per 64 KB) and
 *   fixed-Huffman blocks (9 bits for some literals) whatever wrote them;
 * - LZW: at most one code of 12 bits per byte, so 1.5 n, plus a clear code every ~3800 codes and
 *   the first and last codes (n/256 + 64 covers them);
 * - PackBits: n plus one header byte per 128 bytes of each row (TIFF packs rows separately), plus 16;
 * - ZSTD: zstd's ZSTD_compressBound (n + n/256, plus (128 KB - n)/2048 for small n), plus 64;
 * - JPEG and JPEG 2000 (and any other codec): 2 n + 64 KB. libjpeg-turbo's own worst case for a
 *   4:4:4 image (tjBufSize) is 2 n + 2 KB; the 64 KB leaves room for tables and application markers.
 *   JPEG 2000, even lossless on noise, stays well under it (n and a few percent of packet headers).
 */
export function maxStoredBytes(dir: TiffDirectory): number {
  const samples = dir.planarConfiguration === 2 ? 1 : dir.samplesPerPixel;
  const rowBytes = Math.ceil((dir.blockWidth * samples * dir.bitsPerSample) / 8);
  const n = rowBytes * dir.blockHeight;
  switch (dir.compression) {
    case Compression.NONE:
      return n + 4096;
    case Compression.ADOBE_DEFLATE:
    case Compression.DEFLATE:
      return n + Math.ceil(n / 8) + Math.ceil(n / 64) + 5 + 18;
    case Compression.LZW:
      return Math.ceil(n * 1.5) + Math.ceil(n / 256) + 64;
    case Compression.PACKBITS:
      return n + dir.blockHeight * Math.ceil(rowBytes / 128) + 16;
    case Compression.ZSTD:
      return n + Math.floor(n / 256) + (n < 128 * 1024 ? Math.floor((128 * 1024 - n) / 2048) : 0) + 64;
    default:
      return 2 * n + 64 * 1024;
  }
}

const DESCRIPTION_TAG = 270;

/**
 * A metadata tag's value (Software, DateTime, XResolution...: tiff.* properties), or undefined where
 * its value cannot be read (stored past the end of the file, as ifd-chain lets it be): libtiff lets
 * such a tag be too. A failing read of the file itself still fails.
 */
async function metadataValue(ifd: ImageFileDirectory, tag: number): Promise<unknown> {
  if (!ifd.hasTag(tag)) return undefined;
  try {
    return await ifd.loadValue(tag);
  } catch (error) {
    if (typeof (error as NodeJS.ErrnoException | null)?.syscall === 'string') throw error;
    return undefined;
  }
}

async function readDirectory(index: number, ifd: ImageFileDirectory, fileSize: number, path: string, littleEndian: boolean): Promise<TiffDirectory> {
  // Tags are few and small here; loadValue also resolves geotiff's deferred (non-eager) fields.
  const values = new Map<number, unknown>();
  for (const tag of [254, 256, 257, 258, 259, 262, 277, 278, 284, 296, 322, 323]) values.set(tag, await ifd.loadValue(tag));
  const num = (tag: number) => firstNumber(values.get(tag));
  const width = num(256);
  const height = num(257);
  if (!width || !height) throw new SlideError('CORRUPT_DATA', `Image ${index} has no width or height.`, path);
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new SlideError('TOO_LARGE', `Image ${index} declares ${width} x ${height} pixels, more than any slide can have.`, path);
  }
  const tiled = ifd.hasTag(322);
  const blockWidth = tiled ? (num(322) ?? 0) : width;
  const blockHeight = tiled ? (num(323) ?? 0) : Math.min(num(278) ?? height, height);
  if (!blockWidth || !blockHeight) throw new SlideError('CORRUPT_DATA', `Image ${index} has no tile size.`, path);
  if (blockWidth * blockHeight > MAX_BLOCK_PIXELS)
    throw new SlideError('TOO_LARGE', `Image ${index} has tiles of ${blockWidth} x ${blockHeight} pixels.`, path);
  const samplesPerPixel = num(277) ?? 1;
  const planarConfiguration = num(284) ?? 1;
  const blocksAcross = Math.ceil(width / blockWidth);
  const blocksDown = Math.ceil(height / blockHeight);
  const expected = blocksAcross * blocksDown * (planarConfiguration === 2 ? samplesPerPixel : 1);
  const declared = declaredLength(ifd, tiled ? 324 : 273);
  // Each offset takes at least 4 bytes of the file: a count the file cannot hold is a lie.
  if (declared === undefined || declared < expected || declared * 4 > fileSize) {
    throw new SlideError(
      declared !== undefined && declared * 4 > fileSize && expected * 4 > fileSize ? 'TOO_LARGE' : 'CORRUPT_DATA',
      `Image ${index} (${width} x ${height}) does not have the ${expected} tile offsets its size needs.`,
      path,
    );
  }
  const texts = new Map<number, string>();
  for (const [tag] of PROPERTY_TAGS) {
    const value: unknown = tag === DESCRIPTION_TAG ? (ifd.hasTag(tag) ? await ifd.loadValue(tag) : undefined) : await metadataValue(ifd, tag);
    if (typeof value === 'string') texts.set(tag, value);
  }
  const numbers = new Map<number, number>();
  for (const [tag] of DOUBLE_PROPERTY_TAGS) {
    const value = rational(await metadataValue(ifd, tag));
    if (value !== undefined) numbers.set(tag, value);
  }
  const resolutionUnit = num(RESOLUTION_UNIT_TAG);
  if (resolutionUnit !== undefined) numbers.set(RESOLUTION_UNIT_TAG, resolutionUnit);
  const xResolution = numbers.get(282);
  const yResolution = numbers.get(283);
  const tags = tiffTagProperties(texts, numbers);
  const jpegTables = ifd.hasTag(347) ? ((await ifd.loadValue(347)) as Uint8Array | undefined) : undefined;
  return {
    index,
    ifd,
    width,
    height,
    tiled,
    blockWidth,
    blockHeight,
    compression: num(259) ?? 1,
    photometric: num(262) ?? (samplesPerPixel >= 3 ? 2 : 1),
    samplesPerPixel,
    bitsPerSample: num(258) ?? 1,
    planarConfiguration,
    littleEndian,
    newSubfileType: num(254) ?? 0,
    description: tags.ImageDescription,
    jpegTables: jpegTables ? Uint8Array.from(jpegTables) : undefined,
    xResolution,
    yResolution,
    resolutionUnit,
    tags,
    blocksAcross,
    blocksDown,
  };
}
