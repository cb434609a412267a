// The items of DICOM encapsulated pixel data as they lie in a file: a frame's fragments. Free of
// dependencies, so that the engine process's stored-tile reader takes a frame the way the slide's
// reader does without loading the DICOM parser.

/** An item (a fragment, or the offset table) and the end of the sequence, as tags. */
export const ITEM = 0xfffee000;
export const SEQUENCE_END = 0xfffee0dd;

/** The tag (group << 16 | element) of the element at `position`, little endian. */
export function tagAt(bytes: Uint8Array, position: number): number {
  return ((bytes[position + 1]! << 24) | (bytes[position]! << 16) | (bytes[position + 3]! << 8) | bytes[position + 2]!) >>> 0;
}

/**
 * The values of the items a frame's span starts with, in order (up to the first thing that is not
 * an item); a string when an item runs past the span or there is none.
 */
export function fragmentItems(span: Uint8Array): Uint8Array[] | string {
  const view = new DataView(span.buffer, span.byteOffset, span.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 0; at + 8 <= span.length; ) {
    if (tagAt(span, at) !== ITEM) break;
    const length = view.getUint32(at + 4, true);
    if (at + 8 + length > span.length) return 'runs past where its offset table ends it';
    parts.push(span.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return parts.length > 0 ? parts : 'is not where its offset table says';
}

/** The frame where its span is exactly one item; a string otherwise (the slide's reader joins several). */
export function singleFragmentValue(span: Uint8Array): Uint8Array | string {
  const items = fragmentItems(span);
  if (typeof items === 'string') return items;
  return items.length === 1 && items[0]!.length === span.length - 8 ? items[0]! : 'is not one fragment';
}
