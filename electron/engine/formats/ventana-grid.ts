// Where one level of a stitched BIF places its frames, as OpenSlide 3.4.1's tilemap grid does
// (openslide-grid.c): frame (col, row) of an area at col x advance + the area's offset, every size
// divided by the level's downsample; the level as large as the frames' bounds; and, for a region,
// the frames it paints in the order it paints them - rows from the bottom up, columns from the
// right - with the translation cairo gives each, computed with the same floating-point steps.

import type { BifLayout, VentanaArea } from './ventana-layout';

export interface PlacedFrame {
  /** The frame's column and row in level 0's grid of frames. */
  col: number;
  row: number;
  /** Its top-left corner relative to the region's. */
  x: number;
  y: number;
}

interface AreaOffset {
  area: VentanaArea;
  /** The area's offset from the grid's natural position, in this level's pixels. */
  x: number;
  y: number;
}

export class VentanaLevelGrid {
  readonly advanceX: number;
  readonly advanceY: number;
  /** A frame's size in this level (a fraction of the stored tile when the level is reduced). */
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly width: number;
  readonly height: number;
  private readonly offsets: AreaOffset[];
  /** How many extra grid cells around a region may hold a frame reaching into it. */
  private readonly extra = { left: 0, right: 0, top: 0, bottom: 0 };

  constructor(layout: BifLayout, downsample: number, tileWidth: number, tileHeight: number) {
    this.advanceX = layout.advanceX / downsample;
    this.advanceY = layout.advanceY / downsample;
    this.frameWidth = tileWidth / downsample;
    this.frameHeight = tileHeight / downsample;
    this.offsets = layout.areas.map((area) => ({
      area,
      x: (area.x - area.startCol * layout.advanceX) / downsample,
      y: (area.y - area.startRow * layout.advanceY) / downsample,
    }));
    let left = Number.POSITIVE_INFINITY;
    let top = Number.POSITIVE_INFINITY;
    let right = Number.NEGATIVE_INFINITY;
    let bottom = Number.NEGATIVE_INFINITY;
    for (const { area, x, y } of this.offsets) {
      // Positions grow with the column, so an area's first and last frames bound it.
      left = Math.min(left, area.startCol * this.advanceX + x);
      top = Math.min(top, area.startRow * this.advanceY + y);
      right = Math.max(right, (area.startCol + area.cols - 1) * this.advanceX + x + this.frameWidth);
      bottom = Math.max(bottom, (area.startRow + area.rows - 1) * this.advanceY + y + this.frameHeight);
      if (x < 0) this.extra.right = Math.max(this.extra.right, Math.ceil(-x / this.advanceX));
      const overhangX = x + (this.frameWidth - this.advanceX);
      if (overhangX > 0) this.extra.left = Math.max(this.extra.left, Math.ceil(overhangX / this.advanceX));
      if (y < 0) this.extra.bottom = Math.max(this.extra.bottom, Math.ceil(-y / this.advanceY));
      const overhangY = y + (this.frameHeight - this.advanceY);
      if (overhangY > 0) this.extra.top = Math.max(this.extra.top, Math.ceil(overhangY / this.advanceY));
    }
    // "Large enough for all the pixels": OpenSlide's level size, from the bounds' origin and extent.
    this.width = left === Number.POSITIVE_INFINITY ? 0 : Math.ceil(left + (right - left));
    this.height = top === Number.POSITIVE_INFINITY ? 0 : Math.ceil(top + (bottom - top));
  }

  /** The area whose frame is at (col, row): the last one listed that has it (OpenSlide's map replaces). */
  private areaAt(col: number, row: number): AreaOffset | undefined {
    for (let i = this.offsets.length - 1; i >= 0; i--) {
      const { area } = this.offsets[i]!;
      if (col >= area.startCol && col < area.startCol + area.cols && row >= area.startRow && row < area.startRow + area.rows) return this.offsets[i];
    }
    return undefined;
  }

  /** The frames painted for a region of this level (its corner between pixels too), in painting order. */
  framesFor(x: number, y: number, width: number, height: number): PlacedFrame[] {
    const { advanceX, advanceY, frameWidth, frameHeight } = this;
    // compute_region(), then widened by the extra cells; translations are taken from there.
    const startX = Math.trunc(x / advanceX) - this.extra.left;
    const startY = Math.trunc(y / advanceY) - this.extra.top;
    const offsetX = x - (startX + this.extra.left) * advanceX;
    const offsetY = y - (startY + this.extra.top) * advanceY;
    const baseX = -this.extra.left * advanceX;
    const baseY = -this.extra.top * advanceY;
    const found: PlacedFrame[] = [];
    this.offsets.forEach((offset) => {
      const { area } = offset;
      // Only the columns and rows of this area that can reach the region (OpenSlide walks every
      // grid cell of the widened region; an area far from the origin would make that unbounded).
      const c0 = Math.max(area.startCol, Math.floor((x - offset.x - frameWidth) / advanceX));
      const c1 = Math.min(area.startCol + area.cols - 1, Math.ceil((x + width - offset.x) / advanceX));
      const r0 = Math.max(area.startRow, Math.floor((y - offset.y - frameHeight) / advanceY));
      const r1 = Math.min(area.startRow + area.rows - 1, Math.ceil((y + height - offset.y) / advanceY));
      for (let row = r0; row <= r1; row++) {
        for (let col = c0; col <= c1; col++) {
          if (this.areaAt(col, row) !== offset) continue;
          const fx = col * advanceX + offset.x;
          const fy = row * advanceY + offset.y;
          if (fx + frameWidth <= x || fy + frameHeight <= y || fx >= x + width || fy >= y + height) continue;
          const translateX = (col - startX) * advanceX - offsetX;
          const translateY = (row - startY) * advanceY - offsetY;
          found.push({ col, row, x: offset.x + (translateX + baseX), y: offset.y + (translateY + baseY) });
        }
      }
    });
    return found.sort((a, b) => b.row - a.row || b.col - a.col);
  }
}
