// A streaming TIFF / BigTIFF writer (little-endian, or big-endian on request) for the synthetic slides.
//
// Pixel data (tiles or strips) is appended to the file as it is produced, in whatever order the
// producer likes (the pyramid builder interleaves levels); only the small per-image offset and
// byte-count arrays stay in memory. Every IFD is written at close(), in the order the images were
// declared with addImage() - which is the order readers see them, independent of where their data
// lies. The header's first-IFD offset is patched last, so a file whose generation died is not a
// valid TIFF (callers write to a temporary name and rename).

import { type FileHandle, open } from 'node:fs/promises';

/** TIFF field types used here (TIFF 6 + BigTIFF's LONG8). */
export const FieldType = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  RATIONAL: 5,
  UNDEFINED: 7,
  SLONG: 9,
  FLOAT: 11,
  LONG8: 16,
} as const;
export type FieldTypeCode = (typeof FieldType)[keyof typeof FieldType];

export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  JPEGTables: 347,
  YCbCrSubsampling: 530,
  SubIFDs: 330,
} as const;

export const Compression = {
  None: 1,
  LZW: 5,
  JPEG: 7,
  Deflate: 8,
  AperioJ2kYCbCr: 33003,
  AperioJ2kRgb: 33005,
} as const;

export const Photometric = { MinIsWhite: 0, MinIsBlack: 1, RGB: 2, YCbCr: 6 } as const;

/** A rational as numerator / denominator, each an unsigned 32-bit integer. */
export type Rational = readonly [number, number];

export interface RawTag {
  tag: number;
  type: FieldTypeCode;
  /** Numbers for the numeric types (pairs flattened for RATIONAL), bytes for BYTE/UNDEFINED/ASCII. */
  values: readonly number[] | Uint8Array;
}

export type ImageLayout = { kind: 'tiles'; tileWidth: number; tileHeight: number } | { kind: 'strips'; rowsPerStrip: number };

export interface ImageSpec {
  width: number;
  height: number;
  compression: number;
  photometric: number;
  layout: ImageLayout;
  /** 0 (default) for a full-resolution image, 1 for reduced resolution, 9 for an Aperio macro. */
  newSubfileType?: number;
  description?: string;
  software?: string;
  /** Shared JPEG quantisation/Huffman tables (SOI ... EOI) for abbreviated JPEG tiles. */
  jpegTables?: Uint8Array;
  ycbcrSubsampling?: readonly [number, number];
  predictor?: number;
  /** 1 (default): samples interleaved; 2: one plane per sample, each tile or strip stored once per plane. */
  planarConfiguration?: 1 | 2;
  resolution?: { x: Rational; y: Rational; unit: 1 | 2 | 3 };
  /** Any further tags; they must not repeat one of the above. */
  extraTags?: readonly RawTag[];
  /** Samples per pixel (default 3; 1 for grey) and bits per sample (default 8; 16 for a fluorescence plane). */
  samplesPerPixel?: number;
  bitsPerSample?: number;
  /** Makes this image a SubIFD of another (tag 330 of that one), out of the IFD chain. */
  subIfdOf?: TiffImage;
}

/** One declared image: its spec and where each of its tiles/strips went. */
export class TiffImage {
  readonly chunksAcross: number;
  readonly chunksDown: number;
  /** Tiles or strips of one plane; with PlanarConfiguration 2, plane p's chunk i is chunk p * chunksPerPlane + i. */
  readonly chunksPerPlane: number;
  readonly chunkCount: number;
  readonly offsets: Float64Array;
  readonly byteCounts: Float64Array;

