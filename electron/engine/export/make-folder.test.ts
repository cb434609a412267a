import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeFolder } from './make-folder';

const dir = await mkdtemp(join(tmpdir(), 'slidescope-make-folder-'));
after(() => rm(dir, { recursive: true, force: true }));

test('makes a folder and its missing parents, and says which it made; one that exists is left as it is', async () => {
  const deep = join(dir, 'a', 'b', 'c');
  assert.deepEqual(await makeFolder(deep), [join(dir, 'a'), join(dir, 'a', 'b'), deep]);
  assert.ok(statSync(deep).isDirectory());
  assert.deepEqual(await makeFolder(deep), []);
  const [y, z] = await Promise.all([makeFolder(join(dir, 'x', 'y')), makeFolder(join(dir, 'x', 'z'))]);
  assert.ok(existsSync(join(dir, 'x', 'y')) && existsSync(join(dir, 'x', 'z')));
  // Two at once: the parent is made by one of them, and only that one says so.
  assert.deepEqual([...y, ...z].sort(), [join(dir, 'x'), join(dir, 'x', 'y'), join(dir, 'x', 'z')]);
});

test('a file in the way: ENOTDIR; a link to nowhere: EEXIST, not a folder that is not there', async () => {
  await writeFile(join(dir, 'file'), 'x');
  await assert.rejects(makeFolder(join(dir, 'file', 'sub')), { code: 'ENOTDIR' });
  await assert.rejects(makeFolder(join(dir, 'file')), { code: 'ENOTDIR' });
  await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
  await assert.rejects(makeFolder(join(dir, 'dangling')), { code: 'EEXIST' });
});

test('a folder the system will not make under a parent that exists (/proc): an error, not a loop', { skip: process.platform !== 'linux' }, async () => {
  // Node's mkdir with recursive never returns here.
  await assert.rejects(makeFolder('/proc/slidescope-test/out'), { code: 'ENOENT' });
});
