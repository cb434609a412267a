// Where each object sits in QuPath's hierarchy, worked out from the shapes as QuPath resolves it: a
// detection under the smallest annotation whose area holds its centroid, an annotation under the
// smallest other one that covers it (JTS's covers: no point of it outside), the rest under the image.
// An outline holds what lies on it (QuPath asks JTS whether a point is not exterior, whether a shape
// covers another). Its "Parent" column names that.

import { type Box, measureShape, shapeBounds, shapePolygons } from './annotation-geometry';
import type { Annotation, Shape } from './annotations';
import { type AreaLocator, areaLocator, type LocatorTally } from './area-locator';
import { DETECTIONS_A_SLICE } from './detection-counts';
import type { DetectionSet } from './detections';
import { finish, type Sliced } from './slices';

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

/** Grid cells a side at most. */
const MAX_SIDE = 256;
/** Cell entries allowed a box on average: past it (boxes each over much of the slide) the grid is coarsened. */
const ENTRIES_PER_BOX = 16;

/**
 * The areas' boxes by grid cell, each cell's list the reverse of largestFirst's order (the smallest, the
 * deepest parent, first): a point's or a shape's candidate parents are its cell's few, not all of them.
 */
interface SmallestFirstGrid {
  /** The cell holding the point, or -1 outside every box. */
  cell(x: number, y: number): number;
  /** Cell k's areas are entries[starts[k]] up to entries[starts[k + 1]]. */
  starts: Uint32Array;
  entries: Uint32Array;
}

function smallestFirstGrid(areas: readonly (AreaLocator | null)[], order: readonly number[]): SmallestFirstGrid {
  const [minX, minY, maxX, maxY] = areas.reduce(
    (e, area) => (area ? [Math.min(e[0], area.box.minX), Math.min(e[1], area.box.minY), Math.max(e[2], area.box.maxX), Math.max(e[3], area.box.maxY)] : e),
    [Infinity, Infinity, -Infinity, -Infinity],
  );
  const held = order.filter((a) => areas[a]);
  let side = MAX_SIDE;
  const [width, height] = [() => (maxX - minX) / side || 1, () => (maxY - minY) / side || 1];
  const at = (value: number, min: number, size: number) => Math.min(side - 1, Math.max(0, Math.floor((value - min) / size)));
  const span = ({ box }: AreaLocator): [number, number, number, number] => [
    at(box.minX, minX, width()),
    at(box.minY, minY, height()),
    at(box.maxX, minX, width()),
    at(box.maxY, minY, height()),
  ];
  const count = () =>
    held.reduce((sum, a) => {
      const [c0, r0, c1, r1] = span(areas[a]!);
      return sum + (c1 - c0 + 1) * (r1 - r0 + 1);
    }, 0);
  while (side > 1 && count() > ENTRIES_PER_BOX * held.length) side >>= 1;
  const starts = new Uint32Array(side * side + 1);
  const cover = (a: number, add: (k: number) => void) => {
    const [c0, r0, c1, r1] = span(areas[a]!);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) add(r * side + c);
  };
  for (const a of held) cover(a, (k) => starts[k + 1]!++);
  for (let k = 1; k < starts.length; k++) starts[k]! += starts[k - 1]!;
  const entries = new Uint32Array(starts[side * side]!);
  const filled = starts.slice(0, side * side);
  for (let r = held.length - 1; r >= 0; r--) cover(held[r]!, (k) => (entries[filled[k]!++] = held[r]!));
  const [w, h] = [width(), height()];
  return {
    cell: (x, y) => (x < minX || x > maxX || y < minY || y > maxY ? -1 : at(y, minY, h) * side + at(x, minX, w)),
    starts,
    entries,
  };
}

const boxHolds = (box: Box, x: number, y: number) => x >= box.minX && x <= box.maxX && y >= box.minY && y <= box.maxY;

/** Where a slide's detections sit under its annotations. */
export interface DetectionPlaces {
  /** Each detection's parent: the smallest annotation (by area) whose area holds its centroid, as QuPath's hierarchy places it (the deepest); IMAGE_PARENT where none does. */
  parents: Int32Array;
  /** Annotation a's detections of class c, counted as countDetectionsIn counts them (every one whose centroid its area holds): byClass[a * classes + c]. */
  byClass: Uint32Array;
}

/**
 * The detections' parents and every annotation's counts by class, from their centroids (x, y pairs), in one
 * pass over the detections a slice at a time: each tested against the areas listed in its cell only.
 */
