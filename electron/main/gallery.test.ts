// A folder of several slides opened as a gallery, against the real engine (in process) and real
// slides: its listing, each card's preview (a JPEG of at most 224 px that is not blank, the facts),
// a broken file's typed reason, what the window may ask for (only the listed slides of its own
// gallery), opening a card's slide, previews cancelled when the gallery closes, and the folder in the
// recent list (reopened from it).

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import sharp from 'sharp';
import { fail, type Result } from '../../shared/errors';
import type { FolderGallery, OpenedPath, OpenedSlide, SlidePreview } from '../../shared/operations';
import { ipcHandlerDeps } from '../../testing/fakes/ipc-handler-deps';
import { fixturePath } from '../../testing/fixtures';
import { InProcessEngine } from '../../testing/in-process-engine';
import { sharedSlide } from '../../testing/paths';
import { dataFolderOf } from '../engine/formats/mirax/mirax-files';
import { createIpcHandlers, type EngineAccess, GALLERY_PREVIEW_SIDE, type IpcController, type IpcHandlerDeps } from './ipc-handlers';
import { RecentFiles } from './recent-files';

const W1 = 1;
const W2 = 2;

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function codeOf(result: Result<unknown>): string {
  assert.equal(result.ok, false, 'expected an error');
  return result.ok ? '' : result.error.code;
}

