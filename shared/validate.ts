// Validators for the request payloads of every invoke channel in shared/ipc.ts. The main process
// runs them on whatever a renderer sends before anything else looks at it: a payload is data from a
// less trusted process, so each validator checks types, ranges and lengths, rejects unknown keys and
// returns a fresh object built from the checked fields (never the caller's object). Pure: no Node or
// DOM imports, so the main process, the e2e host and the tests share it.

import type { ErrorInfo, Result } from './errors';
import type { ComparisonMode, ComparisonRequest, ExportThumbnailRequest, ImageFormat, InvokeChannel, InvokeRequest, MenuCommand, TileRequest } from './ipc';
import { INVOKE_CHANNELS, MENU_COMMANDS } from './ipc';
import type { ThumbnailSpec } from './slide';

export const LIMITS = {
  /** Engine slide ids are short tokens; anything longer is not one of ours. */
  slideIdLength: 128,
  /** Longest path accepted (Windows long paths go to 32767 UTF-16 units). */
  pathLength: 32767,
  /** Associated image names ('thumbnail', 'label', 'macro', vendor-specific ones). */
  associatedNameLength: 64,
  /** A 2^40-pixel-wide slide has 41 deep-zoom levels; nothing real comes near 64. */
  maxDzLevel: 64,
  /** Tile column/row upper bound (2^31 - 1). */
  maxTileIndex: 2 ** 31 - 1,
  /** How many requests one slide:cancel-tiles may name. */
  maxCancelIds: 10_000,
  /** Thumbnail longest side in pixels. */
  maxThumbnailSide: 65_536,
  /** Objective powers and microns per pixel are small positive numbers. */
  maxPower: 1_000,
  maxMpp: 100_000,
  /** Panels of a comparison grid (the 2x2 composite). */
  maxComparisonPanels: 4,
  /** Level-0 coordinates: slides stay far below 2^40 pixels a side. */
  maxCoordinate: 2 ** 40,
  /** A comparison panel's side in screen pixels. */
  maxPanelSide: 16_384,
} as const;

export const IMAGE_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'tiff'];
export const OPEN_PATH_ORIGINS = ['drop', 'recent'] as const;

type Checked<T> = Result<T>;

export function invalid(message: string): ErrorInfo {
  return { code: 'INVALID_ARGUMENT', message };
}

function fail<T>(message: string): Checked<T> {
  return { ok: false, error: invalid(message) };
}

function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

/** A plain data object (what structured clone delivers): not null, not an array. */
function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks `value` is a plain object whose keys are exactly among `allowed` (all of `required` present). */
function checkShape(where: string, value: unknown, required: readonly string[], optional: readonly string[] = []): Checked<Record<string, unknown>> {
  if (!isRecord(value)) return fail(`${where} must be an object`);
  const allowed = new Set([...required, ...optional]);
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) return fail(`${where} has an unexpected field "${truncate(key, 40)}"`);
  }
  for (const key of required) {
    if (!(key in value)) return fail(`${where}.${key} is missing`);
  }
  return ok(value);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function checkInteger(where: string, value: unknown, min: number, max: number): Checked<number> {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return fail(`${where} must be an integer from ${min} to ${max}`);
  }
  return ok(value);
}

/** A finite number with min < value <= max (or min <= value when minInclusive). */
export function checkNumber(where: string, value: unknown, min: number, max: number, options: { minInclusive?: boolean } = {}): Checked<number> {
  const aboveMin = options.minInclusive ? (v: number) => v >= min : (v: number) => v > min;
  if (typeof value !== 'number' || !Number.isFinite(value) || !aboveMin(value) || value > max) {
    const low = options.minInclusive ? `at least ${min}` : `greater than ${min}`;
    return fail(`${where} must be a finite number ${low} and at most ${max}`);
  }
  return ok(value);
}

// Control characters (C0, DEL, C1) never belong in ids, names or paths we accept.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export function checkString(where: string, value: unknown, maxLength: number): Checked<string> {
  if (typeof value !== 'string') return fail(`${where} must be a string`);
  if (value.length === 0) return fail(`${where} must not be empty`);
  if (value.length > maxLength) return fail(`${where} is longer than ${maxLength} characters`);
  if (CONTROL_CHARS.test(value)) return fail(`${where} contains control characters`);
  return ok(value);
}

export function checkEnum<T extends string>(where: string, value: unknown, allowed: readonly T[]): Checked<T> {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    return fail(`${where} must be one of ${allowed.join(', ')}`);
  }
  return ok(value as T);
}

