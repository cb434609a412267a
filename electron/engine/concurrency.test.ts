import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachLimited } from './concurrency';

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
