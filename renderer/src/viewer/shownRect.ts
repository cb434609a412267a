// What a viewer shows of its slide as a level-0 rectangle: the area an export of "the view" reads.

import OpenSeadragon from 'openseadragon';
import type { LevelZeroRect } from '../../../shared/export-plan';

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
  // Whole pixels around it, not one more for a coordinate a rounding error past a pixel's edge.
  const down = (v: number) => Math.floor(v + 1e-6);
  const up = (v: number) => Math.ceil(v - 1e-6);
  const x0 = Math.max(0, down(Math.min(...corners.map((p) => p.x))));
  const y0 = Math.max(0, down(Math.min(...corners.map((p) => p.y))));
  const x1 = Math.min(slide.width, up(Math.max(...corners.map((p) => p.x))));
  const y1 = Math.min(slide.height, up(Math.max(...corners.map((p) => p.y))));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}
