// A Supervisor keeps a worker thread serving: replaced on a crash, an exit or a stall, calls in
// flight failed with the reason, the new child restored before later calls reach it.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Result } from '../../shared/errors';
import { type Replaced, Supervisor } from './supervisor';
import { workerChild } from './worker-thread';

const SCRIPT = fileURLToPath(new URL('../../testing/rpc/test-thread.ts', import.meta.url));

type P = {
  echo: { request: unknown; response: unknown };
  crash: { request: null; response: never };
  exit: { request: null; response: never };
  hang: { request: { ms: number }; response: string };
  fatal: { request: { ms: number }; response: never };
  read: { request: string[]; response: null };
};

const code = (result: Result<unknown>) => (result.ok ? 'ok' : result.error.code);

describe('Supervisor', () => {
  const supervisors: Array<Supervisor<P>> = [];
  after(() => Promise.all(supervisors.map((s) => s.dispose())));
  function supervise(options: Partial<ConstructorParameters<typeof Supervisor<P>>[0]> = {}, readyAfterMs = 0) {
    const s = new Supervisor<P>({ name: 'The test thread', spawn: workerChild({ script: SCRIPT, workerData: { readyAfterMs } }), ...options });
    supervisors.push(s);
    return s;
  }

  test('a crash fails the calls in flight with WORKER_FAILED and the reason; the next call gets a new child', async () => {
    const replaced: Replaced[] = [];
    const s = supervise({ onReplaced: (event) => replaced.push(event) });
    assert.deepEqual(await s.call('echo', { a: 1 }), { ok: true, value: { a: 1 } });
    const crashed = await s.call('crash', null);
    assert.equal(code(crashed), 'WORKER_FAILED');
    assert.match(!crashed.ok ? crashed.error.message : '', /The test thread stopped \(it crashed \(boom\)\)/);
    assert.equal(replaced.length, 1);
    assert.deepEqual(replaced[0]!.inFlight, [{ op: 'crash', request: null }]);
    assert.deepEqual(await s.call('echo', 'again'), { ok: true, value: 'again' });
    assert.equal(s.restarts, 1);
    const exited = await s.call('exit', null);
    assert.match(!exited.ok ? exited.error.message : '', /it exited \(code 3\)/);
  });

  test('a child that said why it is ending and does not end is killed soon after, the calls failed with its reason', async () => {
    const replaced: Replaced[] = [];
    const s = supervise({ stallTimeoutMs: 10_000, onReplaced: (event) => replaced.push(event) });
    await s.call('echo', 'started');
    const started = Date.now();
    const ended = await s.call('fatal', { ms: 5000 });
    assert.equal(code(ended), 'WORKER_FAILED');
    assert.match(!ended.ok ? ended.error.message : '', /over its memory cap/);
    assert.ok(Date.now() - started < 2000, 'not left to its stall timeout');
    assert.equal(replaced.length, 1);
    assert.deepEqual(await s.call('echo', 1), { ok: true, value: 1 });
  });

  test('health a child reports unasked is what a crash a moment later was doing, before the next ping', async () => {
    const replaced: Replaced[] = [];
    const s = supervise({ onReplaced: (event) => replaced.push(event) });
    await s.call('read', ['slide-a']);
    assert.deepEqual(s.lastHealth?.activeSlides, ['slide-a']);
    await s.call('crash', null);
    assert.deepEqual(replaced[0]?.lastHealth?.activeSlides, ['slide-a']);
  });

  test('a child that stops answering while it has work is replaced', async () => {
    const s = supervise({ stallTimeoutMs: 300 });
    await s.call('echo', 'started');
    await new Promise((resolve) => setTimeout(resolve, 200)); // it has answered a ping
    const started = Date.now();
    const hung = await s.call('hang', { ms: 3000 });
    assert.equal(code(hung), 'WORKER_FAILED');
    assert.match(!hung.ok ? hung.error.message : '', /stopped answering/);
    assert.ok(Date.now() - started < 2500, 'replaced before the hang ended');
    assert.deepEqual(await s.call('echo', 1), { ok: true, value: 1 });
  });

  test('a child is not taken for stalled while our own thread was too busy to read its answers', async () => {
    const s = supervise({ stallTimeoutMs: 300, pingWhenIdle: true });
    await s.call('echo', 'started');
    await new Promise((resolve) => setTimeout(resolve, 200)); // it has answered a ping
    const until = Date.now() + 1500;
    while (Date.now() < until) {} // as a CLI listing a cohort on a slow share
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(s.restarts, 0);
    assert.deepEqual(await s.call('echo', 'still there'), { ok: true, value: 'still there' });
  });

  test('a replaced child is restored before later calls reach it', async () => {
    const order: string[] = [];
    const s = supervise({
      restore: async (call) => {
        order.push('restore');
        const answer = await call('echo', 'from restore');
        order.push(`restored: ${JSON.stringify(answer)}`);
      },
    });
    await s.call('echo', 0);
    s.restart('the test asked');
    const later = await s.call('echo', 'later');
    order.push(`later: ${JSON.stringify(later)}`);
    assert.deepEqual(order, ['restore', 'restored: {"ok":true,"value":"from restore"}', 'later: {"ok":true,"value":"later"}']);
  });

  test('start() warms the child up; a slow warm-up that answers pings is not a stall', async () => {
    const s = supervise({ stallTimeoutMs: 200 }, 1500);
    s.start();
    const started = Date.now();
    const early = s.call('echo', 'while warming');
    await s.whenReady();
    assert.ok(Date.now() - started >= 1400, 'ready only when it says so');
    assert.deepEqual(await early, { ok: true, value: 'while warming' });
    assert.equal(s.restarts, 0);
    assert.ok(s.peakRssBytes > 0, 'pongs report memory');
  });

  test('a call waiting for a restart ends at its own signal, and every waiting call when the supervisor is disposed of', async () => {
    // A restore that takes long (a slide on a share that hangs, reopened).
    const s = supervise({ restore: () => new Promise((resolve) => setTimeout(resolve, 5000).unref()) });
    await s.call('echo', 'first');
    assert.equal(code(await s.call('crash', null)), 'WORKER_FAILED');
    await new Promise((resolve) => setTimeout(resolve, 50)); // a restart is pending: its pause, then a slow restore
    const controller = new AbortController();
    const abandoned = s.call('echo', 'abandoned', { signal: controller.signal });
    const waiting = s.call('echo', 'waiting');
    setTimeout(() => controller.abort(), 100);
    let started = Date.now();
    assert.equal(code(await abandoned), 'CANCELLED');
    assert.ok(Date.now() - started < 2000, 'its signal ended the wait');
    started = Date.now();
    await s.dispose();
    assert.equal(code(await waiting), 'CANCELLED');
    assert.ok(Date.now() - started < 2000, 'dispose ended the wait');
    assert.equal(code(await s.call('echo', 'after')), 'CANCELLED');
    await s.whenReady(); // no child started after dispose
    assert.equal(s.pid, undefined);
  });

  test('children that keep dying at once are restarted five times, then only when a call needs one', async () => {
    let spawned = 0;
    const replaced: Replaced[] = [];
    let dying = true;
    const child = workerChild({ script: SCRIPT, workerData: { readyAfterMs: 0 } });
    const s = new Supervisor<P>({
      name: 'The test thread',
      // A broken install: each child ends as soon as it starts, until it is mended.
      spawn: (gone) => {
        spawned++;
        const made = child(gone);
        if (dying) setTimeout(() => void made.stop(false), 10);
        return made;
      },
      restore: async () => undefined,
      restartEagerly: true,
      onReplaced: (event) => replaced.push(event),
    });
    supervisors.push(s);
    s.start();
    await new Promise((resolve) => setTimeout(resolve, 6000)); // pauses of 250, 500, 1000 and 2000 ms
    assert.equal(spawned, 5);
    assert.deepEqual(
      replaced.map((event) => event.restarting),
      [true, true, true, true, false],
    );
    dying = false;
    assert.deepEqual(await s.call('echo', 'mended'), { ok: true, value: 'mended' });
    assert.equal(spawned, 6);
  });
});
