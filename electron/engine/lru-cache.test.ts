import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlideError } from './errors';
import { ByteLruCache } from './lru-cache';

const bytes = (s: string) => s.length;

test('evicts least recently used entries past the byte cap', () => {
  const cache = new ByteLruCache<string>(10, bytes);
  cache.set('a', 'aaaa');
  cache.set('b', 'bbbb');
  cache.get('a');
  cache.set('c', 'cccc');
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 'aaaa');
  assert.equal(cache.bytes, 8);
  cache.set('huge', 'x'.repeat(11));
  assert.equal(cache.get('huge'), undefined);
});

test("a closed slide's entries are dropped, and their bytes with them", () => {
  const cache = new ByteLruCache<string>(100, bytes);
  cache.set('s1:0:0:0', 'aaaa');
  cache.set('s10:0:0:0', 'bbbb');
  cache.set('s1:1:0:0', 'cc');
  cache.dropPrefix('s1:');
  assert.equal(cache.get('s1:0:0:0'), undefined);
  assert.equal(cache.get('s1:1:0:0'), undefined);
  assert.equal(cache.get('s10:0:0:0'), 'bbbb', 'another slide whose id starts alike keeps its own');
  assert.equal(cache.bytes, 4);
});

test('a computation running when its key is dropped answers its caller, and is not kept', async () => {
  const cache = new ByteLruCache<string>(100, bytes);
  const { compute, runs } = countedCompute();
  const running = cache.getOrCompute('s1:0:0:0', compute);
  cache.dropPrefix('s1:');
  assert.equal(await running, 'v');
  assert.equal(cache.get('s1:0:0:0'), undefined);
  assert.equal(cache.bytes, 0);
  assert.equal(runs(), 1);
});

/** A slow computation of 'v' that counts its runs. */
function countedCompute(): { compute: () => Promise<string>; runs: () => number } {
  let runs = 0;
  const compute = async () => {
    runs++;
    await new Promise((r) => setTimeout(r, 10));
    return 'v';
  };
  return { compute, runs: () => runs };
}

test('concurrent callers share one computation', async () => {
  const cache = new ByteLruCache<string>(100, bytes);
  const { compute, runs } = countedCompute();
  const values = await Promise.all([cache.getOrCompute('k', compute), cache.getOrCompute('k', compute), cache.getOrCompute('k', compute)]);
  assert.deepEqual(values, ['v', 'v', 'v']);
  assert.equal(runs(), 1);
});

test('a computation not to be stored is shared while it runs, then forgotten', async () => {
  const cache = new ByteLruCache<string>(100, bytes);
  const { compute, runs } = countedCompute();
  await Promise.all([cache.getOrCompute('k', compute, undefined, false), cache.getOrCompute('k', compute, undefined, false)]);
  assert.equal(runs(), 1);
  assert.equal(cache.get('k'), undefined);
  assert.equal(cache.bytes, 0);
});

test('one caller cancelling does not fail another; all cancelling aborts the work', async () => {
  const cache = new ByteLruCache<string>(100, bytes);
  let aborted = 0;
  const compute = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('v'), 30);
      signal.addEventListener('abort', () => {
        aborted++;
        clearTimeout(timer);
        reject(new SlideError('CANCELLED', 'cancelled'));
      });
    });
  const a = new AbortController();
  const b = new AbortController();
  const first = cache.getOrCompute('k', compute, a.signal);
  const second = cache.getOrCompute('k', compute, b.signal);
  a.abort();
  await assert.rejects(first, (e: unknown) => e instanceof SlideError && e.code === 'CANCELLED');
  assert.equal(await second, 'v');
  assert.equal(aborted, 0);

  const c = new AbortController();
  const d = new AbortController();
  const third = cache.getOrCompute('j', compute, c.signal);
  const fourth = cache.getOrCompute('j', compute, d.signal);
  c.abort();
  d.abort();
  await assert.rejects(third);
  await assert.rejects(fourth);
  assert.equal(aborted, 1);
  // A new caller after everyone gave up starts afresh.
  assert.equal(await cache.getOrCompute('j', compute), 'v');
});
