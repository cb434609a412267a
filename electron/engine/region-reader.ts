// Pixel access on top of a SlideSource: regions of a slide level assembled from decoded tiles
// (cached), and level-0 rectangles resampled to a size from the coarsest level that suffices.

import { setMaxListeners } from 'node:events';
import { slideLevelForDownsample } from '../../shared/deepzoom';
import type { RgbImage } from '../../shared/slide';
import { type RgbPlace, withJpegFast, withJpegReduced } from './codecs/turbojpeg';
import { forEachLimited, Semaphore } from './concurrency';
import { damagedError, SlideError, throwIfAborted } from './errors';
import { createCanvas } from './formats/tile-compositor';
import type { ByteLruCache } from './lru-cache';
import { clearOutsideRects, copyRect, copyRectToRgba, fillOutsideRect, fillRect, halveRectInto, halveRgb, resizeRgb, unpremultiply } from './pixels';
import type { LevelRect, SlideSource } from './slide-source';
import { fixed1616, SubpixelCanvas } from './subpixel-canvas';

/** Largest region one request may ask for (RGBA 256 MB). */
export const MAX_REGION_PIXELS = 64 * 1024 * 1024;
/** openslide_read_region reads a large region in pieces of at most this a side, each from its own level-0 corner. */
const REGION_PIECE_SIDE = 4096;
/** Stored tiles one region reads at once. */
export const REGION_TILE_READS = 16;
/** Stored tiles a lane reads and decodes at once, all requests together (their buffers are what a read holds). */
const LANE_TILE_READS = new Semaphore(32);

/** How stored tiles are decoded for a region: see RegionReader.withTile. */
export type TileMode = 'exact' | 'fast' | 'half' | 'quarter';

/** What withTile's `use` is given for a tile decoded straight into the place it was given. */
const PLACED: RgbImage = { data: new Uint8Array(0), width: 0, height: 0, channels: 3 };

/** How many times each mode halves the level's size. */
const HALVINGS: Readonly<Record<TileMode, number>> = { exact: 0, fast: 0, half: 1, quarter: 2 };

/**
 * One axis of a region's origin as OpenSlide 3.4.1's read_region places it: `at` is the level-plane
 * coordinate (level-0 coordinate / downsample, unrounded); a negative origin instead skips
 * `skip` = trunc(-origin / downsample) pixels of the output and starts at 0.
 */
interface RegionAxis {
  at: number;
  skip: number;
}

function regionAxis(origin: number, downsample: number): RegionAxis {
  return origin < 0 ? { at: 0, skip: Math.trunc(-origin / downsample) } : { at: origin / downsample, skip: 0 };
}

export class RegionReader {
  constructor(
    readonly source: SlideSource,
    private readonly tiles: ByteLruCache<RgbImage | null>,
    private readonly cacheKey: string,
  ) {}

  /** A decoded stored tile (null: absent in the file), from the cache. */
  tile(level: number, col: number, row: number, signal?: AbortSignal): Promise<RgbImage | null> {
    return this.tiles.getOrCompute(
      `${this.cacheKey}:${level}:${col}:${row}`,
      (unwanted) => LANE_TILE_READS.run(() => this.source.readTile(level, col, row), unwanted),
      signal,
    );
  }

