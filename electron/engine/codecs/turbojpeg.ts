// libjpeg-turbo through its TurboJPEG binding, for the tile hot path: sharp uses the same library
// but spends ~1-1.5 ms per call setting up a libvips pipeline, against 0.2-0.4 ms here for a 240 px
// tile. This binding decodes with libjpeg's fast IDCT only (up to 5 levels off the accurate one), so
// it serves tiles that are about to be reduced - where that error is averaged away - while regions,
// associated images and stored tiles decode exactly, with sharp.

import turbo from '@julusian/jpeg-turbo';

export interface RawRgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decodes a complete JPEG stream to interleaved RGB with the fast IDCT (grayscale comes out as RGB). */
export async function decodeJpegFast(jpeg: Uint8Array): Promise<RawRgb> {
  const input = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  const { data, width, height } = await turbo.decompress(input, { format: turbo.FORMAT_RGB });
  return { data: new Uint8Array(data.buffer, data.byteOffset, width * height * 3), width, height };
}

/** Encodes interleaved RGB as a baseline JPEG, 4:4:4 chroma. */
export async function encodeJpegRgb(image: RawRgb, quality: number): Promise<Uint8Array> {
  const input = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const out = await turbo.compress(input, { format: turbo.FORMAT_RGB, width: image.width, height: image.height, quality, subsampling: turbo.SAMP_444 });
  // A copy: the binding returns a view of its worst-case output buffer (~30x the JPEG), which a
  // cache holding the view would keep alive while counting only the JPEG's bytes.
  return new Uint8Array(out);
}
