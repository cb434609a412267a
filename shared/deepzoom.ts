// Deep-zoom pyramid geometry, after openslide-python's deepzoom.py. Every coordinate is named by its
// plane:
//   l0    level 0: full-resolution slide pixels
//   slide level: a stored pyramid level (its pixels = level 0 / its downsample)
//   dz    a deep-zoom level: 0 is 1x1, the last equals level 0, each halves the next (rounded up)
//   tile  (col, row) in a dz level, tileSize apart, overlap pixels shared with neighbours
// The engine (tiles, scaled regions) and the viewer (which level is drawn, the prefetch ring) both
// choose levels here.

import type { DeepZoomGeometry, DeepZoomLevel, EncodedTile } from './slide';

export function deepZoomGeometry(l0Width: number, l0Height: number, tileSize: number, overlap: number): DeepZoomGeometry {
  const dims: Array<[number, number]> = [[l0Width, l0Height]];
  let [w, h] = [l0Width, l0Height];
  while (w > 1 || h > 1) {
    w = Math.max(1, Math.ceil(w / 2));
    h = Math.max(1, Math.ceil(h / 2));
    dims.push([w, h]);
  }
  dims.reverse();
  const levels: DeepZoomLevel[] = dims.map(([dzWidth, dzHeight]) => ({
    width: dzWidth,
    height: dzHeight,
    cols: Math.ceil(dzWidth / tileSize),
    rows: Math.ceil(dzHeight / tileSize),
  }));
  return { tileSize, overlap, levels };
}

/** Level-0 pixels per pixel of a dz level. */
export function dzDownsample(geometry: DeepZoomGeometry, dzLevel: number): number {
  return 2 ** (geometry.levels.length - 1 - dzLevel);
}

/**
 * The coarsest dz level whose pixels hold at most `l0PerPixel` level-0 pixels: the level to draw
 * (or read) when one output pixel stands for that many level-0 pixels, never upscaled.
 */
export function dzLevelForDownsample(geometry: DeepZoomGeometry, l0PerPixel: number): number {
  const finest = geometry.levels.length - 1;
  return Math.max(0, finest - Math.floor(Math.log2(Math.max(1, l0PerPixel))));
}

/** Slack when comparing downsamples: Aperio's 4x levels are 4.0003x. */
export const DOWNSAMPLE_TOLERANCE = 1.01;

/**
 * The coarsest slide level whose resolution is at least that of `downsample` (level-0 pixels per
 * output pixel); `levels` from level 0, finest first. Sizes, not downsamples, decide: a 125x25 level
 * of a 4000x828 image is 1/32 of it, though OpenSlide's mean downsample says 32.56 because 828/32
 * was rounded down.
 */
export function slideLevelForDownsample(levels: readonly { width: number; height: number }[], downsample: number): number {
  const base = levels[0]!;
  const neededWidth = Math.ceil(base.width / downsample / DOWNSAMPLE_TOLERANCE);
  const neededHeight = Math.ceil(base.height / downsample / DOWNSAMPLE_TOLERANCE);
  let best = 0;
  levels.forEach((level, i) => {
    if (level.width + 1 >= neededWidth && level.height + 1 >= neededHeight) best = i;
  });
  return best;
}

export interface DzTileRect {
  /** Top-left of the tile, overlap included, in dz-level pixels. */
  dzX: number;
  dzY: number;
  width: number;
  height: number;
}

/** The dz-level pixel rectangle a tile covers, or null when the tile does not exist. */
export function dzTileRect(geometry: DeepZoomGeometry, dzLevel: number, col: number, row: number): DzTileRect | null {
  const level = geometry.levels[dzLevel];
  if (!level || !Number.isInteger(col) || !Number.isInteger(row)) return null;
  if (col < 0 || row < 0 || col >= level.cols || row >= level.rows) return null;
  const { tileSize, overlap } = geometry;
  const dzX0 = col * tileSize - (col > 0 ? overlap : 0);
  const dzY0 = row * tileSize - (row > 0 ? overlap : 0);
  const dzX1 = Math.min(level.width, (col + 1) * tileSize + (col < level.cols - 1 ? overlap : 0));
  const dzY1 = Math.min(level.height, (row + 1) * tileSize + (row < level.rows - 1 ? overlap : 0));
  return { dzX: dzX0, dzY: dzY0, width: dzX1 - dzX0, height: dzY1 - dzY0 };
}

