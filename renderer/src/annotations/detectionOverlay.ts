// The detection layer of one OpenSeadragon viewer: a canvas under the annotations' (inserted before
// it), redrawn on every viewport change and whenever the slide's layer changes. It takes no pointer
// input of its own: a quick click with the select tool that finds no annotation picks the detection
// under it, for the details card; the annotation tools never see the detections.

import type OpenSeadragon from 'openseadragon';
import type { SlideId } from '../../../shared/ipc';
import { annotationAt, PICK_PX, viewTransform } from './annotationOverlay';
import type { AnnotationSession } from './annotationSession';
import { type DetectionLayer, detectionAt } from './detectionLayer';
import type { DetectionStore } from './detectionStore';
import { transformScale } from './drawAnnotations';
import { createScratch, type DrawMode, drawDetections } from './drawDetections';

/** Frame times kept for the frame-time measurement. */
const TIMES_KEPT = 600;

export class DetectionOverlay {
  readonly #viewer: OpenSeadragon.Viewer;
  readonly #store: DetectionStore;
  readonly #slideId: SlideId;
  readonly #slide: { width: number; height: number };
  readonly #session: AnnotationSession | null;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #scratch = createScratch();
  #layer: DetectionLayer | null = null;
  #frame = 0;
  readonly #cleanup: Array<() => void> = [];
  /** How long each draw took (ms) and how it drew, for the frame-time measurement. */
  readonly drawTimes: number[] = [];
  lastMode: DrawMode = 'empty';

  constructor(
    viewer: OpenSeadragon.Viewer,
    store: DetectionStore,
    slideId: SlideId,
    slide: { width: number; height: number },
    session: AnnotationSession | null,
  ) {
    this.#viewer = viewer;
    this.#store = store;
    this.#slideId = slideId;
    this.#slide = slide;
    this.#session = session;
    this.#canvas = document.createElement('canvas');
    this.#canvas.className = 'annotation-canvas detection-canvas';
    this.#canvas.dataset['testid'] = 'detection-canvas';
    this.#canvas.hidden = true;
    this.#context = this.#canvas.getContext('2d')!;
    // Under the annotations' canvas whichever overlay came first.
    viewer.canvas.insertBefore(this.#canvas, viewer.canvas.querySelector('.annotation-canvas'));

    const on = <E extends keyof OpenSeadragon.ViewerEventMap>(name: E, handler: OpenSeadragon.EventHandler<OpenSeadragon.ViewerEventMap[E]>): void => {
      viewer.addHandler(name, handler);
      this.#cleanup.push(() => viewer.removeHandler(name, handler));
    };
    on('viewport-change', () => this.#draw());
    on('resize', () => this.#schedule());
    on('open', () => this.#schedule());
    on('canvas-click', (e) => this.#click(e));
    this.#cleanup.push(store.subscribe(() => this.#changed()));
    this.#changed();
  }

  destroy(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#canvas.remove();
  }

  #changed(): void {
    const shown = this.#store.of(this.#slideId)?.layer ?? null;
    if (shown === this.#layer) return;
    this.#layer = shown;
    this.#canvas.hidden = shown === null;
    this.#canvas.style.opacity = shown ? String(shown.opacity) : '';
    this.#schedule();
  }

  #click(event: OpenSeadragon.CanvasClickEvent): void {
    if (!event.quick) return;
    const layer = this.#layer;
    const t = viewTransform(this.#viewer, this.#slide);
    const native = event.originalEvent as MouseEvent;
    if (!layer || !t || (this.#session && this.#session.getState().tool !== 'select')) return;
    const p = this.#viewer.viewport.viewerElementToImageCoordinates(event.position);
    const tolerance = PICK_PX / transformScale(t);
    const index = this.#session && annotationAt(this.#session, p, tolerance) !== null ? null : detectionAt(layer, p.x, p.y, tolerance);
    this.#store.pick(index === null ? null : { slideId: this.#slideId, index, x: native.clientX, y: native.clientY });
  }

  #schedule(): void {
    if (this.#frame === 0) {
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#draw();
      });
    }
  }

  #draw(): void {
    const layer = this.#layer;
    if (!layer) return;
    const started = performance.now();
    const width = this.#viewer.canvas.clientWidth;
    const height = this.#viewer.canvas.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(height * ratio);
    if (this.#canvas.width !== pixelWidth || this.#canvas.height !== pixelHeight) {
      this.#canvas.width = pixelWidth;
      this.#canvas.height = pixelHeight;
    }
    const t = viewTransform(this.#viewer, this.#slide);
    if (!t || width === 0) {
      this.#context.clearRect(0, 0, pixelWidth, pixelHeight);
      return;
    }
    this.lastMode = drawDetections(this.#context, width, height, t, layer, ratio, this.#scratch);
    this.#canvas.dataset['mode'] = this.lastMode;
    this.drawTimes.push(performance.now() - started);
    if (this.drawTimes.length > TIMES_KEPT) this.drawTimes.shift();
  }
}
