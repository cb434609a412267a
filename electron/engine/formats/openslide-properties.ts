// The openslide.* properties every format reports, as OpenSlide sets them: vendor, comment, levels
// with their sizes, downsamples and tile sizes, MPP and objective power, and the regions of slides
// made of several scanned areas; doubles as OpenSlide prints them (%.17g).

import type { LevelInfo, Mpp } from '../../../shared/slide';
import { formatDouble } from './openslide-values';

/** A level as OpenSlide reports it: no tile size where its tiles are not the file's (stitched or placed images). */
export type ReportedLevel = Pick<LevelInfo, 'width' | 'height' | 'downsample'> & Partial<Pick<LevelInfo, 'tileWidth' | 'tileHeight'>>;

export interface StandardProperties {
  vendor: string;
  /** The first image description, where the format reports one. */
  comment: string | undefined;
  levels: readonly ReportedLevel[];
  /** As OpenSlide copies them from the vendor's metadata: reported even where the slide's own fields leave them out. */
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
    if (level.tileWidth !== undefined && level.tileHeight !== undefined) {
      properties[`openslide.level[${i}].tile-width`] = String(level.tileWidth);
      properties[`openslide.level[${i}].tile-height`] = String(level.tileHeight);
    }
  });
  if (p.mpp) {
    properties['openslide.mpp-x'] = formatDouble(p.mpp.x);
    properties['openslide.mpp-y'] = formatDouble(p.mpp.y);
  }
  if (p.objectivePower !== null) properties['openslide.objective-power'] = formatDouble(p.objectivePower);
  return properties;
}

/** A scanned area in level-0 pixels. */
export interface SlideRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** openslide.region[i].* for each scanned area. */
export function regionProperties(regions: readonly SlideRegion[]): Record<string, string> {
  const properties: Record<string, string> = {};
  regions.forEach((region, i) => {
    properties[`openslide.region[${i}].x`] = String(region.x);
    properties[`openslide.region[${i}].y`] = String(region.y);
    properties[`openslide.region[${i}].width`] = String(region.width);
    properties[`openslide.region[${i}].height`] = String(region.height);
  });
  return properties;
}

/** openslide.bounds-*: the rectangle around all the scanned areas (at least one). */
export function boundsProperties(regions: readonly SlideRegion[]): Record<string, string> {
  const x0 = Math.min(...regions.map((r) => r.x));
  const y0 = Math.min(...regions.map((r) => r.y));
  const x1 = Math.max(...regions.map((r) => r.x + r.width));
  const y1 = Math.max(...regions.map((r) => r.y + r.height));
  return {
    'openslide.bounds-x': String(x0),
    'openslide.bounds-y': String(y0),
    'openslide.bounds-width': String(x1 - x0),
    'openslide.bounds-height': String(y1 - y0),
  };
}
