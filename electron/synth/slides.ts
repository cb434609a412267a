// High-level makers of synthetic slide files. All are deterministic (same options -> same bytes)
// and write through a temporary name renamed into place, so a half-written file never carries the
// final name. Nothing here imports test-only code: the app makes its built-in sample slide with
// writeAperioSvs.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { makeLabel, makeMacro, thumbnailSize } from './associated';
import { type RgbImage, resizeArea, rowsOf } from './image-ops';
import { applyHorizontalPredictor, lzwEncode } from './lzw';
import { buildPyramid, type LevelSize, pyramidLevelSizes } from './pyramid';
import { Compression, type ImageSpec, Photometric, type TiffImage, TiffWriter } from './tiff-writer';
import { type CodecSpec, createCodec, type TileCodec } from './tile-codecs';
import { TissuePainter } from './tissue';

export const SOFTWARE = 'Slidescope synthetic slide generator';

export interface WrittenSlide {
  path: string;
  width: number;
  height: number;
  /** Sizes of the tiled pyramid levels, level 0 first. */
  levels: LevelSize[];
  /** Associated images written (Aperio only), by OpenSlide name. */
  associated: Record<string, { width: number; height: number }>;
  fileSize: number;
}

export type ProgressCallback = (tilesWritten: number, tilesTotal: number) => void;

// ---------------------------------------------------------------------------------------------
// Aperio SVS

export type AperioCompression = 'jpeg' | 'jpeg2000-33003' | 'jpeg2000-33005';

export interface AperioOptions {
  width: number;
  height: number;
  tileSize?: number;
  /** Pyramid levels, 4x apart; default: until the smallest level's larger side is below 1024. */
  levels?: number;
  compression?: AperioCompression;
  /** JPEG only: 'rgb' like classic Aperio (Photometric RGB, untransformed components), or 'ycbcr'. */
  photometric?: 'rgb' | 'ycbcr';
  /** JPEG 'ycbcr' only. */
  chroma?: '4:2:0' | '4:4:4';
  /** JPEG quality of the pyramid tiles (default 80). */
  quality?: number;
  /** JPEG 2000 compression ratio (default 10; 0 = lossless). */
  j2kCompressionRatio?: number;
  /** JPEG 2000 33003 only: Cb/Cr at half resolution. */
  j2kSubsampleChroma?: boolean;
  appMag?: number;
  mpp?: number;
  seed?: number;
  bigTiff?: boolean;
  /** Shown as "Filename = ..." in the description. */
  name?: string;
  onProgress?: ProgressCallback;
}

/** Levels until the last one's larger side is below 1024 (CMU-1: 46000 -> 11500 -> 2875 -> 718). */
export function defaultLevelCount(width: number, height: number, factor: number, stopBelow: number): number {
  let n = 1;
  let w = width;
  let h = height;
  while (Math.max(w, h) >= stopBelow && Math.min(Math.floor(w / factor), Math.floor(h / factor)) >= 1) {
    w = Math.floor(w / factor);
    h = Math.floor(h / factor);
    n++;
  }
  return n;
}

const APERIO_LIBRARY = 'Aperio Image Library v11.2.1 ';

