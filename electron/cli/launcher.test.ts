// The deb's `slidescope` on PATH (build/linux/slidescope-launcher.sh): the commands it sends to the
// command line without a display are the CLI's, and it finds the app's binary through its link.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI_COMMANDS } from './command-names';

const LAUNCHER = fileURLToPath(new URL('../../build/linux/slidescope-launcher.sh', import.meta.url));

describe('the Linux launcher', () => {
  // As installed: /opt/Slidescope/resources/slidescope-launcher.sh, the app at /opt/Slidescope/slidescope,
  // /usr/bin/slidescope a link to the launcher. The app here prints its arguments.
  const root = mkdtempSync(join(tmpdir(), 'slidescope-launcher-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'opt', 'resources'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  copyFileSync(LAUNCHER, join(root, 'opt', 'resources', 'slidescope-launcher.sh'));
  chmodSync(join(root, 'opt', 'resources', 'slidescope-launcher.sh'), 0o755);
  writeFileSync(join(root, 'opt', 'slidescope'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
  symlinkSync(join(root, 'opt', 'resources', 'slidescope-launcher.sh'), join(root, 'bin', 'slidescope'));
  const run = (...args: string[]) => spawnSync(join(root, 'bin', 'slidescope'), args, { encoding: 'utf8' }).stdout.trim();

  it('lists exactly the CLI commands', () => {
    const listed = /case "\$1" in\n\s*(.+?)\)/.exec(readFileSync(LAUNCHER, 'utf8'))?.[1];
    assert.deepEqual(
      listed?.split('|').map((c) => c.trim()),
      [...CLI_COMMANDS],
    );
  });

  it('runs a command without a display (and, as root, without the sandbox Chromium refuses there), and opens a slide as the viewer', () => {
    const asRoot = process.getuid?.() === 0 ? ' --no-sandbox' : '';
    assert.equal(run('thumbnail', 'a b.svs', '--size', '256'), `--ozone-platform=headless --disable-gpu${asRoot} thumbnail a b.svs --size 256`);
    assert.equal(run('x.svs'), 'x.svs');
    assert.equal(run(), '');
  });
});
