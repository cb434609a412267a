// Objective-power arithmetic for the live view.
//
// Definition used throughout the UI: the magnification shown is
//     objective power at level 0  x  CSS pixels per level-0 pixel
// i.e. "1:1" (one level-0 pixel per CSS pixel) reads as the scan's own power, e.g. 20x.
// CSS pixels rather than device pixels: on a HiDPI screen (devicePixelRatio 2) each CSS pixel is
// 2x2 device pixels, and counting CSS pixels keeps the readout, the presets and the scale bar the
// same whatever the screen's density, as a physical field of view at the same OS scaling.

import { lowestPower, MIN_SLIDE_SIDE_AT_POWER } from '../../../shared/export-plan';
import { downsampleForMpp, downsampleForPower, mppAtDownsample, powerAtDownsample } from '../../../shared/magnification';
import type { SlideInfo } from '../../../shared/slide';
import { formatMpp, formatPower } from '../i18n/format';
import { t } from '../i18n/i18n';

export type PowerSource = Pick<SlideInfo, 'objectivePower' | 'mpp'>;
/** A slide a magnification is checked against: its scale and its size. */
export type MagnifiedSlide = Pick<SlideInfo, 'objectivePower' | 'mpp' | 'width' | 'height'>;

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
    if (native === null) return { power, enabled: false, reason: t('magnification.noScale') };
    if (power > native * 1.001) {
      return { power, enabled: false, reason: t('magnification.onlyEnlarges', { native: formatPower(native), power: formatPower(power) }) };
    }
    return { power, enabled: true };
  });
}

/** True when two powers are the same preset for the purpose of highlighting (0.5% tolerance). */
export function samePower(a: number | null, b: number): boolean {
  return a !== null && Math.abs(a - b) / b < 0.005;
}

/** The comparison grid's and the magnification set's defaults: the TIAToolbox pipeline's four. */
export const GRID_DEFAULT_POWERS: readonly number[] = [1.25, 2.5, 5, 10];

/** A magnification as typed: "10x", "2.5", "1 µm/px", "0,5 um/px". */
export type MagnificationInput = { kind: 'power'; value: number } | { kind: 'mpp'; value: number };

const NUMBER = String.raw`(\d+(?:[.,]\d*)?|[.,]\d+)`;
const POWER_PATTERN = new RegExp(String.raw`^${NUMBER}\s*[x×]?$`, 'i');
const MPP_PATTERN = new RegExp(String.raw`^${NUMBER}\s*(?:[µμu]m(?:\s*/\s*px)?|mpp)$`, 'i');

export function parseMagnification(text: string): MagnificationInput | null {
  const trimmed = text.trim();
  const power = POWER_PATTERN.exec(trimmed);
  if (power?.[1]) return { kind: 'power', value: Number(power[1].replace(',', '.')) };
  const mpp = MPP_PATTERN.exec(trimmed);
  if (mpp?.[1]) return { kind: 'mpp', value: Number(mpp[1].replace(',', '.')) };
  return null;
}

export type MagnificationCheck = { ok: true; power: number; downsample: number } | { ok: false; reason: string };

/** Whether the slide can be shown at an objective power: not beyond its scan, and a known scale. */
export function checkPower(slide: MagnifiedSlide, power: number): MagnificationCheck {
  if (!(power > 0) || !Number.isFinite(power)) return { ok: false, reason: t('magnification.notPositive') };
  const native = nativePower(slide);
  const downsample = downsampleForPower(slide, power);
  if (native === null || downsample === null) return { ok: false, reason: t('magnification.noScaleUnknown') };
  // The same tolerances as the export's powerProblem, so the UI never offers what main refuses.
  if (downsample < 0.999) return { ok: false, reason: t('magnification.beyondScan', { power: formatPower(power), native: formatPower(native) }) };
  const below = belowView(slide, power);
  return below ? { ok: false, reason: below } : { ok: true, power, downsample };
}

/** Why a power is too low to show anything of the slide (powerProblem's bound), or null. */
function belowView(slide: MagnifiedSlide, power: number): string | null {
  const lowest = lowestPower(slide);
  if (lowest === null || power >= lowest * 0.999) return null;
  return t('magnification.belowView', { power: formatPower(power), pixels: MIN_SLIDE_SIDE_AT_POWER, lowest: formatPower(lowest) });
}

/** Checks a typed magnification; µm/px is converted to the objective power it corresponds to. */
export function resolveMagnification(slide: MagnifiedSlide, text: string): MagnificationCheck {
  const parsed = parseMagnification(text);
  if (!parsed || !(parsed.value > 0)) return { ok: false, reason: t('magnification.notMagnification', { text: text.trim() }) };
  if (parsed.kind === 'power') return checkPower(slide, parsed.value);
  const downsample = downsampleForMpp(slide, parsed.value);
  if (downsample === null) return { ok: false, reason: t('magnification.noScaleUnknown') };
  if (downsample < 0.999) {
    const finest = mppAtDownsample(slide, 1);
    return { ok: false, reason: t('magnification.finerThanScan', { mpp: formatMpp(parsed.value), finest: finest === null ? '?' : formatMpp(finest) }) };
  }
  const power = powerAtDownsample(slide, downsample);
  if (power === null) return { ok: false, reason: t('magnification.noScaleUnknown') };
  const below = belowView(slide, power);
  return below ? { ok: false, reason: below } : { ok: true, power, downsample };
}

/**
 * A magnification field's text checked: while it is still the text written from `written` (a grid's
 * power, the view's), that exact power (4.9899x shows as 4.99x, 20.06x as 20.1x, past the scan), else as typed.
 */
export function resolveWritten(slide: MagnifiedSlide, text: string, written: number | null | undefined): MagnificationCheck {
  return written != null && text === formatPower(written) ? checkPower(slide, written) : resolveMagnification(slide, text);
}

/** "5x · 2.00 µm/px" (or just "5x" when the slide has no µm/px and no power to estimate it from). */
export function describeMagnification(slide: PowerSource, power: number): string {
  const downsample = downsampleForPower(slide, power);
  const mpp = downsample === null ? null : mppAtDownsample(slide, downsample);
  return mpp === null ? formatPower(power) : t('magnification.powerAndMpp', { power: formatPower(power), mpp: formatMpp(mpp) });
}
