// A canvas drawn over an OpenSeadragon view (the annotations', the detections'): drawn again as the
// view moves, in the next frame after other changes, at the screen's pixel density, its handlers
// removed with it. Each draw's time is kept for the e2e frame-time measurement.

import type OpenSeadragon from 'openseadragon';

/** Draw times kept (the last ones): the frame-time measurement reads a few hundred. */
const TIMES_KEPT = 600;

/** The canvas's size for a draw: CSS pixels, and device pixels per CSS pixel. */
export interface OverlaySize {
  width: number;
  height: number;
  ratio: number;
}

export abstract class ViewOverlay {
  protected readonly viewer: OpenSeadragon.Viewer;
  protected readonly canvas: HTMLCanvasElement;
  protected readonly context: CanvasRenderingContext2D;
  /** How long each draw took (ms), for the e2e frame-time measurement. */
  readonly drawTimes: number[] = [];
  readonly #cleanup: Array<() => void> = [];
  #frame = 0;

  constructor(viewer: OpenSeadragon.Viewer, className: string, testId: string) {
    this.viewer = viewer;
    this.canvas = document.createElement('canvas');
    this.canvas.className = className;
    this.canvas.dataset['testid'] = testId;
    this.context = this.canvas.getContext('2d')!;
    this.on('viewport-change', () => this.draw());
    this.on('resize', () => this.schedule());
    this.on('open', () => this.schedule());
  }

  protected on<E extends keyof OpenSeadragon.ViewerEventMap>(name: E, handler: OpenSeadragon.EventHandler<OpenSeadragon.ViewerEventMap[E]>): void {
    this.viewer.addHandler(name, handler);
    this.#cleanup.push(() => this.viewer.removeHandler(name, handler));
  }

  /** Listens on the viewer's canvas element, kept here: the viewer may be destroyed before this overlay. */
  protected listen<K extends keyof HTMLElementEventMap>(name: K, listener: (event: HTMLElementEventMap[K]) => void): void {
    const element = this.viewer.canvas;
    element.addEventListener(name, listener);
    this.#cleanup.push(() => element.removeEventListener(name, listener));
  }

  /** Something to undo when the overlay goes (a subscription, a helper's own teardown). */
  protected whenDestroyed(undo: () => void): void {
    this.#cleanup.push(undo);
  }

  destroy(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.canvas.remove();
  }

  /** Draws in the next frame (once, however many changes come before it). */
  protected schedule(): void {
    if (this.#frame === 0) {
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.draw();
      });
    }
  }

  /** Sizes the canvas to the viewer's, in device pixels. */
  protected fit(): OverlaySize {
    const width = this.viewer.canvas.clientWidth;
    const height = this.viewer.canvas.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(height * ratio);
    if (this.canvas.width !== pixelWidth || this.canvas.height !== pixelHeight) {
      this.canvas.width = pixelWidth;
      this.canvas.height = pixelHeight;
    }
    return { width, height, ratio };
  }

  /** Keeps the time of a draw that began at `started` (performance.now()). */
  protected drawn(started: number): void {
    this.drawTimes.push(performance.now() - started);
    if (this.drawTimes.length > TIMES_KEPT) this.drawTimes.shift();
  }

  protected abstract draw(): void;
}
