// Paints images onto a canvas at fractional positions exactly as OpenSlide 3.4.1 does through cairo
// 1.16 and pixman 0.42, so that stitched slides (Ventana BIF, MIRAX) match it pixel for pixel:
//
// - a translation within 1/512 of a whole pixel (cairo's 24.8 fixed point) copies pixels; any
//   other is resampled bilinearly: 16.16 fixed-point positions, pixels outside the image
//   transparent;
// - OpenSlide paints a region's tiles with the SATURATE operator ("saturate those seams away"):
//   what is already opaque stays, so the first tile painted over a pixel wins, and the soft edges
//   of resampled tiles add up. pixman turns SATURATE of an opaque source into OVER_REVERSE, on its
//   8-bit path (7-bit bilinear weights, sums truncated, MUL_UN8); any other SATURATE needs a
//   division and runs on its float path (float32 pixels, weights from the whole 16-bit fraction,
//   stored as u = f * 256, u -= u >> 8) - both reproduced here, float32 rounding included;
// - 'source' (a part of an image copied to a cleared surface of its own, cairo's OVER onto
//   nothing) is the 8-bit path's bilinear copy.
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
  /**
   * cairo's RGB24 (an image without alpha, as MIRAX's are painted), which pixman may take for
   * opaque; otherwise ARGB32 (as OpenSlide paints TIFF tiles), whatever the pixels.
   */
  rgb24?: boolean;
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
  else paintResampled(canvas, surface, tx, ty, operator);
}

/**
 * How pixman composites a paint. SATURATE with an opaque source is OVER_REVERSE (pixman's
 * optimize_operator), on the 8-bit path; the source counts as opaque when it has no alpha channel
 * and its samples cover everything the paint touches ("cover clip": for a resampled image, only
 * when it reaches past every side of the canvas). Otherwise SATURATE, which needs a division, runs
 * on the float path.
 */
type Mode = 'source' | 'over-reverse' | 'float-saturate';

function paintWhole(canvas: Canvas, surface: Surface, tx: number, ty: number, operator: Operator): void {
  const mode: Mode = operator === 'source' ? 'source' : surface.rgb24 ? 'over-reverse' : 'float-saturate';
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
      combine(out, d, data[s]!, data[s + 1]!, data[s + 2]!, a, mode);
    }
  }
}

/** Where a resampled paint can reach on the canvas (pixman's 16.16 sample offsets with it); null when nowhere. */
function resampleSpan(canvas: Canvas, surface: Surface, tx: number, ty: number) {
  const x0 = Math.max(0, Math.floor(tx) - 1);
  const y0 = Math.max(0, Math.floor(ty) - 1);
  const x1 = Math.min(canvas.width, Math.ceil(tx + surface.width) + 1);
  const y1 = Math.min(canvas.height, Math.ceil(ty + surface.height) + 1);
  if (x1 <= x0 || y1 <= y0) return null;
  // The pattern matrix is the inverse translation, in 16.16 fixed point.
  return { x0, y0, x1, y1, offX: toFixed16(-tx), offY: toFixed16(-ty) };
}

/**
 * pixman's FAST_PATH_SAMPLES_COVER_CLIP_BILINEAR for the paint's extents: cairo bounds the
 * operation by the image widened half a pixel (rounded out) and clipped to the canvas; pixman then
 * checks that every sample of that box, widened by 8/65536 for rounding, falls inside the image.
 */
function coversForBilinear(canvas: Canvas, surface: Surface, tx: number, ty: number, offX: number, offY: number): boolean {
  const bx1 = Math.max(0, Math.floor(tx - 0.5));
  const by1 = Math.max(0, Math.floor(ty - 0.5));
  const bx2 = Math.min(canvas.width, Math.ceil(tx + surface.width + 0.5));
  const by2 = Math.min(canvas.height, Math.ceil(ty + surface.height + 0.5));
  const inside = (lo: number, hi: number, off: number, size: number) => lo * 65536 + off - 8 >= 0 && hi * 65536 + off + 8 < size * 65536;
  return inside(bx1, bx2, offX, Math.min(surface.width, surface.validWidth)) && inside(by1, by2, offY, Math.min(surface.height, surface.validHeight));
}

function paintResampled(canvas: Canvas, surface: Surface, tx: number, ty: number, operator: Operator): void {
  const span = resampleSpan(canvas, surface, tx, ty);
  if (!span) return;
  const { x0, y0, x1, y1, offX, offY } = span;
  const mode: Mode =
    operator === 'source' ? 'source' : surface.rgb24 && coversForBilinear(canvas, surface, tx, ty, offX, offY) ? 'over-reverse' : 'float-saturate';
  const sample = mode === 'float-saturate' ? sampleFloat : sample8;
  const out = [0, 0, 0, 0];
  for (let y = y0; y < y1; y++) {
    const vy = y * 65536 + offY;
    for (let x = x0; x < x1; x++) {
      if (!sample(surface, x * 65536 + offX, vy, out)) continue;
      const d = (y * canvas.width + x) * 4;
      if (mode === 'float-saturate') saturateFloat(canvas.data, d, out[0]!, out[1]!, out[2]!, out[3]!);
      else combine(canvas.data, d, out[0]!, out[1]!, out[2]!, out[3]!, mode);
    }
  }
}

/** A source pixel's byte offset, or -1 outside the surface (transparent). */
function pixelAt(surface: Surface, col: number, row: number): number {
  if (row < 0 || row >= surface.height || row >= surface.validHeight || col < 0 || col >= surface.width || col >= surface.validWidth) return -1;
  return ((surface.y + row) * surface.stride + surface.x + col) * surface.channels;
}

