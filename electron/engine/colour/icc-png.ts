// An ICC profile carried inside a PNG (an iCCP chunk, zlib-compressed), for the tiles the engine
// encodes as PNG: the browser colour-manages them as it does JPEG tiles with APP2 markers.

import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature (8) and the IHDR chunk (4 length + 4 type + 13 data + 4 CRC), which must come first. */
const AFTER_IHDR = 8 + 25;

/** The iCCP chunk carrying a profile, made once per slide. */
export function iccChunk(profile: Uint8Array): Uint8Array {
  const body = Buffer.concat([Buffer.from('ICC profile\0\0', 'latin1'), deflateSync(profile)]);
  const typed = Buffer.concat([Buffer.from('iCCP', 'latin1'), body]);
  const out = Buffer.alloc(4 + typed.length + 4);
  out.writeUInt32BE(body.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 4 + typed.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The PNG with the chunk after IHDR; anything that is not a PNG with IHDR first is returned as it is. */
export function withIccChunk(png: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (png.length < AFTER_IHDR || PNG_SIGNATURE.some((b, i) => png[i] !== b) || String.fromCharCode(...png.subarray(12, 16)) !== 'IHDR') return png;
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, AFTER_IHDR), 0);
  out.set(chunk, AFTER_IHDR);
  out.set(png.subarray(AFTER_IHDR), AFTER_IHDR + chunk.length);
  return out;
}
