// The detection layers of the window's slides, one a slide tab: kept while the slide is open (showing
// another tab keeps each its own), gone when it closes. The panel opens, changes and removes them;
// each view draws its slide's; the detection under a click is picked here for the details card.

import type { ErrorInfo } from '../../../shared/errors';
import type { SlideId, SlidescopeApi } from '../../../shared/ipc';
import { createLayer, type DetectionLayer } from './detectionLayer';

export type SlideDetections = { status: 'reading'; layer: DetectionLayer | null } | { status: 'shown'; layer: DetectionLayer };

export interface PickedDetection {
  slideId: SlideId;
  index: number;
  /** Where it was clicked (client pixels), for the card. */
  x: number;
  y: number;
}

/** What opening a file came to, for the panel to say. */
export type OpenOutcome =
  | { kind: 'shown'; layer: DetectionLayer }
  | { kind: 'cancelled' }
  | { kind: 'empty'; file: string; leftOut: number }
  | { kind: 'failed'; error: ErrorInfo };

type Listener = () => void;

export class DetectionStore {
  #slides = new Map<SlideId, SlideDetections>();
  #picked: PickedDetection | null = null;
  readonly #listeners = new Set<Listener>();

  subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  of(slideId: SlideId): SlideDetections | null {
    return this.#slides.get(slideId) ?? null;
  }

  get picked(): PickedDetection | null {
    return this.#picked;
  }

  #set(slideId: SlideId, value: SlideDetections | null): void {
    const next = new Map(this.#slides);
    const old = next.get(slideId);
    if (value) next.set(slideId, value);
    else next.delete(slideId);
    this.#slides = next;
    // The card goes with its set (removed, replaced, being replaced), not with a class hidden or a style changed.
    if (this.#picked?.slideId === slideId && (value?.status !== 'shown' || value.layer.set !== old?.layer?.set)) this.#picked = null;
    this.#changed();
  }

  /** Asks for a file and shows its detections over the slide, replacing what it showed. */
  async open(api: SlidescopeApi, slideId: SlideId): Promise<OpenOutcome> {
    const before = this.of(slideId);
    if (before?.status === 'reading') return { kind: 'cancelled' };
    this.#set(slideId, { status: 'reading', layer: before?.layer ?? null });
    const result = await api.openDetections({ slideId });
    // The slide was closed meanwhile: nothing to show it over.
    if (this.of(slideId)?.status !== 'reading') return { kind: 'cancelled' };
    const restore = (): void => this.#set(slideId, before?.layer ? { status: 'shown', layer: before.layer } : null);
    if (!result.ok) {
      restore();
      return { kind: 'failed', error: result.error };
    }
    if (!result.value) {
      restore();
      return { kind: 'cancelled' };
    }
    if (result.value.count === 0) {
      restore();
      return { kind: 'empty', file: result.value.path, leftOut: result.value.leftOut };
    }
    const layer = createLayer(result.value);
    this.#set(slideId, { status: 'shown', layer });
    return { kind: 'shown', layer };
  }

  /** Changes how the slide's layer is shown. */
  update(slideId: SlideId, change: (layer: DetectionLayer) => DetectionLayer): void {
    const current = this.of(slideId);
    if (current?.status === 'shown') this.#set(slideId, { status: 'shown', layer: change(current.layer) });
  }

  remove(slideId: SlideId): void {
    if (this.of(slideId)?.status === 'shown') this.#set(slideId, null);
  }

  /** Keeps the layers of these slides only (the others' tabs were closed). */
  keep(slideIds: readonly SlideId[]): void {
    for (const slideId of this.#slides.keys()) if (!slideIds.includes(slideId)) this.#set(slideId, null);
  }

  pick(picked: PickedDetection | null): void {
    if (picked === this.#picked || (picked === null && this.#picked === null)) return;
    this.#picked = picked;
    this.#changed();
  }
}
