// The engine's settings travel from a launcher to the engine process and its lanes in the
// environment: what a launcher sets is what the engine reads.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import type { ResourceLimits } from 'node:worker_threads';
import { setThreadLimits, startThread } from '../rpc/worker-thread';
import {
  defaultCodecThreads,
  defaultLaneCount,
  defaultMemoryCapBytes,
  engineEnvironment,
  engineExecArgv,
  engineHeapMb,
  exitReason,
  MAX_LANES,
  OVER_MEMORY_CAP_EXIT,
  readEngineSettings,
  threadHeapLimits,
} from './engine-settings';

describe('engine settings through the environment', () => {
  it('a launcher that sets nothing gets the defaults: warm-up on, the default lanes, the default cap', () => {
    const settings = readEngineSettings(engineEnvironment({}, {}));
    assert.equal(settings.warmUp, true);
    assert.equal(settings.lanes, null);
    assert.equal(settings.codecThreads, null);
    assert.equal(settings.memoryCapBytes, defaultMemoryCapBytes());
    assert.equal(settings.parentHandlesSignals, false);
  });

  it('the default lanes leave a core to the router and the client: one on 1 or 2 cores, then a core each but one, at most MAX_LANES', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 8, 64].map((cores) => defaultLaneCount(cores)),
      [1, 1, 2, 3, 4, MAX_LANES, MAX_LANES],
    );
  });

  it('the default JPEG 2000 threads share out the cores (at most MAX_LANES) among the lanes, every core used', () => {
    const threads = (lanes: number, cores: number) => Array.from({ length: lanes }, (_, lane) => defaultCodecThreads(lane, lanes, cores));
    assert.deepEqual(threads(1, 2), [2]);
    assert.deepEqual(threads(2, 3), [2, 1]);
    assert.deepEqual(threads(3, 4), [2, 1, 1]);
    assert.deepEqual(threads(4, 16), [1, 1, 1, 1]);
    assert.deepEqual(threads(4, 2), [1, 1, 1, 1]);
    for (const cores of [1, 2, 3, 4, 5, 8]) {
      const total = threads(defaultLaneCount(cores), cores).reduce((a, b) => a + b, 0);
      assert.equal(total, Math.min(MAX_LANES, cores), `${cores} cores`);
    }
  });

  it("a CLI's settings arrive as set", () => {
    const env = engineEnvironment(
      { PATH: '/usr/bin' },
      { lanes: 2, codecThreads: 0, memoryCapMb: 1500, parentHandlesSignals: true, warmUp: false, partialWritesDir: '/tmp/j' },
    );
    const settings = readEngineSettings(env);
    assert.deepEqual(
      {
        lanes: settings.lanes,
        codecThreads: settings.codecThreads,
        cap: settings.memoryCapBytes,
        signals: settings.parentHandlesSignals,
        warmUp: settings.warmUp,
        dir: settings.partialWritesDir,
      },
      { lanes: 2, codecThreads: 0, cap: 1500 * 2 ** 20, signals: true, warmUp: false, dir: '/tmp/j' },
    );
    assert.equal(env['PATH'], '/usr/bin');
  });

  it("a batch's engines on Linux: one malloc arena and one libvips thread per operation, unless the user chose their arenas; elsewhere, and the app's engine, as glibc and sharp choose", () => {
    const arenasAndThreads = (env: NodeJS.ProcessEnv) => {
      const settings = readEngineSettings(env);
      return [env['MALLOC_ARENA_MAX'], settings.libvipsThreads];
    };
    assert.deepEqual(arenasAndThreads(engineEnvironment({}, { batchMemory: true }, 'linux')), ['1', 1]);
    assert.deepEqual(arenasAndThreads(engineEnvironment({ MALLOC_ARENA_MAX: '4' }, { batchMemory: true }, 'linux')), ['4', null]);
    assert.deepEqual(arenasAndThreads(engineEnvironment({}, { batchMemory: true }, 'darwin')), [undefined, null]);
    assert.deepEqual(arenasAndThreads(engineEnvironment({}, {}, 'linux')), [undefined, null]);
  });

  it('an engine process, which opens no connection, is not made to read a CA bundle at its start; the rest of the environment passes', () => {
    const base = { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', SSL_CERT_FILE: '/etc/ssl/cert.pem', HOME: '/home/a' };
    for (const settings of [{}, { batchMemory: true }]) {
      const env = engineEnvironment(base, settings, 'linux');
      assert.equal('NODE_EXTRA_CA_CERTS' in env, false);
      assert.deepEqual([env['SSL_CERT_FILE'], env['HOME']], ['/etc/ssl/cert.pem', '/home/a']);
    }
    assert.equal(base.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt');
  });

  it('nonsense in the environment falls back to the defaults', () => {
    const settings = readEngineSettings({ SLIDESCOPE_ENGINE_LANES: '-3', SLIDESCOPE_ENGINE_CODEC_THREADS: '', SLIDESCOPE_ENGINE_MEMORY_CAP_MB: 'lots' });
    assert.equal(settings.lanes, null);
    assert.equal(settings.codecThreads, null);
    assert.equal(readEngineSettings({ SLIDESCOPE_ENGINE_LANES: '0', SLIDESCOPE_ENGINE_CODEC_THREADS: '-1' }).lanes, null);
    assert.equal(readEngineSettings({ SLIDESCOPE_ENGINE_CODEC_THREADS: '-1' }).codecThreads, null);
    assert.equal(readEngineSettings({ SLIDESCOPE_ENGINE_LIBVIPS_THREADS: '0' }).libvipsThreads, null);
    assert.equal(settings.memoryCapBytes, defaultMemoryCapBytes());
  });
});

