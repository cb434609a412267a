// JPEG-LS (DICOM's lossless and near-lossless transfer syntaxes) through CharLS compiled to
// WebAssembly (@cornerstonejs/codec-charls, its decoder-only build), loaded once per thread. A
// frame's header is read first: one that declares more than its tile is refused before CharLS
// allocates for it.

import { createRequire } from 'node:module';
import type { Decoded } from '../../codecs/decoded';

interface CharLsDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  getInterleaveMode(): number;
  delete(): void;
}

interface CharLsModule {
  JpegLSDecoder: new () => CharLsDecoder;
}

const require = createRequire(import.meta.url);
let loaded: Promise<CharLsModule> | undefined;

function loadCharLs(): Promise<CharLsModule> {
  loaded ??= (async () => {
    const factory = require('@cornerstonejs/codec-charls/decodewasmjs') as (options: object) => Promise<CharLsModule>;
    return factory({ print: () => undefined, printErr: () => undefined });
  })();
  return loaded;
}

/** The frame a JPEG-LS stream declares (its SOF55 marker), or the reason it has none that is sound. */
export function jpegLsFrameProblem(stream: Uint8Array, width: number, height: number, samples: number): string | null {
  if (stream.length < 4 || stream[0] !== 0xff || stream[1] !== 0xd8) return 'its JPEG-LS data has no start marker';
  for (let pos = 2; pos + 4 <= stream.length; ) {
    if (stream[pos] !== 0xff) return `its JPEG-LS data has no marker at byte ${pos}`;
    const marker = stream[pos + 1]!;
    const length = (stream[pos + 2]! << 8) | stream[pos + 3]!;
    if (marker === 0xf7) {
      if (pos + 10 > stream.length) return 'its JPEG-LS frame header is cut short';
      const precision = stream[pos + 4]!;
      const rows = (stream[pos + 5]! << 8) | stream[pos + 6]!;
      const columns = (stream[pos + 7]! << 8) | stream[pos + 8]!;
      const components = stream[pos + 9]!;
      if (precision !== 8) return `its JPEG-LS frame has ${precision}-bit samples; only 8-bit is supported`;
      if (columns > width || rows > height || columns === 0 || rows === 0)
        return `its JPEG-LS frame is ${columns} x ${rows} pixels, not its ${width} x ${height} tile`;
      if (components !== samples) return `its JPEG-LS frame has ${components} components, not ${samples}`;
      return null;
    }
    if (marker === 0xda) return 'its JPEG-LS data has a scan before its frame header';
    if (length < 2) return 'its JPEG-LS data has a bogus marker length';
    pos += 2 + length;
  }
  return 'its JPEG-LS data has no frame header';
}

/** Decodes a JPEG-LS frame to interleaved 8-bit samples (CharLS gives planar ones for interleave mode none). */
export async function decodeJpegLs(stream: Uint8Array): Promise<Decoded> {
  const charls = await loadCharLs();
  const decoder = new charls.JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(stream.length).set(stream);
    decoder.decode();
    const { width, height, componentCount } = decoder.getFrameInfo();
    const pixels = width * height;
    const decoded = decoder.getDecodedBuffer();
    const data = new Uint8Array(pixels * componentCount);
    if (componentCount > 1 && decoder.getInterleaveMode() === 0) {
      for (let c = 0; c < componentCount; c++) {
        const plane = decoded.subarray(c * pixels, (c + 1) * pixels);
        for (let p = 0; p < pixels; p++) data[p * componentCount + c] = plane[p]!;
      }
    } else {
      data.set(decoded.subarray(0, data.length));
    }
    return { data, width, height, channels: componentCount };
  } catch (error) {
    throw new Error(`JPEG-LS frame cannot be decoded (${typeof error === 'number' ? `CharLS error ${error}` : String(error)})`);
  } finally {
    decoder.delete();
  }
}
