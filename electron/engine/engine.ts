// The slide engine in one thread: open slides under the ids its caller chose, serve deep-zoom tiles,
// regions, associated images and thumbnails, and write exports. It answers the table's lane
// operations (SlideEngineApi); an engine lane serves it over RPC, the tests call it directly.

import { basename } from 'node:path';
import { dzLevelForDownsample, dzRectOf, dzTilesCovering } from '../../shared/deepzoom';
import type { DetectionSet } from '../../shared/detections';
import { LIMITS, thumbnailPixelsText } from '../../shared/limits';
import { thumbnailSize } from '../../shared/magnification';
import type { ExportResult, ExportStep, RequestOf, SlidePreview } from '../../shared/operations';
import type { CallContext } from '../../shared/rpc';
import type { ChannelChoice, EncodedImage, EncodedTile, PlaneChoice, RgbImage, SlideInfo, StoredJpegTiles } from '../../shared/slide';
import { readAnnotationFile, writeAnnotationFile, writeDetectionTableFile } from '../annotations/annotation-files';
import { readDetectionsApart } from '../annotations/detections-apart';
import './codecs/registry';
import { SlideColour } from './colour/slide-colour';
import { chooseTileSize, DeepZoomTiler, type TileEncoding } from './deepzoom-tiler';
import type { SlideEngineApi } from './engine-api';
import { readError, SlideError, throwIfAborted } from './errors';
import { exportComparison, exportRegion, exportThumbnail, regionPng } from './export/exports';
import { exportSideBySide } from './export/side-by-side';
import { openSlideSource } from './formats';
import { ByteLruCache } from './lru-cache';
import { copyRect, resizeRgb, sharpFrom } from './pixels';
import { RegionReader } from './region-reader';
import type { SlideSource } from './slide-source';
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
  /** This engine's share of the tiles when several serve one slide (see tileLane): it prefetches only those. */
  lane?: { lane: number; lanes: number };
  /** Deep-zoom tiles one request may build from their children (MAX_BUILT_TILES; tests lower it). */
  maxBuiltTiles?: number;
}

interface OpenSlide {
  info: SlideInfo;
  /** The source as the file opened, its channels as it first shows them: set-channels starts from it. */
  opened: SlideSource;
  reader: RegionReader;
  tiler: DeepZoomTiler;
  colour: SlideColour;
}

type Context<P = unknown> = Partial<CallContext<P>>;

const MB = 1024 * 1024;

/**
 * How a choice treats an axis (Z or T) along which the slide has one plane: refused as any plane it
 * lacks (the app asks only for planes the slide has), or passed by, as channels are by a slide without
 * them (opening one slide of a CLI batch: `--plane 3` shows brightfield slides as they are).
 */
type MissingAxis = 'refused' | 'passed-by';

/** The plane asked, within the slide's planes; INVALID_ARGUMENT naming them for one it lacks. */
function planeWithin(source: SlideSource, plane: PlaneChoice, missing: MissingAxis): PlaneChoice {
  const { sizeZ, sizeT } = source.plane ?? { sizeZ: 1, sizeT: 1 };
  const z = missing === 'passed-by' && sizeZ === 1 ? 0 : plane.z;
  const t = missing === 'passed-by' && sizeT === 1 ? 0 : plane.t;
  if (z < sizeZ && t < sizeT) return { z, t };
  const at = `Z-slice ${z + 1}, timepoint ${t + 1}`;
  throw new SlideError(
    'INVALID_ARGUMENT',
    sizeZ === 1 && sizeT === 1
      ? `The slide has one plane: it has no ${at}.`
      : `The image has no plane at ${at}: its Z-slices are 1 to ${sizeZ}, its timepoints 1 to ${sizeT}.`,
    source.path,
  );
}

/**
 * The source at the plane asked and with its channels shown as asked (a slide without channels
 * ignores the channels).
 */
async function shownAs(
  source: SlideSource,
  choices: readonly ChannelChoice[] | null | undefined,
  plane: PlaneChoice | undefined,
  missing: MissingAxis,
): Promise<SlideSource> {
  let shown = source;
  const at = plane ? planeWithin(source, plane, missing) : null;
  if (at && (at.z !== 0 || at.t !== 0) && shown.withPlane) shown = await shown.withPlane(at);
  return choices && shown.withChannels ? shown.withChannels(choices) : shown;
}

