import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePixelKernels } from '../../../scripts/make-pixel-kernels-wasm';
import { ycbcrToRgbInPlace } from '../codecs/jpeg2000-decoder';
import { overWhiteWasm, ycbcrRunsSimd } from './pixel-kernels';
import { PIXEL_KERNELS_WASM_BASE64 } from './pixel-kernels-wasm';

test('the stored kernel is its source compiled: pixel-kernels-wasm.ts is regenerated after every edit of pixel-kernels.wat', async () => {
  assert.equal(Buffer.from(await compilePixelKernels()).toString('base64'), PIXEL_KERNELS_WASM_BASE64);
});

/** libjpeg's full-range YCbCr -> RGB (jdcolor.c), one pixel at a time: the reference for both paths. */
function referenceRgb(y: number, cb: number, cr: number): [number, number, number] {
  return [
    clamp(y + ((91881 * (cr - 128) + 32768) >> 16)),
    clamp(y + ((-22554 * (cb - 128) - 46802 * (cr - 128) + 32768) >> 16)),
    clamp(y + ((116130 * (cb - 128) + 32768) >> 16)),
  ];
}

function clamp(v: number): number {
  return Math.min(255, Math.max(0, v));
}

test('YCbCr -> RGB: every (Y, Cb, Cr) as libjpeg converts it, across the SIMD bands and the scalar tail', () => {
  // 2^24 pixels and 5 more: several of the kernel's bands, and a tail of 5 pixels for the tables.
  const count = 2 ** 24 + 5;
  const data = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    data[i * 3] = (i >> 16) & 255;
    data[i * 3 + 1] = (i >> 8) & 255;
    data[i * 3 + 2] = i & 255;
  }
  // The same pixels again in runs of 15, too short for the kernel: every one through the tables.
  const scalar = data.slice();
  for (let p = 0; p < count; p += 15) ycbcrToRgbInPlace(scalar.subarray(p * 3, Math.min(count, p + 15) * 3));
  ycbcrToRgbInPlace(data);
  assert.ok(Buffer.from(scalar.buffer).equals(Buffer.from(data.buffer)), 'the tables and the kernel agree');
  for (let i = 0; i < count; i++) {
    const [y, cb, cr] = [(i >> 16) & 255, (i >> 8) & 255, i & 255];
    const [r, g, b] = referenceRgb(y, cb, cr);
    if (data[i * 3] !== r || data[i * 3 + 1] !== g || data[i * 3 + 2] !== b)
      assert.fail(`pixel ${i}: got ${data.subarray(i * 3, i * 3 + 3).join(',')}, expected ${r},${g},${b}`);
  }
});

test('YCbCr -> RGB: the SIMD runs and the tables agree on short and odd lengths, in a view at an offset', () => {
  for (const pixels of [1, 15, 16, 17, 31, 33, 100]) {
    const backing = new Uint8Array(7 + pixels * 3 + 5);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 97 + pixels * 13) & 255;
    const view = backing.subarray(7, 7 + pixels * 3);
    const expected = Array.from({ length: pixels }, (_, p) => referenceRgb(view[p * 3]!, view[p * 3 + 1]!, view[p * 3 + 2]!)).flat();
    const before = backing.slice(0, 7);
    const after = backing.slice(7 + pixels * 3);
    ycbcrToRgbInPlace(view);
    assert.deepEqual([...view], expected, `${pixels} pixels`);
    assert.deepEqual(backing.subarray(0, 7), before, 'bytes before the view untouched');
    assert.deepEqual(backing.subarray(7 + pixels * 3), after, 'bytes after the view untouched');
    assert.equal(ycbcrRunsSimd(new Uint8Array(pixels * 3)), Math.floor(pixels / 16) * 16);
  }
});

test('YCbCr -> RGB: red and blue as OpenSlide tabulates them, C round() of 1.402 and 1.772 times the chroma', () => {
  // Y at 0 shows the positive terms unclamped, Y at 255 the negative ones; the other chroma at 128.
  const openSlide = (k: number, c: number) => Math.sign(c - 128) * Math.round(Math.abs(k * (c - 128)));
  for (const y of [0, 255])
    for (let c = 0; c < 256; c++) {
      const data = Uint8Array.of(y, 128, c, y, c, 128);
      ycbcrToRgbInPlace(data);
      assert.equal(data[0], clamp(y + openSlide(1.402, c)), `red, Y ${y}, Cr ${c}`);
      assert.equal(data[5], clamp(y + openSlide(1.772, c)), `blue, Y ${y}, Cb ${c}`);
    }
  // 1.772 x -125 is -221.5 exactly: C rounds it to -222 (libjpeg's fixed point too), Math.round to -221.
  const data = Uint8Array.of(250, 3, 128);
  ycbcrToRgbInPlace(data);
  assert.equal(data[2], 250 - 222);
});

test('over white: premultiplied RGBA onto white as RGB, across bands, and whether anything was painted', () => {
  // More pixels than one band of the kernel's memory holds; alphas 0, 255 and between.
  const pixels = 700_001;
  const data = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const a = [0, 255, (i * 37) & 255][i % 3]!;
    data[i * 4] = Math.min(a, (i * 13) & 255);
    data[i * 4 + 1] = Math.min(a, (i * 7) & 255);
    data[i * 4 + 2] = Math.min(a, (i * 101) & 255);
    data[i * 4 + 3] = a;
  }
  const out = new Uint8Array(pixels * 3);
  assert.equal(overWhiteWasm(data, out), true);
  for (let i = 0; i < pixels; i++) {
    const clear = 255 - data[i * 4 + 3]!;
    for (let c = 0; c < 3; c++) {
      const expected = Math.min(255, data[i * 4 + c]! + clear);
      if (out[i * 3 + c] !== expected) assert.fail(`pixel ${i} channel ${c}: ${out[i * 3 + c]}, expected ${expected}`);
    }
  }
  const empty = new Uint8Array(5 * 4);
  const white = new Uint8Array(5 * 3);
  assert.equal(overWhiteWasm(empty, white), false);
  assert.deepEqual([...white], new Array(15).fill(255));
});
