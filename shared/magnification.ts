// Converting between objective power, microns per pixel and level-0 downsample. Pure arithmetic.

import { type NumberWriter, plainNumber } from './number-format';
import type { ThumbnailSpec } from './operations';
import type { SlideInfo } from './slide';

/** The microscope objective that corresponds to 1 µm/px is about 10x: power = 10 / mpp. */
const POWER_MPP_PRODUCT = 10;

/** Level-0 downsample that shows the slide at the given objective power. */
export function downsampleForPower(slide: Pick<SlideInfo, 'objectivePower' | 'mpp'>, power: number): number | null {
  if (!(power > 0)) return null;
  if (slide.objectivePower) return slide.objectivePower / power;
  if (slide.mpp) return POWER_MPP_PRODUCT / power / slide.mpp.x;
  return null;
}

/** Level-0 downsample that gives the requested microns per pixel. */
export function downsampleForMpp(slide: Pick<SlideInfo, 'objectivePower' | 'mpp'>, mpp: number): number | null {
  if (!(mpp > 0)) return null;
  if (slide.mpp) return mpp / slide.mpp.x;
  if (slide.objectivePower) return (mpp * slide.objectivePower) / POWER_MPP_PRODUCT;
  return null;
}

/** Objective power seen at a given level-0 downsample (e.g. 20x slide at downsample 4 -> 5x). */
export function powerAtDownsample(slide: Pick<SlideInfo, 'objectivePower' | 'mpp'>, downsample: number): number | null {
  if (slide.objectivePower) return slide.objectivePower / downsample;
  if (slide.mpp) return POWER_MPP_PRODUCT / (slide.mpp.x * downsample);
  return null;
}

export function mppAtDownsample(slide: Pick<SlideInfo, 'objectivePower' | 'mpp'>, downsample: number): number | null {
  if (slide.mpp) return slide.mpp.x * downsample;
  if (slide.objectivePower) return (POWER_MPP_PRODUCT / slide.objectivePower) * downsample;
  return null;
}

/**
 * Output size of a thumbnail. Power and mpp follow TIAToolbox's slide_thumbnail: the level-0
 * size divided by the downsample, rounded to nearest (CMU-1-Small-Region at 1.25x -> 139x185).
 */
export function thumbnailSize(
  slide: Pick<SlideInfo, 'objectivePower' | 'mpp' | 'width' | 'height'>,
  spec: ThumbnailSpec,
): { width: number; height: number; downsample: number } | null {
  let downsample: number | null;
  if (spec.kind === 'size') {
    if (!(spec.longestSide >= 1)) return null;
    // Never enlarged (as OpenSlide's get_thumbnail): a slide smaller than the size asked comes whole.
    downsample = Math.max(1, Math.max(slide.width, slide.height) / spec.longestSide);
  } else if (spec.kind === 'power') {
    downsample = downsampleForPower(slide, spec.objectivePower);
  } else {
    downsample = downsampleForMpp(slide, spec.mpp);
  }
  if (downsample === null || !Number.isFinite(downsample) || downsample <= 0) return null;
  const width = Math.max(1, Math.round(slide.width / downsample));
  const height = Math.max(1, Math.round(slide.height / downsample));
  return { width, height, downsample };
}

/** "1.25x", "20x", "7.3x": objective power as pathologists write it. */
export function formatPower(power: number, write: NumberWriter = plainNumber): string {
  // Below 0.1x (a whole large slide in a small view) a third decimal: 0.006x is not 0.01x, nor 0x.
  return `${write(power, { maxFraction: power >= 10 ? 1 : power >= 0.1 ? 2 : 3 })}x`;
}

export function formatMpp(mpp: number, write: NumberWriter = plainNumber): string {
  return `${write(mpp, { fraction: mpp < 10 ? 2 : 1 })} µm/px`;
}
