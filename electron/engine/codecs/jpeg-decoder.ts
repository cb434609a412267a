// JPEG (compression 7) through sharp's libjpeg-turbo: several times faster than geotiff's JS decoder,
// and the same IDCT OpenSlide uses, so pixels match it exactly.

import { BaseDecoder } from 'geotiff';
import sharp from 'sharp';
import type { Decoded } from './decoded';
import { completeJpeg } from './jpeg-stream';

export interface JpegDecoderParameters {
  tileWidth: number;
  tileHeight: number;
  jpegTables?: Uint8Array;
  photometric: number;
}

export class JpegDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    return (await decodeJpeg(new Uint8Array(buffer), this.parameters as unknown as JpegDecoderParameters)).data.buffer;
  }
}

export async function decodeJpeg(tile: Uint8Array, params: JpegDecoderParameters): Promise<Decoded> {
  const stream = completeJpeg(tile, params.jpegTables, params.photometric === 2);
  const { data, info } = await sharp(stream, { failOn: 'error', limitInputPixels: 1 << 28 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}
