// Keeps the comparison grid's viewers (same slide, different zooms) centred on one level-0 point.
//
// The viewer the user last pressed, dragged or scrolled, or the one the app panned, leads: each
// frame its centre as drawn is copied to the others at once (panTo immediately). Followers' own
// viewport changes are never copied back, so there is no feedback loop and no follower fights the
// leader's animation. The centre stays on the slide: the link clamps it (OSD's visibilityRatio
// would depend on each cell's zoom, and a low-power cell could drag the others off the tissue).

import OpenSeadragon from 'openseadragon';

export interface Point {
  x: number;
  y: number;
}

export class LinkedViewers {
  readonly #members = new Map<OpenSeadragon.Viewer, () => void>();
  readonly #width: number;
  readonly #height: number;
  readonly #onChange: (center: Point) => void;
  #leader: OpenSeadragon.Viewer | null = null;
  #center: Point;

  /** width, height: level-0 size of the slide; onChange hears every new centre (level-0 pixels). */
  constructor(size: { width: number; height: number }, center: Point, onChange: (center: Point) => void = () => undefined) {
    this.#width = size.width;
    this.#height = size.height;
    this.#onChange = onChange;
    this.#center = this.#clamp(center);
  }

  get center(): Point {
    return { ...this.#center };
  }

  /** Links a viewer (placed at the shared centre once it has opened); returns the unlink function. */
  add(viewer: OpenSeadragon.Viewer): () => void {
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
    this.place(viewer);
    const detach = (): void => {
      for (const name of leadOn) viewer.removeHandler(name, lead);
      viewer.removeHandler('viewport-change', changed);
      viewer.removeHandler('open', opened);
      this.#members.delete(viewer);
      if (this.#leader === viewer) this.#leader = null;
    };
    this.#members.set(viewer, detach);
    return detach;
  }

  /** Moves every viewer to a level-0 centre at once (no leader: nobody is animating). */
  setCenter(center: Point): void {
    this.#leader = null;
    this.#center = this.#clamp(center);
    for (const viewer of this.#members.keys()) this.place(viewer);
    this.#onChange(this.center);
  }

  /** Pans by screen pixels of one viewer, animated; the others follow it frame by frame. */
  panBy(viewer: OpenSeadragon.Viewer, pixels: Point): void {
    if (!this.#members.has(viewer)) return;
    this.#leader = viewer;
    viewer.viewport.panBy(viewer.viewport.deltaPointsFromPixels(new OpenSeadragon.Point(pixels.x, pixels.y)));
  }

  /** Puts one viewer at the shared centre (after it opened or its zoom changed). */
  place(viewer: OpenSeadragon.Viewer): void {
    if (viewer.world.getItemCount() === 0) return;
    const { x, y } = this.#center;
    viewer.viewport.panTo(viewer.viewport.imageToViewportCoordinates(x, y), true);
  }

  dispose(): void {
    for (const detach of [...this.#members.values()]) detach();
  }

  #follow(leader: OpenSeadragon.Viewer): void {
    if (leader.world.getItemCount() === 0) return;
    const { viewport } = leader;
    const drawn = viewport.viewportToImageCoordinates(viewport.getCenter(true));
    const center = this.#clamp(drawn);
    if (center.x !== drawn.x || center.y !== drawn.y) viewport.panTo(viewport.imageToViewportCoordinates(center.x, center.y), true);
    if (center.x === this.#center.x && center.y === this.#center.y) return;
    this.#center = center;
    for (const viewer of this.#members.keys()) if (viewer !== leader) this.place(viewer);
    this.#onChange(this.center);
  }

  #clamp(point: Point): Point {
    return { x: Math.min(Math.max(point.x, 0), this.#width), y: Math.min(Math.max(point.y, 0), this.#height) };
  }
}
