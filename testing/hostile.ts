// Hostile slides for the tests, made at test time: files whose declared sizes are honest but whose
// data is built to make a reader allocate without bound.

import { readFile, truncate, writeFile } from 'node:fs/promises';
import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { MsbBitWriter } from '../electron/synth/lzw';
import { Compression, Photometric, type TiffImage, TiffWriter } from '../electron/synth/tiff-writer';
import { createCodec } from '../electron/synth/tile-codecs';

/**
 * A zlib stream of `inflatedBytes` zero bytes (a multiple of 16 MiB), about a thousandth of that
 * size, made in milliseconds: one 16 MiB block compressed with a full flush (so it stands alone)
 * repeated, an empty final block, and the Adler-32 of that many zeros (a = 1, b = n mod 65521).
 */
export function zlibZeros(inflatedBytes: number): Uint8Array {
  const chunk = 16 * 2 ** 20;
  if (inflatedBytes % chunk !== 0) throw new Error('inflatedBytes must be a multiple of 16 MiB');
  const block = deflateRawSync(Buffer.alloc(chunk), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const count = inflatedBytes / chunk;
  const out = new Uint8Array(2 + block.length * count + 2 + 4);
  out.set([0x78, 0xda], 0);
  for (let i = 0; i < count; i++) out.set(block, 2 + i * block.length);
  let at = 2 + block.length * count;
  out.set([0x03, 0x00], at); // a final fixed-Huffman block holding only its end
  at += 2;
  const adler = ((inflatedBytes % 65521) * 65536 + 1) >>> 0;
  new DataView(out.buffer).setUint32(at, adler, false);
  return out;
}

/** A 512 x 512 generic TIFF of four 256 x 256 Deflate tiles, each of which inflates to `inflatedBytes`. */
export async function writeDeflateBomb(path: string, inflatedBytes: number): Promise<void> {
  const writer = await TiffWriter.create(path);
  const image = writer.addImage({
    width: 512,
    height: 512,
    compression: Compression.Deflate,
    photometric: Photometric.RGB,
    layout: { kind: 'tiles', tileWidth: 256, tileHeight: 256 },
  });
  const tile = zlibZeros(inflatedBytes);
  await writer.writeChunks(image, [tile, tile, tile, tile]);
  await writer.close();
}

// ---------------------------------------------------------------------------------------------
// Bombs for the other codecs, each made from its format's own structure in milliseconds.

/**
 * A TIFF LZW stream (MSB-first, early change, as libtiff) of at least `inflatedBytes` zero bytes: after each
 * clear code a literal 0, then codes 258, 259, ... each the string just defined plus one more zero
 * (2, 3, ... 3837 bytes), so one table's worth of ~5.6 KB decodes to 7.4 MB.
 */
export function lzwZeros(inflatedBytes: number): Uint8Array {
  const bytes: number[] = [];
  const writer = new MsbBitWriter((byte) => bytes.push(byte));
  const put = (code: number, nbits: number): void => writer.put(code, nbits);
  let produced = 0;
  let nbits = 9;
  let next = 258;
  put(256, nbits);
  put(0, nbits);
  produced = 1;
  let length = 1; // of the last string written
  while (produced < inflatedBytes) {
    put(next, nbits); // the previous string and its first byte: one zero more
    length++;
    produced += length;
    next++;
    if (next === 4094) {
      put(256, nbits);
      nbits = 9;
      next = 258;
      put(0, nbits);
      produced++;
      length = 1;
    } else if (next + 1 >= 1 << nbits) {
      nbits++;
    }
  }
  put(257, nbits);
  writer.flush();
  return Uint8Array.from(bytes);
}

/** PackBits of `inflatedBytes` zero bytes: a repeat run of 128 in every two bytes (64:1). */
export function packBitsZeros(inflatedBytes: number): Uint8Array {
  const runs = Math.ceil(inflatedBytes / 128);
  const out = new Uint8Array(runs * 2);
  for (let i = 0; i < runs; i++) out[i * 2] = 0x81; // -127: the next byte 128 times
  return out;
}

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A ZSTD frame header: no Frame_Content_Size (a 128 KB window) or a declared one (8 bytes). */
function zstdHeader(declaredSize: number | null): number[] {
  if (declaredSize === null) return [...ZSTD_MAGIC, 0x00, 7 << 3];
  const fcs: number[] = [];
  for (let i = 0, v = declaredSize; i < 8; i++, v = Math.floor(v / 256)) fcs.push(v % 256);
  return [...ZSTD_MAGIC, 0xc0, 7 << 3, ...fcs];
}

function zstdBlockHeader(last: boolean, type: 0 | 1, size: number): number[] {
  const v = size * 8 + type * 2 + (last ? 1 : 0);
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
}

/**
 * A ZSTD frame of `inflatedBytes` zero bytes: RLE blocks of 128 KB, 4 bytes each (32768:1). With
 * `declare`, its header also declares that size (Frame_Content_Size); without, it declares nothing.
 */
export function zstdZeros(inflatedBytes: number, declare: boolean): Uint8Array {
  const block = 128 * 1024;
  const out: number[] = zstdHeader(declare ? inflatedBytes : null);
  for (let left = inflatedBytes; left > 0; left -= block) {
    out.push(...zstdBlockHeader(left <= block, 1, Math.min(block, left)), 0);
  }
  return Uint8Array.from(out);
}

/** A valid ZSTD frame holding `data` as raw blocks (no compression: zstd's format with nothing to undo). */
export function zstdStored(data: Uint8Array): Uint8Array {
  const block = 128 * 1024;
  const parts: Uint8Array[] = [Uint8Array.from(zstdHeader(data.length))];
  for (let at = 0; at < data.length || at === 0; at += block) {
    const chunk = data.subarray(at, Math.min(data.length, at + block));
    parts.push(Uint8Array.from(zstdBlockHeader(at + block >= data.length, 0, chunk.length)), chunk);
    if (data.length === 0) break;
  }
  return Buffer.concat(parts);
}

/** Sets a JPEG's frame size (its SOFn), leaving the scan as it is. */
export function withJpegFrameSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(jpeg);
  for (let p = 2; p + 9 < out.length; ) {
    const marker = out[p + 1]!;
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], p + 5);
      return out;
    }
    p += 2 + ((out[p + 2]! << 8) | out[p + 3]!);
  }
  throw new Error('no frame header');
}

