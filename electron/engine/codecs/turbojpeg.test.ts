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

test('encoded tiles own exactly their bytes (a cache counts what it keeps alive)', async () => {
  const jpeg = await encodeJpegRgb(gradient(240, 240), 90);
  assert.equal(jpeg[0], 0xff);
  assert.equal(jpeg[1], 0xd8);
  assert.equal(jpeg.byteOffset, 0);
  assert.equal(jpeg.buffer.byteLength, jpeg.byteLength);
});

test('a TurboJPEG round trip keeps pixels within JPEG q90 error', async () => {
  const image = gradient(240, 200);
  const jpeg = await encodeJpegRgb(image, 90);
  // Twice: the second decode reuses the first one's buffer and must not see its pixels.
  for (let round = 0; round < 2; round++) {
    const worst = await withJpegFast(jpeg, 240, 200, undefined, (decoded) => {
      assert.deepEqual([decoded.width, decoded.height], [240, 200]);
      let max = 0;
      for (let i = 0; i < image.data.length; i++) max = Math.max(max, Math.abs(image.data[i]! - decoded.data[i]!));
      decoded.data.fill(0);
      return max;
    });
    assert.ok(worst <= 8, `worst channel error ${worst}`);
  }
});

test('a stream libjpeg rejects is CORRUPT_DATA with the slide path', async () => {
  const jpeg = await encodeJpegRgb(gradient(64, 64), 90);
  const broken = jpeg.slice(0, 200);
  broken.fill(0, 150);
  await assert.rejects(
    withJpegFast(broken, 64, 64, '/slides/a.svs', () => 0),
    (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA' && error.path === '/slides/a.svs',
  );
});
