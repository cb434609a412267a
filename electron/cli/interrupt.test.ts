// The stop signals: a batch's grace, and Windows' closed console, which leaves none.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CLEAN_ENV } from '../../testing/run-cli';
import { endStopsAsNode, watchInterrupts } from './interrupt';

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

/** The processes `pid` started, by the kernel's list. */
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

const canUnshare = process.platform === 'linux' && spawnSync('unshare', ['--pid', '--fork', 'true'], { stdio: 'ignore' }).status === 0;

test("as a container's PID 1, sent no signal it has no handler for, a SIGTERM while the inputs are listed ends the command at once (143), not lost", {
  skip: !canUnshare && 'needs unshare --pid (Linux, root)',
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-pid1-'));
  const cli = fileURLToPath(new URL('./main.ts', import.meta.url));
  // The CLI as the first process of its own PID namespace, as in a pod, its --list still being read.
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--kill-child', process.execPath, '--import', 'tsx', cli, 'thumbnail', '--list', '-', '--out', join(dir, 'out')],
    {
      env: CLEAN_ENV,
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // Its engine process started: the CLI is past its start, listing its inputs.
    let cliPid: number | undefined;
    for (let waited = 0; waited < 60_000 && !(cliPid !== undefined && childrenOf(cliPid).length > 0); waited += 100) {
      cliPid = childrenOf(child.pid!)[0];
      await sleep(100);
    }
    assert.ok(cliPid !== undefined && childrenOf(cliPid).length > 0, 'the CLI started its engine');
    process.kill(cliPid, 'SIGTERM');
    await sleep(2000);
    // A list ended after it: a lost signal would leave the command to find nothing to do, exit 0.
    child.stdin.end();
    assert.equal(await exited, 143);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test("the packaged CLI (Electron's main process, which quits with 0 on a stop it has no handler for) ends with 128 + the signal, unless a batch watches its own stops", () => {
  const ended: number[] = [];
  const undo = endStopsAsNode((code) => ended.push(code));
  try {
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(ended, [143, 130]);
    const interrupt = watchInterrupts(60_000, () => undefined);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      assert.deepEqual(ended, [143, 130], "the batch's stop decides");
      assert.equal(interrupt.stopping, true);
    } finally {
      interrupt.dispose();
    }
  } finally {
    undo();
  }
});
