// Deep-zoom tiles for OpenSeadragon. The speed comes from not decoding: where a dz level coincides
// with a stored level of the same tile size, the stored JPEG goes out as it is (tables spliced in).
// Other dz levels are resampled from the nearest finer stored level (at most 4x away), or built
// from their four children when no stored level is near (a single huge level, or below the pyramid).

import {
  DOWNSAMPLE_TOLERANCE,
  type DzTileRect,
  deepZoomGeometry,
  dzDownsample,
  dzTileRect,
  slideLevelForDownsample,
  storedJpegTile,
} from '../../shared/deepzoom';
import type { DeepZoomGeometry, EncodedTile, RgbImage } from '../../shared/slide';
import { applyLibvipsSettings } from './codecs/libvips-settings';
import { encodeJpegRgb } from './codecs/turbojpeg';
import { SlideError, throwIfAborted } from './errors';
import type { ByteLruCache } from './lru-cache';
import { copyRect, cropRgb, halveRgb, resizeRgb, sharpFrom } from './pixels';
import type { RegionReader, TileMode } from './region-reader';
import { withSpareBufferAsync } from './spare-buffers';

export type TileEncoding = 'jpeg' | 'png';

/**
 * Deep-zoom tiles one request may build from their children, all levels down: a slide with one
 * huge level and no pyramid needs every tile below a coarse one (the overview of a 100000-pixel
 * level, some 10^4 tiles of 16 stored ones each); past this a request is refused, not worked on
 * for minutes. The overview of a 12000 x 9000 single level takes about 170.
 */
export const MAX_BUILT_TILES = 4096;

interface Budget {
  left: number;
}

/**
 * Re-encoded tiles (JPEG 2000 and other codecs, resampled levels): JPEG quality 90 with 4:4:4
 * chroma. Stain colours of thin structures (nuclei edges, eosin fibres) survive 4:4:4 where 4:2:0
 * smears them, and q90 keeps the error below what the eye sees at the cost of ~1.5x the bytes of q75.
 */
export const TILE_JPEG_QUALITY = 90;

type ResamplePlan = { kind: 'resample'; level: number; scale: number }; // from a stored level at most 4x finer
type ResampleRead = { x: number; y: number; w: number; h: number; mode: TileMode; reduce: 'none' | 'halve' | 'resize' };
type Plan =
  | { kind: 'stored'; level: number } // dz tile = stored tile (same grid)
  | ResamplePlan
  | { kind: 'children' }; // from four tiles of the next dz level

/**
 * The deep-zoom tile size: the slide's own, so that stored JPEG tiles go out undecoded. Where no tile
 * goes out as stored (JPEG 2000, LZW, ...), every tile is re-encoded anyway: twice the slide's own,
 * up to 512 px, is a third of the requests for a screen (a 33003 slide: the first view 20% sooner,
 * jumps and pans 12-15% slower; docs/performance.md).
 */
export function chooseTileSize(tileWidth: number, tileHeight: number, servedAsStored: boolean): number {
  if (tileWidth !== tileHeight || tileWidth < 64 || tileWidth > 1024) return 256;
  return !servedAsStored && 2 * tileWidth <= 512 ? 2 * tileWidth : tileWidth;
}

export class DeepZoomTiler {
  readonly geometry: DeepZoomGeometry;
  private readonly plans: Plan[];

  constructor(
    private readonly reader: RegionReader,
    private readonly dzTiles: ByteLruCache<RgbImage>,
    private readonly encodedTiles: ByteLruCache<EncodedTile>,
    private readonly cacheKey: string,
    tileSize: number,
    private readonly encoding: TileEncoding,
    private readonly maxBuiltTiles = MAX_BUILT_TILES,
  ) {
    const { levels } = reader.source;
    const base = levels[0]!;
    this.geometry = deepZoomGeometry(base.width, base.height, tileSize, 0);
    this.plans = this.geometry.levels.map((_, z) => this.plan(z));
  }

  private plan(z: number): Plan {
    const downsample = dzDownsample(this.geometry, z);
    const best = slideLevelForDownsample(this.reader.source.levels, downsample);
    const level = this.reader.source.decodedFrom?.(best) ?? best;
    const info = this.reader.source.levels[level]!;
    const dz = this.geometry.levels[z]!;
    // Level pixels per dz pixel, from sizes (rounding makes small levels' downsamples inexact).
    const scale = Math.max(info.width / dz.width, info.height / dz.height);
    const ts = this.geometry.tileSize;
    const sameGrid = Math.abs(info.width - dz.width) <= 1 && Math.abs(info.height - dz.height) <= 1;
    if (sameGrid && info.tileWidth === ts && info.tileHeight === ts) return { kind: 'stored', level };
    if (sameGrid) return { kind: 'resample', level, scale: 1 };
    // Up to 4x: one Lanczos pass over at most 16 stored tiles, as OpenSlide does it. Beyond, halve
    // level by level so a dz tile never needs more than four others.
    if (scale <= 4 * DOWNSAMPLE_TOLERANCE) return { kind: 'resample', level, scale };
    return { kind: 'children' };
  }

