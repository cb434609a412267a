import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSlide } from '../../testing/open-slide';
import { sharedSlide } from '../../testing/paths';
import { SlideEngine } from './engine';
import { SlideError } from './errors';
import { tileLane } from './tile-lanes';

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('prefetch makes the ring around a view while idle; a newer prefetch replaces it', async () => {
  const engine = new SlideEngine();
  const { slideId, info } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
  const z = info.deepZoom.levels.length - 2; // a resampled level: real work per tile
  assert.equal(engine.isTileCached(slideId, z, 1, 1), false);
  await engine.prefetchTiles({ slideId, dzLevel: z, colStart: 0, colEnd: 2, rowStart: 0, rowEnd: 2 });
  await until(() => engine.isTileCached(slideId, z, 2, 2));
  for (let c = 0; c <= 2; c++) for (let r = 0; r <= 2; r++) assert.ok(engine.isTileCached(slideId, z, c, r), `${c},${r}`);
  // Ranges are clipped to the level; a replaced prefetch drops the tiles not yet made.
  const { cols, rows } = info.deepZoom.levels[z]!;
  await engine.prefetchTiles({ slideId, dzLevel: z, colStart: cols - 1, colEnd: cols + 5, rowStart: rows - 1, rowEnd: rows + 5 });
  await until(() => engine.isTileCached(slideId, z, cols - 1, rows - 1));
  await assert.rejects(
    engine.prefetchTiles({ slideId, dzLevel: 99, colStart: 0, colEnd: 0, rowStart: 0, rowEnd: 0 }),
    (e: unknown) => e instanceof SlideError && e.code === 'INVALID_ARGUMENT',
  );
  await engine.closeAll();
});

test('prefetch yields to real requests', async () => {
  const engine = new SlideEngine();
  const { slideId, info } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
  const z = info.deepZoom.levels.length - 2;
  const { cols, rows } = info.deepZoom.levels[z]!;
  await engine.prefetchTiles({ slideId, dzLevel: z, colStart: 0, colEnd: cols - 1, rowStart: 0, rowEnd: rows - 1 });
  // A real request made now is served before the rest of the prefetch queue.
  const tile = await engine.getTile({ slideId, dzLevel: z, col: cols - 1, row: rows - 1, requestId: 0 });
  assert.ok(tile.bytes.length > 0);
  const made = Array.from({ length: cols * rows }, (_, i) => engine.isTileCached(slideId, z, i % cols, Math.floor(i / cols))).filter(Boolean).length;
  assert.ok(made < cols * rows, 'the prefetch had not finished when the real request was answered');
  await engine.closeAll();
});

test('an engine serving one lane of several prefetches only its own tiles', async () => {
  const engine = new SlideEngine({ lane: { lane: 1, lanes: 2 } });
  const { slideId, info } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
  const z = info.deepZoom.levels.length - 2;
  await engine.prefetchTiles({ slideId, dzLevel: z, colStart: 0, colEnd: 2, rowStart: 0, rowEnd: 2 });
  await until(() => engine.isTileCached(slideId, z, 2, 1));
  await new Promise((r) => setTimeout(r, 100));
  for (let c = 0; c <= 2; c++) {
    for (let r = 0; r <= 2; r++) assert.equal(engine.isTileCached(slideId, z, c, r), tileLane(c, r, 2) === 1, `${c},${r}`);
  }
  await engine.closeAll();
});

test("tiles the engine process's router reads itself are not prefetched; a stored level it declined is", async () => {
  const engine = new SlideEngine();
  const path = sharedSlide('CMU-1-Small-Region.svs');
  const read = await openSlide(engine, path);
  const declined = await openSlide(engine, path);
  const finest = read.info.deepZoom.levels.length - 1;
  assert.equal(engine.describeTiling(read.slideId)[finest], 'stored L0');
  await engine.prefetchTiles({ slideId: read.slideId, dzLevel: finest, colStart: 0, colEnd: 2, rowStart: 0, rowEnd: 2, storedReadByRouter: true });
  // The other slide's ring comes after the first's in the prefetch: once it is made, the first's would have been.
  await engine.prefetchTiles({ slideId: declined.slideId, dzLevel: finest, colStart: 0, colEnd: 1, rowStart: 0, rowEnd: 1, storedReadByRouter: false });
  await until(() => engine.isTileCached(declined.slideId, finest, 1, 1));
  for (let c = 0; c <= 2; c++) for (let r = 0; r <= 2; r++) assert.equal(engine.isTileCached(read.slideId, finest, c, r), false, `${c},${r}`);
  await engine.closeAll();
});
