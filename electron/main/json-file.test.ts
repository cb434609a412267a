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
    assert.deepEqual((await fs.readdir(dir)).sort(), ['not-a-folder', 'state']);
  });
});
