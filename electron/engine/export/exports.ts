// Thumbnail, region and multi-resolution exports, the pipeline users ran in TIAToolbox before: a
// thumbnail at a magnification, one image per magnification, and the labelled 2x2 composite. They
// run in the engine (the app's and the CLI's alike) and read pixels only through the engine's own
// operations.

import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { slideLevelForDownsample } from '../../../shared/deepzoom';
import { exportFileNames, powerProblem, thumbnailSpecProblem } from '../../../shared/export-plan';
import { LIMITS } from '../../../shared/limits';
import { downsampleForPower, formatMpp, formatPower, mppAtDownsample, thumbnailSize } from '../../../shared/magnification';
import type { ComparisonMode, ExportStep, ImageFormat, ThumbnailSpec } from '../../../shared/operations';
import type { Provenance } from '../../../shared/provenance';
import type { EncodedImage, Mpp, RgbImage, SlideInfo } from '../../../shared/slide';
import type { SlideEngineApi } from '../engine-api';
import { SlideError } from '../errors';
import { resizeRgb, sharpFrom, toRaw } from '../pixels';
import { MAX_REGION_PIXELS } from '../region-reader';
import { type ImageView, legendBand, placeLegend, type Rgba } from './annotation-burn';
import { writeFileAtomic } from './atomic-file';
import { composeComparison } from './comparison';
import { encodeImage } from './encode-image';
import { ExportOverlay, type OverlayFiles } from './overlay-burn';
import { withScaleBar } from './scale-bar-burn';

/** The engine operations an export reads with. */
export type ExportPixels = Pick<SlideEngineApi, 'thumbnail' | 'readScaledRegion' | 'readRegion'>;

/** Annotations and detections (OverlayFiles) are drawn into the images, with a legend of their classes. */
export interface ExportOptions extends OverlayFiles {
  format: ImageFormat;
  overwrite: boolean;
  onProgress?: (step: ExportStep) => void;
  signal?: AbortSignal;
  /** The pixels as the user sees them: the slide's ICC profile to sRGB, the view's adjustment. */
  applyColour?: (image: RgbImage) => Promise<RgbImage>;
  /** What the image is made from, written into it (a thumbnail's). */
  provenance?: Provenance | undefined;
}

/** The physical size of an output pixel that spans 1/scale level-0 pixels, where the slide gives its own (not one guessed from the objective). */
function pixelSizeAt(info: SlideInfo, scaleX: number, scaleY: number): Mpp | null {
  return info.mpp ? { x: info.mpp.x / scaleX, y: info.mpp.y / scaleY } : null;
}

function coloured(image: RgbImage, options: Pick<ExportOptions, 'applyColour'>): Promise<RgbImage> {
  return options.applyColour ? options.applyColour(image) : Promise.resolve(image);
}

