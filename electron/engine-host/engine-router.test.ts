// The engine process's router with lanes faked: deadlines, and what a caller's own cancel gives.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fail, ok, type Result } from '../../shared/errors';
import type { CallContext } from '../../shared/rpc';
import { EngineRouter } from './engine-router';

type Call = { op: string; signal?: AbortSignal | undefined };

/** A lane that answers open at once and never answers anything else, but stops when its signal aborts. */
function stuckLane(calls: Call[], opened: unknown = { path: '/slides/a.svs' }) {
  return {
    load: 0,
    call(op: string, _request: unknown, options: { signal?: AbortSignal } = {}): Promise<Result<unknown>> {
      calls.push({ op, signal: options.signal });
      if (op === 'engine:open') return Promise.resolve(ok(opened));
      // As an RPC client does, a call already cancelled is answered at once.
      if (options.signal?.aborted) return Promise.resolve(fail('CANCELLED', 'stopped'));
      return new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve(fail('CANCELLED', 'stopped'))));
    },
  };
}

function context(controller = new AbortController()): CallContext {
  return { signal: controller.signal, progress: () => undefined };
}

// Deadlines use unreferenced timers (the engine process always has its parent's channel open): hold the loop here.
const alive = setInterval(() => undefined, 1000);
after(() => clearInterval(alive));

const stats = () => ({ pid: 0, rssBytes: 0, peakRssBytes: 0, memoryCapBytes: 0, lanes: 1, restarts: 0 });

test('a request past its deadline is stopped in its lane and answers TIMED_OUT naming the slide', async () => {
  const calls: Call[] = [];
  const router = new EngineRouter([stuckLane(calls)] as never, stats, (op) => (op === 'slide:tile' ? 100 : 5000));
  const dispatch = router.hostDispatch();
  const opened = await dispatch('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context());
  assert.equal(opened.ok, true);
  const started = Date.now();
  const tile = await dispatch('slide:tile', { slideId: 's', dzLevel: 0, col: 0, row: 0, requestId: 1 }, context());
  assert.deepEqual(tile, { ok: false, error: { code: 'TIMED_OUT', message: 'slide:tile took longer than 0.1 s and was stopped.', path: '/slides/a.svs' } });
  assert.ok(Date.now() - started < 2000);
  assert.equal(calls.at(-1)?.signal?.aborted, true, "the lane's work was told to stop");
});

test("a prefetch waiting to learn where a level's stored tiles lie still ends at its deadline", async () => {
  const calls: Call[] = [];
  const withLevel = { path: '/slides/a.svs', deepZoom: { levels: [{ width: 256, height: 256, cols: 1, rows: 1 }] } };
  const router = new EngineRouter([stuckLane(calls, withLevel)] as never, stats, (op) => (op === 'slide:prefetch' ? 100 : 5000));
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context());
  const prefetch = await dispatch('slide:prefetch', { slideId: 's', dzLevel: 0, colStart: 0, colEnd: 0, rowStart: 0, rowEnd: 0 }, context());
  assert.equal(!prefetch.ok && prefetch.error.code, 'TIMED_OUT');
  assert.deepEqual(
    calls.map((call) => call.op),
    ['engine:open', 'engine:stored-tiles', 'slide:prefetch'],
  );
  assert.equal(calls[2]?.signal?.aborted, true, 'the lane never answered, and the prefetch reached it already stopped');
});

test("a caller's own cancel is CANCELLED, not TIMED_OUT", async () => {
  const router = new EngineRouter([stuckLane([])] as never, stats, () => 5000);
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context());
  const controller = new AbortController();
  const pending = dispatch('slide:tile', { slideId: 's', dzLevel: 0, col: 0, row: 0, requestId: 1 }, context(controller));
  setTimeout(() => controller.abort(), 20);
  const answer = await pending;
  assert.equal(!answer.ok && answer.error.code, 'CANCELLED');
});

