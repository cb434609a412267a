// Broken files: each gets a typed error with a message a user understands, nothing hangs, and the
// engine keeps serving other slides afterwards.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ErrorCode, isErrorCode } from '../../shared/errors';
import { HOSTILE_CASES, HOSTILE_CODECS, HOSTILE_TILE, tilePixels, writeDeflateBomb, writeHostileSlide } from '../../testing/hostile';
import { openSlide } from '../../testing/open-slide';
import { sharedSlide } from '../../testing/paths';
import { SlideEngine } from './engine';
import { SlideError } from './errors';

const engine = new SlideEngine();
after(() => engine.closeAll());

async function openError(path: string): Promise<SlideError> {
  try {
    const { slideId } = await openSlide(engine, path);
    await engine.close({ slideId });
  } catch (error) {
    assert.ok(error instanceof SlideError, `not a SlideError: ${String(error)}`);
    return error;
  }
  assert.fail(`${path} opened`);
}

describe('broken files in ../shared/slides', () => {
  const cases: Array<[string, ErrorCode, RegExp]> = [
    ['histolab_broken-html.svs', 'NOT_A_SLIDE', /not a slide: it is none of the formats/],
    ['openslide-python_unopenable.tiff', 'UNSUPPORTED_COMPRESSION', /52479/],
    ['pillow_oom-225817ca.tif', 'CORRUPT_DATA', /damaged|truncated/],
  ];
  for (const [name, code, message] of cases) {
    test(`${name}: ${code}`, async () => {
      const error = await openError(sharedSlide(name));
      assert.equal(error.code, code);
      assert.match(error.message, message);
      assert.equal(error.path, sharedSlide(name));
    });
  }

  test('a missing file: NOT_FOUND', async () => {
    assert.equal((await openError('/nonexistent/slide.svs')).code, 'NOT_FOUND');
  });

  test('an empty file, and one cut inside its TIFF header: CORRUPT_DATA saying so, not "none of the formats"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slidescope-short-'));
    try {
      const cases: Array<[string, Buffer, RegExp]> = [
        ['empty.svs', Buffer.alloc(0), /^The file is empty \(0 bytes\)/],
        ['five.svs', readFileSync(sharedSlide('CMU-1-Small-Region.svs')).subarray(0, 5), /^The file is truncated inside its TIFF header \(it is 5 bytes\)/],
        ['two.ndpi', Buffer.from('MM'), /truncated inside its TIFF header/],
      ];
      for (const [name, bytes, message] of cases) {
        writeFileSync(join(dir, name), bytes);
        const error = await openError(join(dir, name));
        assert.equal(error.code, 'CORRUPT_DATA', name);
        assert.match(error.message, message);
      }
      // Two bytes that are no TIFF's start are still no slide.
      writeFileSync(join(dir, 'text.svs'), 'hi');
      assert.equal((await openError(join(dir, 'text.svs'))).code, 'NOT_A_SLIDE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a DICOM file cut between its "DICM" and the end of its header: CORRUPT_DATA, truncated, its size given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slidescope-short-dicom-'));
    try {
      const bytes = readFileSync(sharedSlide('wsi2dcm_jpeg.dcm'));
      // Inside the file meta group (its 206 bytes end at 350), then inside the data set before the pixel data (at 1544).
      for (const cut of [132, 140, 143, 200, 349, 351, 800, 1500]) {
        const path = join(dir, `cut-${cut}.dcm`);
        writeFileSync(path, bytes.subarray(0, cut));
        const error = await openError(path);
        assert.equal(error.code, 'CORRUPT_DATA', `cut at ${cut}: ${error.message}`);
        assert.equal(error.message, `The file is truncated inside its DICOM header (it is ${cut.toLocaleString('en-US')} bytes).`);
        assert.equal(error.path, path);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a folder: NOT_A_SLIDE', async () => {
    assert.equal((await openError(tmpdir())).code, 'NOT_A_SLIDE');
  });

  test('libtiff_test_ifd_loop_to_self.tif: the IFD loop is cut, no hang', async () => {
    const { slideId, info } = await openSlide(engine, sharedSlide('libtiff_test_ifd_loop_to_self.tif'));
    assert.equal(info.levels.length, 1);
    await engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 });
    await engine.close({ slideId });
  });

  test('openslide-python_unreadable.svs opens; its corrupt tile errors; the engine still serves', async () => {
    const { slideId, info } = await openSlide(engine, sharedSlide('openslide-python_unreadable.svs'));
    const top = info.deepZoom.levels.length - 1;
    await assert.rejects(
      engine.getTile({ slideId, dzLevel: top, col: 0, row: 0, requestId: 0 }),
      (e: unknown) => e instanceof SlideError && e.code === 'CORRUPT_DATA' && /damaged/.test(e.message),
    );
    await assert.rejects(
      engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 16, height: 16 }),
      (e: unknown) => e instanceof SlideError && e.code === 'CORRUPT_DATA',
    );
    const good = await openSlide(engine, sharedSlide('openslide-python_small.svs'));
    const tile = await engine.getTile({ slideId: good.slideId, dzLevel: top, col: 0, row: 0, requestId: 0 });
    assert.ok(tile.bytes.length > 100);
  });
});