  /**
   * Hands a decoded stored tile to `use` (null: absent in the file), with the scale at which it
   * must be copied into the plane read. 'fast' is for pixels about to be reduced 1.5x or more: a
   * stored JPEG is then decoded with libjpeg's fast IDCT, ~3x quicker, into a reused buffer and
   * not cached (reductions rarely share tiles), so `use` must copy. 'half' and 'quarter' are for
   * the level at 1/2 and 1/4 size: JPEG 2000 decodes that many resolution levels down and JPEG
   * scales in its IDCT (scale 1); other tiles, and JPEG where TurboJPEG cannot scale, come whole or
   * halved once, and are halved as they are copied (scale 2).
   */
  private async withTile<T>(
    level: number,
    col: number,
    row: number,
    signal: AbortSignal | undefined,
    mode: TileMode,
    use: (tile: RgbImage | null, scale: 1 | 2) => T,
    place?: RgbPlace,
  ): Promise<T> {
    throwIfAborted(signal);
    const halvings = HALVINGS[mode];
    // Whole tiles for a quarter-size read are halved once here, once more as they are copied.
    const take = (tile: RgbImage | null): T => (halvings === 2 && tile ? use(halveRgb(tile), 2) : use(tile, halvings > 0 ? 2 : 1));
    if (mode !== 'exact') {
      // Reads that bypass the cache are counted while they run; a slot is never held while waiting
      // for a cached read (which counts itself), so the lane's limit cannot deadlock.
      const direct = await LANE_TILE_READS.run(async (): Promise<{ value: T } | null> => {
        if (halvings > 0) {
          const reduced = await this.source.readTileReduced(level, col, row, halvings);
          if (reduced) return { value: use(reduced, 1) };
        }
        const jpeg = await this.source.readStoredJpeg(level, col, row);
        if (!jpeg) return null;
        const info = this.levelInfo(level);
        try {
          const reduced =
            halvings > 0
              ? withJpegReduced(jpeg, info.tileWidth, info.tileHeight, halvings, (pixels) => use(pixels ? { ...pixels, channels: 3 } : PLACED, 1), place)
              : null;
          if (reduced) return reduced;
          return { value: withJpegFast(jpeg, info.tileWidth, info.tileHeight, (pixels) => take({ ...pixels, channels: 3 })) };
        } catch (error) {
          throw damagedError(error, `Tile ${col},${row} of level ${level}`, this.source.path);
        }
      }, signal);
      if (direct) return direct.value;
    }
    return take(await this.tile(level, col, row, signal));
  }

  /** Whether a level can be read at 1/2 ('half') or 1/4 ('quarter') size: its tiles reduce to whole pixels. */
  reducible(level: number, mode: 'half' | 'quarter'): boolean {
    const info = this.levelInfo(level);
    const k = 2 ** HALVINGS[mode];
    return info.tileWidth % k === 0 && info.tileHeight % k === 0;
  }

  /** The level pixel at (or just before) a level-0 point: where scaled reads start (readRegion resamples between pixels). */
  levelOrigin(level: number, x0: number, y0: number): { x: number; y: number } {
    const placed = this.source.imageRects?.(level)[0];
    if (placed) return placedOrigin(placed, x0, y0, this.levelInfo(level).downsample);
    const ds = this.levelInfo(level).downsample;
    return { x: Math.floor(x0 / ds + 1e-6), y: Math.floor(y0 / ds + 1e-6) };
  }

  private levelInfo(level: number) {
    const info = this.source.levels[level];
    if (!info || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.source.path);
    return info;
  }

