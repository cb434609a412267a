// Paints images onto a canvas at fractional positions exactly as OpenSlide 3.4.1 does through cairo
// 1.16 and pixman 0.42, so that stitched slides (Ventana BIF, MIRAX) match it pixel for pixel:
//
// - a translation within 1/512 of a whole pixel (cairo's 24.8 fixed point) copies pixels; any
//   other is resampled bilinearly: 16.16 fixed-point positions, pixels outside the image
//   transparent;
// - OpenSlide paints a region's tiles with the SATURATE operator ("saturate those seams away"):
//   what is already opaque stays, so the first tile painted over a pixel wins, and the soft edges
//   of resampled tiles add up. SATURATE needs a division, so pixman composites it on its float
//   path: pixels as float32 (u / 255), bilinear weights from the whole 16-bit fraction, the sum
//   clamped and stored as u = f * 256, u -= u >> 8 - reproduced here with float32 rounding;
// - 'source' (a part of an image copied to a cleared surface of its own, cairo's OVER onto
//   nothing) stays on pixman's 8-bit path: 7-bit weights, sums truncated.
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

/** cairo's _cairo_matrix_is_pixel_exact: the translation in 24.8 fixed point is whole; then the pixel it rounds to. */
function pixelExact(t: number): number | null {
  const whole = Math.round(t);
  return Math.abs(t - whole) * 256 < 0.5 ? whole : null;
}

/** Paints a surface with its top-left corner at (tx, ty) of the canvas. */
export function paintSurface(canvas: Canvas, surface: Surface, tx: number, ty: number, operator: Operator): void {
  const x = pixelExact(tx);
  const y = pixelExact(ty);
  if (x !== null && y !== null) paintWhole(canvas, surface, x, y, operator);
  else if (operator === 'saturate') paintResampledSaturate(canvas, surface, tx, ty);
  else paintResampled(canvas, surface, tx, ty);
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
      if (operator === 'source') {
        out[d] = data[s]!;
        out[d + 1] = data[s + 1]!;
        out[d + 2] = data[s + 2]!;
        out[d + 3] = a;
        continue;
      }
      const room = 255 - out[d + 3]!;
      if (room === 0) continue;
      if (room === 255 && a === 255) {
        // Onto nothing, an opaque pixel goes through the float path unchanged.
        out[d] = data[s]!;
        out[d + 1] = data[s + 1]!;
        out[d + 2] = data[s + 2]!;
        out[d + 3] = 255;
        continue;
      }
      saturateFloat(out, d, f32(data[s]! * INV_255), f32(data[s + 1]! * INV_255), f32(data[s + 2]! * INV_255), f32(a * INV_255));
    }
  }
}

/** Where a resampled paint can reach on the canvas, and each column's sample; null when nowhere. */
function resampleSpan(canvas: Canvas, surface: Surface, tx: number, ty: number) {
  const x0 = Math.max(0, Math.floor(tx) - 1);
  const y0 = Math.max(0, Math.floor(ty) - 1);
  const x1 = Math.min(canvas.width, Math.ceil(tx + surface.width) + 1);
  const y1 = Math.min(canvas.height, Math.ceil(ty + surface.height) + 1);
  if (x1 <= x0 || y1 <= y0) return null;
  // The pattern matrix is the inverse translation, in 16.16 fixed point.
  const offX = toFixed16(-tx);
  const offY = toFixed16(-ty);
  return { x0, y0, x1, y1, offX, offY, columns: Array.from({ length: x1 - x0 }, (_, i) => axisSample(x0 + i, offX)) };
}

/** pixman's 8-bit bilinear path ('source' onto a cleared canvas). */
function paintResampled(canvas: Canvas, surface: Surface, tx: number, ty: number): void {
  const span = resampleSpan(canvas, surface, tx, ty);
  if (!span) return;
  const { x0, y0, x1, y1, offY, columns } = span;
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
      const d = (y * canvas.width + x) * 4;
      canvas.data[d] = r >> (2 * WEIGHT_BITS);
      canvas.data[d + 1] = g >> (2 * WEIGHT_BITS);
      canvas.data[d + 2] = b >> (2 * WEIGHT_BITS);
      canvas.data[d + 3] = alpha;
    }
  }
}

