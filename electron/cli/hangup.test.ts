// A batch whose terminal goes away (an SSH session dropped, a terminal window closed): the CLI in a
// pseudo-terminal (Python's pty), the terminal's side closed mid-batch, as the kernel hangs it up.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedSlide } from '../../testing/paths';
import { CLEAN_ENV } from '../../testing/run-cli';

const CLI_SOURCE = fileURLToPath(new URL('./main.ts', import.meta.url));
const hasPython = process.platform === 'linux' && spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;

/** Runs argv in a pseudo-terminal, closes the terminal once `report` has a line, and gives the exit code as a shell would. */
const HANG_UP = `
import json, os, pty, sys, time
argv, report = json.loads(sys.argv[1]), sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
deadline = time.time() + 120
while time.time() < deadline and not (os.path.exists(report) and os.path.getsize(report) > 0):
    try:
        os.read(fd, 65536)
    except OSError:
        pass
    time.sleep(0.05)
os.close(fd)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(128 - code if code < 0 else code)
`;

test('a batch whose terminal is closed (SIGHUP) ends with exit code 129, not an abort as Node restores the gone terminal (SIGABRT, a core)', {
  skip: !hasPython && 'needs Linux and python3',
  timeout: 180_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-hangup-'));
  try {
    const slides = join(dir, 'slides');
    mkdirSync(slides);
    for (let i = 0; i < 40; i++) copyFileSync(sharedSlide('CMU-1-Small-Region.svs'), join(slides, `s${i}.svs`));
    const report = join(dir, 'report.jsonl');
    const argv = [
      process.execPath,
      '--import',
      'tsx',
      CLI_SOURCE,
      'thumbnail',
      slides,
      '--size',
      '2000',
      '--jobs',
      '1',
      '--out',
      join(dir, 'out'),
      '--report',
      report,
    ];
    const run = spawnSync('python3', ['-c', HANG_UP, JSON.stringify(argv), report], { encoding: 'utf8', env: CLEAN_ENV, timeout: 170_000 });
    assert.equal(run.stdout.trim(), '129', run.stderr);
    const statuses = readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { status: string }).status);
    assert.equal(statuses.length, 40, 'every slide has its line');
    assert.ok(statuses.includes('not-done'), statuses.join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
