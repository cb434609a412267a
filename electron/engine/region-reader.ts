// Pixel access on top of a SlideSource: regions of a slide level assembled from decoded tiles
// (cached), and level-0 rectangles resampled to a size from the coarsest level that suffices.

import type { RgbImage } from './engine-api';
import { SlideError, throwIfAborted } from './errors';
import type { ByteLruCache } from './lru-cache';
import sharp from 'sharp';
import { copyRect, copyRectToRgba, resizeRgb, sharpFrom, toRaw } from './pixels';
import type { SlideSource } from './slide-source';

/** Largest region one request may ask for (RGBA 256 MB). */
export const MAX_REGION_PIXELS = 64 * 1024 * 1024;
/** Slack when comparing downsamples: Aperio's 4x levels are 4.0003x. */
export const DOWNSAMPLE_TOLERANCE = 1.01;

export class RegionReader {
  constructor(
    readonly source: SlideSource,
    private readonly tiles: ByteLruCache<RgbImage | null>,
    private readonly cacheKey: string,
  ) {}

  /**
   * A decoded stored tile (null: absent in the file), at 1/shrink of its size when shrink > 1.
   * JPEG tiles shrink in the decoder (libjpeg's scaled IDCT); other codecs are decoded whole and
   * reduced.
   */
  tile(level: number, col: number, row: number, signal?: AbortSignal, shrink = 1): Promise<RgbImage | null> {
    if (shrink === 1) return this.tiles.getOrCompute(`${this.cacheKey}:${level}:${col}:${row}`, () => this.source.readTile(level, col, row), signal);
    return this.tiles.getOrCompute(`${this.cacheKey}:${level}:${col}:${row}/${shrink}`, async (job) => {
      const info = this.levelInfo(level);
      const width = info.tileWidth / shrink;
      const height = info.tileHeight / shrink;
      const jpeg = await this.source.readStoredJpeg(level, col, row);
      if (jpeg) return toRaw(sharp(jpeg, { failOn: 'error' }).resize(width, height, { fit: 'fill', kernel: 'cubic' }).removeAlpha());
      const full = await this.tile(level, col, row, job);
      return full ? toRaw(sharpFrom(full).resize(width, height, { fit: 'fill', kernel: 'cubic' })) : null;
    }, signal);
  }

  /** The largest of 2, 4, 8 not above factor that divides the level's tiles evenly (1 if none). */
  shrinkFor(level: number, factor: number): number {
    const info = this.levelInfo(level);
    let shrink = 1;
    for (const s of [2, 4, 8]) {
      if (s <= factor * DOWNSAMPLE_TOLERANCE && info.tileWidth % s === 0 && info.tileHeight % s === 0) shrink = s;
    }
    return shrink;
  }

  /** Level-plane coordinates of a level-0 point, as OpenSlide places a region's origin. */
  levelOrigin(level: number, x0: number, y0: number): { x: number; y: number } {
    const ds = this.levelInfo(level).downsample;
    return { x: Math.floor(x0 / ds + 1e-6), y: Math.floor(y0 / ds + 1e-6) };
  }

  private levelInfo(level: number) {
    const info = this.source.levels[level];
    if (!info || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.source.path);
    return info;
  }

