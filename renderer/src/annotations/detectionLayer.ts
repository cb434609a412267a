// A slide's layer of QuPath's detections: the set read from a file, its grid index, and how it is
// shown (which classes, outlines or filled, nuclei, opacity). Pure: the store, the drawing and the
// panel share these; what is under the pointer is found here by point in polygon.

import type { Box } from '../../../shared/annotation-geometry';
import { GridIndex } from '../../../shared/annotation-index';
import { detectionCentroid } from '../../../shared/detection-counts';
import {
  DEFAULT_DETECTION_DRAWING,
  DETECTION_KINDS,
  type DetectionDisplay,
  type DetectionDrawing,
  type DetectionKind,
  type DetectionSet,
} from '../../../shared/detections';

export interface DetectionLayer extends DetectionDrawing {
  set: DetectionSet;
  index: GridIndex;
  /** Per class (as `set.classes`), 1 where its detections are drawn. */
  shown: Uint8Array;
}

export function createLayer(set: DetectionSet): DetectionLayer {
  return { set, index: new GridIndex(set.boxes), shown: new Uint8Array(set.classes.length).fill(1), ...DEFAULT_DETECTION_DRAWING };
}

/** How the layer is shown, as remembered for the slide: the classes hidden by name. */
export function displayOf(layer: DetectionLayer): DetectionDisplay {
  const hidden = layer.set.classes.filter((_, i) => layer.shown[i] === 0).map((c) => c.name);
  return { hidden, style: layer.style, nuclei: layer.nuclei, opacity: layer.opacity };
}

/** The layer shown as remembered (a class no longer in the file is passed over). */
export function withDisplay(layer: DetectionLayer, display: DetectionDisplay): DetectionLayer {
  const hidden = new Set(display.hidden);
  const shown = Uint8Array.from(layer.set.classes, (c) => (hidden.has(c.name) ? 0 : 1));
  return { ...layer, shown, style: display.style, nuclei: display.nuclei, opacity: display.opacity };
}

/** Whether any of the set's cells has a nucleus outline. */
export function hasNuclei(set: DetectionSet): boolean {
  for (let i = 1; i < set.nuclei.length; i += 2) if (set.nuclei[i]! > 0) return true;
  return false;
}

/** The layer with one class shown or hidden (`which` null: all of them). */
export function withClassShown(layer: DetectionLayer, which: number | null, shown: boolean): DetectionLayer {
  const next = which === null ? new Uint8Array(layer.shown.length).fill(shown ? 1 : 0) : layer.shown.slice();
  if (which !== null) next[which] = shown ? 1 : 0;
  return { ...layer, shown: next };
}

/**
 * What an export draws of the layer, as the view shows it: how many detections, and the names of the
 * classes shown (absent while every one is: the engine draws all).
 */
export function drawnForExport(layer: DetectionLayer): { count: number; classes?: Array<string | null>; drawing: DetectionDrawing } {
  const { set, shown } = layer;
  const drawing = { style: layer.style, nuclei: layer.nuclei, opacity: layer.opacity };
  if (shown.every((s) => s === 1)) return { count: set.count, drawing };
  const classes = set.classes.filter((_, i) => shown[i] === 1);
  return { count: classes.reduce((sum, c) => sum + c.count, 0), classes: classes.map((c) => c.name), drawing };
}

/** Whether a ring of `set.rings` holds the point (even-odd: a self-crossing outline is read as drawn). */
export function ringHolds(set: DetectionSet, ring: number, x: number, y: number): boolean {
  const first = set.rings[ring * 2]!;
  const n = set.rings[ring * 2 + 1]!;
  const xy = set.xy;
  let inside = false;
  for (let k = 0, j = n - 1; k < n; j = k++) {
    const xk = xy[(first + k) * 2]!;
    const yk = xy[(first + k) * 2 + 1]!;
    const xj = xy[(first + j) * 2]!;
    const yj = xy[(first + j) * 2 + 1]!;
    if (yk > y !== yj > y && x < ((xj - xk) * (y - yk)) / (yj - yk) + xk) inside = !inside;
  }
  return inside;
}

/**
 * Whether a detection holds the point: even-odd over its outline's rings and its holes (a click in a
 * ring-shaped cell's hole, or between two parts, is not on it; an island in a hole is); a point
 * detection within `tolerance` of it (level-0 pixels).
 */
export function detectionHolds(set: DetectionSet, index: number, x: number, y: number, tolerance: number): boolean {
  const firstRing = set.outlines[index * 2]!;
  const rings = set.outlines[index * 2 + 1]!;
  let inside = false;
  for (let r = firstRing; r < firstRing + rings; r++) {
    if (set.rings[r * 2 + 1]! < 3) {
      // A point (or a degenerate ring): near any of its vertices.
      const first = set.rings[r * 2]!;
      for (let k = 0; k < set.rings[r * 2 + 1]!; k++) {
        if (Math.hypot(set.xy[(first + k) * 2]! - x, set.xy[(first + k) * 2 + 1]! - y) <= tolerance) return true;
      }
    } else if (ringHolds(set, r, x, y)) inside = !inside;
  }
  for (let r = set.holes[index * 2]!, end = r + set.holes[index * 2 + 1]!; r < end; r++) if (ringHolds(set, r, x, y)) inside = !inside;
  return inside;
}

/** The shown detection under a level-0 point (the smallest, where they overlap), or null. */
export function detectionAt(layer: DetectionLayer, x: number, y: number, tolerance: number): number | null {
  const { set, shown } = layer;
  const query: Box = { minX: x - tolerance, minY: y - tolerance, maxX: x + tolerance, maxY: y + tolerance };
  let best: number | null = null;
  let bestArea = Infinity;
  layer.index.visit(query, (i) => {
    if (!shown[set.classOf[i]!] || !detectionHolds(set, i, x, y, tolerance)) return;
    const area = (set.boxes[i * 4 + 2]! - set.boxes[i * 4]!) * (set.boxes[i * 4 + 3]! - set.boxes[i * 4 + 1]!);
    if (area < bestArea) {
      best = i;
      bestArea = area;
    }
  });
  return best;
}

/** The shown detections whose box meets `box` (level-0), nearest first to (x, y) by their centroids: the keyboard's order. */
export function detectionsNearest(layer: DetectionLayer, box: Box, x: number, y: number): number[] {
  const { set, shown } = layer;
  const found: Array<{ i: number; d: number }> = [];
  layer.index.visit(box, (i) => {
    if (!shown[set.classOf[i]!]) return;
    const c = detectionCentroid(set, i);
    found.push({ i, d: (c.x - x) ** 2 + (c.y - y) ** 2 });
  });
  return found.sort((a, b) => a.d - b.d || a.i - b.i).map((f) => f.i);
}

/**
 * The position in a keyboard order (detectionsNearest's) `by` one from `from` (wrapping round), past
 * the detections of the classes the layer hides now; null when it hides them all.
 */
export function stepShown(layer: DetectionLayer, order: readonly number[], from: number, by: 1 | -1): number | null {
  for (let n = 1; n <= order.length; n++) {
    const k = (((from + by * n) % order.length) + order.length) % order.length;
    if (layer.shown[layer.set.classOf[order[k]!]!]) return k;
  }
  return null;
}

/**
 * A detection's kind, where the set tells it: a cell when it has a nucleus, else the one kind the file
 * holds; null when it mixes kinds (the set counts kinds but keeps none per detection).
 */
export function detectionKind(set: DetectionSet, index: number): DetectionKind {
  return DETECTION_KINDS[set.kindOf[index]!]!;
}
