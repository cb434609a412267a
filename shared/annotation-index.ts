// A uniform grid over bounding boxes, so that drawing a view or hit-testing the pointer looks only at
// the shapes near it: of 10,000 cells counted on a slide, a view at 10x holds a few hundred. Built in
// two passes into flat arrays (a cell's entries side by side), so that QuPath's 200,000 detections,
// whose boxes come as one Float32Array, are indexed without an object or a list per box; rebuilt
// whenever the annotations change. Boxes that would cover very many grid cells (a tissue outline)
// are kept on a list every query returns.

import type { Box } from './annotation-geometry';

/** Boxes as (minX, minY, maxX, maxY) runs, one per shape. */
export type FlatBoxes = Float32Array | Float64Array;

/** Grid cells per side at most: 256 x 256 buckets. */
const MAX_SIDE = 256;
/** A box over more grid cells than this goes on the list every query returns. */
const MAX_CELLS_PER_BOX = 64;

function flatten(boxes: readonly Box[]): Float64Array {
  const flat = new Float64Array(boxes.length * 4);
  boxes.forEach((b, i) => {
    flat.set([b.minX, b.minY, b.maxX, b.maxY], i * 4);
  });
  return flat;
}

export class GridIndex {
  readonly #boxes: FlatBoxes;
  readonly #count: number;
  /** Grid cell k's entries are #entries[#starts[k]] up to #entries[#starts[k + 1]]. */
  readonly #starts: Uint32Array;
  readonly #entries: Uint32Array;
  readonly #large: number[] = [];
  readonly #originX: number;
  readonly #originY: number;
  readonly #cellSize: number;
  readonly #cols: number;
  /** What all the boxes cover: a query over all of it (the slide at fit) takes every box without a lookup. */
  readonly #extent: Box;
  /** Per query, marks the boxes already returned (a box spans several cells). */
  readonly #seen: Uint32Array;
  #stamp = 0;

  constructor(boxes: readonly Box[] | FlatBoxes) {
    const flat = Array.isArray(boxes) ? flatten(boxes) : (boxes as FlatBoxes);
    this.#boxes = flat;
    const count = flat.length >> 2;
    this.#count = count;
    this.#seen = new Uint32Array(count);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let sizes = 0;
    for (let i = 0; i < flat.length; i += 4) {
      minX = Math.min(minX, flat[i]!);
      minY = Math.min(minY, flat[i + 1]!);
      maxX = Math.max(maxX, flat[i + 2]!);
      maxY = Math.max(maxY, flat[i + 3]!);
      sizes += Math.max(flat[i + 2]! - flat[i]!, flat[i + 3]! - flat[i + 1]!);
    }
    const extent = count > 0 ? Math.max(maxX - minX, maxY - minY, 1) : 1;
    // Cells about twice a typical box, but no more than MAX_SIDE a side.
    const typical = count > 0 ? sizes / count : extent;
    this.#cellSize = Math.max(extent / MAX_SIDE, typical * 2, 1e-9);
    this.#originX = count > 0 ? minX : 0;
    this.#originY = count > 0 ? minY : 0;
    this.#cols = Math.ceil(extent / this.#cellSize) + 1;
    this.#extent = { minX, minY, maxX, maxY };
    const cells = this.#cols * this.#cols;
    // First pass: how many boxes each cell holds (and which boxes are large); second: where they go.
    const sizesOf = new Uint32Array(cells + 1);
    const large = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const [c0, r0, c1, r1] = this.#span(flat[i * 4]!, flat[i * 4 + 1]!, flat[i * 4 + 2]!, flat[i * 4 + 3]!);
      if ((c1 - c0 + 1) * (r1 - r0 + 1) > MAX_CELLS_PER_BOX) {
        large[i] = 1;
        this.#large.push(i);
        continue;
      }
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) sizesOf[r * this.#cols + c + 1]!++;
    }
    for (let k = 1; k <= cells; k++) sizesOf[k]! += sizesOf[k - 1]!;
    this.#starts = sizesOf;
    this.#entries = new Uint32Array(sizesOf[cells]!);
    const filled = sizesOf.slice(0, cells);
    for (let i = 0; i < count; i++) {
      if (large[i]) continue;
      const [c0, r0, c1, r1] = this.#span(flat[i * 4]!, flat[i * 4 + 1]!, flat[i * 4 + 2]!, flat[i * 4 + 3]!);
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) this.#entries[filled[r * this.#cols + c]!++] = i;
    }
  }

  get size(): number {
    return this.#count;
  }

  /** The grid column (or row) of a coordinate, clamped to the grid. */
  #cell(value: number, origin: number): number {
    return Math.min(this.#cols - 1, Math.max(0, Math.floor((value - origin) / this.#cellSize)));
  }

  #span(minX: number, minY: number, maxX: number, maxY: number): [number, number, number, number] {
    return [this.#cell(minX, this.#originX), this.#cell(minY, this.#originY), this.#cell(maxX, this.#originX), this.#cell(maxY, this.#originY)];
  }

  /** Calls `take` with the index of each box that intersects the rectangle, once each, in no particular order. */
  visit(query: Box, take: (index: number) => void): void {
    const count = this.#count;
    if (count === 0) return;
    if (query.minX <= this.#extent.minX && query.minY <= this.#extent.minY && query.maxX >= this.#extent.maxX && query.maxY >= this.#extent.maxY) {
      for (let i = 0; i < count; i++) take(i);
      return;
    }
    this.#stamp = (this.#stamp + 1) >>> 0 || 1;
    if (this.#stamp === 1) this.#seen.fill(0);
    const boxes = this.#boxes;
    const seen = this.#seen;
    const stamp = this.#stamp;
    const meets = (i: number): boolean => {
      if (seen[i] === stamp) return false;
      seen[i] = stamp;
      const o = i * 4;
      return boxes[o + 2]! >= query.minX && boxes[o]! <= query.maxX && boxes[o + 3]! >= query.minY && boxes[o + 1]! <= query.maxY;
    };
    for (const i of this.#large) if (meets(i)) take(i);
    const [c0, r0, c1, r1] = this.#span(query.minX, query.minY, query.maxX, query.maxY);
    // A query far wider than the boxes (the whole slide at fit) visits each cell once.
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const k = r * this.#cols + c;
        for (let e = this.#starts[k]!, end = this.#starts[k + 1]!; e < end; e++) {
          const i = this.#entries[e]!;
          if (meets(i)) take(i);
        }
      }
    }
  }

  /** Indices of the boxes that intersect the rectangle, each once, in no particular order. */
  search(query: Box): number[] {
    const out: number[] = [];
    this.visit(query, (i) => out.push(i));
    return out;
  }
}
