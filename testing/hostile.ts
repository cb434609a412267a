// Hostile slides for the tests, made at test time: files whose declared sizes are honest but whose
// data is built to make a reader allocate without bound.

import { constants, deflateRawSync } from 'node:zlib';
import { Compression, Photometric, TiffWriter } from '../electron/synth/tiff-writer';

/**
 * A zlib stream of `inflatedBytes` zero bytes (a multiple of 16 MiB), about a thousandth of that
 * size, made in milliseconds: one 16 MiB block compressed with a full flush (so it stands alone)
 * repeated, an empty final block, and the Adler-32 of that many zeros (a = 1, b = n mod 65521).
 */
export function zlibZeros(inflatedBytes: number): Uint8Array {
  const chunk = 16 * 2 ** 20;
  if (inflatedBytes % chunk !== 0) throw new Error('inflatedBytes must be a multiple of 16 MiB');
  const block = deflateRawSync(Buffer.alloc(chunk), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const count = inflatedBytes / chunk;
  const out = new Uint8Array(2 + block.length * count + 2 + 4);
  out.set([0x78, 0xda], 0);
  for (let i = 0; i < count; i++) out.set(block, 2 + i * block.length);
  let at = 2 + block.length * count;
  out.set([0x03, 0x00], at); // a final fixed-Huffman block holding only its end
  at += 2;
  const adler = ((inflatedBytes % 65521) * 65536 + 1) >>> 0;
  new DataView(out.buffer).setUint32(at, adler, false);
  return out;
}

/** A 512 x 512 generic TIFF of four 256 x 256 Deflate tiles, each of which inflates to `inflatedBytes`. */
export async function writeDeflateBomb(path: string, inflatedBytes: number): Promise<void> {
  const writer = await TiffWriter.create(path);
  const image = writer.addImage({
    width: 512,
    height: 512,
    compression: Compression.Deflate,
    photometric: Photometric.RGB,
    layout: { kind: 'tiles', tileWidth: 256, tileHeight: 256 },
  });
  const tile = zlibZeros(inflatedBytes);
  await writer.writeChunks(image, [tile, tile, tile, tile]);
  await writer.close();
}
