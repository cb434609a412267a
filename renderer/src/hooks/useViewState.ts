// The view numbers the toolbar and scale bar show, updated once per animation frame while OSD moves.

import type OpenSeadragon from 'openseadragon';
import { useEffect, useState } from 'react';

export interface ViewState {
  /** CSS pixels per level-0 pixel, as drawn now (mid-animation included). */
  imageZoom: number;
  /** The zoom OSD is animating to: what presets compare against. */
  targetImageZoom: number;
  /** Degrees, 0/90/180/270. */
  rotation: number;
  ready: boolean;
}

const INITIAL: ViewState = { imageZoom: 0, targetImageZoom: 0, rotation: 0, ready: false };

export function useViewState(viewer: OpenSeadragon.Viewer | null): ViewState {
  const [state, setState] = useState<ViewState>(INITIAL);

  useEffect(() => {
    if (!viewer) {
      setState(INITIAL);
      return undefined;
    }
    let frame = 0;
    const read = (): void => {
      frame = 0;
      if (viewer.world.getItemCount() === 0) return;
      const { viewport } = viewer;
      const next: ViewState = {
        imageZoom: viewport.viewportToImageZoom(viewport.getZoom(true)),
        targetImageZoom: viewport.viewportToImageZoom(viewport.getZoom(false)),
        rotation: normalizeDegrees(viewport.getRotation(false)),
        ready: true,
      };
      setState((prev) => (sameState(prev, next) ? prev : next));
    };
    const schedule = (): void => {
      if (frame === 0) frame = requestAnimationFrame(read);
    };
    const events = ['open', 'animation', 'animation-finish', 'resize', 'rotate', 'zoom', 'viewport-change'] as const;
    for (const name of events) viewer.addHandler(name, schedule);
    schedule();
    return () => {
      for (const name of events) viewer.removeHandler(name, schedule);
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [viewer]);

  return state;
}

function normalizeDegrees(degrees: number): number {
  return ((Math.round(degrees) % 360) + 360) % 360;
}

function sameState(a: ViewState, b: ViewState): boolean {
  return a.ready === b.ready && a.rotation === b.rotation && a.imageZoom === b.imageZoom && a.targetImageZoom === b.targetImageZoom;
}
