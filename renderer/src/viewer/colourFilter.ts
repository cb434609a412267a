// Brightness, contrast and gamma on OpenSeadragon's drawing path, from the tiles it already holds
// (no tile is asked for again): one SVG component-transfer filter (shared/colour's curve) that
// - the canvas drawer applies per tile, as the tile's drawing context's filter (its 'tile-drawing'
//   event comes inside the drawer's save/restore around each tile), so the canvas holds the
//   adjusted pixels;
// - the WebGL (and HTML) drawer gets as a CSS filter on its output element, applied by the
//   compositor on the GPU (that drawer has no per-tile 2D context to hook).
// Changing the ICC choice re-decodes the tiles (SlideTileSource.setColourManaged): made again (remakeTiles).

import type OpenSeadragon from 'openseadragon';
import { type ColourAdjustment, isNeutral, transferFunction } from '../../../shared/colour';
import { remakeTiles } from './remakeTiles';
import { SlideTileSource } from './SlideTileSource';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The hidden <svg> holding every viewer's filter (zero-size, not display:none: such filters would not apply). */
let holder: SVGSVGElement | null = null;
let nextFilterId = 1;

function filterHolder(): SVGSVGElement {
  if (holder?.isConnected) return holder;
  holder = document.createElementNS(SVG_NS, 'svg');
  holder.setAttribute('width', '0');
  holder.setAttribute('height', '0');
  holder.setAttribute('aria-hidden', 'true');
  holder.classList.add('colour-filters');
  document.body.append(holder);
  return holder;
}

/**
 * A filter element for the adjustment. Each setting gets a new id: a canvas context resolves a
 * url() filter when it is set, and must never draw with a stale one.
 */
function addFilter(adjustment: ColourAdjustment): SVGFilterElement {
  const { amplitude, exponent, offset } = transferFunction(adjustment);
  const filter = document.createElementNS(SVG_NS, 'filter');
  filter.id = `slidescope-colour-${nextFilterId++}`;
  // Component transfer on the stored sRGB values, as exports apply the curve (not in linear light).
  filter.setAttribute('color-interpolation-filters', 'sRGB');
  const transfer = document.createElementNS(SVG_NS, 'feComponentTransfer');
  for (const channel of ['feFuncR', 'feFuncG', 'feFuncB'] as const) {
    const func = document.createElementNS(SVG_NS, channel);
    func.setAttribute('type', 'gamma');
    func.setAttribute('amplitude', String(amplitude));
    func.setAttribute('exponent', String(exponent));
    func.setAttribute('offset', String(offset));
    transfer.append(func);
  }
  filter.append(transfer);
  filterHolder().append(filter);
  return filter;
}

/** The 2D context OpenSeadragon's canvas drawer hands its 'tile-drawing' handlers (typed as a Tile by @types/openseadragon). */
interface TileDrawing {
  context: CanvasRenderingContext2D;
}

function drawerType(viewer: OpenSeadragon.Viewer): string | undefined {
  return (viewer.drawer as unknown as { getType?: () => string }).getType?.();
}

/** One viewer's colour: its filter, and its navigator's, kept in step with the view's choice. */
export class ViewerColour {
  #filter: SVGFilterElement | null = null;
  #managed = true;
  readonly #viewers: OpenSeadragon.Viewer[];
  readonly #onTileDrawing = (event: OpenSeadragon.TileDrawingEvent): void => {
    if (this.#filter) (event as unknown as TileDrawing).context.filter = `url(#${this.#filter.id})`;
  };

  /** A slide opening in the viewer decodes its first tiles as the view wants them. */
  readonly #onAddItem = (event: OpenSeadragon.AddItemWorldEvent): void => {
    const { source } = event.item;
    if (source instanceof SlideTileSource) source.setColourManaged(this.#managed);
  };

  constructor(viewer: OpenSeadragon.Viewer) {
    // The navigator is a viewer of its own (same tile source): it shows the slide as the view does.
    this.#viewers = viewer.navigator ? [viewer, viewer.navigator] : [viewer];
    for (const v of this.#viewers) if (drawerType(v) === 'canvas') v.addHandler('tile-drawing', this.#onTileDrawing);
    viewer.world.addHandler('add-item', this.#onAddItem);
  }

  setAdjustment(adjustment: ColourAdjustment): void {
    this.#filter?.remove();
    this.#filter = isNeutral(adjustment) ? null : addFilter(adjustment);
    for (const v of this.#viewers) {
      if (drawerType(v) !== 'canvas') (v.drawer as unknown as { canvas: HTMLElement }).canvas.style.filter = this.#filter ? `url(#${this.#filter.id})` : '';
      v.forceRedraw();
    }
  }

  /** Decodes the tiles through the slide's ICC profile or not; the tiles are made again (its navigator's with them). */
  setManaged(on: boolean): void {
    this.#managed = on;
    void remakeTiles(this.#viewers[0]!, (source) => source instanceof SlideTileSource && source.setColourManaged(on));
  }

  dispose(): void {
    for (const v of this.#viewers) v.removeHandler('tile-drawing', this.#onTileDrawing);
    this.#viewers[0]!.world.removeHandler('add-item', this.#onAddItem);
    this.#filter?.remove();
    this.#filter = null;
  }
}