/**
 * pixman's 8-bit bilinear fetch at 16.16 source position (vx, vy) (pixel centre less half a pixel):
 * 7-bit weights, sums truncated. Premultiplied RGBA into out; false when all four pixels are outside.
 */
function sample8(surface: Surface, vx: number, vy: number, out: number[]): boolean {
  const sx = Math.floor(vx / 65536);
  const sy = Math.floor(vy / 65536);
  const wx = Math.floor(vx / (1 << (16 - WEIGHT_BITS))) & (WEIGHT_ONE - 1);
  const wy = Math.floor(vy / (1 << (16 - WEIGHT_BITS))) & (WEIGHT_ONE - 1);
  const { data, channels } = surface;
  out.fill(0);
  let any = false;
  for (let j = 0; j < 2; j++) {
    const fy = j === 0 ? WEIGHT_ONE - wy : wy;
    for (let i = 0; i < 2; i++) {
      const fx = i === 0 ? WEIGHT_ONE - wx : wx;
      const p = fx * fy === 0 ? -1 : pixelAt(surface, sx + i, sy + j);
      if (p < 0) continue;
      any = true;
      const weight = fx * fy;
      out[0] = out[0]! + data[p]! * weight;
      out[1] = out[1]! + data[p + 1]! * weight;
      out[2] = out[2]! + data[p + 2]! * weight;
      out[3] = out[3]! + (channels === 4 ? data[p + 3]! : 255) * weight;
    }
  }
  for (let c = 0; c < 4; c++) out[c] = out[c]! >> (2 * WEIGHT_BITS);
  return any && out[3]! > 0;
}

const f32 = Math.fround;
/** pixman_expand_to_float's multiplier for 8 bits. */
const INV_255 = f32(1 / 255);

/**
 * pixman's float bilinear fetch (bits_image_fetch_pixel_bilinear_float): pixels as float32, weights
 * from the whole 16-bit fraction, each channel summed in its order with float32 rounding.
 */
function sampleFloat(surface: Surface, vx: number, vy: number, out: number[]): boolean {
  const sx = Math.floor(vx / 65536);
  const sy = Math.floor(vy / 65536);
  const distx = f32((vx - sx * 65536) / 65536);
  const disty = f32((vy - sy * 65536) / 65536);
  const tl = pixelAt(surface, sx, sy);
  const tr = pixelAt(surface, sx + 1, sy);
  const bl = pixelAt(surface, sx, sy + 1);
  const br = pixelAt(surface, sx + 1, sy + 1);
  if (tl < 0 && tr < 0 && bl < 0 && br < 0) return false;
  const distxy = f32(distx * disty);
  const distxiy = f32(distx * f32(1 - disty));
  const distixy = f32(f32(1 - distx) * disty);
  const distixiy = f32(f32(1 - distx) * f32(1 - disty));
  const { data, channels } = surface;
  const value = (p: number, c: number): number => (p < 0 ? 0 : c === 3 && channels === 3 ? 1 : f32(data[p + c]! * INV_255));
  for (let c = 0; c < 4; c++) {
    out[c] = f32(f32(f32(f32(value(tl, c) * distixiy) + f32(value(tr, c) * distxiy)) + f32(value(bl, c) * distixy)) + f32(value(br, c) * distxy));
  }
  return true;
}

/** pixman's MUL_UN8: a x b / 255, rounded. */
function mul8(a: number, b: number): number {
  const t = a * b + 0x80;
  return ((t >> 8) + t) >> 8;
}

/** One premultiplied 8-bit source pixel onto the canvas at byte d. */
function combine(out: Uint8Array, d: number, r: number, g: number, b: number, a: number, mode: Mode): void {
  const room = 255 - out[d + 3]!;
  if (mode === 'source' || room === 255) {
    // Onto nothing every operator leaves the source as it is.
    out[d] = r;
    out[d + 1] = g;
    out[d + 2] = b;
    out[d + 3] = a;
    return;
  }
  if (room === 0) return;
  if (mode === 'over-reverse') {
    out[d] = Math.min(255, out[d]! + mul8(r, room));
    out[d + 1] = Math.min(255, out[d + 1]! + mul8(g, room));
    out[d + 2] = Math.min(255, out[d + 2]! + mul8(b, room));
    out[d + 3] = Math.min(255, out[d + 3]! + mul8(a, room));
    return;
  }
  saturateFloat(out, d, f32(r * INV_255), f32(g * INV_255), f32(b * INV_255), f32(a * INV_255));
}

/** pixman_float_to_unorm for 8 bits. */
function toUnorm8(f: number): number {
  const u = Math.trunc(f32(Math.min(1, Math.max(0, f)) * 256));
  return u - (u >> 8);
}

/** pixman's float SATURATE (Fa = min(1, (1 - da) / sa), Fb = 1) of a float32 premultiplied pixel onto the canvas at byte d. */
function saturateFloat(out: Uint8Array, d: number, r: number, g: number, b: number, a: number): void {
  const da = f32(out[d + 3]! * INV_255);
  // FLOAT_IS_ZERO(sa): the factor is 1.
  let fa = 1;
  if (!(a > -1.1754943508222875e-38 && a < 1.1754943508222875e-38)) fa = Math.min(1, Math.max(0, f32(f32(1 - da) / a)));
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