export function* placeDetections(set: DetectionSet, xy: Float64Array, shapes: readonly Shape[]): Sliced<DetectionPlaces> {
  const areas = shapes.map((shape) => areaLocator(shape));
  const { cell, starts, entries } = smallestFirstGrid(areas, largestFirst(shapes));
  const parents = new Int32Array(set.count).fill(IMAGE_PARENT);
  const classes = set.classes.length;
  const byClass = new Uint32Array(shapes.length * classes);
  for (let i = 0; i < set.count; i++) {
    if (i > 0 && i % DETECTIONS_A_SLICE === 0) yield;
    const [x, y] = [xy[2 * i]!, xy[2 * i + 1]!];
    const k = cell(x, y);
    if (k < 0) continue;
    for (let e = starts[k]!; e < starts[k + 1]!; e++) {
      const a = entries[e]!;
      const area = areas[a]!;
      if (!boxHolds(area.box, x, y) || !area.contains(x, y)) continue;
      // Smallest first: the first that holds it is its parent.
      if (parents[i] === IMAGE_PARENT) parents[i] = a;
      byClass[a * classes + set.classOf[i]!]!++;
    }
  }
  return { parents, byClass };
}

/** What annotationParents looked at, for tests that bound it: the candidate parents of each annotation, and the parents' edges met with its own. */
export interface HierarchyTally extends LocatorTally {
  candidates: number;
}

/**
 * Whether the area covers the shape, as JTS's covers: every point of the child in the area or on its
 * outline. Its vertices are, each of its edges (or a line's segments) is, and, for an area, it holds
 * none of the parent's holes (its outline may run round one).
 */
function covers(parent: AreaLocator, child: Shape, childArea: AreaLocator | null): boolean {
  const paths = child.kind === 'line' || child.kind === 'point' ? [child.points] : shapePolygons(child).flat();
  for (const path of paths) for (let k = 0; k + 1 < path.length; k += 2) if (!parent.contains(path[k]!, path[k + 1]!)) return false;
  if (child.kind === 'point') return true;
  for (const path of paths) {
    // A ring's last edge closes it; a line's has none.
    const end = child.kind === 'line' ? path.length - 2 : path.length;
    for (let k = 0; k < end; k += 2) {
      const next = (k + 2) % path.length;
      if (!parent.coversSegment(path[k]!, path[k + 1]!, path[next]!, path[next + 1]!)) return false;
    }
  }
  const gaps = childArea ? parent.gaps() : [];
  for (let k = 0; k < gaps.length; k += 2) if (childArea?.contains(gaps[k]!, gaps[k + 1]!)) return false;
  return true;
}

/** Annotations worked through between two turns of an engine lane's loop (each maybe a tissue outline's thousands of vertices). */
const ANNOTATIONS_PER_SLICE = 256;

/**
 * Each annotation's parent: the index of the smallest other annotation with an area that covers it
 * (QuPath nests one annotation in another that covers it), before it in largestFirst's order;
 * IMAGE_PARENT where none does. Its candidates are the areas listed in its box's corner's cell.
 */
export function annotationParents(shapes: readonly Shape[], tally?: HierarchyTally): Int32Array {
  return finish(slicedAnnotationParents(shapes, tally));
}

/** annotationParents a slice of ANNOTATIONS_PER_SLICE at a time (10,000 annotations take seconds). */
export function* slicedAnnotationParents(shapes: readonly Shape[], tally?: HierarchyTally): Sliced<Int32Array> {
  const parents = new Int32Array(shapes.length).fill(IMAGE_PARENT);
  const order = largestFirst(shapes);
  const rank = new Int32Array(shapes.length);
  order.forEach((a, r) => {
    rank[a] = r;
  });
  const areas: Array<AreaLocator | null> = [];
  for (const shape of shapes) {
    areas.push(areaLocator(shape, tally));
    if (areas.length % ANNOTATIONS_PER_SLICE === 0) yield;
  }
  const { cell, starts, entries } = smallestFirstGrid(areas, order);
  for (const [child, shape] of shapes.entries()) {
    if (child > 0 && child % ANNOTATIONS_PER_SLICE === 0) yield;
    const box = shapeBounds(shape);
    const k = cell(box.minX, box.minY);
    if (k < 0) continue;
    for (let e = starts[k]!; e < starts[k + 1]!; e++) {
      if (tally) tally.candidates++;
      const a = entries[e]!;
      const holder = areas[a]!;
      if (rank[a]! >= rank[child]! || box.minX < holder.box.minX || box.minY < holder.box.minY || box.maxX > holder.box.maxX || box.maxY > holder.box.maxY)
        continue;
      if (covers(holder, shape, areas[child] ?? null)) {
        parents[child] = a;
        break;
      }
    }
  }
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
