// A MIRAX image's bytes to RGB: JPEG (sharp's libjpeg-turbo, as OpenSlide's libjpeg), PNG (sharp)
// or BMP24 (codecs/bmp-decoder.ts). As in OpenSlide, an image must be exactly its level's
// DIGITIZER_WIDTH x DIGITIZER_HEIGHT; the size is read from the header and checked before the
// decoder allocates anything.

import sharp from 'sharp';
import type { RgbImage } from '../../../../shared/slide';
import { decodeBmp } from '../../codecs/bmp-decoder';
import type { Decoded } from '../../codecs/decoded';
import { decodeJpeg } from '../../codecs/jpeg-decoder';
import { readJpegFrame } from '../../codecs/jpeg-stream';
import { SlideError } from '../../errors';
import type { MiraxImageFormat } from './mirax-slidedat';

const YCBCR = 6;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Decodes one image of `format` that must be width x height. Failures are SlideErrors without a path (the caller names the file). */
export async function decodeMiraxImage(bytes: Uint8Array, format: MiraxImageFormat, width: number, height: number): Promise<RgbImage> {
  if (format === 'bmp') return rgb(decodeBmp(bytes, width, height));
  if (format === 'png') return rgb(await decodePng(bytes, width, height));
  return decodeJpegImage(bytes, width, height);
}

/** A JPEG of exactly width x height, or (when null) of whatever size its frame declares up to maxPixels. */
export async function decodeJpegImage(bytes: Uint8Array, width: number | null, height: number | null, maxPixels = Number.POSITIVE_INFINITY): Promise<RgbImage> {
  const frame = readJpegFrame(bytes);
  if (typeof frame === 'string') throw new SlideError('CORRUPT_DATA', `its JPEG data is damaged (${frame})`);
  if ((width !== null && frame.width !== width) || (height !== null && frame.height !== height)) {
    throw new SlideError('CORRUPT_DATA', `its JPEG is ${frame.width} x ${frame.height} pixels, not ${width} x ${height}`);
  }
  if (frame.width * frame.height > maxPixels) throw new SlideError('TOO_LARGE', `its JPEG declares ${frame.width} x ${frame.height} pixels`);
  if (frame.components !== 1 && frame.components !== 3) throw new SlideError('UNSUPPORTED_FORMAT', `its JPEG has ${frame.components} components`);
  return rgb(await decodeJpeg(bytes, { tileWidth: frame.width, tileHeight: frame.height, photometric: YCBCR }));
}

async function decodePng(bytes: Uint8Array, width: number, height: number): Promise<Decoded> {
  if (bytes.length < 24 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new SlideError('CORRUPT_DATA', 'its PNG data has no PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = view.getUint32(16, false);
  const h = view.getUint32(20, false);
  if (w !== width || h !== height) throw new SlideError('CORRUPT_DATA', `its PNG is ${w} x ${h} pixels, not ${width} x ${height}`);
  const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: width * height })
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

/** Interleaved RGB from grey or RGB samples. */
function rgb(decoded: Decoded): RgbImage {
  const { data, width, height, channels } = decoded;
  if (channels === 3) return { data, width, height, channels: 3 };
  if (channels !== 1) throw new SlideError('UNSUPPORTED_FORMAT', `its image has ${channels} channels`);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, d = 0; i < data.length; i++, d += 3) out[d] = out[d + 1] = out[d + 2] = data[i]!;
  return { data: out, width, height, channels: 3 };
}
