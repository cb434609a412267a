// The annotation layer of one OpenSeadragon viewer (the single view, or one grid cell): a canvas
// above the slide, redrawn on every viewport change, and the pointer's gestures for the tool in use.
// Input goes through OpenSeadragon's own canvas events, so a gesture that draws or edits stops its
// pan (preventDefaultAction) and any other one pans and zooms as usual; the wheel always zooms.
//   select:    click picks (the smallest shape under the pointer), drag moves the selected shape
//              (a drag elsewhere pans), drag one of its handles moves that vertex (a box's corner
//              resizes it);
//   ruler, rectangle, ellipse, freehand: press, drag, release;
//   point:     each click a point; polygon: each click a vertex, closed by a double-click, Enter or
//              a click on the first vertex (Backspace takes the last one back, Escape cancels).
// The same shapes are drawn from the keyboard at the view's centre (KeyboardDrawing): a crosshair
// marks it, and the shape under way follows it as the view moves.
// A label beside the shape being drawn, or the selected one, gives its length or area live.

import OpenSeadragon from 'openseadragon';
import { type Handle, hitsShape, moveHandle, shapeBounds, shapeHandles, simplifyPath, translateShape } from '../../../shared/annotation-geometry';
import { classColor, rgbToCss, type Shape } from '../../../shared/annotations';
import type { AnnotationSession, Draft } from './annotationSession';
import { describeMeasurement } from './describeMeasurement';
import { applyTransform, drawAnnotations, transformScale, type ViewTransform } from './drawAnnotations';
import { roundPoint, twoPointShape } from './keyboardDraft';
import { KeyboardDrawing, type ViewHeading } from './keyboardDrawing';
import { ViewOverlay } from './viewOverlay';

/** Pointer slack for picking shapes and handles (the detection layer's too), and for closing a polygon on its first vertex (CSS px). */
export const PICK_PX = 6;
const CLOSE_PX = 8;
/** A ruler or box smaller than this on screen was a click, not a shape. */
const MIN_SHAPE_PX = 3;
/** A freehand stroke keeps the vertices that make its outline to within this (CSS px). */
const FREEHAND_TOLERANCE_PX = 1;
/** The centre's crosshair: each arm's length and the gap left at the point itself (CSS px). */
const CROSSHAIR_ARM = 12;
const CROSSHAIR_GAP = 3;

interface Point {
  x: number;
  y: number;
}

type Gesture =
  | { kind: 'draw'; tool: 'ruler' | 'rectangle' | 'ellipse' | 'freehand'; start: Point; current: Point; stroke: number[] }
  | { kind: 'move'; id: string; start: Point; original: Shape; moved: boolean }
  | { kind: 'vertex'; id: string; at: Handle['at']; original: Shape };

/** The view's level-0 to CSS pixel transform; null before the slide is open in it. */
export function viewTransform(viewer: OpenSeadragon.Viewer, slide: { width: number; height: number }): ViewTransform | null {
  if (viewer.world.getItemCount() === 0) return null;
  const { viewport } = viewer;
  const at = (x: number, y: number) => viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
  const o = at(0, 0);
  // A unit step of level-0 pixels is far below a CSS pixel at low zoom: measure over the slide's size.
  const span = Math.max(slide.width, slide.height, 1);
  const ex = at(span, 0);
  const ey = at(0, span);
  return { a: (ex.x - o.x) / span, b: (ex.y - o.y) / span, c: (ey.x - o.x) / span, d: (ey.y - o.y) / span, e: o.x, f: o.y };
}

/** The annotation under a level-0 point, within `tolerance` level-0 pixels: the selected one first, else the smallest. */
export function annotationAt(session: AnnotationSession, p: Point, tolerance: number): string | null {
  const { document, selectedId } = session.getState();
  const { index, boxes } = session.index();
  let best: string | null = null;
  let bestArea = Infinity;
  for (const i of index.search({ minX: p.x - tolerance, minY: p.y - tolerance, maxX: p.x + tolerance, maxY: p.y + tolerance })) {
    const annotation = document.annotations[i]!;
    if (!hitsShape(annotation.shape, p.x, p.y, tolerance)) continue;
    if (annotation.id === selectedId) return annotation.id;
    const box = boxes[i]!;
    const area = (box.maxX - box.minX) * (box.maxY - box.minY);
    if (area < bestArea) {
      best = annotation.id;
      bestArea = area;
    }
  }
  return best;
}

export class AnnotationOverlay extends ViewOverlay {
  readonly #session: AnnotationSession;
  readonly #label: HTMLDivElement;
  readonly #keyboard: KeyboardDrawing;
  #gesture: Gesture | null = null;
  /** Vertices of a polygon being drawn (level-0, flat). */
  #polygon: number[] | null = null;
  #hover: Point | null = null;
  #preview: { id: string; shape: Shape } | null = null;

