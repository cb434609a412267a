import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIMITS } from '../../shared/limits';
import type { RgbImage } from '../../shared/slide';
import { seededRandom } from '../synth/random';
import { halveRectInto, halveRgb, sharpFrom } from './pixels';

/** The 2x2 mean written the obvious way, clamping every coordinate to the source. */
function naiveHalve(src: RgbImage, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const at = (x: number, y: number, c: number) => src.data[(Math.min(y, src.height - 1) * src.width + Math.min(x, src.width - 1)) * 3 + c]!;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        out[(y * width + x) * 3 + c] = (at(2 * x, 2 * y, c) + at(2 * x + 1, 2 * y, c) + at(2 * x, 2 * y + 1, c) + at(2 * x + 1, 2 * y + 1, c) + 2) >> 2;
      }
    }
  }
  return out;
}

test('halveRgb is the rounded 2x2 mean, edges repeated, for runs of 8, odd, cropped and overhanging sizes', () => {
  const random = seededRandom(7);
  for (const [w, h, ow, oh] of [
    [240, 240, 120, 120],
    [240, 240, 100, 90],
    [8, 6, 5, 4],
    [12, 3, 6, 2],
    [7, 5, 4, 3],
    [9, 4, 3, 2],
    [1, 1, 1, 1],
    [6, 6, 4, 4],
    [64, 10, 32, 8],
    [50, 7, 30, 6],
  ] as const) {
    const src: RgbImage = { data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(random() * 256)), width: w, height: h, channels: 3 };
    const half = halveRgb(src, ow, oh);
    assert.deepEqual([half.width, half.height], [ow, oh]);
    assert.deepEqual(half.data, naiveHalve(src, ow, oh), `${w}x${h} -> ${ow}x${oh}`);
  }
  // A source that starts at an odd byte of its buffer.
  const backing = Uint8Array.from({ length: 8 * 4 * 3 + 1 }, () => Math.floor(random() * 256));
  const offset: RgbImage = { data: backing.subarray(1), width: 8, height: 4, channels: 3 };
  assert.deepEqual(halveRgb(offset).data, naiveHalve(offset, 4, 2));
});

test('halveRectInto writes a sub-rectangle at half size where asked, from any origin', () => {
  const random = seededRandom(11);
  const src: RgbImage = { data: Uint8Array.from({ length: 24 * 10 * 3 }, () => Math.floor(random() * 256)), width: 24, height: 10, channels: 3 };
  for (const [sx, sy, w, h, dx, dy] of [
    [8, 2, 5, 3, 1, 2],
    [6, 4, 9, 5, 0, 0],
    [0, 0, 12, 5, 3, 1],
    [20, 8, 4, 2, 2, 3],
  ] as const) {
    const dst: RgbImage = { data: new Uint8Array(16 * 8 * 3).fill(7), width: 16, height: 8, channels: 3 };
    halveRectInto(src, sx, sy, w, h, dst, dx, dy);
    // Reference: the whole source halved from (sx, sy), then placed.
    const shifted: RgbImage = { data: new Uint8Array((24 - sx) * (10 - sy) * 3), width: 24 - sx, height: 10 - sy, channels: 3 };
    for (let y = 0; y < shifted.height; y++) shifted.data.set(src.data.subarray(((sy + y) * 24 + sx) * 3, ((sy + y) * 24 + 24) * 3), y * shifted.width * 3);
    const expected = naiveHalve(shifted, w, h);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 16; x++) {
        const inside = x >= dx && x < dx + w && y >= dy && y < dy + h;
        const got = [...dst.data.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3)];
        const want = inside ? [...expected.subarray(((y - dy) * w + (x - dx)) * 3, ((y - dy) * w + (x - dx)) * 3 + 3)] : [7, 7, 7];
        assert.deepEqual(got, want, `origin ${sx},${sy} pixel ${x},${y}`);
      }
    }
  }
});

test('halveRgb halves rows wider than the SIMD kernel takes at once, band by band or without it', () => {
  const random = seededRandom(13);
  // 100000 px rows: the kernel's 4 MB hold 5 output rows a band; 1000000 px rows: not one, so JS does all.
  for (const [w, h] of [
    [100_000, 23],
    [1_000_000, 3],
  ] as const) {
    const src: RgbImage = { data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(random() * 256)), width: w, height: h, channels: 3 };
    const half = halveRgb(src);
    assert.ok(Buffer.from(half.data).equals(Buffer.from(naiveHalve(src, half.width, half.height))), `${w} x ${h}`);
  }
});

test("libvips takes pixels already in memory past sharp's default 268 Mpx guard (an export may have 400 Mpx)", async () => {
  const width = 16_400;
  const height = 16_400;
  assert.ok(width * height > 0x3fff * 0x3fff && width * height <= LIMITS.maxExportPixels);
  const image: RgbImage = { data: new Uint8Array(width * height * 3), width, height, channels: 3 };
  const { info } = await sharpFrom(image).resize(8, 8).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [8, 8]);
});
