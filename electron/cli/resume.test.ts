// Reruns of a batch as a cluster job does them, through the CLI in real processes: a rerun skips
// slides whose outputs are complete and its own and leaves those files alone, refuses another slide's
// output or one made with other options, --overwrite redoes every one, an output cut short is redone
// without it; and --list - reads the CLI's real standard input, its
// shards disjoint and together the whole list.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { fixturePath } from '../../testing/fixtures';
import { PACKAGE_VERSION } from '../../testing/paths';
import { runCli } from '../../testing/run-cli';
import { slideIdentity } from '../engine/slide-identity';
import { isCompleteImage, outputProvenance } from './complete-output';
import type { ReportLine } from './report';

let dir = '';
let cohort = '';
/** The slides' paths, absolute, sorted. */
const SLIDES: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-resume-'));
  cohort = join(dir, 'cohort');
  const svs = await fixturePath('cohort-svs');
  const tif = await fixturePath('cohort-tif');
  for (let i = 0; i < 8; i++) {
    const path = join(cohort, `site-${i % 2 ? 'b' : 'a'}`, `case-${i}`, i % 3 === 2 ? 'scan.tif' : 'slide.svs');
    await mkdir(join(path, '..'), { recursive: true });
    await copyFile(i % 3 === 2 ? tif : svs, path);
    SLIDES.push(path);
  }
  SLIDES.sort();
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[], input?: string) => runCli(args, input === undefined ? {} : { input });

async function reportLines(path: string): Promise<ReportLine[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ReportLine);
}

/** Every file under a folder, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** A batch over the cohort folder, its report in a fresh file. */
function batch(out: string, report: string, ...more: string[]) {
  return cli(['thumbnail', cohort, '--recursive', '--size', '64', '--out', out, '--report', report, '--jobs', '2', ...more]);
}

/** Each report line's status by slide path. */
async function statuses(report: string): Promise<Map<string, string>> {
  return new Map((await reportLines(report)).map((l) => [l.path, l.status]));
}

