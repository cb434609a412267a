// dicom.* properties as OpenSlide 4 names them: every attribute of the file meta group and the data
// set Slidescope knows the keyword of, by keyword ('dicom.PhotometricInterpretation'); a value of
// several as Keyword[i]; sequence items as Sequence[i].Keyword. Strings (DS and IS too) as written,
// floating point as %.17g, integers in decimal; binary values and the per-frame groups are left out.
// MPP (from the shared Pixel Spacing, in mm) and objective power follow from them.

import type { Mpp } from '../../../../shared/slide';
import { formatDouble } from '../openslide-values';
import { attribute } from './dicom-dictionary';
import { type DataSet, dicomParser, type Element } from './dicom-parser';

/** More properties than this are not listed (a header can be tens of megabytes). */
const MAX_PROPERTIES = 10_000;

const SINGLE_STRINGS = new Set(['LT', 'ST', 'UT', 'UR']);
const STRINGS = new Set(['AE', 'AS', 'CS', 'DA', 'DT', 'LO', 'PN', 'SH', 'TM', 'UC', 'UI', 'DS', 'IS']);
const INTEGERS: Record<string, { size: number; read: (view: DataView, at: number) => number | bigint }> = {
  US: { size: 2, read: (v, at) => v.getUint16(at, true) },
  SS: { size: 2, read: (v, at) => v.getInt16(at, true) },
  UL: { size: 4, read: (v, at) => v.getUint32(at, true) },
  SL: { size: 4, read: (v, at) => v.getInt32(at, true) },
  // An attribute tag: group and element, as one number.
  AT: { size: 4, read: (v, at) => v.getUint16(at, true) * 65536 + v.getUint16(at + 2, true) },
  UV: { size: 8, read: (v, at) => v.getBigUint64(at, true) },
  SV: { size: 8, read: (v, at) => v.getBigInt64(at, true) },
};
const FLOATS: Record<string, { size: number; read: (view: DataView, at: number) => number }> = {
  FL: { size: 4, read: (v, at) => v.getFloat32(at, true) },
  FD: { size: 8, read: (v, at) => v.getFloat64(at, true) },
};

/** An element's values as text, or null for binary data. */
function values(dataSet: DataSet, element: Element, vr: string): string[] | null {
  const bytes = dataSet.byteArray;
  if (STRINGS.has(vr) || SINGLE_STRINGS.has(vr)) {
    const text = dicomParser.readFixedString(bytes, element.dataOffset, element.length);
    const parts = SINGLE_STRINGS.has(vr) ? [text.replace(/[ \0]+$/, '')] : text.split('\\').map((v) => v.replace(/^ +|[ \0]+$/g, ''));
    return parts.length === 1 && parts[0] === '' ? [] : parts;
  }
  const numeric = INTEGERS[vr] ?? FLOATS[vr];
  if (!numeric) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.dataOffset, element.length);
  const out: string[] = [];
  for (let at = 0; at + numeric.size <= element.length; at += numeric.size) {
    const value = numeric.read(view, at);
    out.push(vr in FLOATS ? formatDouble(value as number) : String(value));
  }
  return out;
}

function addDataSet(dataSet: DataSet, prefix: string, out: Record<string, string>, count: { n: number }): void {
  for (const key of Object.keys(dataSet.elements).sort()) {
    const element = dataSet.elements[key]!;
    const known = attribute(key);
    if (!known) continue;
    const name = `${prefix}.${known.keyword}`;
    if (element.items) {
      element.items.forEach((item, i) => {
        if (item.dataSet) addDataSet(item.dataSet, `${name}[${i}]`, out, count);
      });
      continue;
    }
    const texts = values(dataSet, element, element.vr ?? known.vr);
    if (!texts) continue;
    texts.forEach((text, i) => {
      if (count.n++ < MAX_PROPERTIES) out[texts.length === 1 ? name : `${name}[${i}]`] = text;
    });
  }
}

/** The dicom.* properties of an instance's header (file meta group included). */
export function dicomProperties(dataSet: DataSet): Record<string, string> {
  const out: Record<string, string> = {};
  addDataSet(dataSet, 'dicom', out, { n: 0 });
  return out;
}

function positiveProperty(properties: Record<string, string>, key: string, scale = 1): number | null {
  const text = properties[key];
  const value = text === undefined || text === '' ? Number.NaN : Number(text) * scale;
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** MPP from the shared Pixel Spacing (row spacing, then column spacing, in mm), as OpenSlide reads it. */
export function dicomMpp(properties: Record<string, string>): Mpp | null {
  const spacing = 'dicom.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing';
  const y = positiveProperty(properties, `${spacing}[0]`, 1000);
  const x = positiveProperty(properties, `${spacing}[1]`, 1000);
  return x !== null && y !== null ? { x, y } : null;
}

export function dicomObjectivePower(properties: Record<string, string>): number | null {
  return positiveProperty(properties, 'dicom.OpticalPathSequence[0].ObjectiveLensPower');
}
