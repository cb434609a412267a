// The engine process's proxy with in-memory engines: what a restart reopens, and what it tells.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fail, ok } from '../../shared/errors';
import type { RequestOf } from '../../shared/operations';
import { type InMemoryChild, inMemoryEngine } from '../../testing/rpc/in-memory-child';
import { EngineClient, type EngineRestartedEvent, type EngineStoppedEvent } from './engine-client';
import { STOPPED_FILE_SYSTEM } from './engine-settings';

const alive = setInterval(() => undefined, 1000);
after(() => clearInterval(alive));
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !done(); await wait(5)) if (Date.now() > end) throw new Error(`not so after ${ms} ms`);
}

test('an engine that stops while reopening the slides loses none of them: the next one reopens them all', async () => {
  const children: InMemoryChild[] = [];
  const openedIn: string[][] = [];
  const spawn = inMemoryEngine(async (op, request) => {
    if (op === 'engine:open') {
      await wait(100);
      openedIn[children.length - 1]?.push((request as RequestOf<'engine:open'>).slideId);
      return ok({ name: 'slide' });
    }
    return ok(null);
  }, children);
  const stops: EngineStoppedEvent[] = [];
  let restarted = 0;
  const engine = new EngineClient(
    (gone) => {
      openedIn.push([]);
      return spawn(gone);
    },
    { onStopped: (event) => stops.push(event), onRestarted: () => restarted++ },
  );
  for (const slideId of ['A', 'B', 'C']) assert.equal((await engine.call('engine:open', { slideId, path: `/s/${slideId}.svs`, client: null })).ok, true);
  await wait(2100); // long enough a life not to count as a quick death (no pause before the restart)
  children[0]!.kill('it was killed (SIGKILL)');
  // Polled, not timed: on a loaded machine the second engine may start later than any fixed wait.
  await until(() => children.length > 1);
  children[1]!.kill('it was killed (SIGKILL)'); // while it reopens A, B and C (100 ms each)
  await until(() => restarted === 1);
  for (const slideId of ['A', 'B', 'C']) assert.equal((await engine.call('engine:close', { slideId })).ok, true, slideId);
  assert.deepEqual(openedIn[2], ['A', 'B', 'C']);
  assert.deepEqual(
    stops.map((stop) => stop.failedSlideIds),
    [[], []],
  );
  assert.equal(restarted, 1);
  await engine.dispose();
});

test('the slides are reopened together after a restart: the windows wait for the slowest, not for the sum', async () => {
  const children: InMemoryChild[] = [];
  const engine = new EngineClient(
    inMemoryEngine(async (op) => {
      if (op === 'engine:open' && children.length > 1) await wait(500);
      return ok({ name: 'slide' });
    }, children),
    { onRestarted: () => restartedAt.push(Date.now()) },
  );
  const restartedAt: number[] = [];
  for (const slideId of ['A', 'B', 'C', 'D']) assert.equal((await engine.call('engine:open', { slideId, path: `/s/${slideId}.svs`, client: null })).ok, true);
  await wait(2100); // no quick death: no pause before the restart
  const killed = Date.now();
  children[0]!.kill('it was killed (SIGKILL)');
  while (restartedAt.length === 0) await wait(20);
  assert.ok(restartedAt[0]! - killed < 1500, `reopened in ${restartedAt[0]! - killed} ms, where one after another takes 2000`);
  await engine.dispose();
});

test('a window that connects between a crash and the restart is given the new engine, not the one that stopped', async () => {
  const children: InMemoryChild[] = [];
  const connectedTo: number[] = [];
  const spawn = inMemoryEngine(async () => ok({ name: 'slide' }), children);
  const engine = new EngineClient((gone) => {
    const index = children.length;
    const child = spawn(gone);
    return {
      ...child,
      connect: () => {
        connectedTo.push(index);
        return null;
      },
    };
  });
  engine.start();
  await engine.whenReady();
  // A quick death: the restart waits a moment first.
  children[0]!.kill('it crashed');
  await wait(20);
  engine.connect(7);
  assert.deepEqual(connectedTo, [1]);
  await engine.dispose();
});

