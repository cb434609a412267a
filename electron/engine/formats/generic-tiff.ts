// Any other TIFF: the largest image is level 0, and every smaller image with the same aspect ratio
// and codec family is a pyramid level, flagged reduced-resolution or not (OpenSlide requires the
// flag and so sees one level in files like image-js_tiled-jpeg.tif).

import type { Mpp } from '../../../shared/slide';
import { slideFormat } from '../../../shared/slide-formats';
import type { TiffDirectory } from '../tiff/tiff-file';
import type { FormatPlugin } from './format-plugin';
import { TiffPyramidSource } from './tiff-pyramid-source';

const ASPECT_TOLERANCE = 0.02;

/** Microns per pixel from resolution tags; a 72-dpi default or other non-microscope value gives none. */
export function mppFromResolution(dir: TiffDirectory): Mpp | null {
  const micronsPerUnit = dir.resolutionUnit === 3 ? 10_000 : dir.resolutionUnit === 2 ? 25_400 : null;
  if (micronsPerUnit === null || !dir.xResolution || !dir.yResolution) return null;
  const x = micronsPerUnit / dir.xResolution;
  const y = micronsPerUnit / dir.yResolution;
  return x > 0.01 && x < 100 && y > 0.01 && y < 100 ? { x, y } : null;
}

function isPyramidLevel(base: TiffDirectory, dir: TiffDirectory): boolean {
  if (dir === base) return true;
  if (dir.width >= base.width || dir.height > base.height) return false;
  if (dir.samplesPerPixel !== base.samplesPerPixel) return false;
  const aspectBase = base.width / base.height;
  const aspect = dir.width / dir.height;
  // Small levels round their sides, so allow a pixel of slack on top of the relative tolerance.
  const slack = 1 / Math.min(dir.width, dir.height);
  return Math.abs(aspect / aspectBase - 1) <= ASPECT_TOLERANCE + slack;
}

export const genericTiffFormat: FormatPlugin = {
  info: slideFormat('generic-tiff'),
  async detect(probe) {
    return probe.isTiff;
  },
  async open(probe) {
    const tiff = (await probe.tiff())!;
    const candidates = tiff.directories.filter((d) => d.newSubfileType === 0 || d.newSubfileType === 1);
    const pool = candidates.length > 0 ? candidates : tiff.directories;
    const base = pool.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    const levels = pool.filter((d) => isPyramidLevel(base, d)).sort((a, b) => b.width - a.width);
    // One image per size: some writers repeat a level.
    const unique = levels.filter((d, i) => i === 0 || d.width !== levels[i - 1]!.width);
    return TiffPyramidSource.create(tiff, {
      format: 'generic-tiff',
      vendor: 'generic-tiff',
      levels: unique,
      associated: new Map(),
      objectivePower: null,
      mpp: mppFromResolution(base),
      properties: {},
    });
  },
};
