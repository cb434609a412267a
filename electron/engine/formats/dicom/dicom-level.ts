// One image of a slide - a pyramid level, or the label, overview or thumbnail - from the instances
// that hold it: one file, or several (a concatenation's parts). Its tiles are the frames, placed in
// the total pixel matrix by their order (TILED_FULL, from each part's frame offset) or by each
// frame's Plane Position (Slide) (TILED_SPARSE); a tile no frame covers is absent (blank). Where two
// frames cover one tile, the first file's wins, as in OpenSlide.

import type { RgbImage, StoredJpegLevel } from '../../../../shared/slide';
import { SlideError } from '../../errors';
import { tagKey } from './dicom-dictionary';
import { type FrameLayout, readFrameLayout, SPAN_HEADERS_BYTES } from './dicom-frames';
import { type DicomInstance, Tag } from './dicom-instance';
import { dicomFrameJpeg } from './dicom-jpeg';
import { decodeFrame, decodeFrameReduced, frameStart, jpegColour, nativeFrameBytes, type PixelFormat, pixelFormat, storesJpeg } from './dicom-pixels';

/** Tiles one image may have (a 2^24 grid: 1 M x 1 M pixels in 256-pixel tiles). */
const MAX_TILES = 2 ** 24;
const NO_FILE = 0xffff;
/** Most tiles of a level whose stored tiles the engine process reads itself: 16 MB of tables. */
const MAX_TABLE_TILES = 2 ** 20;

interface LevelFile {
  instance: DicomInstance;
  format: PixelFormat;
}

interface PlacedFile extends LevelFile {
  layout: FrameLayout;
}

export class DicomImage {
  readonly tilesAcross: number;
  readonly tilesDown: number;
  /**
   * Where each tile's frame is, found on the first read: a level's offset tables (up to MBs, and a
   * sparse level's per-frame descriptions) are read when its tiles are wanted, not when the slide
   * opens. A damaged table fails that level's reads, naming its file.
   */
  private placed: Promise<{ files: readonly PlacedFile[]; tileFile: Uint16Array; tileFrame: Uint32Array }> | null = null;

  private constructor(
    readonly width: number,
    readonly height: number,
    readonly format: PixelFormat,
    private readonly files: readonly LevelFile[],
  ) {
    this.tilesAcross = Math.ceil(width / format.columns);
    this.tilesDown = Math.ceil(height / format.rows);
  }

  get tileWidth(): number {
    return this.format.columns;
  }

  get tileHeight(): number {
    return this.format.rows;
  }

  /** The first instance: the one the level's properties and ICC profile come from. */
  get first(): DicomInstance {
    return this.files[0]!.instance;
  }

  /** The image held by `instances` (one underlying instance: a file, or a concatenation's parts). */
  static async open(instances: readonly DicomInstance[], name: string): Promise<DicomImage> {
    const ordered = [...instances].sort((a, b) => (a.concatenation?.part ?? 0) - (b.concatenation?.part ?? 0));
    const first = ordered[0]!;
    const path = first.file.path;
    const total = first.concatenation?.total ?? 0;
    if (total > ordered.length) {
      const parts = new Set(ordered.map((i) => i.concatenation?.part));
      const missing = Array.from({ length: total }, (_, i) => i + 1).filter((p) => !parts.has(p));
      throw new SlideError(
        'CORRUPT_DATA',
        `Its ${name} is split over ${total} files (a concatenation), but part ${missing.join(', ')} of them is not in the folder.`,
        path,
      );
    }
    const format = pixelFormat(first);
    const matrix = (instance: DicomInstance) => ({
      width: instance.dataSet.uint32(tagKey(Tag.TotalPixelMatrixColumns)) ?? format.columns,
      height: instance.dataSet.uint32(tagKey(Tag.TotalPixelMatrixRows)) ?? format.rows,
    });
    const { width, height } = matrix(first);
    if (width === 0 || height === 0) throw new SlideError('CORRUPT_DATA', `Its ${name} is ${width} x ${height} pixels.`, path);
    const tiles = Math.ceil(width / format.columns) * Math.ceil(height / format.rows);
    if (tiles > MAX_TILES)
      throw new SlideError('TOO_LARGE', `Its ${name} declares ${width} x ${height} pixels in ${format.columns} x ${format.rows} frames: too many tiles.`, path);
    const files: LevelFile[] = [];
    let frames = 0;
    for (const instance of ordered) {
      const own = pixelFormat(instance);
      const size = matrix(instance);
      if (own.rows !== format.rows || own.columns !== format.columns || size.width !== width || size.height !== height)
        throw new SlideError('CORRUPT_DATA', `The parts of its ${name} disagree on its size or its frames' size.`, instance.file.path);
      frames += checkFrameCount(instance, own);
      files.push({ instance, format: own });
    }
    // TILED_FULL frames fill the whole grid: fewer is a damaged header (frames or matrix of the wrong
    // size), whose tiles would be read one by one for nothing.
    if (!isSparse(first) && frames < tiles)
      throw new SlideError(
        'CORRUPT_DATA',
        `Its ${name} needs ${tiles} frames of ${format.columns} x ${format.rows} pixels to fill it (TILED_FULL), but it has ${frames}.`,
        path,
      );
    return new DicomImage(width, height, format, files);
  }

