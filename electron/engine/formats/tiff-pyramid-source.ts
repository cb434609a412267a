// A SlideSource over a TIFF whose pyramid levels and associated images the format plugin has
// already picked out. Aperio and generic TIFF differ only in that picking and in their metadata.

import { groupedInteger } from '../../../shared/number-format';
import type { LevelInfo, Mpp, PlaneChoice, PlaneInfo, RgbImage, StoredJpegFraming, StoredJpegLevel } from '../../../shared/slide';
import { runInPool, warmCodecPool } from '../codecs/codec-pool';
import { decompositionLevels, hasSubsampledComponents, j2kSizeProblem } from '../codecs/jpeg2000-decoder';
import { checkDecodable, decodeBlock, hasSeparatePlanes } from '../codecs/registry';
import { ICC_PROFILE_TAG, MAX_ICC_BYTES } from '../colour/icc-profile';
import { damagedError, leftOutWarning, SlideError } from '../errors';
import { MAX_ASSOCIATED_PIXELS, type SlideSource } from '../slide-source';
import { storedJpeg } from '../stored-jpeg';
import { blockCount, blockName, Compression, maxStoredBytes, Photometric, type TiffDirectory, type TiffFile } from '../tiff/tiff-file';
import { tiffProperties } from '../tiff/tiff-properties';
import { openSlideProperties } from './openslide-properties';

export interface TiffPyramidDescription {
  format: string;
  vendor: string;
  /** Pyramid levels, largest first. */
  levels: TiffDirectory[];
  associated: Map<string, TiffDirectory>;
  objectivePower: number | null;
  mpp: Mpp | null;
  /** Format-specific properties (aperio.*); tiff.* and openslide.* are added here. */
  properties: Record<string, string>;
  /** The focal planes and timepoints of a z-stack or time series (OME-TIFF), `levels` being Z = T = 0's; absent for one plane. */
  planes?: PlaneStack | null;
  /** What the format found wrong but opened past, beside the file's own. */
  warnings?: readonly string[];
}

/** A z-stack's or time series' planes: their counts along Z and T, and where one is. */
export interface PlaneStack {
  sizeZ: number;
  sizeT: number;
  /** Channel c's plane at (z, t), within the sizes: its levels, laid out as at Z = T = 0; refused (a SlideError) saying why where it is not. */
  levelsAt(c: number, z: number, t: number): Promise<TiffDirectory[]>;
}

