import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { parseStored, RECENT_FILES_NAME, RecentFiles } from './recent-files';

describe('RecentFiles', () => {
  let dir: string;
  let clock: number;
  const now = () => new Date(Date.UTC(2024, 0, 1) + clock++ * 1000);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-recent-'));
    clock = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts empty when there is no file', async () => {
    const recent = new RecentFiles({ dir, now });
    assert.deepEqual(await recent.list(), []);
    assert.equal(await recent.has('/a.svs'), false);
  });

  it('keeps most recent first, deduplicated by path, at most 10, and persists', async () => {
    const recent = new RecentFiles({ dir, now });
    for (let i = 0; i < 12; i++) await recent.add(`/slides/s${i}.svs`);
    await recent.add('/slides/s5.svs', 'Five');
    const list = await recent.list();
    assert.equal(list.length, 10);
    assert.deepEqual(
      list.map((f) => f.path),
      [
        '/slides/s5.svs',
        '/slides/s11.svs',
        '/slides/s10.svs',
        '/slides/s9.svs',
        '/slides/s8.svs',
        '/slides/s7.svs',
        '/slides/s6.svs',
        '/slides/s4.svs',
        '/slides/s3.svs',
        '/slides/s2.svs',
      ],
    );
    assert.equal(list[0]?.name, 'Five');
    assert.equal(list[1]?.name, 's11.svs');
    assert.equal(list[0]?.openedAt, new Date(Date.UTC(2024, 0, 1) + 12_000).toISOString());

    const reloaded = new RecentFiles({ dir, now });
    assert.deepEqual(await reloaded.list(), list);
    assert.equal(await reloaded.has('/slides/s5.svs'), true);
    assert.equal(await reloaded.has('/slides/s0.svs'), false);
  });

  it('clear empties the persisted list', async () => {
    const recent = new RecentFiles({ dir, now });
    await recent.add('/a.svs');
    await recent.clear();
    assert.deepEqual(await recent.list(), []);
    assert.deepEqual(await new RecentFiles({ dir }).list(), []);
  });

  it('survives a corrupt file and replaces it on the next write', async () => {
    await writeFile(join(dir, RECENT_FILES_NAME), '{"version":1,"files":[{"pa');
    const errors: string[] = [];
    const recent = new RecentFiles({ dir, now, onError: (m) => errors.push(m) });
    assert.deepEqual(await recent.list(), []);
    assert.equal(errors.length, 1);
    await recent.add('/b.svs');
    const stored = JSON.parse(await readFile(join(dir, RECENT_FILES_NAME), 'utf8')) as { files: Array<{ path: string }> };
    assert.deepEqual(
      stored.files.map((f) => f.path),
      ['/b.svs'],
    );
  });

  it('ignores a file that is JSON but not a list, and drops malformed entries', async () => {
    await writeFile(join(dir, RECENT_FILES_NAME), '[1,2,3]');
    assert.deepEqual(await new RecentFiles({ dir }).list(), []);
    const parsed = parseStored(
      {
        version: 1,
        files: [
          { path: '/ok.svs', name: 'ok.svs', openedAt: '2024-01-01T00:00:00.000Z' },
          { path: 'relative.svs', name: 'x', openedAt: '2024-01-01T00:00:00.000Z' },
          { path: '/ok.svs', name: 'dup', openedAt: '2024-01-01T00:00:00.000Z' },
          { path: '/bad-date.svs', name: 'x', openedAt: 'yesterday' },
          { path: '/noname.svs', openedAt: '2024-01-01T00:00:00.000Z' },
          null,
          'x',
        ],
      },
      10,
    );
    assert.deepEqual(parsed, [
      { path: '/ok.svs', name: 'ok.svs', openedAt: '2024-01-01T00:00:00.000Z', kind: 'slide' },
      { path: '/noname.svs', name: 'noname.svs', openedAt: '2024-01-01T00:00:00.000Z', kind: 'slide' },
    ]);
  });

  it('lists folders opened as galleries beside slides, within the same limit, each as what it was last opened as', async () => {
    const recent = new RecentFiles({ dir, now, max: 3 });
    await recent.add('/slides/teaching set', 'teaching set', 'folder');
    await recent.add('/slides/a.svs', 'a.svs', 'slide');
    await recent.add('/slides/b.svs');
    assert.deepEqual(
      (await recent.list()).map((f) => [f.name, f.kind]),
      [
        ['b.svs', 'slide'],
        ['a.svs', 'slide'],
        ['teaching set', 'folder'],
      ],
    );
    await recent.add('/slides/other set', 'other set', 'folder');
    assert.equal(await recent.has('/slides/teaching set'), false, 'the oldest goes, folder or slide');
    // A folder that now holds one slide was opened as that slide: its entry says so.
    await recent.add('/slides/other set', 'other set', 'slide');
    const reloaded = await new RecentFiles({ dir }).list();
    assert.deepEqual(
      reloaded.map((f) => [f.path, f.kind]),
      [
        ['/slides/other set', 'slide'],
        ['/slides/b.svs', 'slide'],
        ['/slides/a.svs', 'slide'],
      ],
    );
  });

  it('loads a list written before folders were listed (no kind: slides), and an unknown kind as a slide', async () => {
    const older = {
      version: 1,
      files: [
        { path: '/old/a.svs', name: 'a.svs', openedAt: '2023-05-01T10:00:00.000Z' },
        { path: '/old/dicom series', name: 'series', openedAt: '2023-05-01T09:00:00.000Z' },
        { path: '/old/c.svs', name: 'c.svs', openedAt: '2023-05-01T08:00:00.000Z', kind: 'album' },
      ],
    };
    await writeFile(join(dir, RECENT_FILES_NAME), JSON.stringify(older));
    const recent = new RecentFiles({ dir, now });
    assert.deepEqual(
      (await recent.list()).map((f) => [f.path, f.kind]),
      [
        ['/old/a.svs', 'slide'],
        ['/old/dicom series', 'slide'],
        ['/old/c.svs', 'slide'],
      ],
    );
    // Written again, it keeps the format's version: an older app still reads it (a folder as a path to open).
    await recent.add('/new/set', 'set', 'folder');
    const stored = JSON.parse(await readFile(join(dir, RECENT_FILES_NAME), 'utf8')) as { version: number; files: Array<{ path: string; kind: string }> };
    assert.equal(stored.version, 1);
    assert.deepEqual(
      stored.files.map((f) => [f.path, f.kind]),
      [
        ['/new/set', 'folder'],
        ['/old/a.svs', 'slide'],
        ['/old/dicom series', 'slide'],
        ['/old/c.svs', 'slide'],
      ],
    );
  });

  it('writes atomically (no temp files left) and concurrent adds all land', async () => {
    const recent = new RecentFiles({ dir, now });
    await Promise.all(['/1.svs', '/2.svs', '/3.svs', '/4.svs'].map((p) => recent.add(p)));
    assert.deepEqual((await readdir(dir)).sort(), [RECENT_FILES_NAME]);
    const stored = JSON.parse(await readFile(join(dir, RECENT_FILES_NAME), 'utf8')) as { files: unknown[] };
    assert.equal(stored.files.length, 4);
    assert.equal((await new RecentFiles({ dir }).list()).length, 4);
  });

  it('keeps working in memory when the directory cannot be written', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const errors: string[] = [];
    const recent = new RecentFiles({ dir: blocker, onError: (m) => errors.push(m) });
    await recent.add('/a.svs');
    assert.deepEqual(
      (await recent.list()).map((f) => f.path),
      ['/a.svs'],
    );
    assert.ok(errors.length >= 1);
  });

  it('tells listeners about changes', async () => {
    const recent = new RecentFiles({ dir, now });
    const seen: number[] = [];
    const off = recent.onChange((files) => seen.push(files.length));
    await recent.add('/a.svs');
    await recent.add('/b.svs');
    off();
    await recent.clear();
    assert.deepEqual(seen, [1, 2]);
  });
});