  private placement() {
    this.placed ??= this.placeFrames();
    return this.placed;
  }

  private async placeFrames() {
    const files: PlacedFile[] = [];
    for (const file of this.files) files.push({ ...file, layout: await layoutOf(file.instance, file.format) });
    const tiles = this.tilesAcross * this.tilesDown;
    const tileFile = new Uint16Array(tiles).fill(NO_FILE);
    const tileFrame = new Uint32Array(tiles);
    files.forEach(({ instance, layout }, fileIndex) => {
      const place = (tile: number, frame: number) => {
        if (tileFile[tile] !== NO_FILE) return;
        tileFile[tile] = fileIndex;
        tileFrame[tile] = frame;
      };
      if (layout.positions) {
        const { x, y } = layout.positions;
        for (let frame = 0; frame < layout.count; frame++) {
          const px = x[frame]!;
          const py = y[frame]!;
          if (px < 0 || py < 0) continue; // no position: not placed
          const col = px / this.tileWidth;
          const row = py / this.tileHeight;
          if (!Number.isInteger(col) || !Number.isInteger(row))
            throw new SlideError(
              'UNSUPPORTED_FORMAT',
              `Frame ${frame + 1} lies at (${px}, ${py}), off its ${this.tileWidth}-pixel tile grid.`,
              instance.file.path,
            );
          if (col >= this.tilesAcross || row >= this.tilesDown)
            throw new SlideError(
              'CORRUPT_DATA',
              `Frame ${frame + 1} lies at (${px}, ${py}), outside its ${this.width} x ${this.height} image.`,
              instance.file.path,
            );
          place(row * this.tilesAcross + col, frame);
        }
      } else {
        // TILED_FULL: frames fill the grid row by row (then further focal planes and optical paths, not shown).
        const offset = instance.concatenation?.frameOffset ?? 0;
        for (let frame = 0; frame < layout.count && offset + frame < tiles; frame++) place(offset + frame, frame);
      }
    });
    return { files, tileFile, tileFrame };
  }

  /** The frame at a tile, or null where none is. */
  private async frameAt(col: number, row: number): Promise<{ bytes: Uint8Array; file: LevelFile; frame: number } | null> {
    const { files, tileFile, tileFrame } = await this.placement();
    const tile = row * this.tilesAcross + col;
    const fileIndex = tileFile[tile]!;
    if (fileIndex === NO_FILE) return null;
    const file = files[fileIndex]!;
    const frame = tileFrame[tile]!;
    return { bytes: await file.layout.read(frame), file, frame };
  }

  async readTile(col: number, row: number): Promise<RgbImage | null> {
    const found = await this.frameAt(col, row);
    if (!found) return null;
    return decodeFrame(found.file.format, found.bytes, `Frame ${found.frame + 1} (tile ${col},${row})`, found.file.instance.file.path);
  }

  /** Whether its frames decode at reduced sizes themselves (JPEG 2000). */
  decodesReduced(): boolean {
    return this.files.every((f) => f.format.codec === 'jpeg2000');
  }

  /** A tile at 1/2^halvings of its size, when its codec does that cheaply; null otherwise (or where no frame is). */
  async readTileReduced(col: number, row: number, halvings: number): Promise<RgbImage | null> {
    if (!this.decodesReduced()) return null;
    const found = await this.frameAt(col, row);
    if (!found) return null;
    return decodeFrameReduced(found.file.format, found.bytes, halvings, `Frame ${found.frame + 1} (tile ${col},${row})`, found.file.instance.file.path);
  }

  storesJpeg(): boolean {
    return this.files.every((f) => storesJpeg(f.format));
  }