export class TiffPyramidSource implements SlideSource {
  readonly path: string;
  readonly format: string;
  readonly vendor: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];
  readonly plane?: PlaneInfo;
  readonly withPlane?: (plane: PlaneChoice) => Promise<TiffPyramidSource>;
  private readonly levelDirs: TiffDirectory[];
  private readonly associated: Map<string, TiffDirectory>;

  private constructor(
    private readonly tiff: TiffFile,
    private readonly description: TiffPyramidDescription,
    /** The associated images left out as damaged. */
    private readonly dropped: readonly string[],
    at: PlaneChoice = { z: 0, t: 0 },
  ) {
    this.path = tiff.path;
    this.warnings = [...tiff.warnings, ...(description.warnings ?? []), ...dropped];
    this.format = description.format;
    this.vendor = description.vendor;
    this.levelDirs = description.levels;
    this.associated = description.associated;
    this.objectivePower = description.objectivePower;
    this.mpp = description.mpp;
    this.associatedNames = [...description.associated.keys()];
    this.levels = pyramidLevels(description.levels);
    const { planes } = description;
    if (planes) {
      this.plane = { ...at, sizeZ: planes.sizeZ, sizeT: planes.sizeT };
      this.withPlane = (plane) => this.showPlane(planes, plane);
    }
    // Numbered from 1, as --plane and the app's sliders number them.
    const plane: Record<string, string> = planes ? { 'slidescope.plane': `Z ${at.z + 1} of ${planes.sizeZ}, T ${at.t + 1} of ${planes.sizeT}` } : {};
    this.properties = pyramidProperties(description.levels[0]!, this.levels, { ...description, properties: { ...description.properties, ...plane } });
  }

  /**
   * Fails at open (UNSUPPORTED_*) rather than on every tile when a level's codec is unknown; says at
   * open which levels the file is cut inside (their tiles past its end fail as they are read).
   */
  static async create(tiff: TiffFile, description: TiffPyramidDescription): Promise<TiffPyramidSource> {
    for (const dir of description.levels) await checkDecodable(dir, tiff.path);
    const dropped: string[] = [];
    const cut = await levelsPastEnd(
      tiff,
      description.levels.map((dir, level) => [`level ${level}`, dir] as const),
    );
    if (cut) dropped.push(cut);
    for (const [name, dir] of [...description.associated]) {
      // An associated image we cannot decode is dropped, not fatal: the slide itself is fine. A damaged
      // one is said (one of a codec not read here, or too large to be one, is not damage).
      try {
        await checkDecodable(dir, tiff.path);
        if (dir.width * dir.height > MAX_ASSOCIATED_PIXELS) throw new Error('too large');
        const { pastEnd } = await tiff.blockTable(dir);
        if (pastEnd > 0)
          throw new SlideError(
            'CORRUPT_DATA',
            `${groupedInteger(pastEnd)} of its ${blocksOf(dir, blockCount(dir))} lie past the end of the file (${groupedInteger(tiff.fileSize)} bytes): the file is truncated.`,
            tiff.path,
          );
      } catch (error) {
        description.associated.delete(name);
        const warning = error instanceof SlideError && leftOutWarning({ code: error.code, message: `The ${name} image: ${error.message}` });
        if (warning) dropped.push(warning);
      }
    }
    if (description.levels.some(isJpeg2000)) void warmCodecPool();
    return new TiffPyramidSource(tiff, description, dropped);
  }

  /**
   * The same file showing plane (z, t) (within the sizes: the engine checks), read as this one; its
   * levels refused (UNSUPPORTED_*) where their codec is not read here.
   */
  private async showPlane(planes: PlaneStack, { z, t }: PlaneChoice): Promise<TiffPyramidSource> {
    if (z === this.plane?.z && t === this.plane.t) return this;
    const levels = await planes.levelsAt(0, z, t);
    for (const dir of levels) await checkDecodable(dir, this.path);
    // The open's warnings stand: a plane cut short fails its tiles as they are read, as any level's.
    return new TiffPyramidSource(this.tiff, { ...this.description, levels }, this.dropped, { z, t });
  }

  private levelDir(level: number): TiffDirectory {
    const dir = this.levelDirs[level];
    if (!dir) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    return dir;
  }

  private checkTile(dir: TiffDirectory, col: number, row: number): void {
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= dir.blocksAcross || row >= dir.blocksDown) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const dir = this.levelDir(level);
    this.checkTile(dir, col, row);
    return this.decodeBlockAt(dir, col, row);
  }

  /** A block's stored bytes: one buffer, or with separate planes the first three (one for grey); null when absent. */
  private async storedBlock(dir: TiffDirectory, col: number, row: number): Promise<Uint8Array | Uint8Array[] | null> {
    if (!hasSeparatePlanes(dir)) return this.tiff.readBlock(dir, col, row);
    const planes = await Promise.all(Array.from({ length: dir.samplesPerPixel >= 3 ? 3 : 1 }, (_, p) => this.tiff.readBlock(dir, col, row, p)));
    if (planes.every((plane) => plane === null)) return null;
    const missing = planes.indexOf(null);
    if (missing >= 0) throw new SlideError('CORRUPT_DATA', `${blockName(dir, col, row)} has no data for its colour plane ${missing}.`, this.path);
    return planes as Uint8Array[];
  }

  private async decodeBlockAt(dir: TiffDirectory, col: number, row: number): Promise<RgbImage | null> {
    const stored = await this.storedBlock(dir, col, row);
    if (!stored) return null;
    // Tiles are stored padded to full size; the last strip holds only the rows that remain.
    const height = dir.tiled ? dir.blockHeight : Math.min(dir.blockHeight, dir.height - row * dir.blockHeight);
    const decoded = await decodeBlock(dir, stored, dir.blockWidth, height, this.path, blockName(dir, col, row));
    if (decoded.width !== dir.blockWidth || decoded.height !== height) {
      // A JPEG strip may declare the full strip height even at the bottom edge.
      if (decoded.width !== dir.blockWidth || decoded.height < height) {
        throw new SlideError(
          'CORRUPT_DATA',
          `A tile decoded to ${decoded.width} x ${decoded.height} pixels instead of ${dir.blockWidth} x ${height}.`,
          this.path,
        );
      }
      return { data: decoded.data.subarray(0, dir.blockWidth * height * 3), width: dir.blockWidth, height, channels: 3 };
    }
    return { data: decoded.data, width: decoded.width, height: decoded.height, channels: 3 };
  }

  storesJpeg(level: number): boolean {
    const dir = this.levelDir(level);
    return dir.compression === Compression.JPEG && dir.tiled && (dir.photometric === Photometric.RGB || dir.photometric === Photometric.YCBCR);
  }

  async readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null> {
    const dir = this.levelDir(level);
    this.checkTile(dir, col, row);
    if (!this.storesJpeg(level)) return null;
    const bytes = await this.tiff.readBlock(dir, col, row);
    if (!bytes) return null;
    const jpeg = storedJpeg(bytes, tiffFraming(dir), dir.blockWidth, dir.blockHeight);
    if (typeof jpeg === 'string') throw new SlideError('CORRUPT_DATA', `${blockName(dir, col, row)} is damaged and cannot be decoded (${jpeg}).`, this.path);
    return jpeg;
  }

  async storedJpegTiles(level: number): Promise<StoredJpegLevel | null> {
    const dir = this.levelDir(level);
    if (!this.storesJpeg(level)) return null;
    const { offsets, counts } = await this.tiff.blockTable(dir);
    const tiles = dir.blocksAcross * dir.blocksDown;
    if (offsets.length < tiles || counts.length < tiles) return null; // readBlock names what is missing
    return {
      files: [{ path: this.path, identity: this.tiff.file.identity }],
      tileFiles: null,
      cols: dir.blocksAcross,
      rows: dir.blocksDown,
      tileWidth: dir.blockWidth,
      tileHeight: dir.blockHeight,
      width: dir.width,
      height: dir.height,
      offsets: Float64Array.from({ length: tiles }, (_, i) => offsets[i]!),
      counts: Float64Array.from({ length: tiles }, (_, i) => counts[i]!),
      maxCount: maxStoredBytes(dir),
      framing: tiffFraming(dir),
    };
  }

  decodesReduced(level: number): boolean {
    return isJpeg2000(this.levelDir(level));
  }

  async readTileReduced(level: number, col: number, row: number, halvings: number): Promise<RgbImage | null> {
    const dir = this.levelDir(level);
    this.checkTile(dir, col, row);
    const k = 2 ** halvings;
    if (!isJpeg2000(dir) || !dir.tiled || dir.blockWidth % k !== 0 || dir.blockHeight % k !== 0) return null;
    const bytes = await this.tiff.readBlock(dir, col, row);
    if (!bytes) return null;
    // What the codestream declares must fit the tile before OpenJPEG allocates for it.
    const problem = j2kSizeProblem(bytes, dir.blockWidth, dir.blockHeight, dir.samplesPerPixel);
    if (problem) throw new SlideError('CORRUPT_DATA', `${blockName(dir, col, row)} is damaged: ${problem}.`, this.path);
    // Subsampled chroma decoded at reduced resolution came out up to 78 levels off OpenSlide (mean
    // 3.7): such tiles are decoded whole and halved instead.
    if ((decompositionLevels(bytes) ?? 0) < halvings || hasSubsampledComponents(bytes)) return null;
    const decoded = await runInPool({ kind: 'jpeg2000', codestream: bytes, ycbcr: dir.compression === Compression.APERIO_J2K_YCBCR, reduce: halvings }).catch(
      (error: unknown) => {
        throw damagedError(error, blockName(dir, col, row), this.path);
      },
    );
    // A codestream with fewer resolution levels than asked for comes back larger: not usable here.
    if (decoded.channels !== 3 || decoded.width !== dir.blockWidth / k || decoded.height !== dir.blockHeight / k) return null;
    return { data: decoded.data, width: decoded.width, height: decoded.height, channels: 3 };
  }

  async readAssociated(name: string): Promise<RgbImage> {
    const dir = this.associated.get(name);
    if (!dir) throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
    const out = new Uint8Array(dir.width * dir.height * 3);
    for (let row = 0; row < dir.blocksDown; row++) {
      for (let col = 0; col < dir.blocksAcross; col++) {
        const block = await this.decodeBlockAt(dir, col, row);
        if (block) blit(block, out, dir.width, dir.height, col * dir.blockWidth, row * dir.blockHeight);
      }
    }
    return { data: out, width: dir.width, height: dir.height, channels: 3 };
  }

  /** Level 0's InterColorProfile, as OpenSlide 4 reads it (scanners write the same one in every level). */
  async iccProfile(): Promise<Uint8Array | null> {
    return (await this.tiff.readTagBytes(this.levelDirs[0]!, ICC_PROFILE_TAG, MAX_ICC_BYTES)) ?? null;
  }

  async close(): Promise<void> {
    await this.tiff.close();
  }
}

