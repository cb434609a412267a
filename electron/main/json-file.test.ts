import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, mock, test } from 'node:test';
import { readJsonFile, writeJsonAtomic } from './json-file';

let dir = '';
before(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'json-file-'));
});
after(() => fs.rm(dir, { recursive: true, force: true }));
afterEach(() => {
  mock.restoreAll();
  syncBuiltinESMExports();
});

const code = (error: unknown) => (error as { code?: string }).code;

describe('readJsonFile', () => {
  test('a file past the bound reads as corrupt (TOO_LARGE naming it) without being read; one at the bound reads', async () => {
    const file = join(await fs.mkdtemp(join(dir, 'read-')), 'big.json');
    await fs.writeFile(file, '"0123456789"');
    assert.deepEqual(await readJsonFile(file, 12), { kind: 'ok', value: '0123456789' });
    const read = await readJsonFile(file, 11);
    assert.equal(read.kind, 'corrupt');
    assert.ok(read.kind === 'corrupt' && code(read.error) === 'TOO_LARGE' && (read.error as { path?: string }).path === file, String(read));
  });

  test('missing, unreadable and unparsable files', async () => {
    const folder = await fs.mkdtemp(join(dir, 'read-'));
    assert.deepEqual(await readJsonFile(join(folder, 'none.json')), { kind: 'missing' });
    assert.equal((await readJsonFile(folder)).kind, 'corrupt');
    const file = join(folder, 'half.json');
    await fs.writeFile(file, '{"a": ');
    assert.equal((await readJsonFile(file)).kind, 'corrupt');
  });
});

describe('writeJsonAtomic', () => {
  test('writes the value whole, and reads back', async () => {
    const file = join(dir, 'state', 'a.json');
    await writeJsonAtomic(file, { language: 'ko' });
    assert.deepEqual(await readJsonFile(file), { kind: 'ok', value: { language: 'ko' } });
  });

  test("a system call's failure is the file's (IO_ERROR naming it), a full disk NO_SPACE; no temporary file is left", async () => {
    const blocker = join(dir, 'not-a-folder');
    await fs.writeFile(blocker, 'x');
    await assert.rejects(writeJsonAtomic(join(blocker, 'b.json'), {}), (e) => code(e) === 'IO_ERROR' && /ENOTDIR|EEXIST/.test(String(e)));
    mock.method(fs, 'writeFile', async () => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    });
    syncBuiltinESMExports();
    const file = join(dir, 'full.json');
    await assert.rejects(writeJsonAtomic(file, {}), (e) => code(e) === 'NO_SPACE' && (e as { path?: string }).path === file);
    assert.deepEqual((await fs.readdir(dir)).filter((name) => !name.startsWith('read-')).sort(), ['not-a-folder', 'state']);
  });
});
