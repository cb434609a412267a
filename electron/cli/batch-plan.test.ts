// The batch's pure parts in process: the shard split, --shard auto's variables, the inputs' keys
// and mirrored outputs, the jobs under --max-memory, the report's merge.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { SlideError } from '../engine/errors';
import { batchOldSpaceMb, type EngineLaunchSettings, engineExecArgv } from '../engine-host/engine-settings';
import { jobEngine, runBatch } from './batch';
import { parseMemory, planConcurrency } from './concurrency';
import { collectInputs, outputStems, type SlideInput } from './inputs';
import { formatGroup, JobQueue } from './job-queue';
import { openReport, type ReportLine, readReports, summarise } from './report';
import { inShard, parseShard } from './shards';
import { UsageError } from './usage-error';

const GB = 2 ** 30;

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

describe('a report that cannot be written', () => {
  test("stops the batch as a signal would: no slide started after it, the error the batch's", async () => {
    const inputs = Array.from({ length: 12 }, (_, i): SlideInput => ({ path: `/c/s${i}.svs`, key: `s${i}.svs`, bytes: 100 - i }));
    const started: string[] = [];
    let writes = 0;
    const never = (): never => {
      throw new Error('no engine is needed');
    };
    const batch = runBatch({
      command: 'thumbnail',
      inputs,
      plan: { jobs: 2, capMb: 1024, lanes: 1, note: null },
      work: async (_engine, input) => {
        started.push(input.key);
        await new Promise((r) => setTimeout(r, 5));
        return { status: 'written', outputs: [], vendor: null, width: null, height: null, error: null };
      },
      interrupt: { stopping: false, abandon: new AbortController().signal, exitCode: () => null, dispose() {} },
      progress: { update() {}, finish() {} },
      report: {
        async write() {
          if (++writes === 3) throw new SlideError('IO_ERROR', 'The report cannot be written (ENOSPC).', '/r.jsonl');
        },
        async close() {},
      },
      shard: null,
      partialWritesDir: '/nonexistent',
      launchEngine: never,
    });
    await assert.rejects(batch, (error: SlideError) => error.code === 'IO_ERROR' && /ENOSPC/.test(error.message));
    // The third line failed while the other job's slide was being made: at most that one more started,
    // and none after (a job still taking slides would have started several by now).
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(started.length <= 4, `${started.length} slides started`);
    assert.equal(writes, 3);
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

describe('jobs and memory', () => {
  test("--max-memory lowers the jobs so that jobs x cap fits, or the one job's cap", () => {
    assert.deepEqual(planConcurrency(2, 3 * GB, null, 2), { jobs: 2, capMb: 3072, lanes: 1, note: null });
    assert.equal(planConcurrency(8, 3 * GB, null, 8).lanes, 1);
    assert.equal(planConcurrency(1, 3 * GB, null, 8).lanes, 4);
    const fitted = planConcurrency(8, 3 * GB, parseMemory('10G'), 8);
    assert.deepEqual([fitted.jobs, fitted.capMb, fitted.lanes], [3, 3072, 2]);
    assert.match(fitted.note ?? '', /8 jobs x 3072 MB .* exceed --max-memory 10240 MB: running 3/);
    const one = planConcurrency(4, 3 * GB, parseMemory('2000M'), 4);
    assert.deepEqual([one.jobs, one.capMb], [1, 2000]);
    assert.throws(() => planConcurrency(1, 3 * GB, 100, 4), UsageError);
    assert.equal(parseMemory('1.5g'), 1536);
    assert.equal(parseMemory('6000'), 6000);
    assert.equal(parseMemory('2GiB'), 2048);
    assert.throws(() => parseMemory('lots'), UsageError);
  });
});

describe('report merge', () => {
  test("the latest line of a slide wins, but a rerun's skip keeps the written line; counts, codes, slowest", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-report-'));
    const line = (slide: string, status: ReportLine['status'], started: string, ms: number, code?: string): ReportLine => ({
      slide,
      path: `/data/${slide}`,
      status,
      command: 'thumbnail',
      outputs: [],
      vendor: 'aperio',
      width: 100,
      height: 80,
      started,
      ms,
      error: code ? { code, message: 'why' } : null,
      shard: null,
      host: 'node1',
      pid: 1,
    });
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
});

test("a batch job's engine process: the job's lanes and cap, no warm-up, JPEG 2000 in its lanes, V8's collector set for throughput", () => {
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
  assert.deepEqual(engineExecArgv(settings), ['--max-old-space-size=512', '--single-threaded-gc', '--initial-old-space-size=64']);
  // The app's engine keeps V8's parallel collector.
  assert.deepEqual(engineExecArgv({}), ['--max-old-space-size=512']);
  // A small cap over many lanes: the router and 4 lanes at the floor hold at most a quarter of it.
  assert.equal(batchOldSpaceMb({ batchGc: true, lanes: 4, memoryCapMb: 512 }), 25);
});