describe('requests outside the contract', () => {
  test('bad levels, tiles and sizes are INVALID_ARGUMENT or TOO_LARGE', async () => {
    const { slideId, info } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof SlideError ? e.code : 'untyped'),
      );
    assert.equal(await codeOf(engine.getTile({ slideId, dzLevel: 99, col: 0, row: 0, requestId: 0 })), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 1000, row: 0, requestId: 0 })), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(engine.getTile({ slideId, dzLevel: 3, col: -1, row: 0, requestId: 0 })), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(engine.readRegion({ slideId, level: 5, x: 0, y: 0, width: 10, height: 10 })), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 0, height: 10 })), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 100000, height: 100000 })), 'TOO_LARGE');
    assert.equal(await codeOf(engine.readAssociated({ slideId, name: 'nope' })), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(engine.getTile({ slideId: 'not-a-slide', dzLevel: 0, col: 0, row: 0, requestId: 0 })), 'NOT_OPEN');
    assert.equal(await codeOf(engine.thumbnail({ slideId, spec: { kind: 'power', objectivePower: -1 } })), 'INVALID_ARGUMENT');
    const aborted = new AbortController();
    aborted.abort();
    assert.equal(await codeOf(engine.getTile({ slideId, dzLevel: 5, col: 0, row: 0, requestId: 0 }, { signal: aborted.signal })), 'CANCELLED');
  });
});

describe('truncated copies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-trunc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ['CMU-1-Small-Region.svs', 'openslide-python_boxes.tiff', 'image-js_tiled-jpeg.tif']) {
    test(`${name} cut at 60 offsets: typed errors only, never a crash`, async () => {
      const bytes = readFileSync(sharedSlide(name));
      // Spread offsets over the file, plus the first bytes (header) and the tail (where IFDs often are).
      const offsets = new Set<number>([0, 1, 4, 7, 8, 15, 100, 1000]);
      for (let i = 1; i <= 40; i++) offsets.add(Math.floor((bytes.length * i) / 41));
      for (let i = 1; i <= 12; i++) offsets.add(bytes.length - i * 37);
      const seen = new Map<string, number>();
      for (const offset of offsets) {
        const path = join(dir, `${offset}-${name}`);
        writeFileSync(path, bytes.subarray(0, offset));
        let outcome: string;
        try {
          const { slideId, info } = await openSlide(engine, path);
          const top = info.deepZoom.levels.length - 1;
          const level = info.deepZoom.levels[top]!;
          // Every tile of the full-resolution level, and the associated images.
          const results = await Promise.allSettled([
            ...Array.from({ length: level.cols * level.rows }, (_, i) =>
              engine.getTile({ slideId, dzLevel: top, col: i % level.cols, row: Math.floor(i / level.cols), requestId: 0 }),
            ),
            ...info.associated.map((name) => engine.readAssociated({ slideId, name })),
            engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 64 } }),
          ]);
          for (const r of results) {
            if (r.status === 'rejected') {
              assert.ok(r.reason instanceof SlideError && isErrorCode(r.reason.code), `untyped: ${String(r.reason)}`);
              assert.ok(r.reason.message.length > 10);
            }
          }
          outcome = 'opened';
          await engine.close({ slideId });
        } catch (error) {
          assert.ok(error instanceof SlideError && isErrorCode(error.code), `untyped error at offset ${offset}: ${String(error)}`);
          outcome = error.code;
        }
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      }
      assert.ok((seen.get('CORRUPT_DATA') ?? 0) + (seen.get('NOT_A_SLIDE') ?? 0) > 0, JSON.stringify([...seen]));
    });
  }
});

