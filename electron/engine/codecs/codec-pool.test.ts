// The pool's JPEG 2000 decodes: on threads of its own, or (a CLI's lanes) in the caller's thread.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { J2kTileEncoder } from '../../synth/jpeg2000-tiles';
import type { CodecJob } from './codec-jobs';
import { runInPool, setCodecThreads, stopCodecPool } from './codec-pool';

/** Decodes twice (the first loads OpenJPEG) and says whether a task queued before the second ran before its answer. */
async function decode(job: CodecJob): Promise<{ pixels: Uint8Array; otherTaskRanFirst: boolean }> {
  await runInPool(job);
  let otherTaskRanFirst = false;
  setImmediate(() => {
    otherTaskRanFirst = true;
  });
  const decoded = await runInPool(job);
  return { pixels: decoded.data, otherTaskRanFirst };
}

test('with no threads the pool decodes in the caller’s thread, with threads elsewhere, to the same pixels', async () => {
  const rgb = Uint8Array.from({ length: 128 * 128 * 3 }, (_, i) => (i * 7919) % 251);
  const job: CodecJob = { kind: 'jpeg2000', codestream: (await J2kTileEncoder.create({ colour: 'rgb' })).encode(rgb, 128, 128), ycbcr: false, reduce: 1 };
  try {
    setCodecThreads(0);
    const here = await decode(job);
    await stopCodecPool();
    setCodecThreads(1);
    const threaded = await decode(job);
    // A thread's answer arrives as a message, after the queued task; a decode here never lets it run.
    assert.equal(here.otherTaskRanFirst, false);
    assert.equal(threaded.otherTaskRanFirst, true);
    assert.deepEqual(here.pixels, threaded.pixels);
    assert.equal(here.pixels.length, 64 * 64 * 3);
  } finally {
    await stopCodecPool();
  }
});
