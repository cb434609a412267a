// Draws a slide's annotations on a 2D canvas over the viewer, fast enough for a cell-counting
// session (10,000 polygons) to pan smoothly:
// - culling: only the annotations the grid index finds in the view are looked at;
// - a path per class colour, stroked every few hundred shapes: thousands of shapes are tens of
//   stroke() calls, not thousands (and not one: Chromium's closePath costs more the more shapes a path
//   already holds);
// - small shapes are stroked one device pixel wide, which Skia draws as hairlines, ten times faster
//   than wider lines in software (docs/annotations.md);
// - simplification by zoom: a shape smaller than a few screen pixels is a dot, one a little larger
//   its box, and an outline keeps only vertices at least a pixel and a half from the last one drawn.
// Coordinates go from level-0 pixels to CSS pixels through the view's affine transform (rotation
// included), computed once per frame.

import type { Box } from '../../../shared/annotation-geometry';
import { measureShape, shapeHandles } from '../../../shared/annotation-geometry';
import type { GridIndex } from '../../../shared/annotation-index';
import { type AnnotationDocument, classColor, rgbToCss, type Shape } from '../../../shared/annotations';
import type { Mpp } from '../../../shared/slide';
import { formatLength } from '../i18n/format';

/** Level-0 (x, y) to CSS pixels of the view: (a x + c y + e, b x + d y + f). */
export interface ViewTransform {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export function applyTransform(t: ViewTransform, x: number, y: number): [number, number] {
  return [t.a * x + t.c * y + t.e, t.b * x + t.d * y + t.f];
}

export function invertTransform(t: ViewTransform): ViewTransform {
  const det = t.a * t.d - t.b * t.c;
  return {
    a: t.d / det,
    b: -t.b / det,
    c: -t.c / det,
    d: t.a / det,
    e: (t.c * t.f - t.d * t.e) / det,
    f: (t.b * t.e - t.a * t.f) / det,
  };
}

/** CSS pixels per level-0 pixel. */
export function transformScale(t: ViewTransform): number {
  return Math.hypot(t.a, t.b);
}

/** Below this size on screen a shape is drawn as a dot; below the next, as its box. */
const DOT_BELOW_PX = 3;
const BOX_BELOW_PX = 8;
/** An outline vertex closer than this (CSS px, taxicab) to the last one drawn is skipped. */
const VERTEX_STEP_PX = 1.5;
const LINE_WIDTH = 1.5;
/** Shapes smaller than this on screen are drawn as hairlines (one device pixel). */
const HAIRLINE_BELOW_PX = 24;
/** Shapes per stroke() call. */
const SHAPES_PER_STROKE = 200;
const SELECTED_WIDTH = 3;
const POINT_RADIUS = 4;
const HANDLE_SIZE = 7;
/** Handles are drawn for shapes up to this many vertices (a traced outline's thousands would hide it). */
const MAX_HANDLES = 2000;
/** Rulers get their length written beside them when at least this long on screen. */
const RULER_LABEL_MIN_PX = 40;

export interface DrawInput {
  document: AnnotationDocument;
  index: GridIndex;
  boxes: readonly Box[];
  selectedId: string | null;
  /** An annotation being moved or edited: drawn with this shape instead of its own. */
  preview: { id: string; shape: Shape } | null;
  /** A shape being drawn (not yet an annotation), and its colour. */
  draft: { shape: Shape; color: string } | null;
  mpp: Mpp | null;
}

/** Appends a shape's outline (or, for points, its dots) to the current path, in CSS pixels. */
function tracePath(ctx: CanvasRenderingContext2D, shape: Shape, t: ViewTransform): void {
  const scale = transformScale(t);
  const ring = (points: readonly number[], close: boolean): void => {
    let [lastX, lastY] = applyTransform(t, points[0]!, points[1]!);
    ctx.moveTo(lastX, lastY);
    const n = points.length;
    for (let i = 2; i < n; i += 2) {
      const x = t.a * points[i]! + t.c * points[i + 1]! + t.e;
      const y = t.b * points[i]! + t.d * points[i + 1]! + t.f;
      // Keep the last vertex of an open line, wherever it falls.
      if (Math.abs(x - lastX) + Math.abs(y - lastY) < VERTEX_STEP_PX && (close || i < n - 2)) continue;
      ctx.lineTo(x, y);
      lastX = x;
      lastY = y;
    }
    if (close) ctx.closePath();
  };
  switch (shape.kind) {
    case 'line':
      ring(shape.points, false);
      break;
    case 'point':
      for (let i = 0; i < shape.points.length; i += 2) {
        const [x, y] = applyTransform(t, shape.points[i]!, shape.points[i + 1]!);
        ctx.moveTo(x + POINT_RADIUS, y);
        ctx.arc(x, y, POINT_RADIUS, 0, 2 * Math.PI);
      }
      break;
    case 'rectangle': {
      ring([shape.x0, shape.y0, shape.x1, shape.y0, shape.x1, shape.y1, shape.x0, shape.y1], true);
      break;
    }
    case 'ellipse': {
      const [cx, cy] = applyTransform(t, (shape.x0 + shape.x1) / 2, (shape.y0 + shape.y1) / 2);
      const rx = ((shape.x1 - shape.x0) / 2) * scale;
      const ry = ((shape.y1 - shape.y0) / 2) * scale;
      const rotation = Math.atan2(t.b, t.a);
      ctx.moveTo(cx + rx * Math.cos(rotation), cy + rx * Math.sin(rotation));
      ctx.ellipse(cx, cy, rx, ry, rotation, 0, 2 * Math.PI);
      break;
    }
    case 'polygon':
    case 'freehand':
      for (const rings of shape.polygons) for (const r of rings) ring(r, true);
      break;
  }
}

/** The view's rectangle in level-0 pixels, with a margin. */
export function viewBox(t: ViewTransform, width: number, height: number, marginPx: number): Box {
  const inverse = invertTransform(t);
  const corners = [
    applyTransform(inverse, -marginPx, -marginPx),
    applyTransform(inverse, width + marginPx, -marginPx),
    applyTransform(inverse, -marginPx, height + marginPx),
    applyTransform(inverse, width + marginPx, height + marginPx),
  ];
  return {
    minX: Math.min(...corners.map((p) => p[0])),
    minY: Math.min(...corners.map((p) => p[1])),
    maxX: Math.max(...corners.map((p) => p[0])),
    maxY: Math.max(...corners.map((p) => p[1])),
  };
}

function drawRulerLabel(ctx: CanvasRenderingContext2D, shape: Extract<Shape, { kind: 'line' }>, t: ViewTransform, mpp: Mpp | null): void {
  const n = shape.points.length;
  const [x0, y0] = applyTransform(t, shape.points[0]!, shape.points[1]!);
  const [x1, y1] = applyTransform(t, shape.points[n - 2]!, shape.points[n - 1]!);
  if (Math.hypot(x1 - x0, y1 - y0) < RULER_LABEL_MIN_PX) return;
  const m = measureShape(shape, mpp);
  const text = formatLength(m.length ?? 0, m.unit);
  const width = ctx.measureText(text).width;
  const x = (x0 + x1) / 2 - width / 2;
  const y = (y0 + y1) / 2 - 8;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
  ctx.fillRect(x - 4, y - 12, width + 8, 17);
  ctx.fillStyle = '#ffffff';
  ctx.fillText(text, x, y);
}

function drawHandles(ctx: CanvasRenderingContext2D, shape: Shape, t: ViewTransform, color: string): void {
  const handles = shapeHandles(shape);
  if (handles.length > MAX_HANDLES) return;
  ctx.beginPath();
  for (const h of handles) {
    const [x, y] = applyTransform(t, h.x, h.y);
    ctx.rect(x - HANDLE_SIZE / 2, y - HANDLE_SIZE / 2, HANDLE_SIZE, HANDLE_SIZE);
  }
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = color;
  ctx.stroke();
}

/** Draws the annotations in the view. The canvas is cleared first; its transform maps CSS pixels. */
export function drawAnnotations(ctx: CanvasRenderingContext2D, width: number, height: number, t: ViewTransform, input: DrawInput, pixelRatio: number): void {
  ctx.clearRect(0, 0, width, height);
  const { document, index, boxes, selectedId, preview } = input;
  const scale = transformScale(t);
  const found = index.search(viewBox(t, width, height, POINT_RADIUS + SELECTED_WIDTH));
  const colors = new Map<string, string>();
  const colorOf = (classification: string | null): string => {
    const key = classification ?? '';
    let css = colors.get(key);
    if (css === undefined) {
      css = rgbToCss(classColor(document.classes, classification));
      colors.set(key, css);
    }
    return css;
  };
  // Per colour: outlines to stroke (hairlines and wider ones apart), dots (tiny shapes and points) to fill.
  const outlines = new Map<string, Shape[]>();
  const hairlines = new Map<string, Shape[]>();
  const dots = new Map<string, Array<[number, number]>>();
  const smallBoxes = new Map<string, Array<[number, number, number, number]>>();
  const points = new Map<string, Shape[]>();
  const rulers: Array<Extract<Shape, { kind: 'line' }>> = [];
  for (const i of found) {
    const annotation = document.annotations[i]!;
    if (annotation.id === selectedId || annotation.id === preview?.id) continue;
    const color = colorOf(annotation.classification);
    const { shape } = annotation;
    const box = boxes[i]!;
    const size = Math.max(box.maxX - box.minX, box.maxY - box.minY) * scale;
    if (shape.kind === 'point') {
      const list = points.get(color);
      if (list) list.push(shape);
      else points.set(color, [shape]);
    } else if (size < DOT_BELOW_PX) {
      const centre = applyTransform(t, (box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2);
      const list = dots.get(color);
      if (list) list.push(centre);
      else dots.set(color, [centre]);
    } else if (size < BOX_BELOW_PX) {
      // The 90° rotations the viewer offers map a box's opposite corners to the screen box's.
      const [ax, ay] = applyTransform(t, box.minX, box.minY);
      const [bx, by] = applyTransform(t, box.maxX, box.maxY);
      const rect: [number, number, number, number] = [Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)];
      const list = smallBoxes.get(color);
      if (list) list.push(rect);
      else smallBoxes.set(color, [rect]);
    } else {
      const map = size < HAIRLINE_BELOW_PX ? hairlines : outlines;
      const list = map.get(color);
      if (list) list.push(shape);
      else map.set(color, [shape]);
      if (shape.kind === 'line' && shape.points.length === 4) rulers.push(shape);
    }
  }
  ctx.lineJoin = 'round';
  const stroke = (groups: Map<string, Shape[]>, lineWidth: number): void => {
    ctx.lineWidth = lineWidth;
    for (const [color, shapes] of groups) {
      ctx.strokeStyle = color;
      for (let start = 0; start < shapes.length; start += SHAPES_PER_STROKE) {
        ctx.beginPath();
        for (const shape of shapes.slice(start, start + SHAPES_PER_STROKE)) tracePath(ctx, shape, t);
        ctx.stroke();
      }
    }
  };
  stroke(hairlines, 1 / pixelRatio);
  stroke(outlines, LINE_WIDTH);
  ctx.lineWidth = LINE_WIDTH;
  for (const [color, shapes] of points) {
    ctx.fillStyle = color;
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1 / pixelRatio;
    for (let start = 0; start < shapes.length; start += SHAPES_PER_STROKE) {
      ctx.beginPath();
      for (const shape of shapes.slice(start, start + SHAPES_PER_STROKE)) tracePath(ctx, shape, t);
      ctx.fill();
      ctx.stroke();
    }
  }
  ctx.lineWidth = LINE_WIDTH;
  ctx.lineWidth = 1 / pixelRatio;
  for (const [color, rects] of smallBoxes) {
    ctx.beginPath();
    for (const [x, y, w, h] of rects) ctx.rect(x, y, w, h);
    ctx.strokeStyle = color;
    ctx.stroke();
  }
  ctx.lineWidth = LINE_WIDTH;
  for (const [color, centres] of dots) {
    ctx.beginPath();
    for (const [x, y] of centres) ctx.rect(x - 1, y - 1, 2, 2);
    ctx.fillStyle = color;
    ctx.fill();
  }
  ctx.font = '600 12px Inter, "Noto Sans KR", system-ui, sans-serif';
  if (rulers.length <= 200) for (const ruler of rulers) drawRulerLabel(ctx, ruler, t, input.mpp);

  // The selected annotation (or the one being edited) on top, thicker, with its handles.
  const selected = preview ?? (selectedId === null ? null : { id: selectedId, shape: document.annotations.find((a) => a.id === selectedId)?.shape });
  if (selected?.shape) {
    const annotation = document.annotations.find((a) => a.id === selected.id);
    const color = colorOf(annotation?.classification ?? null);
    ctx.beginPath();
    tracePath(ctx, selected.shape, t);
    ctx.lineWidth = SELECTED_WIDTH;
    ctx.strokeStyle = color;
    if (selected.shape.kind === 'point') {
      ctx.fillStyle = color;
      ctx.fill();
    }
    ctx.stroke();
    if (selected.shape.kind === 'line' && selected.shape.points.length === 4) drawRulerLabel(ctx, selected.shape, t, input.mpp);
    drawHandles(ctx, selected.shape, t, color);
  }
  if (input.draft) {
    ctx.beginPath();
    tracePath(ctx, input.draft.shape, t);
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = input.draft.color;
    ctx.stroke();
    ctx.setLineDash([]);
  }
}