  /** The stored level a dz level's tiles are, as they are stored; null when they are made. */
  storedLevel(z: number): number | null {
    const plan = this.plans[z];
    return plan?.kind === 'stored' ? plan.level : null;
  }

  /** Which dz levels are served as stored: for the tests and the benchmark's report. */
  describePlans(): string[] {
    return this.plans.map((p) =>
      p.kind === 'stored' ? `stored L${p.level}` : p.kind === 'resample' ? `resample L${p.level} x${p.scale.toFixed(2)}` : 'children',
    );
  }

  private rect(z: number, col: number, row: number) {
    const rect = dzTileRect(this.geometry, z, col, row);
    if (!rect) throw new SlideError('INVALID_ARGUMENT', `There is no deep-zoom tile ${z}/${col}_${row}.`, this.reader.source.path);
    return rect;
  }

  isCached(z: number, col: number, row: number): boolean {
    return this.encodedTiles.get(`${this.cacheKey}:${z}:${col}:${row}`) !== undefined;
  }

  async getTile(z: number, col: number, row: number, signal?: AbortSignal): Promise<EncodedTile> {
    const rect = this.rect(z, col, row);
    return this.encodedTiles.getOrCompute(
      `${this.cacheKey}:${z}:${col}:${row}`,
      async (job) => {
        throwIfAborted(job);
        const plan = this.plans[z]!;
        if (plan.kind === 'stored') {
          const jpeg = await this.reader.source.readStoredJpeg(plan.level, col, row);
          if (jpeg) return storedJpegTile(jpeg, rect, this.reader.source.levels[plan.level]!, col, row);
        }
        if (plan.kind === 'resample' && !this.parentUsesPixels(z)) {
          // Pixels encoded at once and dropped: not the shared uncached computation, and a read at the
          // tile's size goes into a reused buffer.
          const read = this.resampleRead(plan, rect);
          if (read.reduce !== 'none') return this.encode(await this.resampled(plan.level, rect, read, job));
          return withSpareBufferAsync(read.w * read.h * 3, async (into) => this.encode(await this.resampled(plan.level, rect, read, job, into)));
        }
        return this.encode(await this.tilePixels(z, col, row, job, { left: this.maxBuiltTiles }));
      },
      signal,
    );
  }

  /**
   * RGB pixels of a dz tile, exactly rect-sized. Kept in the cache only where the level above is
   * built from its children: elsewhere they are encoded once and would only churn the cache.
   */
  tilePixels(z: number, col: number, row: number, signal?: AbortSignal, budget: Budget = { left: this.maxBuiltTiles }): Promise<RgbImage> {
    const rect = this.rect(z, col, row);
    return this.dzTiles.getOrCompute(
      `${this.cacheKey}:${z}:${col}:${row}`,
      async (job) => {
        throwIfAborted(job);
        const plan = this.plans[z]!;
        if (plan.kind === 'stored') {
          const tile = await this.reader.tile(plan.level, col, row, job);
          const info = this.reader.source.levels[plan.level]!;
          if (tile && col * info.tileWidth + rect.width <= info.width && row * info.tileHeight + rect.height <= info.height) {
            return cropRgb(tile, 0, 0, rect.width, rect.height);
          }
          // The stored level is a pixel smaller than the dz level, or the tile is absent.
          return this.reader.readLevelRect(plan.level, rect.dzX, rect.dzY, rect.width, rect.height, 3, job);
        }
        if (plan.kind === 'resample') return this.resampled(plan.level, rect, this.resampleRead(plan, rect), job);
        return this.fromChildren(z, col, row, rect.width, rect.height, budget, job);
      },
      signal,
      this.parentUsesPixels(z),
    );
  }

  /** Whether the dz level above is built from this one's pixels: then they are worth caching. */
  private parentUsesPixels(z: number): boolean {
    return z > 0 && this.plans[z - 1]!.kind === 'children';
  }

