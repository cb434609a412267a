import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { oldestPoolReadMs, poolCall, poolReadTable, watchPoolReadsIn } from './pool-reads';
import { SlideFile } from './slide-file';

test("a thread's calls into the pool: the oldest one's wait, until every one is back", async () => {
  const table = poolReadTable(3);
  watchPoolReadsIn(table, 2);
  assert.equal(oldestPoolReadMs(table), 0);
  let answerFirst = () => {};
  const first = poolCall(new Promise<void>((resolve) => (answerFirst = resolve)));
  const startedAt = Date.now();
  let answerSecond = () => {};
  const second = poolCall(new Promise<void>((resolve) => (answerSecond = resolve)));
  // Another thread's slot, older still: the process's oldest wins.
  new BigInt64Array(table)[0] = BigInt(startedAt - 5000);
  assert.ok(oldestPoolReadMs(table, startedAt + 100) >= 5100);
  new BigInt64Array(table)[0] = 0n;
  assert.ok(Math.abs(oldestPoolReadMs(table, startedAt + 60_000) - 60_000) < 50);
  answerFirst();
  await first;
  // The second is still out: the wait is now its own.
  assert.ok(oldestPoolReadMs(table, startedAt + 60_000) > 0);
  answerSecond();
  await second;
  assert.equal(oldestPoolReadMs(table), 0);
  // A call that fails is back too.
  await assert.rejects(poolCall(Promise.reject(new Error('EIO'))));
  assert.equal(oldestPoolReadMs(table), 0);
});

test("a slide file's reads through the pool are watched while they are out", async () => {
  const table = poolReadTable(1);
  watchPoolReadsIn(table, 0);
  const path = join(tmpdir(), `slidescope-pool-reads-${process.pid}.bin`);
  await writeFile(path, Buffer.alloc(4096, 7));
  const file = await SlideFile.openInPool(path);
  const read = file.read(0, 4096);
  assert.ok(new BigInt64Array(table)[0]! > 0n, 'a read in the pool is watched');
  assert.equal((await read).length, 4096);
  assert.equal(oldestPoolReadMs(table), 0);
  file.close();
});
