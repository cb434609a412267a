// Where each object sits in QuPath's hierarchy, worked out from the shapes as QuPath resolves it: a
// detection under the smallest annotation whose area holds its centroid, an annotation under the
// smallest other one that holds it whole, the rest under the image. An outline holds what lies on it
// (QuPath asks JTS whether a point is not exterior, whether a shape covers another). Its "Parent" column names that.

import { measureShape, shapeBounds, shapePolygons } from './annotation-geometry';
import type { Annotation, Shape } from './annotations';
import { areaLocator } from './area-locator';
import { type DetectionCentroids, forEachDetectionIn } from './detection-counts';
import type { DetectionSet } from './detections';

/** No annotation holds it: the image (QuPath's root object) is its parent. */
export const IMAGE_PARENT = -1;

/**
 * The annotations' indexes, largest area first; of equal ones the earlier first, which holds the later
 * (two equal shapes nest one way, not both), so that a detection in both is the later one's, the deeper.
 */
function largestFirst(shapes: readonly Shape[]): number[] {
  const areas = shapes.map((shape) => measureShape(shape, null).area ?? 0);
  return shapes.map((_, i) => i).sort((a, b) => areas[b]! - areas[a]! || a - b);
}

/**
 * Each detection's parent: the index of the smallest annotation (by area) whose area holds its centroid,
 * as QuPath's hierarchy places it (the deepest); IMAGE_PARENT where none does.
 */
export function detectionParents(set: DetectionSet, centroids: DetectionCentroids, shapes: readonly Shape[]): Int32Array {
  const parents = new Int32Array(set.count).fill(IMAGE_PARENT);
  // Larger ones first, each smaller one overwriting: the smallest that holds a centroid is left.
  for (const a of largestFirst(shapes))
    forEachDetectionIn(centroids, shapes[a]!, (i) => {
      parents[i] = a;
    });
  return parents;
}

/** A shape's vertices as x, y pairs (an ellipse's as drawn): what must lie inside another for it to hold the shape. */
function vertices(shape: Shape): readonly number[] {
  return shape.kind === 'line' || shape.kind === 'point' ? shape.points : shapePolygons(shape).flatMap((rings) => rings[0]!);
}

/**
 * Each annotation's parent: the index of the smallest other annotation with an area that holds every
 * vertex of it (QuPath nests one annotation in another that covers it), before it in largestFirst's
 * order; IMAGE_PARENT where none does. By vertices: an
 * edge of a concave parent crossing between two of them is not seen.
 */
export function annotationParents(shapes: readonly Shape[]): Int32Array {
  const parents = new Int32Array(shapes.length).fill(IMAGE_PARENT);
  const order = largestFirst(shapes);
  const rank = new Int32Array(shapes.length);
  order.forEach((a, r) => {
    rank[a] = r;
  });
  const areas = shapes.map(areaLocator);
  shapes.forEach((shape, child) => {
    const points = vertices(shape);
    const box = shapeBounds(shape);
    // The smallest holder is the latest in the order before the child.
    for (let r = rank[child]! - 1; r >= 0; r--) {
      const holder = areas[order[r]!];
      if (!holder || box.minX < holder.box.minX || box.minY < holder.box.minY || box.maxX > holder.box.maxX || box.maxY > holder.box.maxY) continue;
      let inside = true;
      for (let k = 0; k + 1 < points.length && inside; k += 2) inside = holder.contains(points[k]!, points[k + 1]!);
      if (inside) {
        parents[child] = order[r]!;
        return;
      }
    }
  });
  return parents;
}

/**
 * A parent as QuPath's "Parent" column names it (PathObject.getDisplayedName): the annotation's name,
 * else its class, else its Java class's name; the root object is "Image".
 */
export function parentName(annotations: readonly Annotation[], parent: number): string {
  if (parent === IMAGE_PARENT) return 'Image';
  const a = annotations[parent]!;
  return a.name || a.classification || 'PathAnnotationObject';
}