  /**
   * What a resampled dz tile reads: a rectangle of its stored level (in that level's plane, or at
   * half or quarter size), and how it is then reduced to the tile ('none': it is the tile).
   */
  private resampleRead(plan: ResamplePlan, rect: DzTileRect): ResampleRead {
    // Every other dz level of a 4x pyramid is exactly half a stored level: its tiles read at half size.
    const half = Math.abs(plan.scale - 2) < 0.01;
    if (half && this.reader.reducible(plan.level, 'half')) {
      return { x: rect.dzX, y: rect.dzY, w: rect.width, h: rect.height, mode: 'half', reduce: 'none' };
    }
    // About a quarter (below the coarsest stored level) of a codec that decodes reduced sizes
    // itself: read at quarter size, then fit. Others take Lanczos, closer than 4x4 means; a level
    // exactly twice the tile that does not halve into whole tiles, 2x2 means as 'half' gives.
    const quarter = plan.scale > 3.5 && this.reader.source.decodesReduced(plan.level) && this.reader.reducible(plan.level, 'quarter');
    const s = quarter ? plan.scale / 4 : plan.scale;
    const w = Math.max(1, Math.round(rect.width * s));
    const h = Math.max(1, Math.round(rect.height * s));
    const mode: TileMode = quarter ? 'quarter' : plan.scale >= 1.5 ? 'fast' : 'exact';
    const reduce = w === rect.width && h === rect.height ? 'none' : half ? 'halve' : 'resize';
    return { x: Math.floor(rect.dzX * s), y: Math.floor(rect.dzY * s), w, h, mode, reduce };
  }

  /**
   * A resampled dz tile's pixels. A read at the tile's size goes into `into` where given; a larger
   * one into a reused buffer, then reduced to new pixels.
   */
  private resampled(level: number, rect: DzTileRect, read: ResampleRead, job: AbortSignal, into?: Uint8Array): Promise<RgbImage> {
    if (read.reduce === 'none') return this.reader.readLevelRect(level, read.x, read.y, read.w, read.h, 3, job, read.mode, into);
    return withSpareBufferAsync(read.w * read.h * 3, async (buffer) => {
      const region = await this.reader.readLevelRect(level, read.x, read.y, read.w, read.h, 3, job, read.mode, buffer);
      throwIfAborted(job);
      return read.reduce === 'halve' ? halveRgb(region, rect.width, rect.height) : resizeRgb(region, rect.width, rect.height);
    });
  }

  private async fromChildren(z: number, col: number, row: number, width: number, height: number, budget: Budget, signal?: AbortSignal): Promise<RgbImage> {
    const child = this.geometry.levels[z + 1]!;
    const ts = this.geometry.tileSize;
    const kids: Array<{ dc: number; dr: number; c: number; r: number }> = [];
    for (let dr = 0; dr < 2; dr++) {
      for (let dc = 0; dc < 2; dc++) {
        const c = col * 2 + dc;
        const r = row * 2 + dr;
        if (c < child.cols && r < child.rows) kids.push({ dc, dr, c, r });
      }
    }
    budget.left -= kids.length;
    if (budget.left < 0) {
      throw new SlideError(
        'TOO_LARGE',
        `Deep-zoom tile ${z}/${col}_${row} would be built from more than ${this.maxBuiltTiles} tiles below it: the slide has no stored level near this size.`,
        this.reader.source.path,
      );
    }
    // Children read from a stored level come together; children built from theirs, one at a time:
    // all at once, every level down, would start 4^depth tiles and hold all their buffers.
    const pixels: RgbImage[] = [];
    if (this.plans[z + 1]!.kind !== 'children') pixels.push(...(await Promise.all(kids.map((k) => this.tilePixels(z + 1, k.c, k.r, signal, budget)))));
    else for (const k of kids) pixels.push(await this.tilePixels(z + 1, k.c, k.r, signal, budget));
    const cw = Math.min(2 * ts, child.width - col * 2 * ts);
    const ch = Math.min(2 * ts, child.height - row * 2 * ts);
    const canvas: RgbImage = { data: new Uint8Array(cw * ch * 3), width: cw, height: ch, channels: 3 };
    kids.forEach((k, i) => {
      const p = pixels[i]!;
      copyRect(p, 0, 0, p.width, p.height, canvas, k.dc * ts, k.dr * ts);
    });
    throwIfAborted(signal);
    // Lanczos here, not 2x2 means: a chain of box filters over many halvings softens too much.
    return resizeRgb(canvas, width, height);
  }

  private async encode(pixels: RgbImage): Promise<EncodedTile> {
    if (this.encoding === 'jpeg') return { bytes: await encodeJpegRgb(pixels, TILE_JPEG_QUALITY), mime: 'image/jpeg' };
    const png = await sharpFrom(pixels).png({ compressionLevel: 1 }).toBuffer();
    return { bytes: new Uint8Array(png.buffer, png.byteOffset, png.length), mime: 'image/png' };
  }
}

applyLibvipsSettings();
