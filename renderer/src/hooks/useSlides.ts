// The slides open in this window (one tab each) and which one is shown. Opening a file that is
// already open shows its tab instead of holding a second engine handle on the same file.

import { useCallback, useRef, useState } from 'react';
import type { OpenedSlide, SlideId, SlidescopeApi } from '../../../shared/ipc';

export interface Slides {
  slides: OpenedSlide[];
  active: OpenedSlide | null;
  /** Shows an opened slide in a tab; answers the id it is kept under (an open file's tab keeps its own). */
  adopt: (slide: OpenedSlide, options: { activate: boolean }) => SlideId;
  activate: (slideId: SlideId) => void;
  close: (slideId: SlideId) => void;
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

  const adopt = useCallback(
    (slide: OpenedSlide, { activate }: { activate: boolean }): SlideId => {
      const existing = latest.current.slides.find((s) => s.info.path === slide.info.path);
      if (existing) {
        if (existing.slideId !== slide.slideId) void api.closeSlide({ slideId: slide.slideId });
        if (activate) update((prev) => ({ ...prev, activeId: existing.slideId }));
        return existing.slideId;
      }
      update((prev) => ({
        slides: [...prev.slides, slide],
        activeId: activate || prev.activeId === null ? slide.slideId : prev.activeId,
      }));
      return slide.slideId;
    },
    [api, update],
  );

  const activate = useCallback((slideId: SlideId) => update((prev) => ({ ...prev, activeId: slideId })), [update]);

  const close = useCallback(
    (slideId: SlideId) => {
      void api.closeSlide({ slideId });
      update((prev) => {
        const index = prev.slides.findIndex((s) => s.slideId === slideId);
        const slides = prev.slides.filter((s) => s.slideId !== slideId);
        const neighbour = slides[Math.min(index, slides.length - 1)] ?? null;
        return { slides, activeId: prev.activeId === slideId ? (neighbour?.slideId ?? null) : prev.activeId };
      });
    },
    [api, update],
  );

  const active = state.slides.find((s) => s.slideId === state.activeId) ?? null;
  return { slides: state.slides, active, adopt, activate, close };
}