  constructor(readonly spec: ImageSpec) {
    const { width, height, layout } = spec;
    if (!(width >= 1 && height >= 1) || !Number.isInteger(width) || !Number.isInteger(height)) {
      throw new Error(`bad image size ${width}x${height}`);
    }
    if (layout.kind === 'tiles') {
      if (layout.tileWidth % 16 !== 0 || layout.tileHeight % 16 !== 0) throw new Error('TIFF tile sizes must be multiples of 16');
      this.chunksAcross = Math.ceil(width / layout.tileWidth);
      this.chunksDown = Math.ceil(height / layout.tileHeight);
    } else {
      this.chunksAcross = 1;
      this.chunksDown = Math.ceil(height / layout.rowsPerStrip);
    }
    this.chunksPerPlane = this.chunksAcross * this.chunksDown;
    this.chunkCount = this.chunksPerPlane * (spec.planarConfiguration === 2 ? (spec.samplesPerPixel ?? 3) : 1);
    // The arrays are the only per-chunk memory; refuse sizes that would make them large.
    if (this.chunkCount > 16_000_000) throw new Error(`${this.chunkCount} tiles/strips is too many for this writer`);
    this.offsets = new Float64Array(this.chunkCount);
    this.byteCounts = new Float64Array(this.chunkCount);
  }
}

export interface TiffWriterOptions {
  bigTiff?: boolean;
  /** 'little' (default, II) or 'big' (MM): the byte order of the header and every IFD value. */
  byteOrder?: 'little' | 'big';
  /**
   * Hamamatsu NDPI's classic TIFF past 4 GB: 8-byte first- and next-directory offsets, the other
   * offsets stored as their low 32 bits (readers imply the high bits from the directory's own
   * offset), so each directory's values are written before it.
   */
  ndpi?: boolean;
  /** Bytes left as a hole after the header (a sparse file), to put everything past an offset. */
  gapBytes?: number;
  /** Bytes gathered before a write to disk. */
  bufferSize?: number;
}

const CLASSIC_LIMIT = 2 ** 32;

export class TiffWriter {
  readonly bigTiff: boolean;
  readonly littleEndian: boolean;
  readonly ndpi: boolean;
  private readonly images: TiffImage[] = [];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private pos: number;
  /** Where the pending bytes go in the file. */
  private flushedPos: number;
  /** The header of a file with a gap, written last. */
  private gapHeader: Uint8Array | undefined;
  private closed = false;
  private readonly bufferSize: number;

  private constructor(
    private readonly fh: FileHandle,
    options: TiffWriterOptions,
  ) {
    this.bigTiff = options.bigTiff ?? false;
    this.littleEndian = (options.byteOrder ?? 'little') === 'little';
    this.ndpi = options.ndpi ?? false;
    if (this.ndpi && this.bigTiff) throw new Error('NDPI is classic TIFF');
    this.bufferSize = options.bufferSize ?? 4 << 20;
    // Header with a zero first-IFD offset, patched at close().
    const header = new Uint8Array(this.bigTiff || this.ndpi ? 16 : 8);
    const dv = new DataView(header.buffer);
    const le = this.littleEndian;
    header[0] = le ? 0x49 : 0x4d;
    header[1] = le ? 0x49 : 0x4d;
    if (this.bigTiff) {
      dv.setUint16(2, 43, le);
      dv.setUint16(4, 8, le);
      dv.setUint16(6, 0, le);
    } else {
      dv.setUint16(2, 42, le);
    }
    const gap = options.gapBytes ?? 0;
    if (gap > 0) {
      // The header is written at close(); the hole after it never is.
      this.gapHeader = header;
      this.pos = header.length + gap;
    } else {
      this.pending.push(header);
      this.pendingBytes = header.length;
      this.pos = header.length;
    }
    this.flushedPos = this.pos - this.pendingBytes;
  }

  static async create(path: string, options: TiffWriterOptions = {}): Promise<TiffWriter> {
    const fh = await open(path, 'w');
    return new TiffWriter(fh, options);
  }

  /** Declares an image; IFDs are written in declaration order. */
  addImage(spec: ImageSpec): TiffImage {
    if (this.closed) throw new Error('TIFF writer is closed');
    const image = new TiffImage(spec);
    this.images.push(image);
    return image;
  }

