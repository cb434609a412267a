import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJpegFast, encodeJpegRgb } from './turbojpeg';

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
  const decoded = await decodeJpegFast(await encodeJpegRgb(image, 90));
  assert.equal(decoded.width, 240);
  assert.equal(decoded.height, 200);
  let worst = 0;
  for (let i = 0; i < image.data.length; i++) worst = Math.max(worst, Math.abs(image.data[i]! - decoded.data[i]!));
  assert.ok(worst <= 8, `worst channel error ${worst}`);
});
