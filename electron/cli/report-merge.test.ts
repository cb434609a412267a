// `report merge` over shards' reports: whether the batch is whole (a shard's report left out, a shard
// whose share was empty, lines of an older Slidescope), the exit code, the versions that made it.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mergeExitCode, type ReportLine, type ReportSummary, readReports, summarise, summaryText } from './report';

/** A line of a slide of a batch of `batchSlides` slides under /data/cohort (or `more.path`), its other fields plain. */
function reportLine(slide: string, shard: string | null, batchSlides: number, more: Partial<ReportLine> = {}): ReportLine {
  return {
    slide,
    path: `/data/cohort/${slide}`,
    status: 'written',
    command: 'thumbnail',
    outputs: [],
    vendor: null,
    width: null,
    height: null,
    started: '2026-01-01T00:00:00Z',
    ms: 10,
    error: null,
    shard,
    batchSlides,
    batchSlidesAtLeast: false,
    host: 'node1',
    pid: 1,
    version: '0.1.0',
    ...more,
  };
}

/** A line as a Slidescope before the batch's count and the version were written. */
function olderLine(line: ReportLine): object {
  const { batchSlides: _count, batchSlidesAtLeast: _atLeast, version: _version, ...older } = line;
  return older;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-merge-'));
});
after(() => rm(dir, { recursive: true, force: true }));

let files = 0;
/** Each array a report file; the files merged as `report merge` does. */
async function merge(...reports: object[][]): Promise<{ summary: ReportSummary; text: string }> {
  const paths = reports.map(() => join(dir, `${files++}.jsonl`));
  await Promise.all(reports.map((lines, i) => writeFile(paths[i]!, lines.map((l) => `${JSON.stringify(l)}\n`).join(''))));
  const summary = summarise(await readReports(paths));
  return { summary, text: summaryText(summary) };
}

/** Shard K/2's lines of a batch of five: shard 1 has a, b, c and shard 2 has d, e. */
const shard1 = () => ['a.svs', 'b.svs', 'c.svs'].map((slide) => reportLine(slide, '1/2', 5));
const shard2 = () => ['d.svs', 'e.svs'].map((slide) => reportLine(slide, '2/2', 5));

