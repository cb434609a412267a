// An annotation picked in the list is brought into view: the single view centres on it (zooming out
// when it does not fit), the grid moves all four cells' shared centre to it.

import OpenSeadragon from 'openseadragon';
import { useEffect, useRef } from 'react';
import type { Point } from '../viewer/linkedViewers';
import { useAnnotationContext } from './AnnotationContext';

/** An annotation larger than this share of the view is fitted into it, with a margin. */
const FIT_ABOVE = 0.8;

export function useAnnotationFocus(viewer: OpenSeadragon.Viewer | null, centreGrid: ((centre: Point) => void) | null): void {
  const session = useAnnotationContext()?.session ?? null;
  const grid = useRef(centreGrid);
  grid.current = centreGrid;
  useEffect(() => {
    if (!session) return undefined;
    return session.onFocus((box) => {
      const centre = { x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2 };
      if (grid.current) {
        grid.current(centre);
        return;
      }
      if (!viewer || viewer.world.getItemCount() === 0) return;
      const { viewport } = viewer;
      const rect = viewport.imageToViewportRectangle(box.minX, box.minY, box.maxX - box.minX, box.maxY - box.minY);
      const bounds = viewport.getBounds();
      if (rect.width > bounds.width * FIT_ABOVE || rect.height > bounds.height * FIT_ABOVE) {
        viewport.fitBounds(new OpenSeadragon.Rect(rect.x - rect.width * 0.15, rect.y - rect.height * 0.15, rect.width * 1.3, rect.height * 1.3));
      } else {
        viewport.panTo(viewport.imageToViewportCoordinates(centre.x, centre.y));
      }
    });
  }, [session, viewer]);
}