/** Sets a J2K codestream's image and tile size (Xsiz, Ysiz, XTsiz, YTsiz in its SIZ), leaving the tile-parts. */
export function withJ2kSize(codestream: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(codestream);
  if (out[2] !== 0xff || out[3] !== 0x51) throw new Error('no SIZ after SOC');
  const view = new DataView(out.buffer);
  view.setUint32(8, width);
  view.setUint32(12, height);
  view.setUint32(24, width);
  view.setUint32(28, height);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hostile slides: 512 x 512 generic TIFFs of four 256 x 256 RGB tiles.

export type HostileCodec = 'deflate' | 'lzw' | 'packbits' | 'zstd' | 'jpeg' | 'jpeg2000';

/**
 * - `ordinary`: the control, four ordinary tiles (tilePixels 0 to 3) in the codec;
 * - `bomb`: each tile decompresses far beyond its 196,608 bytes, from a byte count its codec could
 *   honestly need (so only a bound while decoding stops it);
 * - `lying-count`: ordinary tiles whose byte counts claim 64 MB each (the file is sparse);
 * - `one-huge-blob`: every tile points at one 200 MB run of the file (sparse zeros);
 * - `large-frame`: the tile's own header declares more than its tile (JPEG SOF, J2K SIZ, a ZSTD
 *   frame's content size).
 */
export type HostileKind = 'ordinary' | 'bomb' | 'lying-count' | 'one-huge-blob' | 'large-frame';

export const HOSTILE_CODECS: readonly HostileCodec[] = ['deflate', 'lzw', 'packbits', 'zstd', 'jpeg', 'jpeg2000'];

/** Every hostile slide the codecs have (`ordinary` aside). */
export const HOSTILE_CASES: ReadonlyArray<readonly [HostileCodec, Exclude<HostileKind, 'ordinary'>]> = [
  ['deflate', 'bomb'],
  ['deflate', 'lying-count'],
  ['deflate', 'one-huge-blob'],
  ['lzw', 'bomb'],
  ['lzw', 'lying-count'],
  ['lzw', 'one-huge-blob'],
  ['packbits', 'bomb'],
  ['packbits', 'lying-count'],
  ['packbits', 'one-huge-blob'],
  ['zstd', 'bomb'],
  ['zstd', 'large-frame'],
  ['zstd', 'lying-count'],
  ['zstd', 'one-huge-blob'],
  ['jpeg', 'large-frame'],
  ['jpeg', 'lying-count'],
  ['jpeg', 'one-huge-blob'],
  ['jpeg2000', 'large-frame'],
  ['jpeg2000', 'lying-count'],
  ['jpeg2000', 'one-huge-blob'],
];

const MB = 2 ** 20;

export const HOSTILE_TILE = 256;
const TILE = HOSTILE_TILE;

/** The pixels of ordinary tile `index` (0 to 3, row-major): 256 x 256 RGB, gradients with some texture. */
export function tilePixels(index: number): Uint8Array {
  const rgb = new Uint8Array(TILE * TILE * 3);
  for (let y = 0, p = 0; y < TILE; y++) {
    for (let x = 0; x < TILE; x++, p += 3) {
      rgb[p] = (x + index * 40) & 0xff;
      rgb[p + 1] = (y * 2 + ((x * y) >> 6)) & 0xff;
      rgb[p + 2] = (x ^ y) & 0xff;
    }
  }
  return rgb;
}

interface TileSet {
  compression: number;
  photometric: number;
  jpegTables?: Uint8Array;
  tiles: Uint8Array[];
}

/** Four ordinary tiles in `codec`. */
async function ordinaryTiles(codec: HostileCodec): Promise<TileSet> {
  const pixels = [0, 1, 2, 3].map(tilePixels);
  switch (codec) {
    case 'deflate':
      return { compression: Compression.Deflate, photometric: Photometric.RGB, tiles: pixels.map((p) => deflateSync(p)) };
    case 'lzw': {
      const codec = await createCodec({ kind: 'lzw', predictor: false });
      return { compression: codec.compression, photometric: codec.photometric, tiles: await Promise.all(pixels.map((p) => codec.encode(p, TILE, TILE))) };
    }
    case 'packbits':
      // All literal runs: what PackBits makes of data that does not repeat.
      return { compression: 32773, photometric: Photometric.RGB, tiles: pixels.map(packBitsLiteral) };
    case 'zstd':
      return { compression: 50000, photometric: Photometric.RGB, tiles: pixels.map(zstdStored) };
    case 'jpeg': {
      const codec = await createCodec({ kind: 'jpeg', quality: 80, photometric: 'ycbcr' });
      const tiles = await Promise.all(pixels.map((p) => codec.encode(p, TILE, TILE)));
      return { compression: codec.compression, photometric: codec.photometric, jpegTables: codec.jpegTables!, tiles };
    }
    case 'jpeg2000': {
      const codec = await createCodec({ kind: 'jpeg2000', colour: 'rgb' });
      return { compression: codec.compression, photometric: codec.photometric, tiles: await Promise.all(pixels.map((p) => codec.encode(p, TILE, TILE))) };
    }
  }
}

export function packBitsLiteral(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at < data.length; at += 128) {
    const run = data.subarray(at, Math.min(data.length, at + 128));
    out.push(run.length - 1, ...run);
  }
  return Uint8Array.from(out);
}

