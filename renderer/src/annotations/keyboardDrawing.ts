// Drawing in one view from the keyboard, for those who cannot place a pointer precisely: with a
// drawing tool and the view focused, Enter puts the next point at the view's centre (where the
// crosshair is), Shift+Enter closes a polygon; the arrows and zoom keys move the view in between.
// Backspace and Escape reach the shape through the session's draft, as a mouse-drawn polygon's do.
// Each step is announced through the session; the overlay draws the crosshair and the rubber band.

import OpenSeadragon from 'openseadragon';
import type { Shape } from '../../../shared/annotations';
import type { AnnotationSession, Draft } from './annotationSession';
import { describeCancelled, describeMouseOnly, describePlaced, describeRemoved } from './describeKeyboardStep';
import { finish, isKeyboardTool, type KeyboardDraft, type Placed, type Point, place, preview, removeLast, roundPoint } from './keyboardDraft';

/** Where a view is heading when another view leads its moves (the grid's cells follow their link's leader). */
export interface ViewHeading {
  goingTo(viewer: OpenSeadragon.Viewer): Point | null;
}

/** Two Enters this close on screen (CSS px) are at one place: the view was not moved between them. */
const SAME_PLACE_PX = 8;

/**
 * Each view's drawing by the draft handle it gives the session: the grid's cells share one centre, so a
 * shape begun in one cell goes on in the cell the focus moves to (not closed there as a mouse polygon is).
 */
const drawings = new WeakMap<Draft, KeyboardDrawing>();

export class KeyboardDrawing {
  readonly #viewer: OpenSeadragon.Viewer;
  readonly #session: AnnotationSession;
  readonly #redraw: () => void;
  readonly #heading: ViewHeading | null;
  #draft: KeyboardDraft | null = null;
  readonly #cleanup: Array<() => void> = [];

  readonly #handle: Draft = {
    finish: () => {
      if (this.#draft) this.#apply(finish(this.#draft, this.#centre(), this.#near()));
    },
    cancel: () => {
      const tool = this.#draft?.tool;
      this.#end();
      if (tool) this.#session.announce(describeCancelled(tool));
    },
    removeLastVertex: () => {
      const draft = this.#draft;
      if (!draft) return false;
      const left = removeLast(draft);
      if (!left) {
        this.#handle.cancel();
        return true;
      }
      this.#draft = left;
      this.#session.announce(describeRemoved(draft.points.length / 2));
      this.#redraw();
      return true;
    },
  };

  constructor(viewer: OpenSeadragon.Viewer, session: AnnotationSession, redraw: () => void, heading: ViewHeading | null = null) {
    this.#viewer = viewer;
    this.#heading = heading;
    this.#session = session;
    this.#redraw = redraw;
    drawings.set(this.#handle, this);
    // The viewer may be destroyed first (its hook's cleanup runs before the overlay's): keep the element.
    const element = viewer.canvas;
    const listen = <K extends keyof HTMLElementEventMap>(name: K, handler: (event: HTMLElementEventMap[K]) => void): void => {
      element.addEventListener(name, handler);
      this.#cleanup.push(() => element.removeEventListener(name, handler));
    };
    listen('keydown', (event) => this.#keyDown(event));
    // The crosshair follows the keyboard focus (a key press may turn a clicked view's focus visible).
    listen('focus', redraw);
    listen('blur', redraw);
    listen('keyup', redraw);
  }

  destroy(): void {
    // The view goes (the grid shown instead, the slide closed) with its shape: said, as Escape would.
    if (this.#draft) this.#handle.cancel();
    for (const undo of this.#cleanup.splice(0)) undo();
  }

  /** Whether the view's centre is marked: a drawing tool with the view focused from the keyboard, or a shape under way. */
  showsCrosshair(): boolean {
    return this.#draft !== null || (isKeyboardTool(this.#session.getState().tool) && this.#viewer.canvas.matches(':focus-visible'));
  }

  /** The shape under way, drawn to the centre as it is on screen now (mid-animation too). */
  draftShape(): Shape | null {
    return this.#draft ? preview(this.#draft, this.#centre(true)) : null;
  }

  #keyDown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const session = this.#session;
    const { tool } = session.getState();
    if (session.draft && session.draft !== this.#handle) {
      const other = drawings.get(session.draft);
      // A polygon being drawn with the mouse is closed by Enter, as before (useAnnotationKeys).
      if (!other) return;
      this.#takeOver(other);
    }
    if (tool === 'freehand') {
      session.announce(describeMouseOnly());
      event.preventDefault();
      return;
    }
    if (!isKeyboardTool(tool) || this.#viewer.world.getItemCount() === 0) return;
    event.preventDefault();
    const at = this.#centre();
    this.#apply(event.shiftKey && this.#draft ? finish(this.#draft, at, this.#near()) : place(this.#draft, tool, at, this.#near()));
  }

  #apply(placed: Placed): void {
    const tool = this.#draft?.tool ?? this.#session.getState().tool;
    if (!isKeyboardTool(tool)) return;
    if (placed.kind === 'finished') {
      this.#end();
      this.#session.add({ id: crypto.randomUUID(), name: '', description: '', shape: placed.shape });
    } else {
      if (!this.#draft) this.#session.setDraft(this.#handle);
      this.#draft = placed.draft;
    }
    this.#session.announce(describePlaced(placed, tool, this.#session.info.mpp));
    this.#redraw();
  }

  /** Another view's shape under way, carried on here: its points are level-0, the same in every view. */
  #takeOver(other: KeyboardDrawing): void {
    this.#draft = other.#draft;
    other.#draft = null;
    other.#redraw();
    // Not cancelled on the way: the session lets go of the other view's handle first.
    this.#session.setDraft(null);
    this.#session.setDraft(this.#handle);
  }

  #end(): void {
    this.#draft = null;
    if (this.#session.draft === this.#handle) this.#session.setDraft(null);
    this.#redraw();
  }

  /** The level-0 point at the view's centre: where the view is going (a key pressed mid-pan means its end), or where it is now. */
  #centre(current = false): Point {
    const { viewport } = this.#viewer;
    return roundPoint((!current && this.#heading?.goingTo(this.#viewer)) || viewport.viewportToImageCoordinates(viewport.getCenter(current)));
  }

  /** SAME_PLACE_PX in level-0 pixels at the current zoom. */
  #near(): number {
    const { viewport } = this.#viewer;
    const a = viewport.viewerElementToImageCoordinates(new OpenSeadragon.Point(0, 0));
    const b = viewport.viewerElementToImageCoordinates(new OpenSeadragon.Point(SAME_PLACE_PX, 0));
    return Math.hypot(b.x - a.x, b.y - a.y);
  }
}
