// The stop signals: a batch's grace, and Windows' closed console, which leaves none.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchInterrupts } from './interrupt';

/** Whether the slides being made are abandoned soon after `signal`, with a grace of a minute. */
async function abandonedAtOnce(signal: NodeJS.Signals, platform: NodeJS.Platform): Promise<{ abandoned: boolean; grace: number | null }> {
  let grace: number | null = null;
  const interrupt = watchInterrupts(60_000, (_signal, graceMs) => (grace = graceMs), platform);
  try {
    process.emit(signal, signal);
    await sleep(20);
    return { abandoned: interrupt.abandon.aborted, grace };
  } finally {
    interrupt.dispose();
  }
}

test("a closed console on Windows (SIGHUP), which ends the process ~10 s later, abandons the slides at once: the report's lines and the partial files' removal come in time", async () => {
  assert.deepEqual(await abandonedAtOnce('SIGHUP', 'win32'), { abandoned: true, grace: 0 });
  // Elsewhere a dropped session waits for nothing: the grace is kept, as for SIGTERM (and SIGTERM on Windows).
  assert.deepEqual(await abandonedAtOnce('SIGHUP', 'linux'), { abandoned: false, grace: 60_000 });
  assert.deepEqual(await abandonedAtOnce('SIGTERM', 'win32'), { abandoned: false, grace: 60_000 });
});
