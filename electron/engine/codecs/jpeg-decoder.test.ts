// The exact JPEG decode gives sharp's pixels, byte for byte, on every kind of stream the slides hold,
// whether TurboJPEG or sharp decodes it; and what TurboJPEG is not given still decodes, or fails, as
// sharp rules.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import turbo from '@julusian/jpeg-turbo';
import sharp from 'sharp';
import { encodeRestartJpeg } from '../../../testing/writers/ndpi';
import { JpegTileEncoder } from '../../synth/jpeg-tiles';
import { hash2 } from '../../synth/random';
import { SlideError } from '../errors';
import { decodeJpeg } from './jpeg-decoder';
import { completeJpeg } from './jpeg-stream';
import { jpegStreamDecoder } from './turbojpeg3';

const RGB = 2;
const YCBCR = 6;

/** Texture with edges and noise: an IDCT or upsampling that differs shows in it. */
function texture(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const noise = hash2(x, y, seed) & 63;
      data[i] = ((x * 7) ^ (y * 3)) & 255;
      data[i + 1] = (x + y < width ? 200 : 40) + (noise >> 1);
      data[i + 2] = 128 + Math.round(100 * Math.sin((x * y) / 97)) - (noise >> 2);
    }
  }
  return data;
}

/** sharp's decode, as the engine made every exact decode before TurboJPEG. */
async function bySharp(jpeg: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(jpeg, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

/** TurboJPEG's exact decode alone; null where it declines the stream or libjpeg warns. */
function byTurboJpeg(jpeg: Uint8Array): Uint8Array | null {
  return (
    jpegStreamDecoder()?.withStream(jpeg, (stream) => {
      if (!stream.scalable || !stream.rgb) return null;
      const out = new Uint8Array(stream.width * stream.height * 3);
      return stream.decodeExact(out) ? out : null;
    }) ?? null
  );
}

const direct = jpegStreamDecoder() !== null;

/** decodeJpeg gives sharp's pixels; `byTurbo`: and TurboJPEG decodes the stream itself (where its library is reached). */
async function assertSameAsSharp(what: string, tile: Uint8Array, width: number, height: number, photometric = YCBCR, tables?: Uint8Array, byTurbo = true) {
  const decoded = await decodeJpeg(tile, { tileWidth: width, tileHeight: height, photometric, jpegTables: tables });
  const stream = completeJpeg(tile, tables, photometric === RGB);
  const reference = await bySharp(stream);
  assert.deepEqual([decoded.width, decoded.height, decoded.channels], [reference.width, reference.height, reference.channels], what);
  assert.ok(Buffer.from(decoded.data).equals(Buffer.from(reference.data)), `${what}: the pixels differ from sharp's`);
  if (byTurbo && direct)
    assert.ok(Buffer.from(byTurboJpeg(stream) ?? []).equals(Buffer.from(reference.data)), `${what}: TurboJPEG did not decode it to sharp's pixels`);
}

test('TurboJPEG decodes exactly here (its library is reached through koffi on Linux and macOS)', {
  skip: !['linux', 'darwin'].includes(process.platform),
}, () => {
  assert.notEqual(jpegStreamDecoder(), null);
});

test("exact decodes are sharp's pixels: chroma 4:4:4, 4:2:2, 4:2:0, 4:4:0, grey, odd sizes", async () => {
  for (const [name, subsampling] of [
    ['4:4:4', turbo.SAMP_444],
    ['4:2:2', turbo.SAMP_422],
    ['4:2:0', turbo.SAMP_420],
    ['4:4:0', turbo.SAMP_440],
    ['grey', turbo.SAMP_GRAY],
  ] as const) {
    for (const [width, height] of [
      [240, 240],
      [256, 256],
      [251, 133],
    ] as const) {
      for (const quality of [60, 95]) {
        const jpeg = turbo.compressSync(Buffer.from(texture(width, height, quality)), { format: turbo.FORMAT_RGB, width, height, quality, subsampling });
        await assertSameAsSharp(`${name} ${width} x ${height} q${quality}`, new Uint8Array(jpeg), width, height);
      }
    }
  }
});

test("exact decodes are sharp's pixels: Aperio's abbreviated tiles (tables apart), RGB and YCbCr", async () => {
  for (const options of [
    { quality: 75, photometric: 'rgb' },
    { quality: 80, photometric: 'ycbcr', chroma: '4:2:0' },
    { quality: 90, photometric: 'ycbcr', chroma: '4:4:4' },
  ] as const) {
    const encoder = new JpegTileEncoder(options);
    await encoder.init();
    const tile = await encoder.encode(texture(240, 240, 7), 240, 240);
    await assertSameAsSharp(`${options.photometric} q${options.quality}`, tile, 240, 240, encoder.tiffPhotometric, encoder.jpegTables);
  }
});

test("exact decodes are sharp's pixels: restart intervals (NanoZoomer), progressive and optimised streams", async () => {
  const restart = encodeRestartJpeg(texture(256, 64, 3), 256, 64, { chroma: '4:2:2', quality: 80, restartInterval: 8 });
  await assertSameAsSharp('restart intervals', restart, 256, 64);
  for (const [name, options] of [
    ['progressive', { progressive: true, quality: 85 }],
    ['optimised Huffman tables', { optimiseCoding: true, quality: 70, chromaSubsampling: '4:4:4' }],
  ] as const) {
    const jpeg = await sharp(Buffer.from(texture(200, 120, 11)), { raw: { width: 200, height: 120, channels: 3 } })
      .jpeg(options)
      .toBuffer();
    await assertSameAsSharp(name, new Uint8Array(jpeg), 200, 120);
  }
});

test('what TurboJPEG is not given still decodes as sharp decodes it: CMYK, an ICC profile, blocks too large to hold the lane', async (t) => {
  const cmyk = await sharp(Buffer.from(texture(64, 48, 5)), { raw: { width: 64, height: 48, channels: 3 } })
    .toColourspace('cmyk')
    .jpeg({ quality: 90 })
    .toBuffer();
  assert.equal(byTurboJpeg(new Uint8Array(cmyk)), null);
  await assertSameAsSharp('CMYK', new Uint8Array(cmyk), 64, 48, YCBCR, undefined, false);
  // sharp converts an image with a profile to sRGB: such a stream stays with it.
  const p3 = await sharp(Buffer.from(texture(64, 48, 6)), { raw: { width: 64, height: 48, channels: 3 } })
    .withIccProfile('p3')
    .jpeg({ quality: 90 })
    .toBuffer();
  await assertSameAsSharp('an ICC profile', new Uint8Array(p3), 64, 48, YCBCR, undefined, false);
  const large = turbo.compressSync(Buffer.from(texture(1200, 1000, 9)), {
    format: turbo.FORMAT_RGB,
    width: 1200,
    height: 1000,
    quality: 80,
    subsampling: turbo.SAMP_420,
  });
  const direct = jpegStreamDecoder();
  if (direct) {
    const calls = t.mock.method(direct, 'withStream');
    await assertSameAsSharp('1200 x 1000', new Uint8Array(large), 1200, 1000, YCBCR, undefined, false);
    assert.equal(calls.mock.callCount(), 0, 'a block over 1 MP went to TurboJPEG');
  }
});

test('a frame behind a marker that has no length is the one checked against the block (as libjpeg reads it)', async () => {
  const real = new Uint8Array(
    turbo.compressSync(Buffer.from(texture(600, 400, 4)), { format: turbo.FORMAT_RGB, width: 600, height: 400, quality: 80, subsampling: turbo.SAMP_420 }),
  );
  // SOI, TEM (no length), then an APP1 whose bytes look like a 16 x 16 frame if TEM's next two bytes were its length.
  const decoy = [0xff, 0xc0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0];
  const app1 = [0xff, 0xe1, 0, 2 + decoy.length, ...decoy];
  const hidden = new Uint8Array([0xff, 0xd8, 0xff, 0x01, ...app1, ...real.subarray(2)]);
  await assert.rejects(decodeJpeg(hidden, { tileWidth: 256, tileHeight: 256, photometric: YCBCR }), (error: unknown) => {
    assert.ok(error instanceof SlideError && error.code === 'CORRUPT_DATA', String(error));
    assert.match(error.message, /600 x 400 pixels, larger than its 256 x 256 tile/);
    return true;
  });
  await assertSameAsSharp('the same stream in a block of its size', hidden, 600, 400);
});

test('a damaged stream gets the answer sharp gives it: truncated data fails, a warning sharp lets pass decodes', async () => {
  const jpeg = new Uint8Array(
    turbo.compressSync(Buffer.from(texture(128, 128, 2)), { format: turbo.FORMAT_RGB, width: 128, height: 128, quality: 85, subsampling: turbo.SAMP_420 }),
  );
  // Cut short: libjpeg warns of a premature end, which sharp refuses (failOn 'error').
  const truncated = jpeg.slice(0, Math.floor(jpeg.length * 0.6));
  await assert.rejects(bySharp(truncated));
  await assert.rejects(decodeJpeg(truncated, { tileWidth: 128, tileHeight: 128, photometric: YCBCR }));
  assert.equal(byTurboJpeg(truncated), null);
  // Stray bytes before the EOI marker: libjpeg warns, TurboJPEG stops, and sharp decodes the image all the same.
  const stray = new Uint8Array([...jpeg.subarray(0, jpeg.length - 2), 0x12, 0x34, 0xff, 0xd9]);
  assert.equal(byTurboJpeg(stray), null);
  await assertSameAsSharp('stray bytes before EOI', stray, 128, 128, YCBCR, undefined, false);
  // And the next healthy stream decodes (no decompressor is left in a failed state).
  await assertSameAsSharp('after the damaged ones', jpeg, 128, 128);
});
