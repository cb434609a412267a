// Decoders for the lossless TIFF compressions whose output is bounded by the block's size while they
// decode: a tile can never make them write more than width x height x samples x bytes per sample.
// geotiff's own decode without a bound (pako for Deflate, growing JS arrays for LZW and PackBits,
// zstddec sized by the frame's own header or streamed for ZSTD): a 2 MB tile that inflates to 2 GB
// took the engine to gigabytes. These replace them in geotiff's registry (codecs/registry.ts).
//
// Each extends geotiff's BaseDecoder and overrides decodeBlock; BaseDecoder.decode applies the
// predictor as geotiff does, except Predictor 2 on 8-bit samples, undone here (in the WebAssembly
// kernel). A block that decodes to fewer bytes than its size comes back zero-filled to its size (the
// pipeline reads every block as full size; geotiff's pako was as lenient with a stream cut short):
// only a block that would run past its size is an error.

import { constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { BaseDecoder } from 'geotiff';
import { SlideError } from '../errors';
import { type LzwFailure, lzwDecodeWasm, unpredict8Wasm } from '../wasm/pixel-kernels';

/** What our decoders read from the parameters registry.ts gives them. */
export interface BlockParameters {
  tileWidth: number;
  tileHeight: number;
  samplesPerPixel: number;
  /** Bits of one sample (8 for every image the engine decodes). */
  bitsPerSample: number[];
  planarConfiguration: number;
}

/** The bytes one decoded block holds: width x height x samples per pixel x bytes per sample (whole rows of bits). */
export function blockBytes(params: BlockParameters): number {
  const bits = params.bitsPerSample[0] ?? 8;
  const samples = params.planarConfiguration === 2 ? 1 : params.samplesPerPixel;
  return Math.ceil((params.tileWidth * samples * bits) / 8) * params.tileHeight;
}

export function overflow(codec: string, limit: number): SlideError {
  return new SlideError('CORRUPT_DATA', `its ${codec} data decompresses to more than its tile's ${limit} bytes`);
}

function corrupt(reason: string): SlideError {
  return new SlideError('CORRUPT_DATA', reason);
}

/** `out` as an ArrayBuffer of exactly `size` bytes: itself when it is that already, else a zero-filled copy. */
function exactly(out: Uint8Array, size: number): ArrayBuffer {
  if (out.byteOffset === 0 && out.byteLength === size && out.buffer.byteLength === size && out.buffer instanceof ArrayBuffer) return out.buffer;
  const padded = new Uint8Array(size);
  padded.set(out.subarray(0, Math.min(size, out.length)));
  return padded.buffer;
}

abstract class BoundedDecoder extends BaseDecoder {
  protected get limit(): number {
    return blockBytes(this.parameters as unknown as BlockParameters);
  }

  /** geotiff's decode, but Predictor 2 on 8-bit samples undone here: geotiff's loop took a third of an LZW block's time. */
  override async decode(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const params = this.parameters as unknown as BlockParameters & { predictor: number };
    if (params.predictor !== 2 || (params.bitsPerSample[0] ?? 8) !== 8) return super.decode(buffer);
    const decoded = await this.decodeBlock(buffer);
    const samples = params.planarConfiguration === 2 ? 1 : params.samplesPerPixel;
    undoPredictor8(new Uint8Array(decoded), params.tileWidth * samples, samples);
    return decoded;
  }
}

/** TIFF Predictor 2 on 8-bit samples, in place: in each row of `rowBytes`, each byte plus the one `stride` before it. */
export function undoPredictor8(data: Uint8Array, rowBytes: number, stride: number): void {
  if (unpredict8Wasm(data, rowBytes, stride)) return;
  for (let row = 0; row + rowBytes <= data.length; row += rowBytes) {
    for (let i = row + stride; i < row + rowBytes; i++) data[i] = (data[i]! + data[i - stride]!) & 255;
  }
}

// ---------------------------------------------------------------------------------------------
// No compression (1): the stored bytes, zero-filled to the block's size when there are fewer.

export class BoundedRawDecoder extends BoundedDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const limit = this.limit;
    return buffer.byteLength >= limit ? buffer : exactly(new Uint8Array(buffer), limit);
  }
}

// ---------------------------------------------------------------------------------------------
// Deflate (8, 32946)

/** A zlib header: CM 8, a window of at most 32 KB, and the check bits. */
function isZlib(data: Uint8Array): boolean {
  return data.length >= 2 && (data[0]! & 0x0f) === 8 && data[0]! >> 4 <= 7 && ((data[0]! << 8) | data[1]!) % 31 === 0;
}

/**
 * Inflates a TIFF Deflate block (zlib as libtiff writes it; gzip and raw deflate are taken too) to at
 * most `limit` bytes: zlib stops with an error as soon as its output passes the limit. A stream cut
 * short gives what it holds (Z_SYNC_FLUSH), as pako did.
 */
