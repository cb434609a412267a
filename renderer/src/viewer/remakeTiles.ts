// A viewer's slide tiles made again (another plane or channels, colour management switched) without
// a frame of background: the new tiles load in a second tiled image of the same source, under the
// one shown, which stays drawn on top (its tiles are opaque) until the new one has every tile of the
// view; it is then removed and its tiles freed. Where the shown one lacks a tile (a pan meanwhile),
// the new one shows through. Both have the same bounds, so overlays, the scale bar and the
// magnification read the same from either. OpenSeadragon gives the navigator a copy of each tiled
// image added to its viewer, and removes it with it: the shown one goes once the copy is loaded too.

import type OpenSeadragon from 'openseadragon';

/** The tiles of a viewer being made again. */
interface Remake {
  /** The tiled image loading them, under the shown one; null while OpenSeadragon adds it. */
  next: OpenSeadragon.TiledImage | null;
  /** The navigator's copy of `next`; null until OpenSeadragon has added it, or without a navigator. */
  copy: OpenSeadragon.TiledImage | null;
  /** Changed again after `next` was added: its tiles are of an older choice, and it makes way. */
  stale: boolean;
  /** Swaps `next` in when it (and its copy) has every tile of the view. */
  readonly check: () => void;
  /** Settles once OpenSeadragon has added `next` (or could not): the view then waits for its tiles. */
  readonly added: Promise<void>;
}

const remakes = new WeakMap<OpenSeadragon.Viewer, Remake>();

/**
 * Changes how a viewer's slide tiles are made (`change` says whether it did: a SlideTileSource's
 * setDisplay or setColourManaged, which drop the requests of the tiles shown) and makes them again,
 * the tiles shown staying until the new ones cover the view. A change while others load replaces
 * them: the newest choice wins, and a viewer never holds more than two tiled images. Settles once
 * the tiled image making the new tiles is in the viewer's world (at once when nothing changed).
 */
export function remakeTiles(viewer: OpenSeadragon.Viewer, change: (source: OpenSeadragon.TileSource) => boolean): Promise<void> {
  // Every tiled image of the viewer has the one source.
  const source = viewer.world.getItemCount() > 0 ? viewer.world.getItemAt(0).source : null;
  if (!source || !change(source)) return Promise.resolve();
  const remake = remakes.get(viewer);
  if (!remake) begin(viewer, source);
  else if (remake.next) {
    remake.stale = true;
    remake.check();
  }
  // Else the tiled image is still being added: it has made no tile yet, and makes the newest choice's.
  return remakes.get(viewer)?.added ?? Promise.resolve();
}

function begin(viewer: OpenSeadragon.Viewer, source: OpenSeadragon.TileSource): void {
  const nav = viewer.navigator;
  let settle = (): void => {};
  const remake: Remake = {
    added: new Promise((resolve) => {
      settle = resolve;
    }),
    next: null,
    copy: null,
    stale: false,
    check: () => {
      const { next, copy } = remake;
      if (viewer.isDestroyed() || !next || (nav && !copy)) return;
      if (remake.stale) {
        drop(remake);
        viewer.world.removeItem(next);
        if (nav && copy) nav.world.removeItem(copy);
        begin(viewer, source);
      } else if (next.getFullyLoaded() && (!copy || copy.getFullyLoaded())) {
        drop(remake);
        remakes.delete(viewer);
        // Called as OpenSeadragon updates the tiled images, before it draws them: the next frame shows the new tiles.
        for (const item of itemsBut(viewer, next)) viewer.world.removeItem(item);
        if (nav && copy) for (const item of itemsBut(nav, copy)) nav.world.removeItem(item);
      }
    },
  };
  remakes.set(viewer, remake);
  if (nav) {
    // OpenSeadragon adds the navigator's copy after the tiled image, and nothing else to the navigator.
    const onCopy = ({ item }: OpenSeadragon.AddItemWorldEvent): void => {
      nav.world.removeHandler('add-item', onCopy);
      remake.copy = item;
      item.addHandler('fully-loaded-change', remake.check);
      remake.check();
    };
    nav.world.addHandler('add-item', onCopy);
  }
  viewer.addTiledImage({
    tileSource: source,
    // Under the tiled image shown; the navigator's copy too, under its own.
    index: 0,
    success: (event) => {
      // Typed as a DOM Event by OpenSeadragon's types; it is { item }, the tiled image added.
      const { item } = event as unknown as OpenSeadragon.AddItemWorldEvent;
      remake.next = item;
      item.addHandler('fully-loaded-change', remake.check);
      settle();
      remake.check();
    },
    error: settle,
  });
}

function drop(remake: Remake): void {
  remake.next?.removeHandler('fully-loaded-change', remake.check);
  remake.copy?.removeHandler('fully-loaded-change', remake.check);
}

function itemsBut(viewer: OpenSeadragon.Viewer, kept: OpenSeadragon.TiledImage): OpenSeadragon.TiledImage[] {
  const { world } = viewer;
  return Array.from({ length: world.getItemCount() }, (_, i) => world.getItemAt(i)).filter((item) => item !== kept);
}
