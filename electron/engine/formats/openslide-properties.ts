// The openslide.* properties every format reports, as OpenSlide sets them: vendor, comment, levels
// with their sizes, downsamples and tile sizes, MPP and objective power; doubles as OpenSlide prints
// them (%.17g).

import type { LevelInfo, Mpp } from '../../../shared/slide';
import { formatDouble } from './openslide-values';

export interface StandardProperties {
  vendor: string;
  /** The first image description, where the format has one. */
  comment: string | undefined;
  levels: readonly LevelInfo[];
  mpp: Mpp | null;
  objectivePower: number | null;
}

export function openSlideProperties(p: StandardProperties): Record<string, string> {
  const properties: Record<string, string> = {};
  properties['openslide.vendor'] = p.vendor;
  if (p.comment !== undefined) properties['openslide.comment'] = p.comment;
  properties['openslide.level-count'] = String(p.levels.length);
  p.levels.forEach((level, i) => {
    properties[`openslide.level[${i}].width`] = String(level.width);
    properties[`openslide.level[${i}].height`] = String(level.height);
    properties[`openslide.level[${i}].downsample`] = formatDouble(level.downsample);
    properties[`openslide.level[${i}].tile-width`] = String(level.tileWidth);
    properties[`openslide.level[${i}].tile-height`] = String(level.tileHeight);
  });
  if (p.mpp) {
    properties['openslide.mpp-x'] = formatDouble(p.mpp.x);
    properties['openslide.mpp-y'] = formatDouble(p.mpp.y);
  }
  if (p.objectivePower !== null) properties['openslide.objective-power'] = formatDouble(p.objectivePower);
  return properties;
}
