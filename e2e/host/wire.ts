// Stands in for Electron's structured clone between main and renderer: Playwright bindings carry
// JSON, so byte arrays (tiles, associated images) travel as base64 and are revived in the page.
// encodeForPage runs in Node; the page-side reviver is PAGE_DECODE_SOURCE, installed by the init script.

const BYTES_KEY = '__slidescopeBytes';

export function encodeForPage(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES_KEY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
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
    if (keys.length === 1 && keys[0] === '${BYTES_KEY}' && typeof value['${BYTES_KEY}'] === 'string') {
      const text = value['${BYTES_KEY}'];
      if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
      const binary = atob(text);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return bytes;
    }
    const out = {};
    for (const key of keys) out[key] = __slidescopeDecode(value[key]);
    return out;
  }
  return value;
}
`;
