// DICOM folders under --shard: each shard opens its own folders and those its output names depend on,
// never every folder of the cohort; together the shards take every slide once, named as one run names it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Result } from '../../shared/errors';
import type { OpenedSlide } from '../../shared/operations';
import { type FolderOpener, shardSlides } from './folder-slides';
import { outputStems, type SlideInput } from './inputs';
import { inShard } from './shards';

const ROOT = '/cohort';

/** A folder input, as collectInputs makes them. */
const folder = (key: string): SlideInput => ({ path: `${ROOT}/${key}`, key, bytes: 1, folder: { within: `${key}/` } });
const file = (key: string): SlideInput => ({ path: `${ROOT}/${key}`, key, bytes: 1 });

/** Folders whose name ends in -several hold two slides; the others one. Records what it opened. */
function opener(): FolderOpener & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    async open(path): Promise<Result<OpenedSlide>> {
      opened.push(path);
      if (path.endsWith('-several')) {
        const choices = ['series-1.dcm', 'series-2.dcm'].map((name) => ({ path: `${path}/${name}`, name }));
        return { ok: false, error: { code: 'SEVERAL_SLIDES', message: 'several', path, choices } };
      }
      return { ok: true, value: { slideId: path } as unknown as OpenedSlide };
    },
    close: async () => ({ ok: true, value: undefined }),
  };
}

/** 40 DICOM folders (every third of several slides), slide files among them, and names that meet. */
function cohort(): SlideInput[] {
  const inputs: SlideInput[] = [];
  for (let i = 0; i < 40; i++) {
    const name = `site-${i % 3}/case-${String(i).padStart(2, '0')}`;
    inputs.push(folder(i % 3 === 0 ? `${name}-several` : name));
    if (i % 5 === 0) inputs.push(file(`site-${i % 3}/case-${String(i).padStart(2, '0')}-other.svs`));
  }
  // A slide file named as a folder of several beside it (its name would be case-x_svs were the folder a slide).
  inputs.push(folder('site-9/case-x-several'), file('site-9/case-x-several.svs'));
  // A slide file inside a folder of several slides.
  inputs.push(folder('site-9/case-y-several'), file('site-9/case-y-several/extra.svs'));
  return inputs.sort((a, b) => (a.key < b.key ? -1 : 1));
}

const noFiles = () => [];
const stemsOf = (slides: SlideInput[]) => outputStems(slides, '/out', noFiles);