/** How far each bomb inflates, per tile: far beyond the tile's 196,608 bytes, from a byte count the codec could need. */
export const BOMB_BYTES: Readonly<Record<'deflate' | 'lzw' | 'packbits' | 'zstd', number>> = {
  deflate: 128 * MB, // ~130 KB of zlib
  lzw: 128 * MB, // ~100 KB of LZW
  packbits: 12 * MB, // 192 KB of PackBits (its ratio is at most 64:1)
  zstd: 1024 * MB, // 32 KB of RLE blocks
};

async function hostileTiles(codec: HostileCodec, kind: HostileKind): Promise<TileSet> {
  const base = await ordinaryTiles(codec);
  if (kind === 'bomb') {
    const bomb =
      codec === 'deflate'
        ? zlibZeros(BOMB_BYTES.deflate)
        : codec === 'lzw'
          ? lzwZeros(BOMB_BYTES.lzw)
          : codec === 'packbits'
            ? packBitsZeros(BOMB_BYTES.packbits)
            : codec === 'zstd'
              ? zstdZeros(BOMB_BYTES.zstd, false)
              : null;
    if (!bomb) throw new Error(`no ${codec} bomb: its bomb is a large frame`);
    return { ...base, tiles: [bomb, bomb, bomb, bomb] };
  }
  if (kind === 'large-frame') {
    // 8000 x 8000 RGB: 192 MB a tile for a decoder that believes it.
    const size = 8000;
    const tiles =
      codec === 'jpeg'
        ? base.tiles.map((t) => withJpegFrameSize(t, size, size))
        : codec === 'jpeg2000'
          ? base.tiles.map((t) => withJ2kSize(t, size, size))
          : codec === 'zstd'
            ? base.tiles.map(() => zstdZeros(size * size * 3, true))
            : null;
    if (!tiles) throw new Error(`${codec} tiles have no frame header`);
    return { ...base, tiles };
  }
  return base;
}

