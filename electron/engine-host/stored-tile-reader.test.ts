// Stored tiles read by the engine process's main thread must be the very tiles a lane sends (bytes,
// ICC markers, edge crops), and anything out of order must be left to the lanes, which explain it.

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ok, type Result, toErrorInfo } from '../../shared/errors';
import type { EncodedTile, StoredJpegTiles } from '../../shared/slide';
import { type FixtureName, fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { SlideEngine } from '../engine/engine';
import { EngineRouter } from './engine-router';
import { StoredTileReader } from './stored-tile-reader';

const dir = mkdtempSync(join(tmpdir(), 'slidescope-stored-tiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function opened(path: string) {
  const engine = new SlideEngine();
  const { slideId, info } = await openSlide(engine, path);
  const reader = new StoredTileReader();
  reader.add(slideId, info.deepZoom);
  const storedLevels: number[] = [];
  for (let z = 0; z < info.deepZoom.levels.length; z++) {
    assert.equal(reader.shouldAsk(slideId, z), true);
    const tiles = await engine.storedTiles({ slideId, dzLevel: z });
    reader.learn(slideId, z, tiles);
    if (tiles) storedLevels.push(z);
  }
  return { engine, slideId, info, reader, storedLevels };
}

for (const name of ['aperio-jpeg-rgb', 'aperio-jpeg-ycbcr', 'icc-aperio-swap'] satisfies FixtureName[]) {
  test(`${name}: every tile of the levels served as stored is the lane's, byte for byte, crops included`, async () => {
    const { engine, slideId, info, reader, storedLevels } = await opened(await fixturePath(name));
    assert.deepEqual(
      storedLevels.map((z) => engine.describeTiling(slideId)[z]),
      engine.describeTiling(slideId).filter((plan) => plan.startsWith('stored')),
      'a table for exactly the stored levels',
    );
    let crops = 0;
    for (const z of storedLevels) {
      const { cols, rows } = info.deepZoom.levels[z]!;
      for (let row = 0; row < rows; row++) {
        for (let col = 0; col < cols; col++) {
          const here = await reader.read(slideId, z, col, row);
          const lane = await engine.getTile({ slideId, dzLevel: z, col, row, requestId: 0 });
          assert.ok(here, `tile ${z}/${col}_${row} read here`);
          assert.deepEqual(here, lane, `tile ${z}/${col}_${row}`);
          if (here.crop) crops++;
        }
      }
    }
    assert.ok(crops > 0, 'edge tiles were among them');
    if (name === 'icc-aperio-swap') assert.ok(info.iccProfile && !info.iccProfile.unusable, 'the profile is spliced in');
    await engine.close({ slideId });
  });
}

test('a damaged tile, an absent one and a tile outside the level are left to the lanes', async () => {
  const path = join(dir, 'damaged.svs');
  copyFileSync(await fixturePath('aperio-jpeg-rgb'), path);
  const probe = await opened(path);
  const z = probe.storedLevels.at(-1)!;
  const tiles = (await probe.engine.storedTiles({ slideId: probe.slideId, dzLevel: z })) as StoredJpegTiles;
  await probe.engine.close({ slideId: probe.slideId });
  // Tile 1,0's frame says it is 1 pixel high.
  const bytes = readFileSync(path);
  const at = tiles.offsets[1]!;
  const sof = bytes.subarray(at, at + tiles.counts[1]!).findIndex((b, i, a) => b === 0xff && a[i + 1] === 0xc0);
  bytes.writeUInt16BE(1, at + sof + 5);
  writeFileSync(path, bytes);

  const { engine, slideId, reader } = await opened(path);
  assert.equal(await reader.read(slideId, z, 1, 0), null, 'the damaged tile is not sent from here');
  await assert.rejects(engine.getTile({ slideId, dzLevel: z, col: 1, row: 0, requestId: 0 }), /Tile 1,0 of image 0 is damaged/);
  assert.ok(await reader.read(slideId, z, 0, 0), 'its neighbour is');
  assert.equal(await reader.read(slideId, z, 10_000, 0), null);
  assert.equal(await reader.read(slideId, z + 1, 0, 0), null, 'a level never asked about');
  assert.equal(reader.shouldAsk(slideId, 1000), false, 'nor asked about when the slide has no such level');
  reader.close(slideId);
  assert.equal(await reader.read(slideId, z, 0, 0), null, 'a closed slide');
  await engine.close({ slideId });
});

test('a file changed after the lanes opened it is theirs to read', async () => {
  const path = join(dir, 'changed.svs');
  copyFileSync(await fixturePath('icc-aperio-swap'), path);
  const engine = new SlideEngine();
  const { slideId, info } = await openSlide(engine, path);
  const z = info.deepZoom.levels.length - 1;
  const tiles = await engine.storedTiles({ slideId, dzLevel: z });
  assert.ok(tiles);
  utimesSync(path, new Date(), new Date(Date.now() + 60_000));
  const reader = new StoredTileReader();
  reader.add(slideId, info.deepZoom);
  reader.shouldAsk(slideId, z);
  reader.learn(slideId, z, tiles);
  assert.equal(await reader.read(slideId, z, 0, 0), null);
  await engine.close({ slideId });
});

test("the router reads a stored level's tiles itself once a lane has said where they lie", async () => {
  const tileCalls: number[] = [];
  const engines = [new SlideEngine(), new SlideEngine()];
  const lane = (index: number) => ({
    load: 0,
    async call(op: string, request: never): Promise<Result<unknown>> {
      try {
        const engine = engines[index]!;
        if (op === 'engine:open') return ok(await engine.open(request));
        if (op === 'engine:close') return ok(await engine.close(request));
        if (op === 'engine:stored-tiles') return ok(await engine.storedTiles(request));
        tileCalls.push(index);
        return ok(await engine.getTile(request));
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
    },
  });
  const stats = () => ({ pid: 0, rssBytes: 0, peakRssBytes: 0, memoryCapBytes: 0, lanes: 2, restarts: 0 });
  const dispatch = new EngineRouter([lane(0), lane(1)] as never, stats).hostDispatch();
  const context = { signal: new AbortController().signal, progress: () => undefined };
  const path = await fixturePath('aperio-jpeg-rgb');
  const slideId = 'router-stored';
  const info = await dispatch('engine:open', { slideId, path, client: null }, context);
  assert.ok(info.ok);
  const finest = (info.value as { deepZoom: { levels: unknown[] } }).deepZoom.levels.length - 1;
  const tile = (col: number) => dispatch('slide:tile', { slideId, dzLevel: finest, col, row: 0, requestId: col }, context);

  const first = await tile(0);
  assert.deepEqual(tileCalls, [0], "the level's first tile is made in its lane");
  // Where the level's tiles lie comes from a lane moments later: until then, lanes make them.
  for (let tries = 0; ; tries++) {
    tileCalls.length = 0;
    await tile(1);
    if (tileCalls.length === 0) break;
    assert.ok(tries < 100, 'the router never read a tile itself');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const again = await tile(0);
  const next = await tile(2);
  assert.deepEqual(tileCalls, [], 'later tiles of the level are read in the router');
  assert.ok(first.ok && again.ok && next.ok);
  assert.deepEqual((again.value as EncodedTile).bytes, (first.value as EncodedTile).bytes);
  await dispatch('engine:close', { slideId }, context);
});
