// The fork launcher's stop, seen from a process with nothing else to wait for (a CLI at its end).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

describe('forkEngine', () => {
  it('an engine that ignores the exit message is killed after the grace period, and waited for', () => {
    const script = fileURLToPath(new URL('../../testing/engine-stubs/stop-unheld.mts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    // Exit code 13 is Node's "unsettled top-level await": the loop ended before the engine did.
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'stopped\n');
  });
});