/**
 * A deep-zoom tile served as the stored JPEG tile it is. Stored tiles are padded to full size at the
 * right and bottom edges: the viewer crops them to the dz tile and the level.
 */
export function storedJpegTile(
  jpeg: Uint8Array,
  rect: DzTileRect,
  level: { width: number; height: number; tileWidth: number; tileHeight: number },
  col: number,
  row: number,
): EncodedTile {
  const width = Math.min(rect.width, level.width - col * level.tileWidth);
  const height = Math.min(rect.height, level.height - row * level.tileHeight);
  return width < level.tileWidth || height < level.tileHeight
    ? { bytes: jpeg, mime: 'image/jpeg', crop: { width, height } }
    : { bytes: jpeg, mime: 'image/jpeg' };
}

export interface TileRange {
  colStart: number;
  colEnd: number;
  rowStart: number;
  rowEnd: number;
}

/** A rectangle in level-0 pixels. */
export interface L0Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A level-0 rectangle in a dz level's pixels, widened to whole pixels and clipped to the level (ends exclusive). */
export function dzRectOf(geometry: DeepZoomGeometry, dzLevel: number, l0: L0Rect): { dzX0: number; dzY0: number; dzX1: number; dzY1: number } {
  const ds = dzDownsample(geometry, dzLevel);
  const level = geometry.levels[dzLevel]!;
  return {
    dzX0: Math.max(0, Math.floor(l0.x / ds)),
    dzY0: Math.max(0, Math.floor(l0.y / ds)),
    dzX1: Math.min(level.width, Math.ceil((l0.x + l0.width) / ds)),
    dzY1: Math.min(level.height, Math.ceil((l0.y + l0.height) / ds)),
  };
}

/**
 * The tiles of a dz level that a level-0 rectangle touches (inclusive), widened by `ring` tiles on
 * every side and clamped to the level; null when the rectangle misses the slide.
 */
export function dzTilesCovering(geometry: DeepZoomGeometry, dzLevel: number, l0: L0Rect, ring = 0): TileRange | null {
  const level = geometry.levels[dzLevel];
  const slide = geometry.levels[geometry.levels.length - 1];
  if (!level || !slide) return null;
  // Clipped to the slide first: a level's last tile reaches past the slide's edge (its level-0 extent
  // is rounded up to whole tiles), and a rectangle beyond the edge must not land in it.
  const l0X0 = Math.max(0, l0.x);
  const l0Y0 = Math.max(0, l0.y);
  const l0X1 = Math.min(slide.width, l0.x + l0.width);
  const l0Y1 = Math.min(slide.height, l0.y + l0.height);
  if (l0X0 >= slide.width || l0Y0 >= slide.height || l0X1 <= 0 || l0Y1 <= 0 || l0X1 < l0X0 || l0Y1 < l0Y0) return null;
  const l0PerTile = dzDownsample(geometry, dzLevel) * geometry.tileSize;
  const colStart = Math.max(0, Math.floor(l0X0 / l0PerTile) - ring);
  const rowStart = Math.max(0, Math.floor(l0Y0 / l0PerTile) - ring);
  const colEnd = Math.min(level.cols - 1, Math.ceil(l0X1 / l0PerTile) - 1 + ring);
  const rowEnd = Math.min(level.rows - 1, Math.ceil(l0Y1 / l0PerTile) - 1 + ring);
  return colStart > colEnd || rowStart > rowEnd ? null : { colStart, colEnd, rowStart, rowEnd };
}
