// A cohort through the CLI as a cluster runs it: real processes, a tree of generated slides (two
// slide.svs in different folders among them, and a broken one), shards by hand and from Slurm's and
// Kubernetes' variables, reports merged, and a batch stopped by SIGTERM and SIGINT that resumes.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '../../testing/fixtures';
import { PACKAGE_VERSION } from '../../testing/paths';
import { CLEAN_ENV, runCli } from '../../testing/run-cli';
import { waitFor } from '../../testing/wait-for';
import { isCompleteImage } from './complete-output';
import type { ReportLine, ReportSummary } from './report';

const CLI = fileURLToPath(new URL('./main.ts', import.meta.url));

let dir = '';
let cohort = '';
const SLIDES: string[] = [];
const BROKEN = 'site-b/case-09/broken.svs';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-cohort-'));
  cohort = join(dir, 'cohort');
  const svs = await fixturePath('cohort-svs');
  const tif = await fixturePath('cohort-tif');
  for (let i = 0; i < 14; i++) {
    const site = i % 2 ? 'site-b' : 'site-a';
    const key = `${site}/case-${String(Math.floor(i / 2)).padStart(2, '0')}/${i % 3 === 2 ? `scan-${i}.tif` : 'slide.svs'}`;
    await mkdir(join(cohort, key, '..'), { recursive: true });
    await copyFile(i % 3 === 2 ? tif : svs, join(cohort, key));
    SLIDES.push(key);
  }
  await mkdir(join(cohort, BROKEN, '..'), { recursive: true });
  await writeFile(join(cohort, BROKEN), 'not a slide at all');
  SLIDES.push(BROKEN);
  SLIDES.sort();
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });

async function reportLines(path: string): Promise<ReportLine[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ReportLine);
}

/** Every file under a folder, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** The folders under a folder with no file anywhere beneath them, relative, sorted. */
async function emptyFolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => join(e.parentPath, e.name))
    .filter((folder) => !files.some((f) => f.startsWith(`${folder}/`)))
    .map((folder) => relative(root, folder))
    .sort();
}

/** The outputs a whole run makes: one per readable slide, mirrored. */
const expectedOutputs = () =>
  SLIDES.filter((s) => s !== BROKEN)
    .map((s) => `${s.replace(/\.[^.]+$/, '')}_thumbnail.png`)
    .sort();

