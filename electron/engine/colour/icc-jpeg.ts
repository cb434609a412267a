// An ICC profile carried inside a JPEG, as APP2 "ICC_PROFILE" markers (ICC.1 Annex B.4): the
// browser then colour-manages the tile as it decodes it, and the engine decodes nothing. The
// markers are made once per slide and spliced into every tile.

const SOI = 0xd8;
const APP0 = 0xe0;
const APP2 = 0xe2;
const SIGNATURE = 'ICC_PROFILE\0';

/** Profile bytes one marker carries: 65535 less the length field (2), signature (12), sequence and count (2). */
export const ICC_BYTES_PER_MARKER = 65519;
/** The sequence number is one byte: at most 255 markers. */
const MAX_ICC_MARKERS = 255;

/**
 * The APP2 markers carrying a profile, one after another, or null when it needs more than 255 of
 * them (16.7 MB: larger than any display profile).
 */
export function iccMarkers(profile: Uint8Array): Uint8Array | null {
  const count = Math.max(1, Math.ceil(profile.length / ICC_BYTES_PER_MARKER));
  if (count > MAX_ICC_MARKERS) return null;
  const out = new Uint8Array(profile.length + count * (4 + SIGNATURE.length + 2));
  let at = 0;
  for (let i = 0; i < count; i++) {
    const chunk = profile.subarray(i * ICC_BYTES_PER_MARKER, (i + 1) * ICC_BYTES_PER_MARKER);
    const length = 2 + SIGNATURE.length + 2 + chunk.length;
    out[at] = 0xff;
    out[at + 1] = APP2;
    out[at + 2] = length >> 8;
    out[at + 3] = length & 0xff;
    for (let c = 0; c < SIGNATURE.length; c++) out[at + 4 + c] = SIGNATURE.charCodeAt(c);
    out[at + 16] = i + 1;
    out[at + 17] = count;
    out.set(chunk, at + 18);
    at += 2 + length;
  }
  return out;
}

/**
 * The JPEG with the markers inserted after SOI (and after a JFIF APP0, which must come first). A
 * stream that already carries a profile, or is no JPEG, is returned as it is.
 */
export function withIccMarkers(jpeg: Uint8Array, markers: Uint8Array): Uint8Array {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI || carriesProfile(jpeg)) return jpeg;
  let at = 2;
  if (jpeg[2] === 0xff && jpeg[3] === APP0 && jpeg.length >= 6) at = Math.min(jpeg.length, 4 + ((jpeg[4]! << 8) | jpeg[5]!));
  const out = new Uint8Array(jpeg.length + markers.length);
  out.set(jpeg.subarray(0, at), 0);
  out.set(markers, at);
  out.set(jpeg.subarray(at), at + markers.length);
  return out;
}

/** Whether an APP2 ICC_PROFILE marker comes before the first scan. */
function carriesProfile(jpeg: Uint8Array): boolean {
  let pos = 2;
  while (pos + 4 <= jpeg.length && jpeg[pos] === 0xff) {
    const marker = jpeg[pos + 1]!;
    if (marker === 0xda || marker === 0xd9) return false; // SOS, EOI
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    if (marker === APP2 && length >= 2 + SIGNATURE.length && isSignature(jpeg, pos + 4)) return true;
    pos += 2 + length;
  }
  return false;
}

function isSignature(bytes: Uint8Array, at: number): boolean {
  for (let c = 0; c < SIGNATURE.length; c++) if (bytes[at + c] !== SIGNATURE.charCodeAt(c)) return false;
  return true;
}