/** True for an absolute POSIX path, a Windows drive path (C:\ or C:/) or a UNC path (\\server\share). */
export function isAbsolutePath(value: string): boolean {
  return value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || /^\\\\[^\\]/.test(value);
}

export function checkSlideId(where: string, value: unknown): Checked<string> {
  const s = checkString(where, value, LIMITS.slideIdLength);
  if (!s.ok) return s;
  if (/\s/.test(s.value)) return fail(`${where} must not contain white space`);
  return s;
}

export function checkAbsolutePath(where: string, value: unknown): Checked<string> {
  const s = checkString(where, value, LIMITS.pathLength);
  if (!s.ok) return s;
  if (!isAbsolutePath(s.value)) return fail(`${where} must be an absolute path`);
  return s;
}

export function checkFormat(where: string, value: unknown): Checked<ImageFormat> {
  return checkEnum(where, value, IMAGE_FORMATS);
}

/** Channels whose request is void: the renderer sends nothing (undefined), or null. */
export function validateVoid(channel: string, raw: unknown): Checked<void> {
  if (raw === undefined || raw === null) return ok(undefined);
  return fail(`${channel} takes no arguments`);
}

export function validateOpenPath(raw: unknown): Checked<InvokeRequest<'slide:open-path'>> {
  const where = 'slide:open-path';
  const shape = checkShape(where, raw, ['path', 'origin']);
  if (!shape.ok) return shape;
  const path = checkAbsolutePath(`${where}.path`, shape.value.path);
  if (!path.ok) return path;
  const origin = checkEnum(`${where}.origin`, shape.value.origin, OPEN_PATH_ORIGINS);
  if (!origin.ok) return origin;
  return ok({ path: path.value, origin: origin.value });
}

export function validateSlideRef(channel: string, raw: unknown): Checked<{ slideId: string }> {
  const shape = checkShape(channel, raw, ['slideId']);
  if (!shape.ok) return shape;
  const slideId = checkSlideId(`${channel}.slideId`, shape.value.slideId);
  if (!slideId.ok) return slideId;
  return ok({ slideId: slideId.value });
}

export function validateTileRequest(raw: unknown): Checked<TileRequest> {
  const where = 'slide:tile';
  const shape = checkShape(where, raw, ['slideId', 'dzLevel', 'col', 'row', 'requestId']);
  if (!shape.ok) return shape;
  const v = shape.value;
  const slideId = checkSlideId(`${where}.slideId`, v.slideId);
  if (!slideId.ok) return slideId;
  const dzLevel = checkInteger(`${where}.dzLevel`, v.dzLevel, 0, LIMITS.maxDzLevel);
  if (!dzLevel.ok) return dzLevel;
  const col = checkInteger(`${where}.col`, v.col, 0, LIMITS.maxTileIndex);
  if (!col.ok) return col;
  const row = checkInteger(`${where}.row`, v.row, 0, LIMITS.maxTileIndex);
  if (!row.ok) return row;
  const requestId = checkInteger(`${where}.requestId`, v.requestId, 0, Number.MAX_SAFE_INTEGER);
  if (!requestId.ok) return requestId;
  return ok({ slideId: slideId.value, dzLevel: dzLevel.value, col: col.value, row: row.value, requestId: requestId.value });
}

/** At most this many tiles per prefetch: a ring around a large screen at one level. */
export const MAX_PREFETCH_TILES = 1024;

export function validatePrefetch(raw: unknown): Checked<InvokeRequest<'slide:prefetch'>> {
  const where = 'slide:prefetch';
  const shape = checkShape(where, raw, ['slideId', 'dzLevel', 'colStart', 'colEnd', 'rowStart', 'rowEnd']);
  if (!shape.ok) return shape;
  const v = shape.value;
  const slideId = checkSlideId(`${where}.slideId`, v.slideId);
  if (!slideId.ok) return slideId;
  const dzLevel = checkInteger(`${where}.dzLevel`, v.dzLevel, 0, LIMITS.maxDzLevel);
  if (!dzLevel.ok) return dzLevel;
  const range: Record<string, number> = {};
  for (const key of ['colStart', 'colEnd', 'rowStart', 'rowEnd'] as const) {
    const n = checkInteger(`${where}.${key}`, v[key], 0, LIMITS.maxTileIndex);
    if (!n.ok) return n;
    range[key] = n.value;
  }
  const { colStart, colEnd, rowStart, rowEnd } = range as { colStart: number; colEnd: number; rowStart: number; rowEnd: number };
  if (colEnd < colStart || rowEnd < rowStart) return fail(`${where}: a range ends before it starts`);
  if ((colEnd - colStart + 1) * (rowEnd - rowStart + 1) > MAX_PREFETCH_TILES) return fail(`${where}: more than ${MAX_PREFETCH_TILES} tiles`);
  return ok({ slideId: slideId.value, dzLevel: dzLevel.value, colStart, colEnd, rowStart, rowEnd });
}

