// What a viewer shows of its slide as a level-0 rectangle: the area an export of "the view" reads.

import OpenSeadragon from 'openseadragon';
import { type LevelZeroRect, wholePixelsWithin } from '../../../shared/export-plan';

/**
 * The part of the slide in the viewer's whole container (its margins too: the slide shows under
 * them), where the view is going (after a zoom's animation), in whole level-0 pixels; a turned
 * view's axis-aligned bounds. Null when none of the slide is in view.
 */
export function shownRect(viewport: OpenSeadragon.Viewport, slide: { width: number; height: number }): LevelZeroRect | null {
  const size = viewport.getContainerSize();
  const corners = [
    [0, 0],
    [size.x, 0],
    [0, size.y],
    [size.x, size.y],
  ].map(([x, y]) => viewport.viewportToImageCoordinates(viewport.pointFromPixel(new OpenSeadragon.Point(x, y), false)));
  return wholePixelsWithin(
    {
      minX: Math.min(...corners.map((p) => p.x)),
      minY: Math.min(...corners.map((p) => p.y)),
      maxX: Math.max(...corners.map((p) => p.x)),
      maxY: Math.max(...corners.map((p) => p.y)),
    },
    slide,
  );
}
