// What a Hamamatsu VMS or VMU key file says, read as OpenSlide 3.4.1 reads it
// (hamamatsu_vms_vmu_open): the grid of image files of focal plane 0 (ImageFile, ImageFile(z),
// ImageFile(x,y), ImageFile(z,x,y)), the map file (the lowest level) and the macro image.

import { type KeyFile, KeyFileError } from '../key-file';

export const VMS_GROUP = 'Virtual Microscope Specimen';
export const VMU_GROUP = 'Uncompressed Virtual Microscope Specimen';
/** OpenSlide's KEY_FILE_MAX_SIZE: a larger file is not a VMS or VMU key file. */
export const VMS_KEY_FILE_MAX_BYTES = 64 << 10;
/** Image files a slide may name (real ones: a few dozen). */
export const MAX_IMAGE_FILES = 1024;

export interface VmsDescription {
  kind: 'vms' | 'vmu';
  group: string;
  columns: number;
  rows: number;
  /** Image file names, row by row, then the map's last. */
  imageFiles: string[];
  macroFile: string | null;
}

/** A key file OpenSlide refuses: the reason. */
export class VmsKeyFileError extends Error {}

/** g_key_file_get_integer, answering 0 where GLib sets an error (OpenSlide passes no error there). */
function integerOrZero(kf: KeyFile, group: string, key: string): number {
  try {
    return kf.integer(group, key);
  } catch (error) {
    if (error instanceof KeyFileError) return 0;
    throw error;
  }
}

/** The slide kind a key file describes (OpenSlide's detect), or null. */
export function vmsKind(kf: KeyFile): 'vms' | 'vmu' | null {
  if (kf.hasGroup(VMS_GROUP)) {
    return integerOrZero(kf, VMS_GROUP, 'NoJpegColumns') >= 1 && integerOrZero(kf, VMS_GROUP, 'NoJpegRows') >= 1 ? 'vms' : null;
  }
  return kf.hasGroup(VMU_GROUP) ? 'vmu' : null;
}

/** g_key_file_get_string: the value with GLib's escapes undone; null where GLib fails. */
function stringValue(kf: KeyFile, group: string, key: string): string | null {
  let raw: string;
  try {
    raw = kf.value(group, key);
  } catch (error) {
    if (error instanceof KeyFileError) return null;
    throw error;
  }
  const escapes: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '\\') {
      out += raw[i];
      continue;
    }
    const escaped = escapes[raw[++i] ?? ''];
    if (escaped === undefined) return null;
    out += escaped;
  }
  return out;
}

/** The leading integer of a string, as g_ascii_strtoll reads it (0 when there is none). */
function leadingInteger(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

export function readVmsKeyFile(kf: KeyFile): VmsDescription {
  const kind = vmsKind(kf);
  if (!kind) throw new VmsKeyFileError('Not VMS or VMU file');
  const group = kind === 'vms' ? VMS_GROUP : VMU_GROUP;
  const columns = kind === 'vms' ? integerOrZero(kf, group, 'NoJpegColumns') : 1;
  const rows = kind === 'vms' ? integerOrZero(kf, group, 'NoJpegRows') : 1;
  if (columns < 1 || rows < 1) throw new VmsKeyFileError('File missing columns or rows');
  if (columns * rows > MAX_IMAGE_FILES) throw new VmsKeyFileError(`it names ${columns} x ${rows} image files`);

  const count = columns * rows + 1;
  const imageFiles = new Array<string | undefined>(count).fill(undefined);
  const map = stringValue(kf, group, 'MapFile');
  if (!map) throw new VmsKeyFileError("Can't read map file");
  imageFiles[count - 1] = map;
  for (const key of kf.groups.get(group)!.keys()) {
    if (!key.startsWith('ImageFile')) continue;
    const value = stringValue(kf, group, key);
    const parts = key.slice('ImageFile'.length).split(',');
    const suffix = key.length === 'ImageFile'.length ? [] : parts;
    let layer = 0;
    let col = 0;
    let row = 0;
    // As OpenSlide: the first part loses its '(', each is read up to what is not a digit.
    if (suffix.length === 1) layer = leadingInteger(suffix[0]!.slice(1));
    else if (suffix.length === 2) [col, row] = [leadingInteger(suffix[0]!.slice(1)), leadingInteger(suffix[1]!)];
    else if (suffix.length === 3) [layer, col, row] = [leadingInteger(suffix[0]!.slice(1)), leadingInteger(suffix[1]!), leadingInteger(suffix[2]!)];
    else if (suffix.length > 3) throw new VmsKeyFileError(`Unknown number of image dimensions: ${suffix.length}`);
    if (layer !== 0) continue; // other focal planes
    if (col >= columns || row >= rows || col < 0 || row < 0) throw new VmsKeyFileError(`Invalid row or column in Hamamatsu file (${col},${row})`);
    const i = row * columns + col;
    if (imageFiles[i] !== undefined) throw new VmsKeyFileError(`Duplicate image for (${col},${row})`);
    if (value === null) throw new VmsKeyFileError(`Can't read image filename ${i}`);
    imageFiles[i] = value;
  }
  const missing = imageFiles.indexOf(undefined);
  if (missing !== -1) throw new VmsKeyFileError(`Can't read image filename ${missing}`);
  const macro = stringValue(kf, group, 'MacroImage');
  return { kind, group, columns, rows, imageFiles: imageFiles as string[], macroFile: macro ? macro : null };
}
