// What an embedded ICC profile says of itself (ICC.1: a 128-byte header, a tag table): its
// description (the 'desc' tag, version 2 textDescription or version 4 multiLocalizedUnicode), and
// whether it can turn a slide's RGB pixels into colours at all. Every offset and count is checked
// against the profile's own length before it is read.

/** Larger than any display or scanner profile (LUT-based ones run to a few hundred KB). */
export const MAX_ICC_BYTES = 8 * 1024 * 1024;

/** TIFF tag InterColorProfile: the ICC profile of a directory's pixels. */
export const ICC_PROFILE_TAG = 34675;

const HEADER = 128;
const DESCRIPTION_LIMIT = 256;

export interface IccHeader {
  /** The profile's own length (the tag holding it may be padded beyond it). */
  size: number;
  /** ICC version, "2.1", "4.3". */
  version: string;
  /** Device class: 'mntr', 'scnr', 'spac', ... */
  deviceClass: string;
  /** Data colour space: 'RGB ', 'GRAY', 'CMYK', ... */
  colourSpace: string;
  /** The 'desc' text, '' when the profile has none. */
  description: string;
}

/** The profile's header and description, or why it is not an ICC profile one can read. */
export function readIccProfile(bytes: Uint8Array): IccHeader | { problem: string } {
  if (bytes.length < HEADER + 4) return { problem: `it is ${bytes.length} bytes, shorter than an ICC header` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (signature(bytes, 36) !== 'acsp') return { problem: "it has no 'acsp' signature" };
  const declared = view.getUint32(0);
  // TIFF writers may pad the tag; a profile longer than it says is cut to its own length.
  if (declared < HEADER + 4 || declared > bytes.length) return { problem: `it declares ${declared} bytes but holds ${bytes.length}` };
  const profile = bytes.subarray(0, declared);
  const count = view.getUint32(HEADER);
  if (count > (declared - HEADER - 4) / 12) return { problem: `its tag table lists ${count} tags, more than it can hold` };
  const major = bytes[8]!;
  const version = `${major}.${bytes[9]! >> 4}`;
  let description = '';
  for (let i = 0; i < count; i++) {
    const entry = HEADER + 4 + 12 * i;
    if (signature(bytes, entry) !== 'desc') continue;
    const offset = view.getUint32(entry + 4);
    const size = view.getUint32(entry + 8);
    if (offset > declared || size > declared - offset || size < 12) return { problem: "its 'desc' tag lies outside the profile" };
    const text = descriptionText(profile.subarray(offset, offset + size));
    if (text === null) return { problem: "its 'desc' tag is damaged" };
    description = text;
    break;
  }
  return { size: declared, version, deviceClass: signature(bytes, 12), colourSpace: signature(bytes, 16), description };
}

/** Why a readable profile cannot colour-manage RGB slide pixels, or null when it can. */
export function rgbProfileProblem(header: IccHeader): string | null {
  if (header.colourSpace !== 'RGB ') return `it is a ${header.colourSpace.trim()} profile, not an RGB one`;
  if (header.deviceClass === 'link' || header.deviceClass === 'abst' || header.deviceClass === 'nmcl')
    return `it is a ${header.deviceClass} profile, not one of a device`;
  return null;
}

function signature(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** A 'desc' tag's text: textDescriptionType (v2, ASCII) or multiLocalizedUnicodeType (v4, English first). */
function descriptionText(tag: Uint8Array): string | null {
  const view = new DataView(tag.buffer, tag.byteOffset, tag.byteLength);
  const type = signature(tag, 0);
  if (type === 'desc') {
    const length = view.getUint32(8);
    if (length > tag.length - 12) return null;
    return clean(String.fromCharCode(...tag.subarray(12, 12 + Math.min(length, DESCRIPTION_LIMIT))));
  }
  if (type === 'mluc') {
    if (tag.length < 16) return null;
    const records = view.getUint32(8);
    const recordSize = view.getUint32(12);
    if (recordSize < 12 || records === 0 || records > (tag.length - 16) / recordSize) return null;
    let chosen = 0;
    for (let i = 0; i < records; i++) if (signature(tag, 16 + i * recordSize) === 'enUS') chosen = i;
    const record = 16 + chosen * recordSize;
    const length = view.getUint32(record + 4);
    const offset = view.getUint32(record + 8);
    if (offset > tag.length || length > tag.length - offset) return null;
    const units = Math.min(Math.floor(length / 2), DESCRIPTION_LIMIT);
    const chars: number[] = [];
    for (let i = 0; i < units; i++) chars.push(view.getUint16(offset + 2 * i));
    return clean(String.fromCharCode(...chars));
  }
  return null;
}

/** Up to the first NUL, without control characters, trimmed. */
function clean(text: string): string {
  const end = text.indexOf('\0');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return (end >= 0 ? text.slice(0, end) : text).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
}
