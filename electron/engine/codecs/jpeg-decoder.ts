// JPEG (compression 7) through sharp's libjpeg-turbo: several times faster than geotiff's JS decoder,
// and the same IDCT OpenSlide uses, so pixels match it exactly.

import { BaseDecoder } from 'geotiff';
import sharp from 'sharp';
import { SlideError } from '../errors';
import type { Decoded } from './decoded';
import { completeJpeg, jpegFrameProblem } from './jpeg-stream';

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

/**
 * Decodes one JPEG tile or strip of at most tileWidth x tileHeight pixels. Its frame header is read
 * first: a frame larger than the block is CORRUPT_DATA before libjpeg allocates for it (a few
 * hundred bytes can declare 65535 x 65535 pixels, and a short scan still decodes, as grey).
 */
export async function decodeJpeg(tile: Uint8Array, params: JpegDecoderParameters): Promise<Decoded> {
  const stream = completeJpeg(tile, params.jpegTables, params.photometric === 2);
  const problem = jpegFrameProblem(stream, params.tileWidth, params.tileHeight);
  if (problem) throw new SlideError('CORRUPT_DATA', problem);
  const { data, info } = await sharp(stream, { failOn: 'error', limitInputPixels: Math.max(1, params.tileWidth * params.tileHeight) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}
