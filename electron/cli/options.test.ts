// Each command takes its own options: one it does not use is a usage error (exit code 2) naming the
// option and the command, before any slide is opened or file written; `--help` shows each command
// with exactly the options it takes; the batch options still work with `thumbnail`.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sharedSlide } from '../../testing/paths';
import { runCli } from '../../testing/run-cli';
import { OPTIONS, optionsOf, rejectUnusedOptions, type Usage, usageOf } from './options';
import { UsageError } from './usage-error';

const SMALL = sharedSlide('openslide-python_small.svs');

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-options-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);

describe('options per command', () => {
  test('a batch option given to another command: exit 2, the option and the command named, nothing written', () => {
    const report = join(dir, 'info.jsonl');
    const info = cli('info', SMALL, '--shard', '1/2', '--report', report);
    assert.equal(info.status, 2, info.stderr);
    assert.match(info.stderr, /--shard applies to thumbnail only, not info \(which takes --json\)/);
    assert.equal(info.stdout, '');
    assert.equal(existsSync(report), false, 'a report was written');
    const cases: Array<[string[], RegExp]> = [
      [['info', SMALL, '--report', report], /--report applies to thumbnail only, not info/],
      [['info', SMALL, '-j', '2'], /--jobs applies to thumbnail only, not info/],
      [
        ['region', SMALL, '--x', '0', '--y', '0', '--width', '8', '--height', '8', '--out', join(dir, 'r.png'), '--max-memory', '8G'],
        /--max-memory applies to thumbnail only, not region/,
      ],
      [
        ['region', SMALL, '--x', '0', '--y', '0', '--width', '8', '--height', '8', '--out', join(dir, 'r.png'), '-r'],
        /--recursive applies to thumbnail only, not region/,
      ],
      [['compare', SMALL, '--out', join(dir, 'c.png'), '--list', join(dir, 'list.txt')], /--list applies to thumbnail only, not compare with one slide/],
      [
        ['compare', SMALL, SMALL, '--power', '1', '--out', join(dir, 'c.png'), '--grace', '5'],
        /--grace applies to thumbnail only, not compare with 2 to 4 slides/,
      ],
      [['annotations', SMALL, '--shard', 'auto'], /--shard applies to thumbnail only, not annotations/],
      [['annotations', SMALL, '--export', join(dir, 'a.geojson'), '--report', report], /--report applies to thumbnail only, not annotations/],
      [['report', 'merge', join(dir, 'none.jsonl'), '--jobs', '4'], /--jobs applies to thumbnail only, not report/],
      // Not only the batch options: compare's two forms, and an image option given to report.
      [
        ['compare', SMALL, SMALL, '--powers', '1,2', '--out', join(dir, 'c.png')],
        /--powers applies to compare with one slide only, not compare with 2 to 4 slides/,
      ],
      [
        ['compare', SMALL, '--alignment', join(dir, 'a.json'), '--out', join(dir, 'c.png')],
        /--alignment applies to compare with 2 to 4 slides only, not compare with one slide/,
      ],
      [['report', 'merge', join(dir, 'none.jsonl'), '--out', join(dir, 'x')], /--out applies to region, thumbnail and compare only, not report/],
      [['info', SMALL, '--colour', 'stored'], /--colour applies to region, thumbnail and compare only, not info/],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.match(run.stderr, /Run "slidescope --help" for usage/);
    }
    for (const file of ['r.png', 'c.png', 'a.geojson', 'x', 'info.jsonl']) assert.equal(existsSync(join(dir, file)), false, `${file} was written`);
  });

  test('thumbnail still takes every batch option', async () => {
    const slides = join(dir, 'slides');
    await mkdir(join(slides, 'case'), { recursive: true });
    await copyFile(SMALL, join(slides, 'case', 'small.svs'));
    const report = join(dir, 'batch.jsonl');
    const folder = cli(
      'thumbnail',
      slides,
      '-r',
      '--size',
      '32',
      '--out',
      join(dir, 'thumbs'),
      '--shard',
      '1/1',
      '--report',
      report,
      '-j',
      '1',
      '--max-memory',
      '64G',
      '--grace',
      '5',
    );
    assert.equal(folder.status, 0, folder.stderr);
    assert.ok(existsSync(join(dir, 'thumbs', 'case', 'small_thumbnail.png')));
    const list = join(dir, 'list.txt');
    await writeFile(list, `${join(slides, 'case', 'small.svs')}\n`);
    const run = cli('thumbnail', '--list', list, '--out', join(dir, 'listed'), '--report', report, '--overwrite', '--jobs', '2');
    assert.equal(run.status, 0, run.stderr);
    const lines = (await readFile(report, 'utf8')).split('\n').filter(Boolean);
    assert.equal(lines.length, 2);
  });

  test('--help shows each command with exactly the options it takes', () => {
    const help = cli('--help');
    assert.equal(help.status, 0);
    const usage = help.stdout.slice(help.stdout.indexOf('Usage:'), help.stdout.indexOf('\n\n', help.stdout.indexOf('Usage:')));
    // A usage line and its indented continuation lines.
    // `version` takes nothing.
    const blocks = usage
      .split(/\n(?= {2}slidescope )/)
      .slice(1)
      .filter((block) => block.trim() !== 'slidescope version');
    const seen = new Map<Usage, Set<string>>();
    for (const block of blocks) {
      const [command, ...words] = block.trim().split(/\s+/).slice(1);
      const usage = usageOf(command!, words[0] === 'SLIDE' && words[1] === 'SLIDE' ? ['a', 'b'] : ['a']);
      assert.ok(usage, block);
      assert.equal(seen.has(usage), false, `${usage} shown twice`);
      seen.set(usage, new Set([...block.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!)));
    }
    assert.deepEqual([...seen.keys()].sort(), ['annotations', 'compare', 'compare-slides', 'info', 'region', 'report', 'thumbnail']);
    for (const [usage, shown] of seen) assert.deepEqual([...shown].sort(), optionsOf(usage).sort(), usage);
  });

  test('every usage rejects exactly the options it does not take', () => {
    const usages: Usage[] = ['info', 'region', 'thumbnail', 'compare', 'compare-slides', 'annotations', 'report'];
    for (const usage of usages) {
      for (const [name, option] of Object.entries(OPTIONS)) {
        const takes = (option.for as readonly Usage[]).includes(usage);
        const check = () => rejectUnusedOptions(usage, { [name]: option.type === 'boolean' ? true : 'x' });
        if (takes) assert.doesNotThrow(check, `${usage} --${name}`);
        else assert.throws(check, (e: unknown) => e instanceof UsageError && e.message.startsWith(`--${name} applies to `), `${usage} --${name}`);
      }
    }
    assert.equal(usageOf('toString', []), null);
    assert.equal(usageOf('compare-slides', []), null);
  });
});
