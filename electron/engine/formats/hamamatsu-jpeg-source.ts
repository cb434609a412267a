// A Hamamatsu slide of JPEGs with restart markers (NDPI, VMS) as a SlideSource, as OpenSlide's
// shared "hamamatsu JPEG" reader serves them: stored levels served as tiles of whole restart
// intervals (sent to the viewer as assembled JPEGs, never decoded there), and the levels OpenSlide
// adds by decoding a stored level at 1/2, 1/4 and 1/8 scale - decoded the same way, interval by
// interval, with libjpeg's scaled IDCT (codecs/jpeg-scaled-exact.ts).

import type { LevelInfo, Mpp, RgbImage } from '../../../shared/slide';
import { decodeJpeg } from '../codecs/jpeg-decoder';
import { decodeJpegScaledExact } from '../codecs/jpeg-scaled-exact';
import { damagedError, SlideError } from '../errors';
import type { SlideSource } from '../slide-source';
import { decodeEmbeddedJpeg, embeddedJpeg } from './embedded-jpeg';
import type { PlacedInterval } from './ndpi/ndpi-jpeg-level';

const YCBCR = 6;

/** A stored level: restart intervals of one JPEG (NDPI) or of a grid of them (VMS), served in tiles of whole intervals. */
export interface IntervalJpegLevel {
  readonly width: number;
  readonly height: number;
  readonly intervalWidth: number;
  readonly intervalHeight: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly tilesAcross: number;
  readonly tilesDown: number;
  tileSize(col: number, row: number): { width: number; height: number };
  tileJpeg(col: number, row: number): Promise<Uint8Array>;
  tileIntervalJpegs(col: number, row: number): Promise<PlacedInterval[]>;
  /** The tile as the JPEGs that decode to OpenSlide's pixels (the whole tile, or its parts where chroma is subsampled). */
  tileDecodePieces(col: number, row: number): Promise<PlacedInterval[]>;
}

/** A level of the slide: a stored level, or one decoded from it at 1/scale. */
export interface HamamatsuJpegLevel {
  stored: IntervalJpegLevel;
  scale: 1 | 2 | 4 | 8;
}

export interface HamamatsuJpegDescription {
  path: string;
  /** The plugin's name ('hamamatsu-ndpi', 'hamamatsu-vms'). */
  format: string;
  views: HamamatsuJpegLevel[];
  levels: readonly LevelInfo[];
  /** The macro image's JPEG, where the slide has one. */
  macro: (() => Promise<Uint8Array>) | null;
  mpp: Mpp | null;
  objectivePower: number | null;
  properties: Record<string, string>;
  /** What the slide lacks for damage found at open (NDPI's chain cut short); none where omitted. */
  warnings?: readonly string[];
  close: () => Promise<void>;
}

/**
 * OpenSlide's levels: every stored level, plus each stored level decoded at 1/2, 1/4 and 1/8 where
 * its intervals divide evenly. One level per width, the last made winning - which is a stored level
 * over a scaled one, and the coarsest stored level among those that could make a scaled one.
 */
export function withScaledLevels(stored: readonly IntervalJpegLevel[]): HamamatsuJpegLevel[] {
  const byWidth = new Map<number, HamamatsuJpegLevel>();
  for (const level of stored) {
    byWidth.set(level.width, { stored: level, scale: 1 });
    for (const scale of [2, 4, 8] as const) {
      if (level.intervalWidth % scale !== 0 || level.intervalHeight % scale !== 0) continue;
      byWidth.set(Math.floor(level.width / scale), { stored: level, scale });
    }
  }
  return [...byWidth.entries()].sort((a, b) => b[0] - a[0]).map(([, view]) => view);
}

export class HamamatsuJpegSource implements SlideSource {
  readonly format: string;
  readonly vendor = 'hamamatsu';
  readonly path: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];
  private readonly views: HamamatsuJpegLevel[];
  private readonly macro: (() => Promise<Uint8Array>) | null;
  private readonly closeFiles: () => Promise<void>;

  constructor(description: HamamatsuJpegDescription) {
    this.path = description.path;
    this.format = description.format;
    this.views = description.views;
    this.levels = description.levels;
    this.macro = description.macro;
    this.associatedNames = description.macro ? ['macro'] : [];
    this.objectivePower = description.objectivePower;
    this.mpp = description.mpp;
    this.properties = description.properties;
    this.warnings = description.warnings ?? [];
    this.closeFiles = description.close;
  }

  private view(level: number, col: number, row: number): HamamatsuJpegLevel {
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
      const decode = (jpeg: Uint8Array, w: number, h: number) =>
        decodeJpeg(jpeg, { tileWidth: w, tileHeight: h, photometric: YCBCR }).catch((error: unknown) => {
          throw this.damaged(level, col, row, error);
        });
      const pieces = await stored.tileDecodePieces(col, row);
      if (pieces.length === 1) {
        const decoded = await decode(pieces[0]!.jpeg, width, height);
        return { data: decoded.data, width: decoded.width, height: decoded.height, channels: 3 };
      }
      const out: RgbImage = { data: new Uint8Array(width * height * 3), width, height, channels: 3 };
      await Promise.all(
        pieces.map(async ({ x, y, jpeg }) => {
          const part = await decode(jpeg, width - x, height - y);
          for (let r = 0; r < part.height; r++) out.data.set(part.data.subarray(r * part.width * 3, (r + 1) * part.width * 3), ((y + r) * width + x) * 3);
        }),
      );
      return out;
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
        part = decodeJpegScaledExact(jpeg, scale, stored.intervalWidth * stored.intervalHeight);
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
    return damagedError(error, `Tile ${col},${row} of level ${level}`, this.path);
  }

  decodesReduced(): boolean {
    return false;
  }

  async readTileReduced(): Promise<RgbImage | null> {
    return null;
  }

  async readAssociated(name: string): Promise<RgbImage> {
    if (name !== 'macro' || !this.macro) throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
    const jpeg = embeddedJpeg(await this.macro(), name, this.path);
    if (jpeg instanceof SlideError) throw jpeg;
    return decodeEmbeddedJpeg(jpeg, name, this.path);
  }

  close(): Promise<void> {
    return this.closeFiles();
  }
}
