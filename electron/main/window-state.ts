// Remembered window size and position: persisted as JSON in userData, and always placed back on a
// display that exists now (a monitor may have been unplugged since), clamped to its work area.

import { join } from 'node:path';

import { readJsonFile, SerialQueue, writeJsonAtomic } from './json-file';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
  fullScreen: boolean;
}

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 860 } as const;
export const MIN_WINDOW_SIZE = { width: 640, height: 480 } as const;
export const WINDOW_STATE_NAME = 'window-state.json';
/** A window counts as on a display when at least this much of it overlaps the work area. */
const MIN_VISIBLE = { width: 120, height: 60 } as const;
const CASCADE_OFFSET = 32;

function intersection(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  if (right <= x || bottom <= y) return null;
  return { x, y, width: right - x, height: bottom - y };
}

function centeredIn(area: Rect, width: number, height: number): Rect {
  const w = Math.min(width, area.width);
  const h = Math.min(height, area.height);
  return { x: Math.round(area.x + (area.width - w) / 2), y: Math.round(area.y + (area.height - h) / 2), width: w, height: h };
}

function fitSize(value: number | undefined, fallback: number, min: number, max: number): number {
  const v = typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : fallback;
  return Math.max(Math.min(min, max), Math.min(v, max));
}

/**
 * Bounds that fit a display now present: on the display the window overlaps most (if it overlaps
 * one enough), moved and shrunk to lie inside its work area; otherwise centred on the primary one.
 */
export function clampToDisplays(bounds: Partial<Rect> | null | undefined, workAreas: readonly Rect[], primary: Rect): Rect {
  const areas = workAreas.length > 0 ? workAreas : [primary];
  const wanted = bounds ?? {};
  const hasPosition = typeof wanted.x === 'number' && Number.isFinite(wanted.x) && typeof wanted.y === 'number' && Number.isFinite(wanted.y);
  const width0 = fitSize(wanted.width, DEFAULT_WINDOW_SIZE.width, MIN_WINDOW_SIZE.width, Number.MAX_SAFE_INTEGER);
  const height0 = fitSize(wanted.height, DEFAULT_WINDOW_SIZE.height, MIN_WINDOW_SIZE.height, Number.MAX_SAFE_INTEGER);
  if (!hasPosition) return centeredIn(primary, width0, height0);

  const rect: Rect = { x: Math.round(wanted.x!), y: Math.round(wanted.y!), width: width0, height: height0 };
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of areas) {
    const overlap = intersection(rect, area);
    if (!overlap || overlap.width < MIN_VISIBLE.width || overlap.height < MIN_VISIBLE.height) continue;
    const size = overlap.width * overlap.height;
    if (size > bestArea) {
      best = area;
      bestArea = size;
    }
  }
  if (!best) return centeredIn(primary, width0, height0);
  const width = fitSize(width0, DEFAULT_WINDOW_SIZE.width, MIN_WINDOW_SIZE.width, best.width);
  const height = fitSize(height0, DEFAULT_WINDOW_SIZE.height, MIN_WINDOW_SIZE.height, best.height);
  const x = Math.min(Math.max(rect.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(rect.y, best.y), best.y + best.height - height);
  return { x, y, width, height };
}

/** Bounds for another window: offset from `from`, wrapping to the work area's corner at its edge. */
export function cascadeFrom(from: Rect, workAreas: readonly Rect[], primary: Rect): Rect {
  const next = { ...from, x: from.x + CASCADE_OFFSET, y: from.y + CASCADE_OFFSET };
  const area = workAreas.find((a) => intersection(from, a)) ?? primary;
  if (next.x + next.width > area.x + area.width || next.y + next.height > area.y + area.height) {
    next.x = area.x + CASCADE_OFFSET / 2;
    next.y = area.y + CASCADE_OFFSET / 2;
  }
  return clampToDisplays(next, workAreas, primary);
}

export function parseWindowState(value: unknown): WindowState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { bounds?: unknown; maximized?: unknown; fullScreen?: unknown };
  const b = v.bounds as Partial<Record<keyof Rect, unknown>> | undefined;
  if (typeof b !== 'object' || b === null) return null;
  const nums = [b.x, b.y, b.width, b.height];
  if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  const [x, y, width, height] = nums as number[];
  if (width! <= 0 || height! <= 0) return null;
  return { bounds: { x: x!, y: y!, width: width!, height: height! }, maximized: v.maximized === true, fullScreen: v.fullScreen === true };
}

export interface WindowStateStoreOptions {
  dir: string;
  fileName?: string;
  /** Debounce of saveSoon (moves and resizes come in bursts). */
  delayMs?: number;
  onError?: (message: string, error: unknown) => void;
}

export class WindowStateStore {
  readonly file: string;
  private readonly delayMs: number;
  private readonly onError: (message: string, error: unknown) => void;
  private readonly writes = new SerialQueue();
  private pending: WindowState | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: WindowStateStoreOptions) {
    this.file = join(options.dir, options.fileName ?? WINDOW_STATE_NAME);
    this.delayMs = options.delayMs ?? 500;
    this.onError = options.onError ?? (() => undefined);
  }

  async load(): Promise<WindowState | null> {
    const read = await readJsonFile(this.file);
    if (read.kind === 'ok') return parseWindowState(read.value);
    if (read.kind === 'corrupt') this.onError(`ignoring unreadable ${this.file}`, read.error);
    return null;
  }

  async save(state: WindowState): Promise<void> {
    this.cancelTimer();
    this.pending = null;
    try {
      await this.writes.run(() => writeJsonAtomic(this.file, state));
    } catch (error) {
      this.onError(`could not save ${this.file}`, error);
    }
  }

  saveSoon(state: WindowState): void {
    this.pending = state;
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
    this.timer.unref?.();
  }

  async flush(): Promise<void> {
    const state = this.pending;
    if (state) await this.save(state);
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
