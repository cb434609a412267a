import assert from 'node:assert/strict';
import { test } from 'node:test';
import turbo from '@julusian/jpeg-turbo';
import sharp from 'sharp';
import { SlideError } from '../errors';
import { halveRgb } from '../pixels';
import { encodeJpegRgb, withJpegFast, withJpegReduced } from './turbojpeg';
import { jpegStreamDecoder } from './turbojpeg3';

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

const scales = jpegStreamDecoder() !== null;
const isCorrupt = (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA';

/** The reduced decode's pixels (a copy: the buffer is reused), or null where it declined. */
function reducedOf(jpeg: Uint8Array, width: number, height: number, halvings: number): { data: Uint8Array; width: number; height: number } | null {
  return withJpegReduced(jpeg, width, height, halvings, (pixels) => (pixels ? { ...pixels, data: pixels.data.slice() } : null))?.value ?? null;
}

test('a reduced decode into its place in a larger image: the same pixels, rows at its pitch, nothing else touched', { skip: !scales }, async () => {
  const image = gradient(240, 240);
  const jpeg = await sharp(image.data, { raw: { width: 240, height: 240, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const packed = reducedOf(jpeg, 240, 240, 1)!;
  // A 300 x 200 image; the 120 x 120 tile at (50, 30).
  const big = new Uint8Array(300 * 200 * 3).fill(7);
  const place = { data: big, offset: (30 * 300 + 50) * 3, pitch: 300 * 3, width: 120, height: 120 };
  assert.equal(withJpegReduced(jpeg, 240, 240, 1, (pixels) => pixels, place)?.value, null);
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 300; x++) {
      const inside = x >= 50 && x < 170 && y >= 30 && y < 150;
      const at = (y * 300 + x) * 3;
      const expected = inside ? packed.data.subarray(((y - 30) * 120 + (x - 50)) * 3, ((y - 30) * 120 + (x - 50)) * 3 + 3) : [7, 7, 7];
      assert.deepEqual([...big.subarray(at, at + 3)], [...expected], `pixel ${x},${y}`);
    }
  }
  // A place of another size is not written: the pixels come in the reused buffer.
  const other = new Uint8Array(300 * 200 * 3).fill(7);
  const copied = withJpegReduced(jpeg, 240, 240, 1, (pixels) => pixels?.width, { ...place, data: other, width: 100 });
  assert.equal(copied?.value, 120);
  assert.ok(other.every((v) => v === 7));
  // A pitch too short for a row, or a place that ends past the image, is refused before libjpeg writes.
  assert.throws(() => withJpegReduced(jpeg, 240, 240, 1, () => 0, { ...place, pitch: 100 }), isCorrupt);
  assert.throws(() => withJpegReduced(jpeg, 240, 240, 1, () => 0, { ...place, offset: big.length - 1000 }), isCorrupt);
});

test('TurboJPEG decodes at reduced sizes on Linux and macOS (its library is reached through koffi)', () => {
  assert.equal(scales, process.platform === 'linux' || process.platform === 'darwin');
});

test('a reduced decode is the image at 1/2 and 1/4, each side rounded up, close to its box means', { skip: !scales }, async () => {
  for (const [width, height] of [
    [240, 200],
    [65, 33],
  ] as const) {
    const image = gradient(width, height);
    const raw = Buffer.from(image.data);
    const streams: Array<[string, Uint8Array, number]> = [
      ['4:4:4', encodeJpegRgb(image, 95), 6],
      ['4:2:0', turbo.compressSync(raw, { format: turbo.FORMAT_RGB, width, height, quality: 95, subsampling: turbo.SAMP_420 }), 8],
      [
        'progressive',
        await sharp(raw, { raw: { width, height, channels: 3 } })
          .jpeg({ quality: 95, progressive: true, chromaSubsampling: '4:4:4' })
          .toBuffer(),
        6,
      ],
    ];
    for (const [kind, jpeg, tolerance] of streams) {
      for (const halvings of [1, 2]) {
        const decoded = reducedOf(jpeg, width, height, halvings);
        assert.ok(decoded, `${kind} ${width} x ${height}`);
        assert.deepEqual([decoded.width, decoded.height], [Math.ceil(width / 2 ** halvings), Math.ceil(height / 2 ** halvings)]);
        assert.equal(decoded.data.length, decoded.width * decoded.height * 3);
        assert.ok(worstError(boxMeans(image, halvings), decoded.data) <= tolerance, `${kind} ${width} x ${height} at 1/${2 ** halvings}`);
      }
    }
  }
  // Greyscale comes out as RGB with three equal channels.
  const grey = await sharp(Buffer.alloc(64 * 48, 90), { raw: { width: 64, height: 48, channels: 1 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  const decoded = reducedOf(grey, 64, 48, 1);
  assert.deepEqual([decoded?.width, decoded?.height], [32, 24]);
  assert.ok(decoded?.data.every((v) => Math.abs(v - 90) <= 2));
});

test('a reduced decode agrees with the whole decode halved (the path where TurboJPEG cannot scale)', { skip: !scales }, () => {
  const image = gradient(240, 240);
  const jpeg = encodeJpegRgb(image, 90);
  const reduced = reducedOf(jpeg, 240, 240, 1);
  const halved = withJpegFast(jpeg, 240, 240, (pixels) => halveRgb({ ...pixels, channels: 3 }));
  assert.ok(reduced);
  assert.deepEqual([halved.width, halved.height], [reduced.width, reduced.height]);
  assert.ok(worstError(halved.data, reduced.data) <= 4);
});

/** A JPEG header of the given frame marker and precision, 16 x 16, one component, up to its scan. */
function headerOnly(sof: number, precision: number): Uint8Array {
  const frame = [0xff, sof, 0, 11, precision, 0, 16, 0, 16, 1, 1, 0x11, 0];
  const scan = [0xff, 0xda, 0, 8, 1, 1, 0, sof === 0xc3 ? 1 : 0, sof === 0xc3 ? 0 : 63, 0];
  return new Uint8Array([0xff, 0xd8, ...frame, ...scan, 0, 0, 0xff, 0xd9]);
}

test('lossless and 12-bit streams are declined (libjpeg does not scale them), before anything is decoded', { skip: !scales }, () => {
  for (const [sof, precision] of [
    [0xc3, 8],
    [0xc1, 12],
  ] as const) {
    let used = false;
    assert.equal(
      withJpegReduced(headerOnly(sof, precision), 16, 16, 1, () => {
        used = true;
      }),
      null,
    );
    assert.equal(used, false);
  }
});

test('a damaged stream, or one larger than its tile, is CORRUPT_DATA, and the next stream still decodes', { skip: !scales }, () => {
  const good = encodeJpegRgb(gradient(64, 64), 90);
  const truncated = good.slice(0, 200);
  truncated.fill(0, 150);
  // A frame header with no components: libjpeg gives up part-way through the header.
  const badFrame = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 8, 8, 0, 16, 0, 16, 0, 0xff, 0xd9]);
  for (const broken of [truncated, new Uint8Array([1, 2, 3]), badFrame, encodeJpegRgb(gradient(128, 64), 90)]) {
    assert.throws(() => withJpegReduced(broken, 64, 64, 1, () => 0), isCorrupt);
    assert.deepEqual([reducedOf(good, 64, 64, 1)?.width, reducedOf(good, 64, 64, 1)?.height], [32, 32]);
  }
});

test('what the caller of a reduced decode throws is its own', { skip: !scales }, () => {
  const jpeg = encodeJpegRgb(gradient(64, 64), 90);
  assert.throws(
    () =>
      withJpegReduced(jpeg, 64, 64, 1, () => {
        throw new RangeError('mine');
      }),
    (error: unknown) => error instanceof RangeError && error.message === 'mine',
  );
});
