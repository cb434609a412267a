// A slide's XML (Philips and Leica descriptions, Ventana XMP packets, OME-XML) as a small element
// tree, namespaces resolved, read the way libxml2 reads it for OpenSlide: well-formed or refused,
// entities and character references decoded, line ends and attribute whitespace normalised. Its size
// and element count are bounded before anything parses it, its depth while it is parsed, and a
// DOCTYPE (entity declarations: expansion bombs) is refused: slide XML has none.

import { decodeXmlReferences } from '../../../shared/xml-text';
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

/** Where XML comes from, for its bounds and messages: a slide's (TIFF fields, the default) or a file of its own. */
export interface XmlSource {
  /** How messages name it: "The slide's ImageDescription", "The annotation file". */
  name: (what: string) => string;
  maxLength: number;
  maxElements: number;
  /** Its characters are a TIFF ASCII field's bytes, UTF-8 or not (a file's text is decoded already). */
  tiffAscii: boolean;
}

export const SLIDE_XML: XmlSource = { name: (what) => `The slide's ${what}`, maxLength: MAX_XML_LENGTH, maxElements: MAX_ELEMENTS, tiffAscii: true };

/**
 * Parses `xml` (`what`, for messages). TOO_LARGE past the source's length or element bound;
 * CORRUPT_DATA when it is not well-formed XML with one root element.
 */
export function parseXml(xml: string, what: string, path: string, source: XmlSource = SLIDE_XML): XmlElement {
  const named = source.name(what);
  if (xml.length > source.maxLength) {
    throw new SlideError('TOO_LARGE', `${named} is ${xml.length} characters of XML, more than the ${source.maxLength} it may be.`, path);
  }
  const bad = (reason: string) => new SlideError('CORRUPT_DATA', `${named} is not valid XML (${reason}).`, path);
  const text = (source.tiffAscii ? utf8(xml) : xml).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (startTags(text, source.maxElements) > source.maxElements) {
    throw new SlideError('TOO_LARGE', `${named} has more than ${source.maxElements} elements, more than it may have.`, path);
  }
  try {
    return readDocument(text);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    throw bad(`line ${lineAt(text, error.at)}: ${error.message}`);
  }
}

/** Why the text is not well-formed, and where. */
class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** An element being read: the end tag it waits for, and the prefixes it declared (undone at its end). */
interface OpenElement {
  readonly element: XmlElement & { readonly children: XmlNode[] };
  readonly tag: string;
  readonly declared: readonly string[] | null;
}

