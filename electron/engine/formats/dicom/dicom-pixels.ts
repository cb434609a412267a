// How an instance's frames are coded (transfer syntax, photometric interpretation, samples), checked
// once when the slide opens, and one frame decoded to RGB: JPEG through libjpeg-turbo (as
// OpenSlide; jpeg-decoder.ts), JPEG 2000 on the codec threads (OpenJPEG), JPEG-LS through CharLS, native frames as
// they are. Grey frames (MONOCHROME2, MONOCHROME1 inverted) come out grey.

import type { JpegColourSpace, RgbImage } from '../../../../shared/slide';
import { runInPool } from '../../codecs/codec-pool';
import type { Decoded } from '../../codecs/decoded';
import { decodeJpeg } from '../../codecs/jpeg-decoder';
import { decompositionLevels, hasSubsampledComponents, j2kSizeProblem, ycbcrToRgbInPlace } from '../../codecs/jpeg2000-decoder';
import { damagedError, SlideError } from '../../errors';
import { tagKey } from './dicom-dictionary';
import { type DicomInstance, Tag, TransferSyntax } from './dicom-instance';
import { jpegInColourSpace } from './dicom-jpeg';
import { decodeJpegLs, jpegLsFrameProblem } from './jpeg-ls-decoder';

export type FrameCodec = 'native' | 'jpeg' | 'jpeg2000' | 'jpeg-ls';

/** A frame larger than this (16 M pixels) is refused: one is decoded whole for every tile read from it. */
export const MAX_FRAME_PIXELS = 4096 * 4096;

export interface PixelFormat {
  codec: FrameCodec;
  photometric: string;
  samples: 1 | 3;
  /** Native colour frames stored plane by plane (Planar Configuration 1). */
  planar: boolean;
  rows: number;
  columns: number;
}

const CODECS: Record<string, FrameCodec> = {
  [TransferSyntax.IMPLICIT_LE]: 'native',
  [TransferSyntax.EXPLICIT_LE]: 'native',
  [TransferSyntax.JPEG_BASELINE]: 'jpeg',
  [TransferSyntax.JPEG_2000_LOSSLESS]: 'jpeg2000',
  [TransferSyntax.JPEG_2000]: 'jpeg2000',
  [TransferSyntax.JPEG_LS_LOSSLESS]: 'jpeg-ls',
  [TransferSyntax.JPEG_LS_NEAR_LOSSLESS]: 'jpeg-ls',
};

/** The photometric interpretations each codec is read in, by samples per pixel. */
const PHOTOMETRICS: Record<FrameCodec, Record<string, 1 | 3>> = {
  native: { RGB: 3, YBR_FULL: 3, MONOCHROME2: 1, MONOCHROME1: 1 },
  jpeg: { RGB: 3, YBR_FULL_422: 3, YBR_FULL: 3, MONOCHROME2: 1, MONOCHROME1: 1 },
  jpeg2000: { RGB: 3, YBR_ICT: 3, YBR_RCT: 3, MONOCHROME2: 1, MONOCHROME1: 1 },
  'jpeg-ls': { RGB: 3, MONOCHROME2: 1, MONOCHROME1: 1 },
};

