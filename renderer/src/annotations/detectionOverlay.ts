// The detection layer of one OpenSeadragon viewer: a canvas under the annotations' (inserted before
// it), redrawn on every viewport change and whenever the slide's layer changes. It takes no pointer
// input of its own: a quick click with the select tool that finds no annotation picks the detection
// under it, for the details card; the annotation tools never see the detections. From the keyboard,
// as a shape is drawn at the view's centre (keyboardDrawing.ts): Enter with the select tool on the
// focused view picks the detection nearest the centre, and the card steps on to the next nearest
// (Enter) or back (Shift+Enter); each pick is announced through the annotation session.

import OpenSeadragon from 'openseadragon';
import { detectionCentroid } from '../../../shared/detection-counts';
import type { SlideId } from '../../../shared/ipc';
import { annotationAt, PICK_PX, viewTransform } from './annotationOverlay';
import type { AnnotationSession } from './annotationSession';
import { describeDetectionStep, describeNoDetections } from './describeKeyboardStep';
import { type DetectionLayer, detectionAt, detectionsNearest, stepShown } from './detectionLayer';
import type { DetectionStore } from './detectionStore';
import { applyTransform, transformScale, viewBox } from './drawAnnotations';
import { createScratch, type DrawMode, drawDetections } from './drawDetections';
import { ViewOverlay } from './viewOverlay';

export class DetectionOverlay extends ViewOverlay {
  readonly #store: DetectionStore;
  readonly #slideId: SlideId;
  readonly #slide: { width: number; height: number };
  readonly #session: AnnotationSession | null;
  readonly #scratch = createScratch();
  #layer: DetectionLayer | null = null;
  /** How the last draw drew, for the frame-time measurement. */
  lastMode: DrawMode = 'empty';

  constructor(
    viewer: OpenSeadragon.Viewer,
    store: DetectionStore,
    slideId: SlideId,
    slide: { width: number; height: number },
    session: AnnotationSession | null,
  ) {
    super(viewer, 'annotation-canvas detection-canvas', 'detection-canvas');
    this.#store = store;
    this.#slideId = slideId;
    this.#slide = slide;
    this.#session = session;
    this.canvas.hidden = true;
    // Under the annotations' canvas whichever overlay came first.
    viewer.canvas.insertBefore(this.canvas, viewer.canvas.querySelector('.annotation-canvas'));
    this.on('canvas-click', (e) => this.#click(e));
    this.listen('keydown', (event) => this.#keyDown(event));
    this.whenDestroyed(store.subscribe(() => this.#changed()));
    this.#changed();
  }

  #changed(): void {
    const shown = this.#store.of(this.#slideId)?.layer ?? null;
    if (shown === this.#layer) return;
    this.#layer = shown;
    this.canvas.hidden = shown === null;
    this.canvas.style.opacity = shown ? String(shown.opacity) : '';
    this.schedule();
  }

  #click(event: OpenSeadragon.CanvasClickEvent): void {
    if (!event.quick) return;
    const layer = this.#layer;
    const t = viewTransform(this.viewer, this.#slide);
    const native = event.originalEvent as MouseEvent;
    if (!layer || !t || (this.#session && this.#session.getState().tool !== 'select')) return;
    const p = this.viewer.viewport.viewerElementToImageCoordinates(event.position);
    const tolerance = PICK_PX / transformScale(t);
    const index = this.#session && annotationAt(this.#session, p, tolerance) !== null ? null : detectionAt(layer, p.x, p.y, tolerance);
    this.#store.pick(index === null ? null : { slideId: this.#slideId, index, x: native.clientX, y: native.clientY });
  }

  /** Enter with the select tool on the focused view: the shown detection nearest its centre, and an order to step on in. */
  #keyDown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.metaKey || event.altKey || event.repeat || event.shiftKey) return;
    const layer = this.#layer;
    const t = viewTransform(this.viewer, this.#slide);
    const session = this.#session;
    if (!layer || !t || (session && (session.getState().tool !== 'select' || session.draft))) return;
    event.preventDefault();
    const width = this.viewer.canvas.clientWidth;
    const height = this.viewer.canvas.clientHeight;
    const centre = this.viewer.viewport.viewerElementToImageCoordinates(new OpenSeadragon.Point(width / 2, height / 2));
    const order = detectionsNearest(layer, viewBox(t, width, height, 0), centre.x, centre.y);
    if (order.length === 0) {
      session?.announce(describeNoDetections());
      return;
    }
    const pickAt = (k: number): void => {
      const index = order[k]!;
      const now = viewTransform(this.viewer, this.#slide);
      if (!now) return;
      // The card beside the detection's centroid as the view shows it now.
      const c = detectionCentroid(layer.set, index);
      const [x, y] = applyTransform(now, c.x, c.y);
      const bounds = this.viewer.canvas.getBoundingClientRect();
      const step = (by: 1 | -1): void => {
        const shown = this.#store.of(this.#slideId)?.layer;
        if (!shown || shown.set !== layer.set) return;
        // Past the classes hidden since the order was made.
        const next = stepShown(shown, order, k, by);
        if (next === null) {
          this.#store.pick(null);
          session?.announce(describeNoDetections());
        } else pickAt(next);
      };
      this.#store.pick({ slideId: this.#slideId, index, x: bounds.left + x, y: bounds.top + y, step });
      session?.announce(describeDetectionStep(layer.set, index, k + 1, order.length));
    };
    pickAt(0);
  }

  protected override draw(): void {
    const layer = this.#layer;
    if (!layer) return;
    const started = performance.now();
    const { width, height, ratio } = this.fit();
    const t = viewTransform(this.viewer, this.#slide);
    if (!t || width === 0) {
      this.context.clearRect(0, 0, this.canvas.width, this.canvas.height);
      return;
    }
    this.lastMode = drawDetections(this.context, width, height, t, layer, ratio, this.#scratch);
    this.canvas.dataset['mode'] = this.lastMode;
    this.drawn(started);
  }
}
