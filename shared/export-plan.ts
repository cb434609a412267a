// What an export will write, decided before any pixel is read: the file names (as the TIAToolbox
// pipeline named them) and whether the slide can give the magnifications asked for. Pure, so the
// main process checks before showing a dialog and the engine checks again before it reads.

import { LIMITS } from './limits';
import { downsampleForMpp, downsampleForPower, formatMpp, formatPower, mppAtDownsample, powerAtDownsample } from './magnification';
import type { ImageFormat, ThumbnailSpec } from './operations';
import type { SlideInfo } from './slide';
import { slideExtensionOf } from './slide-formats';

/** Every extension each image format is known by (the first is the one Slidescope writes). */
export const IMAGE_EXTENSIONS: Readonly<Record<ImageFormat, readonly [string, ...string[]]>> = { png: ['png'], jpeg: ['jpg', 'jpeg'], tiff: ['tif', 'tiff'] };
export const FORMAT_EXTENSIONS: Record<ImageFormat, string> = { png: IMAGE_EXTENSIONS.png[0], jpeg: IMAGE_EXTENSIONS.jpeg[0], tiff: IMAGE_EXTENSIONS.tiff[0] };

/** The image format a file name's extension names, or null. */
export function imageFormatOfName(name: string): ImageFormat | null {
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  return (Object.keys(IMAGE_EXTENSIONS) as ImageFormat[]).find((format) => IMAGE_EXTENSIONS[format].includes(ext)) ?? null;
}
export const DEFAULT_POWERS = [1.25, 2.5, 5, 10];

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function slideStem(info: Pick<SlideInfo, 'path'>): string {
  const name = baseName(info.path);
  // A slide's ending as its format knows it, double ones too: x.ome.tif is x.
  const ext = slideExtensionOf(name);
  if (ext && name.length > ext.length + 1) return name.slice(0, -(ext.length + 1));
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The most bytes a file name may have on the systems labs use (ext4, XFS, APFS; NTFS counts 255 UTF-16 units, never fewer). */
export const MAX_NAME_BYTES = 255;

function charBytes(c: string): number {
  const code = c.codePointAt(0)!;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const c of text) bytes += charBytes(c);
  return bytes;
}

/** The longest start of `text` of at most `bytes` UTF-8 bytes, cut between characters. */
export function startWithin(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const c of text) {
    used += charBytes(c);
    if (used > bytes) break;
    end += c.length;
  }
  return text.slice(0, end);
}

/** FNV-1a of the UTF-16 code units, 8 hex digits: tells two long names apart. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * `<stem><suffix>` with its last path component at most 255 bytes: a longer stem (a slide named in
 * a sentence of Hangul) is cut at a character and ends in `~` and a hash of the whole, so that two
 * such names still differ and the same slide always gets the same one.
 */
export function outputFileName(stem: string, suffix: string): string {
  const cut = Math.max(stem.lastIndexOf('/'), stem.lastIndexOf('\\')) + 1;
  const folder = stem.slice(0, cut);
  const name = stem.slice(cut);
  if (utf8Bytes(name + suffix) <= MAX_NAME_BYTES) return stem + suffix;
  const tag = `~${shortHash(name)}`;
  return folder + startWithin(name, MAX_NAME_BYTES - utf8Bytes(tag + suffix)) + tag + suffix;
}

/** A slide's thumbnail by its stem (a path less the extension, or a name): `<stem>_thumbnail.png`. */
export function thumbnailFileName(stem: string, format: ImageFormat): string {
  return outputFileName(stem, `_thumbnail.${FORMAT_EXTENSIONS[format]}`);
}

/** `<slide>_thumbnail.png`, `<slide>_1.25x.png`, `<slide>_resolution_comparison.png`. */
export function exportFileNames(info: Pick<SlideInfo, 'path'>, powers: readonly number[], format: ImageFormat) {
  const stem = slideStem(info);
  const ext = FORMAT_EXTENSIONS[format];
  return {
    thumbnail: thumbnailFileName(stem, format),
    perPower: powers.map((p) => outputFileName(stem, `_${formatPower(p)}.${ext}`)),
    comparison: outputFileName(stem, `_resolution_comparison.${ext}`),
  };
}

type Magnified = Pick<SlideInfo, 'objectivePower' | 'mpp' | 'width' | 'height'>;

/** A magnification that shows the whole slide in fewer pixels than this a side shows nothing of it. */
export const MIN_SLIDE_SIDE_AT_POWER = 16;

/**
 * The lowest magnification that shows the slide at least MIN_SLIDE_SIDE_AT_POWER pixels on its
 * longer side, rounded up to how a power is written (so the one a message names is one that is taken).
 */
export function lowestPower(info: Magnified): number | null {
  const lowest = powerAtDownsample(info, Math.max(info.width, info.height) / MIN_SLIDE_SIDE_AT_POWER);
  if (lowest === null) return null;
  const step = 10 ** (lowest >= 10 ? 1 : lowest >= 0.1 ? 2 : 3);
  return Math.ceil(lowest * step - 1e-9) / step;
}

