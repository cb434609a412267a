// The WebAssembly SIMD kernels (pixel-kernels.wat) of halveRectInto and ycbcrToRgbInPlace: pixels are
// copied into the kernels' memory a band at a time, worked there, and copied out. Halving is a quarter
// of a half-size deep-zoom tile's work in plain JS, the YCbCr conversion a seventh of a JPEG 2000
// tile's decoding (docs/performance.md).

import type { RgbImage } from '../../../shared/slide';
import { PIXEL_KERNELS_WASM_BASE64 } from './pixel-kernels-wasm';

/** The kernels' memory never grows past this: a band of source rows and its output rows, or a band of YCbCr pixels. */
const MAX_MEMORY_BYTES = 4 * 1024 * 1024;
const WASM_PAGE_BYTES = 65536;

interface Kernel {
  memory: WebAssembly.Memory;
  halve(src: number, stride: number, rows: number, dst: number, dstStride: number, h: number, blocks: number): void;
  ycbcr_to_rgb(p: number, blocks: number): void;
}

let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
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
  for (let p0 = 0; p0 < pixels; p0 += YCBCR_BAND_PIXELS) {
    const band = data.subarray(p0 * 3, Math.min(pixels, p0 + YCBCR_BAND_PIXELS) * 3);
    const heap = heapOf(k, band.length);
    heap.set(band);
    k.ycbcr_to_rgb(0, band.length / 48);
    band.set(heap.subarray(0, band.length));
  }
  return pixels;
}

/** The kernels' memory as bytes, grown to hold at least `bytes`. */
function heapOf(k: Kernel, bytes: number): Uint8Array {
  if (k.memory.buffer.byteLength < bytes) k.memory.grow(Math.ceil((bytes - k.memory.buffer.byteLength) / WASM_PAGE_BYTES));
  return new Uint8Array(k.memory.buffer);
}
