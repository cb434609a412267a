// A MIRAX image's bytes to RGB: JPEG (codecs/jpeg-image.ts, libjpeg-turbo as OpenSlide's libjpeg),
// PNG (sharp) or BMP24 (codecs/bmp-decoder.ts). As in OpenSlide, an image must be exactly its level's
// DIGITIZER_WIDTH x DIGITIZER_HEIGHT; the size is read from the header and checked before the
// decoder allocates anything.

import sharp from 'sharp';
import type { RgbImage } from '../../../../shared/slide';
import { decodeBmp } from '../../codecs/bmp-decoder';
import type { Decoded } from '../../codecs/decoded';
import { decodeJpegImage, toRgb } from '../../codecs/jpeg-image';
import { SlideError } from '../../errors';
import type { MiraxImageFormat } from './mirax-slidedat';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Decodes one image of `format` that must be width x height. Failures are SlideErrors without a path (the caller names the file). */
export async function decodeMiraxImage(bytes: Uint8Array, format: MiraxImageFormat, width: number, height: number): Promise<RgbImage> {
  if (format === 'bmp') return toRgb(decodeBmp(bytes, width, height));
  if (format === 'png') return toRgb(await decodePng(bytes, width, height));
  return decodeJpegImage(bytes, width, height);
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
