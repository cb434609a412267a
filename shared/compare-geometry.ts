// Where each compared slide is, in one physical plane shared by all of them (the "world", in µm,
// x right and y down as on screen). A slide is placed by its alignment: rotated clockwise by
// `rotation` degrees about its own centre, then moved by `offset` µm. Linking the viewers, the
// export and the CLI all go through these functions, so a field of view is the same in each.

import type { Mpp, SlideInfo } from './slide';

export interface Point {
  x: number;
  y: number;
}

/** One slide's alignment: a move in µm and a clockwise rotation in degrees (both 0: as scanned). */
export interface Placement {
  offset: Point;
  rotation: number;
}

/** What the placement needs of a slide: its level-0 size and its pixel size. */
export interface PhysicalSlide {
  width: number;
  height: number;
  mpp: Mpp;
}

/** The slide's physical size, or null when it records no µm/px (it cannot be placed physically). */
export function physicalSlide(info: Pick<SlideInfo, 'width' | 'height' | 'mpp'>): PhysicalSlide | null {
  return info.mpp ? { width: info.width, height: info.height, mpp: info.mpp } : null;
}

export const NO_PLACEMENT: Placement = { offset: { x: 0, y: 0 }, rotation: 0 };

function rotate(p: Point, degrees: number): Point {
  const r = (degrees * Math.PI) / 180;
  const cos = Math.cos(r);
  const sin = Math.sin(r);
  // y points down, so this turns clockwise on screen, as OpenSeadragon's rotation does.
  return { x: p.x * cos - p.y * sin, y: p.x * sin + p.y * cos };
}

function centreMicrons(slide: PhysicalSlide): Point {
  return { x: (slide.width * slide.mpp.x) / 2, y: (slide.height * slide.mpp.y) / 2 };
}

/** A level-0 point of the slide, in the world. */
export function toWorld(slide: PhysicalSlide, placement: Placement, l0: Point): Point {
  const k = centreMicrons(slide);
  const turned = rotate({ x: l0.x * slide.mpp.x - k.x, y: l0.y * slide.mpp.y - k.y }, placement.rotation);
  return { x: turned.x + k.x + placement.offset.x, y: turned.y + k.y + placement.offset.y };
}

/** The slide's level-0 point under a world point (possibly outside the slide). */
export function fromWorld(slide: PhysicalSlide, placement: Placement, world: Point): Point {
  const k = centreMicrons(slide);
  const back = rotate({ x: world.x - placement.offset.x - k.x, y: world.y - placement.offset.y - k.y }, -placement.rotation);
  return { x: (back.x + k.x) / slide.mpp.x, y: (back.y + k.y) / slide.mpp.y };
}

/** CSS (or output) pixels per level-0 pixel that show `micronsPerPixel` µm in each pixel. */
export function imageZoomFor(slide: PhysicalSlide, micronsPerPixel: number): number {
  return slide.mpp.x / micronsPerPixel;
}

/** µm per CSS pixel when the slide is shown at an image zoom. */
export function micronsPerPixelAt(slide: PhysicalSlide, imageZoom: number): number {
  return slide.mpp.x / imageZoom;
}

/** The placement moved by a world vector (a Shift-drag of the slide's panel). */
export function moveBy(placement: Placement, delta: Point): Placement {
  return { offset: { x: placement.offset.x + delta.x, y: placement.offset.y + delta.y }, rotation: placement.rotation };
}

/** Angles kept in (-180, 180]: one name per orientation in the saved files. */
export function normaliseDegrees(degrees: number): number {
  const d = ((((degrees + 180) % 360) + 360) % 360) - 180;
  return d === -180 ? 180 : d;
}

/**
 * The placement turned by `degrees` about a world point (the view's centre): the slide point under
 * it stays there, so the rotation happens where the user is looking, not about the slide's centre.
 */
export function rotateAbout(slide: PhysicalSlide, placement: Placement, world: Point, degrees: number): Placement {
  const pinned = fromWorld(slide, placement, world);
  const rotation = normaliseDegrees(placement.rotation + degrees);
  const moved = toWorld(slide, { offset: { x: 0, y: 0 }, rotation }, pinned);
  return { offset: { x: world.x - moved.x, y: world.y - moved.y }, rotation };
}

/** Each slide's level-0 point under one world point: where each panel is centred. */
export function centresOf(slides: readonly PhysicalSlide[], placements: readonly Placement[], world: Point): Point[] {
  return slides.map((slide, i) => fromWorld(slide, placements[i] ?? NO_PLACEMENT, world));
}

/** The world rectangle the slides cover together (each slide's four corners, placed). */
export function worldBounds(slides: readonly PhysicalSlide[], placements: readonly Placement[]): { x: number; y: number; width: number; height: number } {
  const corners = slides.flatMap((slide, i) =>
    [
      { x: 0, y: 0 },
      { x: slide.width, y: 0 },
      { x: 0, y: slide.height },
      { x: slide.width, y: slide.height },
    ].map((corner) => toWorld(slide, placements[i] ?? NO_PLACEMENT, corner)),
  );
  const xs = corners.map((c) => c.x);
  const ys = corners.map((c) => c.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/** µm per CSS pixel that fits the whole slide into a panel of this size. */
export function fitMicronsPerPixel(slide: PhysicalSlide, panel: { width: number; height: number }): number {
  return Math.max((slide.width * slide.mpp.x) / Math.max(1, panel.width), (slide.height * slide.mpp.y) / Math.max(1, panel.height));
}
