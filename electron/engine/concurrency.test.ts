import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachLimited, Semaphore } from './concurrency';

test('forEachLimited throws the first failure only once the items already started have ended, and starts no more', async () => {
  const ended: number[] = [];
  const started: number[] = [];
  const work = async (item: number) => {
    started.push(item);
    if (item === 0) throw new Error('item 0 failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    ended.push(item);
  };
  await assert.rejects(forEachLimited([0, 1, 2, 3, 4, 5], 3, work), /item 0 failed/);
  assert.deepEqual(started, [0, 1, 2], 'nothing started after the failure');
  assert.deepEqual(ended, [1, 2], 'the started items ended before the call did');
});

test('a wait for a slot that its signal aborts ends CANCELLED, its work never started; the others run in turn', async () => {
  const slots = new Semaphore(1);
  const ran: string[] = [];
  let release!: () => void;
  const first = slots.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => void ran.push('first')));
  const controller = new AbortController();
  const given = slots.run(async () => void ran.push('given up'), controller.signal);
  const kept = slots.run(async () => void ran.push('kept'), new AbortController().signal);
  controller.abort();
  await assert.rejects(given, (error: { code?: string }) => error.code === 'CANCELLED');
  release();
  await Promise.all([first, kept]);
  assert.deepEqual(ran, ['first', 'kept']);
  await assert.rejects(
    slots.run(async () => void ran.push('too late'), controller.signal),
    (error: { code?: string }) => error.code === 'CANCELLED',
  );
  assert.deepEqual(ran, ['first', 'kept'], 'an aborted signal takes no slot');
});
