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
import { sharedSlide } from '../../testing/paths';
import { type DicomSeriesOptions, writeDicomFolder } from '../../testing/writers/dicom';
import { SlideEngine } from '../engine/engine';
import { EngineRouter } from './engine-router';
import { StoredTileReader } from './stored-tile-reader';

const dir = mkdtempSync(join(tmpdir(), 'slidescope-stored-tiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const live = new AbortController().signal;

/** A slide open in an engine (a lane), and a reader told where each of its levels' tiles lie. */
async function opened(path: string, change?: (z: number, tiles: StoredJpegTiles) => void) {
  const engine = new SlideEngine();
  const { slideId, info } = await openSlide(engine, path);
  const reader = new StoredTileReader();
  reader.add(slideId, info.deepZoom);
  const storedLevels: number[] = [];
  for (let z = 0; z < info.deepZoom.levels.length; z++) {
    assert.equal(reader.shouldAsk(slideId, z), true);
    const tiles = await engine.storedTiles({ slideId, dzLevel: z });
    if (tiles) change?.(z, tiles);
    await reader.learn(slideId, z, tiles);
    if (tiles) storedLevels.push(z);
  }
  const close = async () => {
    reader.close(slideId);
    await engine.close({ slideId });
  };
  return { engine, slideId, info, reader, storedLevels, close };
}

/** Each tile of the levels with a table, as read here and as its lane sends it. */
async function* bothWays({ engine, slideId, info, reader, storedLevels }: Awaited<ReturnType<typeof opened>>) {
  for (const z of storedLevels) {
    const { cols, rows } = info.deepZoom.levels[z]!;
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < cols; col++) {
        const here = await reader.read(slideId, z, col, row, live);
        const lane = await engine.getTile({ slideId, dzLevel: z, col, row, requestId: 0 });
        yield { z, col, row, index: row * cols + col, here, lane, name: `tile ${z}/${col}_${row}` };
      }
    }
  }
}

for (const name of ['aperio-jpeg-rgb', 'aperio-jpeg-ycbcr', 'icc-aperio-swap', 'dicom-jpeg-rgb'] satisfies FixtureName[]) {
  test(`${name}: every tile of the levels served as stored is the lane's, byte for byte, crops included`, async () => {
    const probe = await opened(await fixturePath(name));
    const { engine, slideId, info, storedLevels } = probe;
    assert.deepEqual(
      storedLevels.map((z) => engine.describeTiling(slideId)[z]),
      engine.describeTiling(slideId).filter((plan) => plan.startsWith('stored')),
      'a table for exactly the stored levels',
    );
    let crops = 0;
    for await (const { here, lane, name } of bothWays(probe)) {
      assert.ok(here, `${name} read here`);
      assert.deepEqual(here, lane, name);
      if (here.crop) crops++;
    }
    assert.ok(crops > 0, 'edge tiles were among them');
    if (name === 'icc-aperio-swap') assert.ok(info.iccProfile && !info.iccProfile.unusable, 'the profile is spliced in');
    await probe.close();
  });
}

test('DICOM: a level split over files (a concatenation) is read here, its absent frames left to the lanes', async () => {
  // dicom-jpeg-sparse: level 0 TILED_SPARSE in 3 files, a fifth of its frames left out; Extended Offset Tables.
  const probe = await opened(await fixturePath('dicom-jpeg-sparse'));
  const { engine, slideId, info, storedLevels } = probe;
  const finest = info.deepZoom.levels.length - 1;
  assert.deepEqual(
    storedLevels,
    engine.describeTiling(slideId).flatMap((plan, z) => (plan.startsWith('stored') ? [z] : [])),
    'a table for every stored level',
  );
  assert.ok(storedLevels.includes(finest), 'level 0 among them');
  const level0 = (await engine.storedTiles({ slideId, dzLevel: finest }))!;
  assert.equal(level0.files.length, 3);
  const readFrom = new Set<number>();
  let absent = 0;
  for await (const { z, index, here, lane, name } of bothWays(probe)) {
    if (z === finest && level0.offsets[index] === 0) {
      absent++;
      assert.equal(here, null, `absent ${name} is the lanes'`);
      continue;
    }
    assert.ok(here, `${name} read here`);
    assert.deepEqual(here, lane, name);
    if (z === finest) readFrom.add(level0.tileFiles![index]!);
  }
  assert.ok(absent > 0, 'absent frames among them');
  assert.deepEqual([...readFrom].sort(), [0, 1, 2], 'tiles read from each of its files');
  await probe.close();
});

test("a real DICOM file (wsi2dcm): every tile of its stored levels read here is the lane's", async () => {
  const probe = await opened(sharedSlide('wsi2dcm_jpeg.dcm'));
  assert.ok(probe.storedLevels.length > 0, 'a level served as stored');
  for await (const { here, lane, name } of bothWays(probe)) assert.deepEqual(here, lane, name);
  await probe.close();
});

