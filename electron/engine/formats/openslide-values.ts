// Numbers and strings in slide metadata, read and written exactly as OpenSlide does: properties
// computed from them must carry the same text (openslide.mpp-x of a Leica slide is
// "0.25200000393750005", not "0.252000003937500").

/**
 * A double as OpenSlide's _openslide_format_double writes it: glib's g_ascii_dtostr, that is C's
 * "%.17g" (0.499 -> "0.499", 0.1 -> "0.10000000000000001", 2.5e-7 -> "2.4999999999999999e-07"),
 * rounded as glibc rounds: from the exact binary value, ties to even.
 */
export function formatDouble(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const { digits, exponent } = roundedDigits(Math.abs(value), 17);
  const sign = value < 0 ? '-' : '';
  // %g: scientific when the exponent is below -4 or at least the precision; trailing zeros dropped.
  if (exponent < -4 || exponent >= 17) {
    const fraction = digits.slice(1).replace(/0+$/, '');
    const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${fraction ? `.${fraction}` : ''}e${e}`;
  }
  const point = exponent + 1;
  const whole = point <= 0 ? '0' : digits.slice(0, point);
  const fraction = (point <= 0 ? '0'.repeat(-point) + digits : digits.slice(point)).replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** The first `precision` significant digits of a positive finite double, and its decimal exponent. */
function roundedDigits(value: number, precision: number): { digits: string; exponent: number } {
  // value = mantissa * 2^binary, exactly; its decimal expansion is finite.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fractionBits = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fractionBits : fractionBits | (1n << 52n);
  const binary = (biased === 0 ? 1 : biased) - 1075;
  const exact = binary >= 0 ? (mantissa << BigInt(binary)).toString() : (mantissa * 5n ** BigInt(-binary)).toString();
  let exponent = exact.length - 1 + Math.min(binary, 0);
  if (exact.length <= precision) return { digits: exact.padEnd(precision, '0'), exponent };
  let kept = BigInt(exact.slice(0, precision));
  const rest = exact.slice(precision);
  const half = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || kept % 2n === 1n));
  if (half) kept += 1n;
  let digits = kept.toString();
  if (digits.length > precision) {
    digits = digits.slice(0, precision);
    exponent++;
  }
  return { digits, exponent };
}

/**
 * A decimal number as OpenSlide's _openslide_parse_double reads one (g_ascii_strtod over the
 * whole string, a comma taken for the decimal point); NaN when it is not one.
 */
export function parseDouble(text: string): number {
  const canonical = text.replace(/,/g, '.');
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(canonical)) return Number.NaN;
  const value = Number.parseFloat(canonical);
  return Number.isFinite(value) ? value : Number.NaN;
}

/**
 * A decimal integer as g_ascii_strtoll reads one when nothing may follow it (OpenSlide's integer
 * attributes and properties); null when it is not one, or beyond what a double holds exactly.
 */
export function parseInteger(text: string): number | null {
  if (!/^\s*[+-]?\d+$/.test(text)) return null;
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : null;
}

/** Base64 as glib's g_base64_decode reads it: characters outside the alphabet are skipped. */
export function decodeBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64'));
}
