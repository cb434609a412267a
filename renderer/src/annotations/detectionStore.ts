// The detection layers of the window's slides, one a slide tab: kept while the slide is open (showing
// another tab keeps each its own). Main remembers the file and how it was shown per slide, so a slide
// opened again shows them again (read anew: a file gone or changed is said in the panel, and
// forgotten). The panel opens, changes and removes them; each view draws its slide's; the detection
// under a click (or stepped to from the keyboard) is picked here for the details card.

import { forgetsRemembered } from '../../../shared/detections';
import type { ErrorInfo } from '../../../shared/errors';
import type { SlideId, SlidescopeApi } from '../../../shared/ipc';
import { createLayer, type DetectionLayer, displayOf, withDisplay } from './detectionLayer';

export type SlideDetections =
  /** The dialog is open: the layer shown before stays until a file is read. */
  | { status: 'choosing'; layer: DetectionLayer | null }
  | { status: 'reading'; file: string; layer: DetectionLayer | null }
  | { status: 'shown'; layer: DetectionLayer }
  /** The file remembered for the slide did not read (error null: it holds no detections now); forgotten unless the engine failed (main decides alike). */
  | { status: 'lost'; file: string; error: ErrorInfo | null; forgotten: boolean; layer: null };

export interface PickedDetection {
  slideId: SlideId;
  index: number;
  /** Where it was clicked (client pixels), for the card. */
  x: number;
  y: number;
  /** Picked from the keyboard: picks the next (1) or the one before (-1) in its order, nearest the view's centre first. */
  step?: (by: 1 | -1) => void;
}

/** What opening a file came to, for the panel to say. */
export type OpenOutcome =
  | { kind: 'shown'; layer: DetectionLayer }
  | { kind: 'cancelled' }
  | { kind: 'empty'; file: string; leftOut: number }
  | { kind: 'failed'; error: ErrorInfo };

type Listener = () => void;

export class DetectionStore {
  readonly #api: SlidescopeApi;
  #slides = new Map<SlideId, SlideDetections>();
  /** The slides open in the window, as track() was last told. */
  #open = new Set<SlideId>();
  #picked: PickedDetection | null = null;
  readonly #listeners = new Set<Listener>();

  constructor(api: SlidescopeApi) {
    this.#api = api;
  }

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

  /** Whether the slide is busy with a file (its dialog open, or a file being read). */
  #busy(slideId: SlideId): boolean {
    const status = this.of(slideId)?.status;
    return status === 'choosing' || status === 'reading';
  }

  /** Asks for a file and shows its detections over the slide, replacing what it showed. */
  async open(slideId: SlideId): Promise<OpenOutcome> {
    if (this.#busy(slideId)) return { kind: 'cancelled' };
    const before = this.of(slideId)?.layer ?? null;
    const restore = (): void => this.#set(slideId, before ? { status: 'shown', layer: before } : null);
    this.#set(slideId, { status: 'choosing', layer: before });
    const chosen = await this.#api.chooseDetections({ slideId });
    // The slide was closed meanwhile: nothing to show it over.
    if (this.of(slideId)?.status !== 'choosing') return { kind: 'cancelled' };
    if (!chosen.ok || !chosen.value) {
      restore();
      return chosen.ok ? { kind: 'cancelled' } : { kind: 'failed', error: chosen.error };
    }
    this.#set(slideId, { status: 'reading', file: chosen.value, layer: before });
    const result = await this.#api.readDetectionFile({ slideId, path: chosen.value });
    if (this.of(slideId)?.status !== 'reading') return { kind: 'cancelled' };
    if (!result.ok) {
      restore();
      return { kind: 'failed', error: result.error };
    }
    if (result.value.count === 0) {
      restore();
      return { kind: 'empty', file: result.value.path, leftOut: result.value.leftOut };
    }
    const layer = createLayer(result.value);
    this.#set(slideId, { status: 'shown', layer });
    this.#remember(slideId, layer);
    return { kind: 'shown', layer };
  }

  /** Shows again the detections remembered for a slide just opened, as they were shown. */
  async #reopen(slideId: SlideId): Promise<void> {
    const remembered = await this.#api.recallDetections({ slideId });
    if (!remembered.ok || !remembered.value || !this.#open.has(slideId) || this.of(slideId)) return;
    const { file, display } = remembered.value;
    this.#set(slideId, { status: 'reading', file, layer: null });
    const result = await this.#api.readDetectionFile({ slideId, path: file });
    // Closed meanwhile, or the person chose another file.
    const now = this.of(slideId);
    if (now?.status !== 'reading' || now.file !== file) return;
    if (!result.ok || result.value.count === 0) {
      const error = result.ok ? null : result.error;
      this.#set(slideId, { status: 'lost', file, error, forgotten: forgetsRemembered(error), layer: null });
      return;
    }
    this.#set(slideId, { status: 'shown', layer: withDisplay(createLayer(result.value), display) });
  }

  #remember(slideId: SlideId, layer: DetectionLayer | null): void {
    // A failed write is main's to log: the layer is shown all the same.
    void this.#api.rememberDetections({ slideId, display: layer ? displayOf(layer) : null });
  }

  /** Changes how the slide's layer is shown (remembered for the slide). */
  update(slideId: SlideId, change: (layer: DetectionLayer) => DetectionLayer): void {
    const current = this.of(slideId);
    if (current?.status !== 'shown') return;
    const layer = change(current.layer);
    this.#set(slideId, { status: 'shown', layer });
    this.#remember(slideId, layer);
  }

  /** Takes the slide's layer off, and has main forget it for the slide. */
  remove(slideId: SlideId): void {
    if (this.of(slideId)?.status !== 'shown') return;
    this.#set(slideId, null);
    this.#remember(slideId, null);
  }

  /** The window's open slides: the layers of the others go (their tabs were closed), each new one shows what is remembered for it. */
  track(slideIds: readonly SlideId[]): void {
    const opened = slideIds.filter((slideId) => !this.#open.has(slideId));
    this.#open = new Set(slideIds);
    for (const slideId of this.#slides.keys()) if (!this.#open.has(slideId)) this.#set(slideId, null);
    for (const slideId of opened) void this.#reopen(slideId);
  }

  pick(picked: PickedDetection | null): void {
    if (picked === this.#picked || (picked === null && this.#picked === null)) return;
    this.#picked = picked;
    this.#changed();
  }
}
