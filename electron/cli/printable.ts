// Text read from a file or a name on disk, made safe to print: a control character written raw to a
// terminal can move the cursor, recolour it or retitle the window, so each is shown escaped.

/** C0 and C1 control characters and DEL. */
const isControl = (c: number) => c < 0x20 || (c >= 0x7f && c <= 0x9f);
const isHighSurrogate = (c: number) => (c & 0xfc00) === 0xd800;
const isSurrogate = (c: number) => (c & 0xf800) === 0xd800;

/**
 * `text` with control characters (but those in `allowed`) and unpaired surrogates escaped (\x1B,
 * \u{D800}), at most `max` characters.
 */
export function printable(text: string, max = 200, allowed = ''): string {
  let out = '';
  for (let i = 0; i < text.length && i < max; i++) {
    const c = text.charCodeAt(i);
    if (isHighSurrogate(c) && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += text.slice(i, i + 2);
      i++;
    } else if (isControl(c) && !allowed.includes(text[i]!)) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (isSurrogate(c)) out += `\\u{${c.toString(16).toUpperCase()}}`;
    else out += text[i];
  }
  return text.length > max ? `${out}…` : out;
}

/** The first character `printable` would escape, other than those in `allowed`: its index, or -1. */
export function firstControl(text: string, allowed = ''): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c) && !allowed.includes(text[i]!)) return i;
    if (isHighSurrogate(c) && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (isSurrogate(c)) return i;
  }
  return -1;
}

/** Text for the terminal whole, its line breaks kept, other control characters escaped. */
export function shown(text: string): string {
  return printable(text, Number.POSITIVE_INFINITY, '\n');
}
