// A standalone JPEG carried inside a slide's metadata (Philips's label and macro in its XML): its
// size read from the frame header without decoding, and its pixels decoded as RGB, never beyond that
// size.

import sharp from 'sharp';
import type { RgbImage } from '../../../shared/slide';
import { readJpegFrame } from '../codecs/jpeg-stream';
import { SlideError } from '../errors';

/** Associated images are pictures of the glass: anything larger is not one. */
export const MAX_EMBEDDED_PIXELS = 64 * 1024 * 1024;

export interface EmbeddedJpeg {
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** The JPEG and its declared size, or why it cannot be one (broken header, absurd size). */
export function embeddedJpeg(bytes: Uint8Array): EmbeddedJpeg | string {
  const frame = readJpegFrame(bytes);
  if (typeof frame === 'string') return frame;
  if (frame.width === 0 || frame.height === 0) return `its frame is ${frame.width} x ${frame.height} pixels`;
  if (frame.width * frame.height > MAX_EMBEDDED_PIXELS) return `its frame of ${frame.width} x ${frame.height} pixels is larger than a slide's picture can be`;
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
    throw new SlideError(
      'CORRUPT_DATA',
      `The ${name} image is damaged and cannot be decoded (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`,
      path,
    );
  }
}
