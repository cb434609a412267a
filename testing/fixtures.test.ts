// The test-time fixture cache: keys follow the parameters, and a fixture asked for by two processes
// at once is made once (under the lock) and found by both.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURES, type FixtureSpec, fixtureKey } from './fixtures';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-fixtures-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fixture cache', () => {
  test('keys change with parameters; a fixture is made once, also by two processes at once', async () => {
    const spec: FixtureSpec = FIXTURES['huge-header'];
    assert.equal(fixtureKey(spec), fixtureKey({ ...spec }));
    assert.notEqual(fixtureKey(spec), fixtureKey({ kind: 'huge', ext: '.tif', options: { width: 1e9, height: 2e9 } }));
    const cache = join(dir, 'cache');
    const script = `import { fixturePath } from './testing/fixtures.ts'; console.log(await fixturePath('huge-header'));`;
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: new URL('..', import.meta.url).pathname,
          env: { ...process.env, SLIDESCOPE_FIXTURES_DIR: cache },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
      });
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a, b);
    assert.ok(existsSync(a));
    assert.ok(!existsSync(`${a}.lock`));
  });
});
