// A whole JPEG image (an associated image, a MIRAX or VMS file's image) to RGB through libjpeg-turbo
// (jpeg-decoder.ts). Its frame is read first: the size is checked (exactly what the slide says, or
// bounded) and a CMYK or other exotic frame refused before the decoder allocates anything.

import type { RgbImage } from '../../../shared/slide';
import { SlideError } from '../errors';
import type { Decoded } from './decoded';
import { decodeJpeg } from './jpeg-decoder';
import { readJpegFrame } from './jpeg-stream';

const YCBCR = 6;

/** A JPEG of exactly width x height, or (when null) of whatever size its frame declares up to maxPixels. Errors name no file: the caller does. */
export async function decodeJpegImage(bytes: Uint8Array, width: number | null, height: number | null, maxPixels = Number.POSITIVE_INFINITY): Promise<RgbImage> {
  const frame = readJpegFrame(bytes);
  if (typeof frame === 'string') throw new SlideError('CORRUPT_DATA', `its JPEG data is damaged (${frame})`);
  if ((width !== null && frame.width !== width) || (height !== null && frame.height !== height)) {
    throw new SlideError('CORRUPT_DATA', `its JPEG is ${frame.width} x ${frame.height} pixels, not ${width} x ${height}`);
  }
  if (frame.width * frame.height > maxPixels) throw new SlideError('TOO_LARGE', `its JPEG declares ${frame.width} x ${frame.height} pixels`);
  if (frame.components !== 1 && frame.components !== 3) throw new SlideError('UNSUPPORTED_FORMAT', `its JPEG has ${frame.components} components`);
  return toRgb(await decodeJpeg(bytes, { tileWidth: frame.width, tileHeight: frame.height, photometric: YCBCR }));
}

/** Interleaved RGB from grey or RGB samples. */
export function toRgb(decoded: Decoded): RgbImage {
  const { data, width, height, channels } = decoded;
  if (channels === 3) return { data, width, height, channels: 3 };
  if (channels !== 1) throw new SlideError('UNSUPPORTED_FORMAT', `its image has ${channels} channels`);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, d = 0; i < data.length; i++, d += 3) out[d] = out[d + 1] = out[d + 2] = data[i]!;
  return { data: out, width, height, channels: 3 };
}