describe('paths that are not regular files are refused without being opened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-special-'));
  const fifo = join(dir, 'slide.svs');
  after(() => {
    // Were a reader stuck in open() (the old behaviour), opening the other end lets it go.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });

  test('a FIFO: NOT_A_SLIDE at once, naming it', { timeout: 10_000 }, async (t) => {
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return t.skip('mkfifo is not available');
    }
    const t0 = performance.now();
    const error = await openError(fifo);
    assert.equal(error.code, 'NOT_A_SLIDE');
    assert.match(error.message, /named pipe/);
    assert.ok(performance.now() - t0 < 1000);
  });

  test('a device: NOT_A_SLIDE', { timeout: 10_000 }, async (t) => {
    if (!existsSync('/dev/zero')) return t.skip('no /dev/zero');
    const error = await openError('/dev/zero');
    assert.equal(error.code, 'NOT_A_SLIDE');
    assert.match(error.message, /device/);
  });

  test('a folder: NOT_A_SLIDE, naming it; a missing file: NOT_FOUND', async () => {
    assert.match((await openError(dir)).message, /folder/);
    assert.equal((await openError(join(dir, 'missing.svs'))).code, 'NOT_FOUND');
  });
});

/** The process's peak RSS (Linux: VmHWM) since the last resetPeakRss, or null where it cannot be read. */
function peakRss(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** V8's collector, so that garbage from earlier tests is not counted as room (node --expose-gc, set at run time). */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Runs `work` and reports how long it took and how far the process's resident memory rose above
 * where it started, at its peak (VmHWM, reset first) where Linux says so, else sampled every 5 ms.
 */
async function measure<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; growthMb: number }> {
  collectGarbage();
  const before = process.memoryUsage.rss();
  const exact = resetPeakRss() && peakRss() !== null;
  let sampled = before;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss());
  }, 5);
  const t0 = performance.now();
  try {
    const value = await work();
    const ms = performance.now() - t0;
    const peak = Math.max(exact ? peakRss()! : sampled, process.memoryUsage.rss());
    return { value, ms, growthMb: (peak - before) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

describe('hostile slides: every read bounded before it allocates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-hostile-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const MAX_MS = 2000;
  const MAX_GROWTH_MB = 100;
  const figures: string[] = [];
  after(() => {
    if (process.env['SLIDESCOPE_HOSTILE_REPORT']) console.log(figures.join('\n'));
  });

  // The control, first: each codec's ordinary tiles read back (this also loads each codec - sharp,
  // OpenJPEG and its threads, zstd - before any growth is measured).
  for (const codec of HOSTILE_CODECS) {
    test(`${codec}: ordinary tiles read back${codec === 'jpeg' || codec === 'jpeg2000' ? ' closely' : ' exactly'}`, async () => {
      const slide = await writeHostileSlide(join(dir, `${codec}-ordinary.tif`), codec, 'ordinary');
      const { slideId, info } = await openSlide(engine, slide.path);
      try {
        const region = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 2 * HOSTILE_TILE, height: 2 * HOSTILE_TILE });
        let worst = 0;
        let total = 0;
        for (let i = 0; i < 4; i++) {
          const pixels = tilePixels(i);
          const x0 = (i % 2) * HOSTILE_TILE;
          const y0 = Math.floor(i / 2) * HOSTILE_TILE;
          for (let y = 0; y < HOSTILE_TILE; y++) {
            for (let x = 0; x < HOSTILE_TILE; x++) {
              const r = ((y0 + y) * 2 * HOSTILE_TILE + x0 + x) * 4;
              const p = (y * HOSTILE_TILE + x) * 3;
              for (let c = 0; c < 3; c++) {
                const difference = Math.abs(region.data[r + c]! - pixels[p + c]!);
                worst = Math.max(worst, difference);
                total += difference;
              }
            }
          }
        }
        // JPEG at quality 80 and JPEG 2000 at 10:1 are lossy: the texture comes back near, not exact.
        const mean = total / (4 * HOSTILE_TILE * HOSTILE_TILE * 3);
        assert.ok(codec === 'jpeg' || codec === 'jpeg2000' ? mean < 8 : worst === 0, `mean difference ${mean}, worst ${worst}`);
        await engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 64 } });
        await engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 });
      } finally {
        await engine.close({ slideId });
      }
    });
  }

  test('a JPEG 2000 tile cut short: CORRUPT_DATA naming it, read whole (the top deep-zoom level) or reduced (a thumbnail)', async () => {
    const slide = await writeHostileSlide(join(dir, 'jpeg2000-cut.tif'), 'jpeg2000', 'ordinary');
    // Tile 0,0's byte count (the first of IFD 0's tag 325, a classic little-endian TIFF) cut to 60%.
    const bytes = readFileSync(slide.path);
    const ifd = bytes.readUInt32LE(4);
    const entry = Array.from({ length: bytes.readUInt16LE(ifd) }, (_, i) => ifd + 2 + i * 12).find((at) => bytes.readUInt16LE(at) === 325)!;
    const at = bytes.readUInt32LE(entry + 4) === 1 ? entry + 8 : bytes.readUInt32LE(entry + 8);
    bytes.writeUInt32LE(Math.floor(bytes.readUInt32LE(at) * 0.6), at);
    writeFileSync(slide.path, bytes);
    const { slideId, info } = await openSlide(engine, slide.path);
    try {
      const reads = [
        () => engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 }),
        () => engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 }),
        () => engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 128 } }),
      ];
      for (const read of reads) {
        await assert.rejects(read(), (e: unknown) => {
          assert.ok(e instanceof SlideError, String(e));
          assert.equal(e.code, 'CORRUPT_DATA');
          assert.match(e.message, /^Tile 0,0 of image 0 is damaged and cannot be decoded \(JPEG 2000 codestream: .+\)\.$/);
          assert.equal(e.path, slide.path);
          return true;
        });
      }
    } finally {
      await engine.close({ slideId });
    }
  });

  for (const [codec, kind] of HOSTILE_CASES) {
    test(`${codec}, ${kind}: a thumbnail, a tile and a region are typed errors, in under ${MAX_MS} ms and ${MAX_GROWTH_MB} MB`, async () => {
      const slide = await writeHostileSlide(join(dir, `${codec}-${kind}.tif`), codec, kind);
      const { slideId, info } = await openSlide(engine, slide.path);
      try {
        const top = info.deepZoom.levels.length - 1;
        const {
          value: results,
          ms,
          growthMb,
        } = await measure(() =>
          Promise.allSettled([
            engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 128 } }),
            engine.getTile({ slideId, dzLevel: top, col: 0, row: 0, requestId: 0 }),
            engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: HOSTILE_TILE, height: HOSTILE_TILE }),
          ]),
        );
        figures.push(`${codec} ${kind}: ${ms.toFixed(0)} ms, ${growthMb.toFixed(1)} MB`);
        for (const [i, result] of results.entries()) {
          const what = ['thumbnail', 'tile', 'region'][i];
          assert.equal(result.status, 'rejected', `${what} was read`);
          const error = (result as PromiseRejectedResult).reason;
          assert.ok(error instanceof SlideError, `${what}: not a SlideError: ${String(error)}`);
          assert.ok(error.code === 'CORRUPT_DATA' || error.code === 'TOO_LARGE', `${what}: ${error.code} ${error.message}`);
          assert.equal(error.path, slide.path);
        }
        const message = (results[2] as PromiseRejectedResult).reason.message as string;
        if (kind === 'bomb' || (kind === 'large-frame' && codec === 'zstd')) assert.match(message, /decompresses to more than its tile's 196608 bytes/);
        else if (kind === 'large-frame') assert.match(message, /8000 x 8000 pixels/);
        else assert.match(message, /^Tile 0,0 of image 0 declares \d+ bytes, more than its 256 x 256 pixels can take/);
        assert.ok(ms < MAX_MS, `${ms.toFixed(0)} ms`);
        assert.ok(growthMb < MAX_GROWTH_MB, `RSS grew ${growthMb.toFixed(0)} MB`);
      } finally {
        await engine.close({ slideId });
      }
    });
  }

  test('the 2 GB-a-tile deflate bomb (writeDeflateBomb) is refused by its byte count, before it is read', async () => {
    const path = join(dir, 'deflate-2g.tif');
    await writeDeflateBomb(path, 2048 * 2 ** 20);
    const { slideId } = await openSlide(engine, path);
    try {
      const {
        value: results,
        ms,
        growthMb,
      } = await measure(() =>
        Promise.allSettled([
          engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 128 } }),
          engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 512, height: 512 }),
        ]),
      );
      figures.push(`deflate 2 GB bomb: ${ms.toFixed(0)} ms, ${growthMb.toFixed(1)} MB`);
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        const error = (result as PromiseRejectedResult).reason;
        assert.ok(error instanceof SlideError && error.code === 'CORRUPT_DATA', String(error));
        assert.match(error.message, /declares \d+ bytes, more than its 256 x 256 pixels can take compressed with Deflate \(\d+\)/);
      }
      assert.ok(ms < MAX_MS && growthMb < MAX_GROWTH_MB, `${ms.toFixed(0)} ms, ${growthMb.toFixed(0)} MB`);
    } finally {
      await engine.close({ slideId });
    }
  });

  test('after all that, the engine still serves an ordinary slide', async () => {
    const good = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const tile = await engine.getTile({ slideId: good.slideId, dzLevel: good.info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 });
    assert.ok(tile.bytes.length > 100);
    await engine.close({ slideId: good.slideId });
  });
});

