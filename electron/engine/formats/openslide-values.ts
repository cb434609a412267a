// Numbers in vendor metadata read and written as OpenSlide reads and writes them, so that the
// properties it derives (openslide.mpp-x, openslide.objective-power) read the same here.

/** _openslide_parse_double: a whole decimal number, a comma taken for the decimal point; NaN otherwise. */
export function parseOpenSlideDouble(value: string): number {
  const canonical = value.replaceAll(',', '.');
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(canonical)) return Number.NaN;
  const n = Number(canonical);
  return Number.isFinite(n) ? n : Number.NaN;
}

/** g_ascii_strtoll in base 10 that must consume the whole (non-empty) string; null otherwise. */
export function parseOpenSlideInt(value: string): number | null {
  if (!/^\s*[+-]?\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** g_ascii_dtostr: C's "%.17g", the text OpenSlide gives a double property. */
export function formatOpenSlideDouble(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exp] = value.toExponential(16).split('e') as [string, string];
  const e = Number(exp);
  // %g uses the exponent form when the exponent is below -4 or at least the precision.
  if (e < -4 || e >= 17) {
    return `${stripZeros(mantissa)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return stripZeros(value.toFixed(Math.max(0, 16 - e)));
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
