import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePixelKernels } from '../../../scripts/make-pixel-kernels-wasm';
import { ycbcrToRgbInPlace } from '../codecs/jpeg2000-decoder';
import { ycbcrRunsSimd } from './pixel-kernels';
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
  ycbcrToRgbInPlace(data);
  for (let i = 0; i < count; i++) {
    const [y, cb, cr] = [(i >> 16) & 255, (i >> 8) & 255, i & 255];
    const [r, g, b] = referenceRgb(y, cb, cr);
    if (data[i * 3] !== r || data[i * 3 + 1] !== g || data[i * 3 + 2] !== b)
      assert.fail(`pixel ${i}: got ${data.subarray(i * 3, i * 3 + 3).join(',')}, expected ${r},${g},${b}`);
  }
});

test('YCbCr -> RGB: the SIMD runs and the tables agree on short and odd lengths, in a view at an offset', () => {
  for (const pixels of [1, 15, 16, 17, 31, 33, 100]) {
    const backing = new Uint8Array(pixels * 3 + 7);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 97 + pixels * 13) & 255;
    const view = backing.subarray(7);
    const expected = Array.from({ length: pixels }, (_, p) => referenceRgb(view[p * 3]!, view[p * 3 + 1]!, view[p * 3 + 2]!)).flat();
    const before = backing.slice(0, 7);
    ycbcrToRgbInPlace(view);
    assert.deepEqual([...view], expected, `${pixels} pixels`);
    assert.deepEqual(backing.subarray(0, 7), before, 'bytes before the view untouched');
    assert.equal(ycbcrRunsSimd(new Uint8Array(pixels * 3)), Math.floor(pixels / 16) * 16);
  }
});

test('YCbCr -> RGB rounds half away from zero as OpenSlide and libjpeg do: Cb 3 takes 221.5 off blue', () => {
  const data = Uint8Array.of(250, 3, 128);
  ycbcrToRgbInPlace(data);
  assert.equal(data[2], 250 - 222);
});
