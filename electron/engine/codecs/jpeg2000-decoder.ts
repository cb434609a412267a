// JPEG 2000 (Aperio 33003/33005, and 34712) through OpenJPEG - the library OpenSlide uses, so its
// output matches opj_decompress exactly: the system's own where it has it (openjpeg-native), else
// OpenJPEG compiled to WebAssembly.

import { SlideError } from '../errors';
import { ycbcrRunsSimd } from '../wasm/pixel-kernels';
import type { Decoded } from './decoded';
import { loadOpenJpeg } from './openjpeg';
import { type NativeOpenJpeg, nativeOpenJpeg } from './openjpeg-native';

export interface Jpeg2000DecoderParameters {
  /** Aperio 33003: the codestream's components are Y, Cb, Cr. */
  ycbcr: boolean;
  /** Decode at 1/2^reduce of full size from the codestream's own resolution levels (cheap). */
  reduce?: number;
}

/** `native` null decodes with the WebAssembly build (the tests compare the two). */
export async function decodeJpeg2000(
  codestream: Uint8Array,
  params: Jpeg2000DecoderParameters,
  native: NativeOpenJpeg | null = nativeOpenJpeg(),
): Promise<Decoded> {
  const reduce = Math.max(0, params.reduce ?? 0);
  // The SIZ marker read once, for both questions.
  const components = rawComponents(codestream);
  // With subsampled chroma, codec-openjpeg upsamples it and converts to RGB itself (OpenJPEG's
  // sYCC conversion); full-size YCbCr comes out as coded, and is converted below.
  const subsampled = isSubsampled(components);
  let decoded: Decoded;
  if (native && nativeDecodes(components)) {
    try {
      decoded = native.decode(codestream, reduce);
    } catch (error) {
      throw undecodable(error);
    }
  } else {
    decoded = await decodeWithWebAssembly(codestream, reduce);
  }
  if (params.ycbcr && decoded.channels === 3 && !subsampled) ycbcrToRgbInPlace(decoded.data);
  return decoded;
}

async function decodeWithWebAssembly(codestream: Uint8Array, reduce: number): Promise<Decoded> {
  const openjpeg = await loadOpenJpeg();
  const decoder = new openjpeg.J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    try {
      if (reduce > 0) decoder.decodeSubResolution(reduce, 0);
      else decoder.decode();
    } catch (error) {
      throw undecodable(error);
    }
    const full = decoder.getFrameInfo();
    const size = reduce > 0 ? decoder.calculateSizeAtDecompositionLevel(reduce) : full;
    const info = { ...full, width: size.width, height: size.height };
    if (info.bitsPerSample !== 8 || info.isSigned)
      throw new SlideError('UNSUPPORTED_COMPRESSION', `JPEG 2000 tile has ${info.bitsPerSample}-bit samples; only 8-bit is supported`);
    // A copy: the view points into WebAssembly memory, which the next decode reuses.
    const data = decoder.getDecodedBuffer().slice(0, info.width * info.height * info.componentCount);
    return { data, width: info.width, height: info.height, channels: info.componentCount };
  } finally {
    decoder.delete();
  }
}

export function hasSubsampledComponents(codestream: Uint8Array): boolean {
  return isSubsampled(rawComponents(codestream));
}

/** A raw codestream's components as its SIZ marker declares them; none for a JP2 file or an unsound SIZ. */
function rawComponents(codestream: Uint8Array): J2kSize['components'] {
  if (codestream[0] !== 0xff || codestream[1] !== 0x4f) return [];
  const size = readJ2kSize(codestream);
  return typeof size === 'string' ? [] : size.components;
}

function isSubsampled(components: J2kSize['components']): boolean {
  return components.some(([, dx, dy]) => dx !== 1 || dy !== 1);
}

/**
 * What the system's OpenJPEG is given: a raw codestream of 1 or 3 components, each 8-bit unsigned and
 * not subsampled, where its bytes are the WebAssembly build's (openjpeg-native.test). JP2 files,
 * subsampled chroma and other samples stay with the WebAssembly build and its handling of them.
 */