describe('a folder as a gallery', () => {
  let dir: string;
  let folder: string;
  let single: string;
  let recent: RecentFiles;
  let ipc: IpcController;
  let folderAnswer: string | null;
  const engine = new InProcessEngine();

  const depsWith = (access: EngineAccess): IpcHandlerDeps =>
    ipcHandlerDeps(access, dir, {
      recent,
      dialogs: { showOpenSlide: async () => null, showOpenFolder: async () => folderAnswer },
      samplePath: async () => fail('IO_ERROR', 'no sample here'),
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-gallery-'));
    folder = join(dir, 'teaching set');
    await mkdir(folder);
    await symlink(sharedSlide('CMU-1-Small-Region.svs'), join(folder, 'CMU-1-Small-Region.svs'));
    await symlink(sharedSlide('slideio_test3-DAPI-2-387.ndpi'), join(folder, 'dapi.ndpi'));
    await symlink(sharedSlide('histolab_broken-html.svs'), join(folder, 'broken.svs'));
    await symlink(await fixturePath('generic-lzw'), join(folder, 'generated.tif'));
    await writeFile(join(folder, 'README.txt'), 'not a slide');
    single = join(dir, 'one slide');
    await mkdir(single);
    await symlink(sharedSlide('openslide-python_boxes.tiff'), join(single, 'boxes.tiff'));
  });
  beforeEach(async () => {
    recent = new RecentFiles({ dir: await mkdtemp(join(dir, 'recent-')) });
    folderAnswer = null;
    ipc = createIpcHandlers(depsWith(engine));
  });
  after(async () => {
    await engine.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function dropFolder(sender = W1): Promise<FolderGallery['gallery']> {
    const opened = value((await ipc.dispatch('slide:open-dropped', sender, { path: folder })) as Result<OpenedPath>);
    assert.ok('gallery' in opened, 'a folder of several slides opens as a gallery');
    return opened.gallery;
  }

  const preview = (galleryId: string, path: string, sender = W1) =>
    ipc.dispatch('gallery:preview', sender, { galleryId, path }) as Promise<Result<SlidePreview>>;

  it('lists the slides as the CLI does, and makes each card a JPEG thumbnail with its facts', async () => {
    const gallery = await dropFolder();
    assert.equal(gallery.name, 'teaching set');
    assert.deepEqual(
      gallery.slides.map((s) => s.name),
      ['CMU-1-Small-Region.svs', 'broken.svs', 'dapi.ndpi', 'generated.tif'],
    );
    const cmu = value(await preview(gallery.galleryId, join(folder, 'CMU-1-Small-Region.svs')));
    assert.equal(cmu.vendor, 'aperio');
    assert.deepEqual([cmu.width, cmu.height, cmu.objectivePower, cmu.mpp?.x], [2220, 2967, 20, 0.499]);
    assert.equal(cmu.image.mime, 'image/jpeg');
    assert.equal(Math.max(cmu.image.width, cmu.image.height), GALLERY_PREVIEW_SIDE);
    const decoded = await sharp(cmu.image.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([decoded.info.width, decoded.info.height], [cmu.image.width, cmu.image.height]);
    const stats = await sharp(cmu.image.bytes).stats();
    assert.ok(
      stats.channels.every((c) => c.stdev > 5),
      'the thumbnail shows tissue, not a blank',
    );

    const dapi = value(await preview(gallery.galleryId, join(folder, 'dapi.ndpi')));
    assert.deepEqual([dapi.vendor, dapi.objectivePower], ['hamamatsu', 40]);
    const generated = value(await preview(gallery.galleryId, join(folder, 'generated.tif')));
    assert.equal(Math.max(generated.image.width, generated.image.height), GALLERY_PREVIEW_SIDE);
    assert.ok((await sharp(generated.image.bytes).stats()).channels.every((c) => c.stdev > 5));

    // A file named as a slide that is none: its card says why, with the engine's code.
    assert.equal(codeOf(await preview(gallery.galleryId, join(folder, 'broken.svs'))), 'NOT_A_SLIDE');
    // Previews hold nothing open.
    assert.equal(engine.engine.cacheBytes(), 0);
    assert.deepEqual(ipc.slidesOf(W1), []);
  });

  it('asked for all at once, each preview gets its turn', async () => {
    const gallery = await dropFolder();
    const answers = await Promise.all(gallery.slides.map((slide) => preview(gallery.galleryId, slide.path)));
    assert.deepEqual(
      answers.map((answer) => (answer.ok ? answer.value.image.mime : answer.error.code)),
      ['image/jpeg', 'NOT_A_SLIDE', 'image/jpeg', 'image/jpeg'],
    );
  });

  it('previews and opens only the slides its gallery lists, for its own window', async () => {
    const gallery = await dropFolder();
    assert.equal(codeOf(await preview(gallery.galleryId, join(folder, 'README.txt'))), 'NOT_AUTHORIZED');
    assert.equal(codeOf(await preview(gallery.galleryId, sharedSlide('openslide-python_small.svs'))), 'NOT_AUTHORIZED');
    assert.equal(codeOf(await preview(gallery.galleryId, `${folder}/../teaching set/dapi.ndpi`)), 'NOT_AUTHORIZED');
    assert.equal(codeOf(await preview('gallery-999', join(folder, 'dapi.ndpi'))), 'NOT_AUTHORIZED');
    assert.equal(codeOf(await preview(gallery.galleryId, join(folder, 'dapi.ndpi'), W2)), 'NOT_AUTHORIZED');
    assert.equal(codeOf(await ipc.dispatch('gallery:open', W2, { galleryId: gallery.galleryId, path: join(folder, 'dapi.ndpi') })), 'NOT_AUTHORIZED');
    assert.equal(codeOf(await ipc.dispatch('gallery:preview', W1, { galleryId: '../x', path: join(folder, 'dapi.ndpi') })), 'INVALID_ARGUMENT');

    const opened = value((await ipc.dispatch('gallery:open', W1, { galleryId: gallery.galleryId, path: join(folder, 'dapi.ndpi') })) as Result<OpenedSlide>);
    assert.equal(opened.info.name, 'dapi.ndpi');
    assert.deepEqual(
      ipc.slidesOf(W1).map((s) => [s.path, s.source]),
      [[join(folder, 'dapi.ndpi'), 'drop']],
    );
    assert.equal(await recent.has(join(folder, 'dapi.ndpi')), true);

    // Closed, the gallery's slides may no longer be asked for; the open slide stays.
    value(await ipc.dispatch('gallery:close', W1, { galleryId: gallery.galleryId }));
    assert.equal(codeOf(await preview(gallery.galleryId, join(folder, 'dapi.ndpi'))), 'NOT_AUTHORIZED');
    assert.equal(ipc.slidesOf(W1).length, 1);
    await ipc.releaseAll();
  });

  it('Open Folder… from the page: cancelled is null, a folder of one slide file opens it, of several its gallery', async () => {
    assert.equal(value(await ipc.dispatch('slide:open-folder-dialog', W1, undefined)), null);
    folderAnswer = single;
    const one = value((await ipc.dispatch('slide:open-folder-dialog', W1, undefined)) as Result<OpenedPath>);
    assert.ok(!('gallery' in one));
    assert.equal(one.info.name, 'boxes.tiff');
    folderAnswer = folder;
    const several = value((await ipc.dispatch('slide:open-folder-dialog', W1, undefined)) as Result<OpenedPath>);
    assert.ok('gallery' in several);
    // From the menu (main's own dialog) as well.
    const fromMenu = value(await ipc.openFromMain(W1, folder, 'dialog'));
    assert.ok('gallery' in fromMenu);
    // A folder with no slide says so, as before.
    folderAnswer = join(dir, 'empty');
    await mkdir(folderAnswer);
    assert.equal(codeOf(await ipc.dispatch('slide:open-folder-dialog', W1, undefined)), 'NOT_A_SLIDE');
    await ipc.releaseAll();
  });

  it('a DICOM folder that is one slide opens, one of several series is a gallery of its slides', async () => {
    const dicom = await fixturePath('dicom-jpeg-rgb');
    const opened = value(await ipc.openFromMain(W1, dicom, 'menu'));
    assert.ok(!('gallery' in opened));
    // The folder is the slide: named, and remembered, as the folder.
    assert.equal(opened.info.path, dicom);
    // So is a MIRAX slide's data folder.
    const mirax = await fixturePath('mirax-plain');
    const data = value(await ipc.openFromMain(W1, dataFolderOf(mirax), 'menu'));
    assert.ok(!('gallery' in data));
    assert.equal(data.info.path, dataFolderOf(mirax));
    const two = value(await ipc.openFromMain(W1, await fixturePath('dicom-two-series'), 'menu'));
    assert.ok('gallery' in two);
    assert.equal(two.gallery.slides.length, 2);
    for (const slide of two.gallery.slides) value(await preview(two.gallery.galleryId, slide.path));
    await ipc.releaseAll();
  });

  it('a folder opened as a gallery is in the recent list as a folder, and reopens from it as its gallery, or as it opens now', async () => {
    const set = join(dir, 'recent set');
    await mkdir(set);
    await symlink(sharedSlide('CMU-1-Small-Region.svs'), join(set, 'a.svs'));
    await symlink(sharedSlide('openslide-python_boxes.tiff'), join(set, 'b.tiff'));
    await dropFolder();
    folderAnswer = set;
    value(await ipc.dispatch('slide:open-folder-dialog', W1, undefined));
    assert.deepEqual(
      (await recent.list()).map((f) => [f.path, f.name, f.kind]),
      [
        [set, 'recent set', 'folder'],
        [folder, 'teaching set', 'folder'],
      ],
    );
    // Listed in the recent list, the page may reopen it: its gallery again, a new one.
    const again = value((await ipc.dispatch('slide:open-recent', W1, { path: set })) as Result<OpenedPath>);
    assert.ok('gallery' in again);
    assert.deepEqual(
      again.gallery.slides.map((s) => s.name),
      ['a.svs', 'b.tiff'],
    );
    value(await preview(again.gallery.galleryId, join(set, 'b.tiff')));
    assert.equal((await recent.list())[0]?.path, set);
    // A folder not in the list may not be named by the page.
    assert.equal(codeOf(await ipc.dispatch('slide:open-recent', W1, { path: single })), 'NOT_AUTHORIZED');

    // Now holding one slide, it opens that slide, as opening the folder does.
    await rm(join(set, 'a.svs'));
    const one = value((await ipc.dispatch('slide:open-recent', W1, { path: set })) as Result<OpenedPath>);
    assert.ok(!('gallery' in one));
    assert.equal(one.info.name, 'b.tiff');
    // Gone, it says so, naming it.
    await rm(set, { recursive: true });
    const gone = await ipc.dispatch('slide:open-recent', W1, { path: set });
    assert.equal(codeOf(gone), 'NOT_FOUND');
    assert.equal(!gone.ok && gone.error.path, set);
    await ipc.releaseAll();
  });

  it('two previews of a gallery at once; closing it (or the window) cancels those under way and those waiting', async () => {
    const asked: AbortSignal[] = [];
    const waiting: EngineAccess = {
      open: (path, client) => engine.open(path, client),
      close: (slideId) => engine.close(slideId),
      call: (async (op: string, request: never, options?: { signal?: AbortSignal }) => {
        if (op !== 'engine:preview') return engine.call(op as never, request);
        const signal = options?.signal;
        assert.ok(signal);
        asked.push(signal);
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return fail('CANCELLED', 'the gallery closed');
      }) as EngineAccess['call'],
    };
    ipc = createIpcHandlers(depsWith(waiting));
    const gallery = await dropFolder();
    // A page asking for three at once: the engine is asked for two, the third waits its turn.
    const pending = [
      preview(gallery.galleryId, join(folder, 'dapi.ndpi')),
      preview(gallery.galleryId, join(folder, 'generated.tif')),
      preview(gallery.galleryId, join(folder, 'CMU-1-Small-Region.svs')),
    ];
    while (asked.length < 2) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(asked.length, 2);
    value(await ipc.dispatch('gallery:close', W1, { galleryId: gallery.galleryId }));
    assert.deepEqual((await Promise.all(pending)).map(codeOf), ['CANCELLED', 'CANCELLED', 'CANCELLED']);
    assert.equal(asked.length, 2, 'the one waiting never reached the engine');
    const again = await dropFolder();
    const third = preview(again.galleryId, join(folder, 'dapi.ndpi'));
    while (asked.length < 3) await new Promise((resolve) => setImmediate(resolve));
    await ipc.releaseSender(W1);
    assert.equal(codeOf(await third), 'CANCELLED');
  });
});
