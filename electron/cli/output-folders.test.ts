// A batch's output folders: those it made and left empty go at its end, nothing else does, and none is
// made after it (a slide's work given up that wakes later).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OutputFolders } from './output-folders';

const dir = await mkdtemp(join(tmpdir(), 'slidescope-output-folders-'));
after(() => rm(dir, { recursive: true, force: true }));

test('the empty folders it made go, deepest first; one holding a file, or there before, stays; none is made after', async () => {
  await mkdir(join(dir, 'before'));
  const folders = new OutputFolders();
  await folders.make(join(dir, 'a', 'b', 'c'));
  await folders.make(join(dir, 'a', 'b', 'c'));
  await folders.make(join(dir, 'a', 'kept'));
  await folders.make(join(dir, 'before', 'x'));
  await writeFile(join(dir, 'a', 'kept', 'slide_thumbnail.png'), 'png');
  await folders.removeEmpty();
  assert.deepEqual(
    ['a', 'a/b', 'a/b/c', 'a/kept', 'before', 'before/x'].filter((f) => existsSync(join(dir, f))),
    ['a', 'a/kept', 'before'],
  );
  await assert.rejects(folders.make(join(dir, 'late')), { code: 'CANCELLED' });
  assert.equal(existsSync(join(dir, 'late')), false);
});
