// OpenSlide's tiff.* properties: the descriptive ASCII tags and the resolution of a directory, named
// as OpenSlide names them. One table for every TIFF reader (geotiff's and NDPI's own).

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

const RESOLUTION_UNITS: Readonly<Record<number, string>> = { 1: 'none', 2: 'inch', 3: 'centimeter' };

/** tiff.* properties (without the prefix) from a directory's text tags and resolution. */
export function tiffTagProperties(
  texts: ReadonlyMap<number, string>,
  resolution: { x: number | undefined; y: number | undefined; unit: number | undefined },
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [tag, name] of PROPERTY_TAGS) {
    const value = texts.get(tag);
    if (value !== undefined) tags[name] = value.replace(/\0+$/, '');
  }
  if (resolution.x !== undefined) tags.XResolution = String(resolution.x);
  if (resolution.y !== undefined) tags.YResolution = String(resolution.y);
  // libtiff's default (inch) when the tag is absent, as OpenSlide reports it.
  tags.ResolutionUnit = RESOLUTION_UNITS[resolution.unit ?? 2] ?? String(resolution.unit);
  return tags;
}