test('an engine that ended itself over its memory cap says so by its exit code alone (its last message may not get out)', () => {
  assert.match(exitReason(OVER_MEMORY_CAP_EXIT), /memory cap/);
  assert.equal(exitReason(1), 'it exited (code 1)');
});

test("every thread the engine process starts has a quarter of the memory cap for its heap, its caller's own limits kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-thread-heap-'));
  try {
    const script = join(dir, 'limit.mjs');
    writeFileSync(
      script,
      "import { parentPort } from 'node:worker_threads'; import v8 from 'node:v8'; parentPort.postMessage(v8.getHeapStatistics().heap_size_limit);",
    );
    const limitOf = (ownLimits?: ResourceLimits) =>
      new Promise<number>((resolve, reject) => {
        const thread = startThread(script, null, ownLimits);
        thread.once('message', (bytes: number) => void thread.terminate().then(() => resolve(bytes / 2 ** 20)));
        thread.once('error', reject);
      });
    for (const memoryCapMb of [1024, 4096]) {
      setThreadLimits(threadHeapLimits(readEngineSettings(engineEnvironment({}, { memoryCapMb }))));
      const want = engineHeapMb(memoryCapMb * 2 ** 20);
      assert.equal(want, Math.max(256, memoryCapMb / 4));
      // V8's limit is the old generation and its young generation's room.
      for (const limit of [await limitOf(), await limitOf({ maxYoungGenerationSizeMb: 8 })])
        assert.ok(limit >= want && limit < want + 64, `${limit} MB, where the old generation is ${want} MB`);
    }
  } finally {
    setThreadLimits({});
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the threads' heap follows the memory cap the engine reads, a user's SLIDESCOPE_ENGINE_MEMORY_CAP_MB included", () => {
  const heap = (env: NodeJS.ProcessEnv) => threadHeapLimits(readEngineSettings(env)).maxOldGenerationSizeMb;
  assert.equal(heap(engineEnvironment({ SLIDESCOPE_ENGINE_MEMORY_CAP_MB: '2048' }, {})), 512);
  assert.equal(heap(engineEnvironment({ SLIDESCOPE_ENGINE_MEMORY_CAP_MB: '2048' }, { memoryCapMb: 4096 })), 1024);
});

test("the engine's flags leave Node its built-in code cache, in the process and its threads (a heap flag would cost each ~50 ms of its start)", () => {
  for (const settings of [{}, { batchMemory: true }]) {
    // Internal modules Node compiled from source rather than from the code cache it ships: none.
    const script = `const uncached = () => require('internal/test/binding').internalBinding('builtins').getCacheUsage().compiledWithoutCache.size;
      const { Worker } = require('node:worker_threads');
      const thread = new Worker("require('node:worker_threads').parentPort.postMessage(require('internal/test/binding').internalBinding('builtins').getCacheUsage().compiledWithoutCache.size)", { eval: true, execArgv: ['--expose-internals', '--no-warnings'] });
      thread.on('message', (inThread) => { console.log(JSON.stringify([uncached(), inThread])); thread.terminate(); });`;
    const run = spawnSync(process.execPath, [...engineExecArgv(settings), '--expose-internals', '--no-warnings', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(run.stdout), [0, 0], `${JSON.stringify(settings)}: ${run.stderr}`);
  }
});
