// The engine in its own process, as the CLI, the e2e host and (through utilityProcess) the app run
// it: requests and errors across the process, windows' connections scoped to their slides, a kill
// or a runaway allocation that ends the engine process and never its parent.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Result } from '../../shared/errors';
import type { OperationProtocol } from '../../shared/operation-rpc';
import { ENGINE_OPERATIONS, LANE_OPERATIONS, OPERATIONS } from '../../shared/operations';
import { type Endpoint, RpcClient } from '../../shared/rpc';
import { fixturePath } from '../../testing/fixtures';
import { HOSTILE_CASES, writeHostileSlide } from '../../testing/hostile';
import { sharedSlide } from '../../testing/paths';
import { waitFor } from '../../testing/wait-for';
import { EngineClient, type EngineStoppedEvent } from './engine-client';
import { EngineRouter } from './engine-router';
import { defaultLaneCount } from './engine-settings';
import { forkEngine } from './fork-engine';
import { LaneEngine } from './lane-engine';

const CMU = sharedSlide('CMU-1-Small-Region.svs');

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

const code = (result: Result<unknown>) => (result.ok ? 'ok' : result.error.code);

describe('the engine process', () => {
  const stops: EngineStoppedEvent[] = [];
  let restarted = 0;
  const engine = new EngineClient(forkEngine({ lanes: 2 }), {
    onStopped: (event) => stops.push(event),
    onRestarted: () => restarted++,
  });
  before(async () => {
    engine.start();
    await engine.whenReady();
  });
  after(() => engine.dispose());

  test('serves many tiles at once, regions and thumbnails, in a process of its own', async () => {
    assert.ok(engine.pid !== undefined && engine.pid !== process.pid);
    const { slideId, info } = value(await engine.open(CMU, null));
    assert.equal(info.objectivePower, 20);
    const top = info.deepZoom.levels.length - 1;
    const { cols, rows } = info.deepZoom.levels[top]!;
    const tiles = await Promise.all(
      Array.from({ length: cols * rows }, (_, i) =>
        engine.call('slide:tile', { slideId, dzLevel: top, col: i % cols, row: Math.floor(i / cols), requestId: i }),
      ),
    );
    assert.equal(tiles.length, 130);
    for (const tile of tiles) assert.equal(value(tile).mime, 'image/jpeg');
    const region = value(await engine.call('engine:region', { slideId, level: 0, x: 100, y: 100, width: 64, height: 32 }));
    assert.equal(region.data.length, 64 * 32 * 4);
    const thumb = value(await engine.call('engine:thumbnail', { slideId, spec: { kind: 'power', objectivePower: 1.25 } }));
    assert.deepEqual([thumb.width, thumb.height], [139, 185]);
    const stats = value(await engine.call('engine:stats', undefined));
    assert.equal(stats.pid, engine.pid);
    assert.equal(stats.lanes, 2);
    assert.ok(stats.peakRssBytes > 0 && stats.memoryCapBytes >= 2 ** 30);
    await engine.close(slideId);
    assert.equal(code(await engine.call('slide:tile', { slideId, dzLevel: top, col: 0, row: 0, requestId: 0 })), 'NOT_OPEN');
  });

  test('a request the caller no longer needs is cancelled, and the engine carries on', async () => {
    const { slideId } = value(await engine.open(CMU, null));
    const controller = new AbortController();
    // dz level 0 is built from every level below it: long enough for the cancel to land.
    const pending = engine.call('slide:tile', { slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 }, { signal: controller.signal });
    controller.abort();
    assert.equal(code(await pending), 'CANCELLED');
    assert.ok(value(await engine.call('slide:tile', { slideId, dzLevel: 0, col: 0, row: 0, requestId: 2 })).bytes.length > 0);
    await engine.close(slideId);
  });

  test('errors cross the process as data, with their code and file; requests are checked at its edge', async () => {
    const broken = await engine.open(sharedSlide('histolab_broken-html.svs'), null);
    assert.equal(code(broken), 'NOT_A_SLIDE');
    assert.match(!broken.ok ? (broken.error.path ?? '') : '', /histolab_broken-html\.svs$/);
    assert.equal(code(await engine.call('slide:tile', { slideId: 'unknown', dzLevel: 0, col: 0, row: 0, requestId: 0 })), 'NOT_OPEN');
    const invalid = await engine.call('slide:tile', { slideId: 'x', dzLevel: -1, col: 0, row: 0, requestId: 0 });
    assert.equal(code(invalid), 'INVALID_ARGUMENT');
    assert.match(!invalid.ok ? invalid.error.message : '', /slide:tile: dzLevel must be at least 0/);
  });

  test("a window's connection reads only its own slides, only the page's operations, and cancels by its request ids", async () => {
    const mine = value(await engine.open(CMU, 7));
    const theirs = value(await engine.open(CMU, 8));
    const hosts = value(await engine.open(CMU, null));
    const window = new RpcClient<OperationProtocol>(engine.connect(7));
    const top = mine.info.deepZoom.levels.length - 1;
    const tile = (slideId: string, requestId: number, dzLevel = top) => window.call('slide:tile', { slideId, dzLevel, col: 0, row: 0, requestId });
    assert.equal(value(await tile(mine.slideId, 1)).mime, 'image/jpeg');
    assert.equal(code(await tile(theirs.slideId, 2)), 'NOT_OPEN');
    assert.equal(code(await tile(hosts.slideId, 3)), 'NOT_OPEN');
    assert.equal(value(await window.call('slide:associated', { slideId: mine.slideId, name: 'label' })).mime, 'image/png');
    const hostOnly = await window.call('engine:region', { slideId: mine.slideId, level: 0, x: 0, y: 0, width: 4, height: 4 });
    assert.equal(code(hostOnly), 'NOT_AUTHORIZED');
    assert.equal(code(await window.call('engine:open', { slideId: 'sneaky', path: CMU, client: 7 })), 'NOT_AUTHORIZED');
    // slide:cancel-tiles names the window's own request ids.
    const slow = tile(mine.slideId, 40, 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    value(await window.call('slide:cancel-tiles', { slideId: mine.slideId, requestIds: [40, 999] }));
    assert.equal(code(await slow), 'CANCELLED');
    engine.disconnect(7);
    window.close({ code: 'CANCELLED', message: 'test over' });
    for (const s of [mine, theirs, hosts]) await engine.close(s.slideId);
  });

  test('killed while reading: the parent hears which slide, the engine restarts and reopens it under its id; a slide that stops it twice is no longer read', async () => {
    const { slideId, info } = value(await engine.open(CMU, null));
    const other = value(await engine.open(CMU, null));
    const top = info.deepZoom.levels.length - 1;
    const firstPid = engine.pid!;
    const reading = engine.call('slide:tile', { slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    process.kill(firstPid, 'SIGKILL');
    const interrupted = await reading;
    assert.equal(code(interrupted), 'WORKER_FAILED');
    assert.match(!interrupted.ok ? interrupted.error.message : '', /The slide engine stopped \(it was killed \(SIGKILL\)\)/);
    assert.equal(stops.length, 1);
    assert.equal(stops[0]!.reason, 'it was killed (SIGKILL)');
    assert.deepEqual(stops[0]!.slideIds, [slideId]);
    assert.deepEqual(stops[0]!.failedSlideIds, []);
    // The same ids answer from the new process.
    assert.equal(value(await engine.call('slide:tile', { slideId, dzLevel: top, col: 1, row: 1, requestId: 2 })).mime, 'image/jpeg');
    assert.notEqual(engine.pid, firstPid);
    assert.equal(restarted, 1);

    // Stopped again while reading the same slide: it is not reopened, and says why.
    const again = engine.call('slide:tile', { slideId, dzLevel: 0, col: 0, row: 0, requestId: 3 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    process.kill(engine.pid!, 'SIGKILL');
    await again;
    await waitFor('the second restart', () => (restarted === 2 ? true : undefined));
    assert.deepEqual(stops[1]!.failedSlideIds, [slideId]);
    const refused = await engine.call('slide:tile', { slideId, dzLevel: top, col: 0, row: 0, requestId: 4 });
    assert.equal(code(refused), 'CORRUPT_DATA');
    assert.match(!refused.ok ? refused.error.message : '', /stopped the slide engine twice/);
    // The other slide, not being read, carries on.
    assert.equal(value(await engine.call('slide:tile', { slideId: other.slideId, dzLevel: top, col: 0, row: 0, requestId: 5 })).mime, 'image/jpeg');
    await engine.close(slideId);
    await engine.close(other.slideId);
  });

  test('asked to leave while busy, it finishes between tasks and exits cleanly (no native call torn down)', async () => {
    const reasons: string[] = [];
    const child = forkEngine({ lanes: 2 })((reason) => reasons.push(reason));
    const client = new RpcClient<OperationProtocol>(child.endpoint);
    const slideId = 'under-load';
    value(await client.call('engine:open', { slideId, path: CMU, client: null }));
    const requests = Array.from({ length: 48 }, (_, k) => client.call('slide:tile', { slideId, dzLevel: 12 - (k % 4), col: k % 5, row: k % 3, requestId: k }));
    requests.push(client.call('engine:thumbnail', { slideId, spec: { kind: 'size', longestSide: 800 } }) as never);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await child.stop(true);
    assert.deepEqual(reasons, ['it exited (code 0)']);
    client.close({ code: 'CANCELLED', message: 'test over' });
    await Promise.all(requests);
  });
});

describe('the engine process left to its defaults', () => {
  test('runs defaultLaneCount() lanes', async () => {
    const engine = new EngineClient(forkEngine({ warmUp: false }));
    engine.start();
    try {
      await engine.whenReady();
      assert.equal(value(await engine.call('engine:stats', undefined)).lanes, defaultLaneCount());
    } finally {
      await engine.dispose();
    }
  });
});

describe('the engine process memory cap', () => {
  test('a request that makes it allocate past its cap ends the engine process, not its parent, which hears why and which slide', async () => {
    // The cap just above what the engine holds idle, so that a legitimate 8000 x 7000 region (RGBA
    // 224 MB, and the tiles it decodes) crosses it: what a runaway read would do, deterministically.
    const probe = new EngineClient<Endpoint>(forkEngine({ lanes: 1 }));
    probe.start();
    await probe.whenReady();
    const idleMb = Math.ceil(value(await probe.call('engine:stats', undefined)).rssBytes / 2 ** 20);
    await probe.dispose();
    const capMb = idleMb + 120;
    const path = await fixturePath('aperio-jpeg-rgb');
    const stops: EngineStoppedEvent[] = [];
    const engine = new EngineClient<Endpoint>(forkEngine({ memoryCapMb: capMb, lanes: 1 }), { onStopped: (event) => stops.push(event) });
    try {
      engine.start();
      await engine.whenReady();
      const { slideId } = value(await engine.open(path, null));
      const parentRss = process.memoryUsage.rss();
      const started = Date.now();
      const region = { slideId, level: 0, x: 0, y: 0, width: 8000, height: 7000 };
      const read = await engine.call('engine:region', region);
      assert.equal(code(read), 'WORKER_FAILED');
      assert.match(!read.ok ? read.error.message : '', new RegExp(`over its memory cap of ${capMb} MB`));
      // Not told to try again: the same read would meet the same cap.
      assert.match(!read.ok ? read.error.message : '', /ask for less \(a smaller region or size\), or set SLIDESCOPE_ENGINE_MEMORY_CAP_MB higher\.$/);
      assert.ok(Date.now() - started < 20_000, `ended in ${Date.now() - started} ms`);
      assert.deepEqual(stops[0]?.slideIds, [slideId]);
      assert.ok(process.memoryUsage.rss() - parentRss < 100 * 2 ** 20, 'the parent never held the allocation');
      // The restarted engine serves the slide's ordinary reads.
      assert.ok(value(await engine.call('slide:tile', { slideId, dzLevel: 12, col: 0, row: 0, requestId: 0 })).bytes.length > 0);
      // Twice, and the slide is no longer read: TOO_LARGE, with the reason.
      assert.equal(code(await engine.call('engine:region', region)), 'WORKER_FAILED');
      const refused = await engine.call('engine:region', { ...region, width: 16, height: 16 });
      assert.equal(code(refused), 'TOO_LARGE');
      assert.match(!refused.ok ? refused.error.message : '', /stopped the slide engine twice/);
    } finally {
      await engine.dispose();
    }
  });
});

describe('the hostile corpus through the engine process', () => {
  test('every case a typed error, the engine never restarted, its peak resident size under 1 GB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-hostile-'));
    const engine = new EngineClient<Endpoint>(forkEngine({ lanes: 2 }));
    try {
      engine.start();
      await engine.whenReady();
      for (const [codec, kind] of HOSTILE_CASES) {
        const path = join(dir, `${codec}-${kind}.tif`);
        await writeHostileSlide(path, codec, kind);
        const started = Date.now();
        const opened = await engine.open(path, null);
        const results = opened.ok
          ? [
              await engine.call('engine:thumbnail', { slideId: opened.value.slideId, spec: { kind: 'size', longestSide: 256 } }),
              await engine.call('slide:tile', { slideId: opened.value.slideId, dzLevel: 9, col: 0, row: 0, requestId: 0 }),
              await engine.call('engine:region', { slideId: opened.value.slideId, level: 0, x: 0, y: 0, width: 512, height: 512 }),
            ]
          : [opened];
        for (const result of results)
          assert.ok(['CORRUPT_DATA', 'TOO_LARGE'].includes(code(result)), `${codec} ${kind}: ${JSON.stringify(result).slice(0, 200)}`);
        assert.ok(Date.now() - started < 20_000, `${codec} ${kind}: ${Date.now() - started} ms`);
        if (opened.ok) await engine.close(opened.value.slideId);
      }
      assert.equal(engine.restarts, 0);
      const peakMb = Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${engine.pid}/status`, 'utf8'))?.[1]) / 1024;
      assert.ok(peakMb > 0 && peakMb < 1024, `engine peak RSS ${peakMb} MB`);
    } finally {
      await engine.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('every engine operation has its handler', () => {
  test('the lanes answer every lane operation of the table, the engine process every one of its own', () => {
    for (const op of LANE_OPERATIONS) {
      const method = OPERATIONS[op].method;
      assert.equal(typeof (LaneEngine.prototype as unknown as Record<string, unknown>)[method], 'function', `${op}: LaneEngine.${method}`);
    }
    const router = new EngineRouter([], () => ({ pid: 0, rssBytes: 0, peakRssBytes: 0, memoryCapBytes: 0, lanes: 0, restarts: 0 }));
    const own = ENGINE_OPERATIONS.filter((op) => OPERATIONS[op].route === 'process');
    assert.deepEqual(Object.keys(router.processHandlers).sort(), [...own].sort());
  });
});

describe("a fluorescence slide's channels chosen while it is open", () => {
  const engine = new EngineClient(forkEngine({ lanes: 2 }));
  before(async () => {
    engine.start();
    await engine.whenReady();
  });
  after(() => engine.dispose());

  test('every lane shows them and the plane chosen, a restarted engine too; null shows the slide as it first was; a brightfield slide has none to choose', async () => {
    const path = await fixturePath('ome-fluorescence-16bit');
    const { slideId, info } = value(await engine.open(path, null));
    const rect = { slideId, level: 1, x: 0, y: 0, width: 600, height: 450 };
    // Several at once: the least busy lane takes each, so both lanes answer.
    const regions = () => Promise.all(Array.from({ length: 4 }, () => engine.call('engine:region', rect).then(value)));
    const first = (await regions())[0]!;
    const redOnly = (data: Uint8Array) => data.every((v, i) => i % 4 === 0 || i % 4 === 3 || v === 0);
    assert.ok(!redOnly(first.data));

    const shown = value(await engine.call('engine:set-channels', { slideId, channels: [{ channel: 'DAPI' }] }));
    assert.deepEqual(
      shown.channels?.map((c) => c.shown),
      [true, false, false],
    );
    assert.equal(shown.deepZoom.tileSize, info.deepZoom.tileSize);
    for (const region of await regions()) assert.ok(redOnly(region.data), 'DAPI alone, in red');
    // Its tiles too: made again, not the ones cached before.
    const top = info.deepZoom.levels.length - 1;
    assert.equal(value(await engine.call('slide:tile', { slideId, dzLevel: top, col: 0, row: 0, requestId: 1 })).mime, 'image/jpeg');

    const pid = engine.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the restarted engine', () => (engine.pid !== undefined && engine.pid !== pid ? true : undefined));
    for (const region of await regions()) assert.ok(redOnly(region.data), 'reopened with the channels chosen');

    value(await engine.call('engine:set-channels', { slideId, channels: null }));
    for (const region of await regions()) assert.deepEqual(region.data, first.data);

    await engine.close(slideId);

    // A z-stack's plane too: every lane and a restarted engine show the plane last chosen.
    const stack = value(await engine.open(await fixturePath('ome-fluorescence-zstack'), null));
    const stackRect = { ...rect, slideId: stack.slideId };
    const stackRegions = () => Promise.all(Array.from({ length: 4 }, () => engine.call('engine:region', stackRect).then(value)));
    const top0 = (await stackRegions())[0]!;
    value(await engine.call('engine:set-channels', { slideId: stack.slideId, channels: null, plane: { z: 3, t: 0 } }));
    const deep = (await stackRegions())[0]!;
    assert.notDeepEqual(deep.data, top0.data);
    for (const region of await stackRegions()) assert.deepEqual(region.data, deep.data, 'every lane at Z 4');
    const stackPid = engine.pid!;
    process.kill(stackPid, 'SIGKILL');
    await waitFor('the restarted engine', () => (engine.pid !== undefined && engine.pid !== stackPid ? true : undefined));
    for (const region of await stackRegions()) assert.deepEqual(region.data, deep.data, 'reopened at Z 4');
    await engine.close(stack.slideId);

    const brightfield = value(await engine.open(CMU, null));
    const refused = await engine.call('engine:set-channels', { slideId: brightfield.slideId, channels: [{ channel: 0 }] });
    assert.equal(code(refused), 'INVALID_ARGUMENT');
    await engine.close(brightfield.slideId);
  });
});