/**
 * Blocks whose tables the open reads to count a cut level's tiles past the end (a hostile file's
 * larger tables wait for their tiles). A whole file's tables are not read at open: each level's last
 * tile is looked at alone (TiffFile.lastBlockEnd), ~0.3 ms less on the benchmark slide.
 */
const MAX_BLOCKS_CHECKED_AT_OPEN = 1 << 20;

/**
 * The warning for levels whose tiles lie past the end of the file (a copy cut short inside its image
 * data, its directories whole), naming each and how many; null when none does.
 */
export async function levelsPastEnd(tiff: TiffFile, levels: ReadonlyArray<readonly [name: string, dir: TiffDirectory]>): Promise<string | null> {
  const cut: string[] = [];
  let budget = MAX_BLOCKS_CHECKED_AT_OPEN;
  for (const [name, dir] of levels) {
    const end = await tiff.lastBlockEnd(dir).catch(() => null);
    if (end === null || end <= tiff.fileSize) continue;
    const blocks = blockCount(dir);
    if (blocks > budget) continue;
    budget -= blocks;
    // A table that cannot be read fails the level's tiles as they are read, as it did before this check.
    const table = await tiff.blockTable(dir).catch((error: unknown) => {
      if (error instanceof SlideError) return null;
      throw error;
    });
    const pastEnd = table?.pastEnd ?? 0;
    if (pastEnd > 0) cut.push(`${groupedInteger(pastEnd)} of ${name}'s ${blocksOf(dir, blocks)}`);
  }
  if (cut.length === 0) return null;
  return `The file is truncated inside its image data (it is ${groupedInteger(tiff.fileSize)} bytes): ${cut.join(', ')} lie past its end and cannot be shown.`;
}