  /**
   * Pixels of a slide level, (x, y) and size in that level's plane - or, in 'half' and 'quarter'
   * modes, in the plane of the level at that size (see reducible). Outside the image
   * is transparent (RGBA) or white (RGB), as OpenSlide's read_region and get_thumbnail give them.
   * `into`, of exactly width x height x channels bytes, receives the pixels instead of a new buffer.
   */
  async readLevelRect(
    level: number,
    x: number,
    y: number,
    width: number,
    height: number,
    channels: 3 | 4,
    signal?: AbortSignal,
    mode: TileMode = 'exact',
    into?: Uint8Array,
  ): Promise<RgbImage> {
    // Each tile of the region, read at once, listens to the one signal of the request.
    if (signal) setMaxListeners(0, signal);
    const info = this.levelInfo(level);
    if ((mode === 'half' || mode === 'quarter') && (!this.reducible(level, mode) || channels !== 3)) {
      throw new SlideError('INVALID_ARGUMENT', `Level ${level} cannot be read at ${mode} size.`, this.source.path);
    }
    const k = 2 ** HALVINGS[mode];
    if (![x, y].every(Number.isInteger))
      throw new SlideError('INVALID_ARGUMENT', `A region must have whole-pixel coordinates (got ${x}, ${y}).`, this.source.path);
    checkRegionSize(width, height, this.source.path);
    const size = width * height * channels;
    if (into && into.byteLength !== size) throw new RangeError(`A ${width} x ${height} region needs ${size} bytes, not ${into.byteLength}.`);
    const out: RgbImage = { data: into ?? new Uint8Array(size), width, height, channels };
    const tw = info.tileWidth / k;
    const th = info.tileHeight / k;
    const x1 = Math.min(x + width, Math.ceil(info.width / k));
    const y1 = Math.min(y + height, Math.ceil(info.height / k));
    // What no tile covers is white (RGB) or transparent: outside the image here, and a tile's place as
    // its tile comes only when the tile will not fill it (absent, or an edge tile cut short); not the
    // whole region first, under every tile's pixels.
    const blank = channels === 3 ? 255 : 0;
    if (channels === 3 || into) fillOutsideRect(out, -x, -y, x1 - x, y1 - y, blank);
    const colStart = Math.max(0, Math.floor(x / tw));
    const rowStart = Math.max(0, Math.floor(y / th));
    const tiles: Array<[number, number]> = [];
    for (let row = rowStart; row * th < y1; row++) for (let col = colStart; col * tw < x1; col++) tiles.push([col, row]);
    // A reduced JPEG tile that fills its place in the region (not clipped by it or the image's edge) is decoded there.
    const placeOf = (col: number, row: number): RgbPlace | undefined =>
      k > 1 && channels === 3 && col * tw >= x && row * th >= y && (col + 1) * tw <= x1 && (row + 1) * th <= y1
        ? { data: out.data, offset: ((row * th - y) * width + (col * tw - x)) * 3, pitch: width * 3, width: tw, height: th }
        : undefined;
    await forEachLimited(tiles, REGION_TILE_READS, ([col, row]) =>
      this.withTile(
        level,
        col,
        row,
        signal,
        mode,
        (tile, scale) => {
          if (tile === PLACED) return;
          // The tile's place in the image and the request, and what of it the tile has, in the plane read.
          const cx0 = Math.max(col * tw, x);
          const cy0 = Math.max(row * th, y);
          const cx1 = Math.min((col + 1) * tw, x1);
          const cy1 = Math.min((row + 1) * th, y1);
          const ix1 = tile ? Math.min(col * tw + Math.ceil(tile.width / scale), cx1) : cx0;
          const iy1 = tile ? Math.min(row * th + Math.ceil(tile.height / scale), cy1) : cy0;
          if ((channels === 3 || into) && (ix1 < cx1 || iy1 < cy1)) fillRect(out, cx0 - x, cy0 - y, cx1 - cx0, cy1 - cy0, blank);
          if (!tile || ix1 <= cx0 || iy1 <= cy0) return;
          const [ix0, iy0] = [cx0, cy0];
          if (scale === 2) halveRectInto(tile, 2 * (ix0 - col * tw), 2 * (iy0 - row * th), ix1 - ix0, iy1 - iy0, out, ix0 - x, iy0 - y);
          else (channels === 4 ? copyRectToRgba : copyRect)(tile, ix0 - col * tw, iy0 - row * th, ix1 - ix0, iy1 - iy0, out, ix0 - x, iy0 - y);
        },
        placeOf(col, row),
      ),
    );
    const placed = this.source.imageRects?.(level);
    if (placed && channels === 4) clearOutsideRects(out, x, y, placed);
    return out;
  }

  /**
   * OpenSlide's read_region: origin in level-0 pixels, size in pixels of the level. RGBA. An origin
   * on the level's pixels is copied exactly; one between them is resampled as OpenSlide does. A
   * region larger than REGION_PIECE_SIDE is read in openslide_read_region's pieces, each from its
   * own level-0 corner (int64 sx = x + col * d * ds): on a level whose downsample is no integer, a
   * piece's corner falls between its pixels otherwise than the first's.
   */
  async readRegion(level: number, x0: number, y0: number, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    if (this.source.imageRects) return this.readPlacedRegion(level, x0, y0, width, height, signal);
    checkRegionSize(width, height, this.source.path);
    if (width <= REGION_PIECE_SIDE && height <= REGION_PIECE_SIDE) return this.readRegionPiece(level, x0, y0, width, height, signal);
    const ds = this.levelInfo(level).downsample;
    const out: RgbImage = { data: new Uint8Array(width * height * 4), width, height, channels: 4 };
    // The first piece's corner as given: a fractional one is resampled from too.
    const corner = (origin: number, offset: number) => (offset === 0 ? origin : Math.trunc(origin + offset * ds));
    for (let top = 0; top < height; top += REGION_PIECE_SIDE) {
      for (let left = 0; left < width; left += REGION_PIECE_SIDE) {
        const w = Math.min(REGION_PIECE_SIDE, width - left);
        const h = Math.min(REGION_PIECE_SIDE, height - top);
        const piece = await this.readRegionPiece(level, corner(x0, left), corner(y0, top), w, h, signal);
        copyRect(piece, 0, 0, w, h, out, left, top);
      }
    }
    return out;
  }

