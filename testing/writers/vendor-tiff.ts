// What the vendor-format writers share: a file written under a temporary name and renamed into
// place, a tiled JPEG pyramid of the tissue painter (tiles the caller leaves out stay absent), XML
// text escaping, and standalone JPEGs of associated images.

import { rename, rm, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { RgbImage } from '../../electron/synth/image-ops';
import { buildPyramid, type LevelSize, type Overview, pyramidLevelSizes } from '../../electron/synth/pyramid';
import type { WrittenSlide } from '../../electron/synth/slides';
import type { ImageSpec, TiffImage, TiffWriter } from '../../electron/synth/tiff-writer';
import { createCodec } from '../../electron/synth/tile-codecs';
import { TissuePainter } from '../../electron/synth/tissue';

let tmpCounter = 0;

/** Runs `write` on a temporary path and renames the result to `path`; a failed write leaves nothing. */
export async function writeAtomically(path: string, write: (tmp: string) => Promise<Omit<WrittenSlide, 'path' | 'fileSize'>>): Promise<WrittenSlide> {
  const tmp = `${path}.partial-${process.pid}-${tmpCounter++}`;
  try {
    const result = await write(tmp);
    await rename(tmp, path);
    return { path, ...result, fileSize: (await stat(path)).size };
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export interface JpegPyramidOptions {
  /** Level-0 size of the painted tissue. */
  width: number;
  height: number;
  tileSize: number;
  /** Levels, `factor` apart (sizes floor(size / factor^k)). */
  levels: number;
  factor: 2 | 4;
  quality: number;
  seed: number;
  /**
   * Declares one TIFF image per level, given the level's painted size (the writer may declare a
   * larger, padded size: the tile grid is the same).
   */
  declare(level: number, size: LevelSize, tags: Pick<ImageSpec, 'compression' | 'photometric' | 'jpegTables' | 'ycbcrSubsampling'>): TiffImage;
  /** Whether a tile is stored; absent tiles keep offset and byte count 0 (a sparse slide). */
  stored?(level: number, col: number, row: number): boolean;
  /** Keep, whole, the first level whose larger side is at most this (for macro images). */
  overviewMaxSide?: number;
}

/** Paints and writes a YCbCr 4:2:0 JPEG pyramid into `writer`'s declared images. */
export async function writeJpegPyramid(writer: TiffWriter, options: JpegPyramidOptions): Promise<{ sizes: LevelSize[]; overview: Overview | undefined }> {
  const { tileSize, factor } = options;
  const sizes = pyramidLevelSizes(options.width, options.height, factor, options.levels);
  const codec = await createCodec({ kind: 'jpeg', quality: options.quality, photometric: 'ycbcr', chroma: '4:2:0' });
  const tags = {
    compression: codec.compression,
    photometric: codec.photometric,
    ...(codec.jpegTables ? { jpegTables: codec.jpegTables } : {}),
    ...(codec.ycbcrSubsampling ? { ycbcrSubsampling: codec.ycbcrSubsampling } : {}),
  };
  const images = sizes.map((size, level) => options.declare(level, size, tags));
  const overview = await buildPyramid({
    painter: new TissuePainter({ width: options.width, height: options.height, seed: options.seed }),
    tileSize,
    factor,
    levels: sizes.length,
    ...(options.overviewMaxSide !== undefined ? { overviewMaxSide: options.overviewMaxSide } : {}),
    encodeTile: (rgb) => codec.encode(rgb, tileSize, tileSize),
    writeTile: async (level, index, data) => {
      const cols = Math.ceil(sizes[level]!.width / tileSize);
      if (options.stored && !options.stored(level, index % cols, Math.floor(index / cols))) return;
      await writer.writeChunk(images[level]!, index, data);
    },
  });
  return { sizes, overview };
}

/** Text or an attribute value as XML writes it. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A baseline JFIF JPEG of an RGB image (what scanners embed for labels and macros). */
export async function standaloneJpeg(image: RgbImage, quality = 85): Promise<Uint8Array> {
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: false })
    .toBuffer();
  return new Uint8Array(jpeg);
}
