// A MIRAX slide as a SlideSource. A level whose images sit edge to edge on their grid (no overlap,
// no camera offsets) is served as stored: a tile is an image, a JPEG one sent to the viewer as it
// is. Any other level's tiles are virtual, 512 pixels a side, each painted from the images (or the
// photos' shares of them) that reach it exactly as OpenSlide 3.4.1 paints a region: the tilemap
// grid's order and translations (tilemap-grid.ts), SATURATE over pixman's bilinear sampling
// (tile-compositor.ts).

import type { LevelInfo, Mpp, RgbImage } from '../../../../shared/slide';
import { decodeJpegImage } from '../../codecs/jpeg-image';
import { jpegStructureProblem } from '../../codecs/jpeg-stream';
import { decodeError, SlideError } from '../../errors';
import { ByteLruCache } from '../../lru-cache';
import type { SlideFile } from '../../slide-file';
import type { SlideSource } from '../../slide-source';
import type { CompanionFiles } from '../companion-files';
import { type Canvas, canvasOverWhite, canvasSurface, createCanvas, makeSurface, paintPlaced, paintSurface, type Surface } from '../tile-compositor';
import { decodeMiraxImage } from './mirax-images';
import type { MiraxRecord } from './mirax-index';
import type { MiraxLevel, MiraxTile } from './mirax-layout';

/** Virtual tiles of a painted level. */
export const PAINTED_TILE_SIZE = 512;
/** Decoded images kept for neighbouring tiles. */
const IMAGE_CACHE_BYTES = 64 * 1024 * 1024;
/** Per painted tile's area: the bytes of the distinct images it may decode, and how much painting its overlaps may take (in its areas). */
const MAX_PAINT_IMAGE_BYTES = 256 * 1024 * 1024;
const MAX_PAINT_DEPTH = 64;
const MAX_ASSOCIATED_BYTES = 32 * 1024 * 1024;
const MAX_ASSOCIATED_PIXELS = 64 * 1024 * 1024;

export interface MiraxDescription {
  levels: MiraxLevel[];
  associated: ReadonlyMap<string, MiraxRecord>;
  mpp: Mpp | null;
  objectivePower: number | null;
  properties: Record<string, string>;
}

export class MiraxSource implements SlideSource {
  readonly format = 'mirax';
  readonly vendor = 'mirax';
  readonly path: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  /** None: a data file missing, or a record it cannot hold, is refused at open (companion-files.ts). */
  readonly warnings: readonly string[] = [];
  private readonly layout: readonly MiraxLevel[];
  /** Per level: its tiles are its images, as stored. */
  private readonly stored: readonly boolean[];
  private readonly associated: ReadonlyMap<string, MiraxRecord>;
  private readonly images = new ByteLruCache<RgbImage>(IMAGE_CACHE_BYTES, (image) => image.data.byteLength + 64);

  constructor(
    private readonly keyFile: SlideFile,
    private readonly data: CompanionFiles,
    description: MiraxDescription,
  ) {
    this.path = keyFile.path;
    this.layout = description.levels;
    this.associated = description.associated;
    this.associatedNames = [...description.associated.keys()];
    this.mpp = description.mpp;
    this.objectivePower = description.objectivePower;
    this.properties = description.properties;
    this.stored = this.layout.map((l) => l.hint !== null && l.tileWidth === l.imageWidth && l.tileHeight === l.imageHeight);
    this.levels = this.layout.map((l, i) => {
      const size = this.stored[i] ? { tileWidth: l.imageWidth, tileHeight: l.imageHeight } : { tileWidth: PAINTED_TILE_SIZE, tileHeight: PAINTED_TILE_SIZE };
      return { width: l.width, height: l.height, downsample: l.downsample, ...size };
    });
  }

  private level(level: number, col: number, row: number): { info: LevelInfo; layout: MiraxLevel } {
    const info = this.levels[level];
    if (!info || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col * info.tileWidth >= info.width || row * info.tileHeight >= info.height) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    return { info, layout: this.layout[level]! };
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const { layout } = this.level(level, col, row);
    if (this.stored[level]) {
      const tile = layout.grid.at(col, row);
      return tile ? this.image(level, tile.data) : null;
    }
    const size = PAINTED_TILE_SIZE;
    const canvas = createCanvas(size, size);
    await this.paint(level, layout, col * size, row * size, canvas, 0, 0, `tile ${col},${row}`);
    return canvasOverWhite(canvas);
  }

  paintsRegion(level: number): boolean {
    return this.layout[level] !== undefined && Number.isInteger(level);
  }