  /** One piece of readRegion, at most REGION_PIECE_SIDE a side. */
  private async readRegionPiece(level: number, x0: number, y0: number, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    const ds = this.levelInfo(level).downsample;
    const x = regionAxis(x0, ds);
    const y = regionAxis(y0, ds);
    const whole = (a: RegionAxis) => fixed1616(a.at - Math.floor(a.at)) % 65536 === 0;
    if (whole(x) && whole(y)) return this.readLevelRect(level, Math.round(x.at) - x.skip, Math.round(y.at) - y.skip, width, height, 4, signal);
    if (this.source.paintsRegion?.(level)) return this.paintBetweenPixels(level, x, y, width, height, signal);
    return this.readRegionBetweenPixels(level, x, y, width, height, signal);
  }

  /**
   * A piece between the pixels of a stitched level, its images painted at once where they land
   * (SlideSource.paintRegion). Where OpenSlide's are transparent (no image, a soft seam) so are its
   * pixels, where a region on the level's pixels shows the tiles over white.
   */
  private async paintBetweenPixels(level: number, x: RegionAxis, y: RegionAxis, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    const canvas = createCanvas(width, height);
    // OpenSlide paints nothing where a negative origin skips the whole piece.
    if (x.skip < width && y.skip < height) {
      // A slot of the lane's tile reads, as the tiles the paint stands in for would take.
      await LANE_TILE_READS.run(() => this.source.paintRegion!(level, x.at, y.at, canvas, x.skip, y.skip, signal), signal);
    }
    unpremultiply(canvas.data);
    return { data: canvas.data, width, height, channels: 4 };
  }

  /**
   * A region whose origin falls between the level's pixels, as OpenSlide 3.4.1 paints it: its
   * simple grid's tiles, last row and column first, each translated by the fractional origin on a
   * cairo surface (see SubpixelCanvas).
   */
  private async readRegionBetweenPixels(level: number, x: RegionAxis, y: RegionAxis, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    const info = this.levelInfo(level);
    const canvas = new SubpixelCanvas(width, height);
    const tw = info.tileWidth;
    const th = info.tileHeight;
    const col0 = Math.trunc(x.at / tw);
    const row0 = Math.trunc(y.at / th);
    const col1 = Math.min(Math.ceil((x.at + width - x.skip) / tw), Math.ceil(info.width / tw));
    const row1 = Math.min(Math.ceil((y.at + height - y.skip) / th), Math.ceil(info.height / th));
    const offsetX = x.at - col0 * tw;
    const offsetY = y.at - row0 * th;
    // A row of tiles is read at once, then painted in OpenSlide's order: seams add up under SATURATE.
    for (let row = row1 - 1; row >= row0; row--) {
      const cols = Array.from({ length: Math.max(0, col1 - col0) }, (_, i) => col1 - 1 - i);
      const tiles = new Map<number, RgbImage | null>();
      await forEachLimited(cols, REGION_TILE_READS, async (col) => {
        tiles.set(col, await this.tile(level, col, row, signal));
      });
      throwIfAborted(signal);
      for (const col of cols) {
        const tile = tiles.get(col);
        if (!tile) continue;
        const validWidth = Math.min(tw, info.width - col * tw, tile.width);
        const validHeight = Math.min(th, info.height - row * th, tile.height);
        canvas.paintTile(tile, validWidth, validHeight, x.skip + (col - col0) * tw - offsetX, y.skip + (row - row0) * th - offsetY);
      }
    }
    return canvas.toStraightRgba();
  }

