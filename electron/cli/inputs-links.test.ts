// Links among a batch's inputs: a symbolic link named as a slide that leads nowhere is an input (to
// fail with its reason, not skipped unseen); one file reached by several names (a link to it, a list
// beside its folder) is one slide, the same one on every node; a DICOM file given with its folder is
// that folder's slide.

import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type InputOptions, collectInputs as listInputs, outputStems, type SlideInput } from './inputs';

const collectInputs = async (options: InputOptions): Promise<SlideInput[]> => (await listInputs(options)).inputs;
const keysOf = (inputs: SlideInput[]) => inputs.map((input) => input.key);

describe('links among the inputs', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-links-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const files = async (top: string, names: string[]) => {
    for (const name of names) {
      await mkdir(join(top, name, '..'), { recursive: true });
      await writeFile(join(top, name), 'x');
    }
  };

  test('a link named as a slide that leads nowhere is an input, as the path given alone is; with or without --recursive, alone or among slides', async () => {
    const top = join(dir, 'dangling');
    await mkdir(join(top, 'alone'), { recursive: true });
    await symlink(join(dir, 'nonexistent.svs'), join(top, 'alone', 'd.svs'));
    for (const recursive of [false, true]) {
      const alone = await collectInputs({ args: [join(top, 'alone')], recursive });
      assert.deepEqual(
        alone.map((i) => [i.key, i.path, i.bytes, i.unreadable]),
        [['d.svs', join(top, 'alone', 'd.svs'), 0, undefined]],
        'a file input, which the engine fails with NOT_FOUND',
      );
      const given = await collectInputs({ args: [join(top, 'alone', 'd.svs')], recursive });
      assert.deepEqual(
        alone.map(({ listedIn: _, ...input }) => input),
        given,
        'as the path given alone',
      );
    }
    await files(top, ['mixed/a.svs', 'mixed/sub/c.tif']);
    await symlink(join(dir, 'nonexistent.tif'), join(top, 'mixed', 'b.tif'));
    await symlink(join(dir, 'nonexistent.tif'), join(top, 'mixed', 'sub', 'e.tif'));
    // A link to itself (ELOOP) cannot be opened either; a dangling link not named as a slide is no slide's.
    await symlink('loop.svs', join(top, 'mixed', 'loop.svs'));
    await symlink(join(dir, 'nonexistent.txt'), join(top, 'mixed', 'notes.txt'));
    assert.deepEqual(keysOf(await collectInputs({ args: [join(top, 'mixed')], recursive: false })), ['a.svs', 'b.tif', 'loop.svs']);
    assert.deepEqual(keysOf(await collectInputs({ args: [join(top, 'mixed')], recursive: true })), ['a.svs', 'b.tif', 'loop.svs', 'sub/c.tif', 'sub/e.tif']);
  });

  test('a link to a slide listed by another name is that slide, once: under its name that is not a link, whichever sorts first, in any order given', async () => {
    const top = join(dir, 'odd');
    await files(top, ['site a/with space.svs', 'z/real.tif']);
    await mkdir(join(top, 'sub'), { recursive: true });
    await mkdir(join(top, 'a'), { recursive: true });
    await symlink(join('..', 'site a', 'with space.svs'), join(top, 'sub', 'link.svs'));
    // The link sorts before the file it leads to: the file is kept all the same.
    await symlink(join(top, 'z', 'real.tif'), join(top, 'a', 'first.tif'));
    // A link to a link to it.
    await symlink(join(top, 'a', 'first.tif'), join(top, 'a', 'second.tif'));
    // A link to a file outside the inputs is a slide of its own, under its own name.
    await symlink(join(dir, 'outside.svs'), join(top, 'a', 'outside.svs'));
    await writeFile(join(dir, 'outside.svs'), 'x');
    const expected = ['a/outside.svs', 'site a/with space.svs', 'z/real.tif'];
    assert.deepEqual(keysOf(await collectInputs({ args: [top], recursive: true })), expected);
    // Given one by one, in another order, links first: the same slides.
    const named = [join(top, 'sub', 'link.svs'), join(top, 'a', 'second.tif'), join(top, 'a', 'first.tif'), join(top, 'a', 'outside.svs')];
    assert.deepEqual(keysOf(await collectInputs({ args: [...named, join(top, 'site a'), join(top, 'z')], recursive: false })), expected);
    assert.deepEqual(keysOf(await collectInputs({ args: [join(top, 'z'), join(top, 'site a'), ...named.reverse()], recursive: false })), expected);
    // A list beside the folder naming the link.
    await writeFile(join(top, 'list.txt'), 'sub/link.svs\n');
    assert.deepEqual(keysOf(await collectInputs({ args: [join(top, 'site a')], list: join(top, 'list.txt'), recursive: true })), ['site a/with space.svs']);
    // Links alone, all to one file: the first of them.
    assert.deepEqual(keysOf(await collectInputs({ args: [join(top, 'a', 'second.tif'), join(top, 'a', 'first.tif')], recursive: false })), ['first.tif']);
  });

  test('a rerun of some slides names them as the whole run did, links beside them counted: case.tif beside a link case.svs keeps its extension', async () => {
    const top = join(dir, 'names');
    await files(top, ['case.tif', 'gone.tif']);
    await writeFile(join(dir, 'elsewhere.svs'), 'x');
    await symlink(join(dir, 'elsewhere.svs'), join(top, 'case.svs'));
    await symlink(join(dir, 'nonexistent.svs'), join(top, 'gone.svs'));
    const whole = await collectInputs({ args: [top], recursive: false });
    const stems = outputStems(whole, '/out');
    assert.deepEqual([...stems.values()].sort(), ['/out/case_svs', '/out/case_tif', '/out/gone_svs', '/out/gone_tif']);
    for (const name of ['case.tif', 'gone.tif']) {
      const one = await collectInputs({ args: [join(top, name)], recursive: false, root: top });
      assert.deepEqual([...outputStems(one, '/out').values()], [stems.get(join(top, name))]);
    }
  });

  test('a folder reached by two paths (a linked folder) is listed once, by the same path whatever the order of the inputs (a list made by find on each node)', async () => {
    const top = join(dir, 'folders');
    await files(top, ['z/x.svs', 'z/sub/y.svs']);
    await symlink(join(top, 'z'), join(top, 'a-link'));
    const by = (inputs: SlideInput[]) => inputs.map((i) => [i.key, i.listedIn ?? null]);
    const expected = [
      ['a-link/sub/y.svs', 'a-link'],
      ['a-link/x.svs', 'a-link'],
    ];
    assert.deepEqual(by(await collectInputs({ args: [join(top, 'z'), join(top, 'a-link')], recursive: true })), expected);
    assert.deepEqual(by(await collectInputs({ args: [join(top, 'a-link'), join(top, 'z')], recursive: true })), expected);
    // A folder given with one inside it: found by the outer one's listing, in either order.
    const nested = [
      ['sub/y.svs', ''],
      ['x.svs', ''],
    ];
    assert.deepEqual(by(await collectInputs({ args: [join(top, 'z', 'sub'), join(top, 'z')], recursive: true })), nested);
    assert.deepEqual(by(await collectInputs({ args: [join(top, 'z'), join(top, 'z', 'sub')], recursive: true })), nested);
  });

  test('hard links stay two slides: two names of one file, neither a link', async () => {
    const top = join(dir, 'hard');
    await files(top, ['one.svs']);
    await link(join(top, 'one.svs'), join(top, 'two.svs'));
    assert.deepEqual(keysOf(await collectInputs({ args: [top], recursive: false })), ['one.svs', 'two.svs']);
  });

  test('the same inputs in another order list the same slides under the same keys: every shard splits one list', async () => {
    const top = join(dir, 'sharded');
    const names = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}/slide.svs`);
    await files(top, names);
    await mkdir(join(top, 'links'), { recursive: true });
    for (let i = 0; i < 30; i += 3) await symlink(join(top, names[i]!), join(top, 'links', `l${i}.svs`));
    await symlink(join(dir, 'nonexistent.svs'), join(top, 'links', 'gone.svs'));
    const whole = keysOf(await collectInputs({ args: [top], recursive: true }));
    assert.deepEqual(whole, ['links/gone.svs', ...names]);
    const reversed = keysOf(await collectInputs({ args: [join(top, 'links'), ...names.map((n) => join(top, n)).reverse()], recursive: true }));
    assert.deepEqual(reversed, whole);
  });

  test("a DICOM file given with its folder is the folder's slide: one input; given without its folder, or missing, it stays an input", async () => {
    const top = join(dir, 'dicom');
    await files(top, ['scan/series1-level0.dcm', 'scan/series1-level1.dcm', 'other/x.dcm', 'site/slide.svs']);
    await writeFile(join(top, 'list.txt'), 'scan/series1-level0.dcm\nother/x.dcm\nscan/gone.dcm\n');
    const listed = await collectInputs({ args: [join(top, 'scan'), join(top, 'site')], list: join(top, 'list.txt'), recursive: false });
    assert.deepEqual(
      listed.map((i) => [i.key, i.folder?.within ?? null]),
      [
        ['other/x.dcm', null],
        ['scan', 'scan/'],
        ['scan/gone.dcm', null],
        ['site/slide.svs', null],
      ],
    );
    // The folder given alone, with its own file: the folder, keyed by its name.
    assert.deepEqual(
      (await collectInputs({ args: [join(top, 'scan'), join(top, 'scan', 'series1-level1.dcm')], recursive: false })).map((i) => [i.key, i.folder?.within]),
      [['scan', '']],
    );
    // Found by a recursive scan of the folder above, and the file reached through a linked folder.
    await symlink(join(top, 'scan'), join(top, 'scan-link'));
    assert.deepEqual(keysOf(await collectInputs({ args: [join(top, 'scan-link', 'series1-level0.dcm'), top], recursive: true })), [
      'other',
      'scan',
      'site/slide.svs',
    ]);
  });

  test('--root given through a link, a link below it leading out of the cohort: keyed as reached, so its output stays under --out', async () => {
    const top = join(dir, 'root-link');
    await files(top, ['R/sub/s.svs', 'E/e.svs']);
    await symlink('../E', join(top, 'R', 'L'));
    await symlink('R', join(top, 'RL'));
    const listed = await listInputs({ args: [join(top, 'R')], recursive: true, root: join(top, 'RL') });
    assert.deepEqual(keysOf(listed.inputs), ['L/e.svs', 'sub/s.svs']);
    assert.equal(listed.cohort, 'R');
  });

  test("the cohort is the real name of the folder the keys are relative to: a DICOM folder given alone is keyed by its own name, so its parent's", async () => {
    const top = join(dir, 'cohort-name');
    await files(top, ['site/scan/a.dcm', 'site/scan/b.dcm']);
    const alone = await listInputs({ args: [join(top, 'site', 'scan')], recursive: false });
    assert.deepEqual([keysOf(alone.inputs), alone.cohort], [['scan'], 'site']);
    await symlink(join(top, 'site'), join(top, 'site-link'));
    const through = await listInputs({ args: [join(top, 'site-link')], recursive: true });
    assert.deepEqual([keysOf(through.inputs), through.cohort], [['scan'], 'site']);
  });
});
