// Puts the slide's detection layer under its annotations in one viewer (the single view or a grid
// cell), for as long as both exist.

import type OpenSeadragon from 'openseadragon';
import { useEffect } from 'react';
import type { OpenedSlide } from '../../../shared/ipc';
import { e2eHandle } from '../e2eHandle';
import { useAnnotationContext } from './AnnotationContext';
import { useDetectionStore } from './DetectionContext';
import { DetectionOverlay } from './detectionOverlay';

export function useDetectionOverlay(viewer: OpenSeadragon.Viewer | null, slide: OpenedSlide): void {
  const store = useDetectionStore();
  const session = useAnnotationContext()?.session ?? null;
  const { slideId } = slide;
  const { width, height } = slide.info;
  useEffect(() => {
    if (!viewer || !store) return undefined;
    const overlay = new DetectionOverlay(viewer, store, slideId, { width, height }, session);
    const handle = e2eHandle();
    handle?.detectionOverlays.push(overlay);
    return () => {
      overlay.destroy();
      if (handle) handle.detectionOverlays = handle.detectionOverlays.filter((o) => o !== overlay);
    };
  }, [viewer, store, slideId, width, height, session]);
}