test('a slide opens in one lane, in another only when that lane is first asked about it, and closes where it opened', async () => {
  const calls: Array<{ lane: number; op: string }> = [];
  const lane = (index: number) => ({
    load: 0,
    call(op: string): Promise<Result<unknown>> {
      // Where a level's stored tiles lie (asked with its first tile): none here.
      if (op === 'engine:stored-tiles') return Promise.resolve(ok(null));
      calls.push({ lane: index, op });
      return Promise.resolve(ok(op === 'engine:open' ? { path: '/slides/a.svs' } : { bytes: new Uint8Array(0) }));
    },
  });
  const router = new EngineRouter([lane(0), lane(1), lane(2)] as never, stats, () => 5000);
  const dispatch = router.hostDispatch();
  assert.equal((await dispatch('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context())).ok, true);
  assert.deepEqual(calls, [{ lane: 0, op: 'engine:open' }]);
  // Tile (1, 0) belongs to lane 1: it opens the slide there first.
  assert.equal((await dispatch('slide:tile', { slideId: 's', dzLevel: 0, col: 1, row: 0, requestId: 1 }, context())).ok, true);
  assert.deepEqual(calls.slice(1), [
    { lane: 1, op: 'engine:open' },
    { lane: 1, op: 'slide:tile' },
  ]);
  await dispatch('slide:tile', { slideId: 's', dzLevel: 0, col: 1, row: 0, requestId: 2 }, context());
  assert.equal(calls.filter((c) => c.op === 'engine:open').length, 2, 'a lane opens a slide once');
  calls.length = 0;
  await dispatch('engine:close', { slideId: 's' }, context());
  assert.deepEqual(calls.map((c) => c.lane).sort(), [0, 1], 'lane 2 never opened it');
});

test("where a level's stored tiles lie is asked again after a lane restarted, not after the slide's own failure", async () => {
  const answers = [fail('WORKER_FAILED', 'restarted'), fail('CORRUPT_DATA', 'a damaged tile table')];
  let asked = 0;
  const lane = {
    load: 0,
    call(op: string): Promise<Result<unknown>> {
      if (op === 'engine:open') return Promise.resolve(ok({ path: '/slides/a.svs', deepZoom: { levels: [{}, {}] } }));
      if (op === 'engine:stored-tiles') return Promise.resolve(answers[asked++] ?? ok(null));
      return Promise.resolve(ok({ bytes: new Uint8Array(0) }));
    },
  };
  const dispatch = new EngineRouter([lane] as never, stats, () => 5000).hostDispatch();
  await dispatch('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context());
  const tile = () => dispatch('slide:tile', { slideId: 's', dzLevel: 1, col: 0, row: 0, requestId: 1 }, context());
  for (let i = 0; i < 4; i++) {
    await tile();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(asked, 2, 'asked again after WORKER_FAILED, then no more after CORRUPT_DATA');
});

/** A lane whose opens hang (a file on a share that stopped answering) until their signal aborts, as an RPC client's call does. */
function hungOpenLane(calls: Call[], answerOpen: boolean) {
  const lane = stuckLane(calls);
  return {
    load: 0,
    call(op: string, request: unknown, options: { signal?: AbortSignal } = {}): Promise<Result<unknown>> {
      if (op === 'engine:open' && !answerOpen) {
        calls.push({ op, signal: options.signal });
        return new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve(fail('CANCELLED', 'stopped'))));
      }
      if (op === 'engine:close') {
        calls.push({ op });
        return Promise.resolve(ok(undefined));
      }
      return lane.call(op, request, options);
    },
  };
}

test('an open that hangs ends at its deadline', async () => {
  const calls: Call[] = [];
  const router = new EngineRouter([hungOpenLane(calls, false)] as never, stats, (op) => (op === 'engine:open' ? 100 : 5000));
  const started = Date.now();
  const opened = await router.hostDispatch()('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context());
  assert.equal(!opened.ok && opened.error.code, 'TIMED_OUT');
  assert.ok(Date.now() - started < 2000);
});

test("a tile, and a close, waiting for a lane's own open of the slide end at their deadlines", async () => {
  const calls: Call[] = [];
  const router = new EngineRouter([stuckLane(calls), hungOpenLane(calls, false)] as never, stats, (op) => (op === 'engine:open' ? 5000 : 100));
  const dispatch = router.hostDispatch();
  assert.equal((await dispatch('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context())).ok, true);
  // (col + row) mod 2 = 1: the second lane, whose open of the slide never ends.
  const tile = await dispatch('slide:tile', { slideId: 's', dzLevel: 0, col: 1, row: 0, requestId: 1 }, context());
  assert.equal(!tile.ok && tile.error.code, 'TIMED_OUT');
  // The close gives up waiting at its deadline and forgets the slide; that lane closes it once its open ends.
  const started = Date.now();
  assert.deepEqual(await dispatch('engine:close', { slideId: 's' }, context()), ok(undefined));
  assert.ok(Date.now() - started < 2000);
});

test("a closed slide leaves nothing in the router's books", async () => {
  const router = new EngineRouter([hungOpenLane([], true)] as never, stats, () => 5000);
  const dispatch = router.hostDispatch();
  for (let i = 0; i < 20; i++) {
    await dispatch('engine:open', { slideId: `s${i}`, path: '/slides/a.svs', client: null }, context());
    await dispatch('engine:close', { slideId: `s${i}` }, context());
  }
  await dispatch('engine:close', { slideId: 'never-opened' }, context());
  const books = router as unknown as { reading: Map<string, number>; lastRead: Map<string, number> };
  assert.deepEqual([books.reading.size, books.lastRead.size], [0, 0]);
});

test('a lane that finishes an open its request gave up on closes the slide again', async () => {
  const calls: string[] = [];
  let finishOpen: () => void = () => undefined;
  const lane = {
    load: 0,
    call(op: string): Promise<Result<unknown>> {
      calls.push(op);
      // An open that cannot be stopped part-way: it ends when it ends, whatever its caller does.
      if (op === 'engine:open') return new Promise((resolve) => (finishOpen = () => resolve(ok({ path: '/slides/a.svs' }))));
      return Promise.resolve(ok(undefined));
    },
  };
  const router = new EngineRouter([lane] as never, stats, (op) => (op === 'engine:open' ? 100 : 5000));
  const opened = await router.hostDispatch()('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context());
  assert.equal(!opened.ok && opened.error.code, 'TIMED_OUT');
  assert.deepEqual(calls, ['engine:open']);
  finishOpen();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(calls, ['engine:open', 'engine:close']);
});

/** A lane recording its calls (a slide's path decides how long its open takes), answering everything. */
function recordingLane(calls: Array<{ lane: number; op: string; slideId?: string }>, index: number, openMs: (path: string) => number = () => 0) {
  return {
    load: 0,
    call(op: string, request: { slideId?: string; path?: string }): Promise<Result<unknown>> {
      if (op === 'engine:stored-tiles') return Promise.resolve(ok(null));
      calls.push({ lane: index, op, ...(request.slideId === undefined ? {} : { slideId: request.slideId }) });
      const answer = ok(op === 'engine:open' ? { path: request.path } : { bytes: new Uint8Array(0) });
      const ms = op === 'engine:open' ? openMs(request.path ?? '') : 0;
      return ms > 0 ? new Promise((resolve) => setTimeout(() => resolve(answer), ms)) : Promise.resolve(answer);
    },
  };
}

test("a lane that was replaced opens each slide again on that slide's next request there, and a slow one holds no other slide's tiles", async () => {
  const calls: Array<{ lane: number; op: string; slideId?: string }> = [];
  let slowOpens = false;
  const router = new EngineRouter([recordingLane(calls, 0, (path) => (slowOpens && path.includes('share') ? 3000 : 0))] as never, stats, (op) =>
    op === 'slide:tile' ? 300 : 5000,
  );
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 'local', path: '/slides/a.svs', client: null }, context());
  await dispatch('engine:open', { slideId: 'shared', path: '/mnt/share/b.svs', client: null }, context());
  router.laneLost(0);
  slowOpens = true;
  calls.length = 0;
  const started = Date.now();
  const local = await dispatch('slide:tile', { slideId: 'local', dzLevel: 0, col: 0, row: 0, requestId: 1 }, context());
  assert.equal(local.ok, true);
  assert.ok(Date.now() - started < 1000, 'the local slide did not wait for the share');
  assert.deepEqual(calls, [
    { lane: 0, op: 'engine:open', slideId: 'local' },
    { lane: 0, op: 'slide:tile', slideId: 'local' },
  ]);
  // The share's tile waits for its own reopen, until its own deadline.
  const shared = await dispatch('slide:tile', { slideId: 'shared', dzLevel: 0, col: 0, row: 0, requestId: 2 }, context());
  assert.equal(!shared.ok && shared.error.code, 'TIMED_OUT');
  assert.equal(calls.filter((call) => call.op === 'engine:open').length, 2, 'each slide reopened once');
});

test('a close under way: nothing more is asked of the slide, and no lane that had not opened it opens it', async () => {
  const calls: Array<{ lane: number; op: string; slideId?: string }> = [];
  const lanes = [recordingLane(calls, 0), recordingLane(calls, 1, () => 0)];
  // Lane 0's close takes a while, as a lane busy with other slides' tiles would.
  const slowClose = lanes[0]!;
  const answer = slowClose.call.bind(slowClose);
  slowClose.call = (op, request) =>
    op === 'engine:close' ? new Promise((resolve) => setTimeout(() => resolve(answer(op, request)), 50)) : answer(op, request);
  const router = new EngineRouter(lanes as never, stats, () => 5000);
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 's', path: '/slides/a.svs', client: null }, context());
  const closing = dispatch('engine:close', { slideId: 's' }, context());
  // (1, 0) belongs to lane 1, which never opened the slide.
  const tile = await dispatch('slide:tile', { slideId: 's', dzLevel: 0, col: 1, row: 0, requestId: 1 }, context());
  assert.equal(!tile.ok && tile.error.code, 'NOT_OPEN');
  assert.deepEqual(await closing, ok(undefined));
  assert.deepEqual(
    calls.filter((call) => call.lane === 1),
    [],
  );
});

test('a slide only opened (as a restart reopens every slide) is not one being read', async () => {
  const router = new EngineRouter([recordingLane([], 0)] as never, stats, () => 5000);
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 'opened', path: '/slides/a.svs', client: null }, context());
  await dispatch('engine:open', { slideId: 'viewed', path: '/slides/b.svs', client: null }, context());
  await dispatch('slide:tile', { slideId: 'viewed', dzLevel: 0, col: 0, row: 0, requestId: 1 }, context());
  assert.deepEqual(router.activeSlides(), ['viewed']);
});

test('the host is told at once when a slide starts being read, not at each tile', async () => {
  const router = new EngineRouter([recordingLane([], 0)] as never, stats, () => 5000);
  let told = 0;
  router.onReadingStarts = () => told++;
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 'a', path: '/slides/a.svs', client: null }, context());
  await dispatch('engine:open', { slideId: 'b', path: '/slides/b.svs', client: null }, context());
  assert.equal(told, 0, 'an open is not a read');
  await dispatch('slide:tile', { slideId: 'a', dzLevel: 0, col: 0, row: 0, requestId: 1 }, context());
  await dispatch('slide:tile', { slideId: 'a', dzLevel: 0, col: 1, row: 0, requestId: 2 }, context());
  assert.equal(told, 1);
  await dispatch('slide:tile', { slideId: 'b', dzLevel: 0, col: 0, row: 0, requestId: 3 }, context());
  assert.equal(told, 2);
});

