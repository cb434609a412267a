// The bounded decoders against geotiff's own (on ordinary data they must agree byte for byte, on
// libtiff-written files too), and against bombs: each stops at its block's size, quickly, without
// allocating what the data declares. LZW and the predictor both in the WebAssembly kernel and in JS.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { getDecoder } from 'geotiff';
import { lzwZeros, packBitsLiteral, packBitsZeros, zlibZeros, zstdStored, zstdZeros } from '../../../testing/hostile';
import { applyHorizontalPredictor, lzwEncode } from '../../synth/lzw';
import { TiffWriter } from '../../synth/tiff-writer';
import { SlideError } from '../errors';
import { type TiffDirectory, TiffFile } from '../tiff/tiff-file';
import { setScalarPixelLoops } from '../wasm/pixel-kernels';
import {
  type BlockParameters,
  BoundedDeflateDecoder,
  BoundedLzwDecoder,
  BoundedPackBitsDecoder,
  BoundedRawDecoder,
  BoundedZstdDecoder,
  blockBytes,
  inflateBounded,
  lzwDecodeInto,
  packBitsDecodeInto,
  zstdDeclaredSize,
} from './bounded-decoders';
import { jpegFrameProblem } from './jpeg-stream';
import { j2kSizeProblem, readJ2kSize } from './jpeg2000-decoder';

type Decoder = { decode(buffer: ArrayBufferLike): Promise<ArrayBufferLike> };

function params(width: number, height: number, samples = 3, predictor = 1): BlockParameters & { predictor: number } {
  return { tileWidth: width, tileHeight: height, samplesPerPixel: samples, bitsPerSample: new Array(samples).fill(8), planarConfiguration: 1, predictor };
}

/** geotiff's own decoder for a compression (this file never imports our registry, so geotiff's table is its own). */
async function geotiffDecoder(compression: number, p: ReturnType<typeof params>): Promise<Decoder> {
  return (await getDecoder(compression, p as unknown as Parameters<typeof getDecoder>[1])) as unknown as Decoder;
}

function own(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.from(bytes).buffer;
}

/** Texture that compresses like a slide's: gradients, repeats and noise. */
function sample(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = i % 97 < 40 ? (i >> 4) & 0xff : i % 7 === 0 ? s >>> 24 : (i * 3) & 0xff;
  }
  return out;
}

function corruptWith(pattern: RegExp) {
  return (e: unknown) => e instanceof SlideError && e.code === 'CORRUPT_DATA' && pattern.test(e.message);
}

describe('blockBytes', () => {
  test('width x height x samples x bytes per sample; planes count one sample', () => {
    assert.equal(blockBytes(params(256, 256)), 196608);
    assert.equal(blockBytes(params(240, 16, 1)), 3840);
    assert.equal(blockBytes({ ...params(256, 256), planarConfiguration: 2 }), 65536);
    assert.equal(blockBytes({ ...params(10, 2, 1), bitsPerSample: [1] }), 4); // rows of whole bytes
  });
});