function nativeDecodes(components: J2kSize['components']): boolean {
  return (components.length === 1 || components.length === 3) && components.every(([bits, dx, dy, signed]) => bits === 8 && !signed && dx === 1 && dy === 1);
}

/** A codestream's image and tile grid as its SIZ marker declares them. */
export interface J2kSize {
  /** Xsiz - XOsiz, Ysiz - YOsiz: the image's size on the reference grid. */
  width: number;
  height: number;
  /** Codestream tiles (XTsiz x YTsiz cells) covering the image. */
  tiles: number;
  /** Each component's (precision in bits, XRsiz, YRsiz, signed). */
  components: Array<[number, number, number, boolean]>;
}

/** Where the SIZ marker segment starts: right after SOC in a raw codestream, or in a JP2 file's codestream box. */
function sizOffset(data: Uint8Array): number | null {
  const u32 = (p: number) => ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0x4f) return data[2] === 0xff && data[3] === 0x51 ? 2 : null;
  // A JP2 file: boxes (length, type) up to the contiguous codestream box, 'jp2c'.
  if (data.length < 12 || u32(0) !== 12 || u32(4) !== 0x6a502020) return null;
  let pos = 0;
  while (pos + 8 <= data.length) {
    let length = u32(pos);
    const type = u32(pos + 4);
    let header = 8;
    if (length === 1) {
      if (pos + 16 > data.length) return null;
      length = u32(pos + 8) * 2 ** 32 + u32(pos + 12);
      header = 16;
    }
    if (type === 0x6a703263) {
      const at = pos + header;
      return data[at] === 0xff && data[at + 1] === 0x4f && data[at + 2] === 0xff && data[at + 3] === 0x51 ? at + 2 : null;
    }
    if (length === 0 || length < header) return null; // the last box, or a broken one, before any codestream
    pos += length;
  }
  return null;
}

/** The image and tile sizes a codestream's SIZ marker declares, or the reason it has none that is sound. */
export function readJ2kSize(data: Uint8Array): J2kSize | string {
  const at = sizOffset(data);
  if (at === null) return 'no JPEG 2000 codestream header';
  const u16 = (p: number) => (data[p]! << 8) | data[p + 1]!;
  const u32 = (p: number) => ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
  if (at + 40 > data.length) return 'the SIZ marker is cut short';
  const length = u16(at + 2);
  const count = u16(at + 38);
  if (length !== 38 + 3 * count || at + 2 + length > data.length) return 'the SIZ marker has a bogus length';
  // Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz.
  const x1 = u32(at + 6);
  const y1 = u32(at + 10);
  const x0 = u32(at + 14);
  const y0 = u32(at + 18);
  const tw = u32(at + 22);
  const th = u32(at + 26);
  const tx0 = u32(at + 30);
  const ty0 = u32(at + 34);
  if (x1 <= x0 || y1 <= y0) return `the SIZ marker declares an empty image (${x0}..${x1} x ${y0}..${y1})`;
  if (tw === 0 || th === 0 || tx0 > x0 || ty0 > y0 || tx0 + tw <= x0 || ty0 + th <= y0) return 'the SIZ marker declares a bogus tile grid';
  const components = Array.from({ length: count }, (_, c) => {
    const p = at + 40 + c * 3;
    return [(data[p]! & 0x7f) + 1, data[p + 1]!, data[p + 2]!, (data[p]! & 0x80) !== 0] as [number, number, number, boolean];
  });
  if (components.some(([, dx, dy]) => dx === 0 || dy === 0)) return 'the SIZ marker declares a component sampled 0 times';
  const tiles = Math.ceil((x1 - tx0) / tw) * Math.ceil((y1 - ty0) / th);
  return { width: x1 - x0, height: y1 - y0, tiles, components };
}

/** Codestream tiles one TIFF tile may hold: OpenJPEG allocates a record (kilobytes) for each before decoding. */
const MAX_CODESTREAM_TILES = 1024;

