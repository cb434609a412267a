// The window's detection layers (one a slide tab), handed to the views that draw them, the panel that
// opens and changes them, and the card that shows a picked one.

import { createContext, useContext, useSyncExternalStore } from 'react';
import type { SlideId } from '../../../shared/ipc';
import type { DetectionStore, PickedDetection, SlideDetections } from './detectionStore';

export const DetectionContext = createContext<DetectionStore | null>(null);

export function useDetectionStore(): DetectionStore | null {
  return useContext(DetectionContext);
}

/** The slide's layer (or its reading), re-rendering on each change. */
export function useSlideDetections(store: DetectionStore, slideId: SlideId): SlideDetections | null {
  return useSyncExternalStore(store.subscribe, () => store.of(slideId));
}

export function usePickedDetection(store: DetectionStore): PickedDetection | null {
  return useSyncExternalStore(store.subscribe, () => store.picked);
}