/** Shared by the elements without attributes or children: a 2,000,000-element tree stays ~100 bytes an element. */
const NO_ATTRIBUTES: ReadonlyMap<string, string> = new Map();
const NO_CHILDREN: readonly XmlNode[] = Object.freeze([]);
const NAME = /^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*(:[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?$/;
/** Where a name ends: white space, '/', '>' or '='. */
const NAME_END = /[ \t\n/>=]/g;
/** XML's white space: not \s, which takes U+00A0 and U+3000 too. */
const SPACE = /[ \t\n]*/y;
const BLANK = /^[ \t\n]*$/;
/** Characters XML does not allow (C0 controls but tab and line ends; U+FFFE and U+FFFF). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * One pass over the text that checks it is well-formed as it builds the tree. fast-xml-parser's
 * validator and parser, and the conversion of its output, made three, whose TurboFan compilations
 * cost each fresh engine process ~0.4 s of CPU (docs/performance.md).
 */
function readDocument(text: string): XmlElement {
  const forbidden = FORBIDDEN.exec(text);
  if (forbidden) throw new XmlSyntaxError(`the character U+${forbidden[0].charCodeAt(0).toString(16).padStart(4, '0')} is not allowed`, forbidden.index);
  // Each prefix's namespaces, innermost last ('' the default namespace).
  const prefixes = new Map<string, string[]>();
  const open: OpenElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  if (/^<\?xml[ \t\n]/.test(text)) i = after(text, '?>', 5, 'the XML declaration');
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? text.length : lt;
    if (end > i) addText(open, text.slice(i, end), i, false);
    if (lt < 0) break;
    const next = text.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      const nameEnd = scanName(text, lt + 2);
      const tag = text.slice(lt + 2, nameEnd);
      const close = skipSpace(text, nameEnd);
      if (text.charCodeAt(close) !== 0x3e /* > */) throw new XmlSyntaxError(`the end tag </${tag}> is not closed by '>'`, lt);
      const ended = open.pop();
      if (ended === undefined || ended.tag !== tag) throw new XmlSyntaxError(ended ? `</${tag}> ends <${ended.tag}>` : `</${tag}> ends no element`, lt);
      if (ended.declared) for (const prefix of ended.declared) prefixes.get(prefix)!.pop();
      i = close + 1;
    } else if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        i = after(text, '-->', lt + 4, 'a comment');
        if (text.slice(lt + 4, i - 3).includes('--')) throw new XmlSyntaxError("a comment holds '--'", lt);
      } else if (text.startsWith('<![CDATA[', lt)) {
        i = after(text, ']]>', lt + 9, 'a CDATA section');
        addText(open, text.slice(lt + 9, i - 3), lt, true);
      } else if (text.slice(lt, lt + 9).toUpperCase() === '<!DOCTYPE') {
        throw new XmlSyntaxError('it declares a DOCTYPE', lt);
      } else {
        throw new XmlSyntaxError(`'${text.slice(lt, lt + 9)}' is not XML markup`, lt);
      }
    } else if (next === 0x3f /* ? */) {
      if (/^<\?xml[ \t\n?]/i.test(text.slice(lt, lt + 6))) throw new XmlSyntaxError('an XML declaration after the start', lt);
      i = after(text, '?>', lt + 2, 'a processing instruction');
    } else {
      const parent = open[open.length - 1];
      if (root !== undefined && parent === undefined) throw new XmlSyntaxError('a second root element', lt);
      const { element, tag, declared, closed, end: tagEnd } = readStartTag(text, lt, prefixes);
      if (parent === undefined) root = element;
      else childrenOf(parent).push(element);
      if (closed) {
        if (declared) for (const prefix of declared) prefixes.get(prefix)!.pop();
      } else {
        if (open.length >= MAX_DEPTH) throw new XmlSyntaxError(`elements nested more than ${MAX_DEPTH} deep`, lt);
        open.push({ element, tag, declared });
      }
      i = tagEnd;
    }
  }
  if (open.length > 0) throw new XmlSyntaxError(`<${open[open.length - 1]!.tag}> is not closed`, text.length);
  if (root === undefined) throw new XmlSyntaxError('no root element', text.length);
  return root;
}

/** An open element's children, its own array made at its first child. */
function childrenOf(open: OpenElement): XmlNode[] {
  const element = open.element as { children: XmlNode[] };
  if (element.children === NO_CHILDREN) element.children = [];
  return element.children;
}

/** Text (a CDATA section's as written) inside the current element; outside the root, white space only. */
function addText(open: readonly OpenElement[], raw: string, at: number, cdata: boolean): void {
  const parent = open[open.length - 1];
  if (parent === undefined) {
    if (cdata || !BLANK.test(raw)) throw new XmlSyntaxError('text outside the root element', at);
    return;
  }
  if (!cdata && raw.includes(']]>')) throw new XmlSyntaxError("']]>' in text", at + raw.indexOf(']]>'));
  childrenOf(parent).push({ text: cdata ? raw : decode(raw, at) });
}

interface StartTag {
  element: XmlElement & { readonly children: XmlNode[] };
  tag: string;
  /** The prefixes it declares, pushed onto `prefixes`. */
  declared: string[] | null;
  closed: boolean;
  end: number;
}

