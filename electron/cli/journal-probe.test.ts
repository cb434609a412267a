// The CLI's check of its journal folder before a batch (writableJournal).

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writableJournal } from './run';

test('a cache folder on a full disk or over its quota (an empty file made, its bytes refused) is found unwritable before the batch, not at each slide', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-journal-probe-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const full: typeof writeFile = async (path, data) => {
    await writeFile(path, '');
    if (String(data).length > 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  };
  const said: string[] = [];
  t.mock.method(process.stderr, 'write', (text: string) => said.push(text) > 0);
  assert.equal(await writableJournal(join(dir, 'full'), full), null);
  assert.match(said.join(''), /full cannot be written \(ENOSPC\)/);
  assert.deepEqual(await readdir(join(dir, 'full')), [], 'its empty probe is removed too');
  assert.equal(await writableJournal(join(dir, 'fine')), join(dir, 'fine'));
  assert.deepEqual(await readdir(join(dir, 'fine')), [], 'the probe is removed');
});