for (const scalar of [false, true]) {
  describe(`LZW${scalar ? ', the JS loops alone' : ''}`, () => {
    before(() => setScalarPixelLoops(scalar));
    after(() => setScalarPixelLoops(false));

    test('agrees with geotiff and decodes our encoder exactly, with and without predictor', async () => {
      for (const [width, height, seed] of [
        [256, 256, 1],
        [240, 240, 2],
        [64, 3, 3],
        [1000, 40, 4], // long enough to fill the table several times
      ] as const) {
        for (const predictor of [1, 2]) {
          const raw = sample(width * height * 3, seed);
          const data = Uint8Array.from(raw);
          if (predictor === 2) applyHorizontalPredictor(data, width, height, 3);
          const lzw = lzwEncode(data);
          const p = params(width, height, 3, predictor);
          const ours = new Uint8Array(await (new BoundedLzwDecoder(p as never) as unknown as Decoder).decode(own(lzw)));
          const theirs = new Uint8Array(await (await geotiffDecoder(5, p)).decode(own(lzw)));
          assert.deepEqual(ours, theirs, `${width}x${height} predictor ${predictor}`);
          assert.deepEqual(ours, raw);
        }
      }
    });

    test('zeros, a single byte, an empty stream, one without EOI', () => {
      const out = new Uint8Array(10);
      assert.equal(lzwDecodeInto(lzwEncode(new Uint8Array(10)), out), 10);
      assert.equal(lzwDecodeInto(lzwEncode(Uint8Array.of(7)), out), 1);
      assert.equal(out[0], 7);
      assert.equal(lzwDecodeInto(lzwEncode(new Uint8Array(0)), out), 0);
      const noEoi = lzwEncode(Uint8Array.of(1, 2, 3, 4)).subarray(0, 6); // Clear and 4 codes of 9 bits, cut inside EOI
      assert.equal(lzwDecodeInto(noEoi, new Uint8Array(10)), 4);
    });

    test('a stream shorter than its block is zero-filled to it', async () => {
      const p = params(16, 16);
      const decoded = new Uint8Array(await (new BoundedLzwDecoder(p as never) as unknown as Decoder).decode(own(lzwEncode(new Uint8Array(100).fill(9)))));
      assert.equal(decoded.length, 768);
      assert.ok(decoded.subarray(0, 100).every((v) => v === 9) && decoded.subarray(100).every((v) => v === 0));
    });

    test('one byte past the block is CORRUPT_DATA naming its size', () => {
      assert.throws(() => lzwDecodeInto(lzwEncode(sample(769, 5)), new Uint8Array(768)), corruptWith(/decompresses to more than its tile's 768 bytes/));
    });

    test('codes not in the table are CORRUPT_DATA, naming the code', () => {
      // Clear, then code 300 (9 bits each): no such string, and none may follow a clear.
      const bits = (256 << 9) | 300;
      const bad = Uint8Array.of(bits >> 10, (bits >> 2) & 0xff, (bits & 3) << 6);
      assert.throws(() => lzwDecodeInto(bad, new Uint8Array(100)), corruptWith(/LZW data is damaged \(code 300 after a clear code\)/));
      // Clear, 'A', then 300 where the table holds 258 strings.
      const three = (256 * 2 ** 18 + 65 * 2 ** 9 + 300) * 2 ** 5;
      const notYet = Uint8Array.of(three >>> 24, (three >>> 16) & 0xff, (three >>> 8) & 0xff, three & 0xff);
      assert.throws(() => lzwDecodeInto(notYet, new Uint8Array(100)), corruptWith(/LZW data is damaged \(code 300 is not in the table of 258\)/));
    });

    test('a 1 GB bomb stops at the block, at once', () => {
      const bomb = lzwZeros(1024 * 2 ** 20);
      assert.ok(bomb.length < 1_000_000, `${bomb.length}`);
      const t0 = performance.now();
      assert.throws(() => lzwDecodeInto(bomb, new Uint8Array(196608)), corruptWith(/LZW data decompresses to more than its tile's 196608 bytes/));
      assert.ok(performance.now() - t0 < 100);
      // ... and decodes to what it says when the block is that large.
      const small = lzwZeros(20_000_000);
      const out = new Uint8Array(22_000_000).fill(1);
      const n = lzwDecodeInto(small, out);
      assert.ok(n >= 20_000_000 && out.subarray(0, n).every((v) => v === 0));
    });
  });
}

describe('PackBits', () => {
  test("TIFF 6's example, and -128 is a no-op", () => {
    const packed = Uint8Array.of(0xfe, 0xaa, 0x02, 0x80, 0x00, 0x2a, 0xfd, 0xaa, 0x03, 0x80, 0x00, 0x2a, 0x22, 0xf7, 0xaa, 0x80);
    const out = new Uint8Array(24);
    assert.equal(packBitsDecodeInto(packed, out), 24);
    assert.deepEqual([...out], [0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0xaa, 0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0x22, ...new Array(10).fill(0xaa)]);
  });

  test('agrees with geotiff on literal and repeat runs', async () => {
    const raw = sample(256 * 64 * 3, 6);
    const packed = packBitsLiteral(raw);
    const p = params(256, 64);
    assert.deepEqual(new Uint8Array(await (new BoundedPackBitsDecoder(p as never) as unknown as Decoder).decode(own(packed))), raw);
    assert.deepEqual(new Uint8Array(await (await geotiffDecoder(32773, p)).decode(own(packed))), raw);
    const zeros = packBitsZeros(p.tileWidth * p.tileHeight * 3);
    assert.deepEqual(
      new Uint8Array(await (new BoundedPackBitsDecoder(p as never) as unknown as Decoder).decode(own(zeros))),
      new Uint8Array(await (await geotiffDecoder(32773, p)).decode(own(zeros))),
    );
  });

  test('runs past the block or past the data are CORRUPT_DATA', () => {
    assert.throws(
      () => packBitsDecodeInto(packBitsZeros(12 * 2 ** 20), new Uint8Array(196608)),
      corruptWith(/PackBits data decompresses to more than its tile's 196608/),
    );
    assert.throws(() => packBitsDecodeInto(Uint8Array.of(5, 1, 2), new Uint8Array(100)), corruptWith(/damaged/));
    assert.throws(() => packBitsDecodeInto(Uint8Array.of(0xfe), new Uint8Array(100)), corruptWith(/damaged/));
  });
});

describe('Deflate', () => {
  test('zlib (as TIFF writers make it), raw and gzip streams, with the predictor as geotiff applies it', async () => {
    const raw = sample(240 * 240 * 3, 7);
    const predicted = Uint8Array.from(raw);
    applyHorizontalPredictor(predicted, 240, 240, 3);
    const p = params(240, 240, 3, 2);
    const decoder = new BoundedDeflateDecoder(p as never) as unknown as Decoder;
    for (const stream of [deflateSync(predicted), deflateRawSync(predicted), gzipSync(predicted)]) {
      assert.deepEqual(new Uint8Array(await decoder.decode(own(stream))), raw);
    }
    assert.deepEqual(new Uint8Array(await (await geotiffDecoder(8, p)).decode(own(deflateSync(predicted)))), raw);
  });

  test('a stream cut short gives what it holds, zero-filled (as pako did)', async () => {
    const raw = sample(4096, 8);
    const cut = deflateSync(raw).subarray(0, 1000);
    const out = new Uint8Array(await (new BoundedDeflateDecoder(params(32, 32, 4) as never) as unknown as Decoder).decode(own(cut)));
    assert.equal(out.length, 4096);
    assert.ok(out.some((v) => v !== 0));
  });

  test('a 2 GB bomb stops at the block, at once, without allocating it', () => {
    const bomb = zlibZeros(2048 * 2 ** 20);
    const rss = process.memoryUsage.rss();
    const t0 = performance.now();
    assert.throws(() => inflateBounded(bomb, 196608), corruptWith(/Deflate data decompresses to more than its tile's 196608 bytes/));
    assert.ok(performance.now() - t0 < 100);
    assert.ok(process.memoryUsage.rss() - rss < 32 * 2 ** 20);
  });

  test('damaged streams are CORRUPT_DATA', () => {
    const bad = Uint8Array.from(deflateSync(sample(1000, 9)));
    bad[bad.length - 1]! ^= 1; // the Adler-32
    assert.throws(() => inflateBounded(bad, 1000), corruptWith(/Deflate data is damaged/));
  });
});

describe('ZSTD', () => {
  test('stored frames decode exactly, as geotiff decodes them', async () => {
    const raw = sample(256 * 256 * 3, 10);
    const frame = zstdStored(raw);
    const p = params(256, 256);
    const Zstd = await BoundedZstdDecoder.ready();
    assert.deepEqual(new Uint8Array(await (new Zstd(p as never) as unknown as Decoder).decode(own(frame))), raw);
    assert.deepEqual(new Uint8Array(await (await geotiffDecoder(50000, p)).decode(own(frame))), raw);
    assert.equal(zstdDeclaredSize(frame), raw.length);
  });

  test('a frame declaring more than its block is refused from its header', async () => {
    const decoder = new BoundedZstdDecoder(params(256, 256) as never) as unknown as Decoder;
    const declared = zstdZeros(192 * 2 ** 20, true);
    assert.equal(zstdDeclaredSize(declared), 192 * 2 ** 20);
    await assert.rejects(decoder.decode(own(declared)), corruptWith(/ZSTD data decompresses to more than its tile's 196608 bytes/));
    // RLE blocks say their size too, declared or not.
    assert.equal(zstdDeclaredSize(zstdZeros(2 ** 30, false)), 2 ** 30);
    await assert.rejects(decoder.decode(own(zstdZeros(2 ** 30, false))), corruptWith(/more than its tile's 196608/));
  });

  test('real ZSTD (libtiff, when its tiffcp has ZSTD) decodes as geotiff decodes it; past the block fails bounded', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'slidescope-zstd-'));
    try {
      const files = await libtiffCopies(dir, ['zstd'], 'strips');
      if (!files) return t.skip('tiffcp with ZSTD is not installed');
      const { tiff, raw } = files.get('zstd')!;
      let checked = 0;
      for (const dirRecord of tiff.directories.slice(0, 1)) {
        for (let row = 0; row < dirRecord.blocksDown; row++) {
          const bytes = (await tiff.readBlock(dirRecord, 0, row))!;
          const rows = Math.min(dirRecord.blockHeight, dirRecord.height - row * dirRecord.blockHeight);
          const p = params(dirRecord.blockWidth, dirRecord.blockHeight);
          const ours = new Uint8Array(await new BoundedZstdDecoder(p as never).decode(own(bytes)));
          const theirs = new Uint8Array(await (await geotiffDecoder(50000, p)).decode(own(bytes)));
          const n = dirRecord.blockWidth * rows * 3;
          assert.deepEqual(ours.subarray(0, n), theirs.subarray(0, n));
          assert.deepEqual(
            ours.subarray(0, n),
            raw.subarray(row * dirRecord.blockHeight * dirRecord.blockWidth * 3, row * dirRecord.blockHeight * dirRecord.blockWidth * 3 + n),
          );
          // A block one row smaller than the data: refused, not overrun.
          if (rows > 1) {
            const smaller = new BoundedZstdDecoder(params(dirRecord.blockWidth, rows - 1) as never);
            await assert.rejects(smaller.decode(own(bytes)), corruptWith(/ZSTD data/));
          }
          checked++;
        }
      }
      assert.ok(checked > 1);
      await tiff.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('raw', () => {
  test('a short block is zero-filled; a full one passes as it is', async () => {
    const decoder = new BoundedRawDecoder(params(4, 4) as never) as unknown as Decoder;
    const full = own(sample(48, 11));
    assert.equal(await decoder.decode(full), full);
    const short = new Uint8Array(await decoder.decode(own(Uint8Array.of(1, 2, 3))));
    assert.deepEqual([...short.subarray(0, 4)], [1, 2, 3, 0]);
    assert.equal(short.length, 48);
  });
});

/**
 * A 300 x 200 RGB TIFF without compression, and libtiff's copies of it (tiffcp) in each codec:
 * strips of libtiff's choosing, or 64 x 64 tiles. Null when tiffcp (or one of its codecs) is missing.
 */
async function libtiffCopies(dir: string, codecs: string[], layout: 'strips' | 'tiles'): Promise<Map<string, { tiff: TiffFile; raw: Uint8Array }> | null> {
  const width = 300;
  const height = 200;
  const raw = sample(width * height * 3, 12);
  const source = join(dir, 'raw.tif');
  const writer = await TiffWriter.create(source);
  const image = writer.addImage({ width, height, compression: 1, photometric: 2, layout: { kind: 'strips', rowsPerStrip: height } });
  await writer.writeChunks(image, [raw]);
  await writer.close();
  const out = new Map<string, { tiff: TiffFile; raw: Uint8Array }>();
  for (const codec of codecs) {
    const path = join(dir, `${codec.replace(/:/g, '-')}.tif`);
    try {
      execFileSync('tiffcp', ['-c', codec, ...(layout === 'tiles' ? ['-t', '-w', '64', '-l', '64'] : ['-r', '37']), source, path], { stdio: 'pipe' });
    } catch {
      return null;
    }
    out.set(codec, { tiff: await TiffFile.open(path), raw });
  }
  return out;
}

describe('libtiff-written blocks (tiffcp): ours and geotiff agree, and give the pixels back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-libtiff-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[string, number, number, (p: ReturnType<typeof params>) => Decoder]> = [
    ['lzw', 5, 1, (p) => new BoundedLzwDecoder(p as never) as unknown as Decoder],
    ['lzw:2', 5, 2, (p) => new BoundedLzwDecoder(p as never) as unknown as Decoder],
    ['packbits', 32773, 1, (p) => new BoundedPackBitsDecoder(p as never) as unknown as Decoder],
    ['zip:2', 8, 2, (p) => new BoundedDeflateDecoder(p as never) as unknown as Decoder],
  ];
  for (const layout of ['strips', 'tiles'] as const) {
    test(`${layout}`, async (t) => {
      const files = await libtiffCopies(
        dir,
        cases.map(([codec]) => codec),
        layout,
      );
      if (!files) return t.skip('tiffcp is not installed');
      for (const [codec, compression, predictor, make] of cases) {
        const { tiff, raw }: { tiff: TiffFile; raw: Uint8Array } = files.get(codec)!;
        const d: TiffDirectory = tiff.directories[0]!;
        assert.equal(d.compression, compression);
        for (let row = 0; row < d.blocksDown; row++) {
          for (let col = 0; col < d.blocksAcross; col++) {
            const bytes: Uint8Array = (await tiff.readBlock(d, col, row))!;
            const p = params(d.blockWidth, d.blockHeight, 3, predictor);
            const ours: Uint8Array = new Uint8Array(await make(p).decode(own(bytes)));
            const theirs = new Uint8Array(await (await geotiffDecoder(compression, p)).decode(own(bytes)));
            assert.equal(ours.length, blockBytes(p));
            assert.deepEqual(ours.subarray(0, theirs.length), theirs, `${codec} ${layout} ${col},${row}`);
            // The block's pixels that lie in the image are the source's.
            const rows = Math.min(d.blockHeight, d.height - row * d.blockHeight);
            const cols = Math.min(d.blockWidth, d.width - col * d.blockWidth);
            for (let y = 0; y < rows; y++) {
              const from = ((row * d.blockHeight + y) * d.width + col * d.blockWidth) * 3;
              assert.deepEqual(ours.subarray(y * d.blockWidth * 3, y * d.blockWidth * 3 + cols * 3), raw.subarray(from, from + cols * 3));
            }
          }
        }
        await tiff.close();
      }
    });
  }
});

describe('declared frame sizes', () => {
  test('JPEG: a frame larger than its tile, empty, or broken', async () => {
    const { createCodec } = await import('../../synth/tile-codecs');
    const codec = await createCodec({ kind: 'jpeg', quality: 80, photometric: 'ycbcr' });
    const { completeJpeg } = await import('./jpeg-stream');
    const { withJpegFrameSize } = await import('../../../testing/hostile');
    const tile = completeJpeg(await codec.encode(sample(256 * 256 * 3, 13), 256, 256), codec.jpegTables, false);
    assert.equal(jpegFrameProblem(tile, 256, 256), null);
    assert.equal(jpegFrameProblem(withJpegFrameSize(tile, 256, 200), 256, 256), null); // a strip's last rows
    assert.match(jpegFrameProblem(withJpegFrameSize(tile, 8000, 8000), 256, 256)!, /8000 x 8000 pixels, larger than its 256 x 256 tile/);
    assert.match(jpegFrameProblem(withJpegFrameSize(tile, 256, 0), 256, 256)!, /256 x 0/);
    assert.match(jpegFrameProblem(tile.subarray(0, 30), 256, 256)!, /damaged/);
  });

  test('JPEG 2000: SIZ larger than its tile, too many components or tiles; JP2 boxes are looked into', async () => {
    const { createCodec } = await import('../../synth/tile-codecs');
    const { withJ2kSize } = await import('../../../testing/hostile');
    const codec = await createCodec({ kind: 'jpeg2000', colour: 'rgb' });
    const cs = await codec.encode(sample(256 * 256 * 3, 14), 256, 256);
    assert.deepEqual(readJ2kSize(cs), {
      width: 256,
      height: 256,
      tiles: 1,
      components: [
        [8, 1, 1, false],
        [8, 1, 1, false],
        [8, 1, 1, false],
      ],
    });
    assert.equal(j2kSizeProblem(cs, 256, 256, 3), null);
    assert.match(j2kSizeProblem(withJ2kSize(cs, 60000, 60000), 256, 256, 3)!, /declares 60000 x 60000 pixels, more than its 256 x 256 tile/);
    const tinyTiles = Uint8Array.from(cs);
    new DataView(tinyTiles.buffer).setUint32(24, 4); // XTsiz
    new DataView(tinyTiles.buffer).setUint32(28, 4); // YTsiz
    assert.match(j2kSizeProblem(tinyTiles, 256, 256, 3)!, /4096 tiles/);
    assert.equal(j2kSizeProblem(cs, 256, 256, 1), null); // 3 components fit max(3, samples per pixel)
    const many = Uint8Array.from(cs);
    many[41] = 5; // Csiz 5, with Lsiz left as it is: a broken marker
    assert.match(j2kSizeProblem(many, 256, 256, 3)!, /bogus length/);
    assert.match(j2kSizeProblem(Uint8Array.of(1, 2, 3, 4), 256, 256, 3)!, /no JPEG 2000 codestream header/);
    // The same codestream in a JP2 file: signature, file type, then the codestream box.
    const box = (type: string, body: Uint8Array) => {
      const out = new Uint8Array(8 + body.length);
      new DataView(out.buffer).setUint32(0, out.length);
      out.set(Buffer.from(type, 'latin1'), 4);
      out.set(body, 8);
      return out;
    };
    const jp2 = Buffer.concat([
      box('jP  ', Uint8Array.of(0x0d, 0x0a, 0x87, 0x0a)),
      box('ftyp', Buffer.from('jp2 \0\0\0\0jp2 ', 'latin1')),
      box('jp2c', withJ2kSize(cs, 9000, 9000)),
    ]);
    assert.match(j2kSizeProblem(jp2, 256, 256, 3)!, /9000 x 9000/);
  });
});