const f32 = Math.fround;
/** pixman_expand_to_float's multiplier for 8 bits. */
const INV_255 = f32(1 / 255);

/** pixman's float bilinear fetch (bits_image_fetch_pixel_bilinear_float) under SATURATE. */
function paintResampledSaturate(canvas: Canvas, surface: Surface, tx: number, ty: number): void {
  const span = resampleSpan(canvas, surface, tx, ty);
  if (!span) return;
  const { x0, y0, x1, y1, offX, offY } = span;
  const { data, channels, stride } = surface;
  // A source pixel's byte offset, or -1 outside the surface (transparent).
  const at = (col: number, row: number): number =>
    row < 0 || row >= surface.height || row >= surface.validHeight || col < 0 || col >= surface.width || col >= surface.validWidth
      ? -1
      : ((surface.y + row) * stride + surface.x + col) * channels;
  const value = (p: number, c: number): number => (p < 0 ? 0 : c === 3 && channels === 3 ? 1 : f32(data[p + c]! * INV_255));
  const sample = [0, 0, 0, 0];
  for (let y = y0; y < y1; y++) {
    const vy = y * 65536 + offY;
    const sy = Math.floor(vy / 65536);
    const disty = f32((vy - sy * 65536) / 65536);
    for (let x = x0; x < x1; x++) {
      const vx = x * 65536 + offX;
      const sx = Math.floor(vx / 65536);
      const distx = f32((vx - sx * 65536) / 65536);
      const distxy = f32(distx * disty);
      const distxiy = f32(distx * f32(1 - disty));
      const distixy = f32(f32(1 - distx) * disty);
      const distixiy = f32(f32(1 - distx) * f32(1 - disty));
      const tl = at(sx, sy);
      const tr = at(sx + 1, sy);
      const bl = at(sx, sy + 1);
      const br = at(sx + 1, sy + 1);
      if (tl < 0 && tr < 0 && bl < 0 && br < 0) continue;
      // r, g, b, a, each summed in pixman's order with float32 rounding.
      for (let c = 0; c < 4; c++) {
        sample[c] = f32(f32(f32(f32(value(tl, c) * distixiy) + f32(value(tr, c) * distxiy)) + f32(value(bl, c) * distixy)) + f32(value(br, c) * distxy));
      }
      saturateFloat(canvas.data, (y * canvas.width + x) * 4, sample[0]!, sample[1]!, sample[2]!, sample[3]!);
    }
  }
}

/** pixman_float_to_unorm for 8 bits. */
function toUnorm8(f: number): number {
  const clamped = Math.min(1, Math.max(0, f));
  const u = Math.trunc(f32(clamped * 256));
  return u - (u >> 8);
}

/** pixman's float SATURATE (Fa = min(1, (1 - da) / sa), Fb = 1) of a float32 premultiplied pixel onto the canvas at byte d. */
function saturateFloat(out: Uint8Array, d: number, r: number, g: number, b: number, a: number): void {
  const da = f32(out[d + 3]! * INV_255);
  // FLOAT_IS_ZERO(sa): the factor is 1.
  let fa = 1;
  if (!(a > -1.1754943508222875e-38 && a < 1.1754943508222875e-38)) {
    const f = f32(f32(1 - da) / a);
    fa = Math.min(1, Math.max(0, f));
  }
  const blend = (s: number, dv: number) => toUnorm8(Math.min(1, f32(f32(s * fa) + dv)));
  out[d] = blend(r, f32(out[d]! * INV_255));
  out[d + 1] = blend(g, f32(out[d + 1]! * INV_255));
  out[d + 2] = blend(b, f32(out[d + 2]! * INV_255));
  out[d + 3] = blend(a, da);
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
