// Puts the slide's annotations over one viewer (the single view or a grid cell), drawn and edited
// there for as long as both exist. A grid cell passes its link: the keyboard draws where the cells are heading.

import type OpenSeadragon from 'openseadragon';
import { useEffect } from 'react';
import { e2eHandle } from '../e2eHandle';
import { useAnnotationContext } from './AnnotationContext';
import { AnnotationOverlay } from './annotationOverlay';
import type { ViewHeading } from './keyboardDrawing';

export function useAnnotationOverlay(viewer: OpenSeadragon.Viewer | null, heading: ViewHeading | null = null): void {
  const session = useAnnotationContext()?.session ?? null;
  useEffect(() => {
    if (!viewer || !session) return undefined;
    const overlay = new AnnotationOverlay(viewer, session, heading);
    const handle = e2eHandle();
    handle?.annotationOverlays.push(overlay);
    return () => {
      overlay.destroy();
      if (handle) handle.annotationOverlays = handle.annotationOverlays.filter((o) => o !== overlay);
    };
  }, [viewer, session, heading]);
}