export function validateCancelTiles(raw: unknown): Checked<InvokeRequest<'slide:cancel-tiles'>> {
  const where = 'slide:cancel-tiles';
  const shape = checkShape(where, raw, ['slideId', 'requestIds']);
  if (!shape.ok) return shape;
  const slideId = checkSlideId(`${where}.slideId`, shape.value.slideId);
  if (!slideId.ok) return slideId;
  const ids = shape.value.requestIds;
  if (!Array.isArray(ids)) return fail(`${where}.requestIds must be an array`);
  if (ids.length > LIMITS.maxCancelIds) return fail(`${where}.requestIds has more than ${LIMITS.maxCancelIds} entries`);
  const requestIds: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = checkInteger(`${where}.requestIds[${i}]`, ids[i], 0, Number.MAX_SAFE_INTEGER);
    if (!id.ok) return id;
    requestIds.push(id.value);
  }
  return ok({ slideId: slideId.value, requestIds });
}

export function validateAssociated(raw: unknown): Checked<InvokeRequest<'slide:associated'>> {
  const where = 'slide:associated';
  const shape = checkShape(where, raw, ['slideId', 'name']);
  if (!shape.ok) return shape;
  const slideId = checkSlideId(`${where}.slideId`, shape.value.slideId);
  if (!slideId.ok) return slideId;
  const name = checkString(`${where}.name`, shape.value.name, LIMITS.associatedNameLength);
  if (!name.ok) return name;
  if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/.test(name.value)) {
    return fail(`${where}.name may hold only letters, digits, space, '_', '.' and '-'`);
  }
  return ok({ slideId: slideId.value, name: name.value });
}

export function validateThumbnailSpec(where: string, raw: unknown): Checked<ThumbnailSpec> {
  if (!isRecord(raw)) return fail(`${where} must be an object`);
  const kind = checkEnum(`${where}.kind`, raw.kind, ['size', 'power', 'mpp'] as const);
  if (!kind.ok) return kind;
  switch (kind.value) {
    case 'size': {
      const shape = checkShape(where, raw, ['kind', 'longestSide']);
      if (!shape.ok) return shape;
      const side = checkInteger(`${where}.longestSide`, raw.longestSide, 1, LIMITS.maxThumbnailSide);
      if (!side.ok) return side;
      return ok({ kind: 'size', longestSide: side.value });
    }
    case 'power': {
      const shape = checkShape(where, raw, ['kind', 'objectivePower']);
      if (!shape.ok) return shape;
      const power = checkNumber(`${where}.objectivePower`, raw.objectivePower, 0, LIMITS.maxPower);
      if (!power.ok) return power;
      return ok({ kind: 'power', objectivePower: power.value });
    }
    case 'mpp': {
      const shape = checkShape(where, raw, ['kind', 'mpp']);
      if (!shape.ok) return shape;
      const mpp = checkNumber(`${where}.mpp`, raw.mpp, 0, LIMITS.maxMpp);
      if (!mpp.ok) return mpp;
      return ok({ kind: 'mpp', mpp: mpp.value });
    }
  }
}

export function validateExportThumbnail(raw: unknown): Checked<ExportThumbnailRequest> {
  const where = 'export:thumbnail';
  const shape = checkShape(where, raw, ['slideId', 'spec', 'format']);
  if (!shape.ok) return shape;
  const slideId = checkSlideId(`${where}.slideId`, shape.value.slideId);
  if (!slideId.ok) return slideId;
  const spec = validateThumbnailSpec(`${where}.spec`, shape.value.spec);
  if (!spec.ok) return spec;
  const format = checkFormat(`${where}.format`, shape.value.format);
  if (!format.ok) return format;
  return ok({ slideId: slideId.value, spec: spec.value, format: format.value });
}