describe("libtiff's copies of a slide in every lossless codec read as the original", () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-tiffcp-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('openslide-python_boxes.tiff (Deflate) as none, LZW, LZW + predictor, PackBits, ZSTD + predictor', async (t) => {
    const original = sharedSlide('openslide-python_boxes.tiff');
    const read = async (path: string) => {
      const { slideId, info } = await openSlide(engine, path);
      try {
        return await Promise.all(info.levels.map((level, i) => engine.readRegion({ slideId, level: i, x: 0, y: 0, width: level.width, height: level.height })));
      } finally {
        await engine.close({ slideId });
      }
    };
    const expected = await read(original);
    let copies = 0;
    for (const codec of ['none', 'lzw', 'lzw:2', 'packbits', 'zstd:2']) {
      const path = join(dir, `${codec.replace(':', '-')}.tiff`);
      try {
        execFileSync('tiffcp', ['-c', codec, original, path], { stdio: 'pipe' });
      } catch {
        t.diagnostic(`tiffcp -c ${codec} is not available`);
        continue;
      }
      const regions = await read(path);
      assert.equal(regions.length, expected.length);
      for (const [i, region] of regions.entries()) {
        assert.ok(Buffer.from(region.data).equals(Buffer.from(expected[i]!.data)), `${codec}, level ${i}`);
      }
      copies++;
    }
    if (copies === 0) t.skip('tiffcp is not installed');
  });
});
