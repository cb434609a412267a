import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlideError } from '../errors';
import { decodesJpegReduced, encodeJpegRgb, withJpegFast, withJpegReduced } from './turbojpeg';

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

/** The image's 2^halvings x 2^halvings means (edge blocks over the pixels they have). */
function boxMeans(image: { data: Uint8Array; width: number; height: number }, halvings: number): Uint8Array {
  const k = 2 ** halvings;
  const w = Math.ceil(image.width / k);
  const h = Math.ceil(image.height / k);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let yy = y * k; yy < Math.min(image.height, (y + 1) * k); yy++) {
          for (let xx = x * k; xx < Math.min(image.width, (x + 1) * k); xx++, n++) sum += image.data[(yy * image.width + xx) * 3 + c]!;
        }
        out[(y * w + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return out;
}

test('TurboJPEG decodes at reduced sizes on Linux and macOS (its library is reached through koffi)', () => {
  assert.equal(decodesJpegReduced(), process.platform === 'linux' || process.platform === 'darwin');
});

test('a reduced decode is the image at 1/2 and 1/4, each side rounded up, close to its box means', { skip: !decodesJpegReduced() }, () => {
  for (const [width, height] of [
    [240, 200],
    [65, 33],
  ] as const) {
    const image = gradient(width, height);
    const jpeg = encodeJpegRgb(image, 95);
    for (const halvings of [1, 2]) {
      withJpegReduced(jpeg, width, height, halvings, (decoded) => {
        assert.deepEqual([decoded.width, decoded.height], [Math.ceil(width / 2 ** halvings), Math.ceil(height / 2 ** halvings)]);
        assert.equal(decoded.data.length, decoded.width * decoded.height * 3);
        assert.ok(worstError(boxMeans(image, halvings), decoded.data) <= 6, `${width} x ${height} at 1/${2 ** halvings}`);
      });
    }
  }
});

test('a reduced decode of a damaged stream, or of one larger than its tile, is CORRUPT_DATA', { skip: !decodesJpegReduced() }, () => {
  const isCorrupt = (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA';
  const broken = encodeJpegRgb(gradient(64, 64), 90).slice(0, 200);
  broken.fill(0, 150);
  assert.throws(() => withJpegReduced(broken, 64, 64, 1, () => 0), isCorrupt);
  assert.throws(() => withJpegReduced(new Uint8Array([1, 2, 3]), 64, 64, 1, () => 0), isCorrupt);
  const large = encodeJpegRgb(gradient(128, 64), 90);
  assert.throws(() => withJpegReduced(large, 64, 64, 1, () => 0), isCorrupt);
});
