// How many of QuPath's detections an annotation holds, by class: QuPath's rule, a detection belongs to
// the annotation its centroid lies in (the hierarchy resolved by ROI centroid), so the counts read as
// its "Num Detections" and "Num Tumor" measurements do. Per mm² where the slide gives its pixel size.

import { measureShape } from './annotation-geometry';
import { GridIndex } from './annotation-index';
import type { Shape } from './annotations';
import { areaLocator } from './area-locator';
import type { DetectionSet } from './detections';
import { finish, type Sliced } from './slices';
import type { Mpp } from './slide';

/**
 * A detection's centroid in level-0 pixels: its area's (its outline's rings less its holes, as JTS's
 * getCentroid), or its vertices' mean where they enclose none (points).
 */
export function detectionCentroid(set: DetectionSet, i: number): { x: number; y: number } {
  let [weight, cx, cy, sx, sy, n] = [0, 0, 0, 0, 0, 0];
  /** Adds the rings of `table`'s entry i, their areas weighing `sign` (a hole's -1, whichever way round it runs). */
  const add = (table: Uint32Array, sign: number): void => {
    const [first, count] = [table[2 * i]!, table[2 * i + 1]!];
    for (let ring = first; ring < first + count; ring++) {
      const [start, size] = [set.rings[2 * ring]!, set.rings[2 * ring + 1]!];
      // About the ring's first vertex: coordinates far from the origin lose nothing in the products.
      const [x0, y0] = [set.xy[2 * start]!, set.xy[2 * start + 1]!];
      let [twiceArea, mx, my] = [0, 0, 0];
      for (let k = 0; k < size; k++) {
        const next = start + ((k + 1) % size);
        const [x1, y1] = [set.xy[2 * (start + k)]! - x0, set.xy[2 * (start + k) + 1]! - y0];
        const [x2, y2] = [set.xy[2 * next]! - x0, set.xy[2 * next + 1]! - y0];
        const cross = x1 * y2 - x2 * y1;
        twiceArea += cross;
        mx += (x1 + x2) * cross;
        my += (y1 + y2) * cross;
        if (sign > 0) {
          sx += x1 + x0;
          sy += y1 + y0;
          n++;
        }
      }
      if (twiceArea === 0) continue;
      const w = sign * Math.abs(twiceArea);
      cx += w * (mx / (3 * twiceArea) + x0);
      cy += w * (my / (3 * twiceArea) + y0);
      weight += w;
    }
  };
  add(set.outlines, 1);
  add(set.holes, -1);
  return weight > 0 ? { x: cx / weight, y: cy / weight } : { x: sx / n, y: sy / n };
}

/**
 * Every detection's centroid (detectionCentroid) as x, y pairs, and the detections' boxes indexed: a
 * shape then looks only at the detections near it (2 million of them, in each of 1,000 annotations).
 */
export interface DetectionCentroids {
  xy: Float64Array;
  /** The set's boxes (a centroid lies within its detection's). */
  near: GridIndex;
}

/** Detections worked through between two turns of a caller's event loop (tens of ms of centroids or placing). */
export const DETECTIONS_A_SLICE = 32_768;

/** The set's centroids (detectionCentroid) as x, y pairs, a slice of detections at a time. */
export function* slicedCentroids(set: DetectionSet): Sliced<Float64Array> {
  const xy = new Float64Array(2 * set.count);
  for (let i = 0; i < set.count; i++) {
    if (i > 0 && i % DETECTIONS_A_SLICE === 0) yield;
    const { x, y } = detectionCentroid(set, i);
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
  }
  return xy;
}

export function detectionCentroids(set: DetectionSet): DetectionCentroids {
  return { xy: finish(slicedCentroids(set)), near: new GridIndex(set.boxes) };
}

export interface DetectionCount {
  /** The detections inside, of every class. */
  total: number;
  /** Of each class of the set (its index). */
  byClass: number[];
  /** The shape's area in mm², where the slide gives its pixel size (for densities); null otherwise. */
  areaMm2: number | null;
}

/**
 * Calls `found` with each detection whose centroid lies in the shape (inside an outer ring, outside its
 * holes); false, calling nothing, for a line or points, which hold none.
 */
export function forEachDetectionIn(centroids: DetectionCentroids, shape: Shape, found: (index: number) => void): boolean {
  const area = areaLocator(shape);
  if (!area) return false;
  const { xy } = centroids;
  centroids.near.visit(area.box, (i) => {
    if (area.contains(xy[2 * i]!, xy[2 * i + 1]!)) found(i);
  });
  return true;
}

/** The detections whose centroid lies in the shape (inside an outer ring, outside its holes); null for a line or points, which hold none. */
export function countDetectionsIn(set: DetectionSet, centroids: DetectionCentroids, shape: Shape, mpp: Mpp | null): DetectionCount | null {
  const byClass = set.classes.map(() => 0);
  let total = 0;
  const area = forEachDetectionIn(centroids, shape, (i) => {
    byClass[set.classOf[i]!]!++;
    total++;
  });
  if (!area) return null;
  const measured = mpp ? measureShape(shape, mpp).area : undefined;
  return { total, byClass, areaMm2: measured === undefined ? null : measured / 1e6 };
}