  /**
   * A region of a level whose images are placed on it (Leica): each image is read from its own
   * truncated origin, as OpenSlide does, and transparent around the images.
   */
  private async readPlacedRegion(level: number, x0: number, y0: number, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    const rects = this.source.imageRects?.(level) ?? [];
    const origins = rects.map((rect) => placedOrigin(rect, x0, y0, this.levelInfo(level).downsample));
    if (origins.every((o) => o.x === origins[0]!.x && o.y === origins[0]!.y)) {
      const { x, y } = this.levelOrigin(level, x0, y0);
      return this.readLevelRect(level, x, y, width, height, 4, signal);
    }
    // Each placed image is read from its own origin, so they can land a pixel apart from where the
    // plane has them: each is copied, in drawing order, from a read at its origin.
    const out: RgbImage = { data: new Uint8Array(width * height * 4), width, height, channels: 4 };
    const reads = new Map<string, Promise<RgbImage>>();
    const readAt = (o: { x: number; y: number }) => {
      const key = `${o.x},${o.y}`;
      if (!reads.has(key)) reads.set(key, this.readLevelRect(level, o.x, o.y, width, height, 4, signal));
      return reads.get(key)!;
    };
    for (const [i, rect] of rects.entries()) {
      const o = origins[i]!;
      const read = await readAt(o);
      const ix0 = Math.max(rect.x, o.x);
      const iy0 = Math.max(rect.y, o.y);
      const ix1 = Math.min(rect.x + rect.width, o.x + width);
      const iy1 = Math.min(rect.y + rect.height, o.y + height);
      if (ix1 > ix0 && iy1 > iy0) copyRect(read, ix0 - o.x, iy0 - o.y, ix1 - ix0, iy1 - iy0, out, ix0 - o.x, iy0 - o.y);
    }
    return out;
  }

  /**
   * A level-0 rectangle resampled to outWidth x outHeight (RGB, white outside the slide), read from
   * the coarsest level with enough resolution - never level 0 when a smaller level serves.
   * Returns null when that level's region would be too large; the caller then uses the pyramid.
   */
  async readScaledFromLevel(
    x0: number,
    y0: number,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    signal?: AbortSignal,
  ): Promise<RgbImage | null> {
    const downsample = Math.min(width / outWidth, height / outHeight);
    const level = slideLevelForDownsample(this.source.levels, downsample);
    const ds = this.source.levels[level]!.downsample;
    // Reduced 2x or more from that level: read it at half size, a quarter of the pixels to decode
    // (JPEG 2000), copy and resample.
    const reduction = downsample / ds;
    const mode: TileMode = reduction >= 2 && this.reducible(level, 'half') ? 'half' : reduction >= 1.5 ? 'fast' : 'exact';
    const k = 2 ** HALVINGS[mode];
    const { x, y } = this.levelOrigin(level, x0, y0);
    const w = Math.max(1, Math.round(width / ds / k));
    const h = Math.max(1, Math.round(height / ds / k));
    if (w * h > MAX_REGION_PIXELS / 2) return null;
    const region = await this.readLevelRect(level, Math.floor(x / k), Math.floor(y / k), w, h, 3, signal, mode);
    throwIfAborted(signal);
    return resizeRgb(region, outWidth, outHeight);
  }
}

/** A region's size: whole pixels, positive, at most MAX_REGION_PIXELS. */
function checkRegionSize(width: number, height: number, path: string): void {
  if (![width, height].every(Number.isInteger) || width <= 0 || height <= 0) {
    throw new SlideError('INVALID_ARGUMENT', `A region must have a whole-pixel, positive size (got ${width} x ${height}).`, path);
  }
  if (width * height > MAX_REGION_PIXELS) throw new SlideError('TOO_LARGE', `A region of ${width} x ${height} pixels is too large to read at once.`, path);
}

/**
 * Where OpenSlide starts reading an image placed at `rect` for a level-0 point: (int64) (x0 / ds -
 * its offset), truncated toward the image rather than floored, as a level-plane origin.
 */
function placedOrigin(rect: LevelRect, x0: number, y0: number, ds: number): { x: number; y: number } {
  return { x: rect.x + Math.trunc(x0 / ds - rect.x), y: rect.y + Math.trunc(y0 / ds - rect.y) };
}