test('channels a lane refuses are not the ones a lane opening the slide later is given', async () => {
  const opens: Array<{ lane: number; channels: unknown }> = [];
  const lane = (index: number) => ({
    load: index,
    call(op: string, request: { channels?: Array<{ channel: unknown }> | null }): Promise<Result<unknown>> {
      if (op === 'engine:stored-tiles') return Promise.resolve(ok(null));
      // As the engine does: a channel the slide lacks is refused, at open as when chosen.
      const refused = request.channels?.some((c) => c.channel === 'Cy5');
      if (op === 'engine:open') opens.push({ lane: index, channels: request.channels });
      if (refused) return Promise.resolve(fail('INVALID_ARGUMENT', 'The slide has no channel named or numbered "Cy5".'));
      return Promise.resolve(ok(op === 'engine:open' ? { path: '/slides/a.ome.tif' } : { bytes: new Uint8Array(0) }));
    },
  });
  const router = new EngineRouter([lane(0), lane(1)] as never, stats, () => 5000);
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 's', path: '/slides/a.ome.tif', client: null }, context());
  const refused = await dispatch('engine:set-channels', { slideId: 's', channels: [{ channel: 'Cy5' }] }, context());
  assert.equal(!refused.ok && refused.error.code, 'INVALID_ARGUMENT');
  // Tile (1, 0) is lane 1's.
  const tile = await dispatch('slide:tile', { slideId: 's', dzLevel: 0, col: 1, row: 0, requestId: 1 }, context());
  assert.equal(tile.ok, true, JSON.stringify(tile));
  assert.deepEqual(
    opens.map((o) => o.channels),
    [undefined, undefined],
    'both lanes open it as it is shown',
  );
  const chosen = await dispatch('engine:set-channels', { slideId: 's', channels: [{ channel: 'DAPI' }] }, context());
  assert.equal(chosen.ok, true);
});

