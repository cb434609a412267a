// The tiff.* properties of one directory as OpenSlide's own TIFF reader ("tifflike") stores them for
// Philips and Leica: strings as they are, resolutions and positions as %.17g doubles, the
// resolution unit named (inch when absent). The ImageDescription is left out: both formats keep
// their XML out of the properties.

import type { TiffDirectory } from '../tiff/tiff-file';
import { formatDouble } from './openslide-values';

const STRING_TAGS = ['Make', 'Model', 'Software', 'DateTime', 'Artist', 'HostComputer', 'Copyright', 'DocumentName'] as const;
const POSITION_TAGS: ReadonlyArray<[number, string]> = [
  [286, 'XPosition'],
  [287, 'YPosition'],
];

function rationalValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'length' in value) {
    const [num, den] = Array.from(value as ArrayLike<unknown>);
    if (typeof num === 'number' && typeof den === 'number' && den !== 0) return num / den;
  }
  return undefined;
}

export async function tifflikeProperties(dir: TiffDirectory): Promise<Record<string, string>> {
  const properties: Record<string, string> = {};
  for (const name of STRING_TAGS) {
    const value = dir.tags[name];
    if (value !== undefined) properties[`tiff.${name}`] = value;
  }
  if (dir.xResolution !== undefined) properties['tiff.XResolution'] = formatDouble(dir.xResolution);
  if (dir.yResolution !== undefined) properties['tiff.YResolution'] = formatDouble(dir.yResolution);
  for (const [tag, name] of POSITION_TAGS) {
    const value = dir.ifd.hasTag(tag) ? rationalValue(await dir.ifd.loadValue(tag)) : undefined;
    if (value !== undefined) properties[`tiff.${name}`] = formatDouble(value);
  }
  const units: Readonly<Record<number, string>> = { 1: 'none', 2: 'inch', 3: 'centimeter' };
  properties['tiff.ResolutionUnit'] = units[dir.resolutionUnit ?? 2] ?? 'unknown';
  return properties;
}