  /** Current end of file (where the next appended bytes go). */
  get position(): number {
    return this.pos;
  }

  /** Appends one tile or strip and records it; empty data leaves offset and count at 0. */
  async writeChunk(image: TiffImage, index: number, data: Uint8Array): Promise<void> {
    if (index < 0 || index >= image.chunkCount || !Number.isInteger(index)) throw new Error(`chunk index ${index} out of range`);
    if (data.length === 0) return;
    // Word-align chunk starts: harmless, and what most writers do.
    if (this.pos % 2 === 1) this.append(new Uint8Array(1));
    image.offsets[index] = this.pos;
    image.byteCounts[index] = data.length;
    this.append(data);
    if (this.pendingBytes >= this.bufferSize) await this.flush();
  }

  /**
   * Appends one tile or strip given in parts (a strip too large to hold at once), and records it:
   * its offset is where the first part went, its byte count the parts' total.
   */
  async writeChunkParts(image: TiffImage, index: number, parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    if (index < 0 || index >= image.chunkCount || !Number.isInteger(index)) throw new Error(`chunk index ${index} out of range`);
    if (this.pos % 2 === 1) this.append(new Uint8Array(1));
    const start = this.pos;
    for await (const part of parts) {
      this.append(part);
      if (this.pendingBytes >= this.bufferSize) await this.flush();
    }
    image.offsets[index] = start;
    image.byteCounts[index] = this.pos - start;
  }

  /** Writes tiles (row-major) from an iterator, e.g. one that encodes them lazily. */
  async writeChunks(image: TiffImage, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    let index = 0;
    for await (const chunk of chunks) await this.writeChunk(image, index++, chunk);
    if (index !== image.chunkCount) throw new Error(`expected ${image.chunkCount} tiles/strips, got ${index}`);
  }

  /** Writes the IFDs, patches the header and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.images.length === 0) throw new Error('a TIFF needs at least one image');
      this.alignTo(this.bigTiff ? 8 : 2);
      // Lay every IFD block out first so each can point at the next: the chain's images, then the
      // SubIFDs (whose offsets their parents list: a block's size does not depend on them).
      const chain = this.images.filter((image) => !image.spec.subIfdOf);
      const ordered = [...chain, ...this.images.filter((image) => image.spec.subIfdOf)];
      const childrenOf = (image: TiffImage) => this.images.filter((c) => c.spec.subIfdOf === image);
      let at = this.pos;
      const starts = new Map<TiffImage, number>();
      for (const image of ordered) {
        starts.set(image, at);
        at += this.buildIfdBlock(
          image,
          childrenOf(image).map(() => 0),
        ).size;
        at += at % 2;
      }
      // Final blocks, SubIFDs before the images that list them, so that each can point at the IFDs
      // (an NDPI block's IFD follows its values).
      const blocks = new Map<TiffImage, IfdBlock>();
      const ifdAt = new Map<TiffImage, number>();
      for (const image of [...ordered].reverse()) {
        const block = this.buildIfdBlock(
          image,
          childrenOf(image).map((c) => ifdAt.get(c)!),
        );
        blocks.set(image, block);
        ifdAt.set(image, block.ifdStart(starts.get(image)!));
      }
      for (const image of ordered) {
        const next = image.spec.subIfdOf ? undefined : chain[chain.indexOf(image) + 1];
        this.append(blocks.get(image)!.serialize(starts.get(image)!, next ? ifdAt.get(next)! : 0));
        if (this.pos % 2 === 1) this.append(new Uint8Array(1));
      }
      this.checkOffset(this.pos);
      await this.flush();
      if (this.gapHeader) await this.fh.write(this.gapHeader, 0, this.gapHeader.length, 0);
      // Patch the first-IFD offset (NDPI: 8 bytes in a classic header).
      const wide = this.bigTiff || this.ndpi;
      const patch = new Uint8Array(wide ? 8 : 4);
      const dv = new DataView(patch.buffer);
      if (wide) dv.setBigUint64(0, BigInt(ifdAt.get(chain[0]!)!), this.littleEndian);
      else dv.setUint32(0, ifdAt.get(chain[0]!)!, this.littleEndian);
      await this.fh.write(patch, 0, patch.length, this.bigTiff ? 8 : 4);
    } finally {
      this.closed = true;
      await this.fh.close();
    }
  }

  /** Closes the file without making it a valid TIFF (after an error). */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    await this.fh.close();
  }

  private append(data: Uint8Array): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.pos += data.length;
  }

  private alignTo(n: number): void {
    const pad = (n - (this.pos % n)) % n;
    if (pad) this.append(new Uint8Array(pad));
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    // writev writes at the current file position, which is the end: the file is only appended to.
    let remaining: Uint8Array[] = chunks;
    while (remaining.length > 0) {
      const batch = remaining.slice(0, 512);
      remaining = remaining.slice(512);
      const total = batch.reduce((n, c) => n + c.length, 0);
      const { bytesWritten } = await this.fh.writev(batch, this.flushedPos);
      if (bytesWritten !== total) throw new Error('short write');
      this.flushedPos += total;
    }
  }

  private checkOffset(offset: number): void {
    if (!this.bigTiff && !this.ndpi && offset >= CLASSIC_LIMIT) {
      throw new Error('file exceeds 4 GiB: classic TIFF cannot address it; use bigTiff');
    }
  }

  private buildIfdBlock(image: TiffImage, subIfds: readonly number[]): IfdBlock {
    const tags = imageTags(image, this.bigTiff, subIfds);
    for (let i = 0; i < image.chunkCount; i++) this.checkOffset(image.offsets[i]!);
    return new IfdBlock(tags, this.bigTiff, this.littleEndian, this.ndpi);
  }
}

