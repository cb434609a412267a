// The pool's JPEG 2000 decodes: on threads of its own, or (a CLI's lanes) in the caller's thread.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { J2kTileEncoder } from '../../synth/jpeg2000-tiles';
import { seededRandom } from '../../synth/random';
import type { CodecJob } from './codec-jobs';
import { runInPool, setCodecThreads, stopCodecPool } from './codec-pool';

/** This thread's CPU time in ms (Linux's per-thread schedstat); null where the system has none. */
function threadCpuMs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

/** Decodes measured: the answers' handling, the same whoever decodes, is a small share of ten decodes. */
const DECODES = 10;

/**
 * Decodes once (loading OpenJPEG), then DECODES times measuring this thread: its event
 * loop (decoding here, it never waits: idle 0) and its CPU time (decoding elsewhere, it spends next
 * to none). Unlike waiting, CPU time does not stretch with the machine's load.
 */
async function decode(job: CodecJob): Promise<{ pixels: Uint8Array; idle: number; active: number; cpuMs: number | null }> {
  await runInPool(job);
  const before = performance.eventLoopUtilization();
  const cpuBefore = threadCpuMs();
  let decoded = await runInPool(job);
  for (let i = 1; i < DECODES; i++) decoded = await runInPool(job);
  const cpuAfter = threadCpuMs();
  const { idle, active } = performance.eventLoopUtilization(before);
  return { pixels: decoded.data, idle, active, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore };
}

test('with no threads the pool decodes in the caller’s thread, with threads elsewhere, to the same pixels', async () => {
  const side = 512;
  // Noise: many coded bits to decode for its size, so that decoding costs far more CPU than the answer's message.
  const random = seededRandom(1);
  const rgb = Uint8Array.from({ length: side * side * 3 }, () => Math.floor(random() * 256));
  const job: CodecJob = { kind: 'jpeg2000', codestream: (await J2kTileEncoder.create({ colour: 'rgb' })).encode(rgb, side, side), ycbcr: false, reduce: 1 };
  try {
    setCodecThreads(0);
    const here = await decode(job);
    await stopCodecPool();
    setCodecThreads(1);
    const threaded = await decode(job);
    assert.ok(here.idle < here.active, `decoding here, the thread was busy (idle ${here.idle} ms, active ${here.active} ms)`);
    if (here.cpuMs !== null && threaded.cpuMs !== null) {
      assert.ok(threaded.cpuMs < here.cpuMs / 4, `decoding elsewhere, this thread spent ${threaded.cpuMs} ms of CPU (${here.cpuMs} ms decoding here)`);
    }
    assert.deepEqual(here.pixels, threaded.pixels);
    assert.equal(here.pixels.length, (side / 2) * (side / 2) * 3);
  } finally {
    await stopCodecPool();
  }
});

test('a damaged codestream is CORRUPT_DATA whoever decodes it, here or on a thread', async () => {
  const side = 64;
  const whole = (await J2kTileEncoder.create({ colour: 'rgb' })).encode(new Uint8Array(side * side * 3).fill(200), side, side);
  // Cut inside its tile-part: the main header reads, the data runs out.
  const job: CodecJob = { kind: 'jpeg2000', codestream: whole.slice(0, Math.floor(whole.length * 0.6)), ycbcr: false, reduce: 0 };
  try {
    for (const threads of [0, 1]) {
      setCodecThreads(threads);
      await assert.rejects(runInPool(job), (e: unknown) => {
        const { code, message } = e as { code?: string; message?: string };
        assert.equal(code, 'CORRUPT_DATA', `${threads} threads: ${code}: ${message}`);
        assert.match(message ?? '', /^JPEG 2000 codestream: /);
        return true;
      });
      await stopCodecPool();
    }
  } finally {
    await stopCodecPool();
  }
});
