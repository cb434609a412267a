// The slides open in this window (one tab each) and which one is shown. Opening a file that is
// already open shows its tab instead of holding a second engine handle on the same file. The latest
// thing the user asked for is shown: a slow open that ends after a later one (or a tab chosen meanwhile)
// becomes a tab without taking over the view.

import { useCallback, useRef, useState } from 'react';
import type { OpenedSlide, SlideId, SlidescopeApi } from '../../../shared/ipc';
import type { SlideInfo } from '../../../shared/slide';

export interface Slides {
  slides: OpenedSlide[];
  active: OpenedSlide | null;
  /** A turn for an open about to start, for `adopt`'s `asked`. */
  ask: () => number;
  /**
   * Shows an opened slide in a tab, and in view if `activate` and nothing asked for after `asked` (default:
   * now) is in view yet; answers the id it is kept under (an open file's tab keeps its own).
   */
  adopt: (slide: OpenedSlide, options: { activate: boolean; asked?: number }) => SlideId;
  activate: (slideId: SlideId) => void;
  /** Takes the slide's tab away; its engine handle goes once `released` resolves (its annotations stored). */
  close: (slideId: SlideId, released?: Promise<void>) => void;
  /** The slide as the engine now shows it (its channels chosen): its tab keeps its place and its view. */
  showAs: (slideId: SlideId, info: SlideInfo) => void;
}

interface State {
  slides: OpenedSlide[];
  activeId: SlideId | null;
}

export function useSlides(api: SlidescopeApi): Slides {
  const [state, setState] = useState<State>({ slides: [], activeId: null });
  // Side effects (closing duplicates) need the latest list without waiting for a render.
  const latest = useRef(state);
  const update = useCallback((next: (prev: State) => State) => {
    latest.current = next(latest.current);
    setState(latest.current);
  }, []);

  /** Turns handed out, and the turn of what is in view. */
  const turns = useRef({ asked: 0, shown: 0 });
  const ask = useCallback(() => ++turns.current.asked, []);
  /** Whether something asked for at `asked` goes into view: nothing asked for later is there yet. */
  const show = useCallback(
    (asked: number = ask()): boolean => {
      if (asked < turns.current.shown) return false;
      turns.current.shown = asked;
      return true;
    },
    [ask],
  );

  const adopt = useCallback(
    (slide: OpenedSlide, { activate, asked }: { activate: boolean; asked?: number }): SlideId => {
      const shown = activate && show(asked);
      const existing = latest.current.slides.find((s) => s.info.path === slide.info.path);
      if (existing) {
        if (existing.slideId !== slide.slideId) void api.closeSlide({ slideId: slide.slideId });
        if (shown) update((prev) => ({ ...prev, activeId: existing.slideId }));
        return existing.slideId;
      }
      update((prev) => ({
        slides: [...prev.slides, slide],
        activeId: shown || prev.activeId === null ? slide.slideId : prev.activeId,
      }));
      return slide.slideId;
    },
    [api, update, show],
  );

  const activate = useCallback(
    (slideId: SlideId) => {
      show();
      update((prev) => ({ ...prev, activeId: slideId }));
    },
    [update, show],
  );

  const close = useCallback(
    (slideId: SlideId, released: Promise<void> = Promise.resolve()) => {
      void released.then(() => api.closeSlide({ slideId }));
      update((prev) => {
        const index = prev.slides.findIndex((s) => s.slideId === slideId);
        const slides = prev.slides.filter((s) => s.slideId !== slideId);
        const neighbour = slides[Math.min(index, slides.length - 1)] ?? null;
        return { slides, activeId: prev.activeId === slideId ? (neighbour?.slideId ?? null) : prev.activeId };
      });
    },
    [api, update],
  );

  const showAs = useCallback(
    (slideId: SlideId, info: SlideInfo) => update((prev) => ({ ...prev, slides: prev.slides.map((s) => (s.slideId === slideId ? { ...s, info } : s)) })),
    [update],
  );

  const active = state.slides.find((s) => s.slideId === state.activeId) ?? null;
  return { slides: state.slides, active, ask, adopt, activate, close, showAs };
}
