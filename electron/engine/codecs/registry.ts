// One decoder table for every TIFF compression: geotiff's registry, with libjpeg-turbo's JPEG
// (jpeg-decoder.ts) and OpenJPEG's JPEG 2000 registered into it (geotiff's own JS JPEG decoder is slow and has no JPEG 2000 at all),
// and our bounded decoders for Deflate, LZW, PackBits and ZSTD (bounded-decoders.ts: geotiff's own
// decode without limit). Every decoder here is bounded by the block's size: the lossless ones while
// they decode, JPEG and JPEG 2000 by their frame's declared size, checked before they decode.

import { addDecoder, BaseDecoder, getDecoder } from 'geotiff';
import { damagedError, SlideError } from '../errors';
import { Compression, Photometric, type TiffDirectory } from '../tiff/tiff-file';
import { BoundedDeflateDecoder, BoundedLzwDecoder, BoundedPackBitsDecoder, BoundedRawDecoder, BoundedZstdDecoder } from './bounded-decoders';
import { runInPool } from './codec-pool';
import type { Decoded } from './decoded';
import { JpegDecoder } from './jpeg-decoder';
import { type Jpeg2000DecoderParameters, j2kSizeProblem } from './jpeg2000-decoder';
import { samplesToRgb } from './samples';

interface Jpeg2000BlockParameters extends Jpeg2000DecoderParameters {
  tileWidth: number;
  tileHeight: number;
  samplesPerPixel: number;
}

/** geotiff's decoder for the JPEG 2000 compressions: decodes on the pool's threads. */
class Jpeg2000Decoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const { ycbcr, tileWidth, tileHeight, samplesPerPixel } = this.parameters as unknown as Jpeg2000BlockParameters;
    const codestream = new Uint8Array(buffer);
    const problem = j2kSizeProblem(codestream, tileWidth, tileHeight, samplesPerPixel);
    if (problem) throw new SlideError('CORRUPT_DATA', problem);
    return (await runInPool({ kind: 'jpeg2000', codestream, ycbcr, reduce: 0 })).data.buffer;
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
addDecoder(Compression.NONE, async () => BoundedRawDecoder as unknown as DecoderClass, undefined, false);
addDecoder([Compression.ADOBE_DEFLATE, Compression.DEFLATE], async () => BoundedDeflateDecoder as unknown as DecoderClass, undefined, false);
addDecoder(Compression.LZW, async () => BoundedLzwDecoder as unknown as DecoderClass, undefined, false);
addDecoder(Compression.PACKBITS, async () => BoundedPackBitsDecoder as unknown as DecoderClass, undefined, false);
addDecoder(Compression.ZSTD, async () => (await BoundedZstdDecoder.ready()) as unknown as DecoderClass, undefined, false);

