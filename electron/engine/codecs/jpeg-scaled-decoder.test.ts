// The scaled baseline decoder, and TurboJPEG's scaled decode that jpeg-scaled-exact.ts prefers,
// against libjpeg-turbo itself (`djpeg -scale 1/N`, the library OpenSlide decodes NDPI levels with):
// byte for byte on JPEGs cjpeg makes here in every sampling NDPI uses, odd sizes, with and without
// restart intervals, and on the five JPEG levels of a real NDPI slide; hostile streams end in typed
// errors through either. Speeds: docs/performance.md, "NDPI".

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { sharedSlide } from '../../../testing/paths';
import { hash2 } from '../../synth/random';
import { TiffFile } from '../tiff/tiff-file';
import { decodeJpegScaled, JpegDecodeError, type ScaledRgb } from './jpeg-scaled-decoder';
import { decodeJpegScaledExact } from './jpeg-scaled-exact';
import { jpegStreamDecoder } from './turbojpeg3';

const SCALES = [2, 4, 8] as const;

/** A deterministic picture with what stresses a decoder: gradients, noise, hard saturated edges. */
function picture(width: number, height: number, grey: boolean): Buffer {
  const channels = grey ? 1 : 3;
  const header = `${grey ? 'P5' : 'P6'}\n${width} ${height}\n255\n`;
  const out = Buffer.alloc(header.length + width * height * channels);
  out.write(header, 'latin1');
  let o = header.length;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const noise = (hash2(x, y, 7) & 63) - 32;
      const ring = (Math.hypot(x - width / 3, y - height / 2) / 9) & 1;
      const stripe = ((x + 2 * y) >> 4) & 1;
      const base = [(x * 255) / width, (y * 255) / height, ring ? 250 : 5];
      for (let c = 0; c < channels; c++) {
        const v = stripe && c === 0 ? (ring ? 0 : 255) : base[c]! + noise * (x > width / 2 ? 2 : 0.3);
        out[o++] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return out;
}

function cjpeg(pnm: Buffer, args: string[]): Uint8Array {
  return new Uint8Array(execFileSync('cjpeg', args, { input: pnm, maxBuffer: 1 << 28 }));
}

/** djpeg's output as interleaved RGB (a PGM expanded, as decodeJpegScaled returns greyscale). */
function djpeg(jpeg: Uint8Array, scale: number): { data: Uint8Array; width: number; height: number } {
  // Exit status 2 is a warning (a stream without EOI): the picture is written all the same.
  const run = spawnSync('djpeg', ['-scale', `1/${scale}`, '-pnm'], { input: jpeg, maxBuffer: 1 << 28 });
  assert.ok(run.status === 0 || run.status === 2, `djpeg: ${run.stderr}`);
  const pnm = run.stdout;
  const match = /^(P[56])\s+(\d+)\s+(\d+)\s+255\s/.exec(pnm.toString('latin1', 0, 40));
  assert.ok(match, 'djpeg wrote a PNM');
  const width = Number(match[2]);
  const height = Number(match[3]);
  const pixels = pnm.subarray(match[0].length);
  if (match[1] === 'P6') return { data: new Uint8Array(pixels), width, height };
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.fill(pixels[i]!, 3 * i, 3 * i + 3);
  return { data, width, height };
}

/** TurboJPEG's own scaled decode, null where it warns (or, off Linux and macOS, is not there). */
function turboJpegScaled(jpeg: Uint8Array, scale: 2 | 4 | 8): ScaledRgb | null {
  return (
    jpegStreamDecoder()?.withStream(jpeg, (stream) => {
      const width = Math.ceil(stream.width / scale);
      const height = Math.ceil(stream.height / scale);
      const data = new Uint8Array(width * height * 3);
      return stream.decodeExact(data, Math.log2(scale)) ? { data, width, height } : null;
    }) ?? null
  );
}

/**
 * Byte for byte, naming the first pixel that differs: the engine's decoder, and TurboJPEG's scaled
 * decode that decodeJpegScaledExact prefers (unless `warns`: libjpeg warns, so only the engine's decodes).
 */
function assertSameAsDjpeg(jpeg: Uint8Array, scale: 2 | 4 | 8, label: string, warns = false): void {
  const expected = djpeg(jpeg, scale);
  const decoders: Array<[string, ScaledRgb | null]> = [['the engine', decodeJpegScaled(jpeg, scale, 1 << 30)]];
  if (jpegStreamDecoder()) decoders.push(['TurboJPEG', turboJpegScaled(jpeg, scale)]);
  for (const [name, actual] of decoders) {
    if (actual === null) {
      assert.ok(warns, `${label} 1/${scale}: ${name} refused it`);
      continue;
    }
    assert.equal(`${actual.width}x${actual.height}`, `${expected.width}x${expected.height}`, `${label} 1/${scale}: ${name}'s size`);
    if (Buffer.compare(Buffer.from(actual.data), Buffer.from(expected.data)) === 0) continue;
    let i = 0;
    while (actual.data[i] === expected.data[i]) i++;
    const p = Math.floor(i / 3);
    assert.fail(
      `${label} 1/${scale}: ${name}'s pixel ${p % actual.width},${Math.floor(p / actual.width)} channel ${i % 3} is ${actual.data[i]}, djpeg ${expected.data[i]}`,
    );
  }
}

const SAMPLINGS: Record<string, string[]> = {
  '4:2:0': ['-sample', '2x2'],
  '4:2:2': ['-sample', '2x1'],
  '4:4:0': ['-sample', '1x2'],
  '4:4:4': ['-sample', '1x1'],
  grey: ['-grayscale'],
};
const RESTARTS: Record<string, string[]> = { none: [], 'every MCU row': ['-restart', '1'], 'every 3 MCUs': ['-restart', '3B'] };

describe('decodeJpegScaled matches djpeg -scale 1/N byte for byte', () => {
  for (const [width, height] of [
    [1001, 777],
    [7, 5],
    [1, 1],
    [17, 33],
    [256, 128],
  ] as const) {
    test(`${width}x${height}`, () => {
      for (const [sampling, sampleArgs] of Object.entries(SAMPLINGS)) {
        const pnm = picture(width, height, sampling === 'grey');
        for (const [restart, restartArgs] of Object.entries(RESTARTS)) {
          for (const quality of [50, 95]) {
            const jpeg = cjpeg(pnm, ['-quality', String(quality), ...sampleArgs, ...restartArgs]);
            for (const scale of SCALES) assertSameAsDjpeg(jpeg, scale, `${width}x${height} ${sampling} q${quality} restart ${restart}`);
          }
        }
      }
    });
  }

  test('an NDPI-style stream: a run of restart intervals under a patched SOF height, without EOI', () => {
    const jpeg = cjpeg(picture(640, 480, false), ['-quality', '80', '-sample', '2x2', '-restart', '1']);
    // Keep the first 10 MCU rows (16 px each): cut before the 10th RST marker, and say 160 rows in the SOF.
    let rst = 0;
    let cut = -1;
    for (let i = 2; i < jpeg.length - 1; i++) {
      if (jpeg[i] === 0xff && jpeg[i + 1]! >= 0xd0 && jpeg[i + 1]! <= 0xd7 && ++rst === 10) {
        cut = i;
        break;
      }
    }
    assert.ok(cut > 0);
    const partial = jpeg.slice(0, cut);
    const sof = partial.findIndex((b, i) => b === 0xff && partial[i + 1] === 0xc0);
    partial[sof + 5] = 0;
    partial[sof + 6] = 160;
    // The same rows ended with their RSTn marker decode the same.
    const endedByRst = Uint8Array.of(...partial, ...jpeg.subarray(cut, cut + 2));
    for (const scale of SCALES) {
      assertSameAsDjpeg(partial, scale, 'no EOI', true);
      assert.deepEqual(decodeJpegScaled(endedByRst, scale, 1 << 30), decodeJpegScaled(partial, scale, 1 << 30));
    }
  });
});

test('the JPEG levels of a real NDPI slide (4:4:4, restart intervals of 496 MCUs)', async () => {
  const tiff = await TiffFile.open(sharedSlide('slideio_test3-DAPI-2-387.ndpi'));
  try {
    const levels = tiff.directories.filter((dir) => dir.compression === 7);
    assert.equal(levels.length, 5);
    for (const dir of levels) {
      const jpeg = await tiff.readBlock(dir, 0, 0);
      assert.ok(jpeg);
      for (const scale of SCALES) assertSameAsDjpeg(jpeg, scale, `directory ${dir.index} (${dir.width}x${dir.height})`);
    }
  } finally {
    await tiff.close();
  }
});

describe('decodeJpegScaled on hostile streams', () => {
  const pnm = picture(96, 64, false);
  const good = cjpeg(pnm, ['-quality', '90', '-sample', '2x2', '-restart', '2B']);
  const reference = decodeJpegScaled(good, 4, 1 << 20);
  const marker = (jpeg: Uint8Array, code: number): number => jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === code);
  // decodeJpegScaledExact too: where TurboJPEG refuses or warns, the engine's decoder rules.
  const decoders = [decodeJpegScaled, decodeJpegScaledExact];
  const rejects = (jpeg: Uint8Array, message: RegExp, maxPixels = 1 << 20, by = decoders): void => {
    for (const decode of by) {
      assert.throws(
        () => decode(jpeg, 4, maxPixels),
        (error: unknown) => error instanceof JpegDecodeError && message.test(error.message),
        decode.name,
      );
    }
  };

  test('cut anywhere: a typed error, or (when only EOI or padding bits are lost) the whole picture', () => {
    for (let length = 0; length < good.length; length++) {
      for (const decode of decoders) {
        try {
          const out = decode(good.subarray(0, length), 4, 1 << 20);
          assert.ok(Buffer.from(out.data).equals(reference.data), `${decode.name}: cut at ${length}`);
        } catch (error) {
          assert.ok(error instanceof JpegDecodeError, `${decode.name}: cut at ${length}: ${String(error)}`);
        }
      }
    }
    rejects(good.subarray(0, good.length - 200), /truncated/);
  });

  test('damaged entropy-coded data: a typed error or some picture, never anything else', () => {
    const sos = marker(good, 0xda);
    for (let i = sos + 14; i < good.length - 2; i += 5) {
      for (const value of [0x00, 0xff, 0x5a]) {
        const bad = good.slice();
        bad[i] = value;
        for (const decode of decoders) {
          try {
            const out = decode(bad, 4, 1 << 20);
            assert.equal(out.data.length, reference.data.length);
          } catch (error) {
            assert.ok(error instanceof JpegDecodeError, `${decode.name}: byte ${i} = ${value}: ${String(error)}`);
          }
        }
      }
    }
  });

  test('a Huffman table that is no prefix code', () => {
    const bad = good.slice();
    // The first DHT's first table: three codes of length 1.
    const dht = marker(bad, 0xc4);
    bad[dht + 5] = 3;
    rejects(bad, /Huffman/);
  });

  test('absurd frame sizes are refused before anything is allocated', () => {
    const sof = marker(good, 0xc0);
    const huge = good.slice();
    huge.set([0xff, 0xdc, 0xff, 0xdc], sof + 5);
    rejects(huge, /more than 1048576 pixels/);
    // libjpeg's own limit, whatever the caller allows.
    huge.set([0x00, 0x08, 0xff, 0xff], sof + 5);
    rejects(huge, /beyond 65500 pixels a side/, 2 ** 40);
    const empty = good.slice();
    empty.set([0, 0], sof + 5);
    rejects(empty, /96 x 0/);
    rejects(good, /more than 100 pixels/, 100);
  });

  test('no scan, no frame, no JPEG', () => {
    const sos = marker(good, 0xda);
    rejects(Uint8Array.of(...good.subarray(0, sos), 0xff, 0xd9), /ends before all its components|before the image/);
    const sof = marker(good, 0xc0);
    const sofLength = (good[sof + 2]! << 8) | good[sof + 3]!;
    rejects(Uint8Array.of(...good.subarray(0, sof), ...good.subarray(sof + 2 + sofLength)), /scan before the frame/);
    rejects(new TextEncoder().encode('not a JPEG at all'), /no JPEG start marker/);
  });

  test('the engine refuses progressive, arithmetic-coded and 12-bit JPEGs by name (TurboJPEG decodes the first two)', () => {
    rejects(cjpeg(pnm, ['-progressive']), /progressive JPEG is not supported/, 1 << 20, [decodeJpegScaled]);
    rejects(cjpeg(pnm, ['-arithmetic']), /arithmetic coding is not supported/, 1 << 20, [decodeJpegScaled]);
    const twelve = good.slice();
    twelve[marker(twelve, 0xc0) + 4] = 12;
    rejects(twelve, /12-bit samples are not supported/);
  });

  test('a restart marker out of order', () => {
    const bad = good.slice();
    const rst = bad.findIndex((b, i) => b === 0xff && bad[i + 1] === 0xd1);
    bad[rst + 1] = 0xd3;
    rejects(bad, /restart marker/);
  });
});
