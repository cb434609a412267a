// What a MIRAX slide's Slidedat.ini says, read as OpenSlide 3.4.1 reads it (mirax_open): the
// slide's id and grid of images, its zoom levels' sections (image size and format, overlaps,
// concatenation, MPP, fill colour), its data files, and which non-hierarchical records hold the
// camera positions and the associated images. Keys OpenSlide requires are required here too, with
// its messages; sizes and counts are bounded before anything is allocated for them.

import { type KeyFile, KeyFileError } from '../key-file';

export type MiraxImageFormat = 'jpeg' | 'png' | 'bmp';

export interface MiraxZoomLevel {
  /** IMAGE_CONCAT_FACTOR: this level's images are 2^exponent of the level above's per side. */
  concatExponent: number;
  overlapX: number;
  overlapY: number;
  mppX: number;
  mppY: number;
  /** IMAGE_FILL_COLOR_BGR as 0xRRGGBB. */
  fillRgb: number;
  format: MiraxImageFormat;
  /** DIGITIZER_WIDTH x DIGITIZER_HEIGHT: every image of the level. */
  imageWidth: number;
  imageHeight: number;
}

export interface MiraxSlidedat {
  slideId: string;
  imagesX: number;
  imagesY: number;
  /** CameraImageDivisionsPerSide: images per camera photo, per side. */
  divisions: number;
  objective: number;
  indexFile: string;
  zoomLevels: MiraxZoomLevel[];
  dataFiles: string[];
  /** Non-hierarchical record numbers, -1 where the slide has none. */
  vimslidePositionRecord: number;
  stitchingPositionRecord: number;
  macroRecord: number;
  labelRecord: number;
  thumbnailRecord: number;
}

/** Bounds on what a Slidedat.ini may declare (real slides: a few hundred images a side, under 10 levels, tens of data files). */
export const MIRAX_LIMITS = {
  imagesPerSide: 1_000_000,
  zoomLevels: 32,
  /** 1 << total concatenation must stay a C int, as OpenSlide computes it. */
  totalConcatExponent: 30,
  dataFiles: 4096,
  imagePixels: 16 * 1024 * 1024,
  imageSide: 65_535,
  groupNameLength: 256,
} as const;

/** A Slidedat.ini OpenSlide refuses, or one past the bounds: the reason. */
export class MiraxSlidedatError extends Error {}

const GENERAL = 'GENERAL';
const HIERARCHICAL = 'HIERARCHICAL';
const DATAFILE = 'DATAFILE';

export function readMiraxSlidedat(kf: KeyFile): MiraxSlidedat {
  try {
    return read(kf);
  } catch (error) {
    if (error instanceof KeyFileError) throw new MiraxSlidedatError(error.message);
    throw error;
  }
}

