import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { blockingCall, clearPoolReadSlot, poolCall, poolReadTable, STUCK_READ_MS, stuckPoolReads, watchPoolReadsIn } from './pool-reads';
import { SlideFile } from './slide-file';

/** The real clock (ms), which the calls under watch stamp their starts by, moved on by the test: a pause of a loaded machine only adds. */
function testClock() {
  let ahead = 0n;
  const read = () => process.hrtime.bigint() / 1_000_000n + ahead;
  return { read, pass: (ms: number) => (ahead += BigInt(ms)) };
}

test('a call out past the limit while none comes back is stuck; one coming back, or an ended thread, is not', async () => {
  const table = poolReadTable(3);
  watchPoolReadsIn(table, 1);
  const clock = testClock();
  const stuck = stuckPoolReads(table, STUCK_READ_MS, clock.read);
  assert.equal(stuck(), null);
  let answer = () => {};
  const hung = poolCall(new Promise<void>((resolve) => (answer = resolve)));
  clock.pass(STUCK_READ_MS / 2);
  assert.equal(stuck(), null, 'not yet');
  // A slow share still answering some calls: not stuck, however long the oldest has been out.
  await poolCall(Promise.resolve());
  clock.pass(STUCK_READ_MS / 2 + 1000);
  assert.equal(stuck(), null, 'another call came back meanwhile');
  clock.pass(STUCK_READ_MS + 1);
  assert.ok((stuck() ?? 0) > STUCK_READ_MS, 'out past the limit, and nothing back for as long');
  answer();
  await hung;
  assert.equal(stuck(), null, 'back');

  // Another thread's slot: a lane replaced while its call was out keeps it until the thread has ended.
  new BigInt64Array(table)[3] = clock.read() - BigInt(2 * STUCK_READ_MS);
  clock.pass(2 * STUCK_READ_MS);
  assert.ok(stuck() !== null);
  clearPoolReadSlot(table, 2);
  assert.equal(stuck(), null);
  // A call that fails is back too.
  await assert.rejects(poolCall(Promise.reject(new Error('EIO'))));
  assert.equal(new BigInt64Array(table)[2], 0n);
});

test('a blocking call out past the limit is stuck whatever else comes back, until it returns or its thread has ended', () => {
  const table = poolReadTable(2);
  const slots = new BigInt64Array(table);
  watchPoolReadsIn(table, 0);
  const clock = testClock();
  const stuck = stuckPoolReads(table, STUCK_READ_MS, clock.read);
  const seen = blockingCall(() => {
    clock.pass(STUCK_READ_MS / 2);
    const early = stuck();
    // Other threads' calls keep coming back (another slide on a local disk): a lane held in a read says nothing of them.
    Atomics.add(slots, 0, 1n);
    clock.pass(STUCK_READ_MS / 2 + 1);
    Atomics.add(slots, 0, 1n);
    return [early, stuck()];
  });
  assert.equal(seen[0], null, 'not yet');
  assert.ok((seen[1] ?? 0) > STUCK_READ_MS, 'past the limit though other calls came back');
  assert.equal(stuck(), null, 'returned');
  assert.equal(
    blockingCall(() => 7),
    7,
  );
  // A call that throws has returned too.
  assert.throws(() =>
    blockingCall(() => {
      throw new Error('EIO');
    }),
  );
  assert.equal(stuck(), null);

  // A call within another (a read inside an open's checks) leaves the outer one watched from its start.
  const outer = blockingCall(() => {
    clock.pass(STUCK_READ_MS / 2);
    blockingCall(() => clock.pass(1));
    clock.pass(STUCK_READ_MS / 2);
    return stuck();
  });
  assert.ok((outer ?? 0) > STUCK_READ_MS, 'the outer call, out past the limit in all');
  assert.equal(stuck(), null);

  // A replaced lane held in a read: its slot stays until its thread has ended.
  slots[4] = clock.read() - BigInt(2 * STUCK_READ_MS);
  assert.ok(stuck() !== null);
  clearPoolReadSlot(table, 1);
  assert.equal(stuck(), null);
});

test("a slide file's calls through the pool are watched while they are out, large reads in pieces", async () => {
  const table = poolReadTable(1);
  watchPoolReadsIn(table, 0);
  const path = join(tmpdir(), `slidescope-pool-reads-${process.pid}.bin`);
  await writeFile(path, Buffer.alloc(9 * 1024 * 1024, 7));
  const file = await SlideFile.openInPool(path);
  const answered = new BigInt64Array(table)[0]!;
  const read = file.read(0, 9 * 1024 * 1024);
  assert.ok(new BigInt64Array(table)[1]! > 0n, 'a read in the pool is watched');
  const bytes = await read;
  assert.equal(bytes.length, 9 * 1024 * 1024);
  assert.equal(bytes[9 * 1024 * 1024 - 1], 7);
  assert.equal(new BigInt64Array(table)[0]! - answered, 3n, 'three pieces of at most 4 MB');
  assert.equal(new BigInt64Array(table)[1], 0n);
  file.close();
});