describe('report merge: whether the batch is whole', () => {
  test('both shards of a batch: complete, exit 0, no line about it', async () => {
    const { summary, text } = await merge(shard2(), shard1());
    assert.deepEqual(summary.batches, [
      {
        command: 'thumbnail',
        folder: 'cohort',
        shardCount: 2,
        shardsSeen: ['1/2', '2/2'],
        shardsWithoutLines: [],
        slidesSeen: 5,
        batchSlides: 5,
        batchSlidesAtLeast: false,
        missingSlides: 0,
      },
    ]);
    assert.equal(mergeExitCode(summary), 0);
    assert.doesNotMatch(text, /missing|unknown|versions/);
  });

  test('one shard of two: the slides missing and the shard without a report are named, exit 1', async () => {
    const { summary, text } = await merge(shard1());
    assert.equal(summary.slides, 3);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsSeen, b.shardsWithoutLines, b.slidesSeen, b.missingSlides]),
      [[['1/2'], ['2/2'], 3, 2]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(
      text,
      /^missing: 2 of 5 slides have no line; no line from shard 2\/2: one or more of them did not run, or its report was not given \(a shard whose share was empty writes none\): merge every shard's report, or run those that did not run$/m,
    );
  });

  test('a shard whose share was empty wrote no line, but every slide has one: complete, exit 0', async () => {
    const lines = (shard: string, slides: string[]) => slides.map((slide) => reportLine(slide, shard, 3));
    const { summary, text } = await merge(lines('1/3', ['a.svs', 'b.svs']), lines('3/3', ['c.svs']));
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsWithoutLines, b.slidesSeen, b.batchSlides, b.missingSlides]),
      [[['2/3'], 3, 3, 0]],
    );
    assert.equal(mergeExitCode(summary), 0);
    assert.doesNotMatch(text, /missing|2\/3/);
  });

  test('a shard killed before its last lines (every shard wrote some): the slides missing, exit 1', async () => {
    const { summary, text } = await merge(shard1(), shard2().slice(0, 1));
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsWithoutLines, b.missingSlides]),
      [[[], 1]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 1 of 5 slides has no line \(a run was cut short: run it again to finish/m);
  });

  test('an unsharded run cut short: the slides missing, exit 1', async () => {
    const { summary, text } = await merge([reportLine('a.svs', null, 4), reportLine('b.svs', null, 4)]);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardCount, b.shardsSeen, b.shardsWithoutLines, b.missingSlides]),
      [[null, [], [], 2]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 2 of 4 slides have no line \(a run was cut short/m);
  });

  test("the missing shard's slides made by a rerun without --shard: complete, exit 0", async () => {
    // The rerun skips shard 1's slides (their lines stay shard 1's) and writes shard 2's.
    const rerun = [...shard1(), ...shard2()].map((l) =>
      reportLine(l.slide, null, 5, { status: l.shard === '1/2' ? 'skipped' : 'written', started: '2026-01-02T00:00:00Z' }),
    );
    const { summary, text } = await merge(shard1(), rerun);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardCount, b.shardsWithoutLines, b.slidesSeen, b.missingSlides]),
      [
        [null, [], 5, 0],
        [2, ['2/2'], 5, 0],
      ],
    );
    assert.equal(mergeExitCode(summary), 0);
    assert.doesNotMatch(text, /missing/);
  });

  test("shards' counts that are lower bounds: the largest is taken and said to be one; an exact count of the same size wins", async () => {
    const atLeast = (lines: ReportLine[], batchSlides: number) => lines.map((l) => ({ ...l, batchSlides, batchSlidesAtLeast: true }));
    const partial = await merge(atLeast(shard1(), 4));
    assert.deepEqual(
      partial.summary.batches.map((b) => [b.batchSlides, b.batchSlidesAtLeast, b.missingSlides]),
      [[4, true, 1]],
    );
    assert.match(partial.text, /^missing: at least 1 of at least 4 slides has no line; no line from shard 2\/2/m);
    const whole = await merge(atLeast(shard1(), 4), shard2(), atLeast(shard2(), 5));
    assert.deepEqual(
      whole.summary.batches.map((b) => [b.batchSlides, b.batchSlidesAtLeast, b.missingSlides]),
      [[5, false, 0]],
    );
  });

  test("two cohorts' reports merged are two batches: one whole does not hide the other's missing shard", async () => {
    const other = (lines: ReportLine[]) => lines.map((l) => ({ ...l, path: `/data/other/${l.slide}` }));
    const { summary, text } = await merge(shard1(), shard2(), other(shard1()));
    assert.deepEqual(
      summary.batches.map((b) => [b.folder, b.slidesSeen, b.missingSlides]),
      [
        ['cohort', 5, 0],
        ['other', 3, 2],
      ],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing \(thumbnail of other in 2 shards\): 2 of 5 slides have no line; no line from shard 2\/2/m);
    assert.doesNotMatch(text, /thumbnail of cohort/);
  });

  test('lines of an older Slidescope (no count, no version; the oldest no shard or command): completeness unknown, not missing, exit 0', async () => {
    const oldest = { slide: 'z.svs', path: '/data/cohort/z.svs', status: 'written', started: '2025-01-01T00:00:00Z', ms: 3 };
    const { summary, text } = await merge(shard1().map(olderLine), [oldest]);
    assert.equal(summary.slides, 4);
    assert.deepEqual(
      summary.batches.map((b) => [b.command, b.shardCount, b.shardsWithoutLines, b.batchSlides, b.batchSlidesAtLeast, b.missingSlides]),
      [
        ['', null, [], null, null, null],
        ['thumbnail', 2, ['2/2'], null, null, null],
      ],
    );
    assert.deepEqual(summary.versions, [{ version: null, slides: 4 }]);
    assert.equal(mergeExitCode(summary), 0);
    assert.match(text, /completeness unknown \(thumbnail of cohort in 2 shards\): .*; no line from shard 2\/2 \(missing, or its share was empty\)/);
    assert.doesNotMatch(text, /missing[ :(]/);
  });

  test("a rerun's lines give the count where the slides' lines, an older Slidescope's, do not", async () => {
    // The rerun skips every slide, so each slide's line stays the older run's.
    const rerun = [...shard1(), ...shard2()].map((l) => ({ ...l, status: 'skipped' as const, started: '2026-01-02T00:00:00Z' }));
    const { summary } = await merge([...shard1(), ...shard2()].map(olderLine), rerun);
    assert.deepEqual(
      summary.batches.map((b) => [b.batchSlides, b.missingSlides]),
      [[5, 0]],
    );
    assert.deepEqual(summary.versions, [{ version: null, slides: 5 }]);
  });
});

describe('report merge: exit code and versions', () => {
  test('a slide failed or not done: exit 1 though the batch is whole', async () => {
    const failed = shard2().map((l, i) => (i === 0 ? { ...l, status: 'failed' as const, error: { code: 'CORRUPT_DATA', message: 'why' } } : l));
    const notDone = shard2().map((l, i) => (i === 0 ? { ...l, status: 'not-done' as const } : l));
    for (const [name, lines] of [
      ['failed', failed],
      ['not-done', notDone],
    ] as const) {
      const { summary } = await merge(shard1(), lines);
      assert.equal(summary.batches[0]!.missingSlides, 0, name);
      assert.equal(summary.statuses[name], 1, name);
      assert.equal(mergeExitCode(summary), 1, name);
    }
  });

  test('reports without a line show nothing done: exit 1', async () => {
    const { summary } = await merge([]);
    assert.equal(summary.slides, 0);
    assert.equal(mergeExitCode(summary), 1);
  });

  test('a batch made by two versions: each with its slides, and a line for them', async () => {
    const rerun = shard2().map((l) => ({ ...l, version: '0.10.0' }));
    const { summary, text } = await merge(rerun, shard1().map(olderLine), [reportLine('f.svs', '2/2', 5, { version: '0.9.2' })]);
    assert.deepEqual(summary.versions, [
      { version: '0.9.2', slides: 1 },
      { version: '0.10.0', slides: 2 },
      { version: null, slides: 3 },
    ]);
    assert.match(text, /^made by versions: 0\.9\.2 1 slide, 0\.10\.0 2 slides, not recorded \(older\) 3 slides$/m);
  });
});
