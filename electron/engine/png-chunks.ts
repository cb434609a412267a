// Chunks added to PNGs the engine encodes: an ICC profile (iCCP) for tiles the browser colour-manages,
// as it does JPEG tiles with APP2 markers, and the physical pixel size (pHYs) of exports.

import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature (8) and the IHDR chunk (4 length + 4 type + 13 data + 4 CRC), which must come first. */
const AFTER_IHDR = 8 + 25;

/** A chunk: length, type, body, CRC of type and body. */
export function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const out = Buffer.alloc(4 + typed.length + 4);
  out.writeUInt32BE(body.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 4 + typed.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The iCCP chunk carrying a profile, made once per slide. */
export function iccChunk(profile: Uint8Array): Uint8Array {
  return pngChunk('iCCP', Buffer.concat([Buffer.from('ICC profile\0\0', 'latin1'), deflateSync(profile)]));
}

/**
 * The PNG with the chunk after IHDR, in place of any chunk of its type before the image data (libvips
 * writes a pHYs of its own); anything that is not a PNG with IHDR first is returned as it is.
 */
export function withChunk(png: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (png.length < AFTER_IHDR || PNG_SIGNATURE.some((b, i) => png[i] !== b) || chunkType(png, 8) !== 'IHDR') return png;
  const type = chunkType(chunk, 0);
  const kept: Uint8Array[] = [png.subarray(0, AFTER_IHDR), chunk];
  let at = AFTER_IHDR;
  const view = new DataView(png.buffer, png.byteOffset, png.length);
  while (at + 8 <= png.length && chunkType(png, at) !== 'IDAT') {
    const end = at + 12 + view.getUint32(at);
    if (chunkType(png, at) !== type) kept.push(png.subarray(at, end));
    at = end;
  }
  kept.push(png.subarray(at));
  return Buffer.concat(kept);
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at + 4, at + 8));
}
