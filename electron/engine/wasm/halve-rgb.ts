// The WebAssembly SIMD kernel of halveRectInto (halve-rgb.wat): a band of source rows is copied into
// the kernel's memory, halved there 8 output pixels at a time, and the output rows copied out.
// Halving is a quarter of a half-size deep-zoom tile's work in plain JS (docs/performance.md).

import type { RgbImage } from '../../../shared/slide';
import { HALVE_RGB_WASM_BASE64 } from './halve-rgb-wasm';

/** The kernel's memory never grows past this: a band of source rows and its output rows. */
const MAX_MEMORY_BYTES = 4 * 1024 * 1024;
const WASM_PAGE_BYTES = 65536;

interface Kernel {
  memory: WebAssembly.Memory;
  halve(src: number, stride: number, rows: number, dst: number, dstStride: number, h: number, blocks: number): void;
}

let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel === undefined) {
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(HALVE_RGB_WASM_BASE64, 'base64')));
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
    if (k.memory.buffer.byteLength < needed) k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / WASM_PAGE_BYTES));
    const heap = new Uint8Array(k.memory.buffer);
    heap.set(src.data.subarray(first * stride, end * stride));
    k.halve(sx * 3, stride, end - first, bandBytes, outStride, v1 - v0, blocks);
    for (let v = v0; v < v1; v++) {
      const from = bandBytes + (v - v0) * outStride;
      dst.data.set(heap.subarray(from, from + outStride), ((dy + v) * dst.width + dx) * 3);
    }
  }
  return blocks * 8;
}