  readonly #draft: Draft = {
    finish: () => this.#finishPolygon(),
    cancel: () => this.#cancel(),
    removeLastVertex: () => {
      if (!this.#polygon || this.#polygon.length === 0) return false;
      this.#polygon.length -= 2;
      if (this.#polygon.length === 0) this.#cancel();
      this.schedule();
      return true;
    },
  };

  constructor(viewer: OpenSeadragon.Viewer, session: AnnotationSession, heading: ViewHeading | null = null) {
    super(viewer, 'annotation-canvas', 'annotation-canvas');
    this.#session = session;
    this.#label = document.createElement('div');
    this.#label.className = 'annotation-measure';
    this.#label.dataset['testid'] = 'annotation-measure';
    this.#label.hidden = true;
    viewer.canvas.append(this.canvas, this.#label);
    this.on('canvas-press', (e) => this.#press(e));
    this.on('canvas-drag', (e) => this.#drag(e));
    this.on('canvas-drag-end', (e) => {
      if (this.#gesture) e.preventDefaultAction = true;
    });
    this.on('canvas-release', () => this.#release());
    this.on('canvas-click', (e) => this.#click(e));
    this.on('canvas-double-click', (e) => this.#doubleClick(e));
    this.on('canvas-contextmenu', (e) => this.#contextMenu(e));
    this.listen('pointermove', (event) => this.#pointerMove(event));
    this.whenDestroyed(session.subscribe(() => this.schedule()));
    this.#keyboard = new KeyboardDrawing(viewer, session, () => this.schedule(), heading);
    this.whenDestroyed(() => this.#keyboard.destroy());
    this.schedule();
  }

  override destroy(): void {
    if (this.#session.draft === this.#draft) this.#session.setDraft(null);
    super.destroy();
    this.#label.remove();
  }

  // ---- Coordinates -------------------------------------------------------------------------------

  #transform(): ViewTransform | null {
    return viewTransform(this.viewer, this.#session.info);
  }

  /** The level-0 point under a pointer position. */
  #toImage(position: OpenSeadragon.Point): Point {
    return roundPoint(this.viewer.viewport.viewerElementToImageCoordinates(position));
  }

  /** Level-0 pixels per CSS pixel. */
  #pixel(): number {
    const t = this.#transform();
    return t ? 1 / transformScale(t) : 1;
  }

  /** The annotation under a point: the selected one first, else the smallest. */
  #pick(p: Point): string | null {
    return annotationAt(this.#session, p, PICK_PX * this.#pixel());
  }

  #handleAt(p: Point): { id: string; at: Handle['at']; shape: Shape } | null {
    const { document, selectedId } = this.#session.getState();
    const selected = document.annotations.find((a) => a.id === selectedId);
    if (!selected) return null;
    const tolerance = PICK_PX * this.#pixel();
    const handle = shapeHandles(selected.shape).find((h) => Math.abs(h.x - p.x) <= tolerance && Math.abs(h.y - p.y) <= tolerance);
    return handle ? { id: selected.id, at: handle.at, shape: selected.shape } : null;
  }

  // ---- Gestures ----------------------------------------------------------------------------------

  #press(event: OpenSeadragon.CanvasPressEvent): void {
    const { tool } = this.#session.getState();
    const p = this.#toImage(event.position);
    this.#session.openContextMenu(null);
    if (tool === 'select') {
      const handle = this.#handleAt(p);
      if (handle) {
        this.#gesture = { kind: 'vertex', id: handle.id, at: handle.at, original: handle.shape };
        return;
      }
      // Only the selected annotation moves: a drag over any other (a tissue outline filling the view) pans.
      const { selectedId, document } = this.#session.getState();
      if (selectedId !== null && this.#pick(p) === selectedId) {
        const shape = document.annotations.find((a) => a.id === selectedId)!.shape;
        this.#gesture = { kind: 'move', id: selectedId, start: p, original: shape, moved: false };
      }
      return;
    }
    if (tool === 'ruler' || tool === 'rectangle' || tool === 'ellipse' || tool === 'freehand') {
      this.#gesture = { kind: 'draw', tool, start: p, current: p, stroke: [p.x, p.y] };
      this.#session.setDraft(this.#draft);
    }
  }

  #drag(event: OpenSeadragon.CanvasDragEvent): void {
    const gesture = this.#gesture;
    if (!gesture) return;
    event.preventDefaultAction = true;
    const p = this.#toImage(event.position);
    if (gesture.kind === 'draw') {
      gesture.current = p;
      if (gesture.tool === 'freehand') gesture.stroke.push(p.x, p.y);
    } else if (gesture.kind === 'move') {
      gesture.moved = true;
      this.#preview = { id: gesture.id, shape: translateShape(gesture.original, p.x - gesture.start.x, p.y - gesture.start.y) };
    } else {
      this.#preview = { id: gesture.id, shape: moveHandle(gesture.original, gesture.at, p.x, p.y) };
    }
    this.schedule();
  }

  #release(): void {
    const gesture = this.#gesture;
    this.#gesture = null;
    if (!gesture) return;
    if (gesture.kind === 'draw') {
      const shape = this.#drawnShape(gesture);
      this.#session.setDraft(null);
      if (shape) this.#session.add({ id: crypto.randomUUID(), name: '', description: '', shape });
    } else if (this.#preview && (gesture.kind === 'vertex' || gesture.moved)) {
      const { shape } = this.#preview;
      this.#session.update(gesture.id, (a) => ({ ...a, shape }));
    }
    this.#preview = null;
    this.schedule();
  }

  /** The shape a press-drag-release drew, or null when it was too small to be one. */
  #drawnShape(gesture: Extract<Gesture, { kind: 'draw' }>): Shape | null {
    const { start, current } = gesture;
    const pixel = this.#pixel();
    if (Math.hypot(current.x - start.x, current.y - start.y) < MIN_SHAPE_PX * pixel && gesture.tool !== 'freehand') return null;
    if (gesture.tool !== 'freehand') return twoPointShape(gesture.tool, start.x, start.y, current);
    const ring = simplifyPath(gesture.stroke, FREEHAND_TOLERANCE_PX * pixel);
    const box = shapeBounds({ kind: 'line', points: ring });
    if (ring.length < 6 || Math.max(box.maxX - box.minX, box.maxY - box.minY) < MIN_SHAPE_PX * pixel) return null;
    return { kind: 'freehand', polygons: [[ring]] };
  }

  #click(event: OpenSeadragon.CanvasClickEvent): void {
    if (!event.quick) return;
    const { tool } = this.#session.getState();
    const p = this.#toImage(event.position);
    if (tool === 'select') {
      this.#session.select(this.#pick(p));
      return;
    }
    event.preventDefaultAction = true;
    if (tool === 'point') {
      this.#session.add({ id: crypto.randomUUID(), name: '', description: '', shape: { kind: 'point', points: [p.x, p.y] } });
    } else if (tool === 'polygon') {
      const polygon = this.#polygon;
      if (!polygon) {
        this.#polygon = [p.x, p.y];
        this.#session.setDraft(this.#draft);
      } else {
        const pixel = this.#pixel();
        const nearFirst = Math.hypot(p.x - polygon[0]!, p.y - polygon[1]!) <= CLOSE_PX * pixel;
        const nearLast = Math.hypot(p.x - polygon.at(-2)!, p.y - polygon.at(-1)!) <= MIN_SHAPE_PX * pixel;
        if (nearFirst && polygon.length >= 6) this.#finishPolygon();
        else if (!nearLast) polygon.push(p.x, p.y);
      }
    }
    this.schedule();
  }

  #doubleClick(event: OpenSeadragon.CanvasDoubleClickEvent): void {
    const { tool } = this.#session.getState();
    if (tool === 'select') return;
    event.preventDefaultAction = true;
    if (tool === 'polygon') this.#finishPolygon();
  }

  #finishPolygon(): void {
    const polygon = this.#polygon;
    this.#polygon = null;
    this.#hover = null;
    this.#session.setDraft(null);
    if (polygon && polygon.length >= 6) {
      this.#session.add({ id: crypto.randomUUID(), name: '', description: '', shape: { kind: 'polygon', polygons: [[polygon]] } });
    }
    this.schedule();
  }

  #cancel(): void {
    this.#polygon = null;
    this.#hover = null;
    if (this.#gesture?.kind === 'draw') this.#gesture = null;
    if (this.#session.draft === this.#draft) this.#session.setDraft(null);
    this.schedule();
  }

  #contextMenu(event: OpenSeadragon.CanvasContextMenuEvent): void {
    event.preventDefault = true;
    const id = this.#pick(this.#toImage(event.position));
    if (id) this.#session.select(id);
    const native = event.originalEvent as MouseEvent;
    this.#session.openContextMenu({ x: native.clientX, y: native.clientY, annotationId: id });
  }

  #pointerMove(event: PointerEvent): void {
    const { tool } = this.#session.getState();
    this.canvas.parentElement!.style.cursor = tool === 'select' ? '' : 'crosshair';
    if (!this.#polygon) return;
    const rect = this.viewer.canvas.getBoundingClientRect();
    this.#hover = this.#toImage(new OpenSeadragon.Point(event.clientX - rect.left, event.clientY - rect.top));
    this.schedule();
  }

  // ---- Drawing -----------------------------------------------------------------------------------

  /** The shape being drawn, as it would be if the gesture ended now. */
  #draftShape(): Shape | null {
    const gesture = this.#gesture;
    if (gesture?.kind === 'draw') {
      const { start, current } = gesture;
      if (gesture.tool === 'freehand') return gesture.stroke.length >= 4 ? { kind: 'line', points: gesture.stroke } : null;
      return twoPointShape(gesture.tool, start.x, start.y, current);
    }
    if (this.#polygon) {
      const points = this.#hover ? [...this.#polygon, this.#hover.x, this.#hover.y] : this.#polygon;
      return points.length >= 6 ? { kind: 'polygon', polygons: [[points]] } : points.length >= 4 ? { kind: 'line', points } : null;
    }
    return this.#keyboard.draftShape();
  }

  protected override draw(): void {
    const started = performance.now();
    const { width, height, ratio } = this.fit();
    const ctx = this.context;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const t = this.#transform();
    if (!t || width === 0) {
      ctx.clearRect(0, 0, width, height);
      return;
    }
    const state = this.#session.getState();
    const { index, boxes } = this.#session.index();
    const draftShape = this.#draftShape();
    const draft = draftShape ? { shape: draftShape, color: rgbToCss(classColor(state.document.classes, state.activeClass)) } : null;
    drawAnnotations(
      ctx,
      width,
      height,
      t,
      {
        document: state.document,
        index,
        boxes,
        selectedId: state.selectedId,
        preview: this.#preview,
        draft,
        mpp: this.#session.info.mpp,
      },
      ratio,
    );
    this.#drawCrosshair(ratio);
    this.#showMeasurement(t, width, height, draftShape);
    this.drawn(started);
  }

  /** The view's centre, where Enter puts the next point, marked in white on black to show on any stain. */
  #drawCrosshair(ratio: number): void {
    const shown = this.#keyboard.showsCrosshair();
    this.canvas.dataset['crosshair'] = shown ? 'shown' : 'hidden';
    if (!shown) return;
    const { viewport } = this.viewer;
    const c = viewport.pixelFromPoint(viewport.getCenter(true), true);
    const ctx = this.context;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.beginPath();
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      ctx.moveTo(c.x + dx * CROSSHAIR_GAP, c.y + dy * CROSSHAIR_GAP);
      ctx.lineTo(c.x + dx * (CROSSHAIR_GAP + CROSSHAIR_ARM), c.y + dy * (CROSSHAIR_GAP + CROSSHAIR_ARM));
    }
    ctx.lineCap = 'round';
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.85)';
    ctx.lineWidth = 4;
    ctx.stroke();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  /** The label: the shape being drawn, else the selected one when it is in this view. */
  #showMeasurement(t: ViewTransform, width: number, height: number, draft: Shape | null): void {
    const state = this.#session.getState();
    const shape = draft ?? this.#preview?.shape ?? state.document.annotations.find((a) => a.id === state.selectedId)?.shape ?? null;
    if (!shape) {
      this.#label.hidden = true;
      return;
    }
    const box = shapeBounds(shape);
    const corners = [
      applyTransform(t, box.minX, box.minY),
      applyTransform(t, box.maxX, box.minY),
      applyTransform(t, box.minX, box.maxY),
      applyTransform(t, box.maxX, box.maxY),
    ];
    const right = Math.max(...corners.map((c) => c[0]));
    const bottom = Math.max(...corners.map((c) => c[1]));
    const left = Math.min(...corners.map((c) => c[0]));
    const top = Math.min(...corners.map((c) => c[1]));
    if (right < 0 || bottom < 0 || left > width || top > height) {
      this.#label.hidden = true;
      return;
    }
    const text = describeMeasurement(shape, this.#session.info.mpp);
    if (this.#label.textContent !== text) this.#label.textContent = text;
    this.#label.dataset['kind'] = shape.kind;
    this.#label.hidden = false;
    // Kept inside the viewer by its own size (an area and perimeter run ~250 px, a line's ~120).
    const labelWidth = this.#label.offsetWidth;
    const labelHeight = this.#label.offsetHeight || 24;
    this.#label.style.left = `${Math.min(Math.max(0, right + 8), Math.max(0, width - labelWidth - 4))}px`;
    this.#label.style.top = `${Math.min(Math.max(0, bottom + 8), Math.max(0, height - labelHeight - 4))}px`;
  }
}
