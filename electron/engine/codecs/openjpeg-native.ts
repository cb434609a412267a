// OpenJPEG's own library (libopenjp2, the one OpenSlide links), called through koffi where the system
// has it: for the codestreams it is given (raw, 1 or 3 components of 8 bits, none subsampled) the
// same bytes as the WebAssembly build, ~1.4x faster once that is optimised and with no warm-up, which
// each engine process otherwise pays in V8 compiling OpenJPEG's hot functions (docs/performance.md,
// "JPEG 2000 through the system's OpenJPEG"). Where the library is missing, older than 2.5 or fails
// the check decodes at load, nativeOpenJpeg() is null and the WebAssembly build decodes.

import type { LibraryHandle } from 'koffi';
import { type Koffi, loadNativeLibrary } from '../native-library';
import type { Decoded } from './decoded';
import { WARM_UP_CODESTREAMS } from './openjpeg-warmup-codestreams';

export interface NativeOpenJpeg {
  readonly version: string;
  /**
   * Decodes a raw codestream (no JP2 boxes) at 1/2^reduce of its size; throws OpenJPEG's message when
   * it cannot. The caller gives it only 8-bit unsigned codestreams of 1 or 3 components, none
   * subsampled (decodeJpeg2000); the rest goes to the WebAssembly build, as before.
   */
  decode(codestream: Uint8Array, reduce: number): Decoded;
}

/**
 * The library as the system's loader names it. Linux only: Linux distributions ship it (Debian's and
 * Ubuntu's libopenjp2-7), where macOS's hardened runtime would refuse a Homebrew build and Windows has none.
 */
const LIBRARIES: Partial<Record<NodeJS.Platform, string[]>> = { linux: ['libopenjp2.so.7'] };

/** FNV-1a of the WebAssembly build's decodes of the warm-up codestreams (openjpeg-native.test checks them). */
export const CHECK_DECODES: ReadonlyArray<{ name: string; reduce: number; fnv: number }> = [
  { name: '33003', reduce: 1, fnv: 0x9fb767a1 },
  { name: '33005-lossy', reduce: 0, fnv: 0x7d832161 },
  { name: '33005-lossless', reduce: 0, fnv: 0x2016a4fd },
];

const OPJ_CODEC_J2K = 0;
/** opj_dparameters_t is 8256 bytes in 2.5 (two paths of 4096 and more): room to spare. cp_reduce is its first field. */
const PARAMETERS_BYTES = 64 * 1024;

let loaded: NativeOpenJpeg | null | undefined;

/** This thread's native decoder, loaded on first use; null where it cannot be used. */
export function nativeOpenJpeg(): NativeOpenJpeg | null {
  if (loaded === undefined)
    loaded = process.env['SLIDESCOPE_OPENJPEG'] === 'wasm' ? null : loadNativeLibrary(LIBRARIES[process.platform] ?? [], bind, passesCheck);
  return loaded;
}