test("where a level's stored tiles lie is asked again once another plane is shown, and an answer about the plane before is not learnt", async () => {
  let asked = 0;
  let answerLate: ((answer: Result<unknown>) => void) | null = null;
  const lane = {
    load: 0,
    call(op: string): Promise<Result<unknown>> {
      if (op === 'engine:open') return Promise.resolve(ok({ path: '/slides/a.ome.tif', deepZoom: { levels: [{}, {}] } }));
      if (op === 'engine:stored-tiles') {
        asked++;
        // The first question is answered only after the plane changed.
        if (asked === 1) return new Promise((resolve) => (answerLate = resolve));
        return Promise.resolve(ok(null));
      }
      return Promise.resolve(ok({ bytes: new Uint8Array(0) }));
    },
  };
  const router = new EngineRouter([lane] as never, stats, () => 5000);
  const dispatch = router.hostDispatch();
  await dispatch('engine:open', { slideId: 's', path: '/slides/a.ome.tif', client: null }, context());
  const tile = () => dispatch('slide:tile', { slideId: 's', dzLevel: 1, col: 0, row: 0, requestId: 1 }, context());
  await tile();
  assert.equal(asked, 1);
  const shown = await dispatch('engine:set-channels', { slideId: 's', channels: null, plane: { z: 2, t: 0 } }, context());
  assert.equal(shown.ok, true);
  // The answer about plane 1 comes now: plane 3's tiles are still asked about.
  answerLate!(ok(null));
  await new Promise((resolve) => setImmediate(resolve));
  await tile();
  await new Promise((resolve) => setImmediate(resolve));
  await tile();
  assert.equal(asked, 2, 'asked once for each plane');
});
