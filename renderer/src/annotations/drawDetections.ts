// Draws a layer of QuPath's detections (200,000 cells and more) on a 2D canvas under the annotations,
// fast enough to pan and zoom in software Chromium:
// - only what the grid index finds in the view, and of the classes shown, is looked at;
// - many in view (the slide at fit: each cell a pixel or two) are written as class-coloured pixels of
//   an ImageData at the canvas's resolution, one putImageData, where 200,000 paths took ~10x longer;
// - fewer are drawn as annotations are (drawAnnotations.ts): a path per class colour, stroked every
//   SHAPES_PER_STROKE shapes, hairlines for small ones, a dot for those under a few screen pixels, an
//   outline's vertices closer than a pixel and a half to the last one drawn skipped.
// The layer's opacity is the canvas's CSS opacity: no cost here.

import { rgbToCss } from '../../../shared/annotations';
import { DETECTION_FILL_ALPHA, DETECTION_POINT_RADIUS, HOLE_MIN_VERTICES } from '../../../shared/detections';
import type { DetectionLayer } from './detectionLayer';
import { transformScale, type ViewTransform, viewBox } from './drawAnnotations';

/** More detections in view than this are written as pixels. */
export const PIXELS_ABOVE = 20_000;
/** Below this size on screen (CSS px) a detection is a dot. */
const DOT_BELOW_PX = 3;
/** Below this, its outline is a hairline (one device pixel); above, LINE_WIDTH. */
const HAIRLINE_BELOW_PX = 24;
const LINE_WIDTH = 1.5;
/** A nucleus is drawn when its cell is at least this large on screen. */
const NUCLEUS_FROM_PX = 8;
const VERTEX_STEP_PX = 1.5;
const SHAPES_PER_STROKE = 200;

/** Buffers kept from frame to frame by the one canvas that draws with them. */
export interface DrawScratch {
  found: Uint32Array;
  byClass: Uint32Array;
  image: ImageData | null;
}

export function createScratch(): DrawScratch {
  return { found: new Uint32Array(1024), byClass: new Uint32Array(1024), image: null };
}

export type DrawMode = 'empty' | 'paths' | 'pixels';

/** Draws the layer's shown detections in the view; the canvas is cleared first. Answers how. */
export function drawDetections(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  t: ViewTransform,
  layer: DetectionLayer,
  ratio: number,
  scratch: DrawScratch,
): DrawMode {
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const { set, shown } = layer;
  // The detections in view, of the classes shown.
  let n = 0;
  let found = scratch.found;
  const classOf = set.classOf;
  layer.index.visit(viewBox(t, width, height, DETECTION_POINT_RADIUS + LINE_WIDTH), (i) => {
    if (!shown[classOf[i]!]) return;
    if (n === found.length) {
      const bigger = new Uint32Array(found.length * 2);
      bigger.set(found);
      found = bigger;
    }
    found[n++] = i;
  });
  scratch.found = found;
  if (n === 0) return 'empty';
  if (n > PIXELS_ABOVE) {
    drawPixels(ctx, Math.round(width * ratio), Math.round(height * ratio), t, layer, ratio, scratch, n);
    return 'pixels';
  }
  drawPaths(ctx, t, layer, ratio, scratch, n);
  return 'paths';
}

/** The class colours packed as the canvas's RGBA bytes read as one little-endian Uint32. */
function packedColours(layer: DetectionLayer): Uint32Array {
  return Uint32Array.from(layer.set.classes, ({ color: [r, g, b] }) => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0);
}

