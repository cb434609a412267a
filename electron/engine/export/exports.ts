// Thumbnail and multi-resolution exports, the pipeline users ran in TIAToolbox before: a thumbnail
// at a magnification, one image per magnification, and the labelled 2x2 composite. Uses only the
// engine API, so the app (through its worker) and the CLI (in process) share it.

import { access } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ComparisonMode, ImageFormat } from '../../../shared/ipc';
import { downsampleForPower, formatMpp, formatPower, mppAtDownsample, thumbnailSize } from '../../../shared/magnification';
import type { SlideInfo, ThumbnailSpec } from '../../../shared/slide';
import type { RgbImage, SlideEngineApi } from '../engine-api';
import { SlideError } from '../errors';
import { writeFileAtomic } from './atomic-file';
import { composeComparison } from './comparison';
import { encodeImage, FORMAT_EXTENSIONS } from './encode-image';

export const DEFAULT_POWERS = [1.25, 2.5, 5, 10];
/** Largest single exported image: 20000 x 20000 RGB. */
const MAX_EXPORT_PIXELS = 400_000_000;

export function slideStem(info: Pick<SlideInfo, 'path'>): string {
  const name = basename(info.path);
  return name.slice(0, name.length - extname(name).length) || name;
}

/** `<slide>_thumbnail.png`, `<slide>_1.25x.png`, `<slide>_resolution_comparison.png`. */
export function exportFileNames(info: Pick<SlideInfo, 'path'>, powers: number[], format: ImageFormat) {
  const stem = slideStem(info);
  const ext = FORMAT_EXTENSIONS[format];
  return {
    thumbnail: `${stem}_thumbnail.${ext}`,
    perPower: powers.map((p) => `${stem}_${formatPower(p)}.${ext}`),
    comparison: `${stem}_resolution_comparison.${ext}`,
  };
}

/** Refuses magnifications a slide cannot show (beyond its scan, or unknown), with the reason. */
export function checkPower(info: SlideInfo, power: number): void {
  if (!(power > 0) || !Number.isFinite(power)) throw new SlideError('INVALID_ARGUMENT', `${power} is not a magnification.`, info.path);
  const downsample = downsampleForPower(info, power);
  if (downsample === null)
    throw new SlideError('INVALID_ARGUMENT', 'The slide records no objective power or microns per pixel, so magnifications are unknown.', info.path);
  if (downsample < 0.999) {
    const max = info.objectivePower ?? (info.mpp ? 10 / info.mpp.x : 0);
    throw new SlideError('INVALID_ARGUMENT', `${formatPower(power)} is beyond this slide's scan (${formatPower(max)} at most).`, info.path);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export function describePanel(info: SlideInfo, downsample: number, image: { width: number; height: number }, power?: number): string {
  const parts: string[] = [];
  const mpp = mppAtDownsample(info, downsample);
  if (power !== undefined) parts.push(formatPower(power));
  if (mpp !== null) parts.push(formatMpp(mpp));
  parts.push(`${image.width}×${image.height} px`);
  return parts.join(' · ');
}

export interface ExportOptions {
  format: ImageFormat;
  /** Where the composite goes; default outDir/<slide>_resolution_comparison.<ext>. */
  comparisonPath?: string;
  overwrite: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
  signal?: AbortSignal;
}

export async function exportThumbnail(
  engine: SlideEngineApi,
  slideId: string,
  info: SlideInfo,
  spec: ThumbnailSpec,
  outPath: string,
  options: ExportOptions,
): Promise<string> {
  if (spec.kind === 'power') checkPower(info, spec.objectivePower);
  const size = thumbnailSize(info, spec);
  if (size && size.width * size.height > MAX_EXPORT_PIXELS)
    throw new SlideError('TOO_LARGE', `A ${size.width} x ${size.height} image is too large to export.`, info.path);
  options.onProgress?.(0, 1, 'thumbnail');
  const image = await engine.thumbnail(slideId, spec, options.signal);
  await writeFileAtomic(outPath, await encodeImage(image, options.format), options.overwrite);
  options.onProgress?.(1, 1, 'thumbnail');
  return outPath;
}

/** One image per magnification and the 2x2 composite, written into outDir. Returns the paths. */
export async function exportComparison(
  engine: SlideEngineApi,
  slideId: string,
  info: SlideInfo,
  powers: number[],
  mode: ComparisonMode,
  outDir: string,
  options: ExportOptions,
): Promise<string[]> {
  if (powers.length < 1 || powers.length > 4) throw new SlideError('INVALID_ARGUMENT', 'A comparison takes one to four magnifications.', info.path);
  for (const p of powers) checkPower(info, p);
  const names = exportFileNames(info, powers, options.format);
  const total = powers.length + 2;
  const panels: Array<{ image: RgbImage; label: string }> = [];
  for (const [i, power] of powers.entries()) {
    options.onProgress?.(i, total, formatPower(power));
    const downsample = downsampleForPower(info, power)!;
    let image: RgbImage;
    if (mode.kind === 'slide') {
      image = await engine.thumbnail(slideId, { kind: 'power', objectivePower: power }, options.signal);
    } else {
      const w0 = mode.panelWidth * downsample;
      const h0 = mode.panelHeight * downsample;
      image = await engine.readScaledRegion(slideId, mode.centerX - w0 / 2, mode.centerY - h0 / 2, w0, h0, mode.panelWidth, mode.panelHeight, options.signal);
    }
    panels.push({ image, label: describePanel(info, downsample, image, power) });
  }
  options.onProgress?.(powers.length, total, 'comparison');
  // Everything is made and encoded before the first file is written: a failure leaves no half set.
  const files = [
    ...(await Promise.all(panels.map(async (p, i) => ({ path: join(outDir, names.perPower[i]!), bytes: await encodeImage(p.image, options.format) })))),
    { path: options.comparisonPath ?? join(outDir, names.comparison), bytes: await encodeImage(await composeComparison(panels), options.format) },
  ];
  if (!options.overwrite) {
    const taken = (await Promise.all(files.map(async (f) => ((await exists(f.path)) ? f.path : null)))).filter((p) => p !== null);
    if (taken.length > 0)
      throw new SlideError('EXISTS', `${taken.map((p) => basename(p)).join(', ')} already exist${taken.length === 1 ? 's' : ''}.`, taken[0]!);
  }
  options.onProgress?.(powers.length + 1, total, 'writing');
  const written: string[] = [];
  for (const file of files) {
    await writeFileAtomic(file.path, file.bytes, options.overwrite);
    written.push(file.path);
  }
  options.onProgress?.(total, total, 'done');
  return written;
}