/** The instance's frame coding, or UNSUPPORTED_* saying why it cannot be read. */
export function pixelFormat(instance: DicomInstance): PixelFormat {
  const { dataSet, file } = instance;
  const unsupported = (code: 'UNSUPPORTED_FORMAT' | 'UNSUPPORTED_COMPRESSION', message: string) => new SlideError(code, message, file.path);
  const codec = CODECS[instance.transferSyntax];
  if (!codec) throw unsupported('UNSUPPORTED_COMPRESSION', `Frames in DICOM transfer syntax ${instance.transferSyntax} cannot be decoded.`);
  const us = (tag: number) => dataSet.uint16(tagKey(tag));
  const bits = us(Tag.BitsAllocated);
  const stored = us(Tag.BitsStored) ?? bits;
  if (bits !== 8 || stored !== 8 || (us(Tag.PixelRepresentation) ?? 0) !== 0)
    throw unsupported('UNSUPPORTED_FORMAT', `Frames of ${stored ?? '?'}-bit samples (${bits ?? '?'} bits allocated) are not supported: only 8-bit.`);
  const photometric = (dataSet.string(tagKey(Tag.PhotometricInterpretation)) ?? '').toUpperCase();
  const samples = PHOTOMETRICS[codec][photometric];
  if (samples === undefined)
    throw unsupported('UNSUPPORTED_FORMAT', `Photometric interpretation ${photometric || 'none'} is not supported with ${codec} frames.`);
  if ((us(Tag.SamplesPerPixel) ?? samples) !== samples)
    throw unsupported('UNSUPPORTED_FORMAT', `${photometric} frames with ${us(Tag.SamplesPerPixel)} samples per pixel are not supported.`);
  const rows = us(Tag.Rows) ?? 0;
  const columns = us(Tag.Columns) ?? 0;
  if (rows === 0 || columns === 0) throw new SlideError('CORRUPT_DATA', `Its frames are ${columns} x ${rows} pixels.`, file.path);
  if (rows * columns > MAX_FRAME_PIXELS) throw new SlideError('TOO_LARGE', `Its frames are ${columns} x ${rows} pixels: too large to decode.`, file.path);
  return { codec, photometric, samples, planar: codec === 'native' && samples === 3 && us(Tag.PlanarConfiguration) === 1, rows, columns };
}

/** Whether the viewer can be sent this format's frames as they are stored (JPEG that needs no inverting). */
export function storesJpeg(format: PixelFormat): boolean {
  return format.codec === 'jpeg' && format.photometric !== 'MONOCHROME1';
}

/** The two bytes a frame of this codec starts with: frames told apart among fragments. */
export function frameStart(format: PixelFormat): readonly [number, number] | null {
  if (format.codec === 'jpeg' || format.codec === 'jpeg-ls') return [0xff, 0xd8];
  return format.codec === 'jpeg2000' ? [0xff, 0x4f] : null;
}

/** Bytes of one native frame. */
export function nativeFrameBytes(format: PixelFormat): number {
  return format.rows * format.columns * format.samples;
}

/** The colour space a JPEG frame's header says its samples are in; null for one component. */
export function jpegColour(format: PixelFormat): JpegColourSpace | null {
  return format.samples === 3 ? (format.photometric === 'RGB' ? 'rgb' : 'ycbcr') : null;
}

/** One frame decoded to RGB, at its stored size. Broken data is CORRUPT_DATA naming `what`. */
export async function decodeFrame(format: PixelFormat, frame: Uint8Array, what: string, path: string): Promise<RgbImage> {
  const damaged = (reason: unknown) => damagedError(reason, what, path);
  const { rows, columns, samples } = format;
  let decoded: Decoded;
  try {
    decoded = await decodeSamples(format, frame);
  } catch (error) {
    throw damaged(error);
  }
  if (decoded.width !== columns || decoded.height !== rows || (decoded.channels !== samples && decoded.channels !== 3))
    throw damaged(`it is ${decoded.width} x ${decoded.height} pixels of ${decoded.channels} samples, not ${columns} x ${rows} of ${samples}`);
  return toRgb(decoded, format.photometric === 'MONOCHROME1');
}

/**
 * A JPEG 2000 frame decoded at 1/2^halvings of its size from its own resolution levels (cheap), as
 * the TIFF reader does; null when the codestream has too few levels or subsampled chroma (decoded
 * whole and halved instead).
 */
