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
// Pixels are premultiplied RGBA, as in cairo's ARGB32 surfaces. An opaque image's pixels, and the
// canvas over white, are worked by WebAssembly kernels (wasm/pixel-kernels.ts), several times faster
// and from a fresh engine's first slide on; the JS loops here do the rest, and all of it without them.

import type { RgbImage } from '../../../shared/slide';
import { throwIfAborted } from '../errors';
import { overWhiteWasm, PaintMode, paintBilinearWasm, paintWholeWasm } from '../wasm/pixel-kernels';

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
  rgb24: boolean;
}

/**
 * Every surface, made here: of one shape and its pixels a plain Uint8Array (not a Buffer), so that
 * V8 optimises the paints once. A second shape deoptimised them at each change of format in a batch.
 */
export function makeSurface(fields: Omit<Surface, 'rgb24'> & { rgb24?: boolean }): Surface {
  const { data } = fields;
  return {
    data: data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    channels: fields.channels,
    stride: fields.stride,
    x: fields.x,
    y: fields.y,
    width: fields.width,
    height: fields.height,
    validWidth: fields.validWidth,
    validHeight: fields.validHeight,
    rgb24: fields.rgb24 === true,
  };
}

/** 'saturate' paints a tile of a region; 'source' fills a cleared canvas (cairo's OVER onto nothing). */
export type Operator = 'saturate' | 'source';

export function createCanvas(width: number, height: number): Canvas {
  return { data: new Uint8Array(width * height * 4), width, height };
}