function decoderParameters(dir: TiffDirectory, predictor: number): Record<string, unknown> {
  const base = {
    tileWidth: dir.blockWidth,
    tileHeight: dir.blockHeight,
    planarConfiguration: dir.planarConfiguration, // geotiff's predictor counts samples by this array's length.
    bitsPerSample: new Array<number>(dir.samplesPerPixel).fill(dir.bitsPerSample),
    samplesPerPixel: dir.samplesPerPixel,
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
};

export function compressionName(compression: number): string {
  return NAMES[compression] ?? `compression ${compression}`;
}

/** geotiff decodes into the browser's canvas for WebP, and old-style JPEG is not supported: refuse both up front. */
const REFUSED = new Set<number>([Compression.OJPEG, Compression.WEBP, 34887]);

/** A directory's decoder, and whether Predictor 2 is left to samplesToRgb (16-bit samples). */
interface BlockDecoder {
  decoder: BaseDecoder;
  undoPredictor: boolean;
}

const decoders = new WeakMap<TiffDirectory, Promise<BlockDecoder>>();

/** Samples per pixel an image may have (grey, grey and alpha, RGB, RGBA). */
const MAX_SAMPLES = 4;

/** SampleFormat (339): unsigned (the default) or signed integers; libtiff's RGBA reader refuses floating point. */
const INTEGER_SAMPLE_FORMATS = new Set([1, 2]);

/** Whether an image's samples are stored in separate planes (PlanarConfiguration 2), one block per sample. */
export function hasSeparatePlanes(dir: TiffDirectory): boolean {
  return dir.planarConfiguration === 2 && dir.samplesPerPixel > 1;
}

/** Throws UNSUPPORTED_* when an image cannot be decoded at all, so a slide fails at open, not per tile. */
export async function checkDecodable(dir: TiffDirectory, path: string): Promise<void> {
  const isJpeg = isFrameCodec(dir);
  const tiles = `${dir.compression === Compression.JPEG ? 'JPEG' : 'JPEG 2000'} tiles`;
  if (!Number.isInteger(dir.bitsPerSample) || dir.bitsPerSample < 1)
    throw new SlideError('CORRUPT_DATA', `Image ${dir.index} gives BitsPerSample as ${dir.bitsPerSample}, not a number of bits: the file is damaged.`, path);
  if (dir.bitsPerSample !== 8 && dir.bitsPerSample !== 16)
    throw new SlideError('UNSUPPORTED_FORMAT', `Images with ${dir.bitsPerSample}-bit samples are not supported.`, path);
  if (dir.bitsPerSample === 16 && isJpeg) throw new SlideError('UNSUPPORTED_FORMAT', `16-bit samples in ${tiles} are not supported.`, path);
  // The decoded size of a block bounds every decode: keep it in proportion to its pixels.
  if (dir.samplesPerPixel < 1 || dir.samplesPerPixel > MAX_SAMPLES)
    throw new SlideError('UNSUPPORTED_FORMAT', `Images with ${dir.samplesPerPixel} samples per pixel are not supported.`, path);
  if (dir.planarConfiguration !== 1 && dir.planarConfiguration !== 2)
    throw new SlideError('UNSUPPORTED_FORMAT', `PlanarConfiguration ${dir.planarConfiguration} is not a TIFF sample layout.`, path);
  if (hasSeparatePlanes(dir) && isJpeg)
    throw new SlideError('UNSUPPORTED_FORMAT', `Separate colour planes (PlanarConfiguration 2) with ${tiles} are not supported.`, path);
  const sampleFormat = firstValue(dir.ifd.hasTag(339) ? await dir.ifd.loadValue(339) : undefined) ?? 1;
  if (!INTEGER_SAMPLE_FORMATS.has(sampleFormat))
    throw new SlideError(
      'UNSUPPORTED_FORMAT',
      `Images with ${sampleFormat === 3 ? 'floating-point' : `SampleFormat ${sampleFormat}`} samples are not supported.`,
      path,
    );
  const photometricOk =
    dir.photometric === Photometric.RGB ||
    dir.photometric === Photometric.MIN_IS_BLACK ||
    dir.photometric === Photometric.MIN_IS_WHITE ||
    (dir.photometric === Photometric.YCBCR && isJpeg);
  if (!photometricOk)
    throw new SlideError(
      'UNSUPPORTED_FORMAT',
      `Photometric interpretation ${dir.photometric} with ${compressionName(dir.compression)} is not supported.`,
      path,
    );
  await decoderFor(dir, path);
}

function firstValue(value: unknown): number | undefined {
  const first = typeof value === 'object' && value !== null && 'length' in value ? (value as ArrayLike<unknown>)[0] : value;
  return typeof first === 'number' ? first : undefined;
}

function decoderFor(dir: TiffDirectory, path: string): Promise<BlockDecoder> {
  let decoder = decoders.get(dir);
  if (!decoder) {
    decoder = (async () => {
      if (REFUSED.has(dir.compression)) throw new Error('refused');
      const predictor = Number((await dir.ifd.loadValue(317)) ?? 1);
      // geotiff undoes Predictor 2 on 16-bit samples in the machine's byte order: a big-endian file's
      // come out wrong, so 16-bit samples have it undone in theirs (samplesToRgb).
      const undoPredictor = dir.bitsPerSample === 16 && predictor === 2;
      const parameters = decoderParameters(dir, undoPredictor ? 1 : predictor) as unknown as Parameters<typeof getDecoder>[1];
      return { decoder: await getDecoder(dir.compression, parameters), undoPredictor };
    })().catch(() => {
      throw new SlideError('UNSUPPORTED_COMPRESSION', `Its tiles use ${compressionName(dir.compression)}, which Slidescope cannot decode.`, path);
    });
    decoders.set(dir, decoder);
  }
  return decoder;
}

/**
 * Decodes one stored tile or strip into interleaved RGB (3 channels), whatever the codec, photometric
 * and sample layout: `stored` is its bytes, or with separate planes (PlanarConfiguration 2) the
 * bytes of each plane it needs (the first three, or the first for grey). `block` names it in errors
 * ("tile 3,1 of image 0").
 */
export async function decodeBlock(
  dir: TiffDirectory,
  stored: Uint8Array | readonly Uint8Array[],
  width: number,
  height: number,
  path: string,
  /** The block, as errors name it ("Tile 3,1 of image 0": blockName). */
  name: string,
): Promise<Decoded> {
  const { decoder, undoPredictor } = await decoderFor(dir, path);
  const planes = stored instanceof Uint8Array ? [stored] : stored;
  const raws: Uint8Array[] = [];
  for (const bytes of planes) raws.push(new Uint8Array(await decodeStored(decoder, bytes, name, path)));
  if (!isFrameCodec(dir)) {
    // Our decoders give whole blocks of the directory's samples (zero-filled when short).
    return samplesToRgb(raws, width, height, {
      samplesPerPixel: dir.samplesPerPixel,
      bitsPerSample: dir.bitsPerSample === 16 ? 16 : 8,
      separatePlanes: hasSeparatePlanes(dir),
      littleEndian: dir.littleEndian,
      undoPredictor,
      minIsWhite: dir.photometric === Photometric.MIN_IS_WHITE,
    });
  }
  const samples = raws[0]!;
  const pixels = width * height;
  // JPEG and JPEG 2000 decode to their frame's own components.
  const channels = Math.floor(samples.length / pixels);
  if (channels < 1) throw new SlideError('CORRUPT_DATA', `${name} decoded to fewer pixels than its size.`, path);
  return toRgb(samples, width, height, channels, dir.photometric === Photometric.MIN_IS_WHITE && dir.compression !== Compression.JPEG);
}

/** One stored block through its decoder, errors named for the block. */
async function decodeStored(decoder: BaseDecoder, bytes: Uint8Array, name: string, path: string): Promise<ArrayBufferLike> {
  try {
    // Node Buffers may be views into a shared pool: hand the decoder an ArrayBuffer of its own.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
    return await decoder.decode(own);
  } catch (error) {
    // Our decoders' own findings ("its LZW data decompresses to more than...") read as the block's.
    if (error instanceof SlideError && error.code === 'CORRUPT_DATA' && /^its /.test(error.message))
      throw new SlideError('CORRUPT_DATA', `${name} is damaged: ${error.message}.`, path);
    throw damagedError(error, name, path);
  }
}

/** Codecs whose data declares its own frame (size, components): JPEG and JPEG 2000. */
function isFrameCodec(dir: TiffDirectory): boolean {
  return (
    dir.compression === Compression.JPEG ||
    dir.compression === Compression.APERIO_J2K_RGB ||
    dir.compression === Compression.APERIO_J2K_YCBCR ||
    dir.compression === Compression.JPEG2000
  );
}

/** A JPEG or JPEG 2000 frame's components as RGB (a single component as grey, inverted for MinIsWhite). */
function toRgb(samples: Uint8Array, width: number, height: number, channels: number, invert: boolean): Decoded {
  const pixels = width * height;
  if (channels === 3) return { data: samples.length === pixels * 3 ? samples : samples.subarray(0, pixels * 3), width, height, channels: 3 };
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