test('DICOM frames in two fragments, and frames located without an offset table, are read here too', async () => {
  const svs = await fixturePath('cohort-svs');
  const variants: Array<{ name: string; options: DicomSeriesOptions }> = [
    { name: 'no offset table', options: { seed: 31, codec: 'jpeg', offsetTable: 'none' } },
    { name: 'two fragments, Basic Offset Table', options: { seed: 32, codec: 'jpeg', twoFragments: true } },
    { name: 'two fragments, no offset table', options: { seed: 33, codec: 'jpeg', twoFragments: true, offsetTable: 'none' } },
  ];
  for (const { name, options } of variants) {
    const written = await writeDicomFolder(join(dir, `dicom-${options.seed}`), svs, [options]);
    const probe = await opened(written.path);
    const stored = probe.engine.describeTiling(probe.slideId).flatMap((plan, z) => (plan.startsWith('stored') ? [z] : []));
    assert.ok(stored.length > 0, `${name}: levels served as stored`);
    assert.deepEqual(probe.storedLevels, stored, `${name}: every one read here`);
    for await (const tile of bothWays(probe)) {
      assert.ok(tile.here, `${name}: ${tile.name} read here`);
      assert.deepEqual(tile.here, tile.lane, `${name}: ${tile.name}`);
    }
    await probe.close();
  }
});

test('DICOM: a span whose items do not fill it as its table says is left to the lanes', async () => {
  const { engine, slideId, info, reader, storedLevels, close } = await opened(await fixturePath('dicom-jpeg-rgb'), (_, tiles) => {
    tiles.counts[1]! -= 1; // its item runs a byte past its span
    tiles.offsets[2]! += 8; // no item header where it starts
  });
  const z = storedLevels.at(-1)!;
  assert.ok(info.deepZoom.levels[z]!.cols >= 3);
  assert.ok(await reader.read(slideId, z, 0, 0, live), 'tile 0,0 is in order');
  for (const col of [1, 2]) {
    assert.equal(await reader.read(slideId, z, col, 0, live), null, `tile ${col},0`);
    assert.ok(await engine.getTile({ slideId, dzLevel: z, col, row: 0, requestId: 0 }), `the lane sends tile ${col},0`);
  }
  await close();
});

test('a damaged tile is left to the lanes, which say what is wrong', async () => {
  const path = join(dir, 'damaged.svs');
  copyFileSync(await fixturePath('aperio-jpeg-rgb'), path);
  const probe = await opened(path);
  const z = probe.storedLevels.at(-1)!;
  const tiles = (await probe.engine.storedTiles({ slideId: probe.slideId, dzLevel: z })) as StoredJpegTiles;
  await probe.close();
  // Tile 1,0's frame says it is 1 pixel high.
  const bytes = readFileSync(path);
  const at = tiles.offsets[1]!;
  const sof = bytes.subarray(at, at + tiles.counts[1]!).findIndex((b, i, a) => b === 0xff && a[i + 1] === 0xc0);
  bytes.writeUInt16BE(1, at + sof + 5);
  writeFileSync(path, bytes);

  const { engine, slideId, reader, close } = await opened(path);
  assert.equal(await reader.read(slideId, z, 1, 0, live), null, 'the damaged tile is not sent from here');
  await assert.rejects(engine.getTile({ slideId, dzLevel: z, col: 1, row: 0, requestId: 0 }), /Tile 1,0 of image 0 is damaged/);
  assert.ok(await reader.read(slideId, z, 0, 0, live), 'its neighbour is');
  await close();
});

test('absent tiles, data beyond the file, too many bytes, a tile outside the table, an aborted read: all left to the lanes', async () => {
  const path = await fixturePath('aperio-jpeg-rgb');
  let finest = -1;
  const { slideId, reader, storedLevels, close } = await opened(path, (z, tiles) => {
    finest = Math.max(finest, z);
    if (z !== finest) return;
    tiles.offsets[1] = 0; // absent
    tiles.counts[2] = 0; // absent
    tiles.offsets[3] = 1e12; // beyond the end of the file
    tiles.counts[4] = tiles.maxCount + 1; // more than its pixels can take
    tiles.cols = 5; // tile 5,0 and beyond are not in the table
  });
  const z = storedLevels.at(-1)!;
  assert.ok(await reader.read(slideId, z, 0, 0, live), 'tile 0,0 is in order');
  for (const col of [1, 2, 3, 4, 5]) assert.equal(await reader.read(slideId, z, col, 0, live), null, `tile ${col},0`);
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(await reader.read(slideId, z, 0, 0, aborted.signal), null, 'an aborted request');
  assert.equal(reader.shouldAsk(slideId, 1000), false, 'a level the slide does not have is not asked about');
  reader.close(slideId);
  assert.equal(await reader.read(slideId, z, 0, 0, live), null, 'a closed slide');
  await close();
});

