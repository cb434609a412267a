// A SlideSource whose level planes are canvases with TIFF images placed on them at whole-pixel
// offsets (Leica's main images on its collection), drawn in order, as OpenSlide composes them.
// A level's tiles are the plane's, cut at the first image's tile size: each is put together from
// the placed images' tiles it overlaps (white where it holds none of their pixels; null where it
// touches no image). Regions are transparent outside the images (imageRects).
//
// An image placed off the tile grid (Leica's offsets are any whole pixel) has each of its tiles under
// four of the plane's: its decoded tiles are kept a while, so that each is decoded once.

import type { LevelInfo, Mpp, RgbImage } from '../../../shared/slide';
import { SlideError } from '../errors';
import { ByteLruCache } from '../lru-cache';
import type { LevelRect, SlideSource } from '../slide-source';
import { DecodedTilesOnly } from './decoded-tiles-only';
import type { TiffPyramidSource } from './tiff-pyramid-source';

export interface PlacedImage {
  /** The image's index among the store's levels. */
  image: number;
  /** Its top-left corner on the level's plane. */
  x: number;
  y: number;
}

export interface PlacedLevel {
  width: number;
  height: number;
  downsample: number;
  images: PlacedImage[];
}

export interface PlacedTiffDescription {
  format: string;
  vendor: string;
  /** Reads the placed images' tiles (its "levels" are every placed image, of every level) and the associated images. */
  store: TiffPyramidSource;
  levels: PlacedLevel[];
  objectivePower: number | null;
  mpp: Mpp | null;
  properties: Record<string, string>;
}

/**
 * Decoded tiles of the placed images kept for the plane tiles beside and below: two rows of 512-px
 * tiles across 5000 px (a thumbnail's read). A wider read in rows may decode a tile twice, not four times.
 */
const PLACED_TILE_CACHE_BYTES = 16 * 2 ** 20;

export class PlacedTiffSource extends DecodedTilesOnly implements SlideSource {
  readonly path: string;
  readonly format: string;
  readonly vendor: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];
  private readonly store: TiffPyramidSource;
  private readonly placed: readonly PlacedLevel[];
  private readonly rects: ReadonlyArray<readonly LevelRect[]>;
  private readonly imageTiles = new ByteLruCache<RgbImage | null>(PLACED_TILE_CACHE_BYTES, (t) => (t ? t.data.byteLength : 0) + 64);

  constructor(description: PlacedTiffDescription) {
    super();
    this.store = description.store;
    this.path = this.store.path;
    this.format = description.format;
    this.vendor = description.vendor;
    this.placed = description.levels;
    this.objectivePower = description.objectivePower;
    this.mpp = description.mpp;
    this.properties = description.properties;
    this.associatedNames = this.store.associatedNames;
    this.warnings = this.store.warnings;
    this.rects = this.placed.map((level) =>
      level.images.map((p) => ({ x: p.x, y: p.y, width: this.store.levels[p.image]!.width, height: this.store.levels[p.image]!.height })),
    );
    this.levels = this.placed.map((level) => {
      const first = this.store.levels[level.images[0]!.image]!;
      return { width: level.width, height: level.height, downsample: level.downsample, tileWidth: first.tileWidth, tileHeight: first.tileHeight };
    });
  }

  imageRects(level: number): readonly LevelRect[] {
    return this.rects[level] ?? [];
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const info = this.levels[level];
    if (!info) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    const { tileWidth: tw, tileHeight: th } = info;
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col * tw >= info.width || row * th >= info.height) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    const tile = { x: col * tw, y: row * th, width: tw, height: th };
    const parts = this.placed[level]!.images.map((p, i) => ({ placed: p, overlap: intersect(tile, this.rects[level]![i]!) }));
    if (parts.every((p) => !p.overlap)) return null;
    const out: RgbImage = { data: new Uint8Array(tw * th * 3).fill(255), width: tw, height: th, channels: 3 };
    for (const { placed, overlap } of parts) {
      if (!overlap) continue;
      const source = this.store.levels[placed.image]!;
      const reads: Array<Promise<void>> = [];
      // The placed image's own tiles under the overlap, in its own pixels.
      for (let r = Math.floor((overlap.y - placed.y) / source.tileHeight); r * source.tileHeight < overlap.y + overlap.height - placed.y; r++) {
        for (let c = Math.floor((overlap.x - placed.x) / source.tileWidth); c * source.tileWidth < overlap.x + overlap.width - placed.x; c++) {
          reads.push(
            this.imageTiles
              .getOrCompute(`${placed.image}:${c}:${r}`, () => this.store.readTile(placed.image, c, r))
              .then((pixels) => {
                if (!pixels) return;
                const part = intersect(overlap, {
                  x: placed.x + c * source.tileWidth,
                  y: placed.y + r * source.tileHeight,
                  width: pixels.width,
                  height: pixels.height,
                });
                if (part) copyPart(pixels, part.x - placed.x - c * source.tileWidth, part.y - placed.y - r * source.tileHeight, part, out, tile);
              }),
          );
        }
      }
      // Images are drawn in order: a later one covers an earlier one where they overlap.
      await Promise.all(reads);
    }
    return out;
  }

  readAssociated(name: string): Promise<RgbImage> {
    return this.store.readAssociated(name);
  }

  iccProfile(): Promise<Uint8Array | null> {
    return this.store.iccProfile();
  }

  close(): Promise<void> {
    this.imageTiles.clear();
    return this.store.close();
  }
}

function intersect(a: LevelRect, b: LevelRect): LevelRect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

/** Copies `part` (plane coordinates) from src, whose (sx, sy) lies at part's corner, into the tile at `tile`. */
function copyPart(src: RgbImage, sx: number, sy: number, part: LevelRect, out: RgbImage, tile: LevelRect): void {
  for (let r = 0; r < part.height; r++) {
    const from = ((sy + r) * src.width + sx) * 3;
    out.data.set(src.data.subarray(from, from + part.width * 3), ((part.y - tile.y + r) * out.width + part.x - tile.x) * 3);
  }
}
