// TiffFile's bounds: byte counts against what a block's pixels can need, tag counts against the file,
// and only regular files opened.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { TiffWriter } from '../../synth/tiff-writer';
import { SlideError } from '../errors';
import { Compression, maxStoredBytes, type TiffDirectory, TiffFile } from './tiff-file';

const dir = mkdtempSync(join(tmpdir(), 'slidescope-tiff-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function directory(compression: number, width = 256, height = 256, samplesPerPixel = 3): TiffDirectory {
  return { compression, blockWidth: width, blockHeight: height, samplesPerPixel, bitsPerSample: 8, planarConfiguration: 1 } as TiffDirectory;
}

describe('maxStoredBytes: each codec worst case for a 256 x 256 RGB tile (196,608 bytes decoded)', () => {
  test('none, Deflate, LZW, PackBits, ZSTD, JPEG, JPEG 2000', () => {
    const n = 196608;
    assert.equal(maxStoredBytes(directory(Compression.NONE)), n + 4096);
    assert.equal(maxStoredBytes(directory(Compression.ADOBE_DEFLATE)), n + n / 8 + n / 64 + 23);
    assert.equal(maxStoredBytes(directory(Compression.DEFLATE)), maxStoredBytes(directory(Compression.ADOBE_DEFLATE)));
    assert.equal(maxStoredBytes(directory(Compression.LZW)), 1.5 * n + n / 256 + 64);
    assert.equal(maxStoredBytes(directory(Compression.PACKBITS)), n + 256 * 6 + 16);
    assert.equal(maxStoredBytes(directory(Compression.ZSTD)), n + n / 256 + 64);
    for (const c of [Compression.JPEG, Compression.APERIO_J2K_YCBCR, Compression.APERIO_J2K_RGB, Compression.JPEG2000]) {
      assert.equal(maxStoredBytes(directory(c)), 2 * n + 65536);
    }
  });

  test('what real encoders make of noise stays under it', () => {
    const noise = new Uint8Array(196608);
    for (let i = 0, s = 1; i < noise.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      noise[i] = s >>> 24;
    }
    for (const level of [0, 1, 9]) assert.ok(deflateSync(noise, { level }).length <= maxStoredBytes(directory(Compression.ADOBE_DEFLATE)));
  });
});

/** A 512 x 256 Deflate TIFF of two tiles whose byte counts are `counts` (the file is made long enough). */
async function tiffWithCounts(name: string, counts: [number, number]): Promise<string> {
  const path = join(dir, name);
  const writer = await TiffWriter.create(path);
  const image = writer.addImage({ width: 512, height: 256, compression: 8, photometric: 2, layout: { kind: 'tiles', tileWidth: 256, tileHeight: 256 } });
  const tile = deflateSync(new Uint8Array(196608));
  await writer.writeChunks(image, [tile, tile]);
  image.byteCounts[0] = counts[0];
  image.byteCounts[1] = counts[1];
  await writer.close();
  const bytes = readFileSync(path);
  writeFileSync(path, Buffer.concat([bytes, Buffer.alloc(Math.max(...counts))]));
  return path;
}

describe('readBlock', () => {
  test('a byte count beyond the worst case is CORRUPT_DATA naming the tile, before it is read', async () => {
    const limit = maxStoredBytes(directory(Compression.ADOBE_DEFLATE));
    const tiff = await TiffFile.open(await tiffWithCounts('counts.tif', [limit, limit + 1]));
    try {
      const d = tiff.directories[0]!;
      assert.equal((await tiff.readBlock(d, 0, 0))!.length, limit);
      await assert.rejects(
        tiff.readBlock(d, 1, 0),
        (e: unknown) =>
          e instanceof SlideError &&
          e.code === 'CORRUPT_DATA' &&
          e.message === `Tile 1,0 of image 0 declares ${limit + 1} bytes, more than its 256 x 256 pixels can take compressed with Deflate (${limit}).`,
      );
    } finally {
      await tiff.close();
    }
  });
});

/** A 16 x 16 TIFF patched by `patch`, given where each tag's entry is and where the next-IFD pointer is. */
async function patched(
  name: string,
  bigTiff: boolean,
  patch: (bytes: Buffer, entryOf: (tag: number) => number, nextAt: number) => void,
  rowsPerStrip = 16,
  /** Zero bytes added at the end, for values stored far from the IFD. */
  padding = 0,
): Promise<string> {
  const path = join(dir, name);
  const writer = await TiffWriter.create(path, { bigTiff });
  const image = writer.addImage({
    width: 16,
    height: 16,
    compression: 1,
    photometric: 2,
    layout: { kind: 'strips', rowsPerStrip },
    description: 'an ordinary description',
  });
  await writer.writeChunks(
    image,
    Array.from({ length: 16 / rowsPerStrip }, () => new Uint8Array(16 * rowsPerStrip * 3)),
  );
  await writer.close();
  const bytes = Buffer.concat([readFileSync(path), Buffer.alloc(padding)]);
  const ifd = bigTiff ? Number(bytes.readBigUInt64LE(8)) : bytes.readUInt32LE(4);
  const entries = bigTiff ? Number(bytes.readBigUInt64LE(ifd)) : bytes.readUInt16LE(ifd);
  const first = ifd + (bigTiff ? 8 : 2);
  const size = bigTiff ? 20 : 12;
  const entryOf = (tag: number): number => {
    const entry = Array.from({ length: entries }, (_, i) => first + i * size).find((at) => bytes.readUInt16LE(at) === tag);
    assert.ok(entry !== undefined, `tag ${tag}`);
    return entry;
  };
  patch(bytes, entryOf, first + entries * size);
  writeFileSync(path, bytes);
  return path;
}

describe('IFD entries: CORRUPT_DATA naming the tag, before geotiff allocates for them or trips over them', () => {
  test('a tag declaring more values than the file holds', async () => {
    const path = await patched('huge-count.tif', false, (b, e) => b.writeUInt32LE(1_000_000_000, e(270) + 4)); // ASCII: a billion bytes
    const rss = process.memoryUsage.rss();
    await assert.rejects(TiffFile.open(path), (e: unknown) => e instanceof SlideError && e.code === 'CORRUPT_DATA' && /tag 270/.test(e.message));
    assert.ok(process.memoryUsage.rss() - rss < 64 * 2 ** 20);
  });

  const cases: Array<[string, boolean, (bytes: Buffer, entryOf: (tag: number) => number, nextAt: number) => void, RegExp]> = [
    [
      'a field type TIFF does not have',
      false,
      (b, e) => b.writeUInt16LE(99, e(270) + 2),
      /^The first image directory gives tag 270 a field type TIFF does not have \(99\)/,
    ],
    [
      'a value stored past the end (a copy cut short)',
      false,
      (b, e) => b.writeUInt32LE(b.length - 4, e(270) + 8),
      /^Tag 270 of the first image directory is stored up to byte \d+, past the end of the file \([\d,]+ bytes\)/,
    ],
    [
      'a BigTIFF value offset of 2^60',
      true,
      (b, e) => b.writeBigUInt64LE(2n ** 60n, e(270) + 12),
      /^The first image directory gives tag 270 a value past any file's size/,
    ],
    [
      'a PlanarConfiguration of 3',
      false,
      (b, e) => b.writeUInt16LE(3, e(284) + 8),
      /^The first image directory gives PlanarConfiguration the value 3, which TIFF does not have/,
    ],
    [
      'a BigTIFF strip offset of 2^60, inline',
      true,
      (b, e) => {
        assert.equal(b.readUInt16LE(e(273) + 2), 16, 'StripOffsets as LONG8');
        b.writeBigUInt64LE(2n ** 60n, e(273) + 12);
      },
      /^The first image directory gives tag 273 a value past any file's size/,
    ],
    // Found by testing/fuzz-slides.ts: each was geotiff's own error (or a NaN, a float) at open or at a tile.
    [
      'an 8-byte (BigTIFF) field type in a classic TIFF',
      false,
      (b, e) => b.writeUInt16LE(16, e(262) + 2),
      /^The first image directory gives tag 262 a field type TIFF does not have \(16\)/,
    ],
    [
      'StripOffsets as FLOAT values',
      false,
      (b, e) => b.writeUInt16LE(11, e(273) + 2),
      /^The first image directory gives StripOffsets as values of field type 11, not unsigned integers/,
    ],
    ['two Compression values', false, (b, e) => b.writeUInt32LE(2, e(259) + 4), /^The first image directory gives Compression 2 values, not one/],
    [
      'a BigTIFF BitsPerSample of 2^60 stored out of line, past the bytes read with the IFD',
      true,
      (b, e) => {
        const entry = e(258);
        b.writeUInt16LE(16, entry + 2);
        b.writeBigUInt64LE(BigInt(b.length - 24), entry + 12);
        b.writeBigUInt64LE(2n ** 60n, b.length - 16);
      },
      /^The first image directory gives tag 258 a value past any file's size/,
    ],
    [
      'a BigTIFF next-IFD pointer of 2^60',
      true,
      (b, _e, next) => b.writeBigUInt64LE(2n ** 60n, next),
      /^The first image directory points to a next one past any file's size/,
    ],
  ];
  test('a PlanarConfiguration of two values', async () => {
    const path = await patched('planar-two.tif', false, (b, e) => b.writeUInt32LE(2, e(284) + 4));
    await assert.rejects(TiffFile.open(path), (e: unknown) => e instanceof SlideError && /gives PlanarConfiguration 2 values, not one/.test(e.message));
  });
  test('a tiff.* property (Software) stored past the end is left out, as libtiff does; the description is not; an offset past 2^53 is refused', async () => {
    const software = await patched('software-past-end.tif', false, (b, e) => {
      const entry = e(270);
      b.writeUInt16LE(305, entry);
      b.writeUInt32LE(b.length - 4, entry + 8);
    });
    const tiff = await TiffFile.open(software);
    try {
      assert.equal(tiff.directories[0]!.tags['Software'], undefined);
      assert.equal(tiff.directories[0]!.tags['ResolutionUnit'], 'inch');
    } finally {
      await tiff.close();
    }
    const description = await patched('description-past-end.tif', false, (b, e) => b.writeUInt32LE(b.length - 4, e(270) + 8));
    await assert.rejects(
      TiffFile.open(description),
      (e: unknown) => e instanceof SlideError && /^Tag 270 of the first image directory is stored up to byte/.test(e.message),
    );
    const far = await patched('private-2-60.tif', true, (b, e) => {
      const entry = e(270);
      b.writeUInt16LE(65000, entry);
      b.writeBigUInt64LE(2n ** 60n, entry + 12);
    });
    await assert.rejects(TiffFile.open(far), (e: unknown) => e instanceof SlideError && /gives tag 65000 a value past any file's size/.test(e.message));
  });
  test("a BigTIFF strip offset past 2^53 in an array: refused at open, or its strip is, never in geotiff's words", async () => {
    const path = await patched(
      'strip-array-2-60.tif',
      true,
      (b, e) => {
        const entry = e(273);
        assert.equal(Number(b.readBigUInt64LE(entry + 4)), 4);
        b.writeBigUInt64LE(2n ** 60n, Number(b.readBigUInt64LE(entry + 12)));
      },
      4,
    );
    const message = await TiffFile.open(path).then(
      async (tiff) => {
        try {
          return await tiff.readBlock(tiff.directories[0]!, 0, 0).then(
            () => 'read',
            (e: unknown) => (e instanceof SlideError ? e.message : String(e)),
          );
        } finally {
          await tiff.close();
        }
      },
      (e: unknown) => (e instanceof SlideError ? e.message : String(e)),
    );
    assert.match(message, /^(The first image directory gives tag 273 a value past any file's size|Strip 0 of image 0 lies beyond the end of the file)/);
  });
  test('BigTIFF strip offsets as IFD8 values past 2^53, stored beyond the bytes read with the IFD: the strip refused in our words', async () => {
    // Found by testing/fuzz-slides.ts: geotiff read IFD8 block tables itself, and its "exceeds MAX_SAFE_INTEGER" escaped.
    const path = await patched(
      'strip-ifd8-2-60.tif',
      true,
      (b, e) => {
        const entry = e(273);
        b.writeUInt16LE(18, entry + 2);
        b.writeBigUInt64LE(BigInt(b.length - 32), entry + 12);
        for (let i = 0; i < 4; i++) b.writeBigUInt64LE(2n ** 60n, b.length - 32 + 8 * i);
      },
      4,
      8192,
    );
    const tiff = await TiffFile.open(path);
    try {
      await assert.rejects(
        tiff.readBlock(tiff.directories[0]!, 0, 0),
        (e: unknown) => e instanceof SlideError && e.code === 'CORRUPT_DATA' && /^Strip 0 of image 0 lies beyond the end of the file/.test(e.message),
      );
    } finally {
      await tiff.close();
    }
  });
  test('a BigTIFF SLONG8 value, which geotiff cannot read inline or out of line: UNSUPPORTED_FORMAT naming the tag', async () => {
    const path = await patched('slong8.tif', true, (b, e) => b.writeUInt16LE(17, e(273) + 2));
    await assert.rejects(
      TiffFile.open(path),
      (e: unknown) => e instanceof SlideError && e.code === 'UNSUPPORTED_FORMAT' && /tag 273 as a signed 64-bit value/.test(e.message),
    );
    // BitsPerSample's three values as SLONG8: 24 bytes, out of line (geotiff read them at the wrong place).
    const outOfLine = await patched('slong8-out.tif', true, (b, e) => b.writeUInt16LE(17, e(258) + 2));
    await assert.rejects(
      TiffFile.open(outOfLine),
      (e: unknown) => e instanceof SlideError && e.code === 'UNSUPPORTED_FORMAT' && /tag 258 as a signed 64-bit value/.test(e.message),
    );
  });
  test('a private tag stored past the end, which nothing reads, is let be (as libtiff does)', async () => {
    const path = await patched('private-past-end.tif', false, (b, e) => {
      const entry = e(270);
      b.writeUInt16LE(65000, entry);
      b.writeUInt32LE(b.length - 4, entry + 8);
    });
    const tiff = await TiffFile.open(path);
    try {
      assert.equal(tiff.directories.length, 1);
    } finally {
      await tiff.close();
    }
  });
  for (const [name, bigTiff, patch, message] of cases) {
    test(name, async () => {
      const path = await patched(`${name.replace(/\W+/g, '-')}.tif`, bigTiff, patch, 16, 8192);
      await assert.rejects(TiffFile.open(path), (e: unknown) => {
        assert.ok(e instanceof SlideError, String(e));
        assert.equal(e.code, 'CORRUPT_DATA');
        assert.match(e.message, message);
        assert.equal(e.path, path);
        return true;
      });
    });
  }
});
