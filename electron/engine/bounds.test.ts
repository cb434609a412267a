// How much work one request may start: a region's tile reads, a lane's decodes, the tiles a deep-zoom
// tile is built from where a slide has no pyramid.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RgbImage } from '../../shared/slide';
import { fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { virtualSource } from '../../testing/virtual-source';
import { SlideEngine } from './engine';
import { ByteLruCache } from './lru-cache';
import { REGION_TILE_READS, RegionReader } from './region-reader';

/** A 100 x 100-tile level of raw 16 px tiles that counts how many reads run at once. */
function countingSource() {
  const counts = { now: 0, most: 0, reads: 0 };
  const source = virtualSource(
    { width: 1600, height: 1600, downsample: 1, tileWidth: 16, tileHeight: 16 },
    {
      async readTile(): Promise<RgbImage> {
        counts.now++;
        counts.reads++;
        counts.most = Math.max(counts.most, counts.now);
        await new Promise((resolve) => setTimeout(resolve, 1));
        counts.now--;
        return { data: new Uint8Array(16 * 16 * 3).fill(128), width: 16, height: 16, channels: 3 };
      },
    },
  );
  return { source, counts };
}

describe('bounded work', () => {
  test('a region reads its tiles a few at a time, and a lane decodes at most 32 at once whatever the requests', async () => {
    const { source, counts } = countingSource();
    const reader = new RegionReader(source, new ByteLruCache(1, () => 1), 'virtual');
    const region = await reader.readRegion(0, 0, 0, 800, 800);
    assert.equal(region.width, 800);
    assert.equal(counts.reads, 2500);
    assert.ok(counts.most <= REGION_TILE_READS, `one region had ${counts.most} reads at once`);
    counts.most = 0;
    await Promise.all([0, 400, 800, 1200].map((y) => reader.readRegion(0, 0, y, 1600, 400)));
    assert.ok(counts.most <= 32, `four regions had ${counts.most} reads at once`);
    assert.ok(counts.most > REGION_TILE_READS, 'several requests do share the lane');
  });

  test('a deep-zoom tile built from more tiles below it than a request may is refused: TOO_LARGE, with the reason', async () => {
    const engine = new SlideEngine({ maxBuiltTiles: 16 });
    const { slideId, info } = await openSlide(engine, await fixturePath('single-level-large'));
    const plans = engine.describeTiling(slideId);
    const built = plans.lastIndexOf('children');
    assert.ok(built > 2, plans.join(', '));
    // The level just above the stored one's reach: four children, well inside the budget.
    const near = await engine.getTile({ slideId, dzLevel: built, col: 0, row: 0, requestId: 0 });
    assert.ok(near.bytes.length > 0);
    // The overview needs hundreds.
    const started = Date.now();
    await assert.rejects(
      engine.getTile({ slideId, dzLevel: 0, col: 0, row: 0, requestId: 0 }),
      (error: { code?: string; message?: string }) => error.code === 'TOO_LARGE' && /more than 16 tiles below it/.test(error.message ?? ''),
    );
    assert.ok(Date.now() - started < 5000);
    assert.equal(info.levels.length, 1);
    await engine.closeAll();
  });
});