function drawPixels(
  ctx: CanvasRenderingContext2D,
  pw: number,
  ph: number,
  t: ViewTransform,
  layer: DetectionLayer,
  ratio: number,
  scratch: DrawScratch,
  n: number,
): void {
  if (pw === 0 || ph === 0) return;
  let image = scratch.image;
  if (!image || image.width !== pw || image.height !== ph) {
    image = new ImageData(pw, ph);
    scratch.image = image;
  }
  const pixels = new Uint32Array(image.data.buffer);
  pixels.fill(0);
  const colours = packedColours(layer);
  const { boxes, classOf } = layer.set;
  const outline = layer.style === 'outline';
  // Level-0 to device pixels.
  const a = t.a * ratio;
  const b = t.b * ratio;
  const c = t.c * ratio;
  const d = t.d * ratio;
  const e = t.e * ratio;
  const f = t.f * ratio;
  const found = scratch.found;
  for (let k = 0; k < n; k++) {
    const i = found[k]!;
    const o = i * 4;
    // The viewer's rotations are quarter turns: a box's opposite corners give the screen box.
    const x0 = a * boxes[o]! + c * boxes[o + 1]! + e;
    const y0 = b * boxes[o]! + d * boxes[o + 1]! + f;
    const x1 = a * boxes[o + 2]! + c * boxes[o + 3]! + e;
    const y1 = b * boxes[o + 2]! + d * boxes[o + 3]! + f;
    const left = Math.max(0, Math.floor(Math.min(x0, x1)));
    const top = Math.max(0, Math.floor(Math.min(y0, y1)));
    const right = Math.min(pw - 1, Math.max(left, Math.ceil(Math.max(x0, x1)) - 1));
    const bottom = Math.min(ph - 1, Math.max(top, Math.ceil(Math.max(y0, y1)) - 1));
    if (left > right || top > bottom) continue;
    const colour = colours[classOf[i]!]!;
    // Outlined and large enough to show a hole: the box's edge only.
    const hollow = outline && right - left >= 3 && bottom - top >= 3;
    for (let y = top; y <= bottom; y++) {
      const row = y * pw;
      if (hollow && y !== top && y !== bottom) {
        pixels[row + left] = colour;
        pixels[row + right] = colour;
      } else pixels.fill(colour, row + left, row + right + 1);
    }
  }
  ctx.putImageData(image, 0, 0);
}

