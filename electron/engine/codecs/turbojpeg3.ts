// TurboJPEG 3's decoding where the binding does not reach: scaled (the image at 1/2, 1/4 or 1/8 of
// its size, straight from the DCT coefficients: a 240 px tile at half size ~0.12 ms against ~0.3 ms
// decoded whole and averaged) and, at full size, with libjpeg's accurate IDCT, the pixels sharp and
// OpenSlide give, without sharp's libvips pipeline per call (~0.3 against ~1.5 ms a 240 px tile;
// docs/performance.md, "Half-size and quarter-size reads", "Exact JPEG decodes"). It calls the
// library the binding itself ships through koffi: a file of its own on Linux, linked into the
// binding's module on macOS (which exports it). Where neither can be reached (Windows: the binding
// keeps TurboJPEG's symbols to itself), or the library fails a check at load, jpegStreamDecoder() is
// null: tiles are decoded whole, and exact decodes go through sharp.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import turbo from '@julusian/jpeg-turbo';
import type { LibraryHandle } from 'koffi';
import { type Koffi, loadNativeLibrary } from '../native-library';

// turbojpeg.h (libjpeg-turbo 3.x): the values of the enums used here.
const TJINIT_DECOMPRESS = 1;
const TJPARAM_STOPONWARNING = 0;
const TJPARAM_JPEGWIDTH = 5;
const TJPARAM_JPEGHEIGHT = 6;
const TJPARAM_PRECISION = 7;
const TJPARAM_COLORSPACE = 8;
const TJPARAM_FASTDCT = 10;
const TJPARAM_LOSSLESS = 15;
const TJPF_RGB = 0;
const TJCS_RGB = 0;
const TJCS_YCBCR = 1;
const TJCS_GRAY = 2;

/** One stream's header, read by a decompressor of its own. */
export interface JpegStream {
  readonly width: number;
  readonly height: number;
  /** False where libjpeg does not scale: lossless JPEG, and samples of more than 8 bits. */
  readonly scalable: boolean;
  /** Whether libjpeg makes RGB of it: grey, YCbCr and RGB streams do, CMYK and YCCK do not. */
  readonly rgb: boolean;
  /**
   * Decodes the stream at 1/2^halvings of its size (each side rounded up) into `out` as interleaved
   * RGB, rows `pitch` bytes apart (default: packed), with the fast IDCT; throws libjpeg's message on
   * damage. Only where `scalable`.
   */
  decode(halvings: number, out: Uint8Array, pitch?: number): void;
  /**
   * Decodes the stream at 1/2^halvings of its size (default: whole) into `out` as packed interleaved
   * RGB (grey repeated) with the accurate IDCT, as libjpeg's defaults do (djpeg's, OpenSlide's).
   * False, with `out` undefined, at libjpeg's first warning (damaged or truncated data), so that the
   * caller's other decoder rules on it. Only where `scalable` and `rgb`.
   */
  decodeExact(out: Uint8Array, halvings?: number): boolean;
}

export interface JpegStreamDecoder {
  /**
   * Reads the stream's header (throwing libjpeg's message when it has none) and hands it to `work`.
   * Each call has a decompressor of its own, ~0.5 us to make: a header libjpeg gave up on part-way
   * would leave a kept one failing every stream after it.
   */
  withStream<T>(jpeg: Uint8Array, work: (stream: JpegStream) => T): T;
}

type Binding = Record<'init' | 'destroy' | 'set' | 'get' | 'scale' | 'header' | 'decompress' | 'error', (...args: unknown[]) => unknown>;

let decoder: JpegStreamDecoder | null | undefined;

/** This thread's decoder, made on first use; null where TurboJPEG's library cannot be reached. */
export function jpegStreamDecoder(): JpegStreamDecoder | null {
  if (decoder === undefined) decoder = loadDecoder();
  return decoder;
}

function loadDecoder(): JpegStreamDecoder | null {
  const bind = (koffi: Koffi, lib: LibraryHandle) => {
    const scalingFactor = koffi.struct({ num: 'int', denom: 'int' });
    return makeDecoder({
      init: lib.func('tj3Init', 'void *', ['int']),
      destroy: lib.func('tj3Destroy', 'void', ['void *']),
      set: lib.func('tj3Set', 'int', ['void *', 'int', 'int']),
      get: lib.func('tj3Get', 'int', ['void *', 'int']),
      scale: lib.func('tj3SetScalingFactor', 'int', ['void *', scalingFactor]),
      header: lib.func('tj3DecompressHeader', 'int', ['void *', 'const uint8_t *', 'size_t']),
      decompress: lib.func('tj3Decompress8', 'int', ['void *', 'const uint8_t *', 'size_t', 'uint8_t *', 'int', 'int']),
      error: lib.func('tj3GetErrorStr', 'const char *', ['void *']),
    });
  };
  return loadNativeLibrary(libraryCandidates(createRequire(import.meta.url)), bind, passesCheck);
}

