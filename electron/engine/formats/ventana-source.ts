// A Ventana slide as a SlideSource. A stitched BIF's levels are grids of overlapping frames; its
// tiles here are virtual: a regular grid of output tiles, each painted from the stored frames that
// reach it exactly as OpenSlide 3.4.1 paints a region (ventana-grid.ts places them,
// tile-compositor.ts paints them). A Ventana TIFF without stitching metadata is a plain pyramid,
// served as stored. Either way the TIFF reading (tiles, codecs, associated images) is the pyramid
// source's, over the level directories.

import type { LevelInfo, Mpp, RgbImage, StoredJpegLevel } from '../../../shared/slide';
import { SlideError } from '../errors';
import { ByteLruCache } from '../lru-cache';
import type { SlideSource } from '../slide-source';
import type { TiffDirectory } from '../tiff/tiff-file';
import { openSlideProperties, regionProperties, type StandardProperties } from './openslide-properties';
import type { TiffPyramidSource } from './tiff-pyramid-source';
import { type Canvas, canvasOverWhite, canvasSurface, createCanvas, makeSurface, paintPlaced, paintSurface, type Surface } from './tile-compositor';
import { VentanaLevelGrid } from './ventana-grid';
import type { BifLayout } from './ventana-layout';

/** Output tiles of a stitched level: each painted from the few frames (usually 1024 px) it covers. */
export const STITCHED_TILE_SIZE = 512;
/** Decoded frames kept for painting neighbouring output tiles (a 1024 px frame is 3 MB). */
const FRAME_CACHE_BYTES = 48 * 1024 * 1024;

export interface VentanaLevel {
  dir: TiffDirectory;
  /** Level-0 magnification over this level's, as OpenSlide computes the downsample. */
  downsample: number;
}

interface StitchedLevel {
  grid: VentanaLevelGrid;
  dir: TiffDirectory;
  /** Frames per stored tile along each axis (OpenSlide's subtiles_per_tile: the downsample, truncated). */
  perTile: number;
}