test('a window connecting in the pause, then that engine stopping too: each engine reopens each slide once', async () => {
  const children: InMemoryChild[] = [];
  const openIn: Array<Set<string>> = [];
  const spawn = inMemoryEngine(async (op, request) => {
    const mine = openIn.at(-1)!;
    const { slideId } = request as RequestOf<'engine:open'>;
    if (op !== 'engine:open') return ok(null);
    // As the router answers a second open of one id.
    if (mine.has(slideId)) return fail('INVALID_ARGUMENT', `a slide is already open as ${slideId}`);
    mine.add(slideId);
    return ok({ name: 'slide' });
  }, children);
  const restarts: EngineRestartedEvent[] = [];
  const engine = new EngineClient(
    (gone) => {
      openIn.push(new Set());
      return spawn(gone);
    },
    { onRestarted: (event) => restarts.push(event) },
  );
  for (const slideId of ['A', 'B']) assert.equal((await engine.call('engine:open', { slideId, path: `/s/${slideId}.svs`, client: null })).ok, true);
  children[0]!.kill('it crashed'); // a quick death: the restart waits 250 ms
  await wait(20);
  engine.connect(1); // the restart now, for the window
  await wait(20);
  children[1]!.kill('it crashed again'); // another quick death while the first pause would still run
  await wait(1500);
  assert.ok(restarts.length > 0);
  assert.deepEqual(
    restarts.filter((event) => event.notReopened.length > 0),
    [],
    'no slide opened twice in one engine',
  );
  assert.deepEqual([...openIn.at(-1)!].sort(), ['A', 'B']);
  await engine.dispose();
});

test('an engine that stops while the slides are reopened together blames none of them; the next reopens them one at a time and blames the one', async () => {
  const children: InMemoryChild[] = [];
  const spawn = inMemoryEngine(async (op, request) => {
    const engine = children.length - 1;
    const { slideId } = request as RequestOf<'engine:open'>;
    // P's reopen runs the engine over its memory cap, in every engine after the first.
    if (op === 'engine:open' && slideId === 'P' && engine > 0) {
      setTimeout(() => children[engine]!.kill('it went over its memory cap'), 30);
      await wait(1000);
    } else if (op === 'engine:open') await wait(50);
    return ok({ name: 'slide' });
  }, children);
  const stops: EngineStoppedEvent[] = [];
  const engine = new EngineClient(spawn, { onStopped: (event) => stops.push(event) });
  for (const slideId of ['A', 'B', 'C', 'P']) await engine.call('engine:open', { slideId, path: `/s/${slideId}.svs`, client: null });
  await wait(2100); // no quick death
  children[0]!.kill('it crashed'); // reading nothing
  await wait(2000);
  const failed = stops.flatMap((stop) => stop.failedSlideIds);
  const blamed = stops.flatMap((stop) => stop.slideIds);
  assert.deepEqual([...new Set(blamed)], ['P'], 'only the slide whose reopen stopped the engine');
  assert.deepEqual(failed, ['P']);
  await engine.dispose();
});

test('a slide that stopped the engine twice is refused with why, and forgotten when closed', async () => {
  for (const [reason, code] of [
    ['it crashed', 'CORRUPT_DATA'],
    ['it used 3100 MB, over its memory cap of 3072 MB', 'TOO_LARGE'],
    [`a file read has not returned in 62 s (${STOPPED_FILE_SYSTEM})`, 'IO_ERROR'],
  ] as const) {
    const children: InMemoryChild[] = [];
    const engine = new EngineClient(inMemoryEngine(async () => ok({ name: 'slide' }), children));
    assert.equal((await engine.call('engine:open', { slideId: 'S', path: '/s/S.svs', client: null })).ok, true);
    for (let i = 0; i < 2; i++) {
      // In flight when it goes: the slide is the one it was reading.
      const reading = engine.call('slide:tile', { slideId: 'S', dzLevel: 0, col: 0, row: 0, requestId: 1 });
      children.at(-1)!.kill(reason);
      await reading;
      await wait(600);
    }
    const refused = await engine.call('slide:tile', { slideId: 'S', dzLevel: 0, col: 0, row: 0, requestId: 2 });
    assert.equal(!refused.ok && refused.error.code, code, reason);
    assert.deepEqual(await engine.call('engine:close', { slideId: 'S' }), { ok: true, value: undefined });
    assert.equal((await engine.call('slide:tile', { slideId: 'S', dzLevel: 0, col: 0, row: 0, requestId: 3 })).ok, true, 'no longer refused');
    await engine.dispose();
  }
});

