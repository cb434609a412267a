// A shape drawn from the keyboard, one Enter at a time at the view's centre: what each key does to the
// points placed so far. Pure (level-0 points in, a shape or a refusal out): the view that owns the
// keys (keyboardDrawing.ts) supplies the centre and says it aloud.

import { boxFromCorners } from '../../../shared/annotation-geometry';
import type { Shape } from '../../../shared/annotations';
import type { Tool } from './annotationSession';

/** The tools that draw from the keyboard; freehand is a stroke, which keys cannot trace. */
export type KeyboardTool = Extract<Tool, 'ruler' | 'point' | 'rectangle' | 'ellipse' | 'polygon'>;

export function isKeyboardTool(tool: Tool): tool is KeyboardTool {
  return tool === 'ruler' || tool === 'point' || tool === 'rectangle' || tool === 'ellipse' || tool === 'polygon';
}

export interface Point {
  x: number;
  y: number;
}

/** The points placed so far (level-0, flat), at least one. */
export interface KeyboardDraft {
  tool: KeyboardTool;
  points: number[];
}

export type Placed =
  /** The first point of a shape that needs more. */
  | { kind: 'started'; draft: KeyboardDraft; at: Point }
  /** A polygon's next vertex; `number` counts from 1. */
  | { kind: 'vertex'; draft: KeyboardDraft; at: Point; number: number }
  | { kind: 'finished'; shape: Shape; at: Point }
  /** Nothing placed: the centre is where a point already is (the view was not moved). */
  | { kind: 'same-place'; draft: KeyboardDraft }
  /** Nothing finished: a polygon needs three vertices. */
  | { kind: 'too-few'; draft: KeyboardDraft }
  /** Nothing finished: a box's corners are level (or plumb), so it would have no area. */
  | { kind: 'flat'; draft: KeyboardDraft };

/**
 * Enter at `at`. `near` is the level-0 distance within which two points are one place (a few screen
 * pixels at the current zoom): Enter again without moving closes a polygon, as a double-click does.
 */
export function place(draft: KeyboardDraft | null, tool: KeyboardTool, at: Point, near: number): Placed {
  if (tool === 'point') return { kind: 'finished', shape: { kind: 'point', points: [at.x, at.y] }, at };
  if (!draft || draft.tool !== tool) return { kind: 'started', draft: { tool, points: [at.x, at.y] }, at };
  const { points } = draft;
  const count = points.length / 2;
  const nearFirst = Math.hypot(at.x - points[0]!, at.y - points[1]!) <= near;
  if (tool !== 'polygon') {
    if (nearFirst) return { kind: 'same-place', draft };
    const shape = twoPointShape(tool, points[0]!, points[1]!, at);
    return shape ? { kind: 'finished', shape, at } : { kind: 'flat', draft };
  }
  const nearLast = Math.hypot(at.x - points.at(-2)!, at.y - points.at(-1)!) <= near;
  if (nearFirst || nearLast) return count >= 3 ? { kind: 'finished', shape: polygon(points), at } : { kind: 'same-place', draft };
  return { kind: 'vertex', draft: { tool, points: [...points, at.x, at.y] }, at, number: count + 1 };
}

/** Shift+Enter (or Enter away from the view): a polygon closes as it is; a two-point shape ends at `at`. */
export function finish(draft: KeyboardDraft, at: Point, near: number): Placed {
  if (draft.tool !== 'polygon') return place(draft, draft.tool, at, near);
  return draft.points.length >= 6 ? { kind: 'finished', shape: polygon(draft.points), at } : { kind: 'too-few', draft };
}

/** Backspace: the draft less its last point, or null when none is left. */
export function removeLast(draft: KeyboardDraft): KeyboardDraft | null {
  return draft.points.length > 2 ? { tool: draft.tool, points: draft.points.slice(0, -2) } : null;
}

/** A level-0 point to a thousandth of a pixel, as mouse and keyboard both keep them: files stay readable (1100, not 1100.0000000000002). */
export function roundPoint(p: Point): Point {
  return { x: Math.round(p.x * 1000) / 1000, y: Math.round(p.y * 1000) / 1000 };
}

/** The shape as it would be with its next point at `at`: the rubber band drawn as the view moves. */
export function preview(draft: KeyboardDraft, at: Point): Shape | null {
  const { points } = draft;
  if (draft.tool === 'polygon') {
    const ring = [...points, at.x, at.y];
    return ring.length >= 6 ? polygon(ring) : { kind: 'line', points: ring };
  }
  if (draft.tool === 'point') return null;
  return twoPointShape(draft.tool, points[0]!, points[1]!, at);
}

/** A ruler from one point to another, or the box they are opposite corners of (null when it has no area): dragged or keyed. */
export function twoPointShape(tool: 'ruler' | 'rectangle' | 'ellipse', x: number, y: number, at: Point): Shape | null {
  if (tool === 'ruler') return { kind: 'line', points: [x, y, at.x, at.y] };
  return boxFromCorners(tool, x, y, at.x, at.y);
}

function polygon(ring: number[]): Shape {
  return { kind: 'polygon', polygons: [[ring]] };
}
