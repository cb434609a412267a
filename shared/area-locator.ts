// Whether points lie in a shape's area, each ring's edges indexed by horizontal band (the idea of JTS's
// IndexedPointInAreaLocator, which QuPath's hierarchy uses): a point is tested against the few edges
// that cross its band, not all 2,000 of a tissue outline, for each of millions of detection centroids.
// A segment is tested against the edges of the bands it spans, so that whether one annotation covers
// another (QuPath's JTS covers) looks at the edges near the child's, not all of the parent's.

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
  /**
   * Whether the whole segment lies in the area or on its outline: its ends do, and each piece of it
   * between the points where it meets an edge does (one point of a piece tells, as it crosses none).
   */
  coversSegment(ax: number, ay: number, bx: number, by: number): boolean;
  /**
   * A point in each part of every hole that the area leaves open (an island inside a hole splits it), as
   * x, y pairs: a shape whose outline the area covers is covered unless it holds one of these.
   */
  gaps(): readonly number[];
}

/** What a locator looked at, for tests that bound it: the edges it met a segment with. */
export interface LocatorTally {
  edges: number;
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

/** The edges of the ring's bands from y0 to y1 (y0 <= y1), each once: `meet` with its end vertex's index, as pointInRing pairs them. */
function forEachEdgeIn(banded: BandedRing, y0: number, y1: number, meet: (i: number) => void): void {
  if (y1 < banded.minY || y0 > banded.maxY) return;
  const { ring, starts, edges } = banded;
  const [b0, b1] = [bandOf(banded, y0), bandOf(banded, y1)];
  for (let b = b0; b <= b1; b++) {
    for (let e = starts[b]!; e < starts[b + 1]!; e++) {
      const i = 2 * edges[e]!;
      const j = i === 0 ? ring.length - 2 : i - 2;
      // An edge is listed in every band it spans: met in the first of them the query spans.
      if (b === b0 || bandOf(banded, Math.min(ring[i + 1]!, ring[j + 1]!)) === b) meet(i);
    }
  }
}

/**
 * Where the segment from a to b meets the edge from c to d, as fractions of the way along a to b: the one
 * point where they cross, both ends of the stretch they share where they lie on one line, or none.
 */
function meetings(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): [number, number] | null {
  const [rx, ry, sx, sy, qx, qy] = [bx - ax, by - ay, dx - cx, dy - cy, cx - ax, cy - ay];
  const denominator = rx * sy - ry * sx;
  if (denominator !== 0) {
    const [t, u] = [(qx * sy - qy * sx) / denominator, (qx * ry - qy * rx) / denominator];
    return t >= 0 && t <= 1 && u >= 0 && u <= 1 ? [t, t] : null;
  }
  if (qx * ry - qy * rx !== 0) return null;
  const length2 = rx * rx + ry * ry;
  const [t0, t1] = [(qx * rx + qy * ry) / length2, ((dx - ax) * rx + (dy - ay) * ry) / length2];
  const [from, to] = [Math.max(0, Math.min(t0, t1)), Math.min(1, Math.max(t0, t1))];
  return from <= to ? [from, to] : null;
}

/** A locator for the shape's area; null for a line or points, which have none. */
export function areaLocator(shape: Shape, tally?: LocatorTally): AreaLocator | null {
  const polygons = shapePolygons(shape);
  if (polygons.length === 0) return null;
  const banded = polygons.map((rings) => rings.map(bandRing));
  const box = shapeBounds(shape);
  const contains = (x: number, y: number): boolean => {
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
  };
  let gaps: number[] | undefined;
  return {
    box,
    contains,
    coversSegment(ax, ay, bx, by) {
      if (!contains(ax, ay) || !contains(bx, by)) return false;
      if (ax === bx && ay === by) return true;
      const [minX, maxX] = [Math.min(ax, bx), Math.max(ax, bx)];
      // The fractions where it meets an edge, and the stretches it runs along one (on the outline, whichever side is in).
      const cuts = [0, 1];
      const along: number[] = [];
      for (const rings of banded)
        for (const ring of rings)
          forEachEdgeIn(ring, Math.min(ay, by), Math.max(ay, by), (i) => {
            const r = ring.ring;
            const j = i === 0 ? r.length - 2 : i - 2;
            const [cx, cy, dx, dy] = [r[i]!, r[i + 1]!, r[j]!, r[j + 1]!];
            if (Math.max(cx, dx) < minX || Math.min(cx, dx) > maxX) return;
            if (tally) tally.edges++;
            const met = meetings(ax, ay, bx, by, cx, cy, dx, dy);
            if (!met) return;
            cuts.push(met[0], met[1]);
            if (met[0] < met[1]) along.push(met[0], met[1]);
          });
      cuts.sort((a, b) => a - b);
      for (let k = 0; k + 1 < cuts.length; k++) {
        const [from, to] = [cuts[k]!, cuts[k + 1]!];
        if (from === to) continue;
        let onEdge = false;
        for (let s = 0; s < along.length && !onEdge; s += 2) onEdge = along[s]! <= from && to <= along[s + 1]!;
        const t = (from + to) / 2;
        if (!onEdge && !contains(ax + t * (bx - ax), ay + t * (by - ay))) return false;
      }
      return true;
    },
    gaps() {
      gaps ??= banded.flatMap((rings) => rings.slice(1).flatMap((hole) => holeGaps(hole, banded, contains)));
      return gaps;
    },
  };
}

/**
 * Points in the open parts of a hole: along a row through it that passes no vertex of its own (the middle
 * of its widest gap in y), between each two edges of the area it crosses, those in the hole and not in the area.
 */
function holeGaps(hole: BandedRing, banded: readonly (readonly BandedRing[])[], contains: (x: number, y: number) => boolean): number[] {
  const ys = [...new Set(hole.ring.filter((_, k) => k % 2 === 1))].sort((a, b) => a - b);
  let y = Number.NaN;
  for (let k = 0, widest = 0; k + 1 < ys.length; k++) if (ys[k + 1]! - ys[k]! > widest) [widest, y] = [ys[k + 1]! - ys[k]!, (ys[k]! + ys[k + 1]!) / 2];
  if (Number.isNaN(y)) return [];
  const xs: number[] = [];
  for (const rings of banded)
    for (const ring of rings)
      forEachEdgeIn(ring, y, y, (i) => {
        const r = ring.ring;
        const j = i === 0 ? r.length - 2 : i - 2;
        const [xi, yi, xj, yj] = [r[i]!, r[i + 1]!, r[j]!, r[j + 1]!];
        if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
      });
  xs.sort((a, b) => a - b);
  const points: number[] = [];
  for (let k = 0; k + 1 < xs.length; k++) {
    const x = (xs[k]! + xs[k + 1]!) / 2;
    if (xs[k]! < xs[k + 1]! && placeInRing(hole, x, y) === 'in' && !contains(x, y)) points.push(x, y);
  }
  return points;
}
