// Chooses a round scale-bar length (1, 2 or 5 x 10^n µm) near a target width: the viewers' bars and the exports' alike.

import { type NumberWriter, plainNumber } from './number-format';

export interface ScaleBarSpec {
  widthPx: number;
  label: string;
}

export function chooseScaleBar(micronsPerPx: number, targetPx = 120, write: NumberWriter = plainNumber): ScaleBarSpec | null {
  if (!(micronsPerPx > 0) || !Number.isFinite(micronsPerPx)) return null;
  const targetMicrons = micronsPerPx * targetPx;
  const exponent = Math.floor(Math.log10(targetMicrons));
  let best = 0;
  for (const e of [exponent - 1, exponent, exponent + 1]) {
    for (const m of [1, 2, 5]) {
      const candidate = m * 10 ** e;
      if (Math.abs(Math.log(candidate / targetMicrons)) < Math.abs(Math.log(best / targetMicrons)) || best === 0) best = candidate;
    }
  }
  return { widthPx: best / micronsPerPx, label: formatMicrons(best, write) };
}

/** A length in µm for a scale bar or a physical size: 3 significant digits, nm to mm. */
export function formatMicrons(microns: number, write: NumberWriter = plainNumber): string {
  const three = (v: number): string => write(v, { significant: 3 });
  if (microns >= 1000) return `${three(microns / 1000)} mm`;
  if (microns >= 1) return `${three(microns)} µm`;
  return `${three(microns * 1000)} nm`;
}