function shortOrLong(tag: number, value: number): RawTag {
  return { tag, type: value < 65536 ? FieldType.SHORT : FieldType.LONG, values: [value] };
}

/** The tags of one image, sorted as TIFF requires. */
function imageTags(image: TiffImage, bigTiff: boolean, subIfds: readonly number[]): RawTag[] {
  const s = image.spec;
  const tags: RawTag[] = [];
  tags.push({ tag: Tag.NewSubfileType, type: FieldType.LONG, values: [s.newSubfileType ?? 0] });
  tags.push(shortOrLong(Tag.ImageWidth, s.width));
  tags.push(shortOrLong(Tag.ImageLength, s.height));
  const samples = s.samplesPerPixel ?? 3;
  tags.push({ tag: Tag.BitsPerSample, type: FieldType.SHORT, values: new Array<number>(samples).fill(s.bitsPerSample ?? 8) });
  tags.push({ tag: Tag.Compression, type: FieldType.SHORT, values: [s.compression] });
  tags.push({ tag: Tag.PhotometricInterpretation, type: FieldType.SHORT, values: [s.photometric] });
  if (s.description !== undefined) tags.push({ tag: Tag.ImageDescription, type: FieldType.ASCII, values: ascii(s.description) });
  tags.push({ tag: Tag.SamplesPerPixel, type: FieldType.SHORT, values: [samples] });
  tags.push({ tag: Tag.PlanarConfiguration, type: FieldType.SHORT, values: [s.planarConfiguration ?? 1] });
  if (s.software !== undefined) tags.push({ tag: Tag.Software, type: FieldType.ASCII, values: ascii(s.software) });
  if (s.predictor !== undefined) tags.push({ tag: Tag.Predictor, type: FieldType.SHORT, values: [s.predictor] });
  if (s.resolution) {
    tags.push({ tag: Tag.XResolution, type: FieldType.RATIONAL, values: [...s.resolution.x] });
    tags.push({ tag: Tag.YResolution, type: FieldType.RATIONAL, values: [...s.resolution.y] });
    tags.push({ tag: Tag.ResolutionUnit, type: FieldType.SHORT, values: [s.resolution.unit] });
  }
  const offsetType = bigTiff ? FieldType.LONG8 : FieldType.LONG;
  const offsets = Array.from(image.offsets);
  const counts = Array.from(image.byteCounts);
  if (s.layout.kind === 'tiles') {
    tags.push(shortOrLong(Tag.TileWidth, s.layout.tileWidth));
    tags.push(shortOrLong(Tag.TileLength, s.layout.tileHeight));
    tags.push({ tag: Tag.TileOffsets, type: offsetType, values: offsets });
    tags.push({ tag: Tag.TileByteCounts, type: FieldType.LONG, values: counts });
  } else {
    tags.push({ tag: Tag.StripOffsets, type: offsetType, values: offsets });
    tags.push(shortOrLong(Tag.RowsPerStrip, s.layout.rowsPerStrip));
    tags.push({ tag: Tag.StripByteCounts, type: FieldType.LONG, values: counts });
  }
  if (s.jpegTables) tags.push({ tag: Tag.JPEGTables, type: FieldType.UNDEFINED, values: s.jpegTables });
  if (s.ycbcrSubsampling) tags.push({ tag: Tag.YCbCrSubsampling, type: FieldType.SHORT, values: [...s.ycbcrSubsampling] });
  if (subIfds.length > 0) tags.push({ tag: Tag.SubIFDs, type: bigTiff ? FieldType.LONG8 : FieldType.LONG, values: subIfds });
  for (const t of s.extraTags ?? []) tags.push(t);
  tags.sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < tags.length; i++) {
    if (tags[i]!.tag === tags[i - 1]!.tag) throw new Error(`tag ${tags[i]!.tag} given twice`);
  }
  return tags;
}

