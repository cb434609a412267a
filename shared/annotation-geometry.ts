// Geometry of annotations in level-0 pixels: measurements in µm (level-0 pixels times the slide's
// microns per pixel, x and y apart, so anisotropic pixels measure true), bounds, outlines, moves,
// hit tests and the simplification of a freehand stroke. Pure arithmetic: the viewer, the exports
// and the CLI measure and draw with the same code.

import type { BoxShape, Shape } from './annotations';
import { type NumberWriter, plainNumber } from './number-format';
import type { Mpp } from './slide';

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * Physical sizes when the slide records its pixel size (µm, µm²), else level-0 pixels. Lines have a
 * length, closed shapes an area and a perimeter, points a count.
 */
export interface Measurement {
  unit: 'µm' | 'px';
  length?: number;
  area?: number;
  perimeter?: number;
  count?: number;
}

/** Vertices of an ellipse's outline: a multiple of 4, so that the 4 extremes are vertices. */
export const ELLIPSE_VERTICES = 72;

export function shapeBounds(shape: Shape): Box {
  switch (shape.kind) {
    case 'rectangle':
    case 'ellipse':
      return { minX: shape.x0, minY: shape.y0, maxX: shape.x1, maxY: shape.y1 };
    case 'line':
    case 'point':
      return pointsBounds([shape.points]);
    case 'polygon':
    case 'freehand':
      return pointsBounds(shape.polygons.map((rings) => rings[0]!));
  }
}