export class VentanaSource implements SlideSource {
  readonly path: string;
  readonly format = 'ventana';
  readonly vendor = 'ventana';
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];
  /** Null for a plain (unstitched) pyramid. */
  private readonly stitched: StitchedLevel[] | null;
  private readonly frames = new ByteLruCache<RgbImage | null>(FRAME_CACHE_BYTES, (t) => (t ? t.data.byteLength : 0) + 64);

  /**
   * `pyramid` reads the level directories (in `levels` order) and the associated images; `reported`
   * are the objective power and MPP OpenSlide copies from the iScan attributes, unchecked.
   */
  constructor(
    private readonly pyramid: TiffPyramidSource,
    levels: readonly VentanaLevel[],
    layout: BifLayout | null,
    reported: Pick<StandardProperties, 'mpp' | 'objectivePower'>,
  ) {
    this.path = pyramid.path;
    this.objectivePower = pyramid.objectivePower;
    this.mpp = pyramid.mpp;
    this.associatedNames = pyramid.associatedNames;
    this.warnings = pyramid.warnings;
    const tile = levels[0]!.dir;
    this.stitched = layout
      ? levels.map(({ dir, downsample }) => ({
          grid: new VentanaLevelGrid(layout, downsample, tile.blockWidth, tile.blockHeight),
          dir,
          perTile: Math.trunc(downsample),
        }))
      : null;
    this.levels = levels.map(({ dir, downsample }, i) => {
      const grid = this.stitched?.[i]?.grid;
      if (!grid) return { width: dir.width, height: dir.height, downsample, tileWidth: dir.blockWidth, tileHeight: dir.blockHeight };
      return { width: grid.width, height: grid.height, downsample, tileWidth: STITCHED_TILE_SIZE, tileHeight: STITCHED_TILE_SIZE };
    });
    for (const level of this.levels) {
      if (level.width < 1 || level.height < 1 || level.width > 4_000_000 || level.height > 4_000_000) {
        throw new SlideError('CORRUPT_DATA', `The BIF's frames make a level of ${level.width} x ${level.height} pixels.`, this.path);
      }
    }
    this.properties = this.buildProperties(levels[0]!.dir, layout, reported);
  }

  /** The pyramid's tiff.* and ventana.* properties, and openslide.* with this slide's levels (and regions). */
  private buildProperties(base: TiffDirectory, layout: BifLayout | null, reported: Pick<StandardProperties, 'mpp' | 'objectivePower'>): Record<string, string> {
    const properties: Record<string, string> = {};
    // The pyramid's openslide.* describe its stored levels, not this slide's.
    for (const [key, value] of Object.entries(this.pyramid.properties)) if (!key.startsWith('openslide.')) properties[key] = value;
    // OpenSlide gives no tile size for a stitched level: its tiles are not the file's.
    const levels = layout ? this.levels.map(({ width, height, downsample }) => ({ width, height, downsample })) : this.levels;
    Object.assign(properties, openSlideProperties({ vendor: this.vendor, comment: base.description, levels, ...reported }));
    if (layout) {
      const tile = this.pyramid.levels[0]!;
      const regions = layout.areas.map((area) => ({
        x: Math.trunc(layout.advanceX * area.startCol),
        y: Math.trunc(layout.advanceY * area.startRow),
        width: Math.ceil(layout.advanceX * (area.cols - 1) + tile.tileWidth),
        height: Math.ceil(layout.advanceY * (area.rows - 1) + tile.tileHeight),
      }));
      Object.assign(properties, regionProperties(regions));
    }
    return properties;
  }

  private levelInfo(level: number): LevelInfo {
    const info = this.levels[level];
    if (!info || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    return info;
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const info = this.levelInfo(level);
    const stitched = this.stitched?.[level];
    if (!stitched) return this.pyramid.readTile(level, col, row);
    const size = STITCHED_TILE_SIZE;
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col * size >= info.width || row * size >= info.height) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    const canvas = createCanvas(size, size);
    await this.paintRegion(level, col * size, row * size, canvas, 0, 0);
    return canvasOverWhite(canvas);
  }

  paintsRegion(level: number): boolean {
    this.levelInfo(level);
    return Boolean(this.stitched?.[level]);
  }

  async paintRegion(level: number, x: number, y: number, canvas: Canvas, atX: number, atY: number, signal?: AbortSignal): Promise<void> {
    this.levelInfo(level);
    const stitched = this.stitched?.[level];
    if (!stitched) throw new SlideError('INVALID_ARGUMENT', `Level ${level} is not stitched.`, this.path);
    const frames = stitched.grid.framesFor(x, y, canvas.width - atX, canvas.height - atY);
    await paintPlaced(canvas, frames, (frame) => this.frameSurface(level, stitched, frame.col, frame.row), atX, atY, signal);
  }

  /**
   * The pixels of frame (col, row) at a level: the stored tile itself at level 0, a part of one
   * below (a tile of level n holds downsample x downsample frames). Parts of a tile past its
   * image's edge are transparent; a tile the file does not have is null.
   */
  private async frameSurface(level: number, stitched: StitchedLevel, col: number, row: number): Promise<Surface | null> {
    const { dir, perTile } = stitched;
    const tileCol = Math.floor(col / perTile);
    const tileRow = Math.floor(row / perTile);
    if (tileCol >= dir.blocksAcross || tileRow >= dir.blocksDown) return null;
    const tile = await this.frames.getOrCompute(`${level}:${tileCol}:${tileRow}`, () => this.pyramid.readTile(level, tileCol, tileRow));
    if (!tile) return null;
    const width = dir.blockWidth / perTile;
    const height = dir.blockHeight / perTile;
    const x = (col % perTile) * width;
    const y = (row % perTile) * height;
    const whole = makeSurface({
      data: tile.data,
      channels: 3,
      stride: tile.width,
      x: 0,
      y: 0,
      width: tile.width,
      height: tile.height,
      validWidth: Math.min(tile.width, dir.width - tileCol * dir.blockWidth),
      validHeight: Math.min(tile.height, dir.height - tileRow * dir.blockHeight),
    });
    if (perTile === 1) return whole;
    if (Number.isInteger(x) && Number.isInteger(y) && Number.isInteger(width) && Number.isInteger(height)) {
      return makeSurface({ ...whole, x, y, width, height, validWidth: whole.validWidth - x, validHeight: whole.validHeight - y });
    }
    // A frame that does not start on a whole pixel of its tile is resampled out of it first, as
    // OpenSlide copies it to a surface of its own.
    const part = createCanvas(Math.ceil(width), Math.ceil(height));
    paintSurface(part, whole, -x, -y, 'source');
    return canvasSurface(part);
  }

  storesJpeg(level: number): boolean {
    this.levelInfo(level);
    return this.stitched === null && this.pyramid.storesJpeg(level);
  }

  async readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null> {
    return this.storesJpeg(level) ? this.pyramid.readStoredJpeg(level, col, row) : null;
  }

  async storedJpegTiles(level: number): Promise<StoredJpegLevel | null> {
    return this.storesJpeg(level) ? this.pyramid.storedJpegTiles(level) : null;
  }

  decodesReduced(level: number): boolean {
    this.levelInfo(level);
    return this.stitched === null && this.pyramid.decodesReduced(level);
  }

  async readTileReduced(level: number, col: number, row: number, halvings: number): Promise<RgbImage | null> {
    return this.decodesReduced(level) ? this.pyramid.readTileReduced(level, col, row, halvings) : null;
  }

  readAssociated(name: string): Promise<RgbImage> {
    return this.pyramid.readAssociated(name);
  }

  iccProfile(): Promise<Uint8Array | null> {
    return this.pyramid.iccProfile();
  }

  close(): Promise<void> {
    return this.pyramid.close();
  }
}
