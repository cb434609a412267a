// Broken files: each gets a typed error with a message a user understands, nothing hangs, and the
// engine keeps serving other slides afterwards.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type ErrorCode, isErrorCode } from '../../shared/errors';
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
    ['histolab_broken-html.svs', 'NOT_A_SLIDE', /not a TIFF or SVS/],
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