function read(kf: KeyFile): MiraxSlidedat {
  requireGroup(kf, GENERAL);
  kf.value(GENERAL, 'SLIDE_VERSION');
  const slideId = kf.value(GENERAL, 'SLIDE_ID');
  const imagesX = kf.integer(GENERAL, 'IMAGENUMBER_X');
  const imagesY = kf.integer(GENERAL, 'IMAGENUMBER_Y');
  const objective = kf.integer(GENERAL, 'OBJECTIVE_MAGNIFICATION');
  let divisions = 1;
  try {
    divisions = kf.integer(GENERAL, 'CameraImageDivisionsPerSide');
  } catch (error) {
    if (!(error instanceof KeyFileError)) throw error;
  }
  positive(`[${GENERAL}] IMAGENUMBER_X`, imagesX);
  positive(`[${GENERAL}] IMAGENUMBER_Y`, imagesY);
  positive(`[${GENERAL}] CameraImageDivisionsPerSide`, divisions);
  if (imagesX > MIRAX_LIMITS.imagesPerSide || imagesY > MIRAX_LIMITS.imagesPerSide) {
    throw new MiraxSlidedatError(`it declares ${imagesX} x ${imagesY} images, more than a slide holds`);
  }
  if (divisions > Math.min(imagesX, imagesY))
    throw new MiraxSlidedatError(`its camera photos are cut into ${divisions} images a side, more than the slide has`);

  requireGroup(kf, HIERARCHICAL);
  const hierCount = kf.integer(HIERARCHICAL, 'HIER_COUNT');
  const nonhierCount = kf.integer(HIERARCHICAL, 'NONHIER_COUNT');
  positive(`[${HIERARCHICAL}] HIER_COUNT`, hierCount);
  if (nonhierCount < 0) throw new MiraxSlidedatError(`its [${HIERARCHICAL}] NONHIER_COUNT is ${nonhierCount}, below 0`);
  // OpenSlide looks for the zoom levels among the hierarchical layers, and wants them first.
  let zoomLayer = -1;
  for (let i = 0; i < hierCount; i++) {
    if (kf.value(HIERARCHICAL, `HIER_${i}_NAME`) === 'Slide zoom level') {
      zoomLayer = i;
      break;
    }
  }
  if (zoomLayer === -1) throw new MiraxSlidedatError("Can't find slide zoom level");
  if (zoomLayer !== 0) throw new MiraxSlidedatError('Slide zoom level not HIER_0');
  const indexFile = kf.value(HIERARCHICAL, 'INDEXFILE');
  const levelCount = kf.integer(HIERARCHICAL, 'HIER_0_COUNT');
  positive(`[${HIERARCHICAL}] HIER_0_COUNT`, levelCount);
  if (levelCount > MIRAX_LIMITS.zoomLevels) throw new MiraxSlidedatError(`it declares ${levelCount} zoom levels`);
  const sections = Array.from({ length: levelCount }, (_, i) => kf.value(HIERARCHICAL, `HIER_0_VAL_${i}_SECTION`));

  requireGroup(kf, DATAFILE);
  const fileCount = kf.integer(DATAFILE, 'FILE_COUNT');
  positive(`[${DATAFILE}] FILE_COUNT`, fileCount);
  if (fileCount > MIRAX_LIMITS.dataFiles) throw new MiraxSlidedatError(`it lists ${fileCount} data files`);
  const dataFiles = Array.from({ length: fileCount }, (_, i) => kf.value(DATAFILE, `FILE_${i}`));

  let totalConcat = 0;
  const zoomLevels = sections.map((group, i): MiraxZoomLevel => {
    requireGroup(kf, group);
    const concatExponent = kf.integer(group, 'IMAGE_CONCAT_FACTOR');
    const overlapX = kf.double(group, 'OVERLAP_X');
    const overlapY = kf.double(group, 'OVERLAP_Y');
    const mppX = kf.double(group, 'MICROMETER_PER_PIXEL_X');
    const mppY = kf.double(group, 'MICROMETER_PER_PIXEL_Y');
    const bgr = kf.integer(group, 'IMAGE_FILL_COLOR_BGR');
    const imageWidth = kf.integer(group, 'DIGITIZER_WIDTH');
    const imageHeight = kf.integer(group, 'DIGITIZER_HEIGHT');
    if (i === 0 && concatExponent < 0) throw new MiraxSlidedatError(`its [${group}] IMAGE_CONCAT_FACTOR is ${concatExponent}, below 0`);
    if (i > 0) positive(`[${group}] IMAGE_CONCAT_FACTOR`, concatExponent);
    positive(`[${group}] DIGITIZER_WIDTH`, imageWidth);
    positive(`[${group}] DIGITIZER_HEIGHT`, imageHeight);
    totalConcat += concatExponent;
    if (totalConcat > MIRAX_LIMITS.totalConcatExponent) throw new MiraxSlidedatError(`its zoom levels concatenate 2^${totalConcat} images a side`);
    if (imageWidth > MIRAX_LIMITS.imageSide || imageHeight > MIRAX_LIMITS.imageSide || imageWidth * imageHeight > MIRAX_LIMITS.imagePixels) {
      throw new MiraxSlidedatError(`its images are ${imageWidth} x ${imageHeight} pixels, larger than a camera's`);
    }
    if (!Number.isFinite(overlapX) || !Number.isFinite(overlapY) || Math.abs(overlapX) >= imageWidth || Math.abs(overlapY) >= imageHeight) {
      throw new MiraxSlidedatError(`zoom level ${i} overlaps its ${imageWidth} x ${imageHeight} images by ${overlapX} x ${overlapY} pixels`);
    }
    // BGR to RGB as OpenSlide shifts a C int.
    const fillRgb = (((bgr << 16) & 0xff0000) | (bgr & 0xff00) | ((bgr >> 16) & 0xff)) >>> 0;
    return { concatExponent, overlapX, overlapY, mppX, mppY, fillRgb, format: imageFormat(kf.value(group, 'IMAGE_FORMAT')), imageWidth, imageHeight };
  });

  const vimslidePositionRecord = nonhierNameOffset(kf, nonhierCount, 'VIMSLIDE_POSITION_BUFFER');
  const stitchingPositionRecord = vimslidePositionRecord === -1 ? nonhierNameOffset(kf, nonhierCount, 'StitchingIntensityLayer') : -1;
  return {
    slideId,
    imagesX,
    imagesY,
    divisions,
    objective,
    indexFile,
    zoomLevels,
    dataFiles,
    vimslidePositionRecord,
    stitchingPositionRecord,
    macroRecord: associatedRecord(kf, nonhierCount, 'ScanDataLayer_SlideThumbnail', 'THUMBNAIL_IMAGE_TYPE'),
    labelRecord: associatedRecord(kf, nonhierCount, 'ScanDataLayer_SlideBarcode', 'BARCODE_IMAGE_TYPE'),
    thumbnailRecord: associatedRecord(kf, nonhierCount, 'ScanDataLayer_SlidePreview', 'PREVIEW_IMAGE_TYPE'),
  };
}