/** The start tag at `lt`: its element (its prefixes declared into `prefixes`), whether it closes itself, and where it ends. */
function readStartTag(text: string, lt: number, prefixes: Map<string, string[]>): StartTag {
  const nameEnd = scanName(text, lt + 1);
  const tag = text.slice(lt + 1, nameEnd);
  if (!NAME.test(tag)) throw new XmlSyntaxError(`'<${tag.slice(0, 40)}' does not start an element`, lt);
  let attributes: Map<string, string> | null = null;
  let declared: string[] | null = null;
  let i = nameEnd;
  for (;;) {
    const at = skipSpace(text, i);
    const c = text.charCodeAt(at);
    if (c === 0x3e /* > */ || (c === 0x2f /* / */ && text.charCodeAt(at + 1) === 0x3e)) {
      const colon = tag.indexOf(':');
      const uris = prefixes.get(colon < 0 ? '' : tag.slice(0, colon));
      const element = {
        name: colon < 0 ? tag : tag.slice(colon + 1),
        namespace: uris?.[uris.length - 1] ?? '',
        attributes: attributes ?? NO_ATTRIBUTES,
        children: NO_CHILDREN as XmlNode[],
      };
      return { element, tag, declared, closed: c === 0x2f, end: at + (c === 0x2f ? 2 : 1) };
    }
    if (at === i || Number.isNaN(c)) throw new XmlSyntaxError(`the tag <${tag}> is not closed by '>'`, lt);
    const attrEnd = scanName(text, at);
    const name = text.slice(at, attrEnd);
    if (!NAME.test(name)) throw new XmlSyntaxError(`'${name.slice(0, 40)}' is not an attribute name`, at);
    const eq = skipSpace(text, attrEnd);
    if (text.charCodeAt(eq) !== 0x3d /* = */) throw new XmlSyntaxError(`the attribute ${name} of <${tag}> has no value`, at);
    const start = skipSpace(text, eq + 1);
    const quote = text[start];
    if (quote !== '"' && quote !== "'") throw new XmlSyntaxError(`the attribute ${name} of <${tag}> is not quoted`, at);
    const close = text.indexOf(quote, start + 1);
    if (close < 0) throw new XmlSyntaxError(`the attribute ${name} of <${tag}> is not closed`, at);
    const raw = text.slice(start + 1, close);
    if (raw.includes('<')) throw new XmlSyntaxError(`the attribute ${name} of <${tag}> has a '<' in its value`, at);
    attributes ??= new Map();
    if (attributes.has(name)) throw new XmlSyntaxError(`<${tag}> has the attribute ${name} twice`, at);
    // XML normalises whitespace characters in attribute values to spaces, before references.
    const value = decode(raw.replace(/[\t\n]/g, ' '), at);
    attributes.set(name, value);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      const uris = prefixes.get(prefix);
      if (uris === undefined) prefixes.set(prefix, [value]);
      else uris.push(value);
      declared ??= [];
      declared.push(prefix);
    }
    i = close + 1;
  }
}

function scanName(text: string, from: number): number {
  NAME_END.lastIndex = from;
  return NAME_END.test(text) ? NAME_END.lastIndex - 1 : text.length;
}

function skipSpace(text: string, from: number): number {
  SPACE.lastIndex = from;
  SPACE.test(text);
  return SPACE.lastIndex;
}

/** Just past the first `close` from `from`; an error naming `what` when there is none. */
function after(text: string, close: string, from: number, what: string): number {
  const at = text.indexOf(close, from);
  if (at < 0) throw new XmlSyntaxError(`${what} is not closed`, from);
  return at + close.length;
}

function decode(raw: string, at: number): string {
  try {
    return decodeXmlReferences(raw);
  } catch (error) {
    throw new XmlSyntaxError(error instanceof Error ? error.message : String(error), at);
  }
}

/**
 * Start tags in `text`, counting stops past `limit`. Those inside comments and CDATA count too: an
 * over-count only where no slide's XML comes, and a bound known before the parser builds its tree.
 */
export function startTags(text: string, limit: number): number {
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