export interface HostileSlide {
  path: string;
  codec: HostileCodec;
  kind: HostileKind;
  /** The file's size on disk as it appears (sparse files are larger than what they hold). */
  apparentBytes: number;
}

/** Writes one hostile 512 x 512 slide of four 256 x 256 tiles (see HostileKind). */
export async function writeHostileSlide(path: string, codec: HostileCodec, kind: HostileKind): Promise<HostileSlide> {
  const set = await hostileTiles(codec, kind);
  const writer = await TiffWriter.create(path);
  const image: TiffImage = writer.addImage({
    width: 2 * TILE,
    height: 2 * TILE,
    compression: set.compression,
    photometric: set.photometric,
    layout: { kind: 'tiles', tileWidth: TILE, tileHeight: TILE },
    ...(set.jpegTables ? { jpegTables: set.jpegTables } : {}),
  });
  await writer.writeChunks(image, set.tiles);
  // The file's data ends under 4 MB: the sparse run the lies point into starts after it.
  const sparseAt = 4 * MB;
  let apparentBytes = 0;
  if (kind === 'lying-count') {
    for (let i = 0; i < 4; i++) image.byteCounts[i] = 64 * MB;
    apparentBytes = image.offsets[3]! + 64 * MB;
  } else if (kind === 'one-huge-blob') {
    for (let i = 0; i < 4; i++) {
      image.offsets[i] = sparseAt;
      image.byteCounts[i] = 200 * MB;
    }
    apparentBytes = sparseAt + 200 * MB;
  }
  await writer.close();
  if (apparentBytes > 0) await truncate(path, apparentBytes); // a hole: no disk, reads as zeros
  return { path, codec, kind, apparentBytes };
}

// ---- Hostile structure: files whose directories, not their tile data, are the attack ----------

type RawEntry = readonly [tag: number, type: 3 | 4, count: number, value: number];

