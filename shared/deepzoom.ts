// Deep-zoom pyramid geometry, after openslide-python's deepzoom.py. Planes:
//   level 0    - full-resolution slide pixels
//   slide level - a stored pyramid level (pixels = level 0 / downsample)
//   dz level   - a deep-zoom level: 0 is 1x1, the last equals level 0, each halves the next (ceil)
//   tile       - (col, row) in a dz level, tileSize apart, overlap pixels shared with neighbours

import type { DeepZoomGeometry, DeepZoomLevel } from './slide';

export function deepZoomGeometry(width: number, height: number, tileSize: number, overlap: number): DeepZoomGeometry {
  const dims: Array<[number, number]> = [[width, height]];
  let [w, h] = [width, height];
  while (w > 1 || h > 1) {
    w = Math.max(1, Math.ceil(w / 2));
    h = Math.max(1, Math.ceil(h / 2));
    dims.push([w, h]);
  }
  dims.reverse();
  const levels: DeepZoomLevel[] = dims.map(([lw, lh]) => ({
    width: lw,
    height: lh,
    cols: Math.ceil(lw / tileSize),
    rows: Math.ceil(lh / tileSize),
  }));
  return { tileSize, overlap, levels };
}

/** Level-0 pixels per pixel of a dz level. */
export function dzDownsample(geometry: DeepZoomGeometry, dzLevel: number): number {
  return 2 ** (geometry.levels.length - 1 - dzLevel);
}

export interface DzTileRect {
  /** Top-left of the tile, overlap included, in dz-level pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The dz-level pixel rectangle a tile covers, or null when the tile does not exist. */
export function dzTileRect(geometry: DeepZoomGeometry, dzLevel: number, col: number, row: number): DzTileRect | null {
  const level = geometry.levels[dzLevel];
  if (!level || !Number.isInteger(col) || !Number.isInteger(row)) return null;
  if (col < 0 || row < 0 || col >= level.cols || row >= level.rows) return null;
  const { tileSize, overlap } = geometry;
  const x0 = col * tileSize - (col > 0 ? overlap : 0);
  const y0 = row * tileSize - (row > 0 ? overlap : 0);
  const x1 = Math.min(level.width, (col + 1) * tileSize + (col < level.cols - 1 ? overlap : 0));
  const y1 = Math.min(level.height, (row + 1) * tileSize + (row < level.rows - 1 ? overlap : 0));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
