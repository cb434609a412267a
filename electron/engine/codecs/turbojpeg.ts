// libjpeg-turbo through its TurboJPEG binding, for the tile hot path: sharp uses the same library
// but sets up a libvips pipeline for every call, several times a small tile's decode (docs/performance.md).
// This binding decodes with libjpeg's fast IDCT only (up to 5 levels off the accurate one), so
// it serves tiles that are about to be reduced - where that error is averaged away - while regions,
// associated images and stored tiles decode exactly (jpeg-decoder.ts).
// Only the binding's synchronous calls are used: its async ones, and any call cut off by a worker's
// termination, abort the whole process (it throws C++ exceptions when its thread is torn down).

import turbo from '@julusian/jpeg-turbo';
import { codecReason, SlideError } from '../errors';
import { withSpareBuffer } from '../spare-buffers';
import { jpegStreamDecoder } from './turbojpeg3';

export interface RawRgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A place in a larger RGB image a tile of exactly width x height may be decoded straight into. */
export interface RgbPlace {
  data: Uint8Array;
  /** The tile's top-left byte. */
  offset: number;
  /** The image's row length in bytes. */
  pitch: number;
  width: number;
  height: number;
}

/**
 * Decodes a complete JPEG stream of at most width x height pixels (a stored tile) to interleaved RGB
 * with the fast IDCT (~0.3 ms a 240 px tile), into a reused buffer handed to `use`, which must not
 * keep it. A stream libjpeg rejects is CORRUPT_DATA.
 */
export function withJpegFast<T>(jpeg: Uint8Array, width: number, height: number, use: (pixels: RawRgb) => T): T {
  return withSpareBuffer(width * height * 3, (out) => {
    let decoded: { width: number; height: number };
    try {
      decoded = turbo.decompressSync(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength), out, { format: turbo.FORMAT_RGB });
    } catch (error) {
      throw corrupt(error);
    }
    return use({ data: new Uint8Array(out.buffer, out.byteOffset, decoded.width * decoded.height * 3), width: decoded.width, height: decoded.height });
  });
}

/**
 * withJpegFast at 1/2^halvings of the stream's size, by libjpeg-turbo's scaled IDCT: each side
 * ceil(size / 2^halvings). Null where that cannot be done (see turbojpeg3.ts; lossless or
 * 12-bit streams): the caller decodes the tile whole. A stream whose reduced size is `place`'s is
 * decoded straight into it, and `use` gets null.
 */
export function withJpegReduced<T>(
  jpeg: Uint8Array,
  width: number,
  height: number,
  halvings: number,
  use: (pixels: RawRgb | null) => T,
  place?: RgbPlace,
): { value: T } | null {
  const decoder = jpegStreamDecoder();
  if (!decoder) return null;
  const k = 2 ** halvings;
  let opened = false;
  try {
    return decoder.withStream(jpeg, (stream) => {
      opened = true;
      if (!stream.scalable) return null;
      if (stream.width > width || stream.height > height) throw corrupt(`${stream.width} x ${stream.height} pixels where the tile is ${width} x ${height}`);
      const reduced = { width: Math.ceil(stream.width / k), height: Math.ceil(stream.height / k) };
      // Straight into the image being assembled where it fills its place: no copy row by row.
      if (place && reduced.width === place.width && reduced.height === place.height) {
        try {
          stream.decode(halvings, place.data.subarray(place.offset), place.pitch);
        } catch (error) {
          throw corrupt(error);
        }
        return { value: use(null) };
      }
      return withSpareBuffer(reduced.width * reduced.height * 3, (out) => {
        try {
          stream.decode(halvings, out);
        } catch (error) {
          throw corrupt(error);
        }
        return { value: use({ data: new Uint8Array(out.buffer, out.byteOffset, reduced.width * reduced.height * 3), ...reduced }) };
      });
    });
  } catch (error) {
    // Before the stream is opened, the failure is its header's; after, it has been told apart.
    throw opened ? error : corrupt(error);
  }
}

/** The stream's fault, as its reason alone: the caller names the tile (region-reader's damagedError). */
function corrupt(error: unknown): SlideError {
  return new SlideError('CORRUPT_DATA', `JPEG data: ${codecReason(error)}`);
}

/** Encodes interleaved RGB as a baseline JPEG, 4:4:4 chroma (~0.2 ms a 240 px tile, synchronous). */
export function encodeJpegRgb(image: RawRgb, quality: number): Uint8Array {
  const options = { format: turbo.FORMAT_RGB, width: image.width, height: image.height, quality, subsampling: turbo.SAMP_444 };
  return withSpareBuffer(turbo.bufferSize(options), (out) => {
    const input = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    // A copy out of the reused worst-case buffer (~30x the JPEG), which also keeps a cache from
    // holding that buffer alive while counting only the JPEG's bytes.
    return new Uint8Array(turbo.compressSync(input, out, options));
  });
}
