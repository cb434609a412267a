// Exports' writes: whole or not at all, never over an existing file unless asked, on disks without
// hard links too, and a crash's temporary file removed at the next start.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { removeUnfinishedWrites, setPartialWriteJournal, writeFileAtomic } from './atomic-file';

let dir: string;
let journal: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'slidescope-atomic-'));
  journal = join(dir, 'journal');
  await fs.mkdir(journal);
  setPartialWriteJournal(journal);
});
afterEach(async () => {
  mock.restoreAll();
  syncBuiltinESMExports();
  setPartialWriteJournal(null);
  await fs.rm(dir, { recursive: true, force: true });
});

const listing = async () => (await fs.readdir(dir)).filter((n) => n !== 'journal').sort();
const code = (e: unknown) => (e as { code?: string }).code;

describe('writeFileAtomic', () => {
  test('writes the whole file and nothing else; refuses an existing name unless asked to replace it', async () => {
    const path = join(dir, 'out.png');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]), false);
    assert.deepEqual([...(await fs.readFile(path))], [1, 2, 3]);
    await assert.rejects(writeFileAtomic(path, new Uint8Array([9]), false), (e) => code(e) === 'EXISTS');
    assert.deepEqual([...(await fs.readFile(path))], [1, 2, 3]);
    await writeFileAtomic(path, new Uint8Array([7, 7]), true);
    assert.deepEqual([...(await fs.readFile(path))], [7, 7]);
    assert.deepEqual(await listing(), ['out.png']);
    assert.deepEqual(await fs.readdir(journal), [], 'the journal lists nothing once writes are done');
  });

  test('on a disk without hard links (FAT, some shares: link() says EPERM) it checks the name and renames', async () => {
    mock.method(fs, 'link', async () => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    });
    syncBuiltinESMExports(); // named imports of node:fs/promises see the mock too
    const path = join(dir, 'usb.png');
    await writeFileAtomic(path, new Uint8Array([4, 5]), false);
    assert.deepEqual([...(await fs.readFile(path))], [4, 5]);
    await assert.rejects(writeFileAtomic(path, new Uint8Array([6]), false), (e) => code(e) === 'EXISTS');
    assert.deepEqual([...(await fs.readFile(path))], [4, 5]);
    assert.deepEqual(await listing(), ['usb.png']);
  });

  test('a write that fails leaves no file, no temporary file and no journal entry', async () => {
    await assert.rejects(writeFileAtomic(join(dir, 'missing', 'x.png'), new Uint8Array([1]), false), (e) => code(e) === 'NOT_FOUND');
    const full = mock.method(fs, 'link', async () => {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    });
    syncBuiltinESMExports();
    await assert.rejects(writeFileAtomic(join(dir, 'full.png'), new Uint8Array([1]), false), (e) => code(e) === 'NO_SPACE' && /disk is full/.test(String(e)));
    full.mock.mockImplementation(async () => {
      throw Object.assign(new Error('quota'), { code: 'EDQUOT' });
    });
    await assert.rejects(
      writeFileAtomic(join(dir, 'quota.png'), new Uint8Array([1]), false),
      (e) => code(e) === 'NO_SPACE' && /quota is exceeded/.test(String(e)),
    );
    assert.deepEqual(await listing(), []);
    assert.deepEqual(await fs.readdir(journal), []);
  });
});

