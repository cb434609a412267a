// Keeps linked viewers on one shared view: the comparison grid's cells (one slide, a level-0 centre,
// each cell its own zoom) and the compare view's panels (different slides placed in one physical
// plane: a centre in µm and µm per CSS pixel). Each viewer has a frame that maps the shared view to
// its own slide (SAME_SLIDE for the grid; compareFrames.ts for compared slides).
//
// The viewer the user last pressed, dragged or scrolled, or the one the app panned, leads: each
// frame its view as drawn is copied to the others at once (immediately). Followers' own viewport
// changes are never copied back, so there is no feedback loop and no follower fights the leader's
// animation. The shared centre stays within `clamp` (OSD's visibilityRatio would depend on each
// viewer's zoom, and a low-power cell could drag the others off the tissue).

import OpenSeadragon from 'openseadragon';
import type { Point } from '../../../shared/compare-geometry';

export type { Point };

/** How one linked viewer shows the shared view. */
export interface LinkFrame {
  /** The viewer's level-0 point under a shared point, and back. */
  fromShared(shared: Point): Point;
  toShared(l0: Point): Point;
  /** The viewer's image zoom (CSS px per level-0 px) for the shared scale, and back; absent: its zoom is its own. */
  zoom?: { fromShared(scale: number): number; toShared(imageZoom: number): number };
}

/** Every viewer shows the same slide: the shared centre is a level-0 point. */
export const SAME_SLIDE: LinkFrame = { fromShared: (p) => ({ ...p }), toShared: (p) => ({ ...p }) };

export interface SharedView {
  center: Point;
  /** Shared units per CSS pixel (µm for compared slides); null when zoom is not linked. */
  scale: number | null;
}

export interface LinkOptions {
  center: Point;
  scale?: number | null;
  /** Keeps the shared centre where there is something to see. */
  clamp?: (center: Point) => Point;
  /** Hears every new shared view. */
  onChange?: (view: SharedView) => void;
}

/** A clamp to a rectangle (the grid's slide, in level-0 pixels). */
export function clampTo(box: { x: number; y: number; width: number; height: number }): (p: Point) => Point {
  return (p) => ({ x: Math.min(Math.max(p.x, box.x), box.x + box.width), y: Math.min(Math.max(p.y, box.y), box.y + box.height) });
}

interface Member {
  frame: LinkFrame;
  detach: () => void;
}

export class LinkedViewers {
  readonly #members = new Map<OpenSeadragon.Viewer, Member>();
  readonly #clamp: (center: Point) => Point;
  readonly #onChange: (view: SharedView) => void;
  #leader: OpenSeadragon.Viewer | null = null;
  #center: Point;
  #scale: number | null;

  constructor(options: LinkOptions) {
    this.#clamp = options.clamp ?? ((p) => ({ ...p }));
    this.#onChange = options.onChange ?? (() => undefined);
    this.#center = this.#clamp(options.center);
    this.#scale = options.scale ?? null;
  }

