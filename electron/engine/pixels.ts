// Small pixel-buffer operations on interleaved RGB/RGBA images, and sharp conversions.

import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from '../../shared/slide';
import type { LevelRect } from './slide-source';
import { halveRunsSimd } from './wasm/pixel-kernels';

/** Copies src's rectangle (sx, sy, w, h) into dst at (dx, dy). Same channel count, caller clips. */
export function copyRect(src: RgbImage, sx: number, sy: number, w: number, h: number, dst: RgbImage, dx: number, dy: number): void {
  const c = src.channels;
  for (let r = 0; r < h; r++) {
    const from = ((sy + r) * src.width + sx) * c;
    dst.data.set(src.data.subarray(from, from + w * c), ((dy + r) * dst.width + dx) * c);
  }
}

/** Sets every channel of image's rectangle to `value`. */
export function fillRect(image: RgbImage, x: number, y: number, w: number, h: number, value: number): void {
  const c = image.channels;
  for (let r = 0; r < h; r++) {
    const from = ((y + r) * image.width + x) * c;
    image.data.fill(value, from, from + w * c);
  }
}

/** Sets every channel of image's pixels outside [x0, x1) x [y0, y1) (clamped to the image) to `value`. */
export function fillOutsideRect(image: RgbImage, x0: number, y0: number, x1: number, y1: number, value: number): void {
  const { width, height } = image;
  const [left, right] = [Math.max(0, x0), Math.min(width, x1)];
  const [top, bottom] = [Math.max(0, y0), Math.min(height, y1)];
  if (right <= left || bottom <= top) {
    image.data.fill(value);
    return;
  }
  fillRect(image, 0, 0, width, top, value);
  fillRect(image, 0, bottom, width, height - bottom, value);
  fillRect(image, 0, top, left, bottom - top, value);
  fillRect(image, right, top, width - right, bottom - top, value);
}

/** Copies RGB src's rectangle into an RGBA dst, opaque. */
export function copyRectToRgba(src: RgbImage, sx: number, sy: number, w: number, h: number, dst: RgbImage, dx: number, dy: number): void {
  for (let r = 0; r < h; r++) {
    let s = ((sy + r) * src.width + sx) * 3;
    let d = ((dy + r) * dst.width + dx) * 4;
    for (let i = 0; i < w; i++, s += 3, d += 4) {
      dst.data[d] = src.data[s]!;
      dst.data[d + 1] = src.data[s + 1]!;
      dst.data[d + 2] = src.data[s + 2]!;
      dst.data[d + 3] = 255;
    }
  }
}

/**
 * Premultiplied RGBA as straight RGBA, in place, as openslide-python hands OpenSlide's premultiplied
 * ARGB over: c * 255 / a, truncated. Nothing may be painted on the pixels after.
 */
export function unpremultiply(data: Uint8Array): void {
  for (let o = 0; o < data.length; o += 4) {
    const a = data[o + 3]!;
    if (a === 0 || a === 255) continue;
    data[o] = Math.floor((255 * data[o]!) / a) & 0xff;
    data[o + 1] = Math.floor((255 * data[o + 1]!) / a) & 0xff;
    data[o + 2] = Math.floor((255 * data[o + 2]!) / a) & 0xff;
  }
}

/**
 * Makes an RGBA image transparent (all four samples 0, as OpenSlide's premultiplied ARGB) outside
 * the given rectangles, the image's top-left corner lying at (originX, originY) of their plane.
 */
export function clearOutsideRects(image: RgbImage, originX: number, originY: number, rects: readonly LevelRect[]): void {
  const row = new Uint8Array(image.width);
  for (let y = 0; y < image.height; y++) {
    row.fill(0);
    for (const r of rects) {
      if (originY + y < r.y || originY + y >= r.y + r.height) continue;
      row.fill(1, Math.max(0, r.x - originX), Math.max(0, Math.min(image.width, r.x + r.width - originX)));
    }
    for (let x = 0; x < image.width; x++) if (!row[x]) image.data.fill(0, (y * image.width + x) * 4, (y * image.width + x + 1) * 4);
  }
}

export function cropRgb(src: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  if (x === 0 && y === 0 && w === src.width && h === src.height) return src;
  const out: RgbImage = { data: new Uint8Array(w * h * src.channels), width: w, height: h, channels: src.channels };
  copyRect(src, x, y, w, h, out, 0, 0);
  return out;
}

/**
 * libvips on pixels already in memory. Their size is what was allocated, so sharp's guard against
 * huge inputs (268 Mpx by default, under LIMITS.maxExportPixels) is set to it.
 */
export function sharpFrom(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels }, limitInputPixels: pixelCount(image) });
}