function makeDecoder(bind: Binding): JpegStreamDecoder {
  return {
    withStream(jpeg, work) {
      const handle = bind.init(TJINIT_DECOMPRESS);
      if (!handle) throw new Error('TurboJPEG could not make a decompressor.');
      try {
        const check = (status: unknown): void => {
          if (status !== 0) throw new Error(String(bind.error(handle)));
        };
        check(bind.set(handle, TJPARAM_FASTDCT, 1));
        check(bind.header(handle, jpeg, jpeg.byteLength));
        const width = bind.get(handle, TJPARAM_JPEGWIDTH) as number;
        const height = bind.get(handle, TJPARAM_JPEGHEIGHT) as number;
        // libjpeg ignores the scaling factor for lossless JPEG: it would write full-size rows.
        const scalable = bind.get(handle, TJPARAM_LOSSLESS) === 0 && bind.get(handle, TJPARAM_PRECISION) === 8;
        const colorspace = bind.get(handle, TJPARAM_COLORSPACE);
        const rgb = colorspace === TJCS_GRAY || colorspace === TJCS_RGB || colorspace === TJCS_YCBCR;
        return work({
          width,
          height,
          scalable,
          rgb,
          decode(halvings, out, pitch) {
            if (!scalable) throw new Error('This JPEG stream cannot be decoded at a reduced size.');
            const k = 2 ** halvings;
            const row = Math.ceil(width / k) * 3;
            const rowsApart = pitch ?? row;
            // libjpeg writes each row's bytes at its pitch: the last row ends `row` bytes after its start.
            if (!Number.isInteger(rowsApart) || rowsApart < row || out.byteLength < rowsApart * (Math.ceil(height / k) - 1) + row)
              throw new RangeError('The output buffer is too small.');
            check(bind.scale(handle, { num: 1, denom: k }));
            check(bind.decompress(handle, jpeg, jpeg.byteLength, out, rowsApart, TJPF_RGB));
          },
          decodeExact(out, halvings = 0) {
            if (!scalable || !rgb) throw new Error('This JPEG stream is not one TurboJPEG decodes exactly here.');
            const k = 2 ** halvings;
            const row = Math.ceil(width / k) * 3;
            if (out.byteLength < row * Math.ceil(height / k)) throw new RangeError('The output buffer is too small.');
            check(bind.set(handle, TJPARAM_FASTDCT, 0));
            check(bind.set(handle, TJPARAM_STOPONWARNING, 1));
            check(bind.scale(handle, { num: 1, denom: k }));
            return bind.decompress(handle, jpeg, jpeg.byteLength, out, row, TJPF_RGB) === 0;
          },
        });
      } finally {
        bind.destroy(handle);
      }
    },
  };
}

/** A 16 x 16 image of four flat quadrants must come back as 8 x 8, and whole, of the same four colours. */
function passesCheck(made: JpegStreamDecoder): boolean {
  const colours = [
    [200, 40, 60],
    [30, 180, 90],
    [20, 60, 220],
    [240, 230, 20],
  ];
  const image = Buffer.alloc(16 * 16 * 3);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) image.set(colours[(y >> 3) * 2 + (x >> 3)]!, (y * 16 + x) * 3);
  const jpeg = turbo.compressSync(image, { format: turbo.FORMAT_RGB, width: 16, height: 16, quality: 100, subsampling: turbo.SAMP_444 });
  const out = new Uint8Array(8 * 8 * 3 + 3).fill(7);
  made.withStream(jpeg, (stream) => stream.decode(1, out));
  if (out[8 * 8 * 3] !== 7) return false; // wrote past 8 x 8: not scaled
  const whole = new Uint8Array(16 * 16 * 3);
  if (!made.withStream(jpeg, (stream) => stream.decodeExact(whole))) return false;
  const near = (pixels: Uint8Array, size: number) => {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const expected = colours[Math.floor((2 * y) / size) * 2 + Math.floor((2 * x) / size)]!;
        for (let c = 0; c < 3; c++) if (Math.abs(pixels[(y * size + x) * 3 + c]! - expected[c]!) > 3) return false;
      }
    }
    return true;
  };
  return near(out, 8) && near(whole, 16);
}

/** Where the binding's prebuilt TurboJPEG may be, for this platform (unpacked from an asar). */
function libraryCandidates(require: NodeJS.Require): string[] {
  let prebuilds: string;
  try {
    prebuilds = join(dirname(require.resolve('@julusian/jpeg-turbo/package.json')), 'prebuilds');
  } catch {
    return [];
  }
  const target = `jpeg-turbo-${process.platform}-${process.arch}`;
  const files =
    process.platform === 'linux'
      ? [join(prebuilds, target, 'libturbojpeg.so.0'), join(prebuilds, `${target}-musl`, 'libturbojpeg.so.0')]
      : process.platform === 'darwin'
        ? [join(prebuilds, target, 'node-napi-v7.node')]
        : [];
  return files.map((file) => file.replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`)).filter((file) => existsSync(file));
}
