// The <scn> XML of a Leica slide, read as OpenSlide reads it: a collection (the glass, sized in nm)
// of images, each placed on it by its view and stored as dimensions (pyramid levels in z-plane 0,
// each naming its TIFF directory), with the scan settings OpenSlide reports as leica.* properties.

import { decodeBase64, parseInteger } from './openslide-values';
import { childElements, firstChild, textNodes, type XmlElement } from './xml-document';

export const LEICA_NAMESPACES = ['http://www.leica-microsystems.com/scn/2010/03/10', 'http://www.leica-microsystems.com/scn/2010/10/01'] as const;

export interface LeicaDimension {
  ifd: number;
  width: number;
  height: number;
  /** The image's width in nm over this dimension's in pixels. */
  nmPerPixel: number;
}

export interface LeicaImage {
  creationDate: string | null;
  deviceModel: string | null;
  deviceVersion: string | null;
  illuminationSource: string | null;
  objective: string | null;
  aperture: string | null;
  /** The macro image covers the whole collection from its origin. */
  isMacro: boolean;
  /** Position and size on the collection, in nm. */
  view: { x: number; y: number; width: number; height: number };
  /** Dimensions of z-plane 0, widest first. */
  dimensions: LeicaDimension[];
}

export interface LeicaCollection {
  barcode: string | null;
  widthNm: number;
  heightNm: number;
  images: LeicaImage[];
}

/** Why the XML cannot be a Leica collection, for the error message. */
export class LeicaXmlError extends Error {}

/** The first text node of the first element at a path of child names (XPath's string of a node set). */
function textAt(parent: XmlElement, namespace: string, ...names: string[]): string | null {
  let elements = [parent];
  for (const name of names) elements = elements.flatMap((e) => childElements(e, name, namespace));
  return elements.flatMap(textNodes)[0] ?? null;
}

/** An integer attribute OpenSlide requires (_openslide_xml_parse_int_attr). */
function integerAttribute(element: XmlElement, name: string): number {
  const text = element.attributes.get(name);
  if (text === undefined) throw new LeicaXmlError(`its <${element.name}> has no ${name}`);
  const value = parseInteger(text);
  if (value === null) throw new LeicaXmlError(`its <${element.name}> has ${name}="${text.slice(0, 40)}", not an integer`);
  return value;
}

export function isLeicaRoot(root: XmlElement): boolean {
  return root.name === 'scn' && (LEICA_NAMESPACES as readonly string[]).includes(root.namespace);
}

/** Reads the collection; LeicaXmlError when a part OpenSlide requires is missing or malformed. */
export function readLeicaXml(root: XmlElement): LeicaCollection {
  const ns = root.namespace;
  const collection = firstChild(root, 'collection', ns);
  if (!collection) throw new LeicaXmlError('has no <collection>');
  const encoded = textAt(root, ns, 'collection', 'barcode');
  // The 2010/10/01 barcode element is Base64 (decoded as a C string); the 2010/03/10 attribute is not.
  const barcode = encoded !== null ? cString(decodeBase64(encoded)) : (collection.attributes.get('barcode') ?? null);
  const widthNm = integerAttribute(collection, 'sizeX');
  const heightNm = integerAttribute(collection, 'sizeY');
  const images = childElements(collection, 'image', ns).map((image): LeicaImage => {
    const view = firstChild(image, 'view', ns);
    if (!view) throw new LeicaXmlError('has an <image> without a <view>');
    const devices = childElements(image, 'device', ns);
    const deviceAttribute = (name: string) => devices.map((d) => d.attributes.get(name)).find((v) => v !== undefined) ?? null;
    const placed = {
      width: integerAttribute(view, 'sizeX'),
      height: integerAttribute(view, 'sizeY'),
      x: integerAttribute(view, 'offsetX'),
      y: integerAttribute(view, 'offsetY'),
    };
    const dimensions = childElements(image, 'pixels', ns)
      .flatMap((pixels) => childElements(pixels, 'dimension', ns))
      // Only focal plane 0 (OpenSlide ignores the others).
      .filter((d) => (d.attributes.get('z') ?? '0') === '0')
      .map((d) => {
        const width = integerAttribute(d, 'sizeX');
        return { ifd: integerAttribute(d, 'ifd'), width, height: integerAttribute(d, 'sizeY'), nmPerPixel: placed.width / width };
      })
      .sort((a, b) => b.width - a.width);
    return {
      creationDate: textAt(image, ns, 'creationDate'),
      deviceModel: deviceAttribute('model'),
      deviceVersion: deviceAttribute('version'),
      illuminationSource: textAt(image, ns, 'scanSettings', 'illuminationSettings', 'illuminationSource'),
      objective: textAt(image, ns, 'scanSettings', 'objectiveSettings', 'objective'),
      aperture: textAt(image, ns, 'scanSettings', 'illuminationSettings', 'numericalAperture'),
      isMacro: placed.x === 0 && placed.y === 0 && placed.width === widthNm && placed.height === heightNm,
      view: placed,
      dimensions,
    };
  });
  return { barcode, widthNm, heightNm, images };
}

/** Bytes as C reads a string: up to the first NUL. */
function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString('utf8');
}
