// JPEG 2000 (Aperio 33003/33005, and 34712) through OpenJPEG compiled to WebAssembly - the same
// library OpenSlide uses, so its output matches opj_decompress exactly.

import { createRequire } from 'node:module';
import { BaseDecoder } from 'geotiff';
import type { Decoded } from './decoded';

interface J2KFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface J2KDecoderInstance {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): J2KFrameInfo;
  delete(): void;
}
interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoderInstance;
}

let modulePromise: Promise<OpenJpegModule> | undefined;

function loadOpenJpeg(): Promise<OpenJpegModule> {
  if (!modulePromise) {
    // The emscripten factory is CommonJS and finds its .wasm beside itself.
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as () => Promise<OpenJpegModule>;
    modulePromise = factory();
  }
  return modulePromise;
}

export interface Jpeg2000DecoderParameters {
  tileWidth: number;
  tileHeight: number;
  /** Aperio 33003: the codestream's components are Y, Cb, Cr. */
  ycbcr: boolean;
}

export class Jpeg2000Decoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    return (await decodeJpeg2000(new Uint8Array(buffer), this.parameters as unknown as Jpeg2000DecoderParameters)).data.buffer;
  }
}

export async function decodeJpeg2000(codestream: Uint8Array, params: Jpeg2000DecoderParameters): Promise<Decoded> {
  const openjpeg = await loadOpenJpeg();
  const decoder = new openjpeg.J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    try {
      decoder.decode();
    } catch (error) {
      throw new Error(`JPEG 2000 tile cannot be decoded (${describe(error)})`);
    }
    const info = decoder.getFrameInfo();
    if (info.bitsPerSample !== 8 || info.isSigned) throw new Error(`JPEG 2000 tile has ${info.bitsPerSample}-bit samples; only 8-bit is supported`);
    const data = Uint8Array.from(decoder.getDecodedBuffer().subarray(0, info.width * info.height * info.componentCount));
    if (params.ycbcr && info.componentCount === 3) ycbcrToRgbInPlace(data);
    return { data, width: info.width, height: info.height, channels: info.componentCount };
  } finally {
    decoder.delete();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'number' ? `OpenJPEG error ${error}` : String(error);
}

/** JFIF full-range YCbCr -> RGB, as OpenSlide converts Aperio 33003 tiles. */
function ycbcrToRgbInPlace(data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 3) {
    const y = data[i]!;
    const cb = data[i + 1]! - 128;
    const cr = data[i + 2]! - 128;
    data[i] = clamp(y + 1.402 * cr);
    data[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    data[i + 2] = clamp(y + 1.772 * cb);
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