  get center(): Point {
    return { ...this.#center };
  }

  get scale(): number | null {
    return this.#scale;
  }

  /** Links a viewer (placed on the shared view once it has opened); returns the unlink function. */
  add(viewer: OpenSeadragon.Viewer, frame: LinkFrame = SAME_SLIDE): () => void {
    const lead = (): void => {
      this.#leader = viewer;
    };
    const changed = (): void => {
      if (this.#leader === viewer) this.#follow(viewer);
    };
    const opened = (): void => this.place(viewer);
    const leadOn = ['canvas-press', 'canvas-drag', 'canvas-scroll'] as const;
    for (const name of leadOn) viewer.addHandler(name, lead);
    viewer.addHandler('viewport-change', changed);
    viewer.addHandler('open', opened);
    const detach = (): void => {
      for (const name of leadOn) viewer.removeHandler(name, lead);
      viewer.removeHandler('viewport-change', changed);
      viewer.removeHandler('open', opened);
      this.#members.delete(viewer);
      if (this.#leader === viewer) this.#leader = null;
    };
    this.#members.set(viewer, { frame, detach });
    this.place(viewer);
    return detach;
  }

  /** A viewer's frame changed (its slide was moved or turned): it is placed again, the others stay. */
  setFrame(viewer: OpenSeadragon.Viewer, frame: LinkFrame): void {
    const member = this.#members.get(viewer);
    if (!member) return;
    member.frame = frame;
    if (this.#leader === viewer) this.#leader = null;
    this.place(viewer);
  }

  /** Moves every viewer to a shared centre (and scale) at once (no leader: nobody is animating). */
  setView(view: { center?: Point; scale?: number }): void {
    this.#leader = null;
    if (view.center) this.#center = this.#clamp(view.center);
    if (view.scale !== undefined && view.scale > 0) this.#scale = view.scale;
    for (const viewer of this.#members.keys()) this.place(viewer);
    this.#onChange({ center: this.center, scale: this.#scale });
  }

  setCenter(center: Point): void {
    this.setView({ center });
  }

  /** Pans by screen pixels of one viewer, animated; the others follow it frame by frame. */
  panBy(viewer: OpenSeadragon.Viewer, pixels: Point): void {
    if (!this.#members.has(viewer)) return;
    this.#leader = viewer;
    viewer.viewport.panBy(viewer.viewport.deltaPointsFromPixels(new OpenSeadragon.Point(pixels.x, pixels.y)));
  }

  /**
   * The level-0 point of `viewer` at the centre the shared view is heading for: the leader's target
   * mid-pan. A follower is only placed frame by frame, so its own target lags the leader's animation.
   */
  goingTo(viewer: OpenSeadragon.Viewer): Point | null {
    const member = this.#members.get(viewer);
    if (!member) return null;
    const leader = this.#leader;
    const lead = leader ? this.#members.get(leader) : undefined;
    let center = this.#center;
    if (leader && lead && leader.world.getItemCount() > 0) {
      const { viewport } = leader;
      center = this.#clamp(lead.frame.toShared(viewport.viewportToImageCoordinates(viewport.getCenter(false))));
    }
    return member.frame.fromShared(center);
  }

  /** Puts one viewer on the shared view (after it opened or its zoom changed). */
  place(viewer: OpenSeadragon.Viewer): void {
    const member = this.#members.get(viewer);
    if (!member || viewer.world.getItemCount() === 0) return;
    const { viewport } = viewer;
    const { frame } = member;
    if (frame.zoom && this.#scale !== null) viewport.zoomTo(viewport.imageToViewportZoom(frame.zoom.fromShared(this.#scale)), undefined, true);
    const { x, y } = frame.fromShared(this.#center);
    viewport.panTo(viewport.imageToViewportCoordinates(x, y), true);
  }

  dispose(): void {
    for (const member of [...this.#members.values()]) member.detach();
  }

  #follow(leader: OpenSeadragon.Viewer): void {
    const member = this.#members.get(leader);
    if (!member || leader.world.getItemCount() === 0) return;
    const { viewport } = leader;
    const { frame } = member;
    const drawn = frame.toShared(viewport.viewportToImageCoordinates(viewport.getCenter(true)));
    const center = this.#clamp(drawn);
    if (center.x !== drawn.x || center.y !== drawn.y) {
      const l0 = frame.fromShared(center);
      viewport.panTo(viewport.imageToViewportCoordinates(l0.x, l0.y), true);
    }
    const scale = frame.zoom ? frame.zoom.toShared(viewport.viewportToImageZoom(viewport.getZoom(true))) : this.#scale;
    if (center.x === this.#center.x && center.y === this.#center.y && scale === this.#scale) return;
    this.#center = center;
    this.#scale = scale;
    for (const viewer of this.#members.keys()) if (viewer !== leader) this.place(viewer);
    this.#onChange({ center: this.center, scale: this.#scale });
  }
}
