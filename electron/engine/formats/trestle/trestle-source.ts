// A Trestle slide as a SlideSource. A level whose tiles overlap sits on OpenSlide's tilemap grid,
// its TIFF tiles (tile - overlap) apart, and its tiles here are virtual - 512 pixels a side, each
// painted from the stored tiles that reach it as OpenSlide 3.4.1 paints a region (the tilemap's
// order, SATURATE of ARGB tiles whose parts past the image are clear). A level without overlap is
// served as stored. The TIFF reading (codecs, stored JPEGs) is the pyramid source's.

import type { LevelInfo, Mpp, RgbImage } from '../../../../shared/slide';
import { SlideError } from '../../errors';
import { ByteLruCache } from '../../lru-cache';
import type { SlideSource } from '../../slide-source';
import type { TiffPyramidSource } from '../tiff-pyramid-source';
import { type Canvas, canvasOverWhite, createCanvas, makeSurface, paintPlaced } from '../tile-compositor';
import { TilemapGrid } from '../tilemap-grid';

const PAINTED_TILE_SIZE = 512;
/** Decoded stored tiles kept for neighbouring painted tiles. */
const TILE_CACHE_BYTES = 48 * 1024 * 1024;

export interface TrestleLevel {
  width: number;
  height: number;
  /** The TIFF image's own size and tiles. */
  imageWidth: number;
  imageHeight: number;
  tileWidth: number;
  tileHeight: number;
  tilesAcross: number;
  tilesDown: number;
  overlapX: number;
  overlapY: number;
}

/** The macro beside the slide: its name when it reads, why it was left out when it is there but damaged. */
export interface TrestleMacro {
  names: readonly string[];
  leftOut: readonly string[];
  read: (name: string) => Promise<RgbImage>;
}

export class TrestleSource implements SlideSource {
  readonly format = 'trestle';
  readonly vendor = 'trestle';
  readonly path: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];
  /** Per level: its painted grid, or null when its tiles do not overlap (served as stored). */
  private readonly grids: Array<TilemapGrid<null> | null>;
  private readonly tiles = new ByteLruCache<RgbImage | null>(TILE_CACHE_BYTES, (t) => (t ? t.data.byteLength : 0) + 64);

  /** `pyramid` reads every directory as a level, in `layout` order. */
  constructor(
    private readonly pyramid: TiffPyramidSource,
    private readonly layout: readonly TrestleLevel[],
    readonly properties: Readonly<Record<string, string>>,
    private readonly macro: TrestleMacro,
  ) {
    this.path = pyramid.path;
    this.objectivePower = pyramid.objectivePower;
    this.mpp = pyramid.mpp;
    this.associatedNames = macro.names;
    this.warnings = [...pyramid.warnings, ...macro.leftOut];
    const base = layout[0]!;
    this.levels = layout.map((l) => {
      const painted = l.overlapX !== 0 || l.overlapY !== 0;
      return {
        width: l.width,
        height: l.height,
        downsample: (base.width / l.width + base.height / l.height) / 2,
        tileWidth: painted ? PAINTED_TILE_SIZE : l.tileWidth,
        tileHeight: painted ? PAINTED_TILE_SIZE : l.tileHeight,
      };
    });
    this.grids = layout.map((l) => {
      if (l.overlapX === 0 && l.overlapY === 0) return null;
      const grid = new TilemapGrid<null>(l.tileWidth - l.overlapX, l.tileHeight - l.overlapY, l.tileWidth, l.tileHeight);
      for (let row = 0; row < l.tilesDown; row++) for (let col = 0; col < l.tilesAcross; col++) grid.add(col, row, 0, 0, null);
      return grid;
    });
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const info = this.levels[level];
    if (!info || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    if (!this.grids[level]) return this.pyramid.readTile(level, col, row);
    const size = PAINTED_TILE_SIZE;
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col * size >= info.width || row * size >= info.height) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    const canvas = createCanvas(size, size);
    await this.paintRegion(level, col * size, row * size, canvas, 0, 0);
    return canvasOverWhite(canvas);
  }

  paintsRegion(level: number): boolean {
    return !this.stored(level);
  }

  async paintRegion(level: number, x: number, y: number, canvas: Canvas, atX: number, atY: number, signal?: AbortSignal): Promise<void> {
    const grid = this.grids[level];
    if (!grid) throw new SlideError('INVALID_ARGUMENT', `Level ${level} is not stitched.`, this.path);
    const l = this.layout[level]!;
    const placed = grid.tilesFor(x, y, canvas.width - atX, canvas.height - atY);
    await paintPlaced(
      canvas,
      placed,
      async ({ tile }) => {
        const pixels = await this.tiles.getOrCompute(`${level}:${tile.col}:${tile.row}`, () => this.pyramid.readTile(level, tile.col, tile.row));
        if (!pixels) return null;
        // OpenSlide clears what lies past the image (_openslide_tiff_clip_tile).
        const validWidth = Math.min(l.tileWidth, l.imageWidth - tile.col * l.tileWidth);
        const validHeight = Math.min(l.tileHeight, l.imageHeight - tile.row * l.tileHeight);
        return makeSurface({
          data: pixels.data,
          channels: 3,
          stride: pixels.width,
          x: 0,
          y: 0,
          width: l.tileWidth,
          height: l.tileHeight,
          validWidth,
          validHeight,
        });
      },
      atX,
      atY,
      signal,
    );
  }

  /** Whether a level is served as the TIFF stores it (its tiles do not overlap). */
  private stored(level: number): boolean {
    if (!this.levels[level] || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    return this.grids[level] === null;
  }

  async readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null> {
    return this.stored(level) ? this.pyramid.readStoredJpeg(level, col, row) : null;
  }

  storesJpeg(level: number): boolean {
    return this.stored(level) && this.pyramid.storesJpeg(level);
  }

  async readTileReduced(level: number, col: number, row: number, halvings: number): Promise<RgbImage | null> {
    return this.stored(level) ? this.pyramid.readTileReduced(level, col, row, halvings) : null;
  }

  decodesReduced(level: number): boolean {
    return this.stored(level) && this.pyramid.decodesReduced(level);
  }

  readAssociated(name: string): Promise<RgbImage> {
    return this.macro.read(name);
  }

  close(): Promise<void> {
    return this.pyramid.close();
  }
}
