// A test-only writer of Hamamatsu VMS and VMU slides (NanoZoomer's older formats), as OpenSlide
// 3.4.1 reads them (the VMS/VMU part of src/openslide-vendor-hamamatsu.c):
//
// - a key file (".vms" or ".vmu") whose group "[Virtual Microscope Specimen]" (VMS) or
//   "[Uncompressed Virtual Microscope Specimen]" (VMU) names the image files, the map (a small
//   image of the whole slide, OpenSlide's lowest level) and the macro, with the scanner's keys
//   (SourceLens, PhysicalWidth in nm, ...);
// - VMS: level 0 cut into NoJpegColumns x NoJpegRows JPEG files, each with restart markers every
//   few MCUs (one MCU row tall); keys ImageFile, ImageFile(x,y), or ImageFile(z,x,y) (other focal
//   planes, z > 0, are written and must be skipped);
// - VMU: one NGR file per level: "GN", width, height and column width at byte 4, the data's offset
//   at 24, then 12-bit RGB as 16-bit little-endian samples, column by column (columns of the column
//   width, top to bottom).

import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { type RgbImage, resizeArea } from '../../electron/synth/image-ops';
import type { WrittenSlide } from '../../electron/synth/slides';
import { TissuePainter } from '../../electron/synth/tissue';
import { encodeRestartJpeg } from './ndpi';

export interface VmsOptions {
  kind: 'vms' | 'vmu';
  /** VMS: image files across and down (NoJpegColumns, NoJpegRows); VMU has one. */
  columns: number;
  rows: number;
  /** Each image file's size; the last column's and row's may differ. */
  fileWidth: number;
  fileHeight: number;
  lastFileWidth?: number;
  lastFileHeight?: number;
  /** The map's size, a reduction of the whole level 0. */
  mapWidth: number;
  mapHeight: number;
  chroma: '4:2:2' | '4:4:4';
  quality: number;
  /** MCUs per restart interval. */
  restartInterval: number;
  /** How the image files are named in the key file. */
  imageKeys: 'xy' | 'zxy';
  /** VMU: the NGR files' column width. */
  columnWidth?: number;
  macro: boolean;
  sourceLens: number;
  /** Level 0's physical size, nm. */
  physicalWidth: number;
  physicalHeight: number;
  seed: number;
  /** Hostile files only (not part of fixture keys): rewrites the key file before it is written. */
  rewriteKeyFile?: (text: string) => string;
}

/** The files a VMS or VMU slide is made of, beside its key file (for tests that remove one). */
export function vmsFileNames(path: string, options: VmsOptions): { images: string[]; map: string; macro: string | null } {
  const stem = basename(path).replace(/\.vm[su]$/i, '');
  const ext = options.kind === 'vms' ? 'jpg' : 'ngr';
  const images: string[] = [];
  for (let row = 0; row < options.rows; row++) for (let col = 0; col < options.columns; col++) images.push(`${stem}(${col},${row}).${ext}`);
  return { images, map: `${stem}_map2.${ext}`, macro: options.macro ? `${stem}_macro.jpg` : null };
}

