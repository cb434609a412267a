// OpenSlide 3.4.1's tilemap grid (openslide-grid.c), which MIRAX (and Trestle) place their images
// on: a grid of cells `advance` apart, each holding at most one tile (a later one replaces it),
// drawn at its cell's corner plus an offset of its own, so tiles may overlap their neighbours or
// sit off the grid. For a region, OpenSlide paints the cells the region covers widened by the
// "extra" cells that offsets can reach from, last row first and right to left within a row, each
// tile under the translation cairo accumulates for it - reproduced here step by step, so that the
// same tile wins an overlap and lands on the same fraction of a pixel.
//
// OpenSlide walks every cell of the widened range; here tiles are found through bins of the plane,
// so a tile with a hostile offset (or a range widened by one) costs nothing per region.

export interface TilemapTile<T> {
  col: number;
  row: number;
  /** Its delta from its cell's corner. */
  offsetX: number;
  offsetY: number;
  data: T;
}

/** A tile as painted for a region: its top-left corner relative to the region's (cairo's translation). */
export interface PlacedTile<T> {
  tile: TilemapTile<T>;
  x: number;
  y: number;
}

/** Bins of the plane, in cells per side: large enough that a tile lies in a few, small enough that a region finds few others. */
const BIN_CELLS = 4;

export class TilemapGrid<T> {
  private readonly cells = new Map<number, TilemapTile<T>>();
  private bins: Map<number, Array<TilemapTile<T>>> | null = null;
  private binWidth = 0;
  private binHeight = 0;
  private left = Number.POSITIVE_INFINITY;
  private top = Number.POSITIVE_INFINITY;
  private right = Number.NEGATIVE_INFINITY;
  private bottom = Number.NEGATIVE_INFINITY;
  private readonly extra = { left: 0, right: 0, top: 0, bottom: 0 };

  /** Every tile is tileWidth x tileHeight (OpenSlide gives each its own size; its formats give one per grid). */
  constructor(
    readonly advanceX: number,
    readonly advanceY: number,
    readonly tileWidth: number,
    readonly tileHeight: number,
  ) {
    if (!(advanceX > 0 && advanceY > 0 && tileWidth > 0 && tileHeight > 0)) throw new RangeError('a tilemap needs positive advances and tile sizes');
  }

  get size(): number {
    return this.cells.size;
  }

  /** _openslide_grid_tilemap_add_tile: the tile replaces any in its cell; bounds and extra cells grow. */
  add(col: number, row: number, offsetX: number, offsetY: number, data: T): void {
    this.bins = null;
    this.cells.set(cellKey(col, row), { col, row, offsetX, offsetY, data });
    const { advanceX, advanceY, tileWidth, tileHeight } = this;
    this.left = Math.min(col * advanceX + offsetX, this.left);
    this.top = Math.min(row * advanceY + offsetY, this.top);
    this.right = Math.max(col * advanceX + offsetX + tileWidth, this.right);
    this.bottom = Math.max(row * advanceY + offsetY + tileHeight, this.bottom);
    if (offsetX < 0) this.extra.right = Math.max(this.extra.right, Math.ceil(-offsetX / advanceX));
    const overhangX = offsetX + (tileWidth - advanceX);
    if (overhangX > 0) this.extra.left = Math.max(this.extra.left, Math.ceil(overhangX / advanceX));
    if (offsetY < 0) this.extra.bottom = Math.max(this.extra.bottom, Math.ceil(-offsetY / advanceY));
    const overhangY = offsetY + (tileHeight - advanceY);
    if (overhangY > 0) this.extra.top = Math.max(this.extra.top, Math.ceil(overhangY / advanceY));
  }

  /** The tile in a cell, if any. */
  at(col: number, row: number): TilemapTile<T> | undefined {
    return this.cells.get(cellKey(col, row));
  }

  /** Every tile, in no particular order. */
  tiles(): IterableIterator<TilemapTile<T>> {
    return this.cells.values();
  }

  /** The tiles' bounds (OpenSlide's grid bounds), or null when the grid is empty. */
  bounds(): { x: number; y: number; width: number; height: number } | null {
    if (this.left === Number.POSITIVE_INFINITY) return null;
    return { x: this.left, y: this.top, width: this.right - this.left, height: this.bottom - this.top };
  }

  private binned(): Map<number, Array<TilemapTile<T>>> {
    if (this.bins) return this.bins;
    this.binWidth = BIN_CELLS * Math.max(this.advanceX, this.tileWidth);
    this.binHeight = BIN_CELLS * Math.max(this.advanceY, this.tileHeight);
    const bins = new Map<number, Array<TilemapTile<T>>>();
    for (const tile of this.cells.values()) {
      const x = tile.col * this.advanceX + tile.offsetX;
      const y = tile.row * this.advanceY + tile.offsetY;
      for (let by = Math.floor(y / this.binHeight); by * this.binHeight < y + this.tileHeight; by++) {
        for (let bx = Math.floor(x / this.binWidth); bx * this.binWidth < x + this.tileWidth; bx++) {
          const key = cellKey(bx, by);
          const bin = bins.get(key);
          if (bin) bin.push(tile);
          else bins.set(key, [tile]);
        }
      }
    }
    this.bins = bins;
    return bins;
  }

  /**
   * The tiles OpenSlide paints for a region of the plane (x, y >= 0), in its painting order, each
   * with the translation cairo paints it under.
   */
  tilesFor(x: number, y: number, width: number, height: number): Array<PlacedTile<T>> {
    const { advanceX, advanceY, tileWidth, tileHeight, extra } = this;
    // compute_region(), widened by the extra cells (tilemap_paint_region).
    const startX = Math.trunc(x / advanceX) - extra.left;
    const startY = Math.trunc(y / advanceY) - extra.top;
    const endX = Math.ceil((x + width) / advanceX) + extra.right;
    const endY = Math.ceil((y + height) / advanceY) + extra.bottom;
    const offsetX = x - (startX + extra.left) * advanceX;
    const offsetY = y - (startY + extra.top) * advanceY;
    const baseX = -extra.left * advanceX;
    const baseY = -extra.top * advanceY;
    const bins = this.binned();
    const found = new Set<TilemapTile<T>>();
    for (let by = Math.floor(y / this.binHeight); by * this.binHeight < y + height; by++) {
      for (let bx = Math.floor(x / this.binWidth); bx * this.binWidth < x + width; bx++) {
        for (const tile of bins.get(cellKey(bx, by)) ?? []) {
          if (tile.col < startX || tile.col >= endX || tile.row < startY || tile.row >= endY) continue;
          // tilemap_read_tile's test: the tile reaches into the region.
          const tx = tile.col * advanceX + tile.offsetX;
          const ty = tile.row * advanceY + tile.offsetY;
          if (tx + tileWidth <= x || ty + tileHeight <= y || tx >= x + width || ty >= y + height) continue;
          found.add(tile);
        }
      }
    }
    return [...found]
      .sort((a, b) => b.row - a.row || b.col - a.col)
      .map((tile) => {
        // read_tiles' translation, after the extra cells' one, before the tile's own offset.
        const translateX = (tile.col - startX) * advanceX - offsetX;
        const translateY = (tile.row - startY) * advanceY - offsetY;
        return { tile, x: tile.offsetX + (translateX + baseX), y: tile.offsetY + (translateY + baseY) };
      });
  }
}

/** A cell's (or a bin's) key: exact for any column and row within +-2^26. */
function cellKey(col: number, row: number): number {
  return row * 2 ** 27 + col;
}