function pointsBounds(lists: readonly (readonly number[])[]): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of lists) {
    for (let i = 0; i < p.length; i += 2) {
      const x = p[i]!;
      const y = p[i + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return { minX, minY, maxX, maxY };
}

/** A rectangle's ring, clockwise from its top-left corner on screen (y down). */
export function boxRing(box: Pick<BoxShape, 'x0' | 'y0' | 'x1' | 'y1'>): number[] {
  return [box.x0, box.y0, box.x1, box.y0, box.x1, box.y1, box.x0, box.y1];
}

/**
 * An ellipse's outline as a ring of `n` vertices (a multiple of 4), from its rightmost point. The
 * extremes are the box's own coordinates, so the envelope of the ring is exactly the box (QuPath reads
 * an ellipse back from its polygon's envelope).
 */
export function ellipseRing(box: Pick<BoxShape, 'x0' | 'y0' | 'x1' | 'y1'>, n = ELLIPSE_VERTICES): number[] {
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const rx = (box.x1 - box.x0) / 2;
  const ry = (box.y1 - box.y0) / 2;
  const quarter = n / 4;
  const ring: number[] = [];
  for (let k = 0; k < n; k++) {
    if (k % quarter === 0) {
      const q = k / quarter;
      ring.push(q === 0 ? box.x1 : q === 2 ? box.x0 : cx, q === 1 ? box.y1 : q === 3 ? box.y0 : cy);
      continue;
    }
    // Inside the box, whatever the rounding: the box's corners stay the envelope.
    const angle = (2 * Math.PI * k) / n;
    ring.push(clamp(cx + rx * Math.cos(angle), box.x0, box.x1), clamp(cy + ry * Math.sin(angle), box.y0, box.y1));
  }
  return ring;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Closed outlines of a shape as polygons of rings (rectangle and ellipse included); none for lines and points. */
export function shapePolygons(shape: Shape): number[][][] {
  switch (shape.kind) {
    case 'rectangle':
      return [[boxRing(shape)]];
    case 'ellipse':
      return [[ellipseRing(shape)]];
    case 'polygon':
    case 'freehand':
      return shape.polygons;
    case 'line':
    case 'point':
      return [];
  }
}

// ---- Measurements ------------------------------------------------------------------------------

/** Twice the signed area of a ring, in µm² (or px²) after scaling x and y. */
function ringArea2(ring: readonly number[], sx: number, sy: number): number {
  let sum = 0;
  const n = ring.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    sum += ring[i]! * ring[j + 1]! - ring[j]! * ring[i + 1]!;
  }
  return sum * sx * sy;
}

function pathLength(points: readonly number[], sx: number, sy: number, closed: boolean): number {
  let sum = 0;
  const n = points.length;
  const last = closed ? n : n - 2;
  for (let i = 0; i < last; i += 2) {
    const j = (i + 2) % n;
    sum += Math.hypot((points[j]! - points[i]!) * sx, (points[j + 1]! - points[i + 1]!) * sy);
  }
  return sum;
}

/** An ellipse's perimeter (Ramanujan's second approximation: exact for a circle, within 1e-9 relative for the rest). */
export function ellipsePerimeter(a: number, b: number): number {
  if (a + b === 0) return 0;
  const h = ((a - b) / (a + b)) ** 2;
  return Math.PI * (a + b) * (1 + (3 * h) / (10 + Math.sqrt(4 - 3 * h)));
}

/** Length, area and perimeter of a shape: level-0 pixels scaled by µm per pixel in x and in y, or pixels when mpp is null. */
export function measureShape(shape: Shape, mpp: Mpp | null): Measurement {
  const sx = mpp?.x ?? 1;
  const sy = mpp?.y ?? 1;
  const unit = mpp ? 'µm' : 'px';
  switch (shape.kind) {
    case 'line':
      return { unit, length: pathLength(shape.points, sx, sy, false) };
    case 'point':
      return { unit, count: shape.points.length / 2 };
    case 'rectangle': {
      const w = (shape.x1 - shape.x0) * sx;
      const h = (shape.y1 - shape.y0) * sy;
      return { unit, area: w * h, perimeter: 2 * (w + h) };
    }
    case 'ellipse': {
      const a = ((shape.x1 - shape.x0) / 2) * sx;
      const b = ((shape.y1 - shape.y0) / 2) * sy;
      return { unit, area: Math.PI * a * b, perimeter: ellipsePerimeter(a, b) };
    }
    case 'polygon':
    case 'freehand': {
      let area = 0;
      let perimeter = 0;
      for (const rings of shape.polygons) {
        rings.forEach((ring, i) => {
          const a = Math.abs(ringArea2(ring, sx, sy)) / 2;
          area += i === 0 ? a : -a;
          perimeter += pathLength(ring, sx, sy, true);
        });
      }
      return { unit, area, perimeter };
    }
  }
}

/**
 * A shape's centroid in level-0 pixels: of its area for closed shapes (holes taken out), of its
 * length for a line (a two-point ruler's midpoint), of its points for points.
 */
export function shapeCentroid(shape: Shape): { x: number; y: number } {
  switch (shape.kind) {
    case 'rectangle':
    case 'ellipse':
      return { x: (shape.x0 + shape.x1) / 2, y: (shape.y0 + shape.y1) / 2 };
    case 'point':
      return vertexMean(shape.points);
    case 'line': {
      let length = 0;
      let x = 0;
      let y = 0;
      for (let i = 0; i + 3 < shape.points.length; i += 2) {
        const [x0, y0, x1, y1] = [shape.points[i]!, shape.points[i + 1]!, shape.points[i + 2]!, shape.points[i + 3]!];
        const d = Math.hypot(x1 - x0, y1 - y0);
        length += d;
        x += ((x0 + x1) / 2) * d;
        y += ((y0 + y1) / 2) * d;
      }
      return length > 0 ? { x: x / length, y: y / length } : vertexMean(shape.points);
    }
    case 'polygon':
    case 'freehand': {
      let area = 0;
      let x = 0;
      let y = 0;
      for (const rings of shape.polygons) {
        rings.forEach((ring, r) => {
          // Each ring's first moments, signed so that an outer ring adds and a hole takes away.
          const a2 = ringArea2(ring, 1, 1);
          const sign = (r === 0 ? 1 : -1) * Math.sign(a2);
          let mx = 0;
          let my = 0;
          for (let i = 0; i < ring.length; i += 2) {
            const j = (i + 2) % ring.length;
            const cross = ring[i]! * ring[j + 1]! - ring[j]! * ring[i + 1]!;
            mx += (ring[i]! + ring[j]!) * cross;
            my += (ring[i + 1]! + ring[j + 1]!) * cross;
          }
          area += (sign * a2) / 2;
          x += (sign * mx) / 6;
          y += (sign * my) / 6;
        });
      }
      return area > 0 ? { x: x / area, y: y / area } : vertexMean(shape.polygons.flatMap((rings) => rings[0]!));
    }
  }
}

function vertexMean(points: readonly number[]): { x: number; y: number } {
  let x = 0;
  let y = 0;
  for (let i = 0; i < points.length; i += 2) {
    x += points[i]!;
    y += points[i + 1]!;
  }
  const n = points.length / 2;
  return { x: x / n, y: y / n };
}

const SIGNIFICANT = 4;

/** "12.35 µm", "1.235 mm", or "123.4 px" for a slide without a pixel size. */
export function formatLength(value: number, unit: Measurement['unit'], write: NumberWriter = plainNumber): string {
  const significant = (v: number): string => write(v, { significant: SIGNIFICANT });
  if (unit === 'px') return `${significant(value)} px`;
  return value >= 1000 ? `${significant(value / 1000)} mm` : `${significant(value)} µm`;
}

/** "456.7 µm²", "0.1235 mm²" (from 10,000 µm² up), or "4567 px²". */
export function formatArea(value: number, unit: Measurement['unit'], write: NumberWriter = plainNumber): string {
  const significant = (v: number): string => write(v, { significant: SIGNIFICANT });
  if (unit === 'px') return `${significant(value)} px²`;
  return value >= 10_000 ? `${significant(value / 1e6)} mm²` : `${significant(value)} µm²`;
}

// ---- Editing -------------------------------------------------------------------------------------

function translated(points: readonly number[], dx: number, dy: number): number[] {
  return points.map((value, i) => value + (i % 2 === 0 ? dx : dy));
}

export function translateShape(shape: Shape, dx: number, dy: number): Shape {
  switch (shape.kind) {
    case 'rectangle':
    case 'ellipse':
      return { kind: shape.kind, x0: shape.x0 + dx, y0: shape.y0 + dy, x1: shape.x1 + dx, y1: shape.y1 + dy };
    case 'line':
    case 'point':
      return { kind: shape.kind, points: translated(shape.points, dx, dy) };
    case 'polygon':
    case 'freehand':
      return { kind: shape.kind, polygons: shape.polygons.map((rings) => rings.map((ring) => translated(ring, dx, dy))) };
  }
}

/** A box from two corners in any order; null when it has no width or height. */
export function boxFromCorners(kind: BoxShape['kind'], ax: number, ay: number, bx: number, by: number): BoxShape | null {
  const shape = { kind, x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) };
  return shape.x1 > shape.x0 && shape.y1 > shape.y0 ? shape : null;
}

/**
 * The vertices a user can drag: a box's 4 corners (top-left, top-right, bottom-right, bottom-left),
 * every vertex of the others, as [x, y] with the place each came from.
 */
export interface Handle {
  x: number;
  y: number;
  /** polygon index, ring index, vertex index (lines and points: 0, 0, vertex; boxes: 0, 0, corner). */
  at: [number, number, number];
}

export function shapeHandles(shape: Shape): Handle[] {
  const handles: Handle[] = [];
  const add = (points: readonly number[], p: number, r: number) => {
    for (let i = 0; i < points.length; i += 2) handles.push({ x: points[i]!, y: points[i + 1]!, at: [p, r, i / 2] });
  };
  switch (shape.kind) {
    case 'rectangle':
    case 'ellipse':
      add(boxRing(shape), 0, 0);
      break;
    case 'line':
    case 'point':
      add(shape.points, 0, 0);
      break;
    case 'polygon':
    case 'freehand':
      shape.polygons.forEach((rings, p) => {
        for (const [r, ring] of rings.entries()) add(ring, p, r);
      });
      break;
  }
  return handles;
}

/** The shape with one handle moved to (x, y); a box keeps the opposite corner where it was. */
export function moveHandle(shape: Shape, at: Handle['at'], x: number, y: number): Shape {
  const [p, r, i] = at;
  switch (shape.kind) {
    case 'rectangle':
    case 'ellipse': {
      const corners = boxRing(shape);
      const opposite = (i + 2) % 4;
      return boxFromCorners(shape.kind, corners[opposite * 2]!, corners[opposite * 2 + 1]!, x, y) ?? shape;
    }
    case 'line':
    case 'point': {
      const points = [...shape.points];
      points[i * 2] = x;
      points[i * 2 + 1] = y;
      return { kind: shape.kind, points };
    }
    case 'polygon':
    case 'freehand':
      return {
        kind: shape.kind,
        polygons: shape.polygons.map((rings, pi) =>
          pi !== p
            ? rings
            : rings.map((ring, ri) => {
                if (ri !== r) return ring;
                const next = [...ring];
                next[i * 2] = x;
                next[i * 2 + 1] = y;
                return next;
              }),
        ),
      };
  }
}

// ---- Hit tests -----------------------------------------------------------------------------------

/** Whether flat x, y points hold at least `count` distinct positions (a ring needs 3: [0,0],[1,1],[0,0] is none). */
export function hasDistinctPositions(points: readonly number[], count: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + 1 < points.length && seen.size < count; i += 2) seen.add(`${points[i]},${points[i + 1]}`);
  return seen.size >= count;
}

