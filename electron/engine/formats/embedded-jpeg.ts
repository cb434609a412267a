// A standalone JPEG stored as an associated image (Philips's label and macro in its XML, an NDPI
// file's macro): its size read from the frame header without decoding, and its pixels decoded as
// RGB, never beyond that size.

import sharp from 'sharp';
import type { RgbImage } from '../../../shared/slide';
import { readJpegFrame } from '../codecs/jpeg-stream';
import { damagedError, SlideError } from '../errors';
import { MAX_ASSOCIATED_PIXELS } from '../slide-source';

export interface EmbeddedJpeg {
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * The `name` image's JPEG and its declared size, or why it cannot be one: CORRUPT_DATA for a broken
 * header, TOO_LARGE for an absurd size. Returned, not thrown: a format may drop the image instead.
 */
export function embeddedJpeg(bytes: Uint8Array, name: string, path: string): EmbeddedJpeg | SlideError {
  const frame = readJpegFrame(bytes);
  if (typeof frame === 'string') return new SlideError('CORRUPT_DATA', `The ${name} image is damaged (${frame}).`, path);
  if (frame.width === 0 || frame.height === 0)
    return new SlideError('CORRUPT_DATA', `The ${name} image is damaged (its frame is ${frame.width} x ${frame.height} pixels).`, path);
  if (frame.width * frame.height > MAX_ASSOCIATED_PIXELS)
    return new SlideError('TOO_LARGE', `The ${name} image declares ${frame.width} x ${frame.height} pixels, more than a picture of the slide can have.`, path);
  return { bytes, width: frame.width, height: frame.height };
}

/** Decodes to RGB (grey expanded); CORRUPT_DATA when the data does not decode to its declared size. */
export async function decodeEmbeddedJpeg(jpeg: EmbeddedJpeg, name: string, path: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(jpeg.bytes, { failOn: 'error', limitInputPixels: jpeg.width * jpeg.height })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== jpeg.width || info.height !== jpeg.height || info.channels !== 3)
      throw new Error(`decoded to ${info.width} x ${info.height} x ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw damagedError(error, `The ${name} image`, path);
  }
}