test('a slide that cannot be reopened after a restart (its file gone) is named, with why, when the engine is back', async () => {
  const children: InMemoryChild[] = [];
  let gone = false;
  const engine = new EngineClient(
    inMemoryEngine(async (op, request) => {
      const path = (request as { path?: string }).path;
      if (op === 'engine:open' && gone && path === '/s/B.svs') return { ok: false, error: { code: 'NOT_FOUND', message: 'The file /s/B.svs does not exist.' } };
      return ok({ name: 'slide' });
    }, children),
    { onRestarted: (event) => restarts.push(event.notReopened) },
  );
  const restarts: Array<Array<{ slideId: string; error: { code: string } }>> = [];
  for (const slideId of ['A', 'B']) assert.equal((await engine.call('engine:open', { slideId, path: `/s/${slideId}.svs`, client: null })).ok, true);
  gone = true;
  children[0]!.kill('it was killed (SIGKILL)');
  await until(() => restarts.length > 0);
  assert.deepEqual(
    restarts.map((lost) => lost.map(({ slideId, error }) => [slideId, error.code])),
    [[['B', 'NOT_FOUND']]],
  );
  await engine.dispose();
});

test("a lane that stops on one slide's reopen fails that slide alone: the others are reopened and the windows reconnected", async () => {
  const children: InMemoryChild[] = [];
  let restarted = false;
  const opened: string[] = [];
  const engine = new EngineClient(
    inMemoryEngine(async (op, request) => {
      const { slideId } = request as RequestOf<'engine:open'>;
      if (op === 'engine:open' && restarted && slideId === 'B')
        return { ok: false, error: { code: 'WORKER_FAILED', message: 'An engine lane stopped (it crashed).' } };
      if (op === 'engine:open') opened.push(slideId);
      return ok({ name: 'slide' });
    }, children),
    { onRestarted: (event) => lost.push(event.notReopened.map((each) => each.slideId)) },
  );
  const lost: string[][] = [];
  for (const slideId of ['A', 'B', 'C']) assert.equal((await engine.call('engine:open', { slideId, path: `/s/${slideId}.svs`, client: null })).ok, true);
  restarted = true;
  opened.length = 0;
  children[0]!.kill('it was killed (SIGKILL)');
  await until(() => lost.length > 0);
  assert.deepEqual(lost, [['B']]);
  assert.deepEqual(opened, ['A', 'C']);
  await engine.dispose();
});

test('a caller may pass a signal only for operations the table marks cancellable (checked by the compiler)', async () => {
  const client = new EngineClient(inMemoryEngine(async () => ok({ name: 'slide' }), []));
  const request = { slideId: 's', spec: { kind: 'size', longestSide: 64 } } as const;
  // engine:open is not cancellable: an open cannot be stopped part-way (the router closes a late one).
  // @ts-expect-error a signal for an operation that cannot be cancelled
  const open = () => client.call('engine:open', { slideId: 's', path: '/a.svs', client: null }, { signal: AbortSignal.abort() });
  const aborted = await client.call('engine:thumbnail', request, { signal: AbortSignal.abort() });
  assert.equal(aborted.ok ? 'ok' : aborted.error.code, 'CANCELLED');
  assert.equal(typeof open, 'function');
  await client.dispose();
});
