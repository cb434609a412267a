// `report merge` over shards' reports: whether the batch is whole (a shard's report left out, a shard
// whose share was empty, lines of an older Slidescope), the exit code, the versions that made it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { plainReportLine } from '../../testing/report-lines';
import { firstControl } from './printable';
import { mergeExitCode, type ReportLine, type ReportSummary, readReports, summarise, summaryText } from './report';
import { MAX_SHARDS } from './shards';

/** A line of a slide, its own input, of a batch of `batchInputs` inputs under /data/cohort (or `more.path`), its other fields plain. */
function reportLine(slide: string, shard: string | null, batchInputs: number, more: Partial<ReportLine> = {}): ReportLine {
  return plainReportLine(slide, { path: `/data/cohort/${slide}`, started: '2026-01-01T00:00:00Z', ms: 10, shard, batchInputs, ...more });
}

/** A line as a Slidescope before the batch's count, the slide's input and the version were written. */
function olderLine(line: ReportLine): object {
  const { batchInputs: _count, input: _input, version: _version, ...older } = line;
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
        outputSet: null,
        folder: 'cohort',
        shardCount: 2,
        shardsSeen: ['1/2', '2/2'],
        shardsWithoutLines: [],
        slidesSeen: 5,
        inputsSeen: 5,
        batchInputs: 5,
        missingInputs: 0,
        missingInputsAtLeast: false,
        inputsPartlySeen: [],
        missingSlidesOfInputsSeen: 0,
      },
    ]);
    assert.equal(mergeExitCode(summary), 0);
    assert.doesNotMatch(text, /missing|unknown|versions/);
  });

  test('one shard of two: the slides missing and the shard without a report are named, exit 1', async () => {
    const { summary, text } = await merge(shard1());
    assert.equal(summary.slides, 3);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsSeen, b.shardsWithoutLines, b.slidesSeen, b.missingInputs]),
      [[['1/2'], ['2/2'], 3, 2]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(
      text,
      /^missing: 2 of 5 inputs \(slides, or DICOM folders of several slides\) have no line; no line from shard 2\/2: one or more of them did not run, or its report was not given \(a shard whose share was empty writes none\): merge every shard's report, or run those that did not run$/m,
    );
  });

  test('a shard whose share was empty wrote no line, but every slide has one: complete, exit 0', async () => {
    const lines = (shard: string, slides: string[]) => slides.map((slide) => reportLine(slide, shard, 3));
    const { summary, text } = await merge(lines('1/3', ['a.svs', 'b.svs']), lines('3/3', ['c.svs']));
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsWithoutLines, b.slidesSeen, b.batchInputs, b.missingInputs]),
      [[['2/3'], 3, 3, 0]],
    );
    assert.equal(mergeExitCode(summary), 0);
    assert.doesNotMatch(text, /missing|2\/3/);
  });

  test('a shard killed before its last lines (every shard wrote some): the slides missing, exit 1', async () => {
    const { summary, text } = await merge(shard1(), shard2().slice(0, 1));
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsWithoutLines, b.missingInputs]),
      [[[], 1]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 1 of 5 inputs \(slides, or DICOM folders of several slides\) has no line \(a run was cut short: run it again to finish/m);
  });

  test('an unsharded run cut short: the slides missing, exit 1', async () => {
    const { summary, text } = await merge([reportLine('a.svs', null, 4), reportLine('b.svs', null, 4)]);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardCount, b.shardsSeen, b.shardsWithoutLines, b.missingInputs]),
      [[null, [], [], 2]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 2 of 4 inputs \(slides, or DICOM folders of several slides\) have no line \(a run was cut short/m);
  });

  test("the missing shard's slides made by a rerun without --shard: complete, exit 0", async () => {
    // The rerun skips shard 1's slides (their lines stay shard 1's) and writes shard 2's.
    const rerun = [...shard1(), ...shard2()].map((l) =>
      reportLine(l.slide, null, 5, { status: l.shard === '1/2' ? 'skipped' : 'written', started: '2026-01-02T00:00:00Z' }),
    );
    const { summary, text } = await merge(shard1(), rerun);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardCount, b.shardsWithoutLines, b.slidesSeen, b.missingInputs]),
      [
        [null, [], 5, 0],
        [2, ['2/2'], 5, 0],
      ],
    );
    assert.equal(mergeExitCode(summary), 0);
    assert.doesNotMatch(text, /missing/);
  });

  test('a rerun after an input was added counts it: the largest count is taken', async () => {
    const grown = shard2().map((l) => ({ ...l, batchInputs: 6, started: '2026-01-02T00:00:00Z' }));
    const { summary, text } = await merge(shard1(), grown);
    assert.deepEqual(
      summary.batches.map((b) => [b.batchInputs, b.missingInputs]),
      [[6, 1]],
    );
    assert.match(text, /^missing: 1 of 6 inputs \(slides, or DICOM folders of several slides\) has no line \(a run was cut short/m);
    const done = await merge(shard1(), grown, [reportLine('f.svs', '2/2', 6)]);
    assert.deepEqual(
      done.summary.batches.map((b) => [b.batchInputs, b.missingInputs]),
      [[6, 0]],
    );
  });

  /** Lines of the slides of a DICOM folder of several, each with the folder as its input and its count of slides. */
  const folderLines = (folder: string, slides: number, shard: string | null, batchInputs: number) =>
    Array.from({ length: slides }, (_, i) => reportLine(`${folder}/${i + 1}.dcm`, shard, batchInputs, { input: folder, inputSlides: slides }));

  test("a DICOM folder of three slides is one input: shard 2/2's report left out is missing, exit 1; given, exit 0", async () => {
    // Four inputs: the folder scan and a.svs in shard 1/2, b.svs and c.svs in shard 2/2.
    const first = [...folderLines('scan', 3, '1/2', 4), reportLine('a.svs', '1/2', 4)];
    const second = ['b.svs', 'c.svs'].map((slide) => reportLine(slide, '2/2', 4));
    const { summary, text } = await merge(first);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsWithoutLines, b.slidesSeen, b.inputsSeen, b.batchInputs, b.missingInputs]),
      [[['2/2'], 4, 2, 4, 2]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 2 of 4 inputs \(slides, or DICOM folders of several slides\) have no line; no line from shard 2\/2: /m);
    const whole = await merge(second, first);
    assert.deepEqual(
      whole.summary.batches.map((b) => [b.shardsWithoutLines, b.slidesSeen, b.inputsSeen, b.missingInputs]),
      [[[], 6, 4, 0]],
    );
    assert.equal(mergeExitCode(whole.summary), 0);
    assert.doesNotMatch(whole.text, /missing/);
  });

  test("one shard's DICOM folder of several slides does not make up for another shard's report left out", async () => {
    // Three inputs: the folder scan in shard 1/3, b.svs in shard 2/3, the folder more in shard 3/3. Each
    // shard that left the others' folders unopened counted them as a slide each: 5, fewer than the 6
    // slides of shards 1 and 3, which hid shard 2's report.
    const { summary, text } = await merge(folderLines('scan', 3, '1/3', 3), folderLines('more', 3, '3/3', 3));
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsWithoutLines, b.slidesSeen, b.inputsSeen, b.missingInputs]),
      [[['2/3'], 6, 2, 1]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 1 of 3 inputs \(slides, or DICOM folders of several slides\) has no line; no line from shard 2\/3/m);
  });

  test('a run killed partway through a DICOM folder: its slides without a line are missing, exit 1; finished, exit 0', async () => {
    // Unsharded over scan (4 slides) and a.svs, killed (no not-done lines) once scan/1, scan/2 and a.svs were done.
    const killed = [...folderLines('scan', 4, null, 2).slice(0, 2), reportLine('a.svs', null, 2)];
    const { summary, text } = await merge(killed);
    assert.deepEqual(
      summary.batches.map((b) => [b.slidesSeen, b.inputsSeen, b.missingInputs, b.inputsPartlySeen, b.missingSlidesOfInputsSeen]),
      [[3, 2, 0, [{ input: 'scan', inputSlides: 4, slidesSeen: 2 }], 2]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 2 of the 4 slides of DICOM folder "scan" have no line \(a run was cut short: run it again to finish/m);
    const rerun = folderLines('scan', 4, null, 2).map((l) => ({ ...l, started: '2026-01-02T00:00:00Z' }));
    const done = await merge(killed, rerun);
    assert.deepEqual(
      done.summary.batches.map((b) => [b.missingInputs, b.inputsPartlySeen, b.missingSlidesOfInputsSeen]),
      [[0, [], 0]],
    );
    assert.equal(mergeExitCode(done.summary), 0);
    assert.doesNotMatch(done.text, /missing/);
  });

  test("folders partly seen and a shard's report left out: both said, each with its cause", async () => {
    // Three inputs: scan (4 slides) in shard 1/3, b.svs in shard 2/3 (its report left out), more (3 slides) in shard 3/3.
    const { summary, text } = await merge(folderLines('scan', 4, '1/3', 3).slice(0, 1), folderLines('more', 3, '3/3', 3).slice(0, 2));
    assert.deepEqual(
      summary.batches.map((b) => [b.missingInputs, b.inputsPartlySeen.map((p) => p.input), b.missingSlidesOfInputsSeen]),
      [[1, ['more', 'scan'], 4]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(
      text,
      /^missing: 1 of 3 inputs \(slides, or DICOM folders of several slides\) has no line; no line from shard 2\/3: .*, or run those that did not run; and 4 of the 7 slides of 2 DICOM folders, such as "more", have no line \(a run was cut short/m,
    );
  });

  test("a DICOM file listed on its own in one run and in its folder in another: the latest listing's input, in either order", async () => {
    // First the folder scan (two slides, one input), then each of its files named on its own (two inputs): the rerun skips both.
    const asFolder = folderLines('scan', 2, null, 1);
    const onTheirOwn = asFolder.map((l) => reportLine(l.slide, null, 2, { status: 'skipped', started: '2026-01-02T00:00:00Z' }));
    for (const reports of [
      [asFolder, onTheirOwn],
      [onTheirOwn, asFolder],
    ]) {
      const { summary } = await merge(...reports);
      assert.deepEqual(
        summary.batches.map((b) => [b.inputsSeen, b.batchInputs, b.missingInputs, b.missingSlidesOfInputsSeen]),
        [[2, 2, 0, 0]],
      );
      assert.equal(mergeExitCode(summary), 0);
    }
  });

  test('a shard whose share was empty, beside a DICOM folder of several slides: complete, exit 0', async () => {
    // Two inputs: the folder scan in shard 1/3, b.svs in shard 2/3; shard 3/3 took none.
    const { summary, text } = await merge(folderLines('scan', 3, '1/3', 2), [reportLine('b.svs', '2/3', 2)]);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardsWithoutLines, b.inputsSeen, b.missingInputs]),
      [[['3/3'], 2, 0]],
    );
    assert.equal(mergeExitCode(summary), 0);
    assert.doesNotMatch(text, /missing|3\/3/);
  });

  test("two cohorts' reports merged are two batches: one whole does not hide the other's missing shard", async () => {
    const other = (lines: ReportLine[]) => lines.map((l) => ({ ...l, path: `/data/other/${l.slide}` }));
    const { summary, text } = await merge(shard1(), shard2(), other(shard1()));
    assert.deepEqual(
      summary.batches.map((b) => [b.folder, b.slidesSeen, b.missingInputs]),
      [
        ['cohort', 5, 0],
        ['other', 3, 2],
      ],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(
      text,
      /^missing \(thumbnail of other in 2 shards\): 2 of 5 inputs \(slides, or DICOM folders of several slides\) have no line; no line from shard 2\/2/m,
    );
    assert.doesNotMatch(text, /thumbnail of cohort/);
  });

  test('lines of an older Slidescope (no count, no version; the oldest no shard or command): completeness unknown, not missing, exit 0', async () => {
    const oldest = { slide: 'z.svs', path: '/data/cohort/z.svs', status: 'written', started: '2025-01-01T00:00:00Z', ms: 3 };
    const { summary, text } = await merge(shard1().map(olderLine), [oldest]);
    assert.equal(summary.slides, 4);
    assert.deepEqual(
      summary.batches.map((b) => [b.command, b.shardCount, b.shardsWithoutLines, b.inputsSeen, b.batchInputs, b.missingInputs]),
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

  test("a count from newer lines, but some slides' lines do not give their input: completeness unknown, exit 0", async () => {
    // An older line's slide may be one of a DICOM folder's: how many inputs its slides make cannot be told.
    const { summary, text } = await merge(shard1().map(olderLine), shard2());
    assert.deepEqual(
      summary.batches.map((b) => [b.slidesSeen, b.inputsSeen, b.batchInputs, b.missingInputs]),
      [[5, null, 5, null]],
    );
    assert.equal(mergeExitCode(summary), 0);
    assert.match(text, /^completeness unknown: the lines do not give the batch's inputs \(an older Slidescope wrote them\)$/m);
  });

  test("some slides' lines do not give their input, but the slides seen are fewer than the inputs: at least that many missing, exit 1", async () => {
    // Each slide is one input at most: shard 1's three older slides and d.svs are 4 inputs at most, of 5.
    const { summary, text } = await merge(shard1().map(olderLine), shard2().slice(0, 1));
    assert.deepEqual(
      summary.batches.map((b) => [b.slidesSeen, b.inputsSeen, b.batchInputs, b.missingInputs, b.missingInputsAtLeast]),
      [[4, null, 5, 1, true]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: at least 1 of 5 inputs \(slides, or DICOM folders of several slides\) has no line \(a run was cut short/m);
  });

  test('a folder whose lines give no count of its slides (a build before inputSlides) is not judged; another folder still is', async () => {
    const { inputSlides: _slides, ...before } = reportLine('old/1.dcm', null, 2, { input: 'old' });
    const killed = reportLine('new/1.dcm', null, 2, { input: 'new', inputSlides: 4 });
    const { summary, text } = await merge([before, killed]);
    assert.deepEqual(
      summary.batches.map((b) => [b.missingInputs, b.inputsPartlySeen.map((f) => f.input), b.missingSlidesOfInputsSeen]),
      [[0, ['new'], 3]],
    );
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^missing: 3 of the 4 slides of DICOM folder "new" have no line/m);
  });

  test("a folder's slide retried on its own through --list, as the docs say: the folder is whole", async () => {
    const scan = ['1', '2', '3', '4'].map((n) =>
      reportLine(`scan/${n}.dcm`, null, 1, {
        input: 'scan',
        inputSlides: 4,
        ...(n === '3' ? { status: 'failed' as const, error: { code: 'CORRUPT_DATA', message: 'why' } } : {}),
      }),
    );
    const retry = [reportLine('scan/3.dcm', null, 1, { started: '2026-01-02T00:00:00Z' })];
    for (const files of [
      [scan, retry],
      [retry, scan],
    ]) {
      const { summary } = await merge(...files);
      assert.deepEqual(
        summary.batches.map((b) => b.missingSlidesOfInputsSeen),
        [0],
      );
      assert.equal(summary.statuses.failed, 0);
      assert.equal(mergeExitCode(summary), 0);
    }
  });

  test("a folder's count is the largest its lines give: one that lost a series after a run was cut short stays short until merged apart", async () => {
    // A run cut short or a --list of some slides cannot tell itself from a whole run: the merge errs towards missing.
    const killed = ['1', '2'].map((n) => reportLine(`scan/${n}.dcm`, null, 1, { input: 'scan', inputSlides: 4 }));
    const rerun = ['1', '2', '3'].map((n) => reportLine(`scan/${n}.dcm`, null, 1, { input: 'scan', inputSlides: 3, started: '2026-01-02T00:00:00Z' }));
    const both = (await merge(killed, rerun)).summary;
    assert.deepEqual(
      both.batches.map((b) => b.missingSlidesOfInputsSeen),
      [1],
    );
    assert.equal(mergeExitCode(both), 1);
    // The rerun's own report (a rerun writes a line for every slide, done or skipped) is whole.
    assert.equal(mergeExitCode((await merge(rerun)).summary), 0);
  });

  test("a --list retry of some slides does not lower the batch's count: inputs a killed run never reached stay missing", async () => {
    const killed = ['a', 'b', 'c'].map((n, i) =>
      reportLine(`${n}.svs`, null, 10, i === 0 ? { status: 'failed', error: { code: 'CORRUPT_DATA', message: 'why' } } : {}),
    );
    const retry = [reportLine('a.svs', null, 1, { started: '2026-01-02T00:00:00Z' })];
    const { summary } = await merge(killed, retry);
    assert.deepEqual(
      summary.batches.map((b) => [b.batchInputs, b.missingInputs]),
      [[10, 7]],
    );
    assert.equal(mergeExitCode(summary), 1);
  });

  test("a folder's missing slides are told once, in the batch of the line that gave its count", async () => {
    const killed = ['1', '2'].map((n) => reportLine(`scan/${n}.dcm`, '1/2', 2, { input: 'scan', inputSlides: 4 }));
    const other = [reportLine('a.svs', '2/2', 2)];
    const rerunOfA = [reportLine('a.svs', '1/3', 2, { status: 'skipped', started: '2026-01-02T00:00:00Z' })];
    const { summary, text } = await merge(killed, other, rerunOfA);
    assert.deepEqual(
      summary.batches.map((b) => [b.shardCount, b.missingSlidesOfInputsSeen]),
      [
        [2, 2],
        [3, 0],
      ],
    );
    assert.equal(text.match(/slides of DICOM folder "scan"/g)?.length, 1);
  });

  test("a rerun's lines give the count where the slides' lines, an older Slidescope's, do not", async () => {
    // The rerun skips every slide, so each slide's line stays the older run's.
    const rerun = [...shard1(), ...shard2()].map((l) => ({ ...l, status: 'skipped' as const, started: '2026-01-02T00:00:00Z' }));
    const { summary } = await merge([...shard1(), ...shard2()].map(olderLine), rerun);
    assert.deepEqual(
      summary.batches.map((b) => [b.batchInputs, b.missingInputs]),
      [[5, 0]],
    );
    assert.deepEqual(summary.versions, [{ version: null, slides: 5 }]);
  });
});

describe('report merge: which lines are one batch', () => {
  const big = 'thumbnail --size 8000 --colour srgb --format png';
  const small = 'thumbnail --size 256 --colour srgb --format png';

  test('runs of other options are other batches: a slide failed at 8000 px stays failed though written at 256', async () => {
    const failed = reportLine('big.svs', null, 2, { outputSet: big, status: 'failed', error: { code: 'TOO_LARGE', message: 'too large' } });
    const { summary, text } = await merge(
      [reportLine('a.svs', null, 2, { outputSet: big }), failed],
      ['a.svs', 'big.svs'].map((slide) => reportLine(slide, null, 2, { outputSet: small, started: '2026-01-02T00:00:00Z' })),
    );
    assert.deepEqual(
      summary.batches.map((b) => [b.outputSet, b.slidesSeen]),
      [
        [small, 2],
        [big, 2],
      ],
    );
    assert.equal(summary.statuses.failed, 1);
    assert.equal(mergeExitCode(summary), 1);
    assert.match(text, /^4 slides: 3 written, 0 skipped \(already done\), 1 failed/);
    // Failed in which of them: said where the reports hold several.
    assert.match(text, /\n {2}big\.svs \(thumbnail --size 8000 --colour srgb --format png of cohort\): TOO_LARGE: too large/);
    assert.equal(summary.failed[0]?.batch, `${big} of cohort`);
  });

  test("an upgrade partway through a cohort: an older Slidescope's lines (no outputSet) join the batch their folder's lines name", async () => {
    const older = shard1().map(({ outputSet: _set, cohort: _cohort, ...line }) => line);
    const { summary } = await merge(
      older,
      shard2().map((line) => ({ ...line, outputSet: small, cohort: 'cohort' })),
    );
    assert.deepEqual(
      summary.batches.map((b) => [b.outputSet, b.shardsWithoutLines, b.missingInputs]),
      [[small, [], 0]],
    );
    // Where the folder's lines name two sets, an older line's is not known: it stays apart.
    const two = await merge(older, [reportLine('d.svs', '2/2', 5, { outputSet: small }), reportLine('e.svs', '2/2', 5, { outputSet: big })]);
    assert.equal(two.summary.batches.length, 3);
  });

  test('a slide whose name holds a backslash (not a separator but on Windows): the cohort is the folder its key is relative to', async () => {
    const lines = ['x\\y.svs', 'z.svs'].map((slide) => reportLine(slide, null, 2, { path: `/data/cohortX/${slide}` }));
    const { summary } = await merge(lines);
    assert.deepEqual(
      summary.batches.map((b) => [b.folder, b.slidesSeen, b.missingInputs]),
      [['cohortX', 2, 0]],
    );
  });

  test('a rerun that reached the cohort by another path (a link to it) is the same batch: its real name', async () => {
    const first = ['a.svs', 'b.svs'].map((slide) =>
      reportLine(slide, null, 2, { path: `/home/me/cohort-link/${slide}`, cohort: 'cohort 코호트', outputSet: small }),
    );
    first[1] = { ...first[1]!, status: 'failed', error: { code: 'IO_ERROR', message: 'share gone' } };
    const retry = reportLine('b.svs', null, 1, {
      path: '/data/cohort 코호트/b.svs',
      cohort: 'cohort 코호트',
      outputSet: small,
      listedIn: null,
      started: '2026-01-02T00:00:00Z',
    });
    const { summary } = await merge(first, [retry]);
    assert.deepEqual(
      summary.batches.map((b) => [b.folder, b.slidesSeen]),
      [['cohort 코호트', 2]],
    );
    assert.equal(summary.statuses.failed, 0);
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
      assert.equal(summary.batches[0]!.missingInputs, 0, name);
      assert.equal(summary.statuses[name], 1, name);
      assert.equal(mergeExitCode(summary), 1, name);
    }
  });

  test('a folder that could not be listed, listed by a later run: its failure is gone, its slides count', async () => {
    // The share did not answer for site-b: one failed line for the folder, in a batch of 2 inputs.
    const first = [
      reportLine('a.svs', null, 2),
      reportLine('site-b', null, 2, { status: 'failed', error: { code: 'IO_ERROR', message: 'The folder cannot be read (EIO)' } }),
    ];
    // The whole cohort again: every slide found by listing its folder.
    const later = { started: '2026-01-02T00:00:00Z', listedIn: '' };
    const rerun = [
      reportLine('a.svs', null, 3, { ...later, status: 'skipped' }),
      reportLine('site-b/1.svs', null, 3, later),
      reportLine('site-b/2.svs', null, 3, later),
    ];
    // Lines of a build before `listedIn`: a run counting as many inputs as any is taken for a whole one.
    const older = rerun.map(({ listedIn: _listedIn, ...line }) => line as ReportLine);
    for (const files of [
      [first, rerun],
      [rerun, first],
      [first, older],
    ]) {
      const { summary } = await merge(...files);
      assert.equal(summary.statuses.failed, 0);
      assert.deepEqual([summary.slides, summary.batches[0]!.inputsSeen, summary.batches[0]!.missingInputs], [3, 3, 0]);
      assert.equal(mergeExitCode(summary), 0);
    }
    // Its failure stays while no later run has listed it: lines from before it, or one of its files
    // made alone (--list, a run counting fewer inputs), or a slide that failed otherwise.
    for (const lines of [
      [reportLine('site-b/1.svs', null, 3, { started: '2025-12-31T00:00:00Z', listedIn: '' })],
      [reportLine('site-b/urgent.svs', null, 1, { ...later, listedIn: null })],
    ]) {
      const { summary } = await merge(first, lines);
      assert.equal(summary.statuses.failed, 1);
      assert.equal(mergeExitCode(summary), 1);
    }
    const corrupt = first.map((l) => (l.slide === 'site-b' ? { ...l, error: { code: 'CORRUPT_DATA', message: 'why' } } : l));
    assert.equal((await merge(corrupt, rerun)).summary.statuses.failed, 1);
  });

  test('a folder that could not be listed, listed again by a rerun naming it (or a folder above it): its failure is gone', async () => {
    const first = [
      reportLine('a.svs', null, 2),
      reportLine('site-b', null, 2, { status: 'failed', error: { code: 'IO_ERROR', message: 'The folder cannot be read (EIO)' } }),
    ];
    const later = { started: '2026-01-02T00:00:00Z' };
    // `slidescope thumbnail --list retry.txt --root cohort --recursive`, retry.txt naming site-b: two inputs of its own.
    const retry = (listedIn: string | null) => [
      reportLine('site-b/1.svs', null, 2, { ...later, listedIn }),
      reportLine('site-b/2.svs', null, 2, { ...later, listedIn }),
    ];
    for (const listedIn of ['site-b', '']) {
      const { summary } = await merge(first, retry(listedIn));
      assert.equal(summary.statuses.failed, 0, `listed in "${listedIn}"`);
      assert.equal(mergeExitCode(summary), 0, `listed in "${listedIn}"`);
    }
    // Its files named one by one, or found in another folder's listing, do not show it was listed whole.
    for (const listedIn of [null, 'site-a', 'site-b/1.svs']) {
      const { summary } = await merge(first, retry(listedIn));
      assert.equal(summary.statuses.failed, 1, `listed in ${listedIn}`);
      assert.equal(mergeExitCode(summary), 1, `listed in ${listedIn}`);
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

describe('report merge: lines that are not what a Slidescope writes', () => {
  test('a shard count past what --shard accepts (or K outside 1..N) is an unreadable line, not an allocation per shard', async () => {
    for (const shard of ['1/4000000000', '1/50000000', `1/${MAX_SHARDS + 1}`, '0/2', '3/2', '1/0']) {
      const { summary, text } = await merge([reportLine('a.svs', shard, 1)]);
      assert.equal(summary.slides, 0, shard);
      assert.equal(summary.unreadable, 1, shard);
      assert.match(text, /^1 line\(s\) were not report lines and were ignored$/m, shard);
    }
  });

  test('a field the summary uses of the wrong type or shape is an unreadable line: never `undefined` or `[object Object]` printed', async () => {
    const failed = { status: 'failed' as const, error: { code: 'CORRUPT_DATA', message: 'bad tile' } };
    const wrong: Array<[string, object]> = [
      ['error a string', { ...failed, error: 'CORRUPT_DATA' }],
      ['error without its code', { ...failed, error: { message: 'bad tile' } }],
      ['error code a number', { ...failed, error: { code: 7, message: 'bad tile' } }],
      ['width an object', { width: {}, height: 828 }],
      ['height a string', { width: 600, height: '828' }],
      ['width not whole', { width: 1.5, height: 828 }],
      ['vendor a number', { vendor: 3 }],
      ['status unknown', { status: 'done' }],
      ['ms negative', { ms: -1 }],
      ['ms a string', { ms: '10' }],
      ['slide a number', { slide: 1 }],
      ['command an array', { command: ['thumbnail'] }],
      ['shard a number', { shard: 2 }],
      ['batchInputs a string', { batchInputs: '5' }],
      ['input null', { input: null }],
      ['inputSlides not whole', { inputSlides: 0.5 }],
      ['listedIn a number', { listedIn: 0 }],
      ['version a number', { version: 1 }],
      ['outputSet null', { outputSet: null }],
      ['cohort a number', { cohort: 1 }],
      ['outputs not an array', { outputs: 'a.png' }],
    ];
    for (const [why, fields] of wrong) {
      const { summary, text } = await merge([{ ...reportLine('a.svs', null, 1), ...fields }, reportLine('b.svs', null, 2)]);
      assert.equal(summary.unreadable, 1, why);
      assert.equal(summary.slides, 1, why);
      assert.doesNotMatch(text, /undefined|\[object Object\]|NaN/, why);
    }
  });

  test('the fields a hand-made or older line leaves out are read as absent: its summary prints no `undefined`', async () => {
    const { summary, text } = await merge([
      { slide: 'a.svs', path: '/c/a.svs', status: 'written', started: '2024', ms: 1 },
      { slide: 'b.svs', path: '/c/b.svs', status: 'failed', started: '2024', ms: 2 },
    ]);
    assert.equal(summary.unreadable, 0);
    assert.deepEqual(summary.slowest, [{ slide: 'a.svs', ms: 1, vendor: null, width: null, height: null }]);
    assert.deepEqual(summary.failed, [{ slide: 'b.svs', code: 'INTERNAL', message: '' }]);
    assert.doesNotMatch(text, /undefined|\[object Object\]|NaN/);
  });

  test("a slide's name or error message holding control characters is printed escaped", async () => {
    const { text } = await merge([
      reportLine('a\x1b]0;owned\x07.svs', null, 2, { status: 'failed', error: { code: 'CORRUPT_DATA', message: 'bad\ntile\x1b[2J' } }),
      reportLine('b\u009b.svs', null, 2, { status: 'not-done' }),
    ]);
    assert.equal(firstControl(text, '\n'), -1, JSON.stringify(text));
    assert.match(text, /^ {2}a\\x1B\]0;owned\\x07\.svs: CORRUPT_DATA: bad\\x0Atile\\x1B\[2J$/m);
    assert.match(text, /^ {2}b\\x9B\.svs$/m);
  });

  test('the largest shard count --shard accepts is read; the text names the first shards without a line, and how many more', async () => {
    const { summary, text } = await merge([reportLine('a.svs', `1/${MAX_SHARDS}`, 2)]);
    assert.equal(summary.unreadable, 0);
    assert.equal(summary.batches[0]?.shardsWithoutLines.length, MAX_SHARDS - 1);
    assert.match(text, new RegExp(`no line from shards 2/${MAX_SHARDS}, 3/${MAX_SHARDS}, .*21/${MAX_SHARDS} and ${MAX_SHARDS - 21} more:`));
    assert.ok(text.length < 2000, `${text.length} characters`);
  });
});

test('report files are read line by line: CRLF and blank lines taken, a missing file or a folder named', async () => {
  const path = join(dir, 'crlf.jsonl');
  await writeFile(
    path,
    `${shard1()
      .map((l) => JSON.stringify(l))
      .join('\r\n')}\r\n\r\n${shard2()
      .map((l) => JSON.stringify(l))
      .join('\r\n')}`,
  );
  const read = await readReports([path]);
  assert.deepEqual([read.slides.length, read.unreadable], [5, 0]);
  await assert.rejects(readReports([join(dir, 'none.jsonl')]), /none\.jsonl does not exist/);
  await assert.rejects(readReports([dir]), /is a folder, not a file/);
});

test('a file without line ends (zeros a crash left, a file given by mistake) is passed over in bounded memory: one unreadable line, the next read', async () => {
  // 96 MB of NULs, then a line: a heap of 48 MB cannot hold the first line whole.
  const path = join(dir, 'zeros.jsonl');
  const handle = await open(path, 'w');
  await handle.write(`\n${JSON.stringify(shard1()[0])}\n`, 96 * 1024 * 1024);
  await handle.close();
  const script = `
    import { readReports } from ${JSON.stringify(new URL('./report.ts', import.meta.url).href)};
    const read = await readReports([${JSON.stringify(path)}]);
    process.stdout.write(JSON.stringify([read.slides.length, read.unreadable]));`;
  const child = spawnSync(process.execPath, ['--max-old-space-size=48', '--import', 'tsx', '--input-type=module', '--eval', script], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  assert.equal(child.status, 0, child.stderr.slice(0, 2000));
  assert.deepEqual(JSON.parse(child.stdout), [1, 1]);
});

test("reports saved again by Windows tools are read whole: UTF-8 with a byte-order mark (its first line not lost), UTF-16 as PowerShell's > writes", async () => {
  const text = `${[...shard1(), ...shard2()].map((l) => JSON.stringify(l)).join('\r\n')}\r\n`;
  const bom = join(dir, 'bom.jsonl');
  await writeFile(bom, `\ufeff${text}`);
  const little = join(dir, 'utf16le.jsonl');
  await writeFile(little, Buffer.from(`\ufeff${text}`, 'utf16le'));
  const big = join(dir, 'utf16be.jsonl');
  await writeFile(big, Buffer.from(`\ufeff${text}`, 'utf16le').swap16());
  for (const path of [bom, little, big]) {
    const read = await readReports([path]);
    assert.deepEqual([read.slides.length, read.unreadable], [5, 0], path);
  }
});