  async paintRegion(level: number, x: number, y: number, canvas: Canvas, atX: number, atY: number, signal?: AbortSignal): Promise<void> {
    const layout = this.layout[level];
    if (!layout || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    await this.paint(level, layout, x, y, canvas, atX, atY, 'a region', signal);
  }

  /**
   * Paints the level's images that reach the region at (x, y) of its plane onto the canvas, the
   * region's corner at (atX, atY). What it may take is bounded by the painted area: its images'
   * overlaps, and the bytes of the distinct images it decodes (a hostile index can make each reach
   * in by a pixel).
   */
  private async paint(
    level: number,
    layout: MiraxLevel,
    x: number,
    y: number,
    canvas: Canvas,
    atX: number,
    atY: number,
    what: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const width = canvas.width - atX;
    const height = canvas.height - atY;
    if (width <= 0 || height <= 0) return;
    const placed = layout.grid.tilesFor(x, y, width, height);
    const tiles = Math.max(1, (width * height) / PAINTED_TILE_SIZE ** 2);
    let painted = 0;
    for (const { x: px, y: py } of placed) painted += overlapArea(px, py, layout.tileWidth, layout.tileHeight, width, height);
    if (painted > MAX_PAINT_DEPTH * width * height) {
      throw new SlideError('TOO_LARGE', `More than ${MAX_PAINT_DEPTH} of level ${level}'s images overlap in ${what}.`, this.path);
    }
    const images = new Set(placed.map(({ tile }) => tile.data.image.number));
    if (images.size * layout.imageWidth * layout.imageHeight * 3 > MAX_PAINT_IMAGE_BYTES * tiles) {
      throw new SlideError('TOO_LARGE', `${what[0]!.toUpperCase()}${what.slice(1)} of level ${level} needs ${images.size} of its images.`, this.path);
    }
    await paintPlaced(canvas, placed, async ({ tile }) => tileSurface(layout, tile.data, await this.image(level, tile.data)), atX, atY, signal);
  }

  /** A stored image, decoded (cached). */
  private image(level: number, tile: MiraxTile): Promise<RgbImage> {
    const { image } = tile;
    const layout = this.layout[level]!;
    return this.images.getOrCompute(`${level}:${image.number}`, async () => {
      const what = `Image ${image.index} of level ${level}`;
      const bytes = await this.data.read(image.fileno, image.offset, image.length, what);
      try {
        return await decodeMiraxImage(bytes, layout.format, layout.imageWidth, layout.imageHeight);
      } catch (error) {
        throw decodeError(error, `${what} (in ${this.data.path(image.fileno)})`, this.path);
      }
    });
  }

  storesJpeg(level: number): boolean {
    return this.stored[level] === true && this.layout[level]!.format === 'jpeg';
  }

  async readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null> {
    const { layout } = this.level(level, col, row);
    if (!this.storesJpeg(level)) return null;
    const tile = layout.grid.at(col, row);
    if (!tile) return null;
    const { image } = tile.data;
    const bytes = await this.data.read(image.fileno, image.offset, image.length, `Image ${image.index} of level ${level}`);
    const frame = jpegStructureProblem(bytes, layout.imageWidth, layout.imageHeight);
    if (frame) throw new SlideError('CORRUPT_DATA', `Image ${image.index} of level ${level} is damaged (${frame}).`, this.path);
    return bytes;
  }

  decodesReduced(): boolean {
    return false;
  }

  async readTileReduced(): Promise<RgbImage | null> {
    return null;
  }

  async readAssociated(name: string): Promise<RgbImage> {
    const record = this.associated.get(name);
    if (!record) throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
    if (record.length > MAX_ASSOCIATED_BYTES) throw new SlideError('TOO_LARGE', `The ${name} image is ${record.length} bytes.`, this.path);
    const bytes = await this.data.read(record.fileno, record.offset, record.length, `The ${name} image`);
    try {
      return await decodeJpegImage(bytes, null, null, MAX_ASSOCIATED_PIXELS);
    } catch (error) {
      throw decodeError(error, `The ${name} image`, this.path);
    }
  }

  async close(): Promise<void> {
    this.data.close();
    this.keyFile.close();
  }
}

/**
 * What OpenSlide paints for a tile: the whole image (an opaque RGB surface), or - where the image
 * holds several photos - the tile's share of it, copied (resampled when it starts between pixels)
 * to an ARGB surface of its own, ceil(tile size) a side.
 */
function tileSurface(layout: MiraxLevel, tile: MiraxTile, image: RgbImage): Surface {
  const whole = makeSurface({
    data: image.data,
    channels: 3,
    stride: image.width,
    x: 0,
    y: 0,
    width: image.width,
    height: image.height,
    validWidth: image.width,
    validHeight: image.height,
    rgb24: true,
  });
  if (layout.imageWidth <= layout.tileWidth && layout.imageHeight <= layout.tileHeight) return whole;
  const part = createCanvas(Math.ceil(layout.tileWidth), Math.ceil(layout.tileHeight));
  paintSurface(part, whole, -tile.srcX, -tile.srcY, 'source');
  return canvasSurface(part);
}

/** Pixels of a w x h image at (x, y) inside a width x height area. */
function overlapArea(x: number, y: number, w: number, h: number, width: number, height: number): number {
  const across = Math.min(width, x + w) - Math.max(0, x);
  const down = Math.min(height, y + h) - Math.max(0, y);
  return across > 0 && down > 0 ? across * down : 0;
}
