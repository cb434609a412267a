// The slide engine in one process: open slides by id, serve deep-zoom tiles, regions, associated
// images and thumbnails. The worker wraps it for the app; the CLI and the tests use it directly.

import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import sharp from 'sharp';
import { dzDownsample } from '../../shared/deepzoom';
import { thumbnailSize } from '../../shared/magnification';
import type { EncodedImage, EncodedTile, SlideInfo, ThumbnailSpec } from '../../shared/slide';
import './codecs/registry';
import { chooseTileSize, DeepZoomTiler, type TileEncoding } from './deepzoom-tiler';
import type { OpenOptions, RgbImage, SlideEngineApi } from './engine-api';
import { SlideError, throwIfAborted, toSlideError } from './errors';
import { openSlideSource } from './formats';
import { ByteLruCache } from './lru-cache';
import { copyRect, resizeRgb } from './pixels';
import { RegionReader } from './region-reader';
import { tileLane } from './tile-lanes';

export interface EngineOptions {
  /** Decoded stored tiles, shared by all slides. */
  tileCacheBytes?: number;
  /** Decoded deep-zoom tiles (the parents of built levels are made from them). */
  dzCacheBytes?: number;
  /** Encoded deep-zoom tiles ready to send. */
  encodedCacheBytes?: number;
  /** How tiles that are not served as stored are encoded. PNG is lossless (tests). */
  tileEncoding?: TileEncoding;
  /** Makes the sample slide; injected so the engine core does not depend on the generator. */
  makeSample?: (cacheDir: string) => Promise<string>;
  /** This engine's share of the tiles when several serve one slide (see tileLane): it prefetches only those. */
  lane?: { lane: number; lanes: number };
}

interface OpenSlide {
  info: SlideInfo;
  reader: RegionReader;
  tiler: DeepZoomTiler;
}

const MB = 1024 * 1024;

export class SlideEngine implements SlideEngineApi {
  private readonly slides = new Map<string, OpenSlide>();
  private readonly tiles: ByteLruCache<RgbImage | null>;
  private readonly dzTiles: ByteLruCache<RgbImage>;
  private readonly encoded: ByteLruCache<EncodedTile>;
  /** Tile requests being served: prefetching waits while any is. */
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  /** Per slide, the tiles still to prefetch (the latest request replaces the earlier one). */
  private readonly prefetchQueues = new Map<string, Array<[number, number, number]>>();
  private prefetching = false;

  constructor(private readonly options: EngineOptions = {}) {
    this.tiles = new ByteLruCache(options.tileCacheBytes ?? 24 * MB, (t) => (t ? t.data.byteLength : 64) + 64);
    this.dzTiles = new ByteLruCache(options.dzCacheBytes ?? 12 * MB, (t) => t.data.byteLength + 64);
    this.encoded = new ByteLruCache(options.encodedCacheBytes ?? 16 * MB, (t) => t.bytes.byteLength + 64);
  }

  async open(path: string, options: OpenOptions = {}): Promise<{ slideId: string; info: SlideInfo }> {
    const source = await openSlideSource(path);
    const slideId = randomUUID();
    const reader = new RegionReader(source, this.tiles, slideId);
    const base = source.levels[0]!;
    const tileSize = chooseTileSize(base.tileWidth, base.tileHeight, options.tileSize);
    const tiler = new DeepZoomTiler(reader, this.dzTiles, this.encoded, slideId, tileSize, this.options.tileEncoding ?? 'jpeg');
    const info: SlideInfo = {
      path,
      name: basename(path),
      format: source.format,
      vendor: source.vendor,
      width: base.width,
      height: base.height,
      levels: source.levels.map((l) => ({ ...l })),
      objectivePower: source.objectivePower,
      mpp: source.mpp,
      associated: [...source.associatedNames],
      properties: { ...source.properties },
      deepZoom: tiler.geometry,
    };
    this.slides.set(slideId, { info, reader, tiler });
    return { slideId, info };
  }

