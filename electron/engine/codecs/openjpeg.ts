// OpenJPEG compiled to WebAssembly (@cornerstonejs/codec-openjpeg): the decoder the engine uses for
// JPEG 2000 tiles and the encoder the synthetic slide generator uses. One module, loaded once.

import { readFile } from 'node:fs/promises';
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

const require = createRequire(import.meta.url);
let compiled: Promise<WebAssembly.Module> | undefined;
let modulePromise: Promise<OpenJpegModule> | undefined;

/**
 * OpenJPEG's WebAssembly, compiled once per process and shared with its threads: V8 first runs it
 * unoptimised (3-4x slower) and optimises the functions that run hot, once for every thread that
 * shares the compiled module (see warmUpOpenJpeg).
 */
export function compileOpenJpeg(): Promise<WebAssembly.Module> {
  compiled ??= readFile(require.resolve('@cornerstonejs/codec-openjpeg/wasm')).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** Uses a module compiled elsewhere in the process (compileOpenJpeg), before this thread loads its own. */
export function adoptCompiledOpenJpeg(module: WebAssembly.Module): void {
  if (modulePromise) throw new Error('OpenJPEG is already loaded in this thread');
  compiled = Promise.resolve(module);
}

export function loadOpenJpeg(): Promise<OpenJpegModule> {
  modulePromise ??= compileOpenJpeg().then(
    (wasm) =>
      new Promise<OpenJpegModule>((resolve, reject) => {
        // The emscripten factory is CommonJS; it instantiates the shared module rather than its own.
        const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (options: object) => Promise<OpenJpegModule>;
        const instantiateWasm = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object => {
          WebAssembly.instantiate(wasm, imports).then((instance) => receive(instance, wasm), reject);
          return {};
        };
        // OpenJPEG reports progress ("[INFO] Main header has been correctly decoded") on stdout: silence it.
        factory({ print: () => undefined, printErr: () => undefined, instantiateWasm }).then(resolve, reject);
      }),
  );
  return modulePromise;
}
