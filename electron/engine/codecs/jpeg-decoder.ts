// JPEG (compression 7) decoded exactly: libjpeg-turbo's accurate IDCT, the pixels OpenSlide's libjpeg
// gives. TurboJPEG called directly decodes a tile-sized block several times faster than sharp, which
// sets up a libvips pipeline and a trip to libuv's pool per call (docs/performance.md, "Exact JPEG
// decodes"), to the same bytes; sharp decodes whatever TurboJPEG is not given: large blocks (they
// would hold the lane), CMYK, 12-bit and lossless streams, streams with an ICC profile (sharp makes
// them sRGB), streams libjpeg warns about or whose header it reads differently from ours, and every
// stream where TurboJPEG's library cannot be reached.

import { BaseDecoder } from 'geotiff';
import sharp from 'sharp';
import { SlideError } from '../errors';
import type { Decoded } from './decoded';
import { completeJpeg, frameProblem, type JpegFrame, readJpegFrame } from './jpeg-stream';
import { jpegStreamDecoder } from './turbojpeg3';

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

/** Blocks of up to this many pixels are decoded in the calling thread (a few ms at most); larger ones in libuv's pool, by sharp. */
const DIRECT_MAX_PIXELS = 1 << 20;

/**
 * Decodes one JPEG tile or strip of at most tileWidth x tileHeight pixels. Its frame header is read
 * first: a frame larger than the block is CORRUPT_DATA before libjpeg allocates for it (a few
 * hundred bytes can declare 65535 x 65535 pixels, and a short scan still decodes, as grey).
 */
export async function decodeJpeg(tile: Uint8Array, params: JpegDecoderParameters): Promise<Decoded> {
  const stream = completeJpeg(tile, params.jpegTables, params.photometric === 2);
  const frame = readJpegFrame(stream);
  const problem = frameProblem(frame, params.tileWidth, params.tileHeight);
  if (problem !== null) throw new SlideError('CORRUPT_DATA', problem);
  const direct = typeof frame !== 'string' && params.tileWidth * params.tileHeight <= DIRECT_MAX_PIXELS ? decodeDirect(stream, frame) : null;
  if (direct) return direct;
  const { data, info } = await sharp(stream, { failOn: 'error', limitInputPixels: Math.max(1, params.tileWidth * params.tileHeight) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

/** The stream through TurboJPEG, or null where sharp is to decode it (see the head of this file). */
function decodeDirect(jpeg: Uint8Array, frame: JpegFrame): Decoded | null {
  const decoder = jpegStreamDecoder();
  if (!decoder || frame.iccProfile) return null;
  try {
    return decoder.withStream(jpeg, (stream) => {
      // libjpeg's frame must be the one checked against the block (sharp bounds it by the block's pixels).
      if (stream.width !== frame.width || stream.height !== frame.height) return null;
      if (!stream.scalable || !stream.rgb) return null;
      const { width, height } = stream;
      // RGB, grey repeated, as sharp makes it (its output is sRGB).
      const data = new Uint8Array(width * height * 3);
      return stream.decodeExact(data) ? { data, width, height, channels: 3 } : null;
    });
  } catch {
    // A header libjpeg rejects: sharp's error says why.
    return null;
  }
}
