// The WebAssembly kernels (pixel-kernels.wat) of halveRectInto, ycbcrToRgbInPlace and the stitching
// compositor's pixel loops: pixels are copied into the kernels' memory a band at a time, worked there,
// and copied out. Halving is a quarter of a half-size deep-zoom tile's work in plain JS, the YCbCr
// conversion a seventh of a JPEG 2000 tile's decoding; the compositor's loops run several times faster
// than V8 makes them, from a fresh engine's first slide on (docs/performance.md).

import type { RgbImage } from '../../../shared/slide';
import { PIXEL_KERNELS_WASM_BASE64 } from './pixel-kernels-wasm';

/** The kernels' memory never grows past this: a band of source rows and its output rows, or a band of YCbCr pixels. */
const MAX_MEMORY_BYTES = 4 * 1024 * 1024;
const WASM_PAGE_BYTES = 65536;

interface Kernel {
  memory: WebAssembly.Memory;
  halve(src: number, stride: number, rows: number, dst: number, dstStride: number, h: number, blocks: number): void;
  ycbcr_to_rgb(p: number, blocks: number): void;
  paint_whole(dst: number, dstStride: number, src: number, srcStride: number, w: number, h: number, mode: PaintMode): void;
  paint_bilinear(
    dst: number,
    dstStride: number,
    src: number,
    srcStride: number,
    w: number,
    h: number,
    mode: PaintMode,
    alpha: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
  ): void;
  over_white(src: number, dst: number, n: number): number;
  lzw_decode(input: number, inputLength: number, out: number, cap: number): number;
  unpredict8(p: number, rowBytes: number, rows: number, stride: number): void;
}

let kernel: Kernel | null | undefined;
let scalarOnly = false;

/**
 * While set, every kernel declines and its caller's JS loop does all the work: the path of a runtime
 * without WebAssembly SIMD, which the tests hold to the same results.
 */
export function setScalarPixelLoops(on: boolean): void {
  scalarOnly = on;
}

function loadKernel(): Kernel | null {
  if (scalarOnly) return null;
  if (kernel === undefined) {
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(PIXEL_KERNELS_WASM_BASE64, 'base64')));
      kernel = instance.exports as unknown as Kernel;
    } catch {
      // A runtime without WebAssembly SIMD: the caller's scalar loop does every pixel.
      kernel = null;
    }
  }
  return kernel;
}

/**
 * Writes the first 8n output pixels of each of h rows as halveRectInto does, n the whole runs of 8
 * in `inner` (the output pixels whose 2x2 block lies inside src's width), and returns 8n: the
 * caller writes the rest. 0 where the kernel cannot run.
 */
export function halveRunsSimd(src: RgbImage, sx: number, sy: number, inner: number, h: number, dst: RgbImage, dx: number, dy: number): number {
  const blocks = inner >> 3;
  const k = blocks > 0 && h > 0 ? loadKernel() : null;
  if (!k) return 0;
  const stride = src.width * 3;
  const outStride = blocks * 24;
  const rowsPerBand = Math.floor(MAX_MEMORY_BYTES / (2 * stride + outStride));
  if (rowsPerBand === 0) return 0;
  for (let v0 = 0; v0 < h; v0 += rowsPerBand) {
    const v1 = Math.min(h, v0 + rowsPerBand);
    // Rows past src's last repeat it: the kernel clamps to the band's rows, which end there.
    const first = Math.min(sy + 2 * v0, src.height - 1);
    const end = Math.min(sy + 2 * v1, src.height);
    const bandBytes = (end - first) * stride;
    const needed = bandBytes + (v1 - v0) * outStride;
    const heap = heapOf(k, needed);
    heap.set(src.data.subarray(first * stride, end * stride));
    k.halve(sx * 3, stride, end - first, bandBytes, outStride, v1 - v0, blocks);
    for (let v = v0; v < v1; v++) {
      const from = bandBytes + (v - v0) * outStride;
      dst.data.set(heap.subarray(from, from + outStride), ((dy + v) * dst.width + dx) * 3);
    }
  }
  return blocks * 8;
}

/** Pixels the YCbCr kernel converts per band: 16-pixel runs within the memory cap. */
const YCBCR_BAND_PIXELS = Math.floor(MAX_MEMORY_BYTES / 48) * 16;