  private slide(slideId: string): OpenSlide {
    const slide = this.slides.get(slideId);
    if (!slide) throw new SlideError('NOT_OPEN', 'This slide is not open (it was closed, or the engine restarted).');
    return slide;
  }

  /** Internals for tests and the benchmark: which dz levels are served as stored. */
  describeTiling(slideId: string): string[] {
    return this.slide(slideId).tiler.describePlans();
  }

  async close(slideId: string): Promise<void> {
    const slide = this.slides.get(slideId);
    if (!slide) return;
    this.slides.delete(slideId);
    this.prefetchQueues.delete(slideId);
    await slide.reader.source.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.slides.keys()].map((id) => this.close(id)));
  }

  async getTile(slideId: string, dzLevel: number, col: number, row: number, signal?: AbortSignal): Promise<EncodedTile> {
    const slide = this.slide(slideId);
    this.busy++;
    try {
      return await slide.tiler.getTile(dzLevel, col, row, signal);
    } catch (error) {
      throw toSlideError(error, slide.info.path);
    } finally {
      if (--this.busy === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  async prefetch(slideId: string, dzLevel: number, range: { colStart: number; colEnd: number; rowStart: number; rowEnd: number }): Promise<void> {
    const slide = this.slide(slideId);
    const level = slide.info.deepZoom.levels[dzLevel];
    if (!level) throw new SlideError('INVALID_ARGUMENT', `There is no deep-zoom level ${dzLevel}.`, slide.info.path);
    const tiles: Array<[number, number, number]> = [];
    const { lane, lanes } = this.options.lane ?? { lane: 0, lanes: 1 };
    for (let row = Math.max(0, range.rowStart); row <= Math.min(level.rows - 1, range.rowEnd); row++) {
      for (let col = Math.max(0, range.colStart); col <= Math.min(level.cols - 1, range.colEnd); col++) {
        if (tileLane(col, row, lanes) === lane) tiles.push([dzLevel, col, row]);
      }
    }
    this.prefetchQueues.set(slideId, tiles);
    if (!this.prefetching) void this.runPrefetch();
  }

  /** Whether a tile is ready to send (tests, and the prefetch itself). */
  isTileCached(slideId: string, dzLevel: number, col: number, row: number): boolean {
    return this.slide(slideId).tiler.isCached(dzLevel, col, row);
  }

  private async runPrefetch(): Promise<void> {
    this.prefetching = true;
    try {
      for (;;) {
        const next = [...this.prefetchQueues.entries()].find(([, queue]) => queue.length > 0);
        if (!next) return;
        const [slideId, queue] = next;
        const [z, col, row] = queue.shift()!;
        const slide = this.slides.get(slideId);
        if (!slide) {
          this.prefetchQueues.delete(slideId);
          continue;
        }
        // Real requests first: wait until none is being served, then one tile at a time.
        while (this.busy > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
        if (slide.tiler.isCached(z, col, row)) continue;
        await slide.tiler.getTile(z, col, row).catch(() => undefined); // a bad tile is reported when asked for
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.prefetching = false;
    }
  }

  async readRegion(slideId: string, level: number, x: number, y: number, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    const slide = this.slide(slideId);
    try {
      return await slide.reader.readRegion(level, x, y, width, height, signal);
    } catch (error) {
      throw toSlideError(error, slide.info.path);
    }
  }

  async readAssociated(slideId: string, name: string): Promise<RgbImage> {
    const slide = this.slide(slideId);
    try {
      return await slide.reader.source.readAssociated(name);
    } catch (error) {
      throw toSlideError(error, slide.info.path);
    }
  }

  async getAssociatedImage(slideId: string, name: string): Promise<EncodedImage> {
    const image = await this.readAssociated(slideId, name);
    const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
      .png({ compressionLevel: 3 })
      .toBuffer();
    return { bytes: new Uint8Array(png.buffer, png.byteOffset, png.length), mime: 'image/png', width: image.width, height: image.height };
  }

  async thumbnail(slideId: string, spec: ThumbnailSpec, signal?: AbortSignal): Promise<RgbImage> {
    const slide = this.slide(slideId);
    const size = thumbnailSize(slide.info, spec);
    if (!size) {
      const reason =
        spec.kind === 'size'
          ? 'The size must be at least 1 pixel.'
          : 'The slide records no objective power or microns per pixel, so a magnification cannot be chosen.';
      throw new SlideError('INVALID_ARGUMENT', reason, slide.info.path);
    }
    if (size.width * size.height > 64 * MB) throw new SlideError('TOO_LARGE', `A ${size.width} x ${size.height} thumbnail is too large.`, slide.info.path);
    return this.readScaledRegion(slideId, 0, 0, slide.info.width, slide.info.height, size.width, size.height, signal);
  }

  async readScaledRegion(
    slideId: string,
    x: number,
    y: number,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    signal?: AbortSignal,
  ): Promise<RgbImage> {
    const slide = this.slide(slideId);
    if (![x, y, width, height, outWidth, outHeight].every(Number.isFinite) || width <= 0 || height <= 0 || outWidth < 1 || outHeight < 1) {
      throw new SlideError('INVALID_ARGUMENT', 'A scaled region needs a positive size.', slide.info.path);
    }
    try {
      const direct = await slide.reader.readScaledFromLevel(x, y, width, height, Math.round(outWidth), Math.round(outHeight), signal);
      return direct ?? (await this.scaledFromPyramid(slide, x, y, width, height, Math.round(outWidth), Math.round(outHeight), signal));
    } catch (error) {
      throw toSlideError(error, slide.info.path);
    }
  }

  /** When the best stored level is too large to read whole (one huge level), go through dz tiles. */
  private async scaledFromPyramid(
    slide: OpenSlide,
    x: number,
    y: number,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    signal?: AbortSignal,
  ): Promise<RgbImage> {
    const { geometry } = slide.tiler;
    const wanted = Math.min(width / outWidth, height / outHeight);
    let z = geometry.levels.length - 1;
    while (z > 0 && dzDownsample(geometry, z - 1) <= wanted) z--;
    const ds = dzDownsample(geometry, z);
    const level = geometry.levels[z]!;
    const ts = geometry.tileSize;
    const rx0 = Math.max(0, Math.floor(x / ds));
    const ry0 = Math.max(0, Math.floor(y / ds));
    const rx1 = Math.min(level.width, Math.ceil((x + width) / ds));
    const ry1 = Math.min(level.height, Math.ceil((y + height) / ds));
    const canvas: RgbImage = {
      data: new Uint8Array(Math.max(1, rx1 - rx0) * Math.max(1, ry1 - ry0) * 3).fill(255),
      width: Math.max(1, rx1 - rx0),
      height: Math.max(1, ry1 - ry0),
      channels: 3,
    };
    for (let row = Math.floor(ry0 / ts); row * ts < ry1; row++) {
      for (let col = Math.floor(rx0 / ts); col * ts < rx1; col++) {
        throwIfAborted(signal);
        const tile = await slide.tiler.tilePixels(z, col, row, signal);
        const ix0 = Math.max(col * ts, rx0);
        const iy0 = Math.max(row * ts, ry0);
        const ix1 = Math.min(col * ts + tile.width, rx1);
        const iy1 = Math.min(row * ts + tile.height, ry1);
        copyRect(tile, ix0 - col * ts, iy0 - row * ts, ix1 - ix0, iy1 - iy0, canvas, ix0 - rx0, iy0 - ry0);
      }
    }
    return resizeRgb(canvas, outWidth, outHeight);
  }

  async ensureSample(cacheDir: string): Promise<string> {
    if (!this.options.makeSample) throw new SlideError('IO_ERROR', 'This engine cannot make the sample slide.');
    return this.options.makeSample(cacheDir);
  }

  /** Bytes held by the caches: for the benchmark's memory report. */
  cacheBytes(): number {
    return this.tiles.bytes + this.dzTiles.bytes + this.encoded.bytes;
  }
}