/**
 * Checks, before anything decodes it, that a JPEG 2000 block's SIZ marker fits its block (OpenJPEG
 * allocates what SIZ declares): an image of at most width x height, at most max(3, samples per pixel)
 * components of at most 16 bits, and a sane number of codestream tiles. Returns the reason when it
 * does not, null when it does.
 */
export function j2kSizeProblem(codestream: Uint8Array, width: number, height: number, samplesPerPixel: number): string | null {
  const size = readJ2kSize(codestream);
  if (typeof size === 'string') return `its JPEG 2000 data is damaged (${size})`;
  if (size.width > width || size.height > height)
    return `its JPEG 2000 codestream declares ${size.width} x ${size.height} pixels, more than its ${width} x ${height} tile`;
  const maxComponents = Math.max(3, samplesPerPixel);
  if (size.components.length < 1 || size.components.length > maxComponents)
    return `its JPEG 2000 codestream declares ${size.components.length} components, more than its tile's ${maxComponents}`;
  if (size.components.some(([bits]) => bits > 16)) return 'its JPEG 2000 codestream declares samples of more than 16 bits';
  if (size.tiles > MAX_CODESTREAM_TILES) return `its JPEG 2000 codestream declares ${size.tiles} tiles, more than ${MAX_CODESTREAM_TILES}`;
  return null;
}

/**
 * How many times the codestream can be decoded at half size (its COD marker's decomposition
 * levels), or null when its main header has no readable COD.
 */
export function decompositionLevels(codestream: Uint8Array): number | null {
  // Main header markers after SOC, each with a 2-byte length, until the first tile-part (SOT).
  let pos = 2;
  while (pos + 4 <= codestream.length && codestream[pos] === 0xff) {
    const marker = codestream[pos + 1]!;
    if (marker === 0x90) return null; // SOT: no COD in the main header
    const length = (codestream[pos + 2]! << 8) | codestream[pos + 3]!;
    if (marker === 0x52) return pos + 9 < codestream.length ? codestream[pos + 9]! : null;
    pos += 2 + length;
  }
  return null;
}

/** Typed here, so that it stays CORRUPT_DATA from a codec thread too (which answers INTERNAL for an untyped error). */
function undecodable(error: unknown): SlideError {
  return new SlideError('CORRUPT_DATA', `JPEG 2000 codestream: ${errorText(error)}`);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'number' ? `OpenJPEG error ${error}` : String(error);
}

// JFIF full-range YCbCr -> RGB in libjpeg's fixed point (16 fraction bits, its jdcolor.c): four
// lookups and no floating point per pixel. OpenSlide's red and blue tables for Aperio 33003 are the
// same; its green differs by 1 for 24 of the 65536 (Cb, Cr) pairs. The SIMD kernel
// (pixel-kernels.wat) computes the same, 16 pixels at a time; these tables do the rest.
const fixed = (k: number, d: number) => (k * d + 32768) >> 16;
const R_CR = Int16Array.from({ length: 256 }, (_, i) => fixed(91881, i - 128));
const B_CB = Int16Array.from({ length: 256 }, (_, i) => fixed(116130, i - 128));
const G_CB = Int32Array.from({ length: 256 }, (_, i) => -22554 * (i - 128));
const G_CR = Int32Array.from({ length: 256 }, (_, i) => -46802 * (i - 128) + 32768);

export function ycbcrToRgbInPlace(data: Uint8Array): void {
  // Stores into a clamped view saturate to 0..255 themselves.
  const out = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  for (let i = ycbcrRunsSimd(data) * 3; i + 2 < data.length; i += 3) {
    const y = data[i]!;
    const cb = data[i + 1]!;
    const cr = data[i + 2]!;
    out[i] = y + R_CR[cr]!;
    out[i + 1] = y + ((G_CB[cb]! + G_CR[cr]!) >> 16);
    out[i + 2] = y + B_CB[cb]!;
  }
}
