// Keeps OpenSeadragon viewers drawing a slide as its view's colour says: the single view (with its
// navigator) or the comparison grid's four cells, each given the same brightness, contrast, gamma
// and ICC choice as they come and go.

import type OpenSeadragon from 'openseadragon';
import { useEffect, useRef } from 'react';
import { ViewerColour } from '../viewer/colourFilter';
import type { ViewColour } from './useViewColour';

export function useColourFilter(viewers: ReadonlyArray<OpenSeadragon.Viewer | null>, colour: ViewColour): void {
  const attached = useRef(new Map<OpenSeadragon.Viewer, ViewerColour>());
  const latest = useRef(colour);
  useEffect(() => {
    latest.current = colour;
  }, [colour]);

  useEffect(() => {
    const map = attached.current;
    for (const viewer of viewers) {
      if (!viewer || map.has(viewer)) continue;
      const filter = new ViewerColour(viewer);
      filter.setAdjustment(latest.current.adjustment);
      filter.setManaged(latest.current.managed);
      map.set(viewer, filter);
    }
    for (const [viewer, filter] of map) {
      if (viewers.includes(viewer)) continue;
      filter.dispose();
      map.delete(viewer);
    }
  }, [viewers]);

  useEffect(() => {
    const map = attached.current;
    return () => {
      for (const filter of map.values()) filter.dispose();
      map.clear();
    };
  }, []);

  useEffect(() => {
    for (const filter of attached.current.values()) filter.setAdjustment(colour.adjustment);
  }, [colour.adjustment]);

  useEffect(() => {
    for (const filter of attached.current.values()) filter.setManaged(colour.managed);
  }, [colour.managed]);
}
