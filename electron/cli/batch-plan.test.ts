// The batch's pure parts in process: the shard split, --shard auto's variables, the inputs' keys
// and mirrored outputs, the jobs under --max-memory, the report's merge.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { plainReportLine } from '../../testing/report-lines';
import { SlideError } from '../engine/errors';
import { batchOldSpaceMb, type EngineLaunchSettings, engineEnvironment, engineExecArgv, readEngineSettings } from '../engine-host/engine-settings';
import { type BatchOptions, jobEngine, runBatch } from './batch';
import { batchCores, memoryBudget, parseJobs, parseMemory, planConcurrency } from './concurrency';
import { type InputOptions, collectInputs as listInputs, outputStems, type SlideInput } from './inputs';

const collectInputs = async (options: InputOptions): Promise<SlideInput[]> => (await listInputs(options)).inputs;

import { formatGroup, JobQueue } from './job-queue';
import { batchSummary, openReport, type ReportLine, type ReportWriter, readReports, summarise } from './report';
import { inShard, parseShard } from './shards';
import { UsageError } from './usage-error';

const GB = 2 ** 30;

/** A report line of a slide under /data (or `more.path`), its other fields plain. */
function reportLine(slide: string, status: ReportLine['status'], more: Partial<ReportLine> = {}): ReportLine {
  return plainReportLine(slide, { status, ...more });
}

describe('shards', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `site-${i % 7}/case-${i}/slide-${(i * 7919) % 1000}.svs`);

  test('disjoint and complete for 1 to 8 shards, and balanced', () => {
    for (let count = 1; count <= 8; count++) {
      const owners = keys.map((key) => Array.from({ length: count }, (_, index) => index).filter((index) => inShard(key, { index, count })));
      assert.ok(
        owners.every((o) => o.length === 1),
        `${count} shards: a slide in none or in two`,
      );
      for (let index = 0; index < count; index++) {
        const size = owners.filter((o) => o[0] === index).length;
        const fair = keys.length / count;
        assert.ok(Math.abs(size - fair) < fair * 0.15, `${count} shards: shard ${index + 1} has ${size} of ${keys.length}`);
      }
    }
  });

  test("a slide's shard depends on its key alone", () => {
    const shard = { index: 2, count: 5 };
    const mine = new Set(keys.filter((k) => inShard(k, shard)));
    const reordered = [...keys].reverse().filter((k) => inShard(k, shard));
    assert.deepEqual(new Set(reordered), mine);
    // One more slide on the drive moves no other slide between shards.
    const withOne = [...keys, 'site-9/late/slide.svs'].filter((k) => inShard(k, shard) && k !== 'site-9/late/slide.svs');
    assert.deepEqual(new Set(withOne), mine);
  });

  test('K/N is 1-based; bad values are usage errors', () => {
    assert.deepEqual(parseShard('1/4', {}), { index: 0, count: 4 });
    assert.deepEqual(parseShard('4/4', {}), { index: 3, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '1', 'a/b', '-1/3', '1/2/3']) assert.throws(() => parseShard(bad, {}), UsageError, bad);
  });

  test('auto: Slurm arrays from 0, from 1 and with a step; Kubernetes with its count', () => {
    assert.deepEqual(parseShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' }), { index: 0, count: 4 });
    assert.deepEqual(parseShard('auto', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }), { index: 3, count: 4 });
    assert.deepEqual(parseShard('auto', { SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2' }), {
      index: 3,
      count: 4,
    });
    assert.throws(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' }), /not in a range/);
    assert.throws(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: '1' }), /SLURM_ARRAY_TASK_COUNT/);
    // One task of an 8-task array resubmitted alone (--array=3) keeps its shard when the script gives the count.
    const alone = { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '3' };
    assert.deepEqual(parseShard('auto', { ...alone, SLIDESCOPE_SHARD_COUNT: '8' }), { index: 3, count: 8 });
    assert.throws(() => parseShard('auto', alone), /resubmitted alone/);
    assert.throws(() => parseShard('auto', { ...alone, SLURM_ARRAY_TASK_ID: '8', SLIDESCOPE_SHARD_COUNT: '8' }), /not below/);
    assert.throws(() => parseShard('auto', { ...alone, SLIDESCOPE_SHARD_COUNT: 'eight' }), /must be the number of shards/);
    assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '2', SLIDESCOPE_SHARD_COUNT: '3' }), { index: 2, count: 3 });
    assert.throws(() => parseShard('auto', { JOB_COMPLETION_INDEX: '2' }), /SLIDESCOPE_SHARD_COUNT/);
    assert.throws(() => parseShard('auto', { JOB_COMPLETION_INDEX: '3', SLIDESCOPE_SHARD_COUNT: '3' }), /not below/);
    assert.throws(() => parseShard('auto', {}), /found no/);
  });
});