describe('DICOM folders in shards', () => {
  test('three shards: each opens its own folders and few others; together every slide once, named as one run names it', async () => {
    const inputs = cohort();
    const whole = opener();
    const one = await shardSlides(inputs, whole, () => true, noFiles);
    const folders = inputs.filter((input) => input.folder).length;
    assert.equal(whole.opened.length, folders);
    const wholeStems = stemsOf(one.slides);

    const taken: string[] = [];
    let opens = 0;
    for (let index = 0; index < 3; index++) {
      const shard = { index, count: 3 };
      const engine = opener();
      const { slides, mine } = await shardSlides(inputs, engine, (key) => inShard(key, shard), noFiles);
      opens += engine.opened.length;
      assert.equal(
        (await shardSlides(inputs, opener(), (key) => inShard(key, shard), noFiles)).unopened,
        folders - engine.opened.length,
        'the folders left unopened are counted',
      );
      const own = slides.filter(mine);
      // A folder's slides go where the folder goes.
      for (const slide of own.filter((s) => s.shardKey !== undefined)) assert.ok(inShard(slide.shardKey!, shard));
      // Another shard's folder is opened only where this shard's names depend on it.
      const ownFolders = new Set(inputs.filter((i) => i.folder && inShard(i.key, shard)).map((i) => i.path));
      const foreign = engine.opened.filter((path) => !ownFolders.has(path));
      assert.ok(
        foreign.every((path) => path.endsWith('case-x-several') || path.endsWith('case-y-several')),
        `opened another shard's folders: ${foreign}`,
      );
      const stems = stemsOf(slides);
      for (const slide of own) assert.equal(stems.get(slide.path), wholeStems.get(slide.path), slide.key);
      taken.push(...own.map((s) => s.path));
    }
    assert.deepEqual([...taken].sort(), one.slides.map((s) => s.path).sort(), 'every slide once');
    assert.ok(opens <= folders + 4, `${opens} opens for ${folders} folders`);
    // The names that meet are told apart as in one run.
    assert.equal(wholeStems.get(`${ROOT}/site-9/case-x-several.svs`), '/out/site-9/case-x-several');
    assert.equal(wholeStems.get(`${ROOT}/site-9/case-y-several/extra.svs`), '/out/site-9/case-y-several/extra');
  });

  test('names that meet through others, in another case, or as a thumbnail: every shard of 2 to 7 names its slides as one run does', async () => {
    const inputs = [
      // Beside a.svs, the folder makes it a_svs, which a_svs.tif then meets (a hash for both).
      folder('d/a-several'),
      file('d/a-several.svs'),
      file('d/a-several_svs.tif'),
      // Folders and files that differ only in case are one name on a case-insensitive disk.
      folder('e/Case-several'),
      file('e/case-several/series-1.svs'),
      // A file named as a folder's thumbnail would be, beside it.
      folder('f/case-1-several'),
      file('f/case-1-several_thumbnail.tif'),
      ...Array.from({ length: 12 }, (_, i) => folder(`g/case-${i}-several`)),
    ].sort((a, b) => (a.key < b.key ? -1 : 1));
    const whole = stemsOf((await shardSlides(inputs, opener(), () => true, noFiles)).slides);
    for (let count = 2; count <= 7; count++) {
      for (let index = 0; index < count; index++) {
        const engine = opener();
        const { slides, mine } = await shardSlides(inputs, engine, (key) => inShard(key, { index, count }), noFiles);
        const stems = stemsOf(slides);
        for (const slide of slides.filter(mine)) assert.equal(stems.get(slide.path), whole.get(slide.path), `${slide.key}, shard ${index + 1}/${count}`);
        if (inShard('f/case-1-several_thumbnail.tif', { index, count }))
          assert.ok(engine.opened.includes(`${ROOT}/f/case-1-several`), "a file named as a folder's thumbnail opens the folder");
        // The folders no name depends on: their own shard's alone.
        const opened = engine.opened.filter((path) => path.includes('/g/'));
        assert.ok(opened.every((path) => inShard(path.slice(ROOT.length + 1), { index, count })));
      }
    }
  });

  test('an open that met an engine restart is tried once more', async () => {
    const engine = opener();
    let failed = false;
    const flaky: FolderOpener = {
      open: async (path, client) => {
        if (!failed) {
          failed = true;
          return { ok: false, error: { code: 'WORKER_FAILED', message: 'The slide engine stopped.', path } };
        }
        return engine.open(path, client);
      },
      close: engine.close,
    };
    const { slides } = await shardSlides([folder('h/case-several')], flaky, () => true, noFiles);
    assert.deepEqual(
      slides.map((s) => s.key),
      ['h/case-several/series-1.dcm', 'h/case-several/series-2.dcm'],
    );
  });

  test('a folder beside a slide file of its name: a shard without the folder still names the file as one run does', async () => {
    // case.svs beside case/ (one slide): both keep their extension's mark only when both are slides.
    const inputs = [folder('site/case'), file('site/case.svs')];
    const one = stemsOf((await shardSlides(inputs, opener(), () => true, noFiles)).slides);
    assert.equal(one.get(`${ROOT}/site/case.svs`), '/out/site/case_svs');
    for (let index = 0; index < 2; index++) {
      const engine = opener();
      const { slides, mine } = await shardSlides(inputs, engine, (key) => inShard(key, { index, count: 2 }), noFiles);
      const stems = stemsOf(slides);
      for (const slide of slides.filter(mine)) assert.equal(stems.get(slide.path), one.get(slide.path));
    }
  });
});