/** shownAs at open, the file closed if the choice is refused. */
async function openedAs(source: SlideSource, choices: readonly ChannelChoice[] | undefined, plane: PlaneChoice | undefined): Promise<SlideSource> {
  try {
    return await shownAs(source, choices, plane, 'passed-by');
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** What SlideInfo says of how the source shows its channels and plane. */
function channelsInfo(source: SlideSource): Pick<SlideInfo, 'channels' | 'plane'> {
  return { ...(source.channels ? { channels: source.channels.map((c) => ({ ...c })) } : {}), ...(source.plane ? { plane: { ...source.plane } } : {}) };
}

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
  /** Stops the tile being prefetched when a newer prefetch replaces it or its slide closes (a request waiting on it keeps it). */
  private prefetchAbort = new AbortController();
  /** Previews made: each opens its file under an id of its own. */
  private previews = 0;
  /** Per slide, the channel choice being shown (chooseChannels). */
  private readonly choosing = new Map<string, Promise<SlideInfo>>();

  constructor(private readonly options: EngineOptions = {}) {
    this.tiles = new ByteLruCache(options.tileCacheBytes ?? 24 * MB, (t) => (t ? t.data.byteLength : 64) + 64);
    this.dzTiles = new ByteLruCache(options.dzCacheBytes ?? 12 * MB, (t) => t.data.byteLength + 64);
    this.encoded = new ByteLruCache(options.encodedCacheBytes ?? 16 * MB, (t) => t.bytes.byteLength + 64);
  }

  async open({ slideId, path, tileSize, channels, plane }: RequestOf<'engine:open'>): Promise<SlideInfo> {
    if (this.slides.has(slideId)) throw new SlideError('INVALID_ARGUMENT', `A slide is already open as ${slideId}.`, path);
    const opened = await openSlideSource(path);
    const source = await openedAs(opened, channels, plane);
    const colour = await SlideColour.of(source);
    const base = source.levels[0]!;
    const { reader, tiler } = this.readers(slideId, source, tileSize ?? chooseTileSize(base.tileWidth, base.tileHeight, source.storesJpeg(0)));
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
      iccProfile: colour.info,
      warnings: [...source.warnings],
      ...channelsInfo(source),
    };
    this.slides.set(slideId, { info, opened, reader, tiler, colour });
    return info;
  }

  private readers(slideId: string, source: SlideSource, tileSize: number): { reader: RegionReader; tiler: DeepZoomTiler } {
    const reader = new RegionReader(source, this.tiles, slideId);
    const tiler = new DeepZoomTiler(reader, this.dzTiles, this.encoded, slideId, tileSize, this.options.tileEncoding ?? 'jpeg', this.options.maxBuiltTiles);
    return { reader, tiler };
  }

  async chooseChannels(request: RequestOf<'engine:set-channels'>): Promise<SlideInfo> {
    // One choice at a time per slide, in the order asked: a plane read slowly must not land after a later choice.
    const before = this.choosing.get(request.slideId) ?? Promise.resolve();
    const chosen = before.catch(() => undefined).then(() => this.showChosen(request));
    this.choosing.set(request.slideId, chosen);
    try {
      return await chosen;
    } finally {
      if (this.choosing.get(request.slideId) === chosen) this.choosing.delete(request.slideId);
    }
  }

  private async showChosen({ slideId, channels, plane }: RequestOf<'engine:set-channels'>): Promise<SlideInfo> {
    const { opened, info: openedInfo } = this.slide(slideId);
    if (channels && !opened.withChannels) throw new SlideError('INVALID_ARGUMENT', 'The slide has no channels to choose from.', openedInfo.path);
    if (!opened.withChannels && !opened.withPlane)
      throw new SlideError('INVALID_ARGUMENT', 'The slide has no channels or planes to choose from.', openedInfo.path);
    const source = await shownAs(opened, channels, plane, 'refused');
    // Closed while its plane was read: nothing to show.
    const slide = this.slide(slideId);
    const { reader, tiler } = this.readers(slideId, source, slide.tiler.geometry.tileSize);
    // Its tiles were made with the channels shown before: made again from here.
    this.prefetchQueues.delete(slideId);
    this.stopPrefetchTile();
    for (const cache of [this.tiles, this.dzTiles, this.encoded]) cache.dropPrefix(`${slideId}:`);
    const info: SlideInfo = { ...slide.info, properties: { ...source.properties }, ...channelsInfo(source) };
    this.slides.set(slideId, { ...slide, info, reader, tiler });
    return info;
  }

  private slide(slideId: string): OpenSlide {
    const slide = this.slides.get(slideId);
    if (!slide) throw new SlideError('NOT_OPEN', 'This slide is not open (it was closed, or the engine restarted).');
    return slide;
  }

  /** Reads from an open slide; failures name its file (anything untyped is damaged data). */
  private async reading<T>(slideId: string, read: (slide: OpenSlide) => Promise<T>): Promise<T> {
    const slide = this.slide(slideId);
    try {
      return await read(slide);
    } catch (error) {
      throw readError(error, slide.info.path);
    }
  }

  /**
   * A gallery card's preview: the file opened under an id of its own, a thumbnail read from the
   * coarsest level with the detail (as `thumbnail`), in sRGB where the slide has a profile, as a JPEG;
   * the file closed again whatever happens, so a folder of 200 slides holds none open.
   */
  async preview({ path, longestSide }: RequestOf<'engine:preview'>, context: Context = {}): Promise<SlidePreview> {
    const slideId = `preview-${++this.previews}`;
    throwIfAborted(context.signal);
    const info = await this.open({ slideId, path, client: null });
    try {
      const image = await this.thumbnail({ slideId, spec: { kind: 'size', longestSide } }, context);
      const shown = await this.slide(slideId).colour.forExport(image, undefined);
      const jpeg = await sharpFrom(shown).jpeg({ quality: 82 }).toBuffer();
      const bytes = new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.length);
      const { format, vendor, width, height, objectivePower, mpp, levels, warnings } = info;
      return {
        format,
        vendor,
        width,
        height,
        objectivePower,
        mpp,
        levels: levels.length,
        warnings,
        image: { bytes, mime: 'image/jpeg', width: shown.width, height: shown.height },
      };
    } catch (error) {
      throw readError(error, path);
    } finally {
      await this.close({ slideId });
    }
  }

  /** Internals for tests and the benchmark: which dz levels are served as stored. */
  describeTiling(slideId: string): string[] {
    return this.slide(slideId).tiler.describePlans();
  }

  async close({ slideId }: RequestOf<'engine:close'>): Promise<void> {
    const slide = this.slides.get(slideId);
    if (!slide) return;
    this.slides.delete(slideId);
    this.prefetchQueues.delete(slideId);
    this.stopPrefetchTile();
    // Its tiles are keyed by its id: once it is closed they would only crowd out the open slides'.
    for (const cache of [this.tiles, this.dzTiles, this.encoded]) cache.dropPrefix(`${slideId}:`);
    await slide.reader.source.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.slides.keys()].map((slideId) => this.close({ slideId })));
  }

  async getTile({ slideId, dzLevel, col, row }: RequestOf<'slide:tile'>, context: Context = {}): Promise<EncodedTile> {
    this.busy++;
    try {
      // The slide's profile goes inside the tile as it leaves: the browser colour-manages it (or not, as the view asks).
      return await this.reading(slideId, async (slide) => slide.colour.withProfile(await slide.tiler.getTile(dzLevel, col, row, context.signal)));
    } finally {
      if (--this.busy === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Where a dz level's tiles lie when they go out as stored JPEG tiles, for the engine process to read them itself. */
  async storedTiles({ slideId, dzLevel }: RequestOf<'engine:stored-tiles'>): Promise<StoredJpegTiles | null> {
    return this.reading(slideId, async (slide) => {
      const level = slide.tiler.storedLevel(dzLevel);
      const stored = level === null ? null : ((await slide.reader.source.storedJpegTiles?.(level)) ?? null);
      return stored && { ...stored, iccMarkers: slide.colour.jpegMarkers };
    });
  }

  /**
   * Replaces the slide's prefetch with these tiles (inclusive ranges at one dz level): they are
   * made into the tile cache one at a time while no request is waiting, so a pan finds them ready.
   * Returns at once.
   */
  async prefetchTiles({ slideId, dzLevel, colStart, colEnd, rowStart, rowEnd, storedReadByRouter }: RequestOf<'slide:prefetch'>): Promise<void> {
    const slide = this.slide(slideId);
    const level = slide.info.deepZoom.levels[dzLevel];
    if (!level) throw new SlideError('INVALID_ARGUMENT', `There is no deep-zoom level ${dzLevel}.`, slide.info.path);
    const tiles: Array<[number, number, number]> = [];
    const { lane, lanes } = this.options.lane ?? { lane: 0, lanes: 1 };
    for (let row = rowStart; row <= Math.min(level.rows - 1, rowEnd); row++) {
      for (let col = colStart; col <= Math.min(level.cols - 1, colEnd); col++) {
        if (!storedReadByRouter && tileLane(col, row, lanes) === lane) tiles.push([dzLevel, col, row]);
      }
    }
    this.prefetchQueues.set(slideId, tiles);
    this.stopPrefetchTile();
    if (!this.prefetching) void this.runPrefetch();
  }

  private stopPrefetchTile(): void {
    if (!this.prefetching) return; // an abort makes a DOMException: a close would pay for one each time
    this.prefetchAbort.abort();
    this.prefetchAbort = new AbortController();
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
        await slide.tiler.getTile(z, col, row, this.prefetchAbort.signal).catch(() => undefined); // a bad tile is reported when asked for
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.prefetching = false;
    }
  }

  readRegion({ slideId, level, x, y, width, height }: RequestOf<'engine:region'>, context: Context = {}): Promise<RgbImage> {
    return this.reading(slideId, (slide) => slide.reader.readRegion(level, x, y, width, height, context.signal));
  }

  readAssociated({ slideId, name }: RequestOf<'engine:associated-pixels'>): Promise<RgbImage> {
    return this.reading(slideId, (slide) => slide.reader.source.readAssociated(name));
  }

  async getAssociatedImage(request: RequestOf<'slide:associated'>): Promise<EncodedImage> {
    const image = await this.readAssociated(request);
    const png = await sharpFrom(image).png({ compressionLevel: 3 }).toBuffer();
    return { bytes: new Uint8Array(png.buffer, png.byteOffset, png.length), mime: 'image/png', width: image.width, height: image.height };
  }

  /** A thumbnail, read from the coarsest level with enough resolution. RGB. */
  async thumbnail({ slideId, spec }: RequestOf<'engine:thumbnail'>, context: Context = {}): Promise<RgbImage> {
    const { info } = this.slide(slideId);
    const size = thumbnailSize(info, spec);
    if (!size) {
      const reason =
        spec.kind === 'size'
          ? 'The size must be at least 1 pixel.'
          : 'The slide records no objective power or microns per pixel, so a magnification cannot be chosen.';
      throw new SlideError('INVALID_ARGUMENT', reason, info.path);
    }
    if (size.width * size.height > LIMITS.maxThumbnailPixels)
      throw new SlideError(
        'TOO_LARGE',
        `A ${size.width} x ${size.height} thumbnail is too large: a thumbnail may have at most ${thumbnailPixelsText()}. Export a region for more.`,
        info.path,
      );
    return this.readScaledRegion({ slideId, x: 0, y: 0, width: info.width, height: info.height, outWidth: size.width, outHeight: size.height }, context);
  }

  readScaledRegion(request: RequestOf<'engine:scaled-region'>, context: Context = {}): Promise<RgbImage> {
    const { x, y, width, height, outWidth, outHeight } = request;
    return this.reading(request.slideId, async (slide) => {
      const direct = await slide.reader.readScaledFromLevel(x, y, width, height, outWidth, outHeight, context.signal);
      return direct ?? (await this.scaledFromPyramid(slide, request, context.signal));
    });
  }

  /** When the best stored level is too large to read whole (one huge level), go through dz tiles. */
  private async scaledFromPyramid(slide: OpenSlide, l0: RequestOf<'engine:scaled-region'>, signal?: AbortSignal): Promise<RgbImage> {
    const { geometry } = slide.tiler;
    const dzLevel = dzLevelForDownsample(geometry, Math.min(l0.width / l0.outWidth, l0.height / l0.outHeight));
    const ts = geometry.tileSize;
    const { dzX0, dzY0, dzX1, dzY1 } = dzRectOf(geometry, dzLevel, l0);
    const canvas: RgbImage = {
      data: new Uint8Array(Math.max(1, dzX1 - dzX0) * Math.max(1, dzY1 - dzY0) * 3).fill(255),
      width: Math.max(1, dzX1 - dzX0),
      height: Math.max(1, dzY1 - dzY0),
      channels: 3,
    };
    const tiles = dzTilesCovering(geometry, dzLevel, l0);
    if (tiles) {
      for (let row = tiles.rowStart; row <= tiles.rowEnd; row++) {
        for (let col = tiles.colStart; col <= tiles.colEnd; col++) {
          throwIfAborted(signal);
          const tile = await slide.tiler.tilePixels(dzLevel, col, row, signal);
          const ix0 = Math.max(col * ts, dzX0);
          const iy0 = Math.max(row * ts, dzY0);
          const ix1 = Math.min(col * ts + tile.width, dzX1);
          const iy1 = Math.min(row * ts + tile.height, dzY1);
          copyRect(tile, ix0 - col * ts, iy0 - row * ts, ix1 - ix0, iy1 - iy0, canvas, ix0 - dzX0, iy0 - dzY0);
        }
      }
    }
    return resizeRgb(canvas, l0.outWidth, l0.outHeight);
  }

  async writeThumbnail(request: RequestOf<'engine:export-thumbnail'>, context: Context<ExportStep> = {}): Promise<ExportResult> {
    const slide = this.slide(request.slideId);
    const options = { ...this.exportOptions(slide, request, context), provenance: request.provenance };
    const written = await exportThumbnail(this, request.slideId, slide.info, request.spec, request.path, options);
    return { files: [written] };
  }

  async writeComparison(request: RequestOf<'engine:export-comparison'>, context: Context<ExportStep> = {}): Promise<ExportResult> {
    const slide = this.slide(request.slideId);
    const options = { ...this.exportOptions(slide, request, context), comparisonPath: request.comparisonPath };
    return { files: await exportComparison(this, request.slideId, slide.info, request.powers, request.mode, request.folder, options) };
  }

  async writeRegion(request: RequestOf<'engine:export-region'>, context: Context = {}): Promise<ExportResult> {
    const slide = this.slide(request.slideId);
    return { files: [await exportRegion(this, request.slideId, slide.info, request, request.path, this.exportOptions(slide, request, context))] };
  }

  readDetections({ path }: RequestOf<'engine:read-detections'>, context: Context = {}): Promise<DetectionSet> {
    return readDetectionsApart(path, context.signal);
  }

  async writeDetectionTable(
    { slideId, detections, annotations, path, overwrite }: RequestOf<'engine:detection-table'>,
    context: Context = {},
  ): Promise<ExportResult> {
    const { info } = this.slide(slideId);
    const set = await readDetectionsApart(detections, context.signal);
    const doc = annotations ? await readAnnotationFile(annotations) : null;
    await writeDetectionTableFile(path, { name: basename(info.path), mpp: info.mpp }, set, doc?.annotations ?? [], overwrite);
    return { files: [path] };
  }

  async writeMeasurementTable(
    { slideId, detections, annotations, path, overwrite }: RequestOf<'engine:measurement-table'>,
    context: Context = {},
  ): Promise<ExportResult> {
    const { info } = this.slide(slideId);
    const set = await readDetectionsApart(detections, context.signal);
    const doc = annotations ? await readAnnotationFile(annotations) : { classes: [], annotations: [] };
    await writeAnnotationFile(path, doc, 'csv', { name: basename(info.path), mpp: info.mpp }, overwrite, set);
    return { files: [path] };
  }

  async regionPng(request: RequestOf<'engine:region-png'>, context: Context = {}): Promise<EncodedImage> {
    const slide = this.slide(request.slideId);
    return regionPng(this, request.slideId, slide.info, request, this.imageOptions(slide, request, context));
  }

  async writeSideBySide(request: RequestOf<'engine:export-side-by-side'>, context: Context<ExportStep> = {}): Promise<ExportResult> {
    const panels = request.panels.map((panel) => {
      const slide = this.slide(panel.slideId);
      return { ...panel, info: slide.info, applyColour: (image: RgbImage) => slide.colour.forExport(image, panel.colour) };
    });
    const options = { format: request.format, overwrite: request.overwrite, signal: context.signal, onProgress: context.progress };
    return { files: [await exportSideBySide(this, panels, request, request.path, options)] };
  }

  private exportOptions(
    slide: OpenSlide,
    request: Pick<
      RequestOf<'engine:export-region'>,
      'format' | 'overwrite' | 'colour' | 'annotations' | 'detections' | 'detectionClasses' | 'detectionDrawing' | 'legend'
    >,
    context: Context<ExportStep>,
  ) {
    return { format: request.format, overwrite: request.overwrite, ...this.imageOptions(slide, request, context) };
  }

  /** What makes an export's pixels: the view's colour, the annotations and detections drawn in and their legend. */
  private imageOptions(
    slide: OpenSlide,
    request: Pick<RequestOf<'engine:region-png'>, 'colour' | 'annotations' | 'detections' | 'detectionClasses' | 'detectionDrawing' | 'legend'>,
    context: Context<ExportStep>,
  ) {
    return {
      annotations: request.annotations,
      detections: request.detections,
      detectionClasses: request.detectionClasses,
      detectionDrawing: request.detectionDrawing,
      legend: request.legend,
      signal: context.signal,
      onProgress: context.progress,
      applyColour: (image: RgbImage) => slide.colour.forExport(image, request.colour),
    };
  }

  /** Bytes held by the tile caches. */
  cacheBytes(): number {
    return this.tiles.bytes + this.dzTiles.bytes + this.encoded.bytes;
  }
}
