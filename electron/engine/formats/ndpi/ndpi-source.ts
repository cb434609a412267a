// A Hamamatsu NDPI slide as a SlideSource: stored levels served as tiles of whole restart
// intervals (sent to the viewer as assembled JPEGs, never decoded there), and the levels OpenSlide
// adds by decoding a stored level at 1/2, 1/4 and 1/8 scale - decoded the same way, interval by
// interval, with libjpeg's scaled IDCT reproduced (codecs/jpeg-scaled-decoder.ts).

import type { LevelInfo, Mpp, RgbImage } from '../../../../shared/slide';
import { decodeJpeg } from '../../codecs/jpeg-decoder';
import { decodeJpegScaled } from '../../codecs/jpeg-scaled-decoder';
import { SlideError } from '../../errors';
import type { SlideFile } from '../../slide-file';
import type { SlideSource } from '../../slide-source';
import { decodeEmbeddedJpeg, embeddedJpeg } from '../embedded-jpeg';
import type { NdpiJpegLevel } from './ndpi-jpeg-level';

const YCBCR = 6;

/** A level of the slide: a stored level, or one decoded from it at 1/scale. */
export interface NdpiLevel {
  stored: NdpiJpegLevel;
  scale: 1 | 2 | 4 | 8;
}

export interface NdpiDescription {
  levels: NdpiLevel[];
  /** The macro image's JPEG, where the file has one. */
  macro: { start: number; length: number } | null;
  mpp: Mpp | null;
  objectivePower: number | null;
}

export class NdpiSource implements SlideSource {
  readonly format = 'hamamatsu-ndpi';
  readonly vendor = 'hamamatsu';
  readonly path: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  private readonly views: NdpiLevel[];
  private readonly macro: { start: number; length: number } | null;

  constructor(
    private readonly file: SlideFile,
    description: NdpiDescription,
    levels: readonly LevelInfo[],
    properties: Record<string, string>,
  ) {
    this.path = file.path;
    this.views = description.levels;
    this.levels = levels;
    this.macro = description.macro;
    this.associatedNames = description.macro ? ['macro'] : [];
    this.objectivePower = description.objectivePower;
    this.mpp = description.mpp;
    this.properties = properties;
  }

  private view(level: number, col: number, row: number): NdpiLevel {
    const view = this.views[level];
    if (!view) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    const { stored } = view;
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= stored.tilesAcross || row >= stored.tilesDown) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    return view;
  }

  decodedFrom(level: number): number | null {
    const view = this.views[level];
    if (!view || view.scale === 1) return null;
    const stored = this.views.findIndex((v) => v.stored === view.stored && v.scale === 1);
    return stored >= 0 ? stored : null;
  }

  storesJpeg(level: number): boolean {
    return this.views[level]?.scale === 1;
  }

  async readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null> {
    const view = this.view(level, col, row);
    return view.scale === 1 ? view.stored.tileJpeg(col, row) : null;
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage> {
    const { stored, scale } = this.view(level, col, row);
    if (scale === 1) {
      const { width, height } = stored.tileSize(col, row);
      const decoded = await decodeJpeg(await stored.tileJpeg(col, row), { tileWidth: width, tileHeight: height, photometric: YCBCR }).catch(
        (error: unknown) => {
          throw this.damaged(level, col, row, error);
        },
      );
      return { data: decoded.data, width: decoded.width, height: decoded.height, channels: 3 };
    }
    // As OpenSlide: each interval decoded on its own at 1/scale, so edges match its output too.
    const { width, height } = stored.tileSize(col, row);
    const out: RgbImage = {
      data: new Uint8Array(Math.ceil(width / scale) * Math.ceil(height / scale) * 3),
      width: Math.ceil(width / scale),
      height: Math.ceil(height / scale),
      channels: 3,
    };
    for (const { x, y, jpeg } of await stored.tileIntervalJpegs(col, row)) {
      let part: { data: Uint8Array; width: number; height: number };
      try {
        part = decodeJpegScaled(jpeg, scale, stored.intervalWidth * stored.intervalHeight);
      } catch (error) {
        throw this.damaged(level, col, row, error);
      }
      const px = x / scale;
      const py = y / scale;
      const w = Math.min(part.width, out.width - px);
      for (let r = 0; r < part.height && py + r < out.height; r++) {
        out.data.set(part.data.subarray(r * part.width * 3, (r * part.width + w) * 3), ((py + r) * out.width + px) * 3);
      }
    }
    return out;
  }

  private damaged(level: number, col: number, row: number, error: unknown): SlideError {
    if (error instanceof SlideError && error.code !== 'CORRUPT_DATA') return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new SlideError('CORRUPT_DATA', `Tile ${col},${row} of level ${level} is damaged and cannot be decoded (${reason}).`, this.path);
  }

  decodesReduced(): boolean {
    return false;
  }

  async readTileReduced(): Promise<RgbImage | null> {
    return null;
  }

  async readAssociated(name: string): Promise<RgbImage> {
    if (name !== 'macro' || !this.macro) throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
    const jpeg = embeddedJpeg(await this.file.read(this.macro.start, this.macro.length, 'The macro image'), name, this.path);
    if (jpeg instanceof SlideError) throw jpeg;
    return decodeEmbeddedJpeg(jpeg, name, this.path);
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
