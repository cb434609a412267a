// Objective-power arithmetic for the live view.
//
// Definition used throughout the UI: the magnification shown is
//     objective power at level 0  x  CSS pixels per level-0 pixel
// i.e. "1:1" (one level-0 pixel per CSS pixel) reads as the scan's own power, e.g. 20x.
// CSS pixels rather than device pixels: on a HiDPI screen (devicePixelRatio 2) each CSS pixel is
// 2x2 device pixels, and counting CSS pixels keeps the readout, the presets and the scale bar the
// same whatever the screen's density, as a physical field of view at the same OS scaling.

import type { SlideInfo } from '../../../shared/slide';
import { downsampleForPower, mppAtDownsample, powerAtDownsample } from '../../../shared/magnification';

export type PowerSource = Pick<SlideInfo, 'objectivePower' | 'mpp'>;

/** The standard objectives a pathologist switches between. */
export const PRESET_POWERS: readonly number[] = [1.25, 2.5, 5, 10, 20, 40];

/** The scan's own power (from AppMag, or estimated from µm/px), or null when the slide says neither. */
export function nativePower(slide: PowerSource): number | null {
  return powerAtDownsample(slide, 1);
}

/** Power shown at an image zoom (CSS pixels per level-0 pixel). */
export function powerAtImageZoom(slide: PowerSource, imageZoom: number): number | null {
  return imageZoom > 0 ? powerAtDownsample(slide, 1 / imageZoom) : null;
}

/** Image zoom (CSS pixels per level-0 pixel) that shows the given power. */
export function imageZoomForPower(slide: PowerSource, power: number): number | null {
  const downsample = downsampleForPower(slide, power);
  return downsample && downsample > 0 ? 1 / downsample : null;
}

/** Micrometres covered by one CSS pixel at an image zoom. */
export function micronsPerCssPixel(slide: PowerSource, imageZoom: number): number | null {
  return imageZoom > 0 ? mppAtDownsample(slide, 1 / imageZoom) : null;
}

export interface PresetState {
  power: number;
  enabled: boolean;
  /** Why it is disabled, for the tooltip. */
  reason?: string;
}

/** Presets up to the scan's power; higher ones would only enlarge pixels, so they are disabled. */
export function presetStates(slide: PowerSource): PresetState[] {
  const native = nativePower(slide);
  return PRESET_POWERS.map((power) => {
    if (native === null) return { power, enabled: false, reason: 'The slide records neither its objective power nor its pixel size' };
    if (power > native * 1.001) {
      return { power, enabled: false, reason: `The slide was scanned at ${trimPower(native)}x: ${trimPower(power)}x would only enlarge its pixels` };
    }
    return { power, enabled: true };
  });
}

function trimPower(power: number): string {
  return String(Number(power.toFixed(2)));
}

/** True when two powers are the same preset for the purpose of highlighting (0.5% tolerance). */
export function samePower(a: number | null, b: number): boolean {
  return a !== null && Math.abs(a - b) / b < 0.005;
}
