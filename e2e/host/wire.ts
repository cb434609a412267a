// Stands in for Electron's structured clone between main and renderer: Playwright bindings carry
// JSON, so byte arrays (tiles, associated images) and other typed arrays (detections' coordinates,
// Float32Array and Uint32Array) travel as base64 with their type's name and are revived in the page.
// encodeForPage runs in Node; the page-side reviver is PAGE_DECODE_SOURCE, installed by the init script.

const BYTES_KEY = '__slidescopeBytes';
/** The typed array's constructor, where it is not a Uint8Array. */
const TYPE_KEY = '__slidescopeArray';
const TYPED = ['Uint16Array', 'Uint32Array', 'Float32Array', 'Float64Array'];

export function encodeForPage(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES_KEY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (ArrayBuffer.isView(value) && TYPED.includes(value.constructor.name)) {
    return { [BYTES_KEY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), [TYPE_KEY]: value.constructor.name };
  }
  if (Array.isArray(value)) return value.map(encodeForPage);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = encodeForPage(inner);
    return out;
  }
  return value;
}

/** Page-side counterpart of encodeForPage, as source text for the init script. */
export const PAGE_DECODE_SOURCE = `
function __slidescopeDecode(value) {
  if (Array.isArray(value)) return value.map(__slidescopeDecode);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const typed = keys.length === 2 && ${JSON.stringify(TYPED)}.includes(value['${TYPE_KEY}']);
    if ((keys.length === 1 || typed) && typeof value['${BYTES_KEY}'] === 'string') {
      const text = value['${BYTES_KEY}'];
      let bytes;
      if (typeof Uint8Array.fromBase64 === 'function') bytes = Uint8Array.fromBase64(text);
      else {
        const binary = atob(text);
        bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      }
      return typed ? new globalThis[value['${TYPE_KEY}']](bytes.buffer, bytes.byteOffset, bytes.byteLength / globalThis[value['${TYPE_KEY}']].BYTES_PER_ELEMENT) : bytes;
    }
    const out = {};
    for (const key of keys) out[key] = __slidescopeDecode(value[key]);
    return out;
  }
  return value;
}
`;