describe('the journal of writes on a full disk of its own (the home folder over its quota)', () => {
  test('NO_SPACE naming the journal, not the output; nothing written', async () => {
    const writeFile = fs.writeFile;
    mock.method(fs, 'writeFile', async (...args: Parameters<typeof fs.writeFile>) => {
      if (String(args[0]).startsWith(journal)) throw Object.assign(new Error('disk quota exceeded'), { code: 'EDQUOT' });
      return writeFile(...args);
    });
    syncBuiltinESMExports();
    await assert.rejects(writeFileAtomic(join(dir, 'out.png'), new Uint8Array([1]), false), (e) => {
      const error = e as { code?: string; path?: string; message?: string };
      return error.code === 'NO_SPACE' && error.path === journal && /quota is exceeded.*lists the files it is writing in/.test(error.message ?? '');
    });
    assert.deepEqual(await listing(), []);
  });

  test('its folder is made at the first write (the app no longer makes it at start); a file in its place is the error said', async () => {
    await fs.rm(journal, { recursive: true });
    const deeper = join(journal, 'cache', 'partial-writes');
    setPartialWriteJournal(deeper);
    await writeFileAtomic(join(dir, 'out.png'), new Uint8Array([1]), false);
    assert.deepEqual([...(await fs.readFile(join(dir, 'out.png')))], [1]);
    assert.deepEqual(await fs.readdir(deeper), [], 'made, and empty once the write is done');

    await fs.rm(journal, { recursive: true });
    await fs.writeFile(journal, 'not a folder');
    await assert.rejects(writeFileAtomic(join(dir, 'other.png'), new Uint8Array([2]), false), (e) => {
      const error = e as { path?: string; message?: string };
      return error.path === join(journal, 'cache', 'partial-writes') && /lists the files it is writing in .*ENOTDIR/.test(error.message ?? '');
    });
    assert.deepEqual(await listing(), ['out.png']);
  });
});

describe('removeUnfinishedWrites', () => {
  test("removes the temporary files of writers that died, and leaves running writers' and others' files (and entries not its own) alone", async () => {
    // A pid that has just exited: a writer killed mid-write.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const entry = async (name: string, temp: string, pid: number, host = hostname()) => {
      await fs.writeFile(join(journal, `${name}.json`), JSON.stringify({ temp, pid, host }));
    };
    const crashed = join(dir, '.thumb.png.123.ab12cd34.partial');
    const running = join(dir, '.other.png.456.ef56ab78.partial');
    const elsewhere = join(dir, '.shared.png.789.0a1b2c3d.partial');
    const notOurs = join(dir, 'precious.tif');
    for (const file of [crashed, running, elsewhere, notOurs]) await fs.writeFile(file, 'x');
    await entry('a', crashed, deadPid);
    await entry('b', running, process.pid);
    await entry('c', elsewhere, deadPid, 'another-node');
    await entry('d', notOurs, deadPid);
    // An entry far larger than any the engine writes is not one of ours: neither read nor followed.
    const padded = join(dir, '.padded.png.321.aa11bb22.partial');
    await fs.writeFile(padded, 'x');
    await fs.writeFile(join(journal, 'e.json'), JSON.stringify({ temp: padded, pid: deadPid, host: hostname(), pad: ' '.repeat(70_000) }));
    assert.deepEqual(await removeUnfinishedWrites(journal), [crashed]);
    assert.deepEqual(await listing(), [
      '.other.png.456.ef56ab78.partial',
      '.padded.png.321.aa11bb22.partial',
      '.shared.png.789.0a1b2c3d.partial',
      'precious.tif',
    ]);
    assert.deepEqual((await fs.readdir(journal)).sort(), ['b.json', 'c.json', 'e.json']);

    // Hours later, the other node's writer is taken as dead (its shard rerun elsewhere), as is a stale entry here.
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await fs.utimes(join(journal, 'c.json'), hoursAgo, hoursAgo);
    assert.deepEqual(await removeUnfinishedWrites(journal), [elsewhere]);
    assert.deepEqual((await fs.readdir(journal)).sort(), ['b.json', 'e.json']);
  });

  test('an entry cut short (its writer killed as it wrote it) is left while it may be being written, and removed once stale', async () => {
    await fs.writeFile(join(journal, 'empty.json'), '');
    await fs.writeFile(join(journal, 'cut.json'), '{"temp":"/data/.a.png.1');
    assert.deepEqual(await removeUnfinishedWrites(journal), []);
    assert.deepEqual((await fs.readdir(journal)).sort(), ['cut.json', 'empty.json']);
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const name of ['empty.json', 'cut.json']) await fs.utimes(join(journal, name), hoursAgo, hoursAgo);
    assert.deepEqual(await removeUnfinishedWrites(journal), []);
    assert.deepEqual(await fs.readdir(journal), []);
  });
});