/** Why a slide cannot be shown at a magnification (beyond its scan, below a view of it, or unknown); null when it can. */
export function powerProblem(info: Magnified, power: number): string | null {
  if (!(power > 0) || !Number.isFinite(power)) return `${power} is not a magnification.`;
  const downsample = downsampleForPower(info, power);
  if (downsample === null) return 'The slide records no objective power or microns per pixel, so magnifications are unknown.';
  if (downsample < 0.999) return `${formatPower(power)} is beyond this slide's scan (${formatPower(powerAtDownsample(info, 1) ?? 0)} at most).`;
  const lowest = lowestPower(info);
  if (lowest !== null && power < lowest * 0.999)
    return `${formatPower(power)} would show the whole slide in fewer than ${MIN_SLIDE_SIDE_AT_POWER} pixels (${formatPower(lowest)} at least).`;
  return null;
}

/** Why a thumbnail cannot be made as asked (a power or pixel size finer than the scan); null when it can. */
export function thumbnailSpecProblem(info: Magnified, spec: ThumbnailSpec): string | null {
  if (spec.kind === 'power') return powerProblem(info, spec.objectivePower);
  if (spec.kind === 'size') return null;
  const downsample = downsampleForMpp(info, spec.mpp);
  if (downsample === null) return 'The slide records no objective power or microns per pixel, so a pixel size cannot be chosen.';
  if (downsample < 0.999) {
    const finest = mppAtDownsample(info, 1);
    return `${formatMpp(spec.mpp)} is finer than this slide's scan (${finest === null ? '?' : formatMpp(finest)} at best).`;
  }
  return null;
}

/** Why a slide cannot be shown beside others at a µm per pixel, as data: the app words it in its language. */
export type SideBySideRefusal = { kind: 'no-scale'; name: string } | { kind: 'finer-than-scan'; name: string; micronsPerPixel: number; finest: number };

export function sideBySideRefusal(info: Pick<SlideInfo, 'mpp' | 'name'>, micronsPerPixel: number): SideBySideRefusal | null {
  if (!info.mpp) return { kind: 'no-scale', name: info.name };
  if (micronsPerPixel / info.mpp.x < 0.999) return { kind: 'finer-than-scan', name: info.name, micronsPerPixel, finest: info.mpp.x };
  return null;
}

/** The refusal in English, for the engine and the CLI (no pixel size, or finer than its scan); null when it can. */
export function sideBySideProblem(info: Pick<SlideInfo, 'mpp' | 'name'>, micronsPerPixel: number): string | null {
  const refusal = sideBySideRefusal(info, micronsPerPixel);
  if (!refusal) return null;
  if (refusal.kind === 'no-scale')
    return `${refusal.name} records no pixel size (µm/px), so it cannot be shown beside other slides at the same physical scale.`;
  return `${formatMpp(refusal.micronsPerPixel)} is finer than ${refusal.name}'s scan (${formatMpp(refusal.finest)} at best).`;
}

/** A level-0 rectangle: the view's, an annotation's bounds. */
export interface LevelZeroRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The whole level-0 pixels a box covers within the slide (a view's bounds, an annotation's), or null
 * where it covers none; a coordinate a rounding error past a pixel's edge takes no pixel more.
 */
export function wholePixelsWithin(
  box: { minX: number; minY: number; maxX: number; maxY: number },
  slide: { width: number; height: number },
): LevelZeroRect | null {
  const x0 = Math.max(0, Math.floor(box.minX + 1e-6));
  const y0 = Math.max(0, Math.floor(box.minY + 1e-6));
  const x1 = Math.min(slide.width, Math.ceil(box.maxX - 1e-6));
  const y1 = Math.min(slide.height, Math.ceil(box.maxY - 1e-6));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** A level-0 rectangle's size at an objective power, in output pixels (as TIAToolbox's read_rect: level-0 size over the downsample). */
export function regionSize(info: Magnified, rect: LevelZeroRect, power: number): { width: number; height: number } | null {
  const downsample = downsampleForPower(info, power);
  if (downsample === null) return null;
  return { width: Math.max(1, Math.round(rect.width / downsample)), height: Math.max(1, Math.round(rect.height / downsample)) };
}

/** Why a region cannot be exported at a power (outside the slide, finer than the scan, too large); null when it can. */
export function regionProblem(info: Magnified, rect: LevelZeroRect, power: number): string | null {
  if (rect.x >= info.width || rect.y >= info.height || rect.x + rect.width <= 0 || rect.y + rect.height <= 0) return 'The region lies outside the slide.';
  const problem = powerProblem(info, power);
  if (problem) return problem;
  const size = regionSize(info, rect, power)!;
  if (size.width > LIMITS.maxRegionSide || size.height > LIMITS.maxRegionSide || size.width * size.height > LIMITS.maxExportPixels)
    return `At ${formatPower(power)} the region is ${size.width} x ${size.height} pixels, more than one image may be: choose a lower magnification or a smaller area.`;
  return null;
}

/** `<slide>_10x_x12000_y8000.png`: the magnification and the level-0 corner tell a slide's regions apart. */
export function regionFileName(info: Pick<SlideInfo, 'path'>, rect: LevelZeroRect, power: number, format: ImageFormat): string {
  return outputFileName(slideStem(info), `_${formatPower(power)}_x${Math.round(rect.x)}_y${Math.round(rect.y)}.${FORMAT_EXTENSIONS[format]}`);
}

/** `<A>_<B>_side_by_side.png`: the compared slides' stems in their order. */
export function sideBySideFileName(infos: ReadonlyArray<Pick<SlideInfo, 'path'>>, format: ImageFormat): string {
  return outputFileName(infos.map(slideStem).join('_'), `_side_by_side.${FORMAT_EXTENSIONS[format]}`);
}