  /**
   * Where its JPEG frames' items lie, for the engine process to send them as they are; a tile whose
   * frame's end only reading finds is left out. Null, so that the lanes read and prefetch it, for a
   * level with no frame so located, or a grid far larger than its frames.
   */
  async storedJpegTiles(): Promise<StoredJpegLevel | null> {
    const colour = jpegColour(this.format);
    // One framing for the level: parts that disagree on their colour space are the lanes' to read.
    if (!this.storesJpeg() || this.files.some((f) => jpegColour(f.format) !== colour)) return null;
    const { files, tileFile, tileFrame } = await this.placement();
    const tiles = this.tilesAcross * this.tilesDown;
    // The tables are per tile: a grid far larger than its frames (a sparse level's header can declare
    // any) would cost a lane and the router tens of MB for nothing, so such a level is the lanes' to read.
    const frames = files.reduce((n, file) => n + file.layout.count, 0);
    if (tiles > Math.min(MAX_TABLE_TILES, 8 * frames + 4096)) return null;
    const offsets = new Float64Array(tiles);
    const counts = new Float64Array(tiles);
    let found = 0;
    for (let tile = 0; tile < tiles; tile++) {
      const file = files[tileFile[tile]!];
      const span = file ? file.layout.span(tileFrame[tile]!) : null;
      if (!span) continue;
      offsets[tile] = span.offset;
      counts[tile] = span.count;
      found++;
    }
    if (found === 0) return null;
    return {
      files: files.map(({ instance }) => ({ path: instance.file.path, identity: instance.file.identity })),
      // NO_FILE is past every index: a tile no frame covers has no offset either.
      tileFiles: files.length > 1 ? tileFile.slice() : null,
      cols: this.tilesAcross,
      rows: this.tilesDown,
      tileWidth: this.tileWidth,
      tileHeight: this.tileHeight,
      width: this.width,
      height: this.height,
      offsets,
      counts,
      maxCount: maxFrameBytes(this.format) + SPAN_HEADERS_BYTES,
      framing: { container: 'dicom', colour },
    };
  }

  async readStoredJpeg(col: number, row: number): Promise<Uint8Array | null> {
    if (!this.storesJpeg()) return null;
    const found = await this.frameAt(col, row);
    if (!found) return null;
    const { format } = found.file;
    const jpeg = dicomFrameJpeg(found.bytes, jpegColour(format), format.columns, format.rows);
    if (typeof jpeg === 'string')
      throw new SlideError(
        'CORRUPT_DATA',
        `Frame ${found.frame + 1} (tile ${col},${row}) is damaged and cannot be decoded (${jpeg}).`,
        found.file.instance.file.path,
      );
    return jpeg;
  }

  /** The whole image, blank (white) where no frame is. */
  async readWhole(): Promise<RgbImage> {
    const out = new Uint8Array(this.width * this.height * 3).fill(255);
    for (let row = 0; row < this.tilesDown; row++) {
      for (let col = 0; col < this.tilesAcross; col++) {
        const tile = await this.readTile(col, row);
        if (!tile) continue;
        const x = col * this.tileWidth;
        const y = row * this.tileHeight;
        const w = Math.min(tile.width, this.width - x);
        for (let r = 0; r < Math.min(tile.height, this.height - y); r++) {
          out.set(tile.data.subarray(r * tile.width * 3, (r * tile.width + w) * 3), ((y + r) * this.width + x) * 3);
        }
      }
    }
    return { data: out, width: this.width, height: this.height, channels: 3 };
  }

  async close(): Promise<void> {
    for (const f of this.files) f.instance.file.close();
  }
}

/** The frames an instance declares, checked against what its file can hold (at open: it reads nothing). */
function checkFrameCount(instance: DicomInstance, format: PixelFormat): number {
  const { dataSet, file } = instance;
  const frames = dataSet.intString(tagKey(Tag.NumberOfFrames)) ?? 1;
  // An encapsulated frame takes at least its 8-byte item header; a native one its samples.
  const least = format.codec !== 'native' ? 8 : nativeFrameBytes(format);
  if (!Number.isInteger(frames) || frames < 1)
    throw new SlideError('CORRUPT_DATA', `Its NumberOfFrames (${dataSet.string(tagKey(Tag.NumberOfFrames)) ?? frames}) is not a count of frames.`, file.path);
  if (frames > file.size / least) throw new SlideError('CORRUPT_DATA', `It declares ${frames} frames, more than its ${file.size} bytes can hold.`, file.path);
  return frames;
}

/** Whether an instance's frames say where each lies (TILED_SPARSE) rather than fill its grid in order. */
function isSparse({ dataSet }: DicomInstance): boolean {
  return (dataSet.string(tagKey(Tag.DimensionOrganizationType)) ?? '').toUpperCase() === 'TILED_SPARSE';
}

/** Most bytes a compressed frame of this format may take (four times its samples, and some). */
function maxFrameBytes(format: PixelFormat): number {
  return 4 * nativeFrameBytes(format) + 65536;
}

async function layoutOf(instance: DicomInstance, format: PixelFormat): Promise<FrameLayout> {
  const frames = checkFrameCount(instance, format);
  return readFrameLayout(instance, {
    frames,
    frameBytes: nativeFrameBytes(format),
    maxFrameBytes: maxFrameBytes(format),
    positions: isSparse(instance),
    frameStart: frameStart(format),
  });
}