describe('inputs', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-inputs-'));
    for (const file of ['a/x/slide.svs', 'a/x/slide.tif', 'a/y/slide.svs', 'b/one.svs', 'b/.hidden.svs', 'b/notes.txt', 'b/deep/er/two.tiff']) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), 'x');
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('keys relative to the common folder, sorted, whatever the order given; recursion on request', async () => {
    const keys = async (args: string[], recursive: boolean) => (await collectInputs({ args, recursive })).map((i) => i.key);
    assert.deepEqual(await keys([join(dir, 'b')], false), ['one.svs']);
    assert.deepEqual(await keys([join(dir, 'b')], true), ['deep/er/two.tiff', 'one.svs']);
    const both = await keys([join(dir, 'a'), join(dir, 'b')], true);
    assert.deepEqual(both, ['a/x/slide.svs', 'a/x/slide.tif', 'a/y/slide.svs', 'b/deep/er/two.tiff', 'b/one.svs']);
    assert.deepEqual(await keys([join(dir, 'b'), join(dir, 'a')], true), both);
    // The same slides named one by one, in another order, and once twice: the same keys.
    const files = both.map((k) => join(dir, k));
    assert.deepEqual(await keys([...files].reverse().concat(files[0]!), false), both);
  });

  test('a slide found by listing a given folder recursively says which (its key); a slide named, or listed without recursion, says none', async () => {
    const top = join(dir, 'listed');
    await mkdir(join(top, 'site', 'case'), { recursive: true });
    await writeFile(join(top, 'site', 'case', 'c.svs'), 'x');
    await writeFile(join(top, 'site', 's.svs'), 'x');
    await writeFile(join(top, 'named.svs'), 'x');
    const by = (inputs: SlideInput[]) => inputs.map((i) => [i.key, i.listedIn ?? null]);
    assert.deepEqual(by(await collectInputs({ args: [join(top, 'site'), join(top, 'named.svs')], recursive: true })), [
      ['named.svs', null],
      ['site/case/c.svs', 'site'],
      ['site/s.svs', 'site'],
    ]);
    assert.deepEqual(by(await collectInputs({ args: [top], recursive: true })), [
      ['named.svs', ''],
      ['site/case/c.svs', ''],
      ['site/s.svs', ''],
    ]);
    assert.deepEqual(by(await collectInputs({ args: [join(top, 'site')], recursive: false })), [['s.svs', null]]);
  });

  test('a folder listed without --recursive names the subfolders it leaves unread: not a slide folder, a MIRAX data folder, a hidden one or the output', async () => {
    const top = join(dir, 'unread');
    for (const sub of ['cases', 'Scan', '.cache', 'thumbs', 'series', 'batch.svs']) await mkdir(join(top, sub), { recursive: true });
    await writeFile(join(top, 'scan.MRXS'), '');
    await writeFile(join(top, 'series', 'frame.dcm'), 'x');
    const listed = await listInputs({ args: [top], recursive: false, exclude: join(top, 'thumbs') });
    // A folder named as a slide file is a folder all the same: --recursive would read it.
    assert.deepEqual(listed.unreadSubfolders, [join(top, 'batch.svs'), join(top, 'cases')]);
    assert.deepEqual(
      listed.inputs.map((i) => i.key),
      ['scan.MRXS', 'series'],
    );
    assert.deepEqual((await listInputs({ args: [top], recursive: true })).unreadSubfolders, []);
  });

  test('one file reached through a linked folder (given in a list beside the folder) is one slide, its first key; hard links are two', async () => {
    const linked = join(dir, 'linked');
    await mkdir(join(linked, 'real'), { recursive: true });
    await writeFile(join(linked, 'real', 'slide.svs'), 'x');
    await symlink(join(linked, 'real'), join(linked, 'via'));
    await writeFile(join(linked, 'list.txt'), 'via/slide.svs\n');
    await link(join(linked, 'real', 'slide.svs'), join(linked, 'real', 'copy.svs'));
    const inputs = await collectInputs({ args: [join(linked, 'real')], list: join(linked, 'list.txt'), recursive: true });
    assert.deepEqual(
      inputs.map((i) => i.key),
      ['real/copy.svs', 'real/slide.svs'],
    );
  });

  test('--root: a rerun of some slides (a list of the failures) keys them as the whole run did; an input outside it is refused', async () => {
    const whole = await collectInputs({ args: [join(dir, 'a')], recursive: true });
    await writeFile(join(dir, 'retry.txt'), 'a/x/slide.svs\na/x/slide.tif\n');
    const subset = (root?: string) => collectInputs({ args: [], list: join(dir, 'retry.txt'), recursive: false, root });
    assert.deepEqual(
      (await subset()).map((i) => i.key),
      ['slide.svs', 'slide.tif'],
      'without --root, relative to what the list shares',
    );
    const rerun = await subset(join(dir, 'a'));
    assert.deepEqual(
      rerun.map((i) => i.key),
      whole.filter((i) => i.key.startsWith('x/')).map((i) => i.key),
    );
    await assert.rejects(subset(join(dir, 'b')), /is not in --root/);
    await assert.rejects(collectInputs({ args: [join(dir, 'a')], recursive: true, root: join(dir, 'nowhere') }), /--root \S+nowhere does not exist/);
    // A root written through a link (the shell's $PWD in a linked folder) while the inputs resolve
    // through their real folders, as Node resolves relative paths: the same keys as the real root's.
    await symlink(join(dir, 'a'), join(dir, 'a-link'));
    assert.deepEqual(
      (await subset(join(dir, 'a-link'))).map((i) => i.key),
      rerun.map((i) => i.key),
    );
    // One of a pair alike but for the extension, rerun alone, keeps the name the pair gave it.
    await writeFile(join(dir, 'retry-one.txt'), 'a/x/slide.svs\n');
    const one = await collectInputs({ args: [], list: join(dir, 'retry-one.txt'), recursive: false, root: join(dir, 'a') });
    assert.deepEqual([...outputStems(one, '/out').values()], ['/out/x/slide_svs']);
    assert.equal(outputStems(whole, '/out').get(one[0]!.path), '/out/x/slide_svs');
  });

  test('--list: one path a line, relative to the list, from stdin too; comments and blanks skipped', async () => {
    await writeFile(join(dir, 'list.txt'), '# cohort\na/y/slide.svs\n\n  b/one.svs  \r\n');
    const fromFile = await collectInputs({ args: [], list: join(dir, 'list.txt'), recursive: false });
    assert.deepEqual(
      fromFile.map((i) => i.key),
      ['a/y/slide.svs', 'b/one.svs'],
    );
    const stdin = Readable.from([Buffer.from(`${join(dir, 'b/one.svs')}\n${join(dir, 'a/y/slide.svs')}\n`)]);
    assert.deepEqual(await collectInputs({ args: [], list: '-', recursive: false, stdin }), fromFile);
  });

  test('outputs mirror the folders; two stems alike in one folder keep their extension', async () => {
    const inputs = await collectInputs({ args: [join(dir, 'a')], recursive: true });
    const stems = outputStems(inputs, '/out');
    assert.deepEqual(
      inputs.map((i) => stems.get(i.path)),
      ['/out/x/slide_svs', '/out/x/slide_tif', '/out/y/slide'],
    );
  });

  test('stems stay apart: a.svs, a.tif and a_svs.tif; A.svs and a.svs (one name on a case-insensitive disk); alike in any order', () => {
    const keys = ['a.svs', 'a.tif', 'a_svs.tif', 'c/A.svs', 'c/a.svs', 'D/b.svs', 'd/b.tif', 'e/solo.svs'];
    const inputs = keys.map((key): SlideInput => ({ path: `/c/${key}`, key, bytes: 1 }));
    const stems = outputStems(inputs, '/out');
    const names = keys.map((key) => stems.get(`/c/${key}`)!);
    assert.equal(new Set(names.map((n) => n.toLowerCase())).size, keys.length, names.join('\n'));
    // Only the stems that still collide take a hash of their key; the others keep their names.
    assert.match(stems.get('/c/a.svs')!, /^\/out\/a_svs_[0-9a-f]{8}$/);
    assert.match(stems.get('/c/a_svs.tif')!, /^\/out\/a_svs_[0-9a-f]{8}$/);
    assert.match(stems.get('/c/c/A.svs')!, /^\/out\/c\/A_svs_[0-9a-f]{8}$/);
    assert.deepEqual(
      ['a.tif', 'D/b.svs', 'd/b.tif', 'e/solo.svs'].map((key) => stems.get(`/c/${key}`)),
      ['/out/a_tif', '/out/D/b_svs', '/out/d/b_tif', '/out/e/solo'],
    );
    // Every run and every shard names them alike, whatever the order of the inputs.
    assert.deepEqual(outputStems([...inputs].reverse(), '/out'), stems);
  });

  test('a folder named ..old beside the others does not move the common folder up', async () => {
    const odd = join(dir, 'odd');
    for (const file of ['..old/s.svs', 'new.svs']) {
      await mkdir(join(odd, file, '..'), { recursive: true });
      await writeFile(join(odd, file), 'x');
    }
    const inputs = await collectInputs({ args: [join(odd, 'new.svs'), join(odd, '..old', 's.svs')], recursive: false });
    assert.deepEqual(
      inputs.map((i) => i.key),
      ['..old/s.svs', 'new.svs'],
    );
  });

  test('the output folder inside a scanned folder is left out: a rerun does not take its outputs for slides', async () => {
    const scanned = join(dir, 'with-out');
    for (const file of ['s.svs', 'thumbs/s_thumbnail.tif', 'thumbs/deeper/t_thumbnail.tif', 'site/t.svs']) {
      await mkdir(join(scanned, file, '..'), { recursive: true });
      await writeFile(join(scanned, file), 'x');
    }
    const keys = async (exclude: string) => (await collectInputs({ args: [scanned], recursive: true, exclude })).map((i) => i.key);
    assert.deepEqual(await keys(join(scanned, 'thumbs')), ['s.svs', 'site/t.svs']);
    // Named by another path to it (relative, through a symlink), the same folder.
    await symlink(join(scanned, 'thumbs'), join(dir, 'thumbs-link'));
    assert.deepEqual(await keys(join(dir, 'thumbs-link')), ['s.svs', 'site/t.svs']);
    // A folder given is read even when it is the output folder: the user named it.
    assert.deepEqual(
      (await collectInputs({ args: [join(scanned, 'thumbs')], recursive: false, exclude: join(scanned, 'thumbs') })).map((i) => i.key),
      ['s_thumbnail.tif'],
    );
  });

  test('a subfolder that cannot be read is an input of its own, to fail with its reason; the others are listed; a folder given that cannot be read throws', {
    skip: process.platform === 'win32' && 'no POSIX permissions',
  }, async () => {
    const cohort = join(dir, 'locked-cohort');
    for (const file of ['a/one.svs', 'b/locked/two.svs', 'b/three.svs']) {
      await mkdir(join(cohort, file, '..'), { recursive: true });
      await writeFile(join(cohort, file), 'x');
    }
    await chmod(join(cohort, 'b', 'locked'), 0o000);
    // Root reads any folder: the listing runs as nobody (the folders above are readable by all).
    const asUser = async <T>(list: () => Promise<T>): Promise<T> => {
      const root = process.geteuid?.() === 0;
      if (root) process.seteuid?.(65534);
      try {
        return await list();
      } finally {
        if (root) process.seteuid?.(0);
      }
    };
    try {
      await chmod(dir, 0o755);
      const inputs = await asUser(() => collectInputs({ args: [cohort], recursive: true }));
      assert.deepEqual(
        inputs.map((i) => [i.key, i.unreadable ?? null]),
        [
          ['a/one.svs', null],
          ['b/locked', 'EACCES'],
          ['b/three.svs', null],
        ],
      );
      await assert.rejects(
        asUser(() => collectInputs({ args: [join(cohort, 'b', 'locked')], recursive: true })),
        (error: NodeJS.ErrnoException) => error.code === 'EACCES',
      );
    } finally {
      await chmod(join(cohort, 'b', 'locked'), 0o755);
    }
  });

  test('a name that is not UTF-8 (Latin-1 from an old scanner PC) is an entry that could not be read, not a silent gap', {
    skip: process.platform !== 'linux' && 'only Linux keeps names as bytes',
  }, async () => {
    const latin = join(dir, 'latin');
    await mkdir(join(latin, 'ok'), { recursive: true });
    await writeFile(join(latin, 'ok', 'good.svs'), 'x');
    // "café.svs" and a folder "Präparate" in Latin-1.
    await writeFile(Buffer.concat([Buffer.from(`${latin}/caf`), Buffer.from([0xe9]), Buffer.from('.svs')]), 'x');
    await mkdir(Buffer.concat([Buffer.from(`${latin}/Pr`), Buffer.from([0xe4]), Buffer.from('parate')]));
    // Not a slide: no one's concern.
    await writeFile(Buffer.concat([Buffer.from(`${latin}/notes-caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
    const inputs = await collectInputs({ args: [latin], recursive: true });
    assert.deepEqual(
      inputs.map((i) => [i.key, i.unreadable ?? null]),
      [
        ['Pr\uFFFDparate', 'EILSEQ'],
        ['caf\uFFFD.svs', 'EILSEQ'],
        ['ok/good.svs', null],
      ],
    );
    // Without --recursive the folder would not be looked into.
    assert.deepEqual(
      (await collectInputs({ args: [latin], recursive: false })).map((i) => [i.key, i.unreadable ?? null]),
      [['caf\uFFFD.svs', 'EILSEQ']],
    );
  });

  test("a MIRAX slide's size counts its data folder's files (a batch starts the largest first)", async () => {
    const m = join(dir, 'm');
    await mkdir(join(m, 'scan'), { recursive: true });
    await writeFile(join(m, 'scan.mrxs'), 'x'.repeat(10));
    await writeFile(join(m, 'scan', 'Slidedat.ini'), 'x'.repeat(100));
    await writeFile(join(m, 'scan', 'Data0000.dat'), 'x'.repeat(5000));
    await writeFile(join(m, 'big.svs'), 'x'.repeat(3000));
    const sizes = (inputs: Array<{ key: string; bytes: number }>) => inputs.map((i) => [i.key, i.bytes]);
    assert.deepEqual(sizes(await collectInputs({ args: [m], recursive: true })), [
      ['big.svs', 3000],
      ['scan.mrxs', 5110],
    ]);
    assert.deepEqual(sizes(await collectInputs({ args: [join(m, 'scan.mrxs')], recursive: false })), [['scan.mrxs', 5110]]);
    assert.deepEqual(sizes(await collectInputs({ args: [join(m, 'scan')], recursive: false })), [['scan.mrxs', 5110]]);
  });
});

describe('job queue', () => {
  const slide = (key: string, bytes: number, folder = false): SlideInput => ({ path: `/c/${key}`, key, bytes, ...(folder ? { folder: { within: key } } : {}) });
  const drain = (queue: JobQueue, turns: number[]) => turns.map((job) => queue.take(job)?.key ?? null);

  test("a slide's format is its extension, any case; a DICOM folder's its own", () => {
    assert.equal(formatGroup(slide('a/B.SVS', 1)), '.svs');
    assert.equal(formatGroup(slide('a.b/scan', 1)), '');
    // On Windows the path's separators are backslashes; the key's are '/' everywhere.
    assert.equal(formatGroup({ path: 'C:\\cohort\\jane.doe\\scan', key: 'jane.doe/scan', bytes: 1 }), '');
    assert.equal(formatGroup(slide('a/series', 1, true)), '/');
  });

  test('one job: largest first, ties in key order', () => {
    const queue = new JobQueue([slide('b.svs', 5), slide('a.tif', 5), slide('c.ndpi', 9), slide('d.svs', 1)], 1);
    assert.deepEqual(drain(queue, [0, 0, 0, 0, 0]), ['c.ndpi', 'a.tif', 'b.svs', 'd.svs', null]);
  });

  test('each format at home in one job, largest first; a job with none of its own left takes the largest left', () => {
    // .svs holds 30 bytes, .tif 16 and .ndpi 8: .svs goes to job 0, .tif to job 1, then .ndpi to job 1 (16 < 30).
    const inputs = [slide('s1.svs', 12), slide('s2.svs', 10), slide('s3.svs', 8), slide('t1.tif', 9), slide('t2.tif', 7), slide('n1.ndpi', 8)];
    const queue = new JobQueue(inputs, 2);
    assert.deepEqual(drain(queue, [0, 1, 1, 1, 1, 0, 0]), ['s1.svs', 't1.tif', 'n1.ndpi', 't2.tif', 's2.svs', 's3.svs', null]);
    assert.deepEqual(queue.untaken(), []);
  });

  test('every slide once, whatever the turns; the untaken are the rest, largest first', () => {
    const inputs = Array.from({ length: 60 }, (_, i) => slide(`s${i}.${['svs', 'tif', 'mrxs', 'bif'][i % 4]}`, (i * 37) % 23));
    for (const jobs of [1, 2, 3, 8]) {
      const queue = new JobQueue(inputs, jobs);
      const turns = Array.from({ length: 40 }, (_, i) => (i * 5 + 3) % jobs);
      const taken = drain(queue, turns);
      const rest = queue.untaken();
      assert.deepEqual(new Set([...taken, ...rest.map((i) => i.key)]), new Set(inputs.map((i) => i.key)), `${jobs} jobs`);
      assert.equal(taken.length + rest.length, inputs.length);
      assert.deepEqual(
        rest.map((i) => i.bytes),
        rest.map((i) => i.bytes).sort((a, b) => b - a),
      );
    }
  });
});

/** A batch run in this process without engines: `options` over a plain job, its interrupt never raised. */
function enginelessBatch(options: Pick<BatchOptions, 'inputs' | 'work'> & Partial<BatchOptions>) {
  return runBatch({
    command: 'thumbnail',
    outputSet: 'thumbnail --size 64 --colour srgb --format png',
    cohort: 'cohort',
    batchInputs: options.inputs.length,
    plan: planConcurrency(1, 2 ** 30, null, 2),
    interrupt: { stopping: false, abandon: new AbortController().signal, exitCode: () => null, dispose() {} },
    progress: { update() {}, finish() {} },
    report: null,
    shard: null,
    partialWritesDir: '/nonexistent',
    launchEngine: () => {
      throw new Error('no engine is needed');
    },
    ...options,
  });
}

/** A batch of 12 slides over 2 jobs whose work takes 5 ms a slide; `fail` decides a slide's outcome by its turn. */
function twelveSlides(options: { fail?: (turn: number) => SlideError | null; report?: ReportWriter }) {
  const inputs = Array.from({ length: 12 }, (_, i): SlideInput => ({ path: `/c/s${i}.svs`, key: `s${i}.svs`, bytes: 100 - i }));
  const started: string[] = [];
  const batch = enginelessBatch({
    inputs,
    plan: planConcurrency(2, 2 ** 30, null, 2),
    work: async (_engine, input) => {
      const turn = started.push(input.key);
      await new Promise((r) => setTimeout(r, 5));
      const error = options.fail?.(turn);
      if (error) throw error;
      return { status: 'written', outputs: [], vendor: null, width: null, height: null, error: null };
    },
    report: options.report ?? null,
  });
  return { inputs, started, batch };
}

describe('a report that cannot be written', () => {
  test('stops the batch as a signal would: no slide started after it; the error comes back with the lines', async () => {
    let writes = 0;
    const { inputs, started, batch } = twelveSlides({
      report: {
        async write() {
          if (++writes === 3) throw new SlideError('NO_SPACE', 'The report cannot be written (ENOSPC).', '/r.jsonl');
        },
        async close() {},
      },
    });
    // The error comes back with every slide's line, so that the CLI still says what was done.
    const { lines, stopError } = await batch;
    assert.equal(stopError?.code, 'NO_SPACE');
    assert.match(stopError?.message ?? '', /ENOSPC/);
    assert.equal(stopError?.path, '/r.jsonl');
    assert.deepEqual(lines.map((l) => l.slide).sort(), inputs.map((i) => i.key).sort());
    assert.deepEqual(
      lines.filter((l) => l.status !== 'not-done').map((l) => l.slide),
      started,
    );
    // The third line failed while the other job's slide was being made: at most that one more started,
    // and none after (a job still taking slides would have started several by now).
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(started.length <= 4, `${started.length} slides started`);
    assert.equal(writes, 3);
  });
});

describe('an output that finds the disk full', () => {
  test('stops the batch: the slide fails with NO_SPACE, no slide starts after it, the rest are not done', async () => {
    const { started, batch } = twelveSlides({
      fail: (turn) => (turn === 3 ? new SlideError('NO_SPACE', 'The disk quota is exceeded.', '/out/s2_thumbnail.png') : null),
    });
    const { lines, stopError } = await batch;
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(started.length <= 4, `${started.length} slides started`);
    assert.equal(stopError?.code, 'NO_SPACE');
    assert.equal(stopError?.path, '/out/s2_thumbnail.png');
    assert.match(stopError?.message ?? '', /^The disk quota is exceeded\. No slide was started after it/);
    const status = (l: ReportLine) => l.status;
    assert.deepEqual(
      lines.filter((l) => l.error?.code === 'NO_SPACE').map((l) => l.slide),
      [started[2]],
    );
    assert.equal(lines.filter((l) => status(l) === 'not-done').length, 12 - started.length);
    assert.equal(lines.length, 12);
  });

  test("a report on the same full disk failing after it: both errors come back, the slide's first", async () => {
    let writes = 0;
    const { batch } = twelveSlides({
      fail: (turn) => (turn === 3 ? new SlideError('NO_SPACE', 'The disk is full.', '/out/s2_thumbnail.png') : null),
      report: {
        async write() {
          if (++writes >= 3) throw new SlideError('NO_SPACE', 'The report cannot be written (ENOSPC).', '/out/r.jsonl');
        },
        async close() {},
      },
    });
    const { stopError, reportError } = await batch;
    assert.equal(stopError?.path, '/out/s2_thumbnail.png');
    assert.equal(reportError?.path, '/out/r.jsonl');
  });

  test('other failures do not stop it', async () => {
    const { started, batch } = twelveSlides({ fail: (turn) => (turn % 2 ? new SlideError('IO_ERROR', 'Writing failed (EIO).', '/out/x.png') : null) });
    const { lines, stopError } = await batch;
    assert.equal(stopError, null);
    assert.equal(started.length, 12);
    assert.equal(lines.filter((l) => l.status === 'failed').length, 6);
  });
});

describe('the report', () => {
  test('a line the system writes short is written on from where it stopped, or fails as IO_ERROR (ulimit -f)', {
    skip: process.platform === 'win32',
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    try {
      const path = join(dir, 'r.jsonl');
      // The child fills the file to 50 bytes below its size limit (found by a write the system cuts
      // short, whatever the shell's unit), then writes a line: its first 50 bytes go in, the rest fails (EFBIG).
      const script = `import { ftruncateSync, openSync, closeSync, writeSync } from 'node:fs';
        import { openReport } from ${JSON.stringify(new URL('./report.ts', import.meta.url).href)};
        const fd = openSync(${JSON.stringify(path)}, 'w');
        const limit = writeSync(fd, Buffer.alloc(16 * 1024 * 1024, 120));
        ftruncateSync(fd, limit - 51);
        writeSync(fd, '\\n', limit - 51);
        closeSync(fd);
        const report = await openReport(${JSON.stringify(path)});
        const line = { slide: 'a.svs', status: 'written', ms: 1, path: '${'/data/'.repeat(20)}a.svs' };
        const error = await report.write(line).then(() => null, (e) => ({ code: e.code, path: e.path, message: e.message }));
        await report.close();
        process.stdout.write(JSON.stringify(error));`;
      const child = spawnSync('/bin/sh', ['-c', 'ulimit -f 2048 && exec "$0" --import tsx --input-type=module --eval "$1"', process.execPath, script], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      });
      assert.equal(child.status, 0, child.stderr);
      const error = JSON.parse(child.stdout) as { code: string; path: string; message: string } | null;
      assert.equal(error?.code, 'IO_ERROR', child.stdout);
      assert.equal(error?.path, path);
      assert.match(error?.message ?? '', /EFBIG/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a report whose last line was cut (a crash, a full disk) is ended first: the next line is a line of its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    try {
      const path = join(dir, 'r.jsonl');
      const line = (slide: string) => reportLine(slide, 'written', { ms: 1 });
      await writeFile(path, `${JSON.stringify(line('a.svs'))}\n{"slide": "b.svs", "sta`);
      for (const slide of ['c.svs', 'd.svs']) {
        const report = await openReport(path);
        await report.write(line(slide));
        await report.close();
      }
      const text = await readFile(path, 'utf8');
      assert.deepEqual(text.split('\n'), [
        JSON.stringify(line('a.svs')),
        '{"slide": "b.svs", "sta',
        JSON.stringify(line('c.svs')),
        JSON.stringify(line('d.svs')),
        '',
      ]);
      const read = await readReports([path]);
      assert.deepEqual(
        read.slides.map((l) => l.slide),
        ['a.svs', 'c.svs', 'd.svs'],
      );
      assert.equal(read.unreadable, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the report's own error names the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    try {
      const report = await openReport(join(dir, 'r.jsonl'));
      await report.close();
      const line = { slide: 'a.svs', status: 'written', ms: 1 } as unknown as ReportLine;
      await assert.rejects(report.write(line), (error: SlideError) => error.code === 'IO_ERROR' && error.path === join(dir, 'r.jsonl'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('output folders', () => {
  test("those the batch made and left empty are removed at its end: a failed or abandoned slide's case folder; one with an output, or there before, stays", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-output-folders-'));
    try {
      await mkdir(join(dir, 'out', 'before'), { recursive: true });
      const inputs: SlideInput[] = ['a/1.svs', 'a/2.svs', 'b/1.svs', 'c/d/1.svs', 'before/1.svs'].map((key, i) => ({ path: `/c/${key}`, key, bytes: 10 - i }));
      const { lines } = await enginelessBatch({
        inputs,
        plan: planConcurrency(2, 2 ** 30, null, 2),
        work: async (_engine, input, _abandon, folders) => {
          const folder = join(dir, 'out', input.key.slice(0, input.key.lastIndexOf('/')));
          await folders.make(folder);
          if (input.key !== 'a/1.svs') throw new SlideError('UNSUPPORTED_FORMAT', 'Not a slide.', input.path);
          const path = join(folder, '1_thumbnail.png');
          await writeFile(path, 'png');
          return { status: 'written', outputs: [{ path, bytes: 3 }], vendor: null, width: null, height: null, error: null };
        },
      });
      assert.equal(lines.filter((l) => l.status === 'failed').length, 4);
      const left = spawnSync('find', [join(dir, 'out'), '-mindepth', '1'], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
        .sort();
      assert.deepEqual(left, [join(dir, 'out', 'a'), join(dir, 'out', 'a', '1_thumbnail.png'), join(dir, 'out', 'before')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a slide abandoned whose work does not answer', () => {
  test('(a read hung on a share gone away) is given up: the batch ends, the slide not done, the slides not taken too', async (t) => {
    const inputs: SlideInput[] = Array.from({ length: 4 }, (_, i) => ({ path: `/c/s${i}.svs`, key: `s${i}.svs`, bytes: 10 - i }));
    const abandon = new AbortController();
    let stopping = false;
    let started = 0;
    let givenUp = 0;
    const journal = await mkdtemp(join(tmpdir(), 'slidescope-journal-'));
    t.after(() => rm(journal, { recursive: true, force: true }));
    const t0 = performance.now();
    const { lines } = await enginelessBatch({
      inputs,
      work: () => {
        started++;
        // Told to stop, then to abandon, while the slide's own read never returns.
        stopping = true;
        setTimeout(() => abandon.abort(), 10);
        return new Promise(() => {});
      },
      interrupt: {
        get stopping() {
          return stopping;
        },
        abandon: abandon.signal,
        exitCode: () => 143,
        dispose() {},
      },
      partialWritesDir: journal,
      onGiveUp: () => givenUp++,
    });
    const ms = performance.now() - t0;
    assert.ok(ms >= 4900 && ms < 20_000, `ended after ${ms} ms`);
    assert.equal(givenUp, 1);
    assert.equal(started, 1);
    assert.deepEqual(
      lines.map((l) => [l.slide, l.status, l.error?.code ?? null]),
      [
        ['s0.svs', 'not-done', 'CANCELLED'],
        ['s1.svs', 'not-done', null],
        ['s2.svs', 'not-done', null],
        ['s3.svs', 'not-done', null],
      ],
    );
  });
});

describe('a folder that could not be listed', () => {
  test('fails as itself with IO_ERROR, without its work or an engine; the other slides are made', async () => {
    const inputs: SlideInput[] = [
      { path: '/c/a.svs', key: 'a.svs', bytes: 10 },
      { path: '/c/locked', key: 'locked', bytes: 0, unreadable: 'EACCES' },
      { path: '/c/b.svs', key: 'b.svs', bytes: 5 },
    ];
    const worked: string[] = [];
    const { lines, stopError } = await enginelessBatch({
      inputs,
      work: async (_engine, input) => {
        worked.push(input.key);
        return { status: 'written', outputs: [], vendor: null, width: null, height: null, error: null };
      },
    });
    assert.equal(stopError, null);
    assert.deepEqual(worked.sort(), ['a.svs', 'b.svs']);
    const locked = lines.find((l) => l.slide === 'locked');
    assert.equal(locked?.status, 'failed');
    assert.equal(locked?.path, '/c/locked');
    assert.equal(locked?.error?.code, 'IO_ERROR');
    assert.match(locked?.error?.message ?? '', /cannot be read \(EACCES\)/);
  });

  test("the batch's summary counts it apart from the slides, and as a failure for the exit code", () => {
    const line = (path: string, status: ReportLine['status']) => reportLine(path.slice(1), status, { path });
    const lines = [line('/a.svs', 'written'), line('/locked', 'failed'), line('/b.svs', 'skipped')];
    const whole = batchSummary(lines, new Set(['/locked']), null);
    assert.equal(whole.text, '2 slides: 1 written, 1 skipped (already done), 0 failed, 0 not done; 1 folder or name could not be read');
    assert.equal(whole.failed, 1);
    const shard = batchSummary(lines.slice(0, 1), new Set(), { name: '1/2', of: 3 });
    assert.equal(shard.text, 'shard 1/2: 1 of 3 slides: 1 written, 0 skipped (already done), 0 failed, 0 not done');
    // Another shard's DICOM folders left unopened: each may hold several slides.
    assert.match(batchSummary(lines.slice(0, 1), new Set(), { name: '1/2', of: 3, atLeast: true }).text, /^shard 1\/2: 1 of at least 3 slides:/);
    assert.equal(shard.failed, 0);
  });
});

describe('jobs and memory', () => {
  test("--max-memory lowers the jobs so that jobs x cap fits, or the one job's cap", () => {
    assert.deepEqual(planConcurrency(2, 3 * GB, null, 2), {
      jobs: 2,
      capMb: 3072,
      lanes: 1,
      note: null,
      raiseCap: 'set SLIDESCOPE_ENGINE_MEMORY_CAP_MB above 3072',
    });
    assert.equal(planConcurrency(8, 3 * GB, null, 8).lanes, 1);
    assert.equal(planConcurrency(1, 3 * GB, null, 8).lanes, 4);
    const fitted = planConcurrency(8, 3 * GB, memoryBudget('10G', null), 8);
    assert.deepEqual([fitted.jobs, fitted.capMb, fitted.lanes], [3, 3072, 2]);
    assert.match(fitted.note ?? '', /8 jobs x 3072 MB .* exceed --max-memory 10240 MB: running 3/);
    const one = planConcurrency(4, 3 * GB, memoryBudget('2000M', null), 4);
    assert.deepEqual([one.jobs, one.capMb], [1, 2000]);
    // Its cap lowered by --max-memory: the variable would change nothing.
    assert.equal(one.raiseCap, 'raise --max-memory above 2000 MB');
    assert.throws(() => memoryBudget('100M', null), UsageError);
    // Below the least, as given: not "got 0 MB" for a size in bytes.
    assert.throws(() => memoryBudget('1B', null), /--max-memory must be at least 512 MB \(got "1B"\)/);
    assert.throws(() => memoryBudget('0.4G', null), /--max-memory must be at least 512 MB \(got "0\.4G", 409 MB\)/);
    assert.equal(parseMemory('1.5g'), 1536);
    assert.equal(parseMemory('6000'), 6000);
    assert.equal(parseMemory('2GiB'), 2048);
    assert.equal(parseMemory('8589934592B'), 8192);
    assert.equal(parseMemory('8b'), 0);
    assert.throws(() => parseMemory('7516192768'), /over a petabyte; for bytes write 7516192768B/);
    assert.throws(
      () => parseMemory('2048T'),
      (error: Error) => /over a petabyte\.$/.test(error.message),
    );
    assert.throws(() => parseMemory('lots'), UsageError);
  });

  test("a container's memory limit, less the CLI's share, lowers the jobs as --max-memory does; --max-memory wins", () => {
    const pod = planConcurrency(8, 1 * GB, memoryBudget(undefined, 4 * GB), 8);
    assert.deepEqual([pod.jobs, pod.capMb], [3, 1024]);
    assert.match(pod.note ?? '', /8 jobs x 1024 MB .* exceed the 4096 MB this process may use \(its cgroup's limit\) less 160 MB for itself: running 3/);
    assert.equal(planConcurrency(8, 1 * GB, memoryBudget('8G', 4 * GB), 8).jobs, 8);
    // A cap already the whole budget: only the budget can grow.
    assert.equal(planConcurrency(2, 3 * GB, memoryBudget('3G', null), 2).raiseCap, 'raise --max-memory above 3072 MB');
    // Its cap not lowered, a higher one fits in the budget up to one job at all of it.
    assert.equal(
      pod.raiseCap,
      "set SLIDESCOPE_ENGINE_MEMORY_CAP_MB above 1024 (at most 3936: the 4096 MB this process may use (its cgroup's limit) less 160 MB for itself), or give the container or job more than 4096 MB of memory",
    );
    assert.equal(memoryBudget(undefined, null), null);
    // Smaller than --max-memory allows: one job, capped at what there is (not a usage error: nobody typed it).
    const tiny = planConcurrency(2, 3 * GB, memoryBudget(undefined, 600 * 2 ** 20), 2);
    assert.deepEqual([tiny.jobs, tiny.capMb], [1, 440]);
    assert.equal(tiny.raiseCap, 'give the container or job more than 600 MB of memory');
    // --max-memory past the limit: taken (the user may know better), but said.
    assert.match(memoryBudget('6G', 4 * GB)?.warning ?? '', /--max-memory 6144 MB exceeds the 4096 MB this process may use \(its cgroup's limit\)/);
    assert.equal(memoryBudget('3G', 4 * GB)?.warning, null);
    // Under what an engine needs, still within the limit: each slide fails saying so, rather than the kernel ending the pod.
    assert.equal(planConcurrency(2, 3 * GB, memoryBudget(undefined, 300 * 2 ** 20), 2).capMb, 140);
  });

  test("the cores shared out are the CPU quota's, whole, when it is below the machine's", () => {
    assert.equal(batchCores(64, 2), 2);
    assert.equal(batchCores(64, 1.5), 1);
    assert.equal(batchCores(64, 0.5), 1);
    assert.equal(batchCores(4, 16), 4);
    assert.equal(batchCores(8, null), 8);
    assert.equal(parseJobs(undefined, batchCores(64, 2)), 2);
    for (const jobs of ['0x2', '1e1', '2.0', '']) assert.throws(() => parseJobs(jobs, 2), UsageError, jobs);
  });
});

describe('report merge', () => {
  test("the latest line of a slide wins, but a rerun's skip keeps the written line; counts, codes, slowest", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-report-'));
    const line = (slide: string, status: ReportLine['status'], started: string, ms: number, code?: string) =>
      reportLine(slide, status, { vendor: 'aperio', width: 100, height: 80, started, ms, error: code ? { code, message: 'why' } : null });
    const a = [line('a.svs', 'written', '2026-01-01T00:00:01Z', 900), line('b.svs', 'not-done', '2026-01-01T00:00:02Z', 0)];
    const b = [
      line('a.svs', 'skipped', '2026-01-02T00:00:00Z', 1),
      line('b.svs', 'written', '2026-01-02T00:00:01Z', 300),
      line('c.svs', 'failed', '2026-01-02T00:00:02Z', 5, 'CORRUPT_DATA'),
      line('d.svs', 'failed', '2026-01-02T00:00:03Z', 5, 'NOT_A_SLIDE'),
    ];
    await writeFile(join(dir, 'a.jsonl'), `${a.map((l) => JSON.stringify(l)).join('\n')}\n{"slide": "cut sh`);
    await writeFile(join(dir, 'b.jsonl'), `${b.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const summary = summarise(await readReports([join(dir, 'b.jsonl'), join(dir, 'a.jsonl')]), 1);
    assert.equal(summary.slides, 4);
    assert.deepEqual(summary.statuses, { written: 2, skipped: 0, failed: 2, 'not-done': 0 });
    assert.deepEqual(summary.errors, { CORRUPT_DATA: 1, NOT_A_SLIDE: 1 });
    assert.deepEqual(
      summary.slowest.map((s) => [s.slide, s.ms]),
      [['a.svs', 900]],
    );
    assert.equal(summary.meanMs, 600);
    assert.equal(summary.unreadable, 1);
    await rm(dir, { recursive: true, force: true });
  });

  test("an interrupted rerun's not-done does not undo a slide written or skipped, in either order of files", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-report-'));
    try {
      const line = (slide: string, status: ReportLine['status'], started: string) =>
        reportLine(slide, status, { started, ms: 1, error: status === 'failed' ? { code: 'CORRUPT_DATA', message: 'why' } : null });
      const first = [
        line('a.svs', 'written', '2026-01-01T00:00:01Z'),
        line('b.svs', 'skipped', '2026-01-01T00:00:02Z'),
        line('c.svs', 'failed', '2026-01-01T00:00:03Z'),
      ];
      const rerun = [
        line('a.svs', 'not-done', '2026-01-02T00:00:00Z'),
        line('b.svs', 'not-done', '2026-01-02T00:00:00Z'),
        line('c.svs', 'not-done', '2026-01-02T00:00:00Z'),
      ];
      await writeFile(join(dir, 'first.jsonl'), `${first.map((l) => JSON.stringify(l)).join('\n')}\n`);
      await writeFile(join(dir, 'rerun.jsonl'), `${rerun.map((l) => JSON.stringify(l)).join('\n')}\n`);
      for (const files of [
        ['first.jsonl', 'rerun.jsonl'],
        ['rerun.jsonl', 'first.jsonl'],
      ]) {
        const read = await readReports(files.map((f) => join(dir, f)));
        assert.deepEqual(
          read.slides.map((l) => [l.slide, l.status]).sort(),
          [
            ['a.svs', 'written'],
            ['b.svs', 'skipped'],
            ['c.svs', 'not-done'],
          ],
          files.join(', '),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("two cohorts' reports with the same relative names stay apart; one cohort's shards mounted at different places agree", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-report-'));
    try {
      const at = (path: string, slide: string, started: string) => ({ ...reportLine(slide, 'written', { started, ms: 1 }), path });
      const lines = [
        at('/data/cohort-a/case-1/slide.svs', 'case-1/slide.svs', '2026-01-01T00:00:00Z'),
        at('/data/cohort-b/case-1/slide.svs', 'case-1/slide.svs', '2026-01-01T00:00:01Z'),
        at('/mnt/nas/cohort-a/case-1/slide.svs', 'case-1/slide.svs', '2026-01-01T00:00:02Z'),
      ];
      const path = join(dir, 'r.jsonl');
      await writeFile(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const read = await readReports([path]);
      assert.deepEqual(read.slides.map((l) => l.path).sort(), ['/data/cohort-b/case-1/slide.svs', '/mnt/nas/cohort-a/case-1/slide.svs']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a slide written, failed on a rerun with --overwrite, then skipped: the same line whatever the order of the files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-report-'));
    try {
      const lines = [
        reportLine('a.svs', 'skipped', { started: '2026-01-03T00:00:00Z', ms: 1 }),
        reportLine('a.svs', 'written', { started: '2026-01-01T00:00:00Z', ms: 700 }),
        reportLine('a.svs', 'failed', { started: '2026-01-02T00:00:00Z', ms: 5, error: { code: 'IO_ERROR', message: 'disk full' } }),
      ];
      const files = lines.map((_, i) => join(dir, `${i}.jsonl`));
      await Promise.all(lines.map((line, i) => writeFile(files[i]!, `${JSON.stringify(line)}\n`)));
      for (const order of [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
      ]) {
        const read = await readReports(order.map((i) => files[i]!));
        assert.deepEqual(
          read.slides.map((l) => [l.status, l.ms]),
          [['written', 700]],
          order.join(' '),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test("a batch job's engine process: the job's lanes and cap, no warm-up, JPEG 2000 in its lanes, V8's collector and malloc set for throughput", () => {
  const launched: EngineLaunchSettings[] = [];
  const plan = planConcurrency(2, 3 * GB, null, 2);
  jobEngine(
    (settings) => {
      launched.push(settings);
      return () => {
        throw new Error('not started here');
      };
    },
    plan,
    '/tmp/journal',
  );
  assert.equal(launched.length, 1);
  const settings = launched[0]!;
  assert.deepEqual([settings.lanes, settings.memoryCapMb, settings.codecThreads, settings.warmUp], [plan.lanes, plan.capMb, 0, false]);
  assert.deepEqual(engineExecArgv(settings), ['--single-threaded-gc']);
  const env = engineEnvironment({}, settings, 'linux');
  assert.equal(env['MALLOC_ARENA_MAX'], '1');
  assert.equal(readEngineSettings(env).oldSpaceFloorMb, 64);
  // The app's engine keeps V8's parallel collector and its own heap limits.
  assert.deepEqual(engineExecArgv({}), []);
  assert.equal(readEngineSettings(engineEnvironment({}, {})).oldSpaceFloorMb, null);
  // A small cap over many lanes: the router and 4 lanes at the floor hold at most a quarter of it.
  assert.equal(batchOldSpaceMb({ batchMemory: true, lanes: 4, memoryCapMb: 512 }), 25);
});