  /**
   * Pixels of a slide level, (x, y) and size in that level's plane (divided by shrink). Outside the
   * image is transparent (RGBA) or white (RGB), as OpenSlide's read_region and get_thumbnail give them.
   */
  async readLevelRect(level: number, x: number, y: number, width: number, height: number, channels: 3 | 4, signal?: AbortSignal, shrink = 1): Promise<RgbImage> {
    const info = this.levelInfo(level);
    if (![x, y, width, height].every(Number.isInteger) || width <= 0 || height <= 0) {
      throw new SlideError('INVALID_ARGUMENT', `A region must have whole-pixel coordinates and a positive size (got ${width} x ${height}).`, this.source.path);
    }
    if (width * height > MAX_REGION_PIXELS) throw new SlideError('TOO_LARGE', `A region of ${width} x ${height} pixels is too large to read at once.`, this.source.path);
    const out: RgbImage = { data: new Uint8Array(width * height * channels), width, height, channels };
    if (channels === 3) out.data.fill(255);
    const tw = info.tileWidth / shrink;
    const th = info.tileHeight / shrink;
    const x1 = Math.min(x + width, Math.ceil(info.width / shrink));
    const y1 = Math.min(y + height, Math.ceil(info.height / shrink));
    const colStart = Math.max(0, Math.floor(x / tw));
    const rowStart = Math.max(0, Math.floor(y / th));
    const jobs: Array<Promise<void>> = [];
    for (let row = rowStart; row * th < y1; row++) {
      for (let col = colStart; col * tw < x1; col++) {
        jobs.push(
          (async () => {
            throwIfAborted(signal);
            const tile = await this.tile(level, col, row, signal, shrink);
            if (!tile) return;
            // Intersection of the tile, the image and the request, in level coordinates.
            const ix0 = Math.max(col * tw, x, 0);
            const iy0 = Math.max(row * th, y, 0);
            const ix1 = Math.min(col * tw + tile.width, x1);
            const iy1 = Math.min(row * th + tile.height, y1);
            if (ix1 <= ix0 || iy1 <= iy0) return;
            const copy = channels === 4 ? copyRectToRgba : copyRect;
            copy(tile, ix0 - col * tw, iy0 - row * th, ix1 - ix0, iy1 - iy0, out, ix0 - x, iy0 - y);
          })(),
        );
      }
    }
    await Promise.all(jobs);
    return out;
  }

  /** OpenSlide's read_region: origin in level-0 pixels, size in pixels of the level. RGBA. */
  async readRegion(level: number, x0: number, y0: number, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    const { x, y } = this.levelOrigin(level, x0, y0);
    return this.readLevelRect(level, x, y, width, height, 4, signal);
  }

  /**
   * The coarsest slide level whose resolution is at least that of the given downsample. Sizes, not
   * downsamples, decide: a 125x25 level of a 4000x828 image is 1/32 of it, though OpenSlide's mean
   * downsample says 32.56 because 828/32 was rounded down.
   */
  bestLevel(downsample: number): number {
    const base = this.source.levels[0]!;
    const neededWidth = Math.ceil(base.width / downsample / DOWNSAMPLE_TOLERANCE);
    const neededHeight = Math.ceil(base.height / downsample / DOWNSAMPLE_TOLERANCE);
    let best = 0;
    this.source.levels.forEach((level, i) => {
      if (level.width + 1 >= neededWidth && level.height + 1 >= neededHeight) best = i;
    });
    return best;
  }

  /**
   * A level-0 rectangle resampled to outWidth x outHeight (RGB, white outside the slide), read from
   * the coarsest level with enough resolution - never level 0 when a smaller level serves.
   * Returns null when that level's region would be too large; the caller then uses the pyramid.
   */
  async readScaledFromLevel(x0: number, y0: number, width: number, height: number, outWidth: number, outHeight: number, signal?: AbortSignal): Promise<RgbImage | null> {
    const downsample = Math.min(width / outWidth, height / outHeight);
    const level = this.bestLevel(downsample);
    const ds = this.source.levels[level]!.downsample;
    // Let the decoder do the first halvings when the level is still 2x or more too fine.
    const shrink = this.shrinkFor(level, downsample / ds);
    const x = Math.floor(x0 / ds / shrink + 1e-6);
    const y = Math.floor(y0 / ds / shrink + 1e-6);
    const w = Math.max(1, Math.round(width / ds / shrink));
    const h = Math.max(1, Math.round(height / ds / shrink));
    if (w * h > MAX_REGION_PIXELS / 2) return null;
    const region = await this.readLevelRect(level, x, y, w, h, 3, signal, shrink);
    throwIfAborted(signal);
    return resizeRgb(region, outWidth, outHeight);
  }
}
