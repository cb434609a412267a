// One 16-bit plane of an OME-TIFF (a fluorescence channel) as a grey RGB slide: the engine's codecs
// decode 8-bit samples only, so the plane's blocks are decompressed here (none, LZW, Deflate; no
// predictor) and each sample scaled from its significant bits to 0-255. Channels are not
// composited: this is the first channel, and the slide's properties say so.

import type { LevelInfo, Mpp, RgbImage } from '../../../shared/slide';
import { inflateBounded, lzwDecodeInto } from '../codecs/bounded-decoders';
import { SlideError } from '../errors';
import type { SlideSource } from '../slide-source';
import { blockName, Compression, type TiffDirectory, type TiffFile } from '../tiff/tiff-file';
import { pyramidLevels, pyramidProperties } from './tiff-pyramid-source';

export interface PlaneDescription {
  /** Pyramid levels of the plane, largest first. */
  levels: TiffDirectory[];
  significantBits: number;
  objectivePower: number | null;
  mpp: Mpp | null;
  /** The format's own properties (ome.*, slidescope.note); tiff.* and openslide.* are added here. */
  properties: Record<string, string>;
}

const DECODED = new Set<number>([Compression.NONE, Compression.LZW, Compression.DEFLATE, Compression.ADOBE_DEFLATE]);

export class OmePlaneSource implements SlideSource {
  readonly path: string;
  readonly format = 'ome-tiff';
  readonly vendor = 'ome-tiff';
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[] = [];
  readonly warnings: readonly string[];
  private readonly dirs: TiffDirectory[];
  private readonly max: number;

  private constructor(
    private readonly tiff: TiffFile,
    description: PlaneDescription,
  ) {
    this.path = tiff.path;
    this.warnings = tiff.warnings;
    this.dirs = description.levels;
    this.objectivePower = description.objectivePower;
    this.mpp = description.mpp;
    this.max = 2 ** description.significantBits - 1;
    this.levels = pyramidLevels(this.dirs);
    // As an RGB OME-TIFF's (TiffPyramidSource): the same properties whatever the samples.
    this.properties = pyramidProperties(this.dirs[0]!, this.levels, { ...description, vendor: this.vendor });
  }

  /** Refuses at open (UNSUPPORTED_*) what the block decoder here cannot read. */
  static async create(tiff: TiffFile, description: PlaneDescription): Promise<OmePlaneSource> {
    for (const dir of description.levels) {
      if (dir.bitsPerSample !== 16) throw new SlideError('UNSUPPORTED_FORMAT', `OME planes of ${dir.bitsPerSample}-bit samples are not supported.`, tiff.path);
      if (!DECODED.has(dir.compression))
        throw new SlideError('UNSUPPORTED_COMPRESSION', `16-bit planes compressed with scheme ${dir.compression} cannot be decoded.`, tiff.path);
      const predictor = Number((await dir.ifd.loadValue(317)) ?? 1);
      if (predictor !== 1) throw new SlideError('UNSUPPORTED_COMPRESSION', `16-bit planes with predictor ${predictor} cannot be decoded.`, tiff.path);
    }
    return new OmePlaneSource(tiff, description);
  }

  private levelDir(level: number): TiffDirectory {
    const dir = this.dirs[level];
    if (!dir || !Number.isInteger(level)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    return dir;
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const dir = this.levelDir(level);
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= dir.blocksAcross || row >= dir.blocksDown) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    const stored = await this.tiff.readBlock(dir, col, row);
    if (!stored) return null;
    const width = dir.blockWidth;
    const height = dir.tiled ? dir.blockHeight : Math.min(dir.blockHeight, dir.height - row * dir.blockHeight);
    // Interleaved samples (PlanarConfiguration 1): the first is the plane's first channel.
    const step = dir.planarConfiguration === 2 ? 1 : dir.samplesPerPixel;
    const length = width * height * step * 2;
    let bytes: Uint8Array;
    if (dir.compression === Compression.NONE) {
      bytes = stored;
    } else if (dir.compression === Compression.LZW) {
      bytes = new Uint8Array(length);
      lzwDecodeInto(stored, bytes);
    } else {
      try {
        bytes = inflateBounded(stored, length);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SlideError('CORRUPT_DATA', `${blockName(dir, col, row)} is damaged: ${reason}.`, this.path);
      }
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const little = this.tiff.littleEndian;
    const out = new Uint8Array(width * height * 3);
    const available = Math.floor(bytes.byteLength / 2);
    for (let p = 0, o = 0; p < width * height; p++, o += 3) {
      const at = p * step;
      // A short block (truncated data) is black past its end, as the other decoders zero-fill.
      const sample = at < available ? view.getUint16(at * 2, little) : 0;
      const v = Math.min(255, Math.round((sample * 255) / this.max));
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
    return { data: out, width, height, channels: 3 };
  }

  storesJpeg(level: number): boolean {
    this.levelDir(level);
    return false;
  }

  async readStoredJpeg(): Promise<Uint8Array | null> {
    return null;
  }

  decodesReduced(level: number): boolean {
    this.levelDir(level);
    return false;
  }

  async readTileReduced(): Promise<RgbImage | null> {
    return null;
  }

  async readAssociated(name: string): Promise<RgbImage> {
    throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
  }

  async close(): Promise<void> {
    await this.tiff.close();
  }
}