/** A TIFF ASCII value: 7-bit text and its terminating NUL. */
export function ascii(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new Error('TIFF ASCII fields take 7-bit text only');
    bytes[i] = c;
  }
  return bytes;
}

const TYPE_SIZE: Record<FieldTypeCode, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 11: 4, 16: 8 };

function valueCount(t: RawTag): number {
  return t.type === FieldType.RATIONAL ? t.values.length / 2 : t.values.length;
}

function encodeValues(t: RawTag, le: boolean): Uint8Array {
  const size = TYPE_SIZE[t.type];
  const n = valueCount(t);
  const out = new Uint8Array(size * n);
  if (t.values instanceof Uint8Array) {
    if (size !== 1) throw new Error(`tag ${t.tag}: byte values for a ${size}-byte type`);
    out.set(t.values);
    return out;
  }
  const dv = new DataView(out.buffer);
  const v = t.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (t.type === FieldType.FLOAT) {
      dv.setFloat32(i * 4, x, le);
      continue;
    }
    if (t.type === FieldType.SLONG) {
      if (!Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31) throw new Error(`tag ${t.tag}: ${x} does not fit an SLONG`);
      dv.setInt32(i * 4, x, le);
      continue;
    }
    if (!Number.isInteger(x) || x < 0) throw new Error(`tag ${t.tag}: value ${x} is not an unsigned integer`);
    switch (t.type) {
      case FieldType.BYTE:
      case FieldType.ASCII:
      case FieldType.UNDEFINED:
        out[i] = x;
        break;
      case FieldType.SHORT:
        if (x > 0xffff) throw new Error(`tag ${t.tag}: ${x} does not fit a SHORT`);
        dv.setUint16(i * 2, x, le);
        break;
      case FieldType.LONG:
      case FieldType.RATIONAL:
        if (x > 0xffffffff) throw new Error(`tag ${t.tag}: ${x} does not fit a LONG`);
        dv.setUint32(i * 4, x, le);
        break;
      case FieldType.LONG8:
        dv.setBigUint64(i * 8, BigInt(x), le);
        break;
    }
  }
  return out;
}

