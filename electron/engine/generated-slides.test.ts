// The engine against OpenSlide on slides the project generates: multi-level Aperio JPEG (RGB and
// YCbCr photometric), JPEG 2000 (33003, 33005), BigTIFF, lossless generic pyramids, unflagged
// levels, one huge level with no pyramid, and a header declaring 10^9 x 10^9 pixels.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type AgainstOpenSlideOptions, againstOpenSlide } from '../../testing/against-openslide';
import { type FixtureName, fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { type ReferenceInfo, referenceImage, runOpenSlide } from '../../testing/openslide-reference';
import { compareRgb, decodeTile } from '../../testing/pixel-compare';
import { SlideEngine } from './engine';
import { SlideError } from './errors';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

async function checkAgainstOpenSlide(name: FixtureName, options: AgainstOpenSlideOptions = {}) {
  return againstOpenSlide(engine, await fixturePath(name), options);
}

describe('generated slides against OpenSlide (±2 per channel)', { timeout: 600_000 }, () => {
  test('Aperio JPEG, RGB photometric, 3 levels, thumbnail/label/macro', async () => {
    const { slideId, info } = await checkAgainstOpenSlide('aperio-jpeg-rgb');
    assert.equal(info.vendor, 'aperio');
    assert.equal(info.objectivePower, 20);
    assert.deepEqual([...info.associated].sort(), ['label', 'macro', 'thumbnail']);
    // Every stored level is served as stored.
    assert.deepEqual(
      engine.describeTiling(slideId).filter((p) => p.startsWith('stored')),
      ['stored L2', 'stored L1', 'stored L0'],
    );
  });

  test('Aperio JPEG, YCbCr photometric', async () => {
    await checkAgainstOpenSlide('aperio-jpeg-ycbcr');
  });

  test('Aperio JPEG 2000, YCbCr components (33003)', async () => {
    const { slideId, info } = await checkAgainstOpenSlide('aperio-j2k-33003');
    // JPEG 2000 cannot go to the browser as stored: tiles are decoded and re-encoded, twice the stored size.
    assert.equal(info.deepZoom.tileSize, 480);
    const tile = await engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 });
    assert.equal(tile.mime, 'image/png'); // this engine encodes losslessly for the comparison
  });

  test('Aperio JPEG 2000, YCbCr components with subsampled chroma (33003, 4:2:0)', async () => {
    const { slideId, info, path } = await checkAgainstOpenSlide('aperio-j2k-33003-subsampled');
    // Half-size levels decode one resolution level down: chroma upsampled and converted there too.
    const z = info.deepZoom.levels.length - 2;
    const [ref] = runOpenSlide([{ kind: 'dztile', path, tile_size: info.deepZoom.tileSize, overlap: 0, dz_level: z, col: 2, row: 1 }]);
    const diff = compareRgb(await decodeTile(await engine.getTile({ slideId, dzLevel: z, col: 2, row: 1, requestId: 0 })), referenceImage(ref), 2);
    assert.ok(diff.meanDiff < 3, JSON.stringify(diff));
  });

  test("Aperio JPEG 2000, RGB components (33005); half-size levels from the codestream's resolution levels", async () => {
    const { slideId, info, path } = await checkAgainstOpenSlide('aperio-j2k-33005');
    const z = info.deepZoom.levels.length - 2;
    assert.equal(engine.describeTiling(slideId)[z], 'resample L0 x2.00');
    const picks = [
      [1, 1],
      [3, 2],
      [info.deepZoom.levels[z]!.cols - 1, info.deepZoom.levels[z]!.rows - 1],
    ] as const;
    const refs = runOpenSlide(picks.map(([col, row]) => ({ kind: 'dztile', path, tile_size: info.deepZoom.tileSize, overlap: 0, dz_level: z, col, row })));
    for (const [i, [col, row]] of picks.entries()) {
      const diff = compareRgb(await decodeTile(await engine.getTile({ slideId, dzLevel: z, col, row, requestId: 0 })), referenceImage(refs[i]), 2);
      // Wavelet reduction (ours) vs Lanczos (OpenSlide): equal but at edges; a misplaced pixel would read 10+.
      assert.ok(diff.meanDiff < 3, `tile ${col},${row}: ${JSON.stringify(diff)}`);
    }
  });

  test('a dz level a quarter of the coarsest stored one: JPEG 2000 from its resolution levels, JPEG with Lanczos', async () => {
    for (const name of ['aperio-j2k-33005', 'aperio-jpeg-rgb'] as const) {
      const path = await fixturePath(name);
      const { slideId, info } = await openSlide(engine, path);
      const z = engine.describeTiling(slideId).findIndex((p) => /^resample L\d+ x(3\.9|4\.0)/.test(p));
      assert.ok(z > 0, `${name}: no quarter-size level in ${engine.describeTiling(slideId).join(', ')}`);
      const { cols, rows } = info.deepZoom.levels[z]!;
      const [ref] = runOpenSlide([{ kind: 'dztile', path, tile_size: info.deepZoom.tileSize, overlap: 0, dz_level: z, col: cols - 1, row: rows - 1 }]);
      const diff = compareRgb(
        await decodeTile(await engine.getTile({ slideId, dzLevel: z, col: cols - 1, row: rows - 1, requestId: 0 })),
        referenceImage(ref),
        2,
      );
      // Wavelet reduction or Lanczos (ours) vs Lanczos (OpenSlide): close; a misplaced pixel would read 10+.
      assert.ok(diff.meanDiff < 3, `${name} tile ${z}/${cols - 1}_${rows - 1}: ${JSON.stringify(diff)}`);
      await engine.close({ slideId });
    }
  });

  test('BigTIFF generic pyramid with microns per pixel', async () => {
    const { info } = await checkAgainstOpenSlide('bigtiff-pyramid');
    assert.deepEqual(info.mpp, { x: 0.25, y: 0.25 });
    assert.equal(info.objectivePower, null);
  });

  test('generic LZW and Deflate pyramids (lossless: exact)', async () => {
    await checkAgainstOpenSlide('generic-lzw', { tolerance: 0 });
    await checkAgainstOpenSlide('generic-deflate', { tolerance: 0 });
  });

  test('generic JPEG pyramid with unflagged reduced levels: all levels found', async () => {
    const path = await fixturePath('generic-unflagged-jpeg');
    const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
    assert.equal(ref.level_count, 1);
    const { info } = await checkAgainstOpenSlide('generic-unflagged-jpeg', { expectLevels: 5 });
    assert.ok(info.levels[4]!.width < info.levels[0]!.width / 8);
  });
});