function bind(koffi: Koffi, lib: LibraryHandle): NativeOpenJpeg | null {
  const version = String(lib.func('const char *opj_version(void)')());
  const [major = 0, minor = 0] = version.split('.').map(Number);
  // 2.5 and later: the releases with the fixes for hostile codestreams that came before (2.4's CVEs).
  if (major !== 2 || minor < 5) return null;
  const opj = {
    create: lib.func('void *opj_create_decompress(int)'),
    threads: lib.func('int opj_codec_set_threads(void *, int)'),
    defaults: lib.func('void opj_set_default_decoder_parameters(void *)'),
    setup: lib.func('int opj_setup_decoder(void *, void *)'),
    onError: lib.func('int opj_set_error_handler(void *, void *, void *)'),
    stream: lib.func('void *opj_stream_create(size_t, int)'),
    onRead: lib.func('void opj_stream_set_read_function(void *, void *)'),
    onSkip: lib.func('void opj_stream_set_skip_function(void *, void *)'),
    onSeek: lib.func('void opj_stream_set_seek_function(void *, void *)'),
    length: lib.func('void opj_stream_set_user_data_length(void *, uint64_t)'),
    header: lib.func('int opj_read_header(void *, void *, _Out_ void **)'),
    decode: lib.func('int opj_decode(void *, void *, void *)'),
    end: lib.func('int opj_end_decompress(void *, void *)'),
    destroyStream: lib.func('void opj_stream_destroy(void *)'),
    destroyCodec: lib.func('void opj_destroy_codec(void *)'),
    destroyImage: lib.func('void opj_image_destroy(void *)'),
  };
  const Component = koffi.struct({
    dx: 'uint32',
    dy: 'uint32',
    w: 'uint32',
    h: 'uint32',
    x0: 'uint32',
    y0: 'uint32',
    prec: 'uint32',
    bpp: 'uint32',
    sgnd: 'uint32',
    resno_decoded: 'uint32',
    factor: 'uint32',
    data: 'void *',
    alpha: 'uint16',
  });
  const Image = koffi.struct({ x0: 'uint32', y0: 'uint32', x1: 'uint32', y1: 'uint32', numcomps: 'uint32', color_space: 'int', comps: 'void *' });
  const componentBytes = koffi.sizeof(Component);

  // The stream reads from the codestream being decoded: decodes are synchronous, one at a time a thread.
  let source: Uint8Array = new Uint8Array(0);
  let at = 0;
  let message = '';
  const read = koffi.register(
    (buffer: unknown, wanted: number | bigint) => {
      const n = Math.min(Number(wanted), source.length - at);
      if (n <= 0) return -1; // (OPJ_SIZE_T)-1: the end of the stream
      new Uint8Array(koffi.view(buffer, n)).set(source.subarray(at, at + n));
      at += n;
      return n;
    },
    koffi.pointer(koffi.proto('size_t opj_read_fn(void *buffer, size_t n, void *user)')),
  );
  const skip = koffi.register(
    (n: number | bigint) => {
      const to = at + Number(n);
      if (to < 0 || to > source.length) return -1; // past either end: OpenJPEG's failure
      at = to;
      return Number(n);
    },
    koffi.pointer(koffi.proto('int64_t opj_skip_fn(int64_t n, void *user)')),
  );
  const seek = koffi.register(
    (to: number | bigint) => {
      if (Number(to) < 0 || Number(to) > source.length) return 0;
      at = Number(to);
      return 1;
    },
    koffi.pointer(koffi.proto('int opj_seek_fn(int64_t to, void *user)')),
  );
  const onError = koffi.register(
    (text: string) => {
      // Its messages run over lines ("Error decoding component 0.\nThe number of resolutions..."): one line here.
      message ||= text.replace(/\s+/g, ' ').trim();
    },
    koffi.pointer(koffi.proto('void opj_msg_fn(const char *text, void *user)')),
  );
  const parameters = Buffer.alloc(PARAMETERS_BYTES);
  opj.defaults(parameters);

  return {
    version,
    decode(codestream, reduce) {
      const codec = opj.create(OPJ_CODEC_J2K);
      if (!codec) throw new Error('OpenJPEG could not make a decoder');
      let stream: unknown = null;
      const image: [unknown] = [null];
      source = codestream;
      at = 0;
      message = '';
      try {
        stream = opj.stream(Math.max(1, codestream.length), 1);
        if (!stream) throw new Error('OpenJPEG could not make a stream');
        parameters.writeUInt32LE(reduce, 0);
        const failed = (what: string) => new Error(message ? `${what}: ${message}` : what);
        // One thread, this one, whatever OPJ_NUM_THREADS says: the callbacks above must run here, and the
        // engine's threads already share the cores. (A build without threads says no, and has none.)
        opj.threads(codec, 0);
        if (!opj.onError(codec, onError, null) || !opj.setup(codec, parameters)) throw failed('OpenJPEG refused its parameters');
        opj.onRead(stream, read);
        opj.onSkip(stream, skip);
        opj.onSeek(stream, seek);
        opj.length(stream, codestream.length);
        if (!opj.header(stream, codec, image)) throw failed('OpenJPEG could not read its header');
        if (!opj.decode(codec, stream, image[0]) || !opj.end(codec, stream)) throw failed('OpenJPEG could not decode it');
        return interleave(koffi.decode(image[0], Image) as { numcomps: number; comps: unknown });
      } finally {
        source = new Uint8Array(0);
        if (image[0]) opj.destroyImage(image[0]);
        if (stream) opj.destroyStream(stream);
        opj.destroyCodec(codec);
      }
    },
  };

  function interleave(image: { numcomps: number; comps: unknown }): Decoded {
    const channels = image.numcomps;
    if (channels !== 1 && channels !== 3) throw new Error(`it has ${channels} components`);
    const components = Array.from(
      { length: channels },
      (_, c) => koffi.decode(image.comps, c * componentBytes, Component) as { w: number; h: number; prec: number; sgnd: number; data: unknown },
    );
    const { w: width, h: height } = components[0]!;
    for (const c of components) {
      if (c.w !== width || c.h !== height) throw new Error('its components differ in size');
      if (c.prec !== 8 || c.sgnd !== 0) throw new Error(`its samples are ${c.sgnd ? 'signed ' : ''}${c.prec}-bit; only 8-bit unsigned is supported`);
      if (!c.data) throw new Error('OpenJPEG decoded no samples');
    }
    const pixels = width * height;
    const data = new Uint8Array(pixels * channels);
    // OpenJPEG's 8-bit samples are within 0..255 already (its DC level shift clamps them).
    for (let c = 0; c < channels; c++) {
      const samples = new Int32Array(koffi.view(components[c]!.data, pixels * 4));
      for (let i = 0, j = c; i < pixels; i++, j += channels) data[j] = samples[i]!;
    }
    return { data, width, height, channels };
  }
}

function passesCheck(decoder: NativeOpenJpeg): boolean {
  return CHECK_DECODES.every(({ name, reduce, fnv }) => {
    const stored = WARM_UP_CODESTREAMS.find((c) => c.name === name)!;
    return fnv1a(decoder.decode(new Uint8Array(Buffer.from(stored.base64, 'base64')), reduce).data) === fnv;
  });
}

export function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