function requireGroup(kf: KeyFile, group: string): void {
  if (!kf.hasGroup(group)) throw new MiraxSlidedatError(`Can't find ${group.slice(0, MIRAX_LIMITS.groupNameLength)} group`);
}

/** A count or size read from a key (`[GROUP] KEY`), which must be above 0. */
function positive(key: string, n: number): void {
  if (n <= 0) throw new MiraxSlidedatError(`its ${key} is ${n}, not above 0`);
}

function imageFormat(name: string): MiraxImageFormat {
  if (name === 'JPEG') return 'jpeg';
  if (name === 'PNG') return 'png';
  if (name === 'BMP24') return 'bmp';
  throw new MiraxSlidedatError(`Unrecognized image format: ${name.slice(0, 64)}`);
}

/**
 * Where a non-hierarchical layer's values start among all the layers' values, and which layer it
 * is; -1 when no layer has the name. Reading stops at the first layer whose keys are missing or
 * whose count is 0, as OpenSlide's does.
 */
function nonhierLayer(kf: KeyFile, nonhierCount: number, name: string): { offset: number; index: number; count: number } | null {
  let offset = 0;
  for (let i = 0; i < nonhierCount; i++) {
    const value = kf.value(HIERARCHICAL, `NONHIER_${i}_NAME`);
    const count = kf.integer(HIERARCHICAL, `NONHIER_${i}_COUNT`);
    if (count === 0) throw new MiraxSlidedatError('Nonhier val count is zero');
    if (value === name) return { offset, index: i, count };
    offset += count;
  }
  return null;
}

function nonhierNameOffset(kf: KeyFile, nonhierCount: number, name: string): number {
  return nonhierLayer(kf, nonhierCount, name)?.offset ?? -1;
}

/** The record of an associated image in the "Scan data layer", after checking its format is JPEG (all OpenSlide reads). */
function associatedRecord(kf: KeyFile, nonhierCount: number, value: string, formatKey: string): number {
  const layer = nonhierLayer(kf, nonhierCount, 'Scan data layer');
  if (!layer) return -1;
  for (let i = 0; i < layer.count; i++) {
    if (kf.value(HIERARCHICAL, `NONHIER_${layer.index}_VAL_${i}`) !== value) continue;
    const section = kf.value(HIERARCHICAL, `NONHIER_${layer.index}_VAL_${i}_SECTION`);
    const format = kf.value(section, formatKey);
    if (format !== 'JPEG') throw new MiraxSlidedatError(`Unsupported associated image format: ${format.slice(0, 64)}`);
    return layer.offset + i;
  }
  return -1;
}
