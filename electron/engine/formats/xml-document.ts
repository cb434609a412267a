// A slide's XML (Philips and Leica descriptions, Ventana XMP packets, OME-XML) as a small element
// tree, namespaces resolved, read the way libxml2 reads it for OpenSlide: well-formed or refused,
// entities and character references decoded, line ends and attribute whitespace normalised. Its size
// and element count are bounded before anything parses it, its depth while it is parsed, and a
// DOCTYPE (entity declarations: expansion bombs) is refused: slide XML has none.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SlideError } from '../errors';

/** Beyond any slide's XML: a BIF's joint list for 200 x 200 frames is ~10 MB, a Philips description a few. */
export const MAX_XML_LENGTH = 32 * 1024 * 1024;
/** Slide XML nests 8 deep at most (Philips's pixel representations). */
const MAX_DEPTH = 64;
/** A BIF's joint list has two elements a frame (~80,000 for 200 x 200): this bounds the tree built. */
const MAX_ELEMENTS = 2_000_000;

export interface XmlElement {
  /** Local name, without its prefix. */
  readonly name: string;
  /** Namespace URI; '' when none is in scope. */
  readonly namespace: string;
  /** Attributes by their names as written (xmlns declarations included), values decoded. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
}

export interface XmlText {
  readonly text: string;
}

export type XmlNode = XmlElement | XmlText;

export function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

/** Child elements, optionally only those with a local name (and namespace). */
export function childElements(parent: XmlElement, name?: string, namespace?: string): XmlElement[] {
  return parent.children.filter(
    (c): c is XmlElement => isElement(c) && (name === undefined || c.name === name) && (namespace === undefined || c.namespace === namespace),
  );
}

/** The first child element with that local name (and namespace), if any. */
export function firstChild(parent: XmlElement, name: string, namespace?: string): XmlElement | undefined {
  return parent.children.find((c): c is XmlElement => isElement(c) && c.name === name && (namespace === undefined || c.namespace === namespace));
}

/** The text nodes directly under an element (XPath's text()), in order. */
export function textNodes(element: XmlElement): string[] {
  return element.children.filter((c): c is XmlText => !isElement(c)).map((c) => c.text);
}

/** The element's own text, its child elements' left out. */
export function ownText(element: XmlElement): string {
  return textNodes(element).join('');
}

/** All the text inside an element, descendants included (libxml2's xmlNodeGetContent). */
export function textContent(element: XmlElement): string {
  return element.children.map((c) => (isElement(c) ? textContent(c) : c.text)).join('');
}

/** fast-xml-parser's ordered output: one key per node (the tag, '#text' or CDATA), attributes under ':@'. */
type OrderedNode = Record<string, unknown>;

/** Not a valid element name, so no element can be taken for a CDATA section. */
const CDATA = '#cdata';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded below, so that an undefined one is an error rather than kept as text.
  processEntities: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
});

/**
 * Parses `xml` (the slide's `what`, for messages). TOO_LARGE past MAX_XML_LENGTH or MAX_ELEMENTS;
 * CORRUPT_DATA when it is not well-formed XML with one root element.
 */
export function parseXml(xml: string, what: string, path: string): XmlElement {
  if (xml.length > MAX_XML_LENGTH) {
    throw new SlideError('TOO_LARGE', `The slide's ${what} is ${xml.length} characters of XML, more than the ${MAX_XML_LENGTH} a slide's can be.`, path);
  }
  const bad = (reason: string) => new SlideError('CORRUPT_DATA', `The slide's ${what} is not valid XML (${reason}).`, path);
  const text = utf8(xml)
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n');
  if (/<!DOCTYPE/i.test(text)) throw bad('it declares a DOCTYPE');
  if (startTags(text, MAX_ELEMENTS) > MAX_ELEMENTS) {
    throw new SlideError('TOO_LARGE', `The slide's ${what} has more than ${MAX_ELEMENTS} elements, more than a slide's XML can have.`, path);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw bad(`line ${valid.err.line}: ${valid.err.msg}`);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (error) {
    throw bad(error instanceof Error ? error.message : String(error));
  }
  const roots = nodes.filter((n) => !('#text' in n));
  if (roots.length !== 1) throw bad(roots.length === 0 ? 'no root element' : `${roots.length} root elements`);
  try {
    return toElement(roots[0]!, new Map());
  } catch (error) {
    throw bad(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Start tags in `text`, counting stops past `limit`. Those inside comments and CDATA count too: an
 * over-count only where no slide's XML comes, and a bound known before the parser builds its tree.
 */
function startTags(text: string, limit: number): number {
  let count = 0;
  for (let i = text.indexOf('<'); i >= 0 && count <= limit; i = text.indexOf('<', i + 1)) {
    const next = text[i + 1];
    if (next !== '/' && next !== '!' && next !== '?') count++;
  }
  return count;
}

/**
 * TIFF ASCII fields arrive one character per byte: text whose bytes are UTF-8 (as the XML
 * declares) is decoded as such, as libxml2 does.
 */
function utf8(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text) || /[\u0100-\uffff]/.test(text)) return text;
  const decoded = Buffer.from(text, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? text : decoded;
}

function toElement(node: OrderedNode, scope: ReadonlyMap<string, string>): XmlElement {
  const tag = Object.keys(node).find((k) => k !== ':@')!;
  const attributes = new Map<string, string>();
  const raw = (node[':@'] ?? {}) as Record<string, unknown>;
  let inner: Map<string, string> | undefined;
  for (const [name, value] of Object.entries(raw)) {
    // XML normalises whitespace characters in attribute values to spaces, before references.
    const decoded = decodeReferences(String(value).replace(/[\t\n]/g, ' '));
    attributes.set(name, decoded);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      inner ??= new Map(scope);
      inner.set(name === 'xmlns' ? '' : name.slice(6), decoded);
    }
  }
  const names = inner ?? scope;
  const colon = tag.indexOf(':');
  const children: XmlNode[] = [];
  for (const child of node[tag] as OrderedNode[]) {
    if ('#text' in child) children.push({ text: decodeReferences(String(child['#text'])) });
    else if (CDATA in child) children.push({ text: (child[CDATA] as OrderedNode[]).map((t) => String(t['#text'] ?? '')).join('') });
    else children.push(toElement(child, names));
  }
  return {
    name: colon < 0 ? tag : tag.slice(colon + 1),
    namespace: names.get(colon < 0 ? '' : tag.slice(0, colon)) ?? '',
    attributes,
    children,
  };
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; any other reference is an error. */
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`a bare '&' in "${text.slice(0, 40)}"`);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(name) ? Number.parseInt(name.slice(2), 16) : /^#[0-9]{1,7}$/.test(name) ? Number(name.slice(1)) : -1;
    if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new Error(`undefined entity &${name};`);
    return String.fromCodePoint(code);
  });
}
