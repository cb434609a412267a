// Compared slides as linked viewers: each panel's frame maps the shared view (a world centre in µm,
// µm per CSS pixel) to its own slide through its alignment (shared/compare-geometry.ts).

import { fromWorld, imageZoomFor, micronsPerPixelAt, type PhysicalSlide, type Placement, toWorld, worldBounds } from '../../../shared/compare-geometry';
import { clampTo, type LinkFrame, type Point } from './linkedViewers';

export function compareFrame(slide: PhysicalSlide, placement: Placement): LinkFrame {
  return {
    fromShared: (world) => fromWorld(slide, placement, world),
    toShared: (l0) => toWorld(slide, placement, l0),
    zoom: { fromShared: (scale) => imageZoomFor(slide, scale), toShared: (imageZoom) => micronsPerPixelAt(slide, imageZoom) },
  };
}

/** The shared centre stays over some slide: within the rectangle they cover together. */
export function compareClamp(slides: readonly PhysicalSlide[], placements: readonly Placement[]): (p: Point) => Point {
  return clampTo(worldBounds(slides, placements));
}