export async function writeVms(path: string, options: VmsOptions): Promise<WrittenSlide> {
  const { columns, rows, fileWidth, fileHeight } = options;
  const widths = Array.from({ length: columns }, (_, c) => (c === columns - 1 ? (options.lastFileWidth ?? fileWidth) : fileWidth));
  const heights = Array.from({ length: rows }, (_, r) => (r === rows - 1 ? (options.lastFileHeight ?? fileHeight) : fileHeight));
  const width = widths.reduce((a, b) => a + b, 0);
  const height = heights.reduce((a, b) => a + b, 0);
  const painter = new TissuePainter({ width, height, seed: options.seed });
  const whole: RgbImage = { data: painter.render(0, 0, width, height), width, height };
  const dir = dirname(path);
  const names = vmsFileNames(path, options);
  const encode = (img: RgbImage) =>
    options.kind === 'vms' ? encodeRestartJpeg(img.data, img.width, img.height, options) : ngr(img, options.columnWidth ?? 64);

  let y0 = 0;
  for (let row = 0; row < rows; row++) {
    let x0 = 0;
    for (let col = 0; col < columns; col++) {
      const part: RgbImage = { data: new Uint8Array(widths[col]! * heights[row]! * 3), width: widths[col]!, height: heights[row]! };
      for (let y = 0; y < part.height; y++)
        part.data.set(whole.data.subarray(((y0 + y) * width + x0) * 3, ((y0 + y) * width + x0 + part.width) * 3), y * part.width * 3);
      const bytes = encode(part);
      await writeFile(join(dir, names.images[row * columns + col]!), row === 0 && col === 0 && options.kind === 'vms' ? withComment(bytes, COMMENT) : bytes);
      x0 += widths[col]!;
    }
    y0 += heights[row]!;
  }
  const map = resizeArea(whole, options.mapWidth, options.mapHeight);
  await writeFile(join(dir, names.map), encode(map));
  if (names.macro) {
    const label = makeLabel({ seed: options.seed, lines: ['VMS', `SEED ${options.seed}`] });
    const macro = makeMacro({
      width: 640,
      height: 216,
      overview: map,
      slideWidth: width,
      slideHeight: height,
      mpp: options.physicalWidth / 1000 / width,
      label,
    });
    await writeFile(
      join(dir, names.macro),
      await sharp(macro.data, { raw: { width: macro.width, height: macro.height, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  // VMS: the other focal plane (z = 1) of the first image, which readers skip.
  const otherPlane = options.kind === 'vms' && options.imageKeys === 'zxy' ? `${basename(names.images[0]!, '.jpg')}-z1.jpg` : null;
  if (otherPlane)
    await writeFile(
      join(dir, otherPlane),
      encode({
        data: new Uint8Array(64 * 8 * 3).fill(90),
        width: options.chroma === '4:2:2' ? 16 * options.restartInterval : 8 * options.restartInterval,
        height: 8,
      }),
    );

  const group = options.kind === 'vms' ? 'Virtual Microscope Specimen' : 'Uncompressed Virtual Microscope Specimen';
  const keys: Array<[string, string | number]> = [['NoLayers', 1]];
  if (options.kind === 'vms') keys.push(['NoJpegColumns', columns], ['NoJpegRows', rows]);
  names.images.forEach((name, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const key = i === 0 && options.imageKeys === 'xy' ? 'ImageFile' : options.imageKeys === 'xy' ? `ImageFile(${col},${row})` : `ImageFile(0,${col},${row})`;
    keys.push([key, name]);
  });
  if (otherPlane) keys.push(['ImageFile(1,0,0)', otherPlane]);
  keys.push(['MapFile', names.map]);
  if (names.macro) keys.push(['MacroImage', names.macro]);
  if (options.kind === 'vmu') keys.push(['BitsPerPixel', 36], ['PixelOrder', 'RGB']);
  keys.push(
    ['SourceLens', options.sourceLens],
    ['PhysicalWidth', options.physicalWidth],
    ['PhysicalHeight', options.physicalHeight],
    ['LayerSpacing', 0],
    ['XOffsetFromSlideCentre', 1234567],
    ['YOffsetFromSlideCentre', -98765],
    ['AuthCode', 'SLIDESCOPE-TEST'],
  );
  const text = [`[${group}]`, ...keys.map(([k, v]) => `${k}=${v}`), ''].join('\r\n');
  await writeFile(path, (options.rewriteKeyFile ?? ((t) => t))(text));
  return {
    path,
    width,
    height,
    levels: [
      { width, height },
      { width: map.width, height: map.height },
    ],
    associated: {},
    fileSize: text.length,
  };
}

/** The first image's JPEG comment (OpenSlide's openslide.comment). */
const COMMENT = 'NanoZoomer test image, Slidescope';

/** A COM segment right after SOI. */
function withComment(jpeg: Uint8Array, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const segment = Uint8Array.of(0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 255);
  return Buffer.concat([jpeg.subarray(0, 2), segment, body, jpeg.subarray(2)]);
}

/** An NGR file: header, then 16-bit samples of 12-bit RGB, column by column. */
function ngr(img: RgbImage, columnWidth: number): Uint8Array {
  if (img.width % columnWidth !== 0) throw new Error(`an NGR image ${img.width} wide is not whole columns of ${columnWidth}`);
  const start = 32;
  const out = new Uint8Array(start + img.width * img.height * 6);
  const view = new DataView(out.buffer);
  out[0] = 0x47; // G
  out[1] = 0x4e; // N
  view.setInt32(4, img.width, true);
  view.setInt32(8, img.height, true);
  view.setInt32(12, columnWidth, true);
  view.setInt32(24, start, true);
  let at = start;
  for (let x0 = 0; x0 < img.width; x0 += columnWidth) {
    for (let y = 0; y < img.height; y++) {
      for (let x = x0; x < x0 + columnWidth; x++) {
        for (let c = 0; c < 3; c++) {
          const v = img.data[(y * img.width + x) * 3 + c]!;
          view.setUint16(at, (v << 4) | (v >> 4), true);
          at += 2;
        }
      }
    }
  }
  return out;
}
