// XML text both ways, for every file and packet we write or read: annotations (ImageScope XML), the
// provenance packet inside exported images, Pango's markup for export labels, and the slides' own XML.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Written as references so that an attribute's value keeps them (a parser turns raw ones into spaces).
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Text safe in an element or in an attribute of either quote. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\t\n\r]/g, (c) => ESCAPES[c]!);
}

const PREDEFINED = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Decodes the predefined entities and character references; throws on any other reference or a bare '&'. */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`a bare '&' in "${text.slice(0, 40)}"`);
    const predefined = PREDEFINED.get(name);
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9a-fA-F]{1,16}$/.test(name) ? Number.parseInt(name.slice(2), 16) : /^#[0-9]{1,16}$/.test(name) ? Number(name.slice(1)) : -1;
    if (!isXmlChar(code)) throw new Error(`undefined entity &${name};`);
    return String.fromCodePoint(code);
  });
}

/** Whether a code point is a character XML allows (its Char production). */
function isXmlChar(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  return (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