describe('reruns of a batch', () => {
  test('a rerun skips complete outputs and leaves them be; --overwrite redoes every slide', async () => {
    const out = join(dir, 'overwrite');
    const first = batch(out, join(dir, 'o1.jsonl'));
    assert.equal(first.status, 0, first.stderr);
    const files = await tree(out);
    assert.equal(files.length, SLIDES.length);
    const before = new Map(await Promise.all(files.map(async (f) => [f, { stat: await stat(join(out, f)), bytes: await readFile(join(out, f)) }] as const)));
    // One output replaced by another whole image (a user's own, or an older run's other size).
    const foreign = files[0]!;
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .png()
      .toFile(join(out, foreign));
    const foreignStat = await stat(join(out, foreign));

    // An image without a record of its slide (an earlier Slidescope's) counts as done, as before records.
    const rerun = batch(out, join(dir, 'o2.jsonl'));
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stderr, /8 slides: 0 written, 8 skipped/);
    assert.deepEqual([...(await statuses(join(dir, 'o2.jsonl'))).values()], Array(SLIDES.length).fill('skipped'));
    for (const f of files) {
      const now = await stat(join(out, f));
      const was = f === foreign ? foreignStat : before.get(f)!.stat;
      assert.deepEqual([now.ino, now.mtimeMs, now.size], [was.ino, was.mtimeMs, was.size], `${f} was touched by a rerun`);
    }
    assert.deepEqual((await sharp(join(out, foreign)).metadata()).width, 8, 'the complete image there was kept');

    const overwrite = batch(out, join(dir, 'o3.jsonl'), '--overwrite');
    assert.equal(overwrite.status, 0, overwrite.stderr);
    assert.match(overwrite.stderr, /8 slides: 8 written, 0 skipped/);
    const lines = await reportLines(join(dir, 'o3.jsonl'));
    assert.deepEqual(lines.map((l) => l.path).sort(), SLIDES);
    assert.ok(
      lines.every((l) => l.status === 'written'),
      lines.map((l) => `${l.slide} ${l.status}`).join('\n'),
    );
    assert.deepEqual(await tree(out), files);
    for (const f of files) {
      const now = await stat(join(out, f));
      const was = f === foreign ? foreignStat : before.get(f)!.stat;
      assert.ok(now.ino !== was.ino || now.mtimeMs > was.mtimeMs, `${f} was not rewritten`);
      // The same thumbnail again, the foreign image replaced by it.
      const meta = await sharp(join(out, f)).metadata();
      const original = await sharp(before.get(f)!.bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [original.width, original.height], f);
    }
  });

  test("a rerun never takes another slide's output, or one made with other options, for its own, and leaves it be", async () => {
    // Two slides of one name in two folders, run apart into one --out: the same output name.
    const [a, b] = [join(dir, 'same', 'a', 'slide.svs'), join(dir, 'same', 'b', 'slide.svs')];
    for (const path of [a, b]) await mkdir(join(path, '..'), { recursive: true });
    await copyFile(await fixturePath('cohort-svs'), a);
    await copyFile(await fixturePath('aperio-jpeg-rgb'), b);
    const out = join(dir, 'same-out');
    const thumbnail = (slide: string, ...more: string[]) =>
      cli(['thumbnail', slide, '--out', out, ...(more.includes('--size') ? more : ['--size', '64', ...more])]);
    const file = join(out, 'slide_thumbnail.png');
    assert.equal(thumbnail(a).status, 0);
    const made = await readFile(file);
    const other = thumbnail(b);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /EXISTS: slide_thumbnail\.png is already there, made from another slide/);
    const resized = thumbnail(a, '--size', '48');
    assert.equal(resized.status, 1);
    assert.match(
      resized.stderr,
      /made with thumbnail --size 64 --colour srgb: give this batch another --out, or --overwrite to make every one of its slides again with thumbnail --size 48 --colour srgb/,
    );
    assert.ok((await readFile(file)).equals(made), 'a refused rerun left the output alone');
    const again = thumbnail(a);
    assert.equal(again.status, 0);
    assert.match(again.stderr, /1 skipped \(already done\)/);
    assert.deepEqual(await outputProvenance(file, 'png'), {
      tool: `Slidescope ${PACKAGE_VERSION}`,
      identity: await slideIdentity(a),
      recipe: 'thumbnail --size 64 --colour srgb',
    });
    assert.equal(thumbnail(b, '--overwrite').status, 0);
    assert.equal((await outputProvenance(file, 'png'))?.identity, await slideIdentity(b));
  });

  test('TIFF thumbnails an earlier run wrote among the slides are not taken for slides by a run to another --out', async () => {
    const folder = join(dir, 'beside');
    await mkdir(join(folder, 'case'), { recursive: true });
    await copyFile(await fixturePath('cohort-tif'), join(folder, 'case', 'scan.tif'));
    const run = (out: string) => cli(['thumbnail', folder, '--recursive', '--size', '64', '--format', 'tiff', '--out', out]);
    assert.equal(run(folder).status, 0);
    const elsewhere = run(join(folder, 'thumbs'));
    assert.equal(elsewhere.status, 0, elsewhere.stderr);
    assert.match(elsewhere.stderr, /1 TIFF thumbnail\(s\) an earlier run wrote among the slides left out/);
    assert.deepEqual(await tree(join(folder, 'thumbs')), [join('case', 'scan_thumbnail.tif')]);
  });

  test('a FIFO named as a TIFF thumbnail, given as a slide, is refused by the engine, not opened to look for our record (which waited for a writer)', {
    skip: process.platform === 'win32' && 'mkfifo',
  }, async () => {
    const folder = join(dir, 'fifo');
    await mkdir(folder, { recursive: true });
    const fifo = join(folder, 'scan_thumbnail.tif');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const run = runCli(['thumbnail', fifo, '--size', '64', '--out', join(dir, 'fifo-out')], { timeoutMs: 30_000 });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /scan_thumbnail\.tif: NOT_A_SLIDE: This is a named pipe \(FIFO\), not a slide file/);
  });

  for (const format of ['png', 'jpeg'] as const) {
    test(`a ${format} output cut to half its size is redone by a rerun without --overwrite; the others are skipped`, async () => {
      const out = join(dir, `cut-${format}`);
      const first = batch(out, join(dir, `cut-${format}-1.jsonl`), '--format', format);
      assert.equal(first.status, 0, first.stderr);
      const files = await tree(out);
      assert.equal(files.length, SLIDES.length);
      const cut = files[files.length - 1]!;
      const { size } = await stat(join(out, cut));
      await truncate(join(out, cut), Math.floor(size / 2));
      assert.equal(await isCompleteImage(join(out, cut), format), false);

      const report = join(dir, `cut-${format}-2.jsonl`);
      const rerun = batch(out, report, '--format', format);
      assert.equal(rerun.status, 0, rerun.stderr);
      assert.match(rerun.stderr, /8 slides: 1 written, 7 skipped/);
      const lines = await reportLines(report);
      const redone = lines.filter((l) => l.status === 'written');
      assert.deepEqual(
        redone.map((l) => l.outputs.map((o) => relative(out, o.path))),
        [[cut]],
      );
      assert.equal(lines.filter((l) => l.status === 'skipped').length, SLIDES.length - 1);
      assert.equal((await stat(join(out, cut))).size, size);
      assert.ok(await isCompleteImage(join(out, cut), format));
      await sharp(join(out, cut)).raw().toBuffer(); // decodes to the end
    });
  }

  test('--list - reads the real standard input; its shards are disjoint and together the whole list', async () => {
    // Absolute paths (relative ones are read from the working folder), a comment, a blank line, a slide twice.
    const list = ['# the cohort', ...[...SLIDES].reverse(), '', SLIDES[3]!].join('\n');
    const whole = join(dir, 'stdin.jsonl');
    const run = cli(['thumbnail', '--list', '-', '--size', '48', '--out', join(dir, 'stdin'), '--report', whole], list);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual((await reportLines(whole)).map((l) => l.path).sort(), SLIDES);

    const parts: string[][] = [];
    for (const k of [1, 2]) {
      const report = join(dir, `stdin-${k}.jsonl`);
      const shard = cli(['thumbnail', '--list', '-', '--size', '48', '--out', join(dir, 'stdin-sharded'), '--shard', `${k}/2`, '--report', report], list);
      assert.equal(shard.status, 0, shard.stderr);
      assert.match(shard.stderr, new RegExp(`shard ${k}/2: \\d+ of ${SLIDES.length} slides`));
      const lines = await reportLines(report);
      assert.ok(
        lines.every((l) => l.shard === `${k}/2` && l.status === 'written'),
        JSON.stringify(lines),
      );
      parts.push(lines.map((l) => l.path));
    }
    assert.ok(
      parts.every((p) => p.length > 0),
      `a shard is empty: ${JSON.stringify(parts)}`,
    );
    assert.equal(parts[0]!.filter((p) => parts[1]!.includes(p)).length, 0, 'a slide in both shards');
    assert.deepEqual(parts.flat().sort(), SLIDES);
    assert.equal((await tree(join(dir, 'stdin-sharded'))).length, SLIDES.length);
    // Nothing on standard input (a retry list with nothing left): nothing to do, said, exit 0.
    const empty = cli(['thumbnail', '--list', '-', '--out', join(dir, 'stdin-empty')], '');
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stderr, /--list - names no path: nothing to do/);
    assert.equal(existsSync(join(dir, 'stdin-empty')), false);
  });
});
