// Whether points lie in a shape's area, each ring's edges indexed by horizontal band (the idea of JTS's
// IndexedPointInAreaLocator, which QuPath's hierarchy uses): a point is tested against the few edges
// that cross its band, not all 2,000 of a tissue outline, for each of millions of detection centroids.

import { type Box, shapeBounds, shapePolygons } from './annotation-geometry';
import type { Shape } from './annotations';

/** A shape's area, ready to be asked about many points. */
export interface AreaLocator {
  /** The area's bounds: no point outside them is in it. */
  box: Box;
  /**
   * Even-odd over a polygon's rings, in any of its polygons (pointInPolygons), or on an edge of one:
   * QuPath's hierarchy takes a point on an annotation's outline as in it (JTS's locate, not EXTERIOR).
   */
  contains(x: number, y: number): boolean;
}

/** A ring's edges by band: band b's edges (the index of each edge's end vertex, as pointInRing pairs them) are edges[starts[b]] up to edges[starts[b + 1]]. */
interface BandedRing {
  ring: readonly number[];
  minY: number;
  maxY: number;
  height: number;
  bands: number;
  starts: Uint32Array;
  edges: Uint32Array;
}

/** Band entries allowed an edge on average: past it (edges each spanning much of the ring's height, a zigzag) the bands are halved. */
const ENTRIES_PER_EDGE = 4;

function bandOf(ring: Pick<BandedRing, 'minY' | 'height' | 'bands'>, y: number): number {
  // Monotone in y: an edge from y0 to y1 is listed in every band a y between them falls in.
  return Math.min(ring.bands - 1, Math.max(0, Math.floor((y - ring.minY) / ring.height)));
}

function bandRing(ring: readonly number[]): BandedRing {
  const n = ring.length >> 1;
  let [minY, maxY] = [Infinity, -Infinity];
  for (let k = 1; k < ring.length; k += 2) [minY, maxY] = [Math.min(minY, ring[k]!), Math.max(maxY, ring[k]!)];
  const span = (shape: Pick<BandedRing, 'minY' | 'height' | 'bands'>, k: number): [number, number] => {
    const [y0, y1] = [ring[2 * k + 1]!, ring[2 * ((k + n - 1) % n) + 1]!];
    return [bandOf(shape, Math.min(y0, y1)), bandOf(shape, Math.max(y0, y1))];
  };
  let bands = Math.max(1, n);
  let entries = 0;
  for (;;) {
    const height = (maxY - minY) / bands;
    if (!(height > 0)) bands = 1;
    const shape = { minY, height: height > 0 ? height : 1, bands };
    entries = 0;
    for (let k = 0; k < n; k++) {
      const [b0, b1] = span(shape, k);
      entries += b1 - b0 + 1;
    }
    if (bands === 1 || entries <= ENTRIES_PER_EDGE * n) {
      const starts = new Uint32Array(bands + 1);
      for (let k = 0; k < n; k++) {
        const [b0, b1] = span(shape, k);
        for (let b = b0; b <= b1; b++) starts[b + 1]!++;
      }
      for (let b = 1; b <= bands; b++) starts[b]! += starts[b - 1]!;
      const edges = new Uint32Array(entries);
      const filled = starts.slice(0, bands);
      for (let k = 0; k < n; k++) {
        const [b0, b1] = span(shape, k);
        for (let b = b0; b <= b1; b++) edges[filled[b]!++] = k;
      }
      return { ring, minY, maxY, height: shape.height, bands, starts, edges };
    }
    bands = Math.max(1, bands >> 1);
  }
}

/** Where a point lies against a ring: inside, outside, or on an edge (JTS's Location). */
type Place = 'in' | 'out' | 'on';

/** pointInRing's even-odd test over the edges of the point's band only (the others cannot cross its row), and whether an edge passes through it. */
function placeInRing(banded: BandedRing, x: number, y: number): Place {
  if (!(y >= banded.minY && y <= banded.maxY)) return 'out';
  const { ring, starts, edges } = banded;
  const b = bandOf(banded, y);
  let inside = false;
  for (let e = starts[b]!; e < starts[b + 1]!; e++) {
    const i = 2 * edges[e]!;
    const j = i === 0 ? ring.length - 2 : i - 2;
    const [xi, yi, xj, yj] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
    // On the edge: between its ends and not off its line (exactly, as a vertex or an axis-aligned edge is).
    if (x >= Math.min(xi, xj) && x <= Math.max(xi, xj) && y >= Math.min(yi, yj) && y <= Math.max(yi, yj) && (xj - xi) * (y - yi) === (yj - yi) * (x - xi))
      return 'on';
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? 'in' : 'out';
}

/** A locator for the shape's area; null for a line or points, which have none. */
export function areaLocator(shape: Shape): AreaLocator | null {
  const polygons = shapePolygons(shape);
  if (polygons.length === 0) return null;
  const banded = polygons.map((rings) => rings.map(bandRing));
  const box = shapeBounds(shape);
  return {
    box,
    contains(x, y) {
      if (x < box.minX || x > box.maxX || y < box.minY || y > box.maxY) return false;
      for (const rings of banded) {
        let inside = false;
        for (const ring of rings) {
          const place = placeInRing(ring, x, y);
          if (place === 'on') return true;
          if (place === 'in') inside = !inside;
        }
        if (inside) return true;
      }
      return false;
    },
  };
}
