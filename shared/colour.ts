// Brightness, contrast and gamma of a view, declared once: the viewer draws them through an SVG
// component transfer (a GPU or canvas filter), and exports apply the same curve as a lookup table,
// so what is exported is what was seen. Plain data and arithmetic: every process imports it.

export interface ColourAdjustment {
  /** Added to every channel, in units of full scale (-0.5 .. 0.5). */
  brightness: number;
  /** Slope around mid-grey (1: unchanged). */
  contrast: number;
  /** Midtone gamma, as in a Levels dialog: above 1 brightens midtones (out = in^(1/gamma)). */
  gamma: number;
}

export const NEUTRAL_ADJUSTMENT: Readonly<ColourAdjustment> = { brightness: 0, contrast: 1, gamma: 1 };

/** Each control's range and the step of its keys (and slider). */
export const ADJUSTMENT_RANGES: Readonly<Record<keyof ColourAdjustment, { min: number; max: number; step: number }>> = {
  brightness: { min: -0.5, max: 0.5, step: 0.05 },
  contrast: { min: 0.25, max: 4, step: 0.05 },
  gamma: { min: 0.25, max: 4, step: 0.05 },
};

/** How an export treats colour: the slide's ICC profile to sRGB (when it has one), and the view's adjustment. */
export interface ExportColour {
  /** Convert to sRGB with the slide's profile (default true). */
  managed: boolean;
  /** The view's brightness, contrast and gamma, when the export carries them. */
  adjustment?: ColourAdjustment | undefined;
}

export function isNeutral(adjustment: ColourAdjustment): boolean {
  return adjustment.brightness === 0 && adjustment.contrast === 1 && adjustment.gamma === 1;
}

/** What an export asks of colour: the view's ICC choice, and its adjustment when asked to carry it (and it is not neutral). */
export function exportColour(view: { managed: boolean; adjustment: ColourAdjustment }, carryAdjustment: boolean): ExportColour {
  return carryAdjustment && !isNeutral(view.adjustment) ? { managed: view.managed, adjustment: { ...view.adjustment } } : { managed: view.managed };
}

/** The value clamped to its control's range and rounded to a hundredth (what keys and sliders make). */
export function clampAdjustment(key: keyof ColourAdjustment, value: number): number {
  const { min, max } = ADJUSTMENT_RANGES[key];
  return Math.round(Math.min(max, Math.max(min, value)) * 100) / 100;
}

/**
 * The curve as SVG's feFunc type="gamma" takes it, out = amplitude * in^exponent + offset (clamped
 * to 0..1): gamma first, then contrast about mid-grey, then brightness.
 */
export function transferFunction(adjustment: ColourAdjustment): { amplitude: number; exponent: number; offset: number } {
  const { brightness, contrast, gamma } = adjustment;
  return { amplitude: contrast, exponent: 1 / gamma, offset: 0.5 - 0.5 * contrast + brightness };
}

/**
 * The same curve as a table of 8-bit values, for pixels the engine exports. Truncated, not rounded,
 * as Chromium makes its table for the SVG filter: exported pixels are the ones the viewer drew.
 */
export function adjustmentTable(adjustment: ColourAdjustment): Uint8Array {
  const { amplitude, exponent, offset } = transferFunction(adjustment);
  const table = new Uint8Array(256);
  // The epsilon keeps a value that is a whole number on paper from falling to the one below.
  for (let i = 0; i < 256; i++) table[i] = Math.floor(255 * Math.min(1, Math.max(0, amplitude * (i / 255) ** exponent + offset)) + 1e-9);
  return table;
}
