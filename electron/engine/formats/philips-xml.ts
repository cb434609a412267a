// The DPUfsImport XML of a Philips TIFF, read as OpenSlide's XPath queries read it: the philips.*
// properties (top-level attributes, the first WSI image's attributes, and every pixel data
// representation's as ...SEQUENCE[i].*), the levels' pixel spacings, and the label and macro
// images' Base64 JPEGs.

import { parseDouble } from './openslide-values';
import { childElements, textContent, textNodes, type XmlElement } from './xml-document';

const SCANNED_IMAGES = 'PIM_DP_SCANNED_IMAGES';
const PIXEL_DATA_REPRESENTATIONS = 'PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE';

export interface PhilipsXml {
  /** philips.* properties, as OpenSlide names them. */
  properties: Map<string, string>;
  /** How many scanned images are WSIs (OpenSlide requires exactly one). */
  wsiCount: number;
  /** The DICOM_PIXEL_SPACING text of each pixel data representation of the first WSI, in order. */
  levelSpacings: string[];
  /** Base64 text of the first label and macro images, when there are some. */
  label: string | null;
  macro: string | null;
}

/** Whether the root is a DPUfsImport DataObject. */
export function isDpUfsImport(root: XmlElement): boolean {
  return root.name === 'DataObject' && root.attributes.get('ObjectType') === 'DPUfsImport';
}

/** Attribute children of an element named `name` (OpenSlide's Attribute[@Name='...']). */
function attributesNamed(parent: XmlElement, name?: string): XmlElement[] {
  return childElements(parent, 'Attribute').filter((a) => name === undefined || a.attributes.get('Name') === name);
}

/** DataObject children of an attribute's Array children (Array/DataObject), in document order. */
function arrayObjects(attribute: XmlElement): XmlElement[] {
  return childElements(attribute, 'Array').flatMap((array) => childElements(array, 'DataObject'));
}

/**
 * XPath's DataObject[Attribute/@Name='PIM_DP_IMAGE_TYPE' and Attribute/text()='TYPE']: some
 * attribute is the image type, and some attribute has a text node equal to TYPE.
 */
function isImageOfType(object: XmlElement, type: string): boolean {
  const attributes = attributesNamed(object);
  return attributes.some((a) => a.attributes.get('Name') === 'PIM_DP_IMAGE_TYPE') && attributes.some((a) => textNodes(a).includes(type));
}

/** /DataObject/Attribute[@Name='PIM_DP_SCANNED_IMAGES']/Array/DataObject[type][1], per Array. */
function firstImagesOfType(root: XmlElement, type: string): XmlElement[] {
  return attributesNamed(root, SCANNED_IMAGES).flatMap((scanned) =>
    childElements(scanned, 'Array').flatMap((array) => {
      const first = childElements(array, 'DataObject').find((o) => isImageOfType(o, type));
      return first ? [first] : [];
    }),
  );
}

/** OpenSlide's add_properties over a set of Attribute elements, with its two recursions. */
function addProperties(properties: Map<string, string>, prefix: string, attributes: readonly XmlElement[]): void {
  for (const attribute of attributes) {
    const name = attribute.attributes.get('Name');
    if (name === undefined) continue;
    if (name === SCANNED_IMAGES) {
      // Only the first WSI image's attributes, under the same prefix.
      const wsi = childElements(attribute, 'Array').flatMap((array) => {
        const first = childElements(array, 'DataObject').find((o) => isImageOfType(o, 'WSI'));
        return first ? attributesNamed(first) : [];
      });
      addProperties(properties, prefix, wsi);
    } else if (name === PIXEL_DATA_REPRESENTATIONS) {
      arrayObjects(attribute).forEach((object, i) => {
        addProperties(properties, `${prefix}.${name}[${i}]`, attributesNamed(object));
      });
    } else if (childElements(attribute).length === 0) {
      properties.set(`${prefix}.${name}`, textContent(attribute));
    }
  }
}

export function readPhilipsXml(root: XmlElement): PhilipsXml {
  const properties = new Map<string, string>();
  addProperties(properties, 'philips', attributesNamed(root));
  const wsiCount = attributesNamed(root, SCANNED_IMAGES)
    .flatMap(arrayObjects)
    .filter((o) => isImageOfType(o, 'WSI')).length;
  const levelSpacings = firstImagesOfType(root, 'WSI')
    .flatMap((wsi) => attributesNamed(wsi, PIXEL_DATA_REPRESENTATIONS))
    .flatMap(arrayObjects)
    .filter((o) => o.attributes.get('ObjectType') === 'PixelDataRepresentation')
    .flatMap((o) => attributesNamed(o, 'DICOM_PIXEL_SPACING'))
    .flatMap(textNodes);
  // The string value of the first matching text node (XPath's string() of a node set).
  const imageData = (type: string): string | null =>
    firstImagesOfType(root, type)
      .flatMap((image) => attributesNamed(image, 'PIM_DP_IMAGE_DATA'))
      .flatMap(textNodes)[0] ?? null;
  return { properties, wsiCount, levelSpacings, label: imageData('LABELIMAGE'), macro: imageData('MACROIMAGE') };
}

/**
 * A DICOM pixel spacing, '"rows" "columns"' in mm, as OpenSlide's parse_pixel_spacing reads it:
 * exactly two space-separated values, quotes stripped. Returns the column (x) and row (y) spacing.
 */
export function parsePixelSpacing(text: string): { x: number; y: number } | null {
  const parts = text.split(' ');
  if (parts.length !== 2) return null;
  const [rows, columns] = parts.map((p) => parseDouble(p.replace(/"/g, ' ').trim())) as [number, number];
  return Number.isNaN(rows) || Number.isNaN(columns) ? null : { x: columns, y: rows };
}