/** "80 tiles", "1 strip". */
function blocksOf(dir: TiffDirectory, blocks: number): string {
  return `${groupedInteger(blocks)} ${dir.tiled ? 'tile' : 'strip'}${blocks === 1 ? '' : 's'}`;
}

/** Copies an RGB block into an RGB image at (x, y), clipped to the image. */
function blit(block: RgbImage, out: Uint8Array, width: number, height: number, x: number, y: number): void {
  const w = Math.min(block.width, width - x);
  const h = Math.min(block.height, height - y);
  for (let r = 0; r < h; r++) {
    const src = r * block.width * 3;
    out.set(block.data.subarray(src, src + w * 3), ((y + r) * width + x) * 3);
  }
}

/** The levels of TIFF directories (largest first) as stored. */
export function pyramidLevels(dirs: readonly TiffDirectory[]): LevelInfo[] {
  const base = dirs[0]!;
  return dirs.map((dir) => ({
    width: dir.width,
    height: dir.height,
    // As OpenSlide: the mean of the two axes' ratios.
    downsample: (base.width / dir.width + base.height / dir.height) / 2,
    tileWidth: dir.blockWidth,
    tileHeight: dir.blockHeight,
  }));
}

/** A TIFF pyramid's properties: its base directory's tiff.*, the format's own, and openslide.*. */
export function pyramidProperties(
  base: TiffDirectory,
  levels: readonly LevelInfo[],
  description: Pick<TiffPyramidDescription, 'vendor' | 'mpp' | 'objectivePower' | 'properties'>,
): Record<string, string> {
  return {
    ...tiffProperties(base.tags),
    ...description.properties,
    ...openSlideProperties({ vendor: description.vendor, comment: base.description, levels, mpp: description.mpp, objectivePower: description.objectivePower }),
  };
}

/** A JPEG tile's tables, and RGB photometric, as a viewer's decoder must be told them. */
function tiffFraming(dir: TiffDirectory): StoredJpegFraming {
  return { container: 'tiff', jpegTables: dir.jpegTables ?? null, rgb: dir.photometric === Photometric.RGB };
}

function isJpeg2000(dir: TiffDirectory): boolean {
  return dir.compression === Compression.APERIO_J2K_YCBCR || dir.compression === Compression.APERIO_J2K_RGB || dir.compression === Compression.JPEG2000;
}
