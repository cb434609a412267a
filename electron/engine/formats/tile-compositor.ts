// Paints images onto a canvas at fractional positions exactly as OpenSlide 3.4.1 does through cairo
// 1.16 and pixman, so that stitched slides (Ventana BIF) match it pixel for pixel:
//
// - a whole-pixel translation copies pixels; any other is resampled bilinearly as pixman does for
//   cairo's default filter: 16.16 fixed-point positions, 7-bit weights, sums truncated, pixels
//   outside the image transparent;
// - OpenSlide paints a region's tiles with the SATURATE operator ("saturate those seams away"):
//   what is already opaque stays, so the first tile painted over a pixel wins, and the soft edges of
//   resampled tiles add up.
//
// Pixels are premultiplied RGBA, as in cairo's ARGB32 surfaces.

import type { RgbImage } from '../../../shared/slide';

/** A premultiplied RGBA canvas. */
export interface Canvas {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * A rectangle of pixels to paint: of an opaque RGB image (channels 3) or of a premultiplied RGBA
 * canvas (channels 4). Pixels at or beyond validWidth / validHeight of the rectangle are
 * transparent (OpenSlide clears the parts of edge tiles that lie outside their image).
 */
export interface Surface {
  data: Uint8Array;
  channels: 3 | 4;
  /** Pixels per row of data. */
  stride: number;
  x: number;
  y: number;
  width: number;
  height: number;
  validWidth: number;
  validHeight: number;
}

/** 'saturate' paints a tile of a region; 'source' fills a cleared canvas (cairo's OVER onto nothing). */
export type Operator = 'saturate' | 'source';

export function createCanvas(width: number, height: number): Canvas {
  return { data: new Uint8Array(width * height * 4), width, height };
}

export function canvasSurface(canvas: Canvas): Surface {
  return {
    data: canvas.data,
    channels: 4,
    stride: canvas.width,
    x: 0,
    y: 0,
    width: canvas.width,
    height: canvas.height,
    validWidth: canvas.width,
    validHeight: canvas.height,
  };
}

/** pixman's BILINEAR_INTERPOLATION_BITS: weights of 7 bits. */
const WEIGHT_BITS = 7;
const WEIGHT_ONE = 1 << WEIGHT_BITS;

/** _cairo_fixed_16_16_from_double: to 16.16 fixed point, rounding half to even. */
function toFixed16(value: number): number {
  const scaled = value * 65536;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** One axis of pixman's bilinear fetch for a destination pixel: the first source pixel and the second's weight. */
function axisSample(destPixel: number, offsetFixed: number): { first: number; weight: number } {
  // The destination pixel's centre in source space, less half a pixel: between two source centres.
  const v = destPixel * 65536 + offsetFixed;
  return { first: Math.floor(v / 65536), weight: Math.floor(v / (1 << (16 - WEIGHT_BITS))) & (WEIGHT_ONE - 1) };
}

/** Paints a surface with its top-left corner at (tx, ty) of the canvas. */
export function paintSurface(canvas: Canvas, surface: Surface, tx: number, ty: number, operator: Operator): void {
  if (Number.isInteger(tx) && Number.isInteger(ty)) paintWhole(canvas, surface, tx, ty, operator);
  else paintResampled(canvas, surface, tx, ty, operator);
}

function paintWhole(canvas: Canvas, surface: Surface, tx: number, ty: number, operator: Operator): void {
  const x0 = Math.max(0, tx);
  const y0 = Math.max(0, ty);
  const x1 = Math.min(canvas.width, tx + Math.min(surface.width, surface.validWidth));
  const y1 = Math.min(canvas.height, ty + Math.min(surface.height, surface.validHeight));
  const { data, channels, stride } = surface;
  const out = canvas.data;
  for (let y = y0; y < y1; y++) {
    let s = ((surface.y + y - ty) * stride + surface.x + x0 - tx) * channels;
    let d = (y * canvas.width + x0) * 4;
    for (let x = x0; x < x1; x++, s += channels, d += 4) {
      const a = channels === 4 ? data[s + 3]! : 255;
      combine(out, d, data[s]!, data[s + 1]!, data[s + 2]!, a, operator);
    }
  }
}

function paintResampled(canvas: Canvas, surface: Surface, tx: number, ty: number, operator: Operator): void {
  // The pattern matrix is the inverse translation, in 16.16 fixed point.
  const offX = toFixed16(-tx);
  const offY = toFixed16(-ty);
  const x0 = Math.max(0, Math.floor(tx) - 1);
  const y0 = Math.max(0, Math.floor(ty) - 1);
  const x1 = Math.min(canvas.width, Math.ceil(tx + surface.width) + 1);
  const y1 = Math.min(canvas.height, Math.ceil(ty + surface.height) + 1);
  if (x1 <= x0 || y1 <= y0) return;
  const columns = Array.from({ length: x1 - x0 }, (_, i) => axisSample(x0 + i, offX));
  const { data, channels, stride } = surface;
  for (let y = y0; y < y1; y++) {
    const { first: sy, weight: wy } = axisSample(y, offY);
    for (let x = x0; x < x1; x++) {
      const { first: sx, weight: wx } = columns[x - x0]!;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let j = 0; j < 2; j++) {
        const row = sy + j;
        const fy = j === 0 ? WEIGHT_ONE - wy : wy;
        if (fy === 0 || row < 0 || row >= surface.height || row >= surface.validHeight) continue;
        for (let i = 0; i < 2; i++) {
          const col = sx + i;
          const fx = i === 0 ? WEIGHT_ONE - wx : wx;
          if (fx === 0 || col < 0 || col >= surface.width || col >= surface.validWidth) continue;
          const weight = fx * fy;
          const s = ((surface.y + row) * stride + surface.x + col) * channels;
          r += data[s]! * weight;
          g += data[s + 1]! * weight;
          b += data[s + 2]! * weight;
          a += (channels === 4 ? data[s + 3]! : 255) * weight;
        }
      }
      // Weights of 2 x 7 bits: the sums are truncated back to 8 bits, as pixman does.
      const alpha = a >> (2 * WEIGHT_BITS);
      if (alpha === 0) continue;
      combine(canvas.data, (y * canvas.width + x) * 4, r >> (2 * WEIGHT_BITS), g >> (2 * WEIGHT_BITS), b >> (2 * WEIGHT_BITS), alpha, operator);
    }
  }
}

/** pixman's MUL_UN8: a x b / 255, rounded. */
function mul8(a: number, b: number): number {
  const t = a * b + 0x80;
  return ((t >> 8) + t) >> 8;
}

/** One premultiplied source pixel onto the canvas at byte d. */
function combine(out: Uint8Array, d: number, r: number, g: number, b: number, a: number, operator: Operator): void {
  if (operator === 'source') {
    out[d] = r;
    out[d + 1] = g;
    out[d + 2] = b;
    out[d + 3] = a;
    return;
  }
  const room = 255 - out[d + 3]!;
  if (room === 0) return;
  if (a > room) {
    // pixman's DIV_UN8: the share of the source that still fits.
    const f = Math.floor((room * 255 + (a >> 1)) / a);
    r = mul8(r, f);
    g = mul8(g, f);
    b = mul8(b, f);
    a = mul8(a, f);
  }
  out[d] = Math.min(255, out[d]! + r);
  out[d + 1] = Math.min(255, out[d + 1]! + g);
  out[d + 2] = Math.min(255, out[d + 2]! + b);
  out[d + 3] = Math.min(255, out[d + 3]! + a);
}

/** The canvas as RGB over white (a slide's background), or null when nothing was painted. */
export function canvasOverWhite(canvas: Canvas): RgbImage | null {
  const { data, width, height } = canvas;
  const out = new Uint8Array(width * height * 3);
  let painted = false;
  for (let s = 0, d = 0; s < data.length; s += 4, d += 3) {
    const clear = 255 - data[s + 3]!;
    if (clear < 255) painted = true;
    out[d] = Math.min(255, data[s]! + clear);
    out[d + 1] = Math.min(255, data[s + 1]! + clear);
    out[d + 2] = Math.min(255, data[s + 2]! + clear);
  }
  return painted ? { data: out, width, height, channels: 3 } : null;
}
