// JPEG 2000 (Aperio 33003/33005, and 34712) through OpenJPEG compiled to WebAssembly - the same
// library OpenSlide uses, so its output matches opj_decompress exactly.

import type { Decoded } from './decoded';
import { loadOpenJpeg } from './openjpeg';

export interface Jpeg2000DecoderParameters {
  /** Aperio 33003: the codestream's components are Y, Cb, Cr. */
  ycbcr: boolean;
  /** Decode at 1/2^reduce of full size from the codestream's own resolution levels (cheap). */
  reduce?: number;
}

export async function decodeJpeg2000(codestream: Uint8Array, params: Jpeg2000DecoderParameters): Promise<Decoded> {
  // With subsampled chroma, codec-openjpeg upsamples it and converts to RGB itself (OpenJPEG's
  // sYCC conversion); full-size YCbCr comes out as coded, and is converted below.
  const subsampled = hasSubsampledComponents(codestream);
  const openjpeg = await loadOpenJpeg();
  const decoder = new openjpeg.J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    const reduce = Math.max(0, params.reduce ?? 0);
    try {
      if (reduce > 0) decoder.decodeSubResolution(reduce, 0);
      else decoder.decode();
    } catch (error) {
      throw new Error(`JPEG 2000 tile cannot be decoded (${errorText(error)})`);
    }
    const full = decoder.getFrameInfo();
    const size = reduce > 0 ? decoder.calculateSizeAtDecompositionLevel(reduce) : full;
    const info = { ...full, width: size.width, height: size.height };
    if (info.bitsPerSample !== 8 || info.isSigned) throw new Error(`JPEG 2000 tile has ${info.bitsPerSample}-bit samples; only 8-bit is supported`);
    // A copy: the view points into WebAssembly memory, which the next decode reuses.
    const data = decoder.getDecodedBuffer().slice(0, info.width * info.height * info.componentCount);
    if (params.ycbcr && info.componentCount === 3 && !subsampled) ycbcrToRgbInPlace(data);
    return { data, width: info.width, height: info.height, channels: info.componentCount };
  } finally {
    decoder.delete();
  }
}

export function hasSubsampledComponents(codestream: Uint8Array): boolean {
  return componentSampling(codestream)?.some(([dx, dy]) => dx !== 1 || dy !== 1) ?? false;
}

/** Each component's (XRsiz, YRsiz) from the codestream's SIZ marker, or null if it has none. */
export function componentSampling(codestream: Uint8Array): Array<[number, number]> | null {
  // SOC (FF4F) is followed directly by SIZ (FF51).
  if (codestream.length < 42 || codestream[0] !== 0xff || codestream[1] !== 0x4f || codestream[2] !== 0xff || codestream[3] !== 0x51) return null;
  const count = (codestream[40]! << 8) | codestream[41]!;
  if (codestream.length < 42 + count * 3) return null;
  return Array.from({ length: count }, (_, c) => [codestream[42 + c * 3 + 1]!, codestream[42 + c * 3 + 2]!] as [number, number]);
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

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'number' ? `OpenJPEG error ${error}` : String(error);
}

// JFIF full-range YCbCr -> RGB in libjpeg's fixed point (16 fraction bits), as OpenSlide converts
// Aperio 33003 tiles: four lookups and no floating point per pixel.
const R_CR = Int16Array.from({ length: 256 }, (_, i) => Math.round(1.402 * (i - 128)));
const B_CB = Int16Array.from({ length: 256 }, (_, i) => Math.round(1.772 * (i - 128)));
const G_CB = Int32Array.from({ length: 256 }, (_, i) => -Math.round(0.34414 * 65536) * (i - 128));
const G_CR = Int32Array.from({ length: 256 }, (_, i) => -Math.round(0.71414 * 65536) * (i - 128) + 32768);

function ycbcrToRgbInPlace(data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 3) {
    const y = data[i]!;
    const cb = data[i + 1]!;
    const cr = data[i + 2]!;
    data[i] = clampByte(y + R_CR[cr]!);
    data[i + 1] = clampByte(y + ((G_CB[cb]! + G_CR[cr]!) >> 16));
    data[i + 2] = clampByte(y + B_CB[cb]!);
  }
}

function clampByte(v: number): number {
  return Math.min(Math.max(v, 0), 255);
}