export async function writeAperioSvs(path: string, options: AperioOptions): Promise<WrittenSlide> {
  const { width, height } = options;
  const tileSize = options.tileSize ?? 240;
  const compression = options.compression ?? 'jpeg';
  const photometric = options.photometric ?? 'rgb';
  const quality = options.quality ?? 80;
  const appMag = options.appMag ?? 20;
  const mpp = options.mpp ?? 0.499;
  const seed = options.seed ?? 1;
  const levelCount = options.levels ?? defaultLevelCount(width, height, 4, 1024);
  const sizes = pyramidLevelSizes(width, height, 4, levelCount);
  const name = options.name ?? `synthetic-${seed}`;
  if (compression !== 'jpeg' && options.photometric === 'ycbcr') throw new Error('photometric applies to JPEG only');

  const codecSpec: CodecSpec =
    compression === 'jpeg'
      ? { kind: 'jpeg', quality, photometric, chroma: options.chroma }
      : {
          kind: 'jpeg2000',
          colour: compression === 'jpeg2000-33003' ? 'ycbcr' : 'rgb',
          compressionRatio: options.j2kCompressionRatio,
          subsampleChroma: options.j2kSubsampleChroma,
        };
  const codec = await createCodec(codecSpec);
  // Thumbnail and macro are JPEG strips in every Aperio flavour; the label is LZW.
  const stripPhotometric = compression === 'jpeg' ? photometric : 'rgb';
  const thumbCodec = await createCodec({ kind: 'jpeg', quality: 80, photometric: stripPhotometric });
  const macroCodec = await createCodec({ kind: 'jpeg', quality: 80, photometric: stripPhotometric });

  const codecText = compression === 'jpeg' ? `JPEG/RGB Q=${quality}` : `J2K/KDU Q=${quality}`;
  const metadata =
    `|AppMag = ${appMag}|StripeWidth = 2040|ScanScope ID = SYNTH01|Filename = ${name}|Date = 01/02/24|Time = 12:00:00` +
    `|User = slidescope|MPP = ${mpp.toFixed(4)}|Left = 25.000000|Top = 20.000000|ImageID = ${seed}` +
    `|OriginalWidth = ${width}|OriginalHeight = ${height}`;
  const base = `${width}x${height} [0,0 ${width}x${height}] (${tileSize}x${tileSize})`;
  const thumb = thumbnailSize(width, height);

  const label = makeLabel({ seed, lines: ['SLIDESCOPE', 'SYNTHETIC', `SEED ${seed}`, `${width}X${height}`] });
  const labelRows = Math.max(1, Math.floor(8192 / (label.width * 3)));
  const macroSize = { width: 1280, height: 431 };

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { bigTiff: options.bigTiff ?? false });
    try {
      const tiled = (k: number, description: string): ImageSpec => ({
        width: sizes[k]!.width,
        height: sizes[k]!.height,
        compression: codec.compression,
        photometric: codec.photometric,
        layout: { kind: 'tiles', tileWidth: tileSize, tileHeight: tileSize },
        description,
        ...codecTags(codec),
      });
      // IFD order as Aperio writes it: level 0, thumbnail, the other levels, label, macro.
      const levelImages: TiffImage[] = [writer.addImage(tiled(0, `${APERIO_LIBRARY}\r\n${base} ${codecText}${metadata}`))];
      const thumbImage = writer.addImage(
        stripSpec(thumbCodec, thumb.width, thumb.height, 16, `${APERIO_LIBRARY}\n${width}x${height} -> ${thumb.width}x${thumb.height} - ${metadata}`),
      );
      for (let k = 1; k < sizes.length; k++) {
        const s = sizes[k]!;
        levelImages.push(writer.addImage(tiled(k, `${APERIO_LIBRARY}\r\n${base} -> ${s.width}x${s.height} ${codecText}${metadata}`)));
      }
      const labelImage = writer.addImage({
        width: label.width,
        height: label.height,
        compression: Compression.LZW,
        photometric: Photometric.RGB,
        predictor: 2,
        layout: { kind: 'strips', rowsPerStrip: labelRows },
        newSubfileType: 1,
        description: `${APERIO_LIBRARY}\nlabel ${label.width}x${label.height}`,
      });
      const macroImage = writer.addImage(
        stripSpec(macroCodec, macroSize.width, macroSize.height, 16, `${APERIO_LIBRARY}\nmacro ${macroSize.width}x${macroSize.height}`, 9),
      );

      const painter = new TissuePainter({ width, height, seed });
      const overview = await buildPyramid({
        painter,
        tileSize,
        factor: 4,
        levels: sizes.length,
        overviewMaxSide: 4096,
        encodeTile: (rgb) => codec.encode(rgb, tileSize, tileSize),
        writeTile: (level, index, data) => writer.writeChunk(levelImages[level]!, index, data),
        onProgress: options.onProgress,
      });
      if (!overview) throw new Error('no overview level');
      const ovImage: RgbImage = { data: overview.data, width: overview.width, height: overview.height };
      await writeJpegStrips(writer, thumbImage, thumbCodec, resizeArea(ovImage, thumb.width, thumb.height), 16);
      await writeLzwStrips(writer, labelImage, label, labelRows);
      const macro = makeMacro({ ...macroSize, overview: ovImage, slideWidth: width, slideHeight: height, mpp, label });
      await writeJpegStrips(writer, macroImage, macroCodec, macro, 16);
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return {
      width,
      height,
      levels: sizes,
      associated: { thumbnail: thumb, label: { width: label.width, height: label.height }, macro: macroSize },
    };
  });
}

export function codecTags(codec: TileCodec): Partial<ImageSpec> {
  return {
    ...(codec.jpegTables ? { jpegTables: codec.jpegTables } : {}),
    ...(codec.ycbcrSubsampling ? { ycbcrSubsampling: codec.ycbcrSubsampling } : {}),
    ...(codec.predictor !== undefined ? { predictor: codec.predictor } : {}),
  };
}