export function validateComparison(raw: unknown): Checked<ComparisonRequest> {
  const where = 'export:comparison';
  const shape = checkShape(where, raw, ['slideId', 'powers', 'mode', 'format']);
  if (!shape.ok) return shape;
  const v = shape.value;
  const slideId = checkSlideId(`${where}.slideId`, v.slideId);
  if (!slideId.ok) return slideId;
  if (!Array.isArray(v.powers)) return fail(`${where}.powers must be an array`);
  if (v.powers.length < 1 || v.powers.length > LIMITS.maxComparisonPanels) {
    return fail(`${where}.powers must have 1 to ${LIMITS.maxComparisonPanels} entries`);
  }
  const powers: number[] = [];
  for (let i = 0; i < v.powers.length; i++) {
    const p = checkNumber(`${where}.powers[${i}]`, v.powers[i], 0, LIMITS.maxPower);
    if (!p.ok) return p;
    powers.push(p.value);
  }
  const mode = validateComparisonMode(`${where}.mode`, v.mode);
  if (!mode.ok) return mode;
  const format = checkFormat(`${where}.format`, v.format);
  if (!format.ok) return format;
  return ok({ slideId: slideId.value, powers, mode: mode.value, format: format.value });
}

function validateComparisonMode(where: string, raw: unknown): Checked<ComparisonMode> {
  if (!isRecord(raw)) return fail(`${where} must be an object`);
  const kind = checkEnum(`${where}.kind`, raw.kind, ['slide', 'field'] as const);
  if (!kind.ok) return kind;
  if (kind.value === 'slide') {
    const shape = checkShape(where, raw, ['kind']);
    if (!shape.ok) return shape;
    return ok({ kind: 'slide' });
  }
  const shape = checkShape(where, raw, ['kind', 'centerX', 'centerY', 'panelWidth', 'panelHeight']);
  if (!shape.ok) return shape;
  const max = LIMITS.maxCoordinate;
  const centerX = checkNumber(`${where}.centerX`, raw.centerX, -max, max, { minInclusive: true });
  if (!centerX.ok) return centerX;
  const centerY = checkNumber(`${where}.centerY`, raw.centerY, -max, max, { minInclusive: true });
  if (!centerY.ok) return centerY;
  const panelWidth = checkNumber(`${where}.panelWidth`, raw.panelWidth, 0, LIMITS.maxPanelSide);
  if (!panelWidth.ok) return panelWidth;
  const panelHeight = checkNumber(`${where}.panelHeight`, raw.panelHeight, 0, LIMITS.maxPanelSide);
  if (!panelHeight.ok) return panelHeight;
  return ok({ kind: 'field', centerX: centerX.value, centerY: centerY.value, panelWidth: panelWidth.value, panelHeight: panelHeight.value });
}

export function validateShowInFolder(raw: unknown): Checked<InvokeRequest<'export:show-in-folder'>> {
  const where = 'export:show-in-folder';
  const shape = checkShape(where, raw, ['path']);
  if (!shape.ok) return shape;
  const path = checkAbsolutePath(`${where}.path`, shape.value.path);
  if (!path.ok) return path;
  return ok({ path: path.value });
}

type Validators = { [C in InvokeChannel]: (raw: unknown) => Checked<InvokeRequest<C>> };

/** One validator per invoke channel. */
export const REQUEST_VALIDATORS: Validators = {
  'slide:open-dialog': (raw) => validateVoid('slide:open-dialog', raw),
  'slide:open-path': validateOpenPath,
  'slide:open-sample': (raw) => validateVoid('slide:open-sample', raw),
  'slide:close': (raw) => validateSlideRef('slide:close', raw),
  'slide:tile': validateTileRequest,
  'slide:cancel-tiles': validateCancelTiles,
  'slide:prefetch': validatePrefetch,
  'slide:associated': validateAssociated,
  'recent:list': (raw) => validateVoid('recent:list', raw),
  'recent:clear': (raw) => validateVoid('recent:clear', raw),
  'export:thumbnail': validateExportThumbnail,
  'export:comparison': validateComparison,
  'export:show-in-folder': validateShowInFolder,
  'app:versions': (raw) => validateVoid('app:versions', raw),
};

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(value);
}

/** Validates the request of any invoke channel. */
export function validateRequest<C extends InvokeChannel>(channel: C, raw: unknown): Checked<InvokeRequest<C>> {
  const validator = REQUEST_VALIDATORS[channel] as ((raw: unknown) => Checked<InvokeRequest<C>>) | undefined;
  if (!validator) return fail(`unknown channel ${truncate(String(channel), 40)}`);
  return validator(raw);
}

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value);
}