function drawPaths(ctx: CanvasRenderingContext2D, t: ViewTransform, layer: DetectionLayer, ratio: number, scratch: DrawScratch, n: number): void {
  const { set } = layer;
  const { boxes, classOf, outlines, nuclei, holes, rings, xy } = set;
  const scale = transformScale(t);
  // The found detections sorted by class (a counting sort), so that each class is one run of paths.
  const classes = set.classes.length;
  const starts = new Uint32Array(classes + 1);
  for (let k = 0; k < n; k++) starts[classOf[scratch.found[k]!]! + 1]!++;
  for (let c = 1; c <= classes; c++) starts[c]! += starts[c - 1]!;
  if (scratch.byClass.length < n) scratch.byClass = new Uint32Array(scratch.found.length);
  const byClass = scratch.byClass;
  const next = starts.slice(0, classes);
  for (let k = 0; k < n; k++) {
    const i = scratch.found[k]!;
    byClass[next[classOf[i]!]!++] = i;
  }

  /** Traces a ring (a ring of one vertex: a point's dot). */
  const traceRing = (ring: number): void => {
    const first = rings[ring * 2]!;
    const count = rings[ring * 2 + 1]!;
    let lastX = t.a * xy[first * 2]! + t.c * xy[first * 2 + 1]! + t.e;
    let lastY = t.b * xy[first * 2]! + t.d * xy[first * 2 + 1]! + t.f;
    if (count === 1) {
      ctx.moveTo(lastX + DETECTION_POINT_RADIUS, lastY);
      ctx.arc(lastX, lastY, DETECTION_POINT_RADIUS, 0, 2 * Math.PI);
      return;
    }
    ctx.moveTo(lastX, lastY);
    for (let v = first + 1; v < first + count; v++) {
      const x = t.a * xy[v * 2]! + t.c * xy[v * 2 + 1]! + t.e;
      const y = t.b * xy[v * 2]! + t.d * xy[v * 2 + 1]! + t.f;
      if (Math.abs(x - lastX) + Math.abs(y - lastY) < VERTEX_STEP_PX) continue;
      ctx.lineTo(x, y);
      lastX = x;
      lastY = y;
    }
    ctx.closePath();
  };
  /** Whether a detection's area is more than one ring (parts, holes): filled on its own, even-odd. */
  const apart = (i: number): boolean => outlines[i * 2 + 1]! + holes[i * 2 + 1]! > 1;
  /** A detection's area: its outline's rings and its holes (a hole of too few vertices is none). */
  const traceArea = (i: number): void => {
    for (let r = outlines[i * 2]!, end = r + outlines[i * 2 + 1]!; r < end; r++) traceRing(r);
    for (let r = holes[i * 2]!, end = r + holes[i * 2 + 1]!; r < end; r++) if (rings[r * 2 + 1]! >= HOLE_MIN_VERTICES) traceRing(r);
  };
  const traceNucleus = (i: number, size: number): void => {
    if (layer.nuclei && size >= NUCLEUS_FROM_PX) for (let r = nuclei[i * 2]!, end = r + nuclei[i * 2 + 1]!; r < end; r++) traceRing(r);
  };
  const fill = layer.style === 'fill';
  /**
   * Draws a batch: the areas filled (in that style) and stroked with their nuclei. The one-ring areas
   * are filled together; one of several rings on its own, even-odd, as a click finds it (detectionHolds):
   * its holes empty whichever way its rings run, even crossing themselves, and another's fill over them
   * kept, as one even-odd path of the batch would not.
   */
  const drawBatch = (batch: readonly number[]): void => {
    if (fill) {
      ctx.globalAlpha = DETECTION_FILL_ALPHA;
      for (const i of batch) {
        if (!apart(i)) continue;
        ctx.beginPath();
        traceArea(i);
        ctx.fill('evenodd');
      }
    }
    ctx.beginPath();
    for (const i of batch) if (!apart(i)) traceArea(i);
    if (fill) {
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    for (const i of batch) if (apart(i)) traceArea(i);
    // After the fill: a nucleus is outlined, not a hole in its cell's fill.
    for (const i of batch) traceNucleus(i, Math.max(boxes[i * 4 + 2]! - boxes[i * 4]!, boxes[i * 4 + 3]! - boxes[i * 4 + 1]!) * scale);
    ctx.stroke();
  };
  ctx.lineJoin = 'round';
  const batch: number[] = [];
  const wide: number[] = [];
  for (let c = 0; c < classes; c++) {
    const from = starts[c]!;
    const to = starts[c + 1]!;
    if (from === to) continue;
    const css = rgbToCss(set.classes[c]!.color);
    ctx.strokeStyle = css;
    ctx.fillStyle = css;
    // Dots first, in one path; then hairlines, SHAPES_PER_STROKE a stroke; then the wide outlines.
    ctx.beginPath();
    let dots = 0;
    for (let k = from; k < to; k++) {
      const i = byClass[k]!;
      const size = Math.max(boxes[i * 4 + 2]! - boxes[i * 4]!, boxes[i * 4 + 3]! - boxes[i * 4 + 1]!) * scale;
      if (size >= DOT_BELOW_PX || rings[outlines[i * 2]! * 2 + 1]! === 1) continue;
      const cx = (boxes[i * 4]! + boxes[i * 4 + 2]!) / 2;
      const cy = (boxes[i * 4 + 1]! + boxes[i * 4 + 3]!) / 2;
      ctx.rect(t.a * cx + t.c * cy + t.e - 1, t.b * cx + t.d * cy + t.f - 1, 2, 2);
      dots++;
    }
    if (dots > 0) ctx.fill();
    ctx.lineWidth = 1 / ratio;
    batch.length = 0;
    wide.length = 0;
    for (let k = from; k < to; k++) {
      const i = byClass[k]!;
      const size = Math.max(boxes[i * 4 + 2]! - boxes[i * 4]!, boxes[i * 4 + 3]! - boxes[i * 4 + 1]!) * scale;
      const point = rings[outlines[i * 2]! * 2 + 1]! === 1;
      if (size < DOT_BELOW_PX && !point) continue;
      if (size >= HAIRLINE_BELOW_PX) {
        wide.push(i);
        continue;
      }
      batch.push(i);
      if (batch.length === SHAPES_PER_STROKE) {
        drawBatch(batch);
        batch.length = 0;
      }
    }
    if (batch.length > 0) drawBatch(batch);
    if (wide.length === 0) continue;
    ctx.lineWidth = LINE_WIDTH;
    for (let start = 0; start < wide.length; start += SHAPES_PER_STROKE) drawBatch(wide.slice(start, start + SHAPES_PER_STROKE));
  }
}
