// libjpeg-turbo through its TurboJPEG binding, for the tile hot path: sharp uses the same library
// but spends ~1-1.5 ms per call setting up a libvips pipeline, against 0.2-0.4 ms here for a 240 px
// tile. This binding decodes with libjpeg's fast IDCT only (up to 5 levels off the accurate one), so
// it serves tiles that are about to be reduced - where that error is averaged away - while regions,
// associated images and stored tiles decode exactly, with sharp.

import turbo from '@julusian/jpeg-turbo';
import { SlideError } from '../errors';

export interface RawRgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Output buffers of finished calls, by size (tiles of a level share one): a 240 px tile decodes to
 * 170 KB, and allocating that per call, for decodes and for encodes alike, kept the GC busy.
 */
const spareBuffers = new Map<number, Buffer[]>();
const MAX_SPARE_PER_SIZE = 8;

async function withBuffer<T>(size: number, use: (buffer: Buffer) => Promise<T>): Promise<T> {
  let spares = spareBuffers.get(size);
  if (!spares) spareBuffers.set(size, (spares = []));
  const buffer = spares.pop() ?? Buffer.allocUnsafeSlow(size);
  try {
    return await use(buffer);
  } finally {
    if (spares.length < MAX_SPARE_PER_SIZE) spares.push(buffer);
  }
}

/**
 * Decodes a complete JPEG stream (width x height, as its TIFF tile) to interleaved RGB with the fast
 * IDCT, into a reused buffer, and hands the pixels to `use`, which must not keep them. A stream
 * libjpeg rejects is CORRUPT_DATA.
 */
export function withJpegFast<T>(jpeg: Uint8Array, width: number, height: number, path: string | undefined, use: (pixels: RawRgb) => T): Promise<T> {
  return withBuffer(width * height * 3, async (out) => {
    const input = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
    let decoded: { width: number; height: number };
    try {
      decoded = await turbo.decompress(input, out, { format: turbo.FORMAT_RGB });
    } catch (error) {
      throw new SlideError('CORRUPT_DATA', `A tile is damaged and cannot be decoded (${error instanceof Error ? error.message : String(error)}).`, path);
    }
    return use({ data: new Uint8Array(out.buffer, out.byteOffset, decoded.width * decoded.height * 3), width: decoded.width, height: decoded.height });
  });
}

/** Encodes interleaved RGB as a baseline JPEG, 4:4:4 chroma. */
export function encodeJpegRgb(image: RawRgb, quality: number): Promise<Uint8Array> {
  const options = { format: turbo.FORMAT_RGB, width: image.width, height: image.height, quality, subsampling: turbo.SAMP_444 };
  return withBuffer(turbo.bufferSize(options), async (out) => {
    const input = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    // A copy out of the reused worst-case buffer (~30x the JPEG), which also keeps a cache from
    // holding that buffer alive while counting only the JPEG's bytes.
    return new Uint8Array(await turbo.compress(input, out, options));
  });
}
