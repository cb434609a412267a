import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ErrorCode, fail, ok, type Result } from '../../shared/errors';
import { PreviewQueue, type PreviewState } from './galleryPreviews';

/** A queue over a fake main: each ask waits until the test answers it; timers run when the test says. */
function harness(atOnce = 2) {
  const asks: Array<{ path: string; answer: (result: Result<string>) => void }> = [];
  const states: Array<[string, PreviewState<string>['status']]> = [];
  const timers: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
  const queue = new PreviewQueue<string>({
    atOnce,
    load: (path) => new Promise((answer) => asks.push({ path, answer })),
    onState: (path, state) => states.push([path, state.status]),
    retryDelayMs: 500,
    setTimer: (run, ms) => {
      const timer = { run, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      (timer as { cleared: boolean }).cleared = true;
    },
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Answers the oldest open ask of `path`. */
  const answer = async (path: string, result: Result<string>) => {
    const at = asks.findIndex((a) => a.path === path);
    assert.ok(at >= 0, `${path} was asked`);
    asks.splice(at, 1)[0]!.answer(result);
    await settle();
  };
  const asked = () => asks.map((a) => a.path);
  const stateOf = (path: string) => states.filter(([p]) => p === path).at(-1)?.[1];
  return { queue, asks, asked, answer, states, stateOf, timers, settle };
}

const failure = (code: ErrorCode) => fail(code, `${code} happened`, '/s/a.svs');

test('cards in view are asked for in the order they came, two at a time; one scrolled past before its turn is not', async () => {
  const h = harness();
  for (const path of ['/s/a', '/s/b', '/s/c', '/s/d']) h.queue.want(path);
  h.queue.unwant('/s/c');
  assert.deepEqual(h.asked(), ['/s/a', '/s/b']);
  await h.answer('/s/a', ok('A'));
  assert.deepEqual(h.asked(), ['/s/b', '/s/d']);
  assert.equal(h.stateOf('/s/a'), 'ready');
  assert.equal(h.stateOf('/s/c'), undefined);
  // Coming into view again does not ask again for one asked or answered.
  h.queue.want('/s/a');
  h.queue.want('/s/b');
  assert.deepEqual(h.asked(), ['/s/b', '/s/d']);
});

test('hidden, nothing more is asked; shown again, the cards in view are', async () => {
  const h = harness(1);
  h.queue.want('/s/a');
  h.queue.want('/s/b');
  h.queue.pause();
  await h.answer('/s/a', ok('A'));
  assert.deepEqual(h.asked(), []);
  h.queue.want('/s/b');
  assert.deepEqual(h.asked(), [], 'not while hidden');
  h.queue.resume();
  assert.deepEqual(h.asked(), ['/s/b']);
});

test('a failure that says nothing of the file (engine restarted, cancelled, a failed read) is asked once more by itself, after a pause', async () => {
  for (const code of ['WORKER_FAILED', 'CANCELLED', 'IO_ERROR'] as const) {
    const h = harness();
    h.queue.want('/s/a');
    await h.answer('/s/a', failure(code));
    assert.equal(h.stateOf('/s/a'), 'loading', `${code}: the card keeps its spinner`);
    assert.deepEqual(h.asked(), []);
    assert.equal(h.timers.length, 1);
    assert.equal(h.timers[0]!.ms, 500);
    h.timers[0]!.run();
    assert.deepEqual(h.asked(), ['/s/a'], `${code}: asked again`);
    await h.answer('/s/a', ok('A'));
    assert.equal(h.stateOf('/s/a'), 'ready');
  }
});

test('the same failure twice in a row shows, and is not asked again by itself', async () => {
  const h = harness();
  h.queue.want('/s/a');
  await h.answer('/s/a', failure('WORKER_FAILED'));
  h.timers[0]!.run();
  await h.answer('/s/a', failure('WORKER_FAILED'));
  assert.equal(h.stateOf('/s/a'), 'failed');
  assert.equal(h.timers.length, 1);
  assert.deepEqual(h.asked(), []);
});

test('a failure that is about the file (not a slide, damaged, gone, too slow) shows at once', async () => {
  for (const code of ['NOT_A_SLIDE', 'CORRUPT_DATA', 'NOT_FOUND', 'TIMED_OUT'] as const) {
    const h = harness();
    h.queue.want('/s/a');
    await h.answer('/s/a', failure(code));
    assert.equal(h.stateOf('/s/a'), 'failed', code);
    assert.equal(h.timers.length, 0, code);
  }
});

test('Try again asks a failed card once more, before the cards in view; only a failed card', async () => {
  const h = harness(1);
  h.queue.want('/s/a');
  h.queue.retry('/s/a');
  h.queue.want('/s/b');
  await h.answer('/s/a', failure('NOT_FOUND'));
  assert.deepEqual(h.asked(), ['/s/b']);
  h.queue.retry('/s/a');
  assert.equal(h.stateOf('/s/a'), 'loading');
  h.queue.retry('/s/a');
  await h.answer('/s/b', ok('B'));
  assert.deepEqual(h.asked(), ['/s/a'], 'asked once, and next');
  h.queue.retry('/s/b');
  // Failing again for a passing reason, it says so: the person is there to try again.
  await h.answer('/s/a', failure('IO_ERROR'));
  assert.equal(h.stateOf('/s/a'), 'failed');
  assert.equal(h.timers.length, 0);
  h.queue.retry('/s/a');
  await h.answer('/s/a', ok('A'));
  assert.equal(h.stateOf('/s/a'), 'ready');
});

test('a load that throws fails its card as INTERNAL; disposed, nothing more is asked or told, and a pending retry is cancelled', async () => {
  const states: string[] = [];
  const thrower = new PreviewQueue<string>({
    atOnce: 2,
    load: () => Promise.reject(new Error('bridge gone')),
    onState: (_path, state) => states.push(state.status === 'failed' ? state.error.code : state.status),
  });
  thrower.want('/s/a');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(states, ['loading', 'INTERNAL']);

  const h = harness();
  h.queue.want('/s/a');
  h.queue.want('/s/b');
  await h.answer('/s/a', failure('WORKER_FAILED'));
  const told = h.states.length;
  h.queue.dispose();
  assert.equal(h.timers[0]!.cleared, true);
  await h.answer('/s/b', ok('B'));
  h.queue.want('/s/c');
  assert.equal(h.states.length, told);
  assert.deepEqual(h.asked(), []);
});
