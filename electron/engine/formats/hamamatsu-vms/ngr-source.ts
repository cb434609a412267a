// A Hamamatsu VMU slide as a SlideSource: one NGR file per level (the image, then the map), each
// "GN", its width, height and column width at byte 4, its data's offset at byte 24, then 12-bit RGB
// in 16-bit little-endian samples, column by column. Tiles are a column's width by 64 rows, as
// OpenSlide 3.4.1 reads them; a sample becomes 8 bits as OpenSlide shifts it (signed, >> 4).

import { basename } from 'node:path';
import type { LevelInfo, Mpp, RgbImage } from '../../../../shared/slide';
import { decodeJpegImage } from '../../codecs/jpeg-image';
import { decodeError, SlideError } from '../../errors';
import type { SlideSource } from '../../slide-source';
import { MAX_DIMENSION } from '../../tiff/tiff-file';
import type { CompanionFiles } from '../companion-files';
import { DecodedTilesOnly } from '../decoded-tiles-only';

/** OpenSlide's NGR_TILE_HEIGHT. */
export const NGR_TILE_HEIGHT = 64;
const HEADER_BYTES = 28;
/** A tile's bytes: a column width of 6-byte pixels, 64 rows. */
const MAX_TILE_BYTES = 64 * 1024 * 1024;
const MAX_MACRO_PIXELS = 64 * 1024 * 1024;

export interface NgrLevel {
  width: number;
  height: number;
  columnWidth: number;
  start: number;
}

/** Reads and checks an NGR file's header (OpenSlide's checks, and the column's bytes bounded). */
export async function readNgrHeader(files: CompanionFiles, index: number, path: string): Promise<NgrLevel> {
  const name = basename(files.path(index));
  const fail = (reason: string) => new SlideError('CORRUPT_DATA', `This VMU slide's image ${name} ${reason}.`, path);
  if (files.sizes[index]! < HEADER_BYTES) throw fail('is too short for an NGR header');
  const head = await files.read(index, 0, HEADER_BYTES, 'The NGR header');
  if (head[0] !== 0x47 || head[1] !== 0x4e) throw fail('has no NGR signature ("GN")');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const level = { width: view.getInt32(4, true), height: view.getInt32(8, true), columnWidth: view.getInt32(12, true), start: view.getInt32(24, true) };
  if (level.width <= 0 || level.height <= 0 || level.columnWidth <= 0 || level.start <= 0) throw fail("has an unreadable header (Couldn't read header)");
  if (level.width % level.columnWidth !== 0) throw fail(`is ${level.width} wide, not a multiple of its column width ${level.columnWidth}`);
  if (level.width > MAX_DIMENSION || level.height > MAX_DIMENSION || level.columnWidth * NGR_TILE_HEIGHT * 6 > MAX_TILE_BYTES) {
    throw new SlideError(
      'TOO_LARGE',
      `This VMU slide's image ${name} declares ${level.width} x ${level.height} pixels in columns of ${level.columnWidth}.`,
      path,
    );
  }
  return level;
}

export interface NgrDescription {
  path: string;
  levels: NgrLevel[];
  macro: (() => Promise<Uint8Array>) | null;
  mpp: Mpp | null;
  objectivePower: number | null;
  properties: Record<string, string>;
  close: () => Promise<void>;
}

export class NgrSource extends DecodedTilesOnly implements SlideSource {
  readonly format = 'hamamatsu-vms';
  readonly vendor = 'hamamatsu';
  readonly path: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  /** None: a VMU's files are refused at open when missing or damaged. */
  readonly warnings: readonly string[] = [];

  constructor(
    /** Level i is file i. */
    private readonly files: CompanionFiles,
    private readonly description: NgrDescription,
  ) {
    super();
    this.path = description.path;
    const base = description.levels[0]!;
    this.levels = description.levels.map((l) => ({
      width: l.width,
      height: l.height,
      downsample: (base.width / l.width + base.height / l.height) / 2,
      tileWidth: l.columnWidth,
      tileHeight: NGR_TILE_HEIGHT,
    }));
    this.objectivePower = description.objectivePower;
    this.mpp = description.mpp;
    this.properties = description.properties;
    this.associatedNames = description.macro ? ['macro'] : [];
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage> {
    const l = this.description.levels[level];
    if (!l || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col * l.columnWidth >= l.width || row * NGR_TILE_HEIGHT >= l.height) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    const width = l.columnWidth;
    const height = Math.min(NGR_TILE_HEIGHT, l.height - row * NGR_TILE_HEIGHT);
    // Columns follow each other, each holding every row of the level.
    const offset = l.start + row * NGR_TILE_HEIGHT * l.columnWidth * 6 + col * l.height * l.columnWidth * 6;
    const bytes = await this.files.read(level, offset, width * height * 6, `Tile ${col},${row} of level ${level}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (view.getInt16(2 * i, true) >> 4) & 0xff;
    return { data, width, height, channels: 3 };
  }

  async readAssociated(name: string): Promise<RgbImage> {
    const macro = this.description.macro;
    if (name !== 'macro' || !macro) throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
    try {
      return await decodeJpegImage(await macro(), null, null, MAX_MACRO_PIXELS);
    } catch (error) {
      throw decodeError(error, 'The macro image', this.path);
    }
  }

  close(): Promise<void> {
    return this.description.close();
  }
}
