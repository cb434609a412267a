import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { SlideError } from './errors';
import { SlideFile } from './slide-file';

const dir = mkdtempSync(join(tmpdir(), 'slidescope-slide-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('a slide closed while its reads are in the thread pool: they still read its bytes, and the next read is NOT_OPEN', async () => {
  const a = randomBytes(1 << 20);
  const b = randomBytes(1 << 20);
  const pathA = fileOf('a.bin', a);
  const pathB = fileOf('b.bin', b);
  for (let round = 0; round < 20; round++) {
    // Every read counts as slow: after the second, all go to the pool.
    const file = SlideFile.open(pathA, { slowReadMs: -1 });
    assert.deepEqual(await file.read(0, 16), a.subarray(0, 16));
    assert.equal(file.readsDataInThread, true);
    assert.deepEqual(await file.read(16, 16), a.subarray(16, 32));
    assert.equal(file.readsDataInThread, false);
    const reads = Array.from({ length: 8 }, (_, i) => file.read(i * 65536, 65536));
    file.close();
    // Opened now, B could take A's descriptor number were it closed under the reads.
    const other = SlideFile.open(pathB);
    const results = await Promise.all(reads);
    for (const [i, bytes] of results.entries()) assert.deepEqual(bytes, a.subarray(i * 65536, (i + 1) * 65536), `round ${round}, read ${i}`);
    await assert.rejects(file.read(0, 16), (error: unknown) => error instanceof SlideError && error.code === 'NOT_OPEN');
    assert.throws(
      () => file.readRangesSync([{ offset: 0, length: 16 }]),
      (error: unknown) => error instanceof SlideError && error.code === 'NOT_OPEN',
    );
    await assert.rejects(file.source.readChunk(0, 16), (error: unknown) => error instanceof SlideError && error.code === 'NOT_OPEN');
    assert.deepEqual(await other.read(0, 1024), b.subarray(0, 1024));
    other.close();
  }
});

test('tile data is read in the thread while the file answers fast, through the pool once reads were slow', async () => {
  const bytes = randomBytes(1 << 18);
  const path = fileOf('speed.bin', bytes);
  const fast = SlideFile.open(path, { slowReadMs: Number.POSITIVE_INFINITY });
  const slow = SlideFile.open(path, { slowReadMs: -1 });
  // The engine process's router: never in its own thread, the first read included.
  const pooled = await SlideFile.openInPool(path);
  assert.equal(pooled.readsDataInThread, false);
  for (let i = 0; i < 4; i++) {
    for (const file of [fast, slow, pooled]) assert.deepEqual(await file.read(i * 4096, 4096), bytes.subarray(i * 4096, (i + 1) * 4096));
  }
  assert.equal(fast.readsDataInThread, true);
  assert.equal(slow.readsDataInThread, false);
  await assert.rejects(fast.read(bytes.length - 8, 16), (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA');
  fast.close();
  slow.close();
  pooled.close();
});

test('one slow read in the thread (the thread off its core) leaves the file there; two of its last eight send it to the pool', async () => {
  const bytes = randomBytes(1 << 16);
  const file = SlideFile.open(fileOf('preempted.bin', bytes));
  let clock = 0;
  let step = 0.01;
  mock.method(performance, 'now', () => (clock += step));
  try {
    const readTaking = async (ms: number) => {
      step = ms / 2;
      assert.deepEqual(await file.read(1024, 64), bytes.subarray(1024, 1088));
      step = 0.01;
    };
    await readTaking(10);
    for (let i = 0; i < 8; i++) await readTaking(0.1);
    assert.equal(file.readsDataInThread, true);
    await readTaking(10);
    for (let i = 0; i < 6; i++) await readTaking(0.1);
    assert.equal(file.readsDataInThread, true);
    await readTaking(10);
    assert.equal(file.readsDataInThread, false);
  } finally {
    mock.restoreAll();
    file.close();
  }
});

test("reads in the thread give the thread's event loop turns (a long region is not one unbroken task)", async () => {
  const path = fileOf('turns.bin', randomBytes(1 << 16));
  const file = SlideFile.open(path, { slowReadMs: Number.POSITIVE_INFINITY });
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  // Until the timer has had three turns, or for 5 s: without turns given it has none however long the reads go on.
  const start = performance.now();
  while (turns < 3 && performance.now() - start < 5000) await file.read(0, 4096);
  clearInterval(timer);
  file.close();
  assert.ok(turns >= 3, `${turns} turns in ${Math.round(performance.now() - start)} ms of reads`);
});

test('structure reads come from the file in blocks (64 KB, or as the opener asks), clipped at its end', async () => {
  const bytes = randomBytes(200_000);
  const path = fileOf('c.bin', bytes);
  for (const blockBytes of [undefined, 16 * 1024, 1000]) {
    const file = SlideFile.open(path, blockBytes === undefined ? {} : { structureBlockBytes: blockBytes });
    try {
      // Across block edges, inside one block, again from the cache, past the cache's 32 blocks, and at the end.
      for (const [offset, length] of [
        [65_000, 2_000],
        [16_000, 900],
        [65_000, 2_000],
        [3_000, 60_000],
        [0, 4096],
        [199_990, 100],
      ] as const) {
        const want = new Uint8Array(bytes.subarray(offset, Math.min(bytes.length, offset + length)));
        assert.deepEqual(new Uint8Array(await file.source.readChunk(offset, length)), want, `${blockBytes ?? 'default'} block: ${offset} + ${length}`);
      }
      assert.equal(file.size, 200_000);
    } finally {
      file.close();
    }
  }
});

test('opening through the pool refuses what opening in the thread refuses, with the same errors', async () => {
  const missing = join(dir, 'missing.svs');
  const dangling = join(dir, 'dangling.svs');
  symlinkSync(join(dir, 'moved-away.svs'), dangling);
  const loop = join(dir, 'loop.svs');
  symlinkSync(loop, loop);
  const messages: string[] = [];
  for (const path of [missing, dir, dangling, loop]) {
    let inThread: unknown;
    try {
      SlideFile.open(path);
    } catch (error) {
      inThread = error;
    }
    await assert.rejects(SlideFile.openInPool(path), (error: unknown) => {
      assert.ok(error instanceof SlideError && inThread instanceof SlideError);
      assert.deepEqual([error.code, error.message], [inThread.code, inThread.message]);
      messages.push(error.message);
      return true;
    });
  }
  assert.equal(messages[0], 'The file does not exist.');
  assert.match(messages[2]!, /^This is a symbolic link to .*moved-away\.svs, which does not exist\.$/);
  assert.equal(messages[3], 'This symbolic link leads round in a loop (ELOOP).');
  const pooled = await SlideFile.openInPool(fileOf('identity.bin', randomBytes(100)));
  const here = SlideFile.open(join(dir, 'identity.bin'));
  assert.equal(pooled.identity, here.identity, 'the same file, the same identity');
  pooled.close();
  here.close();
});
