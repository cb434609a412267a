// One decoder table for every TIFF compression: geotiff's registry, with sharp's JPEG and OpenJPEG's
// JPEG 2000 registered into it (geotiff's own JS JPEG decoder is slow and has no JPEG 2000 at all).

import { addDecoder, BaseDecoder, getDecoder } from 'geotiff';
import { SlideError } from '../errors';
import { Compression, Photometric, type TiffDirectory } from '../tiff/tiff-file';
import { runInPool } from './codec-pool';
import type { Decoded } from './decoded';
import { JpegDecoder } from './jpeg-decoder';
import type { Jpeg2000DecoderParameters } from './jpeg2000-decoder';

/** geotiff's decoder for the JPEG 2000 compressions: decodes on the pool's threads. */
class Jpeg2000Decoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const { ycbcr } = this.parameters as unknown as Jpeg2000DecoderParameters;
    return (await runInPool({ kind: 'jpeg2000', codestream: new Uint8Array(buffer), ycbcr, reduce: 0 })).data.buffer;
  }
}

type DecoderClass = Parameters<typeof addDecoder>[1] extends () => Promise<infer C> ? C : never;

// geotiff keeps the table; the parameters each decoder gets are built from our directory record
// below (geotiff does not export its own parameter lookup).
addDecoder(Compression.JPEG, async () => JpegDecoder as unknown as DecoderClass, undefined, false);
addDecoder(
  [Compression.APERIO_J2K_YCBCR, Compression.APERIO_J2K_RGB, Compression.JPEG2000],
  async () => Jpeg2000Decoder as unknown as DecoderClass,
  undefined,
  false,
);

function decoderParameters(dir: TiffDirectory, predictor: number): Record<string, unknown> {
  const base = {
    tileWidth: dir.blockWidth,
    tileHeight: dir.blockHeight,
    planarConfiguration: dir.planarConfiguration, // geotiff's predictor counts samples by this array's length.
    bitsPerSample: new Array<number>(dir.samplesPerPixel).fill(dir.bitsPerSample),
    predictor,
  };
  switch (dir.compression) {
    case Compression.JPEG:
      return { ...base, jpegTables: dir.jpegTables, photometric: dir.photometric };
    case Compression.APERIO_J2K_YCBCR:
      return { ...base, ycbcr: true };
    case Compression.APERIO_J2K_RGB:
    case Compression.JPEG2000:
      return { ...base, ycbcr: false };
    default:
      return base;
  }
}

const NAMES: Record<number, string> = {
  [Compression.OJPEG]: 'old-style JPEG (6)',
  [Compression.WEBP]: 'WebP (50001)',
  34887: 'LERC (34887)',
  52479: 'unknown (52479)',
};

export function compressionName(compression: number): string {
  return NAMES[compression] ?? String(compression);
}

/** geotiff decodes into the browser's canvas for WebP, and old-style JPEG is not supported: refuse both up front. */
const REFUSED = new Set<number>([Compression.OJPEG, Compression.WEBP, 34887]);

const decoders = new WeakMap<TiffDirectory, Promise<BaseDecoder>>();

/** Throws UNSUPPORTED_* when an image cannot be decoded at all, so a slide fails at open, not per tile. */
export async function checkDecodable(dir: TiffDirectory, path: string): Promise<void> {
  if (dir.bitsPerSample !== 8) throw new SlideError('UNSUPPORTED_FORMAT', `Images with ${dir.bitsPerSample}-bit samples are not supported.`, path);
  if (dir.planarConfiguration !== 1 && dir.samplesPerPixel > 1)
    throw new SlideError('UNSUPPORTED_FORMAT', 'Separate colour planes (PlanarConfiguration 2) are not supported.', path);
  const isJpeg =
    dir.compression === Compression.JPEG ||
    dir.compression === Compression.APERIO_J2K_RGB ||
    dir.compression === Compression.APERIO_J2K_YCBCR ||
    dir.compression === Compression.JPEG2000;
  const photometricOk =
    dir.photometric === Photometric.RGB ||
    dir.photometric === Photometric.MIN_IS_BLACK ||
    dir.photometric === Photometric.MIN_IS_WHITE ||
    (dir.photometric === Photometric.YCBCR && isJpeg);
  if (!photometricOk)
    throw new SlideError(
      'UNSUPPORTED_FORMAT',
      `Photometric interpretation ${dir.photometric} with compression ${compressionName(dir.compression)} is not supported.`,
      path,
    );
  await decoderFor(dir, path);
}

function decoderFor(dir: TiffDirectory, path: string): Promise<BaseDecoder> {
  let decoder = decoders.get(dir);
  if (!decoder) {
    decoder = (async () => {
      if (REFUSED.has(dir.compression)) throw new Error('refused');
      const predictor = Number((await dir.ifd.loadValue(317)) ?? 1);
      return getDecoder(dir.compression, decoderParameters(dir, predictor) as unknown as Parameters<typeof getDecoder>[1]);
    })().catch(() => {
      throw new SlideError('UNSUPPORTED_COMPRESSION', `Tiles compressed with ${compressionName(dir.compression)} cannot be decoded.`, path);
    });
    decoders.set(dir, decoder);
  }
  return decoder;
}

/** Decodes one stored tile or strip into interleaved RGB (3 channels), whatever the codec and photometric. */
export async function decodeBlock(dir: TiffDirectory, bytes: Uint8Array, width: number, height: number, path: string): Promise<Decoded> {
  const decoder = await decoderFor(dir, path);
  let raw: ArrayBufferLike;
  try {
    // Node Buffers may be views into a shared pool: hand the decoder an ArrayBuffer of its own.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
    raw = await decoder.decode(own);
  } catch (error) {
    if (error instanceof SlideError) throw new SlideError(error.code, error.message, path);
    // Decoders repeat themselves over several lines (libjpeg warnings): the first says it.
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/^Input buffer has corrupt header: /, '');
    throw new SlideError('CORRUPT_DATA', `A tile is damaged and cannot be decoded (${reason}).`, path);
  }
  const samples = new Uint8Array(raw);
  const channels = Math.floor(samples.length / (width * height));
  if (channels < 1) throw new SlideError('CORRUPT_DATA', 'A tile decoded to fewer pixels than its size.', path);
  return toRgb(samples, width, height, channels, dir.photometric === Photometric.MIN_IS_WHITE && !isJpegFamily(dir));
}

function isJpegFamily(dir: TiffDirectory): boolean {
  return dir.compression === Compression.JPEG;
}

function toRgb(samples: Uint8Array, width: number, height: number, channels: number, invert: boolean): Decoded {
  const pixels = width * height;
  if (channels === 3 && !invert) return { data: samples.length === pixels * 3 ? samples : samples.subarray(0, pixels * 3), width, height, channels: 3 };
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, s = 0, o = 0; p < pixels; p++, s += channels, o += 3) {
    if (channels >= 3) {
      out[o] = samples[s]!;
      out[o + 1] = samples[s + 1]!;
      out[o + 2] = samples[s + 2]!;
    } else {
      const v = invert ? 255 - samples[s]! : samples[s]!;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
  }
  return { data: out, width, height, channels: 3 };
}
