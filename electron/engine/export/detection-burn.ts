// QuPath's detections drawn into an exported image, straight into its pixels: a whole-slide
// thumbnail may show 200,000 cells, which as SVG would be tens of megabytes for librsvg to parse.
// A detection smaller than two output pixels is one pixel of its class's colour (at a thumbnail's
// scale, cells become a map of where each class lies); a larger one its outline and its holes' (as the
// view outlines them), one pixel wide, two once it is large on the image, and a cell's nucleus inside it;
// a point a circle of DETECTION_POINT_RADIUS at any scale, as the view draws it.
// Drawn as the view shows them: filled under the outline (even-odd, its holes left empty) and the layer
// at its opacity, each pixel blended once however many outlines cross it, as the view's canvas is.

import {
  DEFAULT_DETECTION_DRAWING,
  DETECTION_FILL_ALPHA,
  DETECTION_POINT_RADIUS,
  type DetectionDrawing,
  type DetectionSet,
  HOLE_MIN_VERTICES,
} from '../../../shared/detections';
import { finishTurning, type Sliced } from '../../../shared/slices';
import type { RgbImage } from '../../../shared/slide';
import { throwIfAborted } from '../errors';
import { drawable } from '../pixels';
import type { ImageView } from './annotation-burn';

/** Below this size on the image (output pixels) a detection is one pixel. */
const DOT_BELOW = 2;
/** From this size its outline is drawn two pixels wide. */
const WIDE_FROM = 32;
/** From this size a cell's nucleus is drawn too. */
const NUCLEUS_FROM = 8;

/** How long the drawing runs before it lets the thread answer (a cancel, the lane's watchdog): 200,000 cells of a region take seconds. */
const SLICE_MS = 50;

export interface BurnDetectionsOptions {
  /** Aborted: CANCELLED, seen between slices of SLICE_MS. */
  signal?: AbortSignal | undefined;
  /** Whether each class (by index) is drawn; absent: all. */
  shown?: readonly boolean[] | undefined;
  drawing?: DetectionDrawing | undefined;
  /** Draws into the image's own pixels (the caller's alone): the largest export is not held twice. */
  inPlace?: boolean | undefined;
}

/**
 * Draws the detections that fall in the image (a copy of it, unless `inPlace`); answers it and the
 * classes drawn (indices into set.classes).
 */