export function stripSpec(codec: TileCodec, width: number, height: number, rowsPerStrip: number, description: string, newSubfileType = 0): ImageSpec {
  return {
    width,
    height,
    compression: codec.compression,
    photometric: codec.photometric,
    layout: { kind: 'strips', rowsPerStrip },
    newSubfileType,
    description,
    ...codecTags(codec),
  };
}

export async function writeJpegStrips(writer: TiffWriter, image: TiffImage, codec: TileCodec, img: RgbImage, rowsPerStrip: number): Promise<void> {
  const strips: Promise<Uint8Array>[] = [];
  for (let y = 0; y < img.height; y += rowsPerStrip) {
    const rows = Math.min(rowsPerStrip, img.height - y);
    strips.push(codec.encode(Uint8Array.from(rowsOf(img, y, rows)), img.width, rows));
  }
  for (let i = 0; i < strips.length; i++) await writer.writeChunk(image, i, await strips[i]!);
}

export async function writeLzwStrips(writer: TiffWriter, image: TiffImage, img: RgbImage, rowsPerStrip: number): Promise<void> {
  for (let y = 0, i = 0; y < img.height; y += rowsPerStrip, i++) {
    const rows = Math.min(rowsPerStrip, img.height - y);
    const data = Uint8Array.from(rowsOf(img, y, rows));
    applyHorizontalPredictor(data, img.width, rows, 3);
    await writer.writeChunk(image, i, lzwEncode(data));
  }
}

// ---------------------------------------------------------------------------------------------
// Generic pyramidal TIFF

export type GenericCompression = 'jpeg' | 'lzw' | 'deflate' | 'none';

export interface GenericPyramidOptions {
  width: number;
  height: number;
  tileSize?: number;
  compression?: GenericCompression;
  bigTiff?: boolean;
  /**
   * true: reduced levels carry NewSubfileType = 1 (how OpenSlide finds pyramid levels).
   * false: every IFD says 0, like image-js's tiled-jpeg.tif, where OpenSlide sees one level.
   */
  flagReducedLevels?: boolean;
  /** Microns per pixel at level 0: writes ResolutionUnit = centimeter and X/YResolution. */
  mppMicrons?: number;
  /** Levels 2x apart; default: until the smallest fits one tile. */
  levels?: number;
  /** JPEG quality (default 85); JPEG tiles are YCbCr 4:2:0 as libtiff/libvips write them. */
  quality?: number;
  /** LZW/Deflate: horizontal predictor (default true). */
  predictor?: boolean;
  description?: string;
  seed?: number;
  onProgress?: ProgressCallback;
}

export async function writeGenericPyramid(path: string, options: GenericPyramidOptions): Promise<WrittenSlide> {
  const { width, height } = options;
  const tileSize = options.tileSize ?? 256;
  const compression = options.compression ?? 'jpeg';
  const seed = options.seed ?? 1;
  const flag = options.flagReducedLevels ?? true;
  const levelCount = options.levels ?? defaultLevelCount(width, height, 2, tileSize + 1);
  const sizes = pyramidLevelSizes(width, height, 2, levelCount);
  const spec: CodecSpec =
    compression === 'jpeg'
      ? { kind: 'jpeg', quality: options.quality ?? 85, photometric: 'ycbcr', chroma: '4:2:0' }
      : compression === 'lzw'
        ? { kind: 'lzw', predictor: options.predictor }
        : compression === 'deflate'
          ? { kind: 'deflate', predictor: options.predictor }
          : { kind: 'none' };
  const codec = await createCodec(spec);

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { bigTiff: options.bigTiff ?? false });
    try {
      const images = sizes.map((s, k) =>
        writer.addImage({
          width: s.width,
          height: s.height,
          compression: codec.compression,
          photometric: codec.photometric,
          layout: { kind: 'tiles', tileWidth: tileSize, tileHeight: tileSize },
          newSubfileType: k > 0 && flag ? 1 : 0,
          software: SOFTWARE,
          ...(options.description !== undefined && k === 0 ? { description: options.description } : {}),
          ...(options.mppMicrons !== undefined ? { resolution: resolutionFor(options.mppMicrons * 2 ** k) } : {}),
          ...codecTags(codec),
        }),
      );
      await buildPyramid({
        painter: new TissuePainter({ width, height, seed }),
        tileSize,
        factor: 2,
        levels: sizes.length,
        encodeTile: (rgb) => codec.encode(rgb, tileSize, tileSize),
        writeTile: (level, index, data) => writer.writeChunk(images[level]!, index, data),
        onProgress: options.onProgress,
      });
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return { width, height, levels: sizes, associated: {} };
  });
}

