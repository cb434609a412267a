// Numbers, units and dates as the window's language writes them (Intl): the scale bar, measurements,
// the metadata panel, the export dialog's sizes and the recent list's dates all go through here.
// Which unit a value gets is decided once, in shared/ (magnification.ts, annotation-geometry.ts).

import * as geometry from '../../../shared/annotation-geometry';
import * as magnification from '../../../shared/magnification';
import { type Digits, type NumberWriter, numberFormatOptions } from '../../../shared/number-format';
import { currentLanguage } from './i18n';

const LOCALES = { en: 'en-US', ko: 'ko-KR' } as const;

function locale(): string {
  return LOCALES[currentLanguage()];
}

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale()} ${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale(), options);
    cache.set(key, format);
  }
  return format;
}

/** Measured values, as the window's language writes them ("-0" is written "0", as the plain writer does). */
export const formatNumber: NumberWriter = (value: number, digits: Digits) => numberFormat(numberFormatOptions(digits)).format(value === 0 ? 0 : value);

/** Counts and pixel sizes, grouped: "40,000". */
export function formatCount(value: number): string {
  return numberFormat({ maximumFractionDigits: 0 }).format(value);
}

/** A place along one axis of the slide, from its left or top edge: "1,234.5 µm", or "2,469 px" without a scale. */
export function formatPosition(value: number, unit: geometry.Measurement['unit']): string {
  return `${numberFormat({ maximumFractionDigits: unit === 'px' ? 0 : 1 }).format(value)} ${unit}`;
}

export function formatPercent(fraction: number): string {
  return numberFormat({ style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

export const formatPower = (power: number): string => magnification.formatPower(power, formatNumber);
export const formatMpp = (mpp: number): string => magnification.formatMpp(mpp, formatNumber);
export const formatLength = (value: number, unit: geometry.Measurement['unit']): string => geometry.formatLength(value, unit, formatNumber);
export const formatArea = (value: number, unit: geometry.Measurement['unit']): string => geometry.formatArea(value, unit, formatNumber);

/**
 * Areas of one table column, all in the unit formatArea gives the largest: "0.009257 mm²" under
 * "0.0249 mm²", where "9257 µm²" would have to be read against its neighbours' unit.
 */
export function areaColumn(values: readonly number[], unit: geometry.Measurement['unit']): (value: number) => string {
  const largest = Math.max(0, ...values);
  const inMm2 = unit === 'µm' && formatArea(largest, unit).endsWith(' mm²');
  return (value) => (inMm2 ? `${formatNumber(value / 1e6, { significant: 4 })} mm²` : formatArea(value, unit));
}

/**
 * A slide's width and height in the unit of the larger ("0.905 mm × 1.11 mm"): each in its own unit
 * ("905 µm × 1.11 mm") reads as if one side were a thousand times the other.
 */
export function formatMicronsPair(width: number, height: number): { width: string; height: string } {
  const larger = Math.max(width, height);
  const [scale, unit] = larger >= 1000 ? [1 / 1000, 'mm'] : larger >= 1 ? [1, 'µm'] : [1000, 'nm'];
  const write = (microns: number): string => `${formatNumber(microns * scale, { significant: 3 })} ${unit}`;
  return { width: write(width), height: write(height) };
}

/** "2026. 12. 3. 오후 3:04", "Dec 3, 2026, 3:04 PM". */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
