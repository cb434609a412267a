// How a number is written with a given precision. The engine and the CLI write plain English numbers
// (file names, reports); the renderer passes its locale's writer (renderer/src/format.ts, Intl).

export interface Digits {
  /** At most this many digits after the point, trailing zeros dropped. */
  maxFraction?: number;
  /** Exactly this many digits after the point. */
  fraction?: number;
  /** At most this many significant digits, trailing zeros dropped. */
  significant?: number;
}

export type NumberWriter = (value: number, digits: Digits) => string;

/** "1.25", "0.50" (fraction 2), "12.35" (significant 4): no grouping, a point. */
export const plainNumber: NumberWriter = (value, digits) => {
  if (digits.significant !== undefined) return String(Number(value.toPrecision(digits.significant)));
  if (digits.fraction !== undefined) return value.toFixed(digits.fraction);
  return String(Number(value.toFixed(digits.maxFraction ?? 0)));
};

/**
 * "67,108,864": a whole number with English thousands separators. Not toLocaleString: its first call
 * loads ICU's number data, ~12 ms of every CLI start that prints nothing with it.
 */
export function groupedInteger(value: number): string {
  return String(Math.trunc(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The same digits for Intl.NumberFormat (the renderer's writer); measured values are not grouped ("5000 µm²"). */
export function numberFormatOptions(digits: Digits): Intl.NumberFormatOptions {
  const precision: Intl.NumberFormatOptions =
    digits.significant !== undefined
      ? { maximumSignificantDigits: digits.significant }
      : digits.fraction !== undefined
        ? { minimumFractionDigits: digits.fraction, maximumFractionDigits: digits.fraction }
        : { maximumFractionDigits: digits.maxFraction ?? 0 };
  return { ...precision, useGrouping: false };
}
