// The pool's JPEG 2000 decodes: on threads of its own, or (a CLI's lanes) in the caller's thread.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { J2kTileEncoder } from '../../synth/jpeg2000-tiles';
import type { CodecJob } from './codec-jobs';
import { runInPool, setCodecThreads, stopCodecPool } from './codec-pool';

/**
 * Decodes twice (the first loads OpenJPEG) and counts the event loop's turns while the second one
 * runs: none when it decodes in this thread, some when the thread only waits for its answer.
 */
async function decode(job: CodecJob): Promise<{ pixels: Uint8Array; turns: number }> {
  await runInPool(job);
  let turns = 0;
  let waiting = true;
  const turn = () => {
    if (!waiting) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  const decoded = await runInPool(job);
  waiting = false;
  return { pixels: decoded.data, turns };
}

test('with no threads the pool decodes in the caller’s thread, with threads elsewhere, to the same pixels', async () => {
  // Large enough that a decode elsewhere lasts many of this thread's turns (a small one could be
  // answered within the turn that asked for it, on a loaded machine).
  const side = 512;
  const rgb = Uint8Array.from({ length: side * side * 3 }, (_, i) => (i * 7919) % 251);
  const job: CodecJob = { kind: 'jpeg2000', codestream: (await J2kTileEncoder.create({ colour: 'rgb' })).encode(rgb, side, side), ycbcr: false, reduce: 1 };
  try {
    setCodecThreads(0);
    const here = await decode(job);
    await stopCodecPool();
    setCodecThreads(1);
    const threaded = await decode(job);
    assert.equal(here.turns, 0);
    assert.ok(threaded.turns > 0, 'the thread was free while another decoded');
    assert.deepEqual(here.pixels, threaded.pixels);
    assert.equal(here.pixels.length, (side / 2) * (side / 2) * 3);
  } finally {
    await stopCodecPool();
  }
});
