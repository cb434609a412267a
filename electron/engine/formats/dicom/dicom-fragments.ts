// The items of DICOM encapsulated pixel data as they lie in a file: a frame's fragments. Free of
// dependencies, so that the engine process's stored-tile reader joins a frame's fragments the way the
// slide's reader does without loading the DICOM parser.

/** An item (a fragment, or the offset table) and the end of the sequence, as tags. */
export const ITEM = 0xfffee000;
export const SEQUENCE_END = 0xfffee0dd;

/** The tag (group << 16 | element) of the element at `position`, little endian. */
export function tagAt(bytes: Uint8Array, position: number): number {
  return ((bytes[position + 1]! << 24) | (bytes[position]! << 16) | (bytes[position + 3]! << 8) | bytes[position + 2]!) >>> 0;
}

/**
 * A frame from its span: the values of the items it starts with (up to the first thing that is not
 * an item), joined; a string when an item runs past the span or there is none.
 */
export function frameOfSpan(span: Uint8Array): Uint8Array | string {
  const view = new DataView(span.buffer, span.byteOffset, span.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 0; at + 8 <= span.length; ) {
    if (tagAt(span, at) !== ITEM) break;
    const length = view.getUint32(at + 4, true);
    if (at + 8 + length > span.length) return 'runs past where its offset table ends it';
    parts.push(span.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return parts.length > 0 ? joined(parts) : 'is not where its offset table says';
}

/** Fragments' values as one frame (the one fragment itself, not a copy). */
export function joined(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