function check(problem: string | null, info: SlideInfo): void {
  if (problem) throw new SlideError('INVALID_ARGUMENT', problem, info.path);
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

export async function exportThumbnail(
  engine: ExportPixels,
  slideId: string,
  info: SlideInfo,
  spec: ThumbnailSpec,
  outPath: string,
  options: ExportOptions,
): Promise<string> {
  check(thumbnailSpecProblem(info, spec), info);
  const size = thumbnailSize(info, spec);
  if (size && size.width * size.height > LIMITS.maxExportPixels)
    throw new SlideError('TOO_LARGE', `A ${size.width} x ${size.height} image is too large to export.`, info.path);
  const overlay = await ExportOverlay.read(options, options.signal);
  options.onProgress?.({ done: 0, total: 1, label: 'thumbnail' });
  let image = await coloured(await engine.thumbnail({ slideId, spec }, { signal: options.signal }), options);
  const pixelSize = pixelSizeAt(info, image.width / info.width, image.height / info.height);
  let legendBelow: Rgba | null = null;
  if (overlay) {
    const burned = await overlay.burn(image, { x: 0, y: 0, scaleX: image.width / info.width, scaleY: image.height / info.height }, options.signal);
    // A copy the drawing made is this export's own: the legend goes into it.
    ({ image, legendBelow } = await placeLegend(burned.image, burned.legend, { inPlace: burned.image !== image }));
  }
  await writeFileAtomic(outPath, await encodeImage(image, options.format, { provenance: options.provenance, pixelSize, legendBelow }), options.overwrite);
  options.onProgress?.({ done: 1, total: 1, label: 'thumbnail' });
  return outPath;
}

/** One image per magnification and the 2x2 composite, written into outDir. Returns the paths. */
export async function exportComparison(
  engine: ExportPixels,
  slideId: string,
  info: SlideInfo,
  powers: readonly number[],
  mode: ComparisonMode,
  outDir: string,
  options: ExportOptions & { comparisonPath?: string | undefined },
): Promise<string[]> {
  for (const p of powers) check(powerProblem(info, p), info);
  // Every panel is read and encoded before anything is written: bound them all, before reading any.
  const pixels = powers.reduce((sum, power) => {
    if (mode.kind === 'field') return sum + Math.round(mode.panelWidth) * Math.round(mode.panelHeight);
    const size = thumbnailSize(info, { kind: 'power', objectivePower: power });
    return sum + (size ? size.width * size.height : 0);
  }, 0);
  if (pixels > LIMITS.maxComparisonPixels) {
    const mp = (n: number) => Math.round(n / 2 ** 20);
    throw new SlideError(
      'TOO_LARGE',
      `These panels would hold ${mp(pixels)} megapixels, more than the ${mp(LIMITS.maxComparisonPixels)} a comparison may: choose lower magnifications or a field of view.`,
      info.path,
    );
  }
  const overlay = await ExportOverlay.read(options, options.signal);
  const names = exportFileNames(info, powers, options.format);
  const total = powers.length + 2;
  const panels: Array<{ image: RgbImage; label: string }> = [];
  /** Each magnification's own file: its panel, with the legend of the classes drawn in it. */
  const singles: Array<{ image: RgbImage; pixelSize: Mpp | null; legendBelow: Rgba | null }> = [];
  for (const [i, power] of powers.entries()) {
    options.onProgress?.({ done: i, total, label: formatPower(power) });
    const downsample = downsampleForPower(info, power)!;
    let image: RgbImage;
    let view: ImageView;
    if (mode.kind === 'slide') {
      image = await engine.thumbnail({ slideId, spec: { kind: 'power', objectivePower: power } }, { signal: options.signal });
      view = { x: 0, y: 0, scaleX: image.width / info.width, scaleY: image.height / info.height };
    } else {
      const width = mode.panelWidth * downsample;
      const height = mode.panelHeight * downsample;
      const request = {
        slideId,
        x: mode.centerX - width / 2,
        y: mode.centerY - height / 2,
        width,
        height,
        outWidth: Math.round(mode.panelWidth),
        outHeight: Math.round(mode.panelHeight),
      };
      image = await engine.readScaledRegion(request, { signal: options.signal });
      view = { x: request.x, y: request.y, scaleX: request.outWidth / width, scaleY: request.outHeight / height };
    }
    image = await coloured(image, options);
    const label = describePanel(info, downsample, image, power);
    const pixelSize = pixelSizeAt(info, view.scaleX, view.scaleY);
    if (overlay) {
      const burned = await overlay.burn(image, view, options.signal);
      image = burned.image;
      singles.push({ ...(await placeLegend(image, burned.legend)), pixelSize });
    } else {
      singles.push({ image, pixelSize, legendBelow: null });
    }
    panels.push({ image, label });
  }
  options.onProgress?.({ done: powers.length, total, label: 'comparison' });
  // Everything is made and encoded before the first file is written: a failure leaves no half set.
  // The composite's four panels share one legend, below them.
  const composite = await composeComparison(panels);
  const legend = overlay ? await overlay.legendOfAll() : null;
  const files = [
    ...(await Promise.all(
      singles.map(async ({ image, pixelSize, legendBelow }, i) => ({
        path: join(outDir, names.perPower[i]!),
        bytes: await encodeImage(image, options.format, { pixelSize, legendBelow }),
      })),
    )),
    { path: options.comparisonPath ?? join(outDir, names.comparison), bytes: await encodeImage(composite, options.format, { legendBelow: legend }) },
  ];
  if (!options.overwrite) {
    const taken = (await Promise.all(files.map(async (f) => ((await exists(f.path)) ? f.path : null)))).filter((p) => p !== null);
    if (taken.length > 0)
      throw new SlideError('EXISTS', `${taken.map((p) => basename(p)).join(', ')} already exist${taken.length === 1 ? 's' : ''}.`, taken[0]!);
  }
  options.onProgress?.({ done: powers.length + 1, total, label: 'writing' });
  const written: string[] = [];
  for (const file of files) {
    await writeFileAtomic(file.path, file.bytes, options.overwrite);
    written.push(file.path);
  }
  options.onProgress?.({ done: total, total, label: 'done' });
  return written;
}

export type RegionAt = { kind: 'level'; level: number } | { kind: 'power'; objectivePower: number };

/**
 * As TIAToolbox's read_rect: OpenSlide's read_region at the best level for `ds` from the level-0
 * corner (resampled where it falls between that level's pixels), over white, resized to the output.
 * One too large to read at that level is resampled from the pyramid instead.
 */
async function regionAtDownsample(
  engine: ExportPixels,
  slideId: string,
  info: SlideInfo,
  { x, y, width, height }: { x: number; y: number; width: number; height: number },
  ds: number,
  signal: AbortSignal | undefined,
): Promise<RgbImage> {
  const level = slideLevelForDownsample(info.levels, ds);
  const scale = ds / info.levels[level]!.downsample;
  const readWidth = Math.max(1, Math.round(width * scale));
  const readHeight = Math.max(1, Math.round(height * scale));
  if (readWidth * readHeight > MAX_REGION_PIXELS)
    return engine.readScaledRegion({ slideId, x, y, width: width * ds, height: height * ds, outWidth: width, outHeight: height }, { signal });
  const rgba = await engine.readRegion({ slideId, level, x, y, width: readWidth, height: readHeight }, { signal });
  return resizeRgb(await toRaw(sharpFrom(rgba).flatten({ background: '#ffffff' })), width, height);
}

/** What makes an export's pixels, whatever the file. */
type ImageOptions = Omit<ExportOptions, 'format' | 'overwrite'>;

export type RegionRequest = { x: number; y: number; width: number; height: number; at: RegionAt; scaleBar?: boolean | undefined };

/**
 * A region as an image: at a slide level, as OpenSlide's read_region (RGBA: PNG and TIFF keep the
 * transparency outside the slide, JPEG gets white), or at an objective power, as TIAToolbox's
 * read_rect, where annotations (with their legend) and a scale bar may be drawn in. x, y are level-0
 * pixels; width, height are output pixels. With the size of its pixels, for the file to say.
 */
async function regionImage(
  engine: ExportPixels,
  slideId: string,
  info: SlideInfo,
  region: RegionRequest,
  options: ImageOptions,
): Promise<{ image: RgbImage; pixelSize: Mpp | null; legendBelow: Rgba | null }> {
  const { x, y, width, height, at } = region;
  if (at.kind === 'power') {
    check(powerProblem(info, at.objectivePower), info);
    if (width * height > LIMITS.maxExportPixels) throw new SlideError('TOO_LARGE', `A ${width} x ${height} image is too large to export.`, info.path);
    if (region.scaleBar && !info.mpp)
      throw new SlideError('INVALID_ARGUMENT', 'The slide does not give its pixel size, so a scale bar cannot be drawn.', info.path);
    const overlay = await ExportOverlay.read(options, options.signal);
    const ds = downsampleForPower(info, at.objectivePower)!;
    let image = await coloured(await regionAtDownsample(engine, slideId, info, region, ds, options.signal), options);
    let legend = null;
    // The region's pixels were made for this export alone (regionAtDownsample): drawn into, not copied.
    if (overlay) ({ image, legend } = await overlay.burn(image, { x, y, scaleX: 1 / ds, scaleY: 1 / ds }, options.signal, true));
    const pixelSize = pixelSizeAt(info, 1 / ds, 1 / ds);
    // The scale bar takes the bottom-left corner: the legend then goes below the image, as it is encoded.
    if (region.scaleBar && info.mpp) image = await withScaleBar(image, info.mpp.x * ds, true);
    return { ...(await placeLegend(image, legend, { inPlace: true, below: region.scaleBar === true && info.mpp !== null })), pixelSize };
  }
  if (options.annotations || options.detections || region.scaleBar)
    throw new SlideError(
      'INVALID_ARGUMENT',
      'Annotations, detections and a scale bar are drawn into a region read at an objective power, not at a slide level.',
      info.path,
    );
  const level = info.levels[at.level];
  if (!level) throw new SlideError('INVALID_ARGUMENT', `The slide has levels 0 to ${info.levels.length - 1}; there is no level ${at.level}.`, info.path);
  const rgba = await coloured(await engine.readRegion({ slideId, level: at.level, x, y, width, height }, { signal: options.signal }), options);
  return { image: rgba, pixelSize: pixelSizeAt(info, level.width / info.width, level.height / info.height), legendBelow: null };
}

/** A region (regionImage) written to a file. */
export async function exportRegion(
  engine: ExportPixels,
  slideId: string,
  info: SlideInfo,
  region: RegionRequest,
  outPath: string,
  options: ExportOptions,
): Promise<string> {
  const { image, pixelSize, legendBelow } = await regionImage(engine, slideId, info, region, options);
  await writeFileAtomic(outPath, await encodeImage(image, options.format, { provenance: options.provenance, pixelSize, legendBelow }), options.overwrite);
  return outPath;
}

/** A region (regionImage) as a PNG in memory: what the app puts on the clipboard. */
export async function regionPng(engine: ExportPixels, slideId: string, info: SlideInfo, region: RegionRequest, options: ImageOptions): Promise<EncodedImage> {
  const { image, pixelSize, legendBelow } = await regionImage(engine, slideId, info, region, options);
  const { width, height } = legendBelow ? legendBand(image, legendBelow) : image;
  return { bytes: await encodeImage(image, 'png', { pixelSize, legendBelow }), mime: 'image/png', width, height };
}