/**
 * One IFD plus the out-of-line values it points at, laid out as [IFD][values...] - or, for NDPI,
 * [values...][IFD], since OpenSlide 3.4.1 takes a value's high offset bits to be its directory's,
 * less one when that would put the value after the directory. NDPI also records those high bits
 * after the IFD, where newer readers (tifffile, OpenSlide 4) take them from.
 */
class IfdBlock {
  readonly size: number;
  private readonly encoded: Uint8Array[];
  private readonly entrySize: number;
  private readonly inlineSize: number;
  private readonly headSize: number;
  private readonly valuesSize: number;

  constructor(
    private readonly tags: RawTag[],
    private readonly bigTiff: boolean,
    private readonly le: boolean,
    private readonly ndpi: boolean,
  ) {
    this.entrySize = bigTiff ? 20 : 12;
    this.inlineSize = bigTiff ? 8 : 4;
    // NDPI: an 8-byte next offset, then the high 32 bits of each entry's value or offset.
    this.headSize = bigTiff ? 8 + tags.length * 20 + 8 : 2 + tags.length * 12 + (ndpi ? 8 + 4 * tags.length : 4);
    // NDPI stores the low 32 bits of LONG values (offsets) past 4 GB.
    this.encoded = tags.map((t) =>
      encodeValues(ndpi && t.type === FieldType.LONG && !(t.values instanceof Uint8Array) ? { ...t, values: t.values.map((v) => v % CLASSIC_LIMIT) } : t, le),
    );
    let values = 0;
    for (const e of this.encoded) {
      if (e.length > this.inlineSize) values += e.length + (e.length % 2);
    }
    this.valuesSize = values;
    this.size = this.headSize + values;
  }

  /** Where the IFD itself starts in a block written at `start`. */
  ifdStart(start: number): number {
    return this.ndpi ? start + this.valuesSize : start;
  }

  /** The block's bytes when written at `start`, its IFD pointing at the IFD at `next` (0: none). */
  serialize(start: number, next: number): Uint8Array {
    const out = new Uint8Array(this.size);
    const dv = new DataView(out.buffer);
    let p = this.ifdStart(start) - start;
    if (this.bigTiff) {
      dv.setBigUint64(0, BigInt(this.tags.length), this.le);
      p = 8;
    } else {
      dv.setUint16(p, this.tags.length, this.le);
      p += 2;
    }
    let extra = this.ndpi ? 0 : this.headSize;
    const highs: number[] = [];
    for (let i = 0; i < this.tags.length; i++) {
      const t = this.tags[i]!;
      const bytes = this.encoded[i]!;
      dv.setUint16(p, t.tag, this.le);
      dv.setUint16(p + 2, t.type, this.le);
      if (this.bigTiff) dv.setBigUint64(p + 4, BigInt(valueCount(t)), this.le);
      else dv.setUint32(p + 4, valueCount(t), this.le);
      const valueAt = p + (this.bigTiff ? 12 : 8);
      if (bytes.length <= this.inlineSize) {
        out.set(bytes, valueAt);
        // A lone offset (StripOffsets of one strip) past 4 GB: its high bits.
        if (this.ndpi && t.type === FieldType.LONG && t.values.length === 1) highs.push(Math.floor((t.values[0] as number) / CLASSIC_LIMIT));
        else highs.push(0);
      } else {
        out.set(bytes, extra);
        if (this.bigTiff) dv.setBigUint64(valueAt, BigInt(start + extra), this.le);
        else dv.setUint32(valueAt, (start + extra) % CLASSIC_LIMIT, this.le);
        highs.push(Math.floor((start + extra) / CLASSIC_LIMIT));
        extra += bytes.length + (bytes.length % 2);
      }
      p += this.entrySize;
    }
    if (this.bigTiff || this.ndpi) dv.setBigUint64(p, BigInt(next), this.le);
    else dv.setUint32(p, next, this.le);
    if (this.ndpi) {
      for (const [i, high] of highs.entries()) dv.setUint32(p + 8 + 4 * i, high, this.le);
    }
    return out;
  }
}
