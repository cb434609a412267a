// A Sakura slide as a SlideSource: each level a grid of tiles, each tile three greyscale JPEGs (red,
// green, blue) in the unique table under "T;x|y;downsample;colour;focal plane", x and y the tile's
// corner in level-0 pixels. A tile with a colour missing is blank, as in OpenSlide 3.4.1.

import type { LevelInfo, Mpp, RgbImage } from '../../../../shared/slide';
import { decodeJpeg } from '../../codecs/jpeg-decoder';
import { readJpegFrame } from '../../codecs/jpeg-stream';
import { damagedError, SlideError } from '../../errors';
import type { SlideFile } from '../../slide-file';
import type { SlideSource } from '../../slide-source';
import { DecodedTilesOnly } from '../decoded-tiles-only';
import type { SakuraDatabase } from './sakura-database';
import { databaseError, type SqlValue } from './sqlite-file';

const GREY = 1;

/** A tile id as OpenSlide makes it. */
export function tileId(x: number, y: number, downsample: number, colour: number, focalPlane: number): string {
  return `T;${x}|${y};${downsample};${colour};${focalPlane}`;
}

export interface SakuraLevel {
  downsample: number;
  width: number;
  height: number;
}

export interface SakuraDescription {
  tileSize: number;
  focalPlane: number;
  levels: SakuraLevel[];
  mpp: Mpp | null;
  objectivePower: number | null;
  properties: Record<string, string>;
  /** Associated images by name, each read when asked for. */
  associated: ReadonlyMap<string, () => Promise<RgbImage>>;
  /** Why an associated image was left out (damaged), for SlideSource.warnings. */
  leftOut: readonly string[];
}

export class SakuraSource extends DecodedTilesOnly implements SlideSource {
  readonly format = 'sakura';
  readonly vendor = 'sakura';
  readonly path: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];

  constructor(
    private readonly file: SlideFile,
    private readonly db: SakuraDatabase,
    private readonly description: SakuraDescription,
  ) {
    super();
    this.path = file.path;
    const { tileSize } = description;
    this.levels = description.levels.map((l) => ({ width: l.width, height: l.height, downsample: l.downsample, tileWidth: tileSize, tileHeight: tileSize }));
    this.mpp = description.mpp;
    this.objectivePower = description.objectivePower;
    this.properties = description.properties;
    this.associatedNames = [...description.associated.keys()];
    this.warnings = description.leftOut;
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const l = this.description.levels[level];
    const ts = this.description.tileSize;
    if (!l || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col * ts >= l.width || row * ts >= l.height) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    // A JPEG of the tile's pixels is never more than twice their bytes (the same bound as TIFF tiles').
    const maxBytes = 2 * ts * ts + 64 * 1024;
    const ids = [0, 1, 2].map((colour) => tileId(col * ts * l.downsample, row * ts * l.downsample, l.downsample, colour, this.description.focalPlane));
    let blobs: Array<SqlValue | undefined>;
    try {
      blobs = await Promise.all(ids.map((id) => this.db.data(id, maxBytes)));
    } catch (error) {
      throw databaseError(error, this.path);
    }
    if (blobs.some((b) => b === undefined)) return null;
    const planes = await Promise.all(
      blobs.map(async (blob, colour) => {
        if (!(blob instanceof Uint8Array)) throw this.damaged(level, col, row, `its ${['red', 'green', 'blue'][colour]} data is not a JPEG`);
        const frame = readJpegFrame(blob);
        if (typeof frame === 'string') throw this.damaged(level, col, row, frame);
        if (frame.width !== ts || frame.height !== ts || frame.components !== GREY) {
          throw this.damaged(
            level,
            col,
            row,
            `its colour ${colour} is a ${frame.width} x ${frame.height} JPEG of ${frame.components} components, not ${ts} x ${ts} grey`,
          );
        }
        const decoded = await decodeJpeg(blob, { tileWidth: ts, tileHeight: ts, photometric: GREY }).catch((error: unknown) => {
          throw this.damaged(level, col, row, error);
        });
        // A grey JPEG may come out as three equal channels.
        if (decoded.channels === 1) return decoded.data;
        const grey = new Uint8Array(ts * ts);
        for (let i = 0; i < grey.length; i++) grey[i] = decoded.data[i * decoded.channels]!;
        return grey;
      }),
    );
    const data = new Uint8Array(ts * ts * 3);
    for (let i = 0; i < ts * ts; i++) {
      data[3 * i] = planes[0]![i]!;
      data[3 * i + 1] = planes[1]![i]!;
      data[3 * i + 2] = planes[2]![i]!;
    }
    return { data, width: ts, height: ts, channels: 3 };
  }

  private damaged(level: number, col: number, row: number, reason: unknown): SlideError {
    return damagedError(reason, `Tile ${col},${row} of level ${level}`, this.path);
  }

  readAssociated(name: string): Promise<RgbImage> {
    const read = this.description.associated.get(name);
    if (!read) throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
    return read();
  }

  async close(): Promise<void> {
    this.file.close();
  }
}