test('a file changed after the lane opened it is the lanes to read; a level the lane could not answer for is asked again', async () => {
  const path = join(dir, 'changed.svs');
  copyFileSync(await fixturePath('icc-aperio-swap'), path);
  const engine = new SlideEngine();
  const { slideId, info } = await openSlide(engine, path);
  const z = info.deepZoom.levels.length - 1;
  utimesSync(path, new Date(), new Date(Date.now() + 60_000));
  const reader = new StoredTileReader();
  reader.add(slideId, info.deepZoom);
  assert.equal(reader.shouldAsk(slideId, z), true);
  await reader.learn(slideId, z, await engine.storedTiles({ slideId, dzLevel: z }));
  assert.equal(await reader.read(slideId, z, 0, 0, live), null);
  assert.equal(reader.reads(slideId, z), false, 'not read here: the lanes prefetch it');
  assert.equal(reader.shouldAsk(slideId, z), false, 'answered: not asked again');
  assert.equal(reader.shouldAsk(slideId, z - 1), true);
  reader.forget(slideId, z - 1);
  assert.equal(reader.shouldAsk(slideId, z - 1), true, 'asked again after a failed answer');
  reader.close(slideId);
  await engine.close({ slideId });
});

/** Lanes as the engine process runs them, each its own engine; tile calls of column 0 wait until they are aborted. */
function lanes(tileCalls: number[], prefetches?: unknown[]) {
  const engines = [new SlideEngine(), new SlideEngine()];
  return [0, 1].map((index) => ({
    load: 0,
    async call(op: string, request: never, options: { signal?: AbortSignal } = {}): Promise<Result<unknown>> {
      try {
        const engine = engines[index]!;
        if (op === 'engine:open') return ok(await engine.open(request));
        if (op === 'engine:close') return ok(await engine.close(request));
        if (op === 'engine:stored-tiles') return ok(await engine.storedTiles(request));
        if (op === 'slide:prefetch') {
          prefetches?.push(request);
          return ok(undefined);
        }
        tileCalls.push(index);
        if ((request as { col: number }).col === 0) {
          await new Promise((resolve) => options.signal?.addEventListener('abort', resolve));
          return { ok: false, error: { code: 'CANCELLED', message: 'stopped' } };
        }
        return ok(await engine.getTile(request));
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
    },
  }));
}

test("the router reads a stored level's tiles itself once a lane has said where they lie; a reused request id still replaces the older request", {
  timeout: 60_000,
}, async () => {
  const tileCalls: number[] = [];
  const prefetches: unknown[] = [];
  const stats = () => ({ pid: 0, rssBytes: 0, peakRssBytes: 0, memoryCapBytes: 0, lanes: 2, restarts: 0 });
  const router = new EngineRouter(lanes(tileCalls, prefetches) as never, stats);
  const context = { signal: new AbortController().signal, progress: () => undefined };
  const slideId = 'router-stored';
  const info = await router.hostDispatch()('engine:open', { slideId, path: await fixturePath('aperio-jpeg-rgb'), client: 1 }, context);
  assert.ok(info.ok);
  const window = router.connect(1);
  const finest = (info.value as { deepZoom: { levels: unknown[] } }).deepZoom.levels.length - 1;
  const tile = (col: number, requestId: number) => window('slide:tile', { slideId, dzLevel: finest, col, row: 0, requestId }, context);

  // The level's first tile asks where its tiles lie and is made in its lane, which holds it.
  const held = tile(0, 7);
  // Until the answer has come, lanes make the level's tiles.
  for (let tries = 0; ; tries++) {
    tileCalls.length = 0;
    const made = await tile(1, 100 + tries);
    assert.ok(made.ok);
    if (tileCalls.length === 0) break;
    assert.ok(tries < 100, 'the router never read a tile itself');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const again = await tile(2, 7);
  assert.deepEqual(tileCalls, [], 'later tiles of the level are read in the router');
  // Lanes are told which levels' tiles the router reads, so that they do not prefetch them.
  const ring = { slideId, colStart: 0, colEnd: 1, rowStart: 0, rowEnd: 1 };
  assert.ok((await window('slide:prefetch', { ...ring, dzLevel: finest }, context)).ok);
  assert.ok((await window('slide:prefetch', { ...ring, dzLevel: finest - 1, storedReadByRouter: true }, context)).ok);
  // A level none of whose tiles has been asked for yet: the router first learns where they lie.
  const other = 'router-stored-other';
  assert.ok((await router.hostDispatch()('engine:open', { slideId: other, path: await fixturePath('aperio-jpeg-rgb'), client: 1 }, context)).ok);
  assert.ok((await window('slide:prefetch', { ...ring, slideId: other, dzLevel: finest, storedReadByRouter: false }, context)).ok);
  assert.deepEqual(
    prefetches.map((request) => (request as { storedReadByRouter: boolean }).storedReadByRouter),
    [true, true, false, false, true, true],
    "the router's word, whatever the window said",
  );
  assert.ok(again.ok && (again.value as EncodedTile).bytes.length > 0);
  const replaced = await held;
  assert.equal(!replaced.ok && replaced.error.code, 'CANCELLED', 'request 7, replaced by the tile read in the router, was stopped in its lane');
  await router.hostDispatch()('engine:close', { slideId }, context);
  await router.hostDispatch()('engine:close', { slideId: other }, context);
});
