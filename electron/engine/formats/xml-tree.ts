// Vendor XML (Ventana's XMP packets, OME-XML) as a small tree of elements in document order, parsed
// only after its size is checked and its syntax validated: malformed, oversized or entity-laden
// XML is a typed error naming the file, never a parser's exception or an expansion bomb.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SlideError } from '../errors';

export interface XmlElement {
  /** The tag name without its namespace prefix. */
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** The element's own text, concatenated. */
  text: string;
}

/** More than any slide's metadata (a BIF's joint list for 200 x 200 frames is ~10 MB). */
export const MAX_XML_BYTES = 32 * 1024 * 1024;
const MAX_ELEMENTS = 2_000_000;

type OrderedNode = { [tag: string]: OrderedNode[] | string } & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  removeNSPrefix: true,
});

/** The root element of an XML document; `what` names the document in errors ("the XMP packet"). */
export function parseXml(text: string, what: string, path: string): XmlElement {
  if (text.length > MAX_XML_BYTES) throw new SlideError('TOO_LARGE', `${capitalised(what)} is ${text.length} bytes, more than slide metadata can be.`, path);
  // A DTD could declare entities that expand without bound; slide metadata never has one.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new SlideError('CORRUPT_DATA', `${capitalised(what)} declares a DTD, which slide metadata never has.`, path);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new SlideError('CORRUPT_DATA', `${capitalised(what)} is not well-formed XML (${valid.err.msg}).`, path);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (error) {
    throw new SlideError('CORRUPT_DATA', `${capitalised(what)} cannot be parsed (${error instanceof Error ? error.message : String(error)}).`, path);
  }
  const budget = { left: MAX_ELEMENTS };
  const roots = elements(nodes, budget, what, path);
  if (roots.length !== 1) throw new SlideError('CORRUPT_DATA', `${capitalised(what)} has ${roots.length} root elements.`, path);
  return roots[0]!;
}

function elements(nodes: readonly OrderedNode[], budget: { left: number }, what: string, path: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name.startsWith('?') || name.startsWith('#')) continue;
    if (--budget.left < 0) throw new SlideError('TOO_LARGE', `${capitalised(what)} has more than ${MAX_ELEMENTS} elements.`, path);
    const content = node[name];
    const kids = Array.isArray(content) ? content : [];
    let text = '';
    for (const kid of kids) if (typeof kid['#text'] === 'string') text += kid['#text'];
    out.push({ name, attributes: node[':@'] ?? {}, children: elements(kids, budget, what, path), text });
  }
  return out;
}

/** The first child element with that name, if any. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Every child element with that name, in document order. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