export function canvasSurface(canvas: Canvas): Surface {
  return makeSurface({
    data: canvas.data,
    channels: 4,
    stride: canvas.width,
    x: 0,
    y: 0,
    width: canvas.width,
    height: canvas.height,
    validWidth: canvas.width,
    validHeight: canvas.height,
  });
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

/** Surfaces fetched (decoded) at once for a paint: enough to keep the decodes busy, few enough to bound what they hold. */
const PAINT_GROUP = 8;

/**
 * Paints stitched images in the order given (OpenSlide's: under SATURATE the first painted over a
 * pixel wins), each with its top-left corner at (atX + x, atY + y) of the canvas; `surfaceOf`
 * fetches one (null: the file has none there), a group of PAINT_GROUP at a time.
 */
export async function paintPlaced<P extends { x: number; y: number }>(
  canvas: Canvas,
  placed: readonly P[],
  surfaceOf: (item: P) => Promise<Surface | null>,
  atX: number,
  atY: number,
  signal?: AbortSignal,
): Promise<void> {
  for (let i = 0; i < placed.length; i += PAINT_GROUP) {
    throwIfAborted(signal);
    const group = placed.slice(i, i + PAINT_GROUP);
    const surfaces = await Promise.all(group.map(surfaceOf));
    group.forEach((item, k) => {
      const surface = surfaces[k];
      if (surface) paintSurface(canvas, surface, atX + item.x, atY + item.y, 'saturate');
    });
  }
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

const PAINT_MODES: Record<Mode, PaintMode> = { source: PaintMode.source, 'over-reverse': PaintMode.overReverse, 'float-saturate': PaintMode.floatSaturate };

function paintWhole(canvas: Canvas, surface: Surface, tx: number, ty: number, operator: Operator): void {
  const mode: Mode = operator === 'source' ? 'source' : surface.rgb24 ? 'over-reverse' : 'float-saturate';
  const x0 = Math.max(0, tx);
  const y0 = Math.max(0, ty);
  const x1 = Math.min(canvas.width, tx + Math.min(surface.width, surface.validWidth));
  const y1 = Math.min(canvas.height, ty + Math.min(surface.height, surface.validHeight));
  const { data, channels, stride } = surface;
  const out = canvas.data;
  if (channels === 3 && mode !== 'source' && x1 > x0 && y1 > y0) {
    const dst = { data: out, at: (y0 * canvas.width + x0) * 4, stride: canvas.width * 4 };
    const src = { data, at: ((surface.y + y0 - ty) * stride + surface.x + x0 - tx) * 3, stride: stride * 3 };
    if (paintWholeWasm(dst, src, x1 - x0, y1 - y0, mode === 'over-reverse' ? PaintMode.overReverse : PaintMode.floatSaturate)) return;
  }
  for (let y = y0; y < y1; y++) {
    let s = ((surface.y + y - ty) * stride + surface.x + x0 - tx) * channels;
    let d = (y * canvas.width + x0) * 4;
    if (channels === 3 && mode !== 'source') {
      // An opaque pixel: combine's two common cases written out (a canvas pixel still empty takes it,
      // a full one keeps its own), the rest through combine.
      for (let x = x0; x < x1; x++, s += 3, d += 4) {
        const da = out[d + 3]!;
        if (da === 255) continue;
        if (da === 0) {
          out[d] = data[s]!;
          out[d + 1] = data[s + 1]!;
          out[d + 2] = data[s + 2]!;
          out[d + 3] = 255;
        } else combine(out, d, data[s]!, data[s + 1]!, data[s + 2]!, 255, mode);
      }
      continue;
    }
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
  // A translation moves every pixel alike: canvas pixel x samples source pixels x + dx and
  // x + dx + 1 with the same weights everywhere (the 16.16 offset's whole and fractional parts).
  const dx = Math.floor(offX / 65536);
  const dy = Math.floor(offY / 65536);
  const fracX = offX - dx * 65536;
  const fracY = offY - dy * 65536;
  const { channels, stride } = surface;
  const colValid = (col: number) => col >= 0 && col < surface.width && col < surface.validWidth;
  const rowStart = (row: number) => (row >= 0 && row < surface.height && row < surface.validHeight ? (surface.y + row) * stride + surface.x : -1);
  // Per canvas column, its two source columns (pixel index within a row, or -1: transparent).
  const left = new Int32Array(x1 - x0);
  const right = new Int32Array(x1 - x0);
  for (let i = 0; i < left.length; i++) {
    left[i] = colValid(x0 + i + dx) ? x0 + i + dx : -1;
    right[i] = colValid(x0 + i + dx + 1) ? x0 + i + dx + 1 : -1;
  }
  const tlw = new Float64Array(4);
  if (mode === 'float-saturate') {
    // pixman_fixed_fraction / 65536 as float32, and the corners' weights in its order.
    const distx = f32(fracX / 65536);
    const disty = f32(fracY / 65536);
    tlw.set([f32(f32(1 - distx) * f32(1 - disty)), f32(distx * f32(1 - disty)), f32(f32(1 - distx) * disty), f32(distx * disty)]);
  } else {
    const wx = fracX >> (16 - WEIGHT_BITS);
    const wy = fracY >> (16 - WEIGHT_BITS);
    tlw.set([(WEIGHT_ONE - wx) * (WEIGHT_ONE - wy), wx * (WEIGHT_ONE - wy), (WEIGHT_ONE - wx) * wy, wx * wy]);
  }
  const corners = new Int32Array(4);
  const sample = new Float64Array(4);
  // The float path's pixel, handed over in an array: four number arguments would each be a heap
  // number when V8 does not inline the call (~90 MB of garbage a MIRAX thumbnail).
  const px = new Float64Array(4);
  const { data } = surface;
  const out = canvas.data;
  const shift = 2 * WEIGHT_BITS;
  // The columns whose two samples both lie in the image: there an opaque RGB image's pixel is the
  // same sums as below, each corner's product looked up (the weights are the whole paint's).
  let inLo = 0;
  while (inLo < left.length && (left[inLo]! < 0 || right[inLo]! < 0)) inLo++;
  let inHi = inLo;
  while (inHi < left.length && left[inHi]! >= 0 && right[inHi]! >= 0) inHi++;
  const float = mode === 'float-saturate';
  // An opaque pixel's alpha on the float path: the weights' float32 sum (on the 8-bit path, 255).
  const alpha = f32(f32(f32(tlw[0]! + tlw[1]!) + tlw[2]!) + tlw[3]!);
  px[3] = alpha;
  // The rows whose two samples both lie in the image: with the columns above, a block the kernel paints.
  const rowsIn = Math.min(surface.height, surface.validHeight);
  const inTop = Math.max(y0, -dy);
  const inBottom = Math.min(y1, rowsIn - 1 - dy);
  const kernelBlock =
    channels === 3 &&
    inHi > inLo &&
    inBottom > inTop &&
    paintBilinearWasm(
      { data: out, at: (inTop * canvas.width + x0 + inLo) * 4, stride: canvas.width * 4 },
      { data, at: rowStart(inTop + dy) * 3 + (x0 + inLo + dx) * 3, stride: stride * 3 },
      inHi - inLo,
      inBottom - inTop,
      PAINT_MODES[mode],
      tlw,
      alpha,
    );
  const [t0, t1, t2, t3] = channels === 3 && !kernelBlock ? cornerTables(tlw, float) : NO_TABLES;
  for (let y = y0; y < y1; y++) {
    const top = rowStart(y + dy);
    const bottom = rowStart(y + dy + 1);
    if (top < 0 && bottom < 0) continue;
    const inside = channels === 3 && top >= 0 && bottom >= 0;
    for (let x = x0, i = 0; x < x1; x++, i++) {
      const l = left[i]!;
      const r = right[i]!;
      const d = (y * canvas.width + x) * 4;
      if (inside && i >= inLo && i < inHi) {
        if (kernelBlock) continue;
        const p0 = (top + l) * 3;
        const p1 = (top + r) * 3;
        const p2 = (bottom + l) * 3;
        const p3 = (bottom + r) * 3;
        if (float) {
          if (out[d + 3] === 255) continue;
          px[0] = f32(f32(f32(t0[data[p0]!]! + t1[data[p1]!]!) + t2[data[p2]!]!) + t3[data[p3]!]!);
          px[1] = f32(f32(f32(t0[data[p0 + 1]!]! + t1[data[p1 + 1]!]!) + t2[data[p2 + 1]!]!) + t3[data[p3 + 1]!]!);
          px[2] = f32(f32(f32(t0[data[p0 + 2]!]! + t1[data[p1 + 2]!]!) + t2[data[p2 + 2]!]!) + t3[data[p3 + 2]!]!);
          saturateFloat(out, d, px);
        } else {
          combine(
            out,
            d,
            (t0[data[p0]!]! + t1[data[p1]!]! + t2[data[p2]!]! + t3[data[p3]!]!) >> shift,
            (t0[data[p0 + 1]!]! + t1[data[p1 + 1]!]! + t2[data[p2 + 1]!]! + t3[data[p3 + 1]!]!) >> shift,
            (t0[data[p0 + 2]!]! + t1[data[p1 + 2]!]! + t2[data[p2 + 2]!]! + t3[data[p3 + 2]!]!) >> shift,
            255,
            mode,
          );
        }
        continue;
      }
      corners[0] = top >= 0 && l >= 0 ? (top + l) * channels : -1;
      corners[1] = top >= 0 && r >= 0 ? (top + r) * channels : -1;
      corners[2] = bottom >= 0 && l >= 0 ? (bottom + l) * channels : -1;
      corners[3] = bottom >= 0 && r >= 0 ? (bottom + r) * channels : -1;
      sample.fill(0);
      let any = false;
      if (float) {
        if (out[d + 3] === 255) continue; // nothing more fits: what is there stays, exactly
        // Each channel summed corner by corner in pixman's order, rounded to float32 at each step
        // (a corner outside adds 0, which changes nothing).
        for (let k = 0; k < 4; k++) {
          const p = corners[k]!;
          if (p < 0) continue;
          any = true;
          const w = tlw[k]!;
          sample[0] = f32(sample[0]! + f32(UNORM[data[p]!]! * w));
          sample[1] = f32(sample[1]! + f32(UNORM[data[p + 1]!]! * w));
          sample[2] = f32(sample[2]! + f32(UNORM[data[p + 2]!]! * w));
          sample[3] = f32(sample[3]! + (channels === 4 ? f32(UNORM[data[p + 3]!]! * w) : w));
        }
        if (any) saturateFloat(out, d, sample);
      } else {
        for (let k = 0; k < 4; k++) {
          const p = corners[k]!;
          const w = tlw[k]!;
          if (p < 0 || w === 0) continue;
          any = true;
          sample[0] = sample[0]! + data[p]! * w;
          sample[1] = sample[1]! + data[p + 1]! * w;
          sample[2] = sample[2]! + data[p + 2]! * w;
          sample[3] = sample[3]! + (channels === 4 ? data[p + 3]! : 255) * w;
        }
        // Weights of 2 x 7 bits: the sums are truncated back to 8 bits, as pixman does.
        if (any && sample[3]! >> shift > 0) combine(out, d, sample[0]! >> shift, sample[1]! >> shift, sample[2]! >> shift, sample[3]! >> shift, mode);
      }
    }
  }
}

/**
 * Each corner's weighted value of every 8-bit sample: float32 UNORM x weight on the float path,
 * the integer product on the 8-bit one.
 */
function cornerTables(weights: Float64Array, float: boolean): CornerTables {
  const table = (w: number) => {
    const t = new Float64Array(256);
    for (let u = 0; u < 256; u++) t[u] = float ? f32(UNORM[u]! * w) : u * w;
    return t;
  };
  return [table(weights[0]!), table(weights[1]!), table(weights[2]!), table(weights[3]!)];
}

type CornerTables = [Float64Array, Float64Array, Float64Array, Float64Array];
/** Where the tables are not used (an RGBA image: every pixel takes the general sums). */
const NO_TABLES: CornerTables = [new Float64Array(0), new Float64Array(0), new Float64Array(0), new Float64Array(0)];

const f32 = Math.fround;
/** pixman_expand_to_float's multiplier for 8 bits, and every 8-bit value times it, as float32. */
const INV_255 = f32(1 / 255);
const UNORM = Float32Array.from({ length: 256 }, (_, u) => f32(u * INV_255));

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
  UNORM_PIXEL[0] = UNORM[r]!;
  UNORM_PIXEL[1] = UNORM[g]!;
  UNORM_PIXEL[2] = UNORM[b]!;
  UNORM_PIXEL[3] = UNORM[a]!;
  saturateFloat(out, d, UNORM_PIXEL);
}

/** combine's pixel as floats, for saturateFloat. */
const UNORM_PIXEL = new Float64Array(4);

/** pixman_float_to_unorm for 8 bits. */
function toUnorm8(f: number): number {
  const u = Math.trunc(f32(Math.min(1, Math.max(0, f)) * 256));
  return u - (u >> 8);
}

/** pixman's float SATURATE (Fa = min(1, (1 - da) / sa), Fb = 1) of a float32 premultiplied pixel onto the canvas at byte d. */
function saturateFloat(out: Uint8Array, d: number, px: Float64Array): void {
  if (out[d + 3] === 255) return; // nothing more fits: what is there stays, exactly
  if (out[d + 3] === 0) {
    // Onto nothing (premultiplied zeros) the factor is 1 and the sum the source.
    out[d] = toUnorm8(px[0]!);
    out[d + 1] = toUnorm8(px[1]!);
    out[d + 2] = toUnorm8(px[2]!);
    out[d + 3] = toUnorm8(px[3]!);
    return;
  }
  const a = px[3]!;
  const da = UNORM[out[d + 3]!]!;
  // FLOAT_IS_ZERO(sa): the factor is 1.
  let fa = 1;
  if (!(a > -1.1754943508222875e-38 && a < 1.1754943508222875e-38)) fa = Math.min(1, Math.max(0, f32(f32(1 - da) / a)));
  out[d] = toUnorm8(Math.min(1, f32(f32(px[0]! * fa) + UNORM[out[d]!]!)));
  out[d + 1] = toUnorm8(Math.min(1, f32(f32(px[1]! * fa) + UNORM[out[d + 1]!]!)));
  out[d + 2] = toUnorm8(Math.min(1, f32(f32(px[2]! * fa) + UNORM[out[d + 2]!]!)));
  out[d + 3] = toUnorm8(Math.min(1, f32(f32(a * fa) + da)));
}

/** The canvas as RGB over white (a slide's background), or null when nothing was painted. */
export function canvasOverWhite(canvas: Canvas): RgbImage | null {
  const { data, width, height } = canvas;
  const out = new Uint8Array(width * height * 3);
  return overWhite(data, out) ? { data: out, width, height, channels: 3 } : null;
}

/**
 * RGBA over white into RGB; whether any pixel was painted. The loop is a function of its own: V8
 * optimises it mid-loop, and code after it with no feedback yet deoptimised it there at every call.
 */
function overWhite(data: Uint8Array, out: Uint8Array): boolean {
  const byKernel = overWhiteWasm(data, out);
  if (byKernel !== null) return byKernel;
  let painted = false;
  for (let s = 0, d = 0; s < data.length; s += 4, d += 3) {
    const alpha = data[s + 3]!;
    // Opaque and empty pixels (most of them) need no sums: over white they are their colour, or white.
    if (alpha === 255) {
      painted = true;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    } else if (alpha === 0) {
      out[d] = 255;
      out[d + 1] = 255;
      out[d + 2] = 255;
    } else {
      const clear = 255 - alpha;
      painted = true;
      out[d] = Math.min(255, data[s]! + clear);
      out[d + 1] = Math.min(255, data[s + 1]! + clear);
      out[d + 2] = Math.min(255, data[s + 2]! + clear);
    }
  }
  return painted;
}