/**
 * Converts the first 16n pixels of interleaved full-range YCbCr to RGB in place as ycbcrToRgbInPlace
 * does, n the whole runs of 16, and returns 16n: the caller converts the rest. 0 where the kernel
 * cannot run.
 */
export function ycbcrRunsSimd(data: Uint8Array): number {
  const runs = Math.floor(data.length / 48);
  const k = runs > 0 ? loadKernel() : null;
  if (!k) return 0;
  const pixels = runs * 16;
  inPlaceInBands(k, data.subarray(0, pixels * 3), YCBCR_BAND_PIXELS * 3, (bytes) => k.ycbcr_to_rgb(0, bytes / 48));
  return pixels;
}

/** `data` worked in place in bands of `bandBytes` (whole units of the kernel's): each copied in at 0, worked by `work`, copied back. */
function inPlaceInBands(k: Kernel, data: Uint8Array, bandBytes: number, work: (bytes: number) => void): void {
  for (let at = 0; at < data.length; at += bandBytes) {
    const band = data.subarray(at, Math.min(data.length, at + bandBytes));
    const heap = heapOf(k, band.length);
    heap.set(band);
    work(band.length);
    band.set(heap.subarray(0, band.length));
  }
}

/** The kernels' memory as bytes, grown to hold at least `bytes`. */
function heapOf(k: Kernel, bytes: number): Uint8Array {
  if (k.memory.buffer.byteLength < bytes) k.memory.grow(Math.ceil((bytes - k.memory.buffer.byteLength) / WASM_PAGE_BYTES));
  return new Uint8Array(k.memory.buffer);
}

/** The compositor's operators as the kernels number them: a copy, pixman's 8-bit OVER_REVERSE, its float SATURATE. */
export const PaintMode = { source: 0, overReverse: 1, floatSaturate: 2 } as const;
export type PaintMode = (typeof PaintMode)[keyof typeof PaintMode];

/** Pixels of an image buffer: from byte `at`, rows `stride` bytes apart. */
export interface PixelRows {
  data: Uint8Array;
  at: number;
  stride: number;
}

/**
 * Paints w x h pixels of an opaque RGB source onto premultiplied RGBA, as tile-compositor's paintWhole
 * does for modes overReverse and floatSaturate. False where the kernel cannot run: the caller paints them.
 */
export function paintWholeWasm(
  dst: PixelRows,
  src: PixelRows,
  w: number,
  h: number,
  mode: typeof PaintMode.overReverse | typeof PaintMode.floatSaturate,
): boolean {
  return paintInBands(dst, src, w, h, 0, (k, d, s, rows) => k.paint_whole(d, w * 4, s, w * 3, w, rows, mode));
}

/**
 * Paints w x h pixels of premultiplied RGBA, each from the source pixel at its own position and its
 * right, lower and lower-right neighbours (all inside the source) with the corners' `weights` (float32
 * on the float path, whose source alpha is `alpha`; 7-bit products on the 8-bit one), as the inside
 * block of tile-compositor's paintResampled. False where the kernel cannot run.
 */
export function paintBilinearWasm(dst: PixelRows, src: PixelRows, w: number, h: number, mode: PaintMode, weights: Float64Array, alpha: number): boolean {
  const [w0, w1, w2, w3] = weights;
  return paintInBands(dst, src, w, h, 1, (k, d, s, rows) => k.paint_bilinear(d, w * 4, s, (w + 1) * 3, w, rows, mode, alpha, w0!, w1!, w2!, w3!));
}

/**
 * Bands of rows through the kernel: each band's source rows (w + extra pixels, and `extra` rows
 * more) and canvas rows copied in, painted by `paint`, the canvas rows copied back. The source rows
 * are followed by the canvas rows: a 4-byte read of the source's last pixel stays in the memory.
 */