describe('one huge level, no pyramid', { timeout: 600_000 }, () => {
  test('lower deep-zoom levels are built on demand; the thumbnail matches OpenSlide', async () => {
    const path = await fixturePath('single-level-large');
    const { slideId, info } = await openSlide(engine, path);
    assert.equal(info.levels.length, 1);
    const plans = engine.describeTiling(slideId);
    assert.equal(plans.at(-1), 'stored L0');
    assert.equal(plans[0], 'children');
    const tile = await decodeTile(await engine.getTile({ slideId, dzLevel: 0, col: 0, row: 0, requestId: 0 }));
    assert.equal(tile.width, 1);
    const thumb = await engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 512 } });
    assert.deepEqual([thumb.width, thumb.height], [512, 384]);
    const ref = referenceImage(runOpenSlide([{ kind: 'thumbnail', path, width: 512, height: 512 }])[0]);
    const diff = compareRgb(thumb, ref, 8);
    assert.ok(diff.meanDiff < 3, JSON.stringify(diff));
  });
});

describe('a header declaring 10^9 x 10^9 pixels', () => {
  test('TOO_LARGE, and nothing huge is allocated', async () => {
    const path = await fixturePath('huge-header');
    const before = process.memoryUsage().rss;
    await assert.rejects(openSlide(engine, path), (e: unknown) => e instanceof SlideError && e.code === 'TOO_LARGE' && /1000000000/.test(e.message));
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024);
  });
});