export function inflateBounded(data: Uint8Array, limit: number): Uint8Array {
  const options = { maxOutputLength: Math.max(1, limit), chunkSize: Math.max(64, Math.min(limit, 64 * 1024)), finishFlush: constants.Z_SYNC_FLUSH };
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  try {
    if (isZlib(data)) return inflateSync(input, options);
    if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(input, options);
    return inflateRawSync(input, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw overflow('Deflate', limit);
    throw corrupt(`its Deflate data is damaged: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export class BoundedDeflateDecoder extends BoundedDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const limit = this.limit;
    return exactly(inflateBounded(new Uint8Array(buffer), limit), limit);
  }
}

// ---------------------------------------------------------------------------------------------
// LZW (5): TIFF's variant, as geotiff and libtiff decode it: MSB-first codes of 9 to 12 bits, the
// width growing one code early, Clear 256 and EOI 257, strings from 258. Running out of input ends
// the block (as geotiff, and libtiff with a warning).

const CLEAR = 256;
const EOI = 257;
const FIRST = 258;
const TABLE = 4096;

/** Decodes TIFF LZW into `out`, never past its end; returns the bytes written. In the kernel where it runs. */
export function lzwDecodeInto(input: Uint8Array, out: Uint8Array): number {
  const byKernel = lzwDecodeWasm(input, out);
  if (typeof byKernel === 'number') return byKernel;
  if (byKernel) throw lzwError(byKernel, out.length);
  const prefix = new Uint16Array(TABLE);
  const suffix = new Uint8Array(TABLE);
  const first = new Uint8Array(TABLE);
  const length = new Uint16Array(TABLE);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const cap = out.length;
  let pos = 0;
  let inPos = 0;
  let bitBuf = 0;
  let bitCount = 0;
  let nbits = 9;
  let next = FIRST;
  let old = -1;

  /** The next code, or EOI when the input has run out. */
  const read = (): number => {
    while (bitCount < nbits) {
      if (inPos >= input.length) return EOI;
      bitBuf = ((bitBuf << 8) | input[inPos++]!) >>> 0;
      bitCount += 8;
    }
    bitCount -= nbits;
    const code = (bitBuf >>> bitCount) & ((1 << nbits) - 1);
    bitBuf &= (1 << bitCount) - 1;
    return code;
  };

  /** Writes the string of `code` at `pos` (its last byte last). */
  const emit = (code: number): void => {
    const n = length[code]!;
    if (pos + n > cap) throw lzwError({ kind: 'overflow' }, cap);
    let at = pos + n - 1;
    for (let c = code; at >= pos; c = prefix[c]!) out[at--] = suffix[c]!;
    pos += n;
  };

  for (let code = read(); code !== EOI; code = read()) {
    if (code === CLEAR) {
      next = FIRST;
      nbits = 9;
      do code = read();
      while (code === CLEAR);
      if (code === EOI) break;
      if (code > CLEAR) throw lzwError({ kind: 'after-clear', code }, cap);
      emit(code);
      old = code;
      continue;
    }
    if (code < next) {
      emit(code);
      if (old >= 0) {
        prefix[next] = old;
        suffix[next] = first[code]!;
        first[next] = first[old]!;
        length[next] = length[old]! + 1;
        next++;
      }
    } else if (code === next && old >= 0) {
      // The string being defined: the previous one and its own first byte.
      const n = length[old]! + 1;
      if (pos + n > cap) throw lzwError({ kind: 'overflow' }, cap);
      prefix[next] = old;
      suffix[next] = first[old]!;
      first[next] = first[old]!;
      length[next] = n;
      next++;
      emit(code);
    } else {
      throw lzwError({ kind: 'not-in-table', code, tableSize: next }, cap);
    }
    old = code;
    if (next + 1 >= 1 << nbits) {
      // At 12 bits the table is full: no more strings until the next clear code (as geotiff).
      if (nbits === 12) old = -1;
      else nbits++;
    }
  }
  return pos;
}

function lzwError(failure: LzwFailure, cap: number): SlideError {
  if (failure.kind === 'overflow') return overflow('LZW', cap);
  if (failure.kind === 'after-clear') return corrupt(`its LZW data is damaged (code ${failure.code} after a clear code)`);
  return corrupt(`its LZW data is damaged (code ${failure.code} is not in the table of ${failure.tableSize})`);
}

export class BoundedLzwDecoder extends BoundedDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const out = new Uint8Array(this.limit);
    lzwDecodeInto(new Uint8Array(buffer), out);
    return out.buffer;
  }
}

// ---------------------------------------------------------------------------------------------
// PackBits (32773)

/**
 * Decodes PackBits into `out`, never past its end; returns the bytes written. A header byte n of
 * 0..127 copies n + 1 bytes, -1..-127 repeats the next byte 1 - n times, -128 is a no-op (TIFF 6,
 * libtiff; geotiff repeated it 129 times).
 */
export function packBitsDecodeInto(input: Uint8Array, out: Uint8Array): number {
  const cap = out.length;
  let pos = 0;
  let i = 0;
  while (i < input.length) {
    const header = (input[i++]! << 24) >> 24;
    if (header >= 0) {
      const n = header + 1;
      if (i + n > input.length) throw corrupt('its PackBits data is damaged (a literal run passes its end)');
      if (pos + n > cap) throw overflow('PackBits', cap);
      out.set(input.subarray(i, i + n), pos);
      pos += n;
      i += n;
    } else if (header !== -128) {
      const n = 1 - header;
      if (i >= input.length) throw corrupt('its PackBits data is damaged (a repeat run passes its end)');
      if (pos + n > cap) throw overflow('PackBits', cap);
      out.fill(input[i++]!, pos, pos + n);
      pos += n;
    }
  }
  return pos;
}

export class BoundedPackBitsDecoder extends BoundedDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const out = new Uint8Array(this.limit);
    packBitsDecodeInto(new Uint8Array(buffer), out);
    return out.buffer;
  }
}

// ---------------------------------------------------------------------------------------------
// ZSTD (50000), through zstddec (geotiff's own ZSTD decoder). Its decode(data, size) is zstd's
// one-shot ZSTD_decompress into a buffer of `size` bytes, which fails (an empty result) rather than
// write past it. The frames' headers are read first: sizes they declare (Frame_Content_Size, raw and
// RLE blocks) beyond the tile are refused without decoding anything.

interface ZstdLike {
  init(): Promise<void>;
  decode(data: Uint8Array, uncompressedSize?: number): Uint8Array;
}

let zstd: Promise<ZstdLike> | undefined;

/** zstddec's decoder, loaded (and its WebAssembly compiled) on first use. */
export function loadZstd(): Promise<ZstdLike> {
  zstd ??= import('zstddec/stream').then(async ({ ZSTDDecoder }) => {
    const decoder = new ZSTDDecoder();
    await decoder.init();
    return decoder;
  });
  return zstd;
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * The fewest bytes the frames of a ZSTD stream decode to, from their headers alone: each frame's
 * declared content size, or the sum of its raw and RLE blocks (whose sizes are in their headers).
 * Throws CORRUPT_DATA when the frames' structure is broken.
 */
export function zstdDeclaredSize(data: Uint8Array): number {
  let pos = 0;
  let total = 0;
  const u32 = (p: number) => (data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16) | (data[p + 3]! << 24)) >>> 0;
  const damaged = (why: string) => corrupt(`its ZSTD data is damaged (${why})`);
  while (pos < data.length) {
    if (pos + 4 > data.length) throw damaged('a frame header is cut short');
    const magic = u32(pos);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // A skippable frame: its size, and nothing to decode.
      if (pos + 8 > data.length) throw damaged('a skippable frame is cut short');
      pos += 8 + u32(pos + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw damaged(pos === 0 ? 'no ZSTD frame' : 'data after its last frame');
    pos += 4;
    const descriptor = data[pos++];
    if (descriptor === undefined) throw damaged('a frame header is cut short');
    if (descriptor & 0x08) throw damaged('a reserved bit is set');
    const fcsFlag = descriptor >> 6;
    const singleSegment = (descriptor >> 5) & 1;
    const checksum = (descriptor >> 2) & 1;
    const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!;
    const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
    pos += (singleSegment ? 0 : 1) + dictionaryBytes;
    if (pos + fcsBytes > data.length) throw damaged('a frame header is cut short');
    let declared = -1;
    if (fcsBytes > 0) {
      declared = 0;
      for (let b = fcsBytes - 1; b >= 0; b--) declared = declared * 256 + data[pos + b]!;
      if (fcsBytes === 2) declared += 256;
    }
    pos += fcsBytes;
    let blocks = 0;
    for (;;) {
      if (pos + 3 > data.length) throw damaged('a block header is cut short');
      const header = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16);
      pos += 3;
      const last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw damaged('a reserved block type');
      if (type === 1) {
        blocks += size; // RLE: one byte repeated `size` times
        pos += 1;
      } else {
        if (type === 0) blocks += size;
        pos += size;
      }
      if (pos > data.length) throw damaged('a block passes its end');
      if (last) break;
    }
    pos += checksum ? 4 : 0;
    total += Math.max(declared, blocks);
  }
  return total;
}

export class BoundedZstdDecoder extends BoundedDecoder {
  static async ready(): Promise<typeof BoundedZstdDecoder> {
    await loadZstd();
    return BoundedZstdDecoder;
  }

  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const limit = this.limit;
    const data = new Uint8Array(buffer);
    if (zstdDeclaredSize(data) > limit) throw overflow('ZSTD', limit);
    const out = (await loadZstd()).decode(data, limit);
    if (out.length === 0) throw corrupt(`its ZSTD data is damaged or decompresses to more than its tile's ${limit} bytes`);
    return exactly(out, limit);
  }
}
