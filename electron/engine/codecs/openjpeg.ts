// OpenJPEG compiled to WebAssembly (@cornerstonejs/codec-openjpeg): the decoder the engine uses for
// JPEG 2000 tiles and the encoder the synthetic slide generator uses. One module, loaded once.

import { createRequire } from 'node:module';

export interface J2KFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

export interface J2KDecoderInstance {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  decodeSubResolution(decompositionLevel: number, decodeLayer: number): void;
  calculateSizeAtDecompositionLevel(decompositionLevel: number): { width: number; height: number };
  getFrameInfo(): J2KFrameInfo;
  delete(): void;
}

export interface J2KEncoderInstance {
  getDecodedBuffer(frameInfo: J2KFrameInfo): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  setDecompositions(n: number): void;
  setQuality(lossless: boolean, layers: number): void;
  setCompressionRatio(layer: number, ratio: number): void;
  setProgressionOrder(order: number): void;
  delete(): void;
}

export interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoderInstance;
  J2KEncoder: new () => J2KEncoderInstance;
}

let modulePromise: Promise<OpenJpegModule> | undefined;

export function loadOpenJpeg(): Promise<OpenJpegModule> {
  if (!modulePromise) {
    // The emscripten factory is CommonJS and finds its .wasm beside itself.
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (options: object) => Promise<OpenJpegModule>;
    // OpenJPEG reports progress ("[INFO] Main header has been correctly decoded") on stdout: silence it.
    modulePromise = factory({ print: () => undefined, printErr: () => undefined });
  }
  return modulePromise;
}