/** A little-endian classic TIFF of IFDs laid one after another (each `next` an IFD index, or null). */
function rawTiff(ifds: ReadonlyArray<{ entries: readonly RawEntry[]; next: number | null }>, tail = 0): Uint8Array {
  const sizes = ifds.map((ifd) => 2 + ifd.entries.length * 12 + 4);
  const at: number[] = [];
  let pos = 8;
  for (const size of sizes) {
    at.push(pos);
    pos += size;
  }
  const out = new Uint8Array(pos + tail);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0], 0);
  view.setUint32(4, at[0] ?? 0, true);
  ifds.forEach((ifd, i) => {
    let p = at[i]!;
    view.setUint16(p, ifd.entries.length, true);
    p += 2;
    for (const [tag, type, count, value] of [...ifd.entries].sort((a, b) => a[0] - b[0])) {
      view.setUint16(p, tag, true);
      view.setUint16(p + 2, type, true);
      view.setUint32(p + 4, count, true);
      if (type === 3 && count === 1) view.setUint16(p + 8, value, true);
      else view.setUint32(p + 8, value, true);
      p += 12;
    }
    view.setUint32(p, ifd.next === null ? 0 : at[ifd.next]!, true);
  });
  return out;
}

const SHORT = 3;
const LONG = 4;

function tiledImage(width: number, height: number, tile: number, tiles: number, offsetsAt: number): RawEntry[] {
  return [
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, 1, 8],
    [259, SHORT, 1, 1],
    [262, SHORT, 1, 1],
    [277, SHORT, 1, 1],
    [322, LONG, 1, tile],
    [323, LONG, 1, tile],
    [324, LONG, tiles, offsetsAt],
    [325, LONG, tiles, offsetsAt],
  ];
}

export const STRUCTURE_CASES = ['ifd-chain-100k', 'ifd-loop', 'subifd-loop', 'tiles-1e8', 'width-2e31-1px-tiles'] as const;
export type StructureCase = (typeof STRUCTURE_CASES)[number];

/** Writes a file whose structure is hostile: 10^5 chained IFDs, IFD and SubIFD loops, 10^8 declared tiles, a 2^31-pixel-wide level. */
export async function writeHostileStructure(path: string, kind: StructureCase): Promise<void> {
  let bytes: Uint8Array;
  switch (kind) {
    case 'ifd-chain-100k':
      bytes = rawTiff(Array.from({ length: 100_000 }, (_, i) => ({ entries: tiledImage(16, 16, 16, 1, 0), next: i + 1 < 100_000 ? i + 1 : null })));
      break;
    case 'ifd-loop':
      bytes = rawTiff([
        { entries: tiledImage(16, 16, 16, 1, 0), next: 1 },
        { entries: tiledImage(16, 16, 16, 1, 0), next: 0 },
      ]);
      break;
    case 'subifd-loop': {
      // SubIFDs (tag 330) naming the IFD itself.
      bytes = rawTiff([{ entries: [...tiledImage(16, 16, 16, 1, 0), [330, LONG, 1, 8]], next: null }]);
      break;
    }
    case 'tiles-1e8':
      bytes = rawTiff([{ entries: tiledImage(160_000, 160_000, 16, 100_000_000, 8), next: null }]);
      break;
    case 'width-2e31-1px-tiles':
      bytes = rawTiff([{ entries: tiledImage(2 ** 31 - 1, 1, 1, 2 ** 31 - 1, 8), next: null }]);
      break;
  }
  await writeFile(path, bytes);
}

/** A copy of `source` with `count` bytes past its first 8 replaced by seeded random ones. */
export async function writeByteFlips(source: string, path: string, seed: number, count: number): Promise<void> {
  const bytes = new Uint8Array(await readFile(source));
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < count; i++) bytes[8 + Math.floor(next() * (bytes.length - 8))] = Math.floor(next() * 256);
  await writeFile(path, bytes);
}
