// libjpeg-turbo's scaled decoding (the image at 1/2, 1/4 or 1/8 of its size, straight from the DCT
// coefficients), which the TurboJPEG binding does not expose: a 240 px tile at half size takes
// ~0.12 ms against ~0.3 ms decoded whole and then averaged (docs/performance.md, "Half-size and
// quarter-size reads"). It calls TurboJPEG 3 through koffi, in the library the binding itself
// ships: a file of its own on Linux, linked into the binding's module on macOS (which exports it).
// Where neither can be reached (Windows: the binding keeps TurboJPEG's symbols to itself), or the
// library fails a check at load, scaledJpegDecoder() is null and tiles are decoded whole.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import turbo from '@julusian/jpeg-turbo';

// turbojpeg.h (libjpeg-turbo 3.x): the values of the enums used here.
const TJINIT_DECOMPRESS = 1;
const TJPARAM_JPEGWIDTH = 5;
const TJPARAM_JPEGHEIGHT = 6;
const TJPARAM_FASTDCT = 10;
const TJPF_RGB = 0;

export interface ScaledJpegDecoder {
  /** The stream's size as its header gives it; throws libjpeg's message when it has none. */
  header(jpeg: Uint8Array): { width: number; height: number };
  /**
   * Decodes the stream whose header was just read at 1/2^halvings of its size (each side rounded
   * up) into `out` as interleaved RGB, with the fast IDCT; throws libjpeg's message on damage.
   */
  decode(jpeg: Uint8Array, halvings: number, out: Uint8Array): void;
}

type Binding = Record<'init' | 'set' | 'get' | 'scale' | 'header' | 'decompress' | 'error', (...args: unknown[]) => unknown>;

let decoder: ScaledJpegDecoder | null | undefined;

/** This thread's decoder, made on first use; null where TurboJPEG's library cannot be reached. */
export function scaledJpegDecoder(): ScaledJpegDecoder | null {
  if (decoder === undefined) decoder = loadDecoder();
  return decoder;
}

function loadDecoder(): ScaledJpegDecoder | null {
  const require = createRequire(import.meta.url);
  let koffi: typeof import('koffi');
  try {
    // Required here, not imported: a platform koffi has no build for decodes tiles whole.
    koffi = require('koffi') as typeof import('koffi');
  } catch {
    return null;
  }
  const scalingFactor = koffi.struct({ num: 'int', denom: 'int' });
  for (const path of libraryCandidates(require)) {
    try {
      const lib = koffi.load(path);
      const bind: Binding = {
        init: lib.func('tj3Init', 'void *', ['int']),
        set: lib.func('tj3Set', 'int', ['void *', 'int', 'int']),
        get: lib.func('tj3Get', 'int', ['void *', 'int']),
        scale: lib.func('tj3SetScalingFactor', 'int', ['void *', scalingFactor]),
        header: lib.func('tj3DecompressHeader', 'int', ['void *', 'const uint8_t *', 'size_t']),
        decompress: lib.func('tj3Decompress8', 'int', ['void *', 'const uint8_t *', 'size_t', 'uint8_t *', 'int', 'int']),
        error: lib.func('tj3GetErrorStr', 'const char *', ['void *']),
      };
      const made = makeDecoder(bind);
      if (made && passesCheck(made)) return made;
    } catch {
      // Not this library (another libc's build, or no such symbols): the next, or none.
    }
  }
  return null;
}

function makeDecoder(bind: Binding): ScaledJpegDecoder | null {
  // One handle for the thread's life: TurboJPEG reuses its decompressor between calls.
  const handle = bind.init(TJINIT_DECOMPRESS);
  if (!handle || bind.set(handle, TJPARAM_FASTDCT, 1) !== 0) return null;
  const check = (status: unknown): void => {
    if (status !== 0) throw new Error(String(bind.error(handle)));
  };
  return {
    header(jpeg) {
      check(bind.header(handle, jpeg, jpeg.byteLength));
      return { width: bind.get(handle, TJPARAM_JPEGWIDTH) as number, height: bind.get(handle, TJPARAM_JPEGHEIGHT) as number };
    },
    decode(jpeg, halvings, out) {
      check(bind.scale(handle, { num: 1, denom: 2 ** halvings }));
      const { width } = this.header(jpeg);
      check(bind.decompress(handle, jpeg, jpeg.byteLength, out, Math.ceil(width / 2 ** halvings) * 3, TJPF_RGB));
    },
  };
}

/** A 16 x 16 image of four flat quadrants must come back as 8 x 8 of the same four colours. */
function passesCheck(made: ScaledJpegDecoder): boolean {
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
  made.decode(jpeg, 1, out);
  if (out[8 * 8 * 3] !== 7) return false; // wrote past 8 x 8: not scaled
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const expected = colours[(y >> 2) * 2 + (x >> 2)]!;
      for (let c = 0; c < 3; c++) if (Math.abs(out[(y * 8 + x) * 3 + c]! - expected[c]!) > 3) return false;
    }
  }
  return true;
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