/** An image's pixels, at least 1 (sharp reads a limit of 0 as none). */
export function pixelCount(image: { width: number; height: number }): number {
  return Math.max(1, image.width * image.height);
}

export async function toRaw(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels === 4 ? 4 : 3 };
}

/** The image to draw into: its own pixels when they are the caller's alone (`inPlace`), else a copy. */
export function drawable(image: RgbImage, inPlace: boolean): RgbImage {
  return inPlace ? image : { ...image, data: new Uint8Array(image.data) };
}

/** An image sharp composites over a rectangle of the pixels: the rectangle's size, raw RGBA or anything sharp reads (SVG, PNG). */
export interface Overlay {
  input: Buffer;
  raw?: { width: number; height: number; channels: 4 };
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Composites the overlay into the image's own pixels: only the rectangle it covers goes through
 * libvips and back (rows of full width as they lie, without a copy), so a 400 Mpx export is held once.
 */
export async function compositeInPlace(image: RgbImage, overlay: Overlay): Promise<void> {
  const { left, top, width, height } = overlay;
  if (left < 0 || top < 0 || left + width > image.width || top + height > image.height) throw new RangeError('the overlay must lie inside the image');
  const c = image.channels;
  const fullRows = left === 0 && width === image.width;
  const under: RgbImage = fullRows
    ? { ...image, data: image.data.subarray(top * width * c, (top + height) * width * c), height }
    : cropRgb(image, left, top, width, height);
  let piece = sharpFrom(under).composite([
    { input: overlay.input, ...(overlay.raw ? { raw: overlay.raw } : {}), left: 0, top: 0, limitInputPixels: pixelCount(overlay) },
  ]);
  if (c === 3) piece = piece.removeAlpha();
  const over = await toRaw(piece);
  if (fullRows) image.data.set(over.data, top * width * c);
  else copyRect(over, 0, 0, width, height, image, left, top);
}

/** Lanczos resampling, as OpenSlide's deep-zoom and thumbnail paths do it (PIL LANCZOS). */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  return toRaw(sharpFrom(image).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }));
}

/**
 * Halves an RGB image by averaging 2x2 blocks (the last row or column of an odd size averages what
 * it has). For exact 2x steps this is the filter pyramid builders use, and in plain JS it costs less
 * than handing the pixels to libvips and back.
 */
export function halveRgb(src: RgbImage, width = Math.ceil(src.width / 2), height = Math.ceil(src.height / 2)): RgbImage {
  const out: RgbImage = { data: new Uint8Array(width * height * 3), width, height, channels: 3 };
  halveRectInto(src, 0, 0, width, height, out, 0, 0);
  return out;
}

/**
 * Writes w x h pixels of src at half size into RGB dst at (dx, dy): each is the rounded mean of the
 * 2x2 block at (sx + 2u, sy + 2v), blocks past src's edge repeating its last row or column. The
 * caller clips to dst.
 */
export function halveRectInto(src: RgbImage, sx: number, sy: number, w: number, h: number, dst: RgbImage, dx: number, dy: number): void {
  const out = dst.data;
  const sw = src.width;
  const stride = sw * 3;
  const s = src.data;
  // Output pixels whose 2x2 block lies inside the source run without clamping, runs of 8 of them in
  // WebAssembly SIMD; the rest, the odd last column and anything past the source repeat the edge.
  const inner = Math.max(0, Math.min(w, (sw - sx) >> 1));
  const done = halveRunsSimd(src, sx, sy, inner, h, dst, dx, dy);
  for (let v = 0; v < h; v++) {
    const rowA = Math.min(sy + 2 * v, src.height - 1) * stride;
    const rowB = Math.min(sy + 2 * v + 1, src.height - 1) * stride;
    let o = ((dy + v) * dst.width + dx + done) * 3;
    let a = rowA + (sx + 2 * done) * 3;
    let b = rowB + (sx + 2 * done) * 3;
    for (let u = done; u < inner; u++) {
      out[o] = (s[a]! + s[a + 3]! + s[b]! + s[b + 3]! + 2) >> 2;
      out[o + 1] = (s[a + 1]! + s[a + 4]! + s[b + 1]! + s[b + 4]! + 2) >> 2;
      out[o + 2] = (s[a + 2]! + s[a + 5]! + s[b + 2]! + s[b + 5]! + 2) >> 2;
      a += 6;
      b += 6;
      o += 3;
    }
    for (let u = inner; u < w; u++) {
      const x0 = Math.min(sx + 2 * u, sw - 1) * 3;
      const x1 = Math.min(sx + 2 * u + 1, sw - 1) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = (s[rowA + x0 + c]! + s[rowA + x1 + c]! + s[rowB + x0 + c]! + s[rowB + x1 + c]! + 2) >> 2;
      o += 3;
    }
  }
}