export async function decodeFrameReduced(format: PixelFormat, frame: Uint8Array, halvings: number, what: string, path: string): Promise<RgbImage | null> {
  const k = 2 ** halvings;
  if (format.codec !== 'jpeg2000' || format.columns % k !== 0 || format.rows % k !== 0) return null;
  const problem = j2kSizeProblem(frame, format.columns, format.rows, format.samples);
  if (problem) throw new SlideError('CORRUPT_DATA', `${what} is damaged: ${problem}.`, path);
  if ((decompositionLevels(frame) ?? 0) < halvings || hasSubsampledComponents(frame)) return null;
  const decoded = await runInPool({ kind: 'jpeg2000', codestream: frame, ycbcr: isUntransformedYcbcr(format, frame), reduce: halvings }).catch(
    (error: unknown) => {
      throw damagedError(error, what, path);
    },
  );
  // A codestream with fewer resolution levels than asked for comes back larger: not usable here.
  if (decoded.width !== format.columns / k || decoded.height !== format.rows / k || (decoded.channels !== format.samples && decoded.channels !== 3))
    return null;
  return toRgb(decoded, format.photometric === 'MONOCHROME1');
}

/**
 * YBR_ICT / YBR_RCT name the codestream's own component transform, which OpenJPEG undoes; a
 * codestream without one holds Y, Cb, Cr as they are, converted like Aperio's 33003.
 */
function isUntransformedYcbcr(format: PixelFormat, codestream: Uint8Array): boolean {
  return (format.photometric === 'YBR_ICT' || format.photometric === 'YBR_RCT') && !hasComponentTransform(codestream);
}

async function decodeSamples(format: PixelFormat, frame: Uint8Array): Promise<Decoded> {
  const { rows, columns, samples } = format;
  switch (format.codec) {
    case 'native': {
      const data = format.planar ? interleave(frame, rows * columns) : frame.slice();
      if (format.photometric === 'YBR_FULL') ycbcrToRgbInPlace(data);
      return { data, width: columns, height: rows, channels: samples };
    }
    case 'jpeg': {
      const jpeg = jpegInColourSpace(frame, jpegColour(format));
      // photometric 6: the stream is taken as it is (its markers now say its colour space).
      return decodeJpeg(jpeg, { tileWidth: columns, tileHeight: rows, photometric: 6 });
    }
    case 'jpeg2000': {
      const problem = j2kSizeProblem(frame, columns, rows, samples);
      if (problem) throw new Error(problem.replace(/^its /, ''));
      return runInPool({ kind: 'jpeg2000', codestream: frame, ycbcr: isUntransformedYcbcr(format, frame), reduce: 0 });
    }
    case 'jpeg-ls': {
      const problem = jpegLsFrameProblem(frame, columns, rows, samples);
      if (problem) throw new Error(problem.replace(/^its /, ''));
      return decodeJpegLs(frame);
    }
  }
}

/** Whether a codestream's COD marker says its components were transformed (MCT). */
function hasComponentTransform(codestream: Uint8Array): boolean {
  for (let pos = 2; pos + 9 < codestream.length && codestream[pos] === 0xff; ) {
    const marker = codestream[pos + 1]!;
    if (marker === 0x90) return false; // SOT: the main header ended without COD
    if (marker === 0x52) return codestream[pos + 8] === 1;
    pos += 2 + ((codestream[pos + 2]! << 8) | codestream[pos + 3]!);
  }
  return false;
}

/** R...G...B... planes as RGB pixels. */
function interleave(planes: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[p * 3] = planes[p]!;
    out[p * 3 + 1] = planes[pixels + p]!;
    out[p * 3 + 2] = planes[2 * pixels + p]!;
  }
  return out;
}

function toRgb(decoded: Decoded, invert: boolean): RgbImage {
  const { width, height, channels } = decoded;
  if (channels === 3 && !invert) return { data: decoded.data, width, height, channels: 3 };
  const pixels = width * height;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const v = decoded.data[p * channels + (channels === 3 ? c : 0)]!;
      out[p * 3 + c] = invert ? 255 - v : v;
    }
  }
  return { data: out, width, height, channels: 3 };
}
