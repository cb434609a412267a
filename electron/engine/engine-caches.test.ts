// The engine's tile caches hold only open slides' tiles: a closed slide's id is never asked about again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { sharedSlide } from '../../testing/paths';
import { SlideEngine } from './engine';

test("closing a slide drops its cached tiles, decoded and encoded, and keeps the other slides'", async () => {
  const engine = new SlideEngine();
  const path = sharedSlide('CMU-1-Small-Region.svs');
  const slides = [await openSlide(engine, path), await openSlide(engine, path)];
  const cached: number[] = [];
  for (const { slideId, info } of slides) {
    const z = info.deepZoom.levels.length - 2; // resampled from stored tiles: all three caches take some
    for (let col = 0; col < 2; col++) await engine.getTile({ slideId, dzLevel: z, col, row: 0, requestId: 0 });
    cached.push(engine.cacheBytes() - (cached[0] ?? 0));
    assert.ok(engine.isTileCached(slideId, z, 0, 0));
  }
  assert.ok(cached[0]! > 0 && cached[1]! > 0);
  await engine.close({ slideId: slides[0]!.slideId });
  assert.equal(engine.cacheBytes(), cached[1], 'only the open slide holds bytes');
  await engine.close({ slideId: slides[1]!.slideId });
  assert.equal(engine.cacheBytes(), 0);
});

test('a tile being made when the channels change is not handed to a request for the new channels', async () => {
  const engine = new SlideEngine({ tileEncoding: 'png' });
  const { slideId, info } = await openSlide(engine, await fixturePath('ome-fluorescence-16bit'));
  const z = info.deepZoom.levels.length - 1;
  const tile = { slideId, dzLevel: z, col: 0, row: 0, requestId: 0 };
  // The first request is still being made (its stored tiles read) when the channels change.
  const before = engine.getTile(tile);
  await engine.chooseChannels({ slideId, channels: [{ channel: 'DAPI' }] });
  const after = await engine.getTile(tile);
  await before;
  const alone = new SlideEngine({ tileEncoding: 'png' });
  const dapi = await alone.open({ slideId, path: info.path, client: null, channels: [{ channel: 'DAPI' }] });
  const expected = await alone.getTile(tile);
  assert.equal(dapi.deepZoom.levels.length, info.deepZoom.levels.length);
  assert.deepEqual(after.bytes, expected.bytes, 'made with DAPI alone');
  await Promise.all([engine.closeAll(), alone.closeAll()]);
});
