import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CLEAN_ENV } from '../../testing/run-cli';
import { endOnDebuggerSignal } from './debugger-signal';

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

/** Sends this process SIGUSR1 and waits for its listeners to have run. */
async function sendUsr1(): Promise<void> {
  // A signal awaited holds no handle of the loop: the timer keeps it running until it comes.
  const keepAlive = setTimeout(() => undefined, 5000);
  const delivered = new Promise<void>((resolve) => process.once('SIGUSR1', () => setImmediate(resolve)));
  process.kill(process.pid, 'SIGUSR1');
  await delivered;
  clearTimeout(keepAlive);
}

test('SIGUSR1 ends the process with 128 + its number where nothing else stops on it, not the debugger', async () => {
  const codes: number[] = [];
  const undo = endOnDebuggerSignal((code) => codes.push(code));
  try {
    // The waiting listener is a second one: this first delivery is a batch's own, and must not end it.
    await sendUsr1();
    assert.deepEqual(codes, []);
    const alone = new Promise<void>((resolve) => setTimeout(resolve, 200));
    process.kill(process.pid, 'SIGUSR1');
    await alone;
    assert.deepEqual(codes, [128 + constants.signals.SIGUSR1]);
  } finally {
    undo();
  }
  assert.equal(process.listenerCount('SIGUSR1'), 0);
});

test("the CLI told SIGUSR1 while it reads a batch's list (before the batch's own stop is set up) ends with 138, no debugger started", {
  skip: process.platform === 'win32' ? 'no SIGUSR1 or named pipes on Windows' : false,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-usr1-'));
  try {
    const list = join(dir, 'list');
    spawnSync('mkfifo', [list]);
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'thumbnail', '--list', list, '--out', join(dir, 'out')], {
      env: CLEAN_ENV,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
    // Opening a named pipe to write waits for its reader: once open, the CLI is reading its list.
    const writer = await open(list, 'w');
    child.kill('SIGUSR1');
    const status = await Promise.race([exited, sleep(10_000).then(() => 'still running')]);
    await writer.close();
    child.kill('SIGKILL');
    assert.equal(status, 128 + constants.signals.SIGUSR1, stderr);
    assert.doesNotMatch(stderr, /Debugger/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
