// Uncompressed Windows bitmaps (MIRAX's "BMP24" images): a BITMAPFILEHEADER, an info header of 40
// bytes or more, and rows of 24- or 32-bit BGR(X) pixels padded to 4 bytes, bottom-up unless the
// height is negative. Other bitmaps (palettes, RLE, bit fields) are refused; nothing is allocated
// before the declared size is checked against the expected one and the bytes at hand.

import { SlideError } from '../errors';
import type { Decoded } from './decoded';

const BI_RGB = 0;

/** Decodes a bitmap that must be exactly width x height, to interleaved RGB. */
export function decodeBmp(bytes: Uint8Array, width: number, height: number): Decoded {
  const fail = (reason: string) => new SlideError('CORRUPT_DATA', `its BMP image ${reason}`);
  if (bytes.length < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw fail('has no BMP header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelsAt = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new SlideError('UNSUPPORTED_FORMAT', `its BMP image has an old ${headerSize}-byte header`);
  const w = view.getInt32(18, true);
  const declaredHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (compression !== BI_RGB || (bits !== 24 && bits !== 32)) {
    throw new SlideError(
      'UNSUPPORTED_COMPRESSION',
      `its BMP image is ${bits}-bit with compression ${compression}; only uncompressed 24- and 32-bit bitmaps are read`,
    );
  }
  const h = Math.abs(declaredHeight);
  if (w !== width || h !== height) throw fail(`is ${w} x ${h} pixels, not ${width} x ${height}`);
  const bytesPerPixel = bits / 8;
  const rowBytes = (w * bytesPerPixel + 3) & ~3;
  if (pixelsAt < 54 || pixelsAt + rowBytes * h > bytes.length) throw fail('is truncated');
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const from = pixelsAt + (declaredHeight > 0 ? h - 1 - y : y) * rowBytes;
    for (let x = 0, s = from, d = y * w * 3; x < w; x++, s += bytesPerPixel, d += 3) {
      data[d] = bytes[s + 2]!;
      data[d + 1] = bytes[s + 1]!;
      data[d + 2] = bytes[s]!;
    }
  }
  return { data, width: w, height: h, channels: 3 };
}