export async function burnDetections(
  image: RgbImage,
  set: DetectionSet,
  view: ImageView,
  { signal, shown, drawing = DEFAULT_DETECTION_DRAWING, inPlace = false }: BurnDetectionsOptions = {},
): Promise<{ image: RgbImage; drawn: Set<number> }> {
  throwIfAborted(signal);
  const out = drawable(image, inPlace);
  const { width, height, channels, data } = out;
  const drawn = new Set<number>();
  const colours = set.classes.map((c) => c.color);
  const fill = drawing.style === 'fill';
  const opacity = drawing.opacity;
  // A bit a pixel (50 MB at the largest export), only where blending needs it: a pixel an outline has
  // blended is not blended again by another outline (opaque ones overwrite), nor by a fill (under them).
  const marked = opacity < 1 || fill ? new Uint8Array(Math.ceil((width * height) / 8)) : null;
  let [r, g, b] = [0, 0, 0];
  /** The class's colour over the pixel at `alpha`, rounded as a canvas rounds. */
  const blend = (at: number, alpha: number): void => {
    data[at] = Math.round(data[at]! + (r - data[at]!) * alpha);
    data[at + 1] = Math.round(data[at + 1]! + (g - data[at + 1]!) * alpha);
    data[at + 2] = Math.round(data[at + 2]! + (b - data[at + 2]!) * alpha);
  };
  const plot = (x: number, y: number): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const pixel = y * width + x;
    const at = pixel * channels;
    if (marked) {
      const seen = marked[pixel >> 3]! & (1 << (pixel & 7));
      marked[pixel >> 3]! |= 1 << (pixel & 7);
      if (opacity < 1) {
        if (!seen) blend(at, opacity);
        return;
      }
    }
    data[at] = r;
    data[at + 1] = g;
    data[at + 2] = b;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, wide: boolean): void => {
    // Clipped to the image first (Liang-Barsky): a vertex far outside it costs no steps.
    let [t0, t1] = [0, 1];
    const [ddx, ddy] = [x1 - x0, y1 - y0];
    for (const [p, q] of [
      [-ddx, x0 + 1],
      [ddx, width - x0],
      [-ddy, y0 + 1],
      [ddy, height - y0],
    ] as const) {
      if (p === 0) {
        if (q < 0) return;
      } else if (p < 0) t0 = Math.max(t0, q / p);
      else t1 = Math.min(t1, q / p);
    }
    if (t0 > t1) return;
    // Bresenham; a wide line is the same steps with the pixel beside each.
    let [x, y] = [Math.round(x0 + t0 * ddx), Math.round(y0 + t0 * ddy)];
    const [xe, ye] = [Math.round(x0 + t1 * ddx), Math.round(y0 + t1 * ddy)];
    const dx = Math.abs(xe - x);
    const dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1;
    const sy = y < ye ? 1 : -1;
    let error = dx + dy;
    for (;;) {
      plot(x, y);
      if (wide) dx >= -dy ? plot(x, y + 1) : plot(x + 1, y);
      if (x === xe && y === ye) return;
      const twice = 2 * error;
      if (twice >= dy) {
        error += dy;
        x += sx;
      }
      if (twice <= dx) {
        error += dx;
        y += sy;
      }
    }
  };
  /** A point's circle, as the view draws it at any scale (midpoint circle: each octant's pixels). */
  const circle = (x: number, y: number): void => {
    const [cx, cy] = [Math.floor(x), Math.floor(y)];
    for (let dx = 0, dy = DETECTION_POINT_RADIUS, error = 1 - DETECTION_POINT_RADIUS; dx <= dy; dx++) {
      for (const [u, v] of [
        [dx, dy],
        [dy, dx],
      ] as const) {
        plot(cx + u, cy + v);
        plot(cx - u, cy + v);
        plot(cx + u, cy - v);
        plot(cx - u, cy - v);
      }
      if (error < 0) error += 2 * dx + 3;
      else error += 2 * (dx - dy--) + 5;
    }
  };
  /** A point's disc inside its circle, filled under it. */
  const disc = (x: number, y: number): void => {
    const [cx, cy] = [Math.floor(x), Math.floor(y)];
    const r = DETECTION_POINT_RADIUS;
    for (let v = -r; v <= r; v++)
      for (let u = -r; u <= r; u++) {
        const [px, py] = [cx + u, cy + v];
        if (u * u + v * v > r * r || px < 0 || py < 0 || px >= width || py >= height) continue;
        const pixel = py * width + px;
        if (!(marked![pixel >> 3]! & (1 << (pixel & 7)))) blend(pixel * channels, fillOpacity);
      }
  };
  const pointDisc = (ring: number): void => {
    const at = set.rings[2 * ring]!;
    disc((set.xy[2 * at]! - view.x) * view.scaleX, (set.xy[2 * at + 1]! - view.y) * view.scaleY);
  };
  /** Whether the detection is a point (or points): a ring of one position, drawn as a circle. */
  const isPoint = (i: number): boolean => set.rings[2 * set.outlines[2 * i]! + 1] === 1;
  /** Outlines a detection's rings of `table`, passing over those of fewer than `minVertices`. */
  const outline = (table: Uint32Array, i: number, wide: boolean, minVertices = 1): void => {
    const [first, count] = [table[2 * i]!, table[2 * i + 1]!];
    for (let ring = first; ring < first + count; ring++) {
      const [start, n] = [set.rings[2 * ring]!, set.rings[2 * ring + 1]!];
      if (n < minVertices) continue;
      const px = (k: number) => (set.xy[2 * (start + (k % n))]! - view.x) * view.scaleX;
      const py = (k: number) => (set.xy[2 * (start + (k % n)) + 1]! - view.y) * view.scaleY;
      if (n === 1) circle(px(0), py(0));
      else for (let k = 0; k < n; k++) line(px(k), py(k), px(k + 1), py(k + 1), wide);
    }
  };
  /** The detection's area's edges in output pixels (x0, y0, x1, y1 each): its outline's rings and its holes. */
  const areaEdges = (i: number): Float64Array => {
    const rings: number[] = [];
    const take = (table: Uint32Array, minVertices: number) => {
      for (let ring = table[2 * i]!, end = ring + table[2 * i + 1]!; ring < end; ring++)
        if (set.rings[2 * ring + 1]! >= Math.max(3, minVertices)) rings.push(ring);
    };
    take(set.outlines, 3);
    take(set.holes, HOLE_MIN_VERTICES);
    const edges = new Float64Array(4 * rings.reduce((sum, ring) => sum + set.rings[2 * ring + 1]!, 0));
    let e = 0;
    for (const ring of rings) {
      const [start, n] = [set.rings[2 * ring]!, set.rings[2 * ring + 1]!];
      for (let k = 0; k < n; k++) {
        const [from, to] = [start + k, start + ((k + 1) % n)];
        edges[e++] = (set.xy[2 * from]! - view.x) * view.scaleX;
        edges[e++] = (set.xy[2 * from + 1]! - view.y) * view.scaleY;
        edges[e++] = (set.xy[2 * to]! - view.x) * view.scaleX;
        edges[e++] = (set.xy[2 * to + 1]! - view.y) * view.scaleY;
      }
    }
    return edges;
  };
  const fillOpacity = DETECTION_FILL_ALPHA * opacity;
  /**
   * Fills the detection's area even-odd (its holes empty), pixel centres inside, under what is marked;
   * yields after each row. A row looks only at the edges that span it (taken in order of their tops), so a
   * tissue outline of 20,000 vertices costs its crossings, not 20,000 tests, on each of its rows.
   */
  function* fillArea(i: number, box: Float32Array): Sliced<void> {
    const edges = areaEdges(i);
    const tops = new Float64Array(edges.length / 4);
    for (let e = 0; e < tops.length; e++) tops[e] = Math.min(edges[4 * e + 1]!, edges[4 * e + 3]!);
    const byTop = byValue(tops);
    const top = Math.max(0, Math.ceil((box[1]! - view.y) * view.scaleY - 0.5));
    const bottom = Math.min(height - 1, Math.floor((box[3]! - view.y) * view.scaleY - 0.5));
    const active: number[] = [];
    const crossings: number[] = [];
    let next = 0;
    for (let y = top; y <= bottom; y++) {
      const cy = y + 0.5;
      // An edge crosses the row's centre when one end is at or above it and the other below.
      while (next < byTop.length && tops[byTop[next]!]! <= cy) active.push(4 * byTop[next++]!);
      let kept = 0;
      crossings.length = 0;
      for (const e of active) {
        const [y0, y1] = [edges[e + 1]!, edges[e + 3]!];
        if (y0 <= cy && y1 <= cy) continue;
        active[kept++] = e;
        crossings.push(edges[e]! + ((cy - y0) * (edges[e + 2]! - edges[e]!)) / (y1 - y0));
      }
      active.length = kept;
      crossings.sort((a, c) => a - c);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        const to = Math.min(width - 1, Math.floor(crossings[k + 1]! - 0.5));
        for (let x = Math.max(0, Math.ceil(crossings[k]! - 0.5)); x <= to; x++) {
          const pixel = y * width + x;
          if (marked![pixel >> 3]! & (1 << (pixel & 7))) continue;
          blend(pixel * channels, fillOpacity);
        }
      }
      yield;
    }
  }
  const [minX, minY] = [view.x, view.y];
  const [maxX, maxY] = [view.x + width / view.scaleX, view.y + height / view.scaleY];
  /** Each drawn detection's index in turn, its class's colour set; yields after each drawn and every 256 passed over. */
  function* forEachDrawn(draw: (i: number, box: Float32Array, size: number) => Sliced<void>): Sliced<void> {
    for (let i = 0; i < set.count; i++) {
      if (i % 256 === 0) yield;
      const box = set.boxes.subarray(4 * i, 4 * i + 4);
      if (box[2]! < minX || box[0]! > maxX || box[3]! < minY || box[1]! > maxY) continue;
      const cls = set.classOf[i]!;
      if (shown && !shown[cls]) continue;
      [r, g, b] = colours[cls]!;
      drawn.add(cls);
      yield* draw(i, box, Math.max((box[2]! - box[0]!) * view.scaleX, (box[3]! - box[1]!) * view.scaleY));
    }
  }
  /** Runs the drawing, letting the thread answer (a cancel, the lane's watchdog) at the first yield after each SLICE_MS. */
  const finishSliced = (work: Sliced<void>) =>
    finishTurning(
      work,
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal);
      },
      SLICE_MS,
    );
  // Outlines first, marking their pixels, so that the fills (drawn after, under them) leave those alone.
  await finishSliced(
    forEachDrawn(function* (i, box, size) {
      if (size < DOT_BELOW && !isPoint(i))
        plot(Math.floor(((box[0]! + box[2]!) / 2 - view.x) * view.scaleX), Math.floor(((box[1]! + box[3]!) / 2 - view.y) * view.scaleY));
      else {
        outline(set.outlines, i, size >= WIDE_FROM);
        outline(set.holes, i, size >= WIDE_FROM, HOLE_MIN_VERTICES);
        if (drawing.nuclei && size >= NUCLEUS_FROM) outline(set.nuclei, i, false);
      }
      yield;
    }),
  );
  if (fill)
    await finishSliced(
      forEachDrawn(function* (i, box, size) {
        if (isPoint(i)) for (let ring = set.outlines[2 * i]!, end = ring + set.outlines[2 * i + 1]!; ring < end; ring++) pointDisc(ring);
        else if (size >= DOT_BELOW) yield* fillArea(i, box);
      }),
    );
  return { image: out, drawn };
}

/** The indexes of `values` in the order of their values: by insertion for a cell's few, which a comparator's sort costs more than its pixels. */
function byValue(values: Float64Array): Uint32Array {
  const order = Uint32Array.from(values.keys());
  if (order.length > 16) return order.sort((a, b) => values[a]! - values[b]!);
  for (let k = 1; k < order.length; k++) {
    const index = order[k]!;
    let at = k;
    for (; at > 0 && values[order[at - 1]!]! > values[index]!; at--) order[at] = order[at - 1]!;
    order[at] = index;
  }
  return order;
}
