// A uniform grid over the annotations' bounding boxes, so that drawing a view or hit-testing the
// pointer looks only at the annotations near it: of 10,000 cells counted on a slide, a view at 10x
// holds a few hundred. Built in one pass (milliseconds for 10,000 boxes) and rebuilt whenever the
// annotations change. Boxes that would cover very many grid cells (a tissue outline) are kept on a
// list every query returns.

import type { Box } from './annotation-geometry';

/** Grid cells per side at most: 256 x 256 buckets. */
const MAX_SIDE = 256;
/** A box over more grid cells than this goes on the list every query returns. */
const MAX_CELLS_PER_BOX = 64;

export class GridIndex {
  readonly #boxes: readonly Box[];
  readonly #cells: Map<number, number[]> = new Map();
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

  constructor(boxes: readonly Box[]) {
    this.#boxes = boxes;
    this.#seen = new Uint32Array(boxes.length);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let sizes = 0;
    for (const b of boxes) {
      minX = Math.min(minX, b.minX);
      minY = Math.min(minY, b.minY);
      maxX = Math.max(maxX, b.maxX);
      maxY = Math.max(maxY, b.maxY);
      sizes += Math.max(b.maxX - b.minX, b.maxY - b.minY);
    }
    const extent = boxes.length > 0 ? Math.max(maxX - minX, maxY - minY, 1) : 1;
    // Cells about twice a typical box, but no more than MAX_SIDE a side.
    const typical = boxes.length > 0 ? sizes / boxes.length : extent;
    this.#cellSize = Math.max(extent / MAX_SIDE, typical * 2, 1e-9);
    this.#originX = boxes.length > 0 ? minX : 0;
    this.#originY = boxes.length > 0 ? minY : 0;
    this.#cols = Math.ceil(extent / this.#cellSize) + 1;
    this.#extent = { minX, minY, maxX, maxY };
    boxes.forEach((box, i) => {
      const [c0, r0, c1, r1] = this.#span(box.minX, box.minY, box.maxX, box.maxY);
      if ((c1 - c0 + 1) * (r1 - r0 + 1) > MAX_CELLS_PER_BOX) {
        this.#large.push(i);
        return;
      }
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const key = r * this.#cols + c;
          const cell = this.#cells.get(key);
          if (cell) cell.push(i);
          else this.#cells.set(key, [i]);
        }
      }
    });
  }

  get size(): number {
    return this.#boxes.length;
  }

  #span(minX: number, minY: number, maxX: number, maxY: number): [number, number, number, number] {
    const last = this.#cols - 1;
    const cell = (value: number, origin: number) => Math.min(last, Math.max(0, Math.floor((value - origin) / this.#cellSize)));
    return [cell(minX, this.#originX), cell(minY, this.#originY), cell(maxX, this.#originX), cell(maxY, this.#originY)];
  }

  /** Indices of the boxes that intersect the rectangle, each once, in no particular order. */
  search(query: Box): number[] {
    const out: number[] = [];
    if (this.#boxes.length === 0) return out;
    if (query.minX <= this.#extent.minX && query.minY <= this.#extent.minY && query.maxX >= this.#extent.maxX && query.maxY >= this.#extent.maxY) {
      return this.#boxes.map((_, i) => i);
    }
    this.#stamp = (this.#stamp + 1) >>> 0 || 1;
    if (this.#stamp === 1) this.#seen.fill(0);
    const take = (i: number): void => {
      if (this.#seen[i] === this.#stamp) return;
      this.#seen[i] = this.#stamp;
      const b = this.#boxes[i]!;
      if (b.maxX >= query.minX && b.minX <= query.maxX && b.maxY >= query.minY && b.minY <= query.maxY) out.push(i);
    };
    for (const i of this.#large) take(i);
    const [c0, r0, c1, r1] = this.#span(query.minX, query.minY, query.maxX, query.maxY);
    // A query far wider than the annotations (the whole slide at fit) visits each cell once.
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = this.#cells.get(r * this.#cols + c);
        if (cell) for (const i of cell) take(i);
      }
    }
    return out;
  }
}