/** X/YResolution in pixels per centimeter for a pixel size in microns, as exact rationals. */
function resolutionFor(mpp: number): { x: [number, number]; y: [number, number]; unit: 3 } {
  if (!(mpp > 0)) throw new Error(`bad mpp ${mpp}`);
  // 10000 um per cm: pixels/cm = 1e4 / mpp = 1e8 / (mpp * 1e4).
  let num = 100_000_000;
  let den = Math.round(mpp * 10_000);
  if (den < 1 || den > 0xffffffff) throw new Error(`mpp ${mpp} out of range`);
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return { x: [num, den], y: [num, den], unit: 3 };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export interface SingleLevelOptions {
  width: number;
  height: number;
  tileSize?: number;
  compression?: GenericCompression;
  bigTiff?: boolean;
  mppMicrons?: number;
  quality?: number;
  seed?: number;
  onProgress?: ProgressCallback;
}

/** One big tiled level, no pyramid. */
export function writeSingleLevelTiff(path: string, options: SingleLevelOptions): Promise<WrittenSlide> {
  return writeGenericPyramid(path, { ...options, levels: 1 });
}

// ---------------------------------------------------------------------------------------------
// Header-only huge TIFF

export interface HugeHeaderOptions {
  width?: number;
  height?: number;
  /**
   * 'tiles' (default): tiled, with a tile size large enough that the offset arrays stay small
   * (1e9 x 1e9 -> 67108864-pixel tiles, 15 x 15 of them). 'strips': one strip of the whole image
   * (OpenSlide 3.4.1 refuses untiled images; libtiff and geotiff read it).
   */
  layout?: 'tiles' | 'strips';
  tileSize?: number;
  bigTiff?: boolean;
  compression?: 'none' | 'jpeg';
  description?: string;
}

/** Declares a huge image whose tiles/strips all have offset 0 and length 0: a file of a few KB at most. */
export async function writeHugeHeaderTiff(path: string, options: HugeHeaderOptions = {}): Promise<WrittenSlide> {
  const width = options.width ?? 1e9;
  const height = options.height ?? 1e9;
  const layout = options.layout ?? 'tiles';
  let tileSize = options.tileSize ?? 256;
  if (options.tileSize === undefined) {
    while (Math.ceil(width / tileSize) * Math.ceil(height / tileSize) > 256) tileSize *= 2;
  }
  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { bigTiff: options.bigTiff ?? false });
    try {
      writer.addImage({
        width,
        height,
        compression: options.compression === 'jpeg' ? Compression.JPEG : Compression.None,
        photometric: options.compression === 'jpeg' ? Photometric.YCbCr : Photometric.RGB,
        layout: layout === 'tiles' ? { kind: 'tiles', tileWidth: tileSize, tileHeight: tileSize } : { kind: 'strips', rowsPerStrip: height },
        software: SOFTWARE,
        ...(options.description !== undefined ? { description: options.description } : {}),
      });
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return { width, height, levels: [{ width, height }], associated: {} };
  });
}

// ---------------------------------------------------------------------------------------------
// Truncated copies

/** Copies of srcPath cut at each byte offset, named <name>.trunc-<offset><ext> in outDir. */
export async function writeTruncatedCopies(srcPath: string, outDir: string, offsets: readonly number[]): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const ext = extname(srcPath);
  const stem = basename(srcPath, ext);
  const size = (await stat(srcPath)).size;
  const out: string[] = [];
  for (const offset of offsets) {
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`bad truncation offset ${offset}`);
    const target = join(outDir, `${stem}.trunc-${offset}${ext}`);
    const tmp = `${target}.partial-${process.pid}`;
    if (offset === 0) {
      await pipeline(async function* () {}, createWriteStream(tmp));
    } else {
      await pipeline(createReadStream(srcPath, { start: 0, end: Math.min(offset, size) - 1 }), createWriteStream(tmp));
    }
    await rename(tmp, target);
    out.push(target);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

let tmpCounter = 0;

export async function writeAtomically(path: string, write: (tmp: string) => Promise<Omit<WrittenSlide, 'path' | 'fileSize'>>): Promise<WrittenSlide> {
  const tmp = `${path}.partial-${process.pid}-${tmpCounter++}`;
  try {
    const result = await write(tmp);
    await rename(tmp, path);
    const fileSize = (await stat(path)).size;
    return { path, ...result, fileSize };
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