function paintInBands(
  dst: PixelRows,
  src: PixelRows,
  w: number,
  h: number,
  extra: 0 | 1,
  paint: (k: Kernel, dstPtr: number, srcPtr: number, rows: number) => void,
): boolean {
  const k = w > 0 && h > 0 ? loadKernel() : null;
  if (!k) return false;
  const srcRow = (w + extra) * 3;
  const dstRow = w * 4;
  const rowsPerBand = Math.floor((MAX_MEMORY_BYTES - extra * srcRow) / (srcRow + dstRow));
  if (rowsPerBand < 1) return false;
  for (let v0 = 0; v0 < h; v0 += rowsPerBand) {
    const rows = Math.min(h, v0 + rowsPerBand) - v0;
    const srcPtr = 0;
    const dstPtr = (rows + extra) * srcRow;
    const heap = heapOf(k, dstPtr + rows * dstRow);
    for (let r = 0; r < rows + extra; r++) {
      const from = src.at + (v0 + r) * src.stride;
      heap.set(src.data.subarray(from, from + srcRow), srcPtr + r * srcRow);
    }
    for (let r = 0; r < rows; r++) {
      const from = dst.at + (v0 + r) * dst.stride;
      heap.set(dst.data.subarray(from, from + dstRow), dstPtr + r * dstRow);
    }
    paint(k, dstPtr, srcPtr, rows);
    for (let r = 0; r < rows; r++) dst.data.set(heap.subarray(dstPtr + r * dstRow, dstPtr + (r + 1) * dstRow), dst.at + (v0 + r) * dst.stride);
  }
  return true;
}

/** Pixels overWhiteWasm converts per band: 4 bytes in, 3 out each. */
const OVER_WHITE_BAND_PIXELS = Math.floor(MAX_MEMORY_BYTES / 7);

/** Premultiplied RGBA over white into RGB, as tile-compositor's overWhite; whether any pixel was painted, or null where the kernel cannot run. */
export function overWhiteWasm(data: Uint8Array, out: Uint8Array): boolean | null {
  const pixels = data.length >> 2;
  const k = pixels > 0 ? loadKernel() : null;
  if (!k) return null;
  let painted = false;
  for (let p0 = 0; p0 < pixels; p0 += OVER_WHITE_BAND_PIXELS) {
    const n = Math.min(pixels, p0 + OVER_WHITE_BAND_PIXELS) - p0;
    const heap = heapOf(k, n * 7);
    heap.set(data.subarray(p0 * 4, (p0 + n) * 4));
    if (k.over_white(0, n * 4, n) !== 0) painted = true;
    out.set(heap.subarray(n * 4, n * 7), p0 * 3);
  }
  return painted;
}

/** Where lzw_decode's string table ends: its input and output follow. */
const LZW_TABLES_END = 24584;

/** How an LZW block went wrong in the kernel: the output would pass its end, or a code cannot be. */
export type LzwFailure = { kind: 'overflow' } | { kind: 'after-clear'; code: number } | { kind: 'not-in-table'; code: number; tableSize: number };

/**
 * TIFF LZW decoded into `out` (never past its end) as lzwDecodeInto decodes it: the bytes written, a
 * failure, or null where the kernel cannot run (no kernel, or a block past its memory).
 */
export function lzwDecodeWasm(input: Uint8Array, out: Uint8Array): number | LzwFailure | null {
  const bytes = LZW_TABLES_END + input.length + out.length;
  const k = bytes <= MAX_MEMORY_BYTES ? loadKernel() : null;
  if (!k) return null;
  const heap = heapOf(k, bytes);
  const outAt = LZW_TABLES_END + input.length;
  heap.set(input, LZW_TABLES_END);
  const written = k.lzw_decode(LZW_TABLES_END, input.length, outAt, out.length);
  if (written >= 0) {
    out.set(heap.subarray(outAt, outAt + written));
    return written;
  }
  const failure = new Int32Array(k.memory.buffer, 0, 2);
  if (written === -1) return { kind: 'overflow' };
  if (written === -2) return { kind: 'after-clear', code: failure[0]! };
  return { kind: 'not-in-table', code: failure[0]!, tableSize: failure[1]! };
}

/**
 * TIFF Predictor 2 undone in place on 8-bit samples: whole rows of `rowBytes`, each byte plus the one
 * `stride` before it. False where the kernel cannot run.
 */
export function unpredict8Wasm(data: Uint8Array, rowBytes: number, stride: number): boolean {
  const rows = Math.floor(data.length / rowBytes);
  const k = rows > 0 && stride > 0 ? loadKernel() : null;
  if (!k) return false;
  const rowsPerBand = Math.floor(MAX_MEMORY_BYTES / rowBytes);
  if (rowsPerBand < 1) return false;
  inPlaceInBands(k, data.subarray(0, rows * rowBytes), rowsPerBand * rowBytes, (bytes) => k.unpredict8(0, rowBytes, bytes / rowBytes, stride));
  return true;
}
