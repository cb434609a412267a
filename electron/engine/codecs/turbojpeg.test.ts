import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlideError } from '../errors';
import { encodeJpegRgb, withJpegFast } from './turbojpeg';

function gradient(width: number, height: number): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x;
      data[i + 1] = y;
      data[i + 2] = 255 - ((x + y) >> 1);
    }
  }
  return { data, width, height };
}

function worstError(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

test('encoded tiles own exactly their bytes (a cache counts what it keeps alive)', () => {
  const first = encodeJpegRgb(gradient(240, 240), 90);
  const second = encodeJpegRgb(gradient(240, 240), 80); // reuses the first call's output buffer
  for (const jpeg of [first, second]) {
    assert.deepEqual([jpeg[0], jpeg[1]], [0xff, 0xd8]);
    assert.equal(jpeg.byteOffset, 0);
    assert.equal(jpeg.buffer.byteLength, jpeg.byteLength);
  }
  assert.notDeepEqual(first, second);
});

test('a TurboJPEG round trip keeps pixels within JPEG q90 error, in a reused buffer', () => {
  const image = gradient(240, 200);
  const jpeg = encodeJpegRgb(image, 90);
  // Twice: the second decode reuses the first one's buffer and must not see its pixels.
  for (let round = 0; round < 2; round++) {
    withJpegFast(jpeg, 240, 200, (decoded) => {
      assert.deepEqual([decoded.width, decoded.height], [240, 200]);
      assert.ok(worstError(image.data, decoded.data) <= 8);
      decoded.data.fill(0);
    });
  }
});

test('a stream libjpeg rejects is CORRUPT_DATA', () => {
  const broken = encodeJpegRgb(gradient(64, 64), 90).slice(0, 200);
  broken.fill(0, 150);
  assert.throws(
    () => withJpegFast(broken, 64, 64, () => 0),
    (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA',
  );
});