/** Whether a small tmpfs can be mounted here (root on Linux), for a disk that fills up. */
function smallDisk(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = join(tmpdir(), `slidescope-mount-probe-${process.pid}`);
  try {
    mkdirSync(probe, { recursive: true });
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', probe]).status !== 0) return false;
    spawnSync('umount', [probe]);
    return true;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const batch = (out: string, ...more: string[]) => ['thumbnail', cohort, '--recursive', '--size', '96', '--out', out, ...more];

describe('slidescope thumbnail over a cohort', () => {
  test('a whole run: outputs mirror the folders (two slide.svs do not collide), a report line per slide', async () => {
    const out = join(dir, 'whole');
    const report = join(dir, 'whole.jsonl');
    const run = cli(batch(out, '--jobs', '2', '--report', report));
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(await tree(out), expectedOutputs());
    // The broken slide's case folder (it has no other slide) is not left behind, empty.
    assert.deepEqual(await emptyFolders(out), []);
    assert.ok(expectedOutputs().includes('site-a/case-00/slide_thumbnail.png') && expectedOutputs().includes('site-b/case-00/slide_thumbnail.png'));
    for (const file of await tree(out)) assert.ok(await isCompleteImage(join(out, file), 'png'), file);
    const lines = await reportLines(report);
    assert.deepEqual(lines.map((l) => l.slide).sort(), SLIDES);
    const broken = lines.find((l) => l.slide === BROKEN)!;
    assert.equal(broken.status, 'failed');
    assert.equal(broken.error?.code, 'NOT_A_SLIDE');
    for (const l of lines.filter((l) => l.slide !== BROKEN)) {
      assert.equal(l.status, 'written');
      assert.equal(l.outputs.length, 1);
      assert.ok(l.outputs[0]!.bytes > 100);
      assert.ok(['aperio', 'generic-tiff'].includes(l.vendor!), l.vendor!);
      assert.ok(l.ms >= 0 && l.width! > 0 && l.height! > 0 && l.pid > 0 && l.host.length > 0);
    }
    for (const l of lines) {
      assert.equal(l.version, PACKAGE_VERSION);
      assert.equal(l.batchInputs, SLIDES.length);
      assert.equal(l.input, l.slide);
      assert.equal(l.inputSlides, 1);
    }
    assert.match(run.stderr, /15 slides: 14 written, 0 skipped \(already done\), 1 failed, 0 not done/);
    // A rerun skips everything that is done, without opening it.
    const again = cli(batch(out, '--jobs', '2', '--report', report));
    assert.match(again.stderr, /0 written, 14 skipped/);
  });

  test('a batch that finds no slides says so and exits 2, its early engine process stopped', async () => {
    const empty = join(dir, 'empty');
    await mkdir(join(empty, 'case-1'), { recursive: true });
    const started = Date.now();
    const run = cli(['thumbnail', empty, '--recursive', '--out', join(dir, 'empty-out')]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /No slide files found in \S+empty\.\n/);
    // The engine process started before the listing shares the CLI's stderr: the run ends only once it has.
    assert.ok(Date.now() - started < 10_000, 'the run ended, its engine process with it');
    assert.equal(existsSync(join(dir, 'empty-out')), false);
    // A cohort's top folder without --recursive: the option that reads its subfolders is named.
    const flat = cli(['thumbnail', cohort, '--out', join(dir, 'empty-out')]);
    assert.equal(flat.status, 2);
    assert.match(flat.stderr, /No slide files found in \S+\. \d+ subfolder\(s\) were not read, such as \S+: add --recursive to read them\./);
    // An empty list (a retry list with nothing left to retry): nothing to do, which is no failure; its
    // report is made if missing (empty: a merge finds no line of it), as a run's would be; no output folder.
    const list = join(dir, 'nothing-to-retry.txt');
    await writeFile(list, '# report merge --failed: none\n\n');
    const report = join(dir, 'nothing.jsonl');
    const none = cli(['thumbnail', '--list', list, '--out', join(dir, 'empty-out'), '--report', report, '--shard', '2/3']);
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stderr, /--list \S+nothing-to-retry\.txt names no path: nothing to do\n/);
    assert.equal(readFileSync(report, 'utf8'), '');
    assert.equal(existsSync(join(dir, 'empty-out')), false);
    // A list whose paths hold no slide (a share not mounted) is no retry list: an error, as for a folder.
    await writeFile(list, `${empty}\n`);
    const unmounted = cli(['thumbnail', '--list', list, '--out', join(dir, 'empty-out'), '--recursive']);
    assert.equal(unmounted.status, 2, unmounted.stderr);
    assert.match(unmounted.stderr, /No slide files found in the paths of --list/);
  });

  test('three shards: disjoint, together the whole cohort, the same set when the inputs come in another order', async () => {
    const out = join(dir, 'sharded');
    const sets: string[][] = [];
    for (const k of [1, 2, 3]) {
      const run = cli(batch(out, '--jobs', '1', '--shard', `${k}/3`, '--report', join(dir, `shard-${k}.jsonl`)));
      assert.ok(run.status === 0 || run.status === 1, run.stderr);
      sets.push((await reportLines(join(dir, `shard-${k}.jsonl`))).map((l) => l.slide).sort());
    }
    assert.deepEqual(sets.flat().sort(), SLIDES);
    assert.equal(new Set(sets.flat()).size, SLIDES.length);
    assert.ok(
      sets.every((s) => s.length > 0),
      'a shard is empty',
    );
    assert.deepEqual(await tree(out), expectedOutputs());
    // Shard 2 of 3 from a list of the files in reverse order (one named twice): the same slides.
    const list = join(dir, 'list.txt');
    await writeFile(
      list,
      [...SLIDES]
        .reverse()
        .concat(SLIDES[0]!)
        .map((s) => join('cohort', s))
        .join('\n'),
    );
    const listed = join(dir, 'listed.jsonl');
    cli(['thumbnail', '--list', list, '--size', '96', '--out', join(dir, 'listed'), '--shard', '2/3', '--report', listed]);
    assert.deepEqual((await reportLines(listed)).map((l) => l.slide).sort(), sets[1]);
    // --shard auto: a Slurm array task (ids from 1) and a Kubernetes Indexed Job pod.
    const slurm = join(dir, 'slurm.jsonl');
    cli(batch(join(dir, 'slurm'), '--shard', 'auto', '--report', slurm), {
      SLURM_ARRAY_TASK_ID: '2',
      SLURM_ARRAY_TASK_MIN: '1',
      SLURM_ARRAY_TASK_COUNT: '3',
    });
    const slurmLines = await reportLines(slurm);
    assert.deepEqual(slurmLines.map((l) => l.slide).sort(), sets[1]);
    assert.ok(slurmLines.every((l) => l.shard === '2/3'));
    // (With 4 jobs of a 1 GB engine cap each under --max-memory 2G: 2 jobs, and the CLI says so.)
    const k8s = join(dir, 'k8s.jsonl');
    const pod = cli(batch(join(dir, 'k8s'), '--shard', 'auto', '--report', k8s, '--jobs', '4', '--max-memory', '2G'), {
      JOB_COMPLETION_INDEX: '2',
      SLIDESCOPE_SHARD_COUNT: '3',
      SLIDESCOPE_ENGINE_MEMORY_CAP_MB: '1024',
    });
    assert.match(pod.stderr, /4 jobs x 1024 MB \(each engine process's memory cap\) exceed --max-memory 2048 MB: running 2/);
    assert.deepEqual((await reportLines(k8s)).map((l) => l.slide).sort(), sets[2]);
    // A list or a report that cannot be used is a usage error.
    assert.equal(cli(['thumbnail', '--list', join(dir, 'no-such-list.txt'), '--out', join(dir, 'x')]).status, 2);
    assert.equal(cli(batch(join(dir, 'x'), '--report', join(cohort, BROKEN, 'r.jsonl'))).status, 2);
    // An output folder that cannot be made is refused once, before any slide.
    const unwritable = cli(batch(join(cohort, BROKEN, 'out')));
    assert.equal(unwritable.status, 2);
    assert.match(unwritable.stderr, /Cannot create the output folder .*broken\.svs\/out \(ENOTDIR\)/);
    const noCount = cli(batch(join(dir, 'k8s'), '--shard', 'auto'), { JOB_COMPLETION_INDEX: '2' });
    assert.equal(noCount.status, 2);
    assert.match(noCount.stderr, /SLIDESCOPE_SHARD_COUNT/);

    // The three shards' reports merged: every slide once, counts per status and code, the slowest.
    // Exit code 1: a slide failed.
    const merged = cli(['report', 'merge', ...[1, 2, 3].map((k) => join(dir, `shard-${k}.jsonl`)), '--json', '--slowest', '3']);
    assert.equal(merged.status, 1, merged.stderr);
    const summary = JSON.parse(merged.stdout) as ReportSummary;
    assert.equal(summary.slides, SLIDES.length);
    assert.deepEqual(summary.statuses, { written: 14, skipped: 0, failed: 1, 'not-done': 0 });
    assert.deepEqual(summary.errors, { NOT_A_SLIDE: 1 });
    assert.equal(summary.slowest.length, 3);
    assert.ok(summary.slowest[0]!.ms >= summary.slowest[2]!.ms);
    assert.deepEqual(summary.failed, [{ slide: BROKEN, code: 'NOT_A_SLIDE', message: summary.failed[0]!.message }]);
    const text = cli(['report', 'merge', ...[1, 2, 3].map((k) => join(dir, `shard-${k}.jsonl`))]);
    assert.match(text.stdout, /15 slides: 14 written, 0 skipped \(already done\), 1 failed, 0 not done/);
    assert.match(text.stdout, /errors: NOT_A_SLIDE 1/);
    assert.match(text.stdout, /slowest:\n +\d+\.\d\d s {2}site-/);
    // A shard's report left out of the merge is named.
    const two = cli(['report', 'merge', ...[1, 2].map((k) => join(dir, `shard-${k}.jsonl`))]);
    assert.equal(two.status, 1);
    assert.match(
      two.stdout,
      new RegExp(
        `missing: ${sets[2]!.length} of 15 inputs \\(slides, or DICOM folders of several slides\\) have no line; no line from shard 3/3: one or more of them did not run`,
      ),
    );
  });

  test('--out inside the folder scanned: a rerun does not take the outputs (TIFF, a slide format) for slides', async () => {
    const scanned = join(dir, 'with-out');
    await mkdir(join(scanned, 'a'), { recursive: true });
    await mkdir(join(scanned, 'b'), { recursive: true });
    await copyFile(await fixturePath('cohort-svs'), join(scanned, 'a', 'slide.svs'));
    await copyFile(await fixturePath('cohort-tif'), join(scanned, 'b', 'scan.tif'));
    const out = join(scanned, 'thumbs');
    const args = ['thumbnail', scanned, '--recursive', '--size', '48', '--format', 'tiff', '--out', out];
    const first = cli(args);
    assert.equal(first.status, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /lies among the folders read/);
    const again = cli(args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /2 slides: 0 written, 2 skipped/);
    // Said, since slides put in it would be left out too.
    assert.match(again.stderr, /--out \S+thumbs lies among the folders read: the files in it are not taken for slides/);
    assert.deepEqual(await tree(out), ['a/slide_thumbnail.tif', 'b/scan_thumbnail.tif']);
  });

  test('--out the folder scanned: TIFF thumbnails beside the slides, which a rerun and its shards do not take for slides', async () => {
    const scanned = join(dir, 'beside');
    await mkdir(join(scanned, 'a'), { recursive: true });
    await copyFile(await fixturePath('cohort-svs'), join(scanned, 'a', 'slide.svs'));
    await copyFile(await fixturePath('cohort-tif'), join(scanned, 'scan.tif'));
    const args = ['thumbnail', scanned, '--recursive', '--size', '48', '--format', 'tiff', '--out', scanned];
    const first = cli(args);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /2 slides: 2 written/);
    const again = cli([...args, '--shard', '2/2']);
    assert.equal(again.status, 0, again.stderr);
    // Of 2 slides, not 4: the thumbnails beside them are left out of the split.
    assert.match(again.stderr, /shard 2\/2: (\d) of 2 slides: 0 written, \1 skipped/);
    assert.match(again.stderr, /2 file\(s\) named as this batch's thumbnails left out/);
    assert.deepEqual(await tree(scanned), ['a/slide.svs', 'a/slide_thumbnail.tif', 'scan.tif', 'scan_thumbnail.tif']);
  });

  test('--out the folder scanned by another name (a link), and a slide whose stem ends in _thumbnail: the same slides on every run', async () => {
    const real = join(dir, 'beside-real');
    await mkdir(real, { recursive: true });
    await copyFile(await fixturePath('cohort-tif'), join(real, 'X.tif'));
    await copyFile(await fixturePath('cohort-svs'), join(real, 'X_thumbnail.svs'));
    const link = join(dir, 'beside-link');
    await symlink(real, link);
    const report = join(dir, 'beside.jsonl');
    const args = ['thumbnail', link, '--recursive', '--size', '48', '--format', 'tiff', '--out', real, '--report', report];
    for (const run of [cli(args), cli(args)]) {
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /: 2 slides: /);
    }
    assert.deepEqual(await tree(real), ['X.tif', 'X_thumbnail.svs', 'X_thumbnail.tif', 'X_thumbnail_thumbnail.tif']);
    // Each line names the cohort by its real folder, which a run through the folder itself names alike,
    // and the options that decide its output: what a merge groups a batch's lines by.
    for (const line of await reportLines(report)) {
      assert.equal(line.cohort, 'beside-real');
      assert.equal(line.outputSet, 'thumbnail --size 48 --colour srgb --format tiff');
    }
  });

  test('a report that cannot be written (a full disk): the batch stops, says what it wrote and what it did not, then the error; exit 1', {
    skip: !existsSync('/dev/full') && 'no /dev/full',
  }, async () => {
    const out = join(dir, 'full');
    const run = cli(batch(out, '--jobs', '1', '--report', '/dev/full'));
    assert.equal(run.status, 1, run.stderr);
    // One job: its first slide was made when its line failed; none started after.
    const written = run.stdout.split('\n').filter(Boolean);
    assert.equal(written.length, 1, run.stdout);
    assert.deepEqual(
      await tree(out),
      written.map((path) => relative(out, path)),
    );
    const summary = run.stderr.indexOf(`slidescope: ${SLIDES.length} slides: 1 written, 0 skipped (already done), 0 failed, ${SLIDES.length - 1} not done`);
    const error = run.stderr.indexOf('slidescope: /dev/full: NO_SPACE: The report cannot be written (ENOSPC');
    assert.ok(summary >= 0 && error > summary, run.stderr);
    assert.match(run.stderr, /not done \(run the same command again to finish them\):/);
    const done = relative(out, written[0]!).replace(/_thumbnail\.png$/, '');
    for (const slide of SLIDES.filter((s) => !s.startsWith(`${done}.`))) assert.ok(run.stderr.includes(`  ${slide}\n`), `${slide} not named:\n${run.stderr}`);
  });

  test('outputs that find the disk full: the batch stops there, leaves no partial file, and a rerun with room finishes the same set', {
    skip: !smallDisk() && 'a small file system cannot be mounted here (mounting tmpfs needs root)',
  }, async () => {
    const out = join(dir, 'small-disk');
    await mkdir(out);
    const mount = (size: string, remount = false) =>
      spawnSync('mount', ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${size}`, 'tmpfs', out], { encoding: 'utf8' });
    assert.equal(mount('40k').status, 0);
    try {
      const report = join(dir, 'small-disk.jsonl');
      const run = cli(batch(out, '--jobs', '1', '--report', report));
      assert.equal(run.status, 1, run.stderr);
      const lines = await reportLines(report);
      const written = lines.filter((l) => l.status === 'written');
      const full = lines.filter((l) => l.error?.code === 'NO_SPACE');
      // One job: the slide that found the disk full was the last started.
      assert.ok(written.length > 0 && full.length === 1, run.stderr);
      assert.equal(
        lines.filter((l) => l.status === 'not-done').length + written.length + 1 + lines.filter((l) => l.error?.code === 'CORRUPT_DATA').length,
        SLIDES.length,
      );
      assert.ok(lines.some((l) => l.status === 'not-done'));
      assert.deepEqual(await tree(out), written.flatMap((l) => l.outputs.map((o) => relative(out, o.path))).sort(), 'only whole outputs, no temporary file');
      assert.match(run.stderr, /NO_SPACE: The disk is full\. No slide was started after it: make room, then run the same command again to finish\./);
      assert.match(run.stderr, /not done \(run the same command again to finish them\):/);
      assert.equal(mount('4m', true).status, 0);
      const rerun = cli(batch(out, '--jobs', '1'));
      assert.equal(rerun.status, 1, rerun.stderr); // the broken slide
      assert.deepEqual(await tree(out), expectedOutputs());
    } finally {
      spawnSync('umount', [out]);
    }
  });

  test('output folders that cannot be made for want of inodes (ENOSPC from mkdir): the batch stops there too', {
    skip: !smallDisk() && 'a small file system cannot be mounted here (mounting tmpfs needs root)',
  }, async () => {
    const out = join(dir, 'few-inodes');
    await mkdir(out);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,nr_inodes=16', 'tmpfs', out]).status, 0);
    try {
      // Every inode taken but one: the first slide's site folder takes it, its case folder cannot be made.
      let files = 0;
      for (; ; files++)
        if (
          !(await writeFile(join(out, `fill-${files}`), '').then(
            () => true,
            () => false,
          ))
        )
          break;
      await rm(join(out, `fill-${files - 1}`));
      const report = join(dir, 'few-inodes.jsonl');
      const run = cli(batch(out, '--jobs', '1', '--report', report));
      assert.equal(run.status, 1, run.stderr);
      const lines = await reportLines(report);
      assert.equal(lines.filter((l) => l.status === 'written').length, 0, run.stderr);
      const full = lines.filter((l) => l.error?.code === 'NO_SPACE');
      assert.equal(full.length, 1, run.stderr);
      assert.match(full[0]!.error!.message, /^Cannot create the output folder .*case-\d+ \(ENOSPC\)\.$/);
      assert.equal(lines.filter((l) => l.status === 'not-done').length, SLIDES.length - 1, run.stderr);
      assert.match(run.stderr, /NO_SPACE: Cannot create the output folder .* \(ENOSPC\)\. No slide was started after it/);
    } finally {
      spawnSync('umount', [out]);
    }
  });

  /** A batch of one job in a process of its own, once its report has `lines` lines: its stderr so far is read through `stderr()`. */
  async function batchUnderWay(out: string, report: string, grace: string, lines: number, ...more: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...batch(out, '--jobs', '1', '--grace', grace, '--report', report, ...more)], {
      env: CLEAN_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
    const lineCount = () => (existsSync(report) ? readFileSync(report, 'utf8').split('\n').filter(Boolean).length : 0);
    await waitFor(`${lines} report line(s)`, () => (lineCount() >= lines ? true : undefined));
    return { child, exited, stderr: () => text };
  }

  // The second with --overwrite, which the rerun that finishes must leave out (or it would redo all).
  for (const [signal, code, grace, more] of [
    ['SIGTERM', 143, '20', []],
    ['SIGINT', 130, '0', ['--overwrite']],
    ['SIGHUP', 129, '20', []],
    // Slurm's warning ahead of a time limit (--signal=B:USR1@120): Node alone would start its debugger.
    ['SIGUSR1', 128 + constants.signals.SIGUSR1, '20', []],
    ['SIGUSR2', 128 + constants.signals.SIGUSR2, '20', []],
  ] as const) {
    test(`${signal} mid-batch (grace ${grace} s${more.length ? `, ${more.join(' ')}` : ''}): exit ${code}, no partial file, the rest reported not done; a rerun finishes the same set`, async () => {
      const out = join(dir, `stopped-${signal}`);
      const report = join(dir, `stopped-${signal}.jsonl`);
      const { child, exited, stderr: stderrNow } = await batchUnderWay(out, report, grace, 2, ...more);
      child.kill(signal);
      // As Slurm does at a time limit: every process of the job gets the signal, the engines too. They
      // leave it to the CLI, which lets the slide being made finish (SIGTERM, 20 s of grace).
      const children = `/proc/${child.pid}/task/${child.pid}/children`;
      const engines = existsSync(children) ? readFileSync(children, 'utf8').split(' ').filter(Boolean).map(Number) : [];
      for (const pid of engines) process.kill(pid, signal);
      const status = await exited;
      assert.equal(status, code, stderrNow());
      const lines = await reportLines(report);
      assert.deepEqual(lines.map((l) => l.slide).sort(), SLIDES, 'every slide has a line');
      assert.deepEqual(
        lines.filter((l) => l.status === 'failed').map((l) => l.slide),
        [BROKEN].filter((b) => lines.find((l) => l.slide === b)?.status === 'failed'),
        'a slide failed for the signal',
      );
      const notDone = lines.filter((l) => l.status === 'not-done').map((l) => l.slide);
      assert.ok(notDone.length > 0, 'nothing was left to do');
      for (const slide of notDone) assert.ok(stderrNow().includes(`  ${slide}\n`), `${slide} not named:\n${stderrNow()}`);
      const again = more.length ? 'the same command again without --overwrite' : 'the same command again';
      assert.ok(stderrNow().includes(`not done (run ${again} to finish them):`), stderrNow());
      // Only whole outputs: no temporary file, and each written slide's output complete.
      const files = await tree(out);
      assert.ok(!files.some((f) => f.includes('.partial')), files.join('\n'));
      // Nor a case folder made for a slide abandoned mid-write.
      assert.deepEqual(await emptyFolders(out), []);
      for (const file of files) assert.ok(await isCompleteImage(join(out, file), 'png'), file);
      // Exactly the written slides' outputs (one abandoned as its file was renamed in counts as written).
      assert.deepEqual(
        files,
        lines
          .filter((l) => l.status === 'written')
          .flatMap((l) => l.outputs.map((o) => relative(out, o.path)))
          .sort(),
      );

      const rerun = cli(batch(out, '--jobs', '2', '--report', report));
      assert.equal(rerun.status, 1, rerun.stderr);
      assert.deepEqual(await tree(out), expectedOutputs());
      const merged = JSON.parse(cli(['report', 'merge', report, '--json']).stdout) as ReportSummary;
      assert.deepEqual(merged.statuses, { written: 14, skipped: 0, failed: 1, 'not-done': 0 });
    });
  }

  /** A batch of `args` in a process of its own, stopped with Ctrl-C twice once under way: how it ended, when, and its report's lines. */
  async function stoppedTwice(t: TestContext, args: string[], report: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: CLEAN_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (status, signal) => resolve({ status, signal })),
    );
    // A failure here must not leave the hung process holding the test run.
    t.after(() => child.kill('SIGKILL'));
    // Under way once its report is open (the signals are watched from then on).
    await waitFor('the batch under way', () => (existsSync(report) ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    await waitFor('the stop said', () => (text.includes('SIGINT') ? true : undefined));
    const signalled = Date.now();
    child.kill('SIGINT');
    const ended = await exited;
    return { ...ended, took: Date.now() - signalled, stderr: text, lines: await reportLines(report) };
  }

  test("a read of the CLI's own that never returns (a share gone away; here a FIFO without a writer) does not hold a stopped batch", {
    skip: process.platform === 'win32' && 'mkfifo',
    timeout: 90_000,
  }, async (t) => {
    const out = join(dir, 'hung-read');
    const report = join(dir, 'hung-read.jsonl');
    const fifo = join(dir, 'hung-annotations.geojson');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    // A file of annotations is drawn in one slide's thumbnail: a batch of that one slide.
    const args = ['thumbnail', join(cohort, SLIDES[0]!), '--size', '96', '--out', out, '--report', report, '--annotations', fifo];
    const { status, took, stderr, lines } = await stoppedTwice(t, args, report);
    // Its exit code as it would be, though Node's own exit would wait for the pool's hung thread.
    assert.equal(status, 130, stderr);
    assert.ok(took < 20_000, `ended ${took} ms after the second signal:\n${stderr}`);
    assert.deepEqual(
      lines.map((l) => [l.status, l.error?.code]),
      [['not-done', 'CANCELLED']],
      stderr,
    );
    assert.match(stderr, /1 not done/);
    assert.deepEqual(await tree(out), []);
  });

  test('more hung reads than Node has threads for them (each output a FIFO, 6 jobs): the process still ends, with its code', {
    skip: process.platform === 'win32' && 'mkfifo',
    timeout: 90_000,
  }, async (t) => {
    const slides = join(dir, 'hung-many');
    const out = join(dir, 'hung-many-out');
    const report = join(dir, 'hung-many.jsonl');
    await mkdir(out, { recursive: true });
    for (let i = 0; i < 6; i++) {
      await mkdir(slides, { recursive: true });
      await writeFile(join(slides, `a${i}.svs`), 'not read: its output is looked at first');
      assert.equal(spawnSync('mkfifo', [join(out, `a${i}_thumbnail.png`)]).status, 0);
    }
    const { status, took, stderr } = await stoppedTwice(t, ['thumbnail', slides, '--size', '96', '--jobs', '6', '--out', out, '--report', report], report);
    assert.equal(status, 130, stderr);
    // Ended by the watchdog, 15 s after the give-up: the pool was held whole (fewer hung reads end at the give-up).
    assert.ok(took >= 14_000 && took < 40_000, `ended ${took} ms after the second signal:\n${stderr}`);
  });

  test('an engine that no longer answers does not hold a stopped batch: abandoned slides end at the grace period, not at the stall watchdog', {
    skip: process.platform !== 'linux' && 'reads /proc',
  }, async () => {
    const out = join(dir, 'stalled-engine');
    const report = join(dir, 'stalled-engine.jsonl');
    const { child, exited, stderr: stderrNow } = await batchUnderWay(out, report, '1', 1);
    // The engine frozen mid-batch, as one reading from a mount that stopped answering.
    const engines = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    assert.equal(engines.length, 1);
    process.kill(engines[0]!, 'SIGSTOP');
    const signalled = Date.now();
    child.kill('SIGTERM');
    const status = await exited;
    const took = Date.now() - signalled;
    try {
      process.kill(engines[0]!, 'SIGKILL');
    } catch {
      // Gone already: the CLI killed it.
    }
    assert.equal(status, 143, stderrNow());
    // Well before the engine's stall watchdog (15 s) would replace it.
    assert.ok(took < 8000, `exited ${took} ms after the signal:\n${stderrNow()}`);
    const lines = await reportLines(report);
    assert.ok(
      lines.some((l) => l.status === 'not-done'),
      stderrNow(),
    );
    assert.ok(!(await tree(out)).some((f) => f.includes('.partial')));
  });
});
