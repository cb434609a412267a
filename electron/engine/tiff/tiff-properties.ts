// OpenSlide's tiff.* properties, as its own TIFF reader stores them for every TIFF-based format: the
// descriptive ASCII tags, the resolution and position as %.17g doubles, the resolution unit named
// (inch when absent). One table and one formatting for every TIFF reader (geotiff's and NDPI's own).

import { formatDouble } from '../formats/openslide-values';

export const PROPERTY_TAGS: ReadonlyArray<readonly [number, string]> = [
  [270, 'ImageDescription'],
  [271, 'Make'],
  [272, 'Model'],
  [305, 'Software'],
  [306, 'DateTime'],
  [315, 'Artist'],
  [316, 'HostComputer'],
  [33432, 'Copyright'],
  [269, 'DocumentName'],
];

/** The RATIONAL tags OpenSlide reports, as doubles. */
export const DOUBLE_PROPERTY_TAGS: ReadonlyArray<readonly [number, string]> = [
  [282, 'XResolution'],
  [283, 'YResolution'],
  [286, 'XPosition'],
  [287, 'YPosition'],
];

export const RESOLUTION_UNIT_TAG = 296;

const RESOLUTION_UNITS: Readonly<Record<number, string>> = { 1: 'none', 2: 'inch', 3: 'centimeter' };

/**
 * tiff.* properties (without the prefix) from a directory's text tags, its DOUBLE_PROPERTY_TAGS
 * values and its resolution unit, by tag.
 */
export function tiffTagProperties(texts: ReadonlyMap<number, string>, numbers: ReadonlyMap<number, number>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [tag, name] of PROPERTY_TAGS) {
    const value = texts.get(tag);
    if (value !== undefined) tags[name] = value.replace(/\0+$/, '');
  }
  for (const [tag, name] of DOUBLE_PROPERTY_TAGS) {
    const value = numbers.get(tag);
    if (value !== undefined) tags[name] = formatDouble(value);
  }
  // libtiff's default (inch) when the tag is absent, as OpenSlide reports it.
  tags.ResolutionUnit = RESOLUTION_UNITS[numbers.get(RESOLUTION_UNIT_TAG) ?? 2] ?? 'unknown';
  return tags;
}

/**
 * A directory's tags as tiff.* properties. Philips and Leica keep their XML description out, as
 * OpenSlide removes it for them.
 */
export function tiffProperties(tags: Readonly<Record<string, string>>, options: { description: boolean } = { description: true }): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(tags)) if (options.description || name !== 'ImageDescription') properties[`tiff.${name}`] = value;
  return properties;
}