/** Even-odd test of a point against a ring. */
export function pointInRing(ring: readonly number[], x: number, y: number): boolean {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = ring[i]!;
    const yi = ring[i + 1]!;
    const xj = ring[j]!;
    const yj = ring[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies in polygons (each a list of rings, the first outer): even-odd over a polygon's rings, in any of them. */
export function pointInPolygons(polygons: readonly (readonly (readonly number[])[])[], x: number, y: number): boolean {
  return polygons.some((rings) => rings.reduce((inside, ring) => (pointInRing(ring, x, y) ? !inside : inside), false));
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : clamp(((px - ax) * dx + (py - ay) * dy) / length2, 0, 1);
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function pathDistance(points: readonly number[], x: number, y: number, closed: boolean): number {
  const n = points.length;
  if (n === 2) return Math.hypot(x - points[0]!, y - points[1]!);
  let best = Infinity;
  const last = closed ? n : n - 2;
  for (let i = 0; i < last; i += 2) {
    const j = (i + 2) % n;
    best = Math.min(best, segmentDistance(x, y, points[i]!, points[i + 1]!, points[j]!, points[j + 1]!));
  }
  return best;
}

/** Whether a point (level-0) touches a shape: inside a closed one, or within `tolerance` of its outline, line or points. */
export function hitsShape(shape: Shape, x: number, y: number, tolerance: number): boolean {
  switch (shape.kind) {
    case 'line':
      return pathDistance(shape.points, x, y, false) <= tolerance;
    case 'point':
      for (let i = 0; i < shape.points.length; i += 2) if (Math.hypot(x - shape.points[i]!, y - shape.points[i + 1]!) <= tolerance) return true;
      return false;
    default:
      for (const rings of shapePolygons(shape)) {
        if (rings.some((ring) => pathDistance(ring, x, y, true) <= tolerance)) return true;
        const inHole = rings.slice(1).some((ring) => pointInRing(ring, x, y));
        if (pointInRing(rings[0]!, x, y) && !inHole) return true;
      }
      return false;
  }
}

// ---- Simplification ------------------------------------------------------------------------------

/**
 * Douglas-Peucker simplification of a path of flat coordinates: drops vertices closer than
 * `tolerance` to the line through their neighbours. A freehand stroke of hundreds of pointer
 * samples keeps the few dozen vertices that make its outline.
 */
export function simplifyPath(points: readonly number[], tolerance: number): number[] {
  const n = points.length / 2;
  if (n <= 2) return [...points];
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: Array<[number, number]> = [[0, n - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    let worst = -1;
    let worstDistance = tolerance;
    for (let i = first + 1; i < last; i++) {
      const d = segmentDistance(points[i * 2]!, points[i * 2 + 1]!, points[first * 2]!, points[first * 2 + 1]!, points[last * 2]!, points[last * 2 + 1]!);
      if (d > worstDistance) {
        worst = i;
        worstDistance = d;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([first, worst], [worst, last]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(points[i * 2]!, points[i * 2 + 1]!);
  return out;
}
