// The hostile corpus through the CLI as users run it: every case a typed error or a correct image,
// within 20 s, and the peak resident size of the CLI and its engine process under 1 GB, measured
// from outside (GNU time: the largest of the process tree's).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HOSTILE_CASES, STRUCTURE_CASES, writeByteFlips, writeHostileSlide, writeHostileStructure } from '../../testing/hostile';
import { sharedSlide } from '../../testing/paths';

const BUILT = fileURLToPath(new URL('../../dist/cli/slidescope.mjs', import.meta.url));
const SOURCE = fileURLToPath(new URL('./main.ts', import.meta.url));
const TIME = '/usr/bin/time';
const CMU = sharedSlide('CMU-1-Small-Region.svs');

let dir: string;
let corpus: string;
const expectedBad = new Set<string>();
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-corpus-'));
  corpus = join(dir, 'slides');
  await mkdir(corpus);
  for (const [codec, kind] of HOSTILE_CASES) await writeHostileSlide(join(corpus, `${codec}-${kind}.tif`), codec, kind);
  for (const kind of STRUCTURE_CASES) await writeHostileStructure(join(corpus, `${kind}.tif`), kind);
  const size = (await stat(CMU)).size;
  for (const fraction of [0.001, 0.01, 0.1, 0.5, 0.9, 0.999]) {
    const cut = join(corpus, `truncated-${fraction}.svs`);
    await copyFile(CMU, cut);
    await truncate(cut, Math.floor(size * fraction));
  }
  for (const seed of [1, 2, 3, 4, 5, 6]) await writeByteFlips(CMU, join(corpus, `flipped-${seed}.svs`), seed, 64);
  await copyFile(sharedSlide('libtiff_test_ifd_loop_to_self.tif'), join(corpus, 'libtiff-ifd-loop.tif'));
  // A loop in the IFD or SubIFD chain is cut where it closes, as libtiff does: those two read as the
  // images they hold; byte flips and cuts may spare what a thumbnail reads. The rest must fail.
  for (const name of await readdir(corpus)) if (!/^(flipped|truncated|ifd-loop|subifd-loop|libtiff-ifd-loop)/.test(name)) expectedBad.add(name);
});
after(() => rm(dir, { recursive: true, force: true }));

test('every hostile slide through `slidescope thumbnail`: a typed error or an image, in time, under 1 GB', {
  skip: !existsSync(TIME) && 'GNU time is not installed',
}, async () => {
  const out = join(dir, 'out');
  const cli = existsSync(BUILT) ? [BUILT] : ['--import', 'tsx', SOURCE];
  const started = Date.now();
  const run = spawnSync(TIME, ['-f', 'maxrss %M', process.execPath, ...cli, 'thumbnail', corpus, '--size', '256', '--out', out], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
  const maxRssMb = Number(/maxrss (\d+)/.exec(run.stderr)?.[1]) / 1024;
  assert.ok(maxRssMb > 0 && maxRssMb < 1024, `peak RSS ${maxRssMb} MB`);
  const slides = (await readdir(corpus)).length;
  assert.ok(seconds < 20 * slides, `${seconds} s for ${slides} slides`);
  // Every failure is listed with its file and a typed code; the files that are not listed made an image.
  const failed = new Map([...run.stderr.matchAll(/^ {2}(\S+): ([A-Z_]+): (.+)$/gm)].map((m) => [m[1]!.split('/').pop()!, m[2]!]));
  for (const name of expectedBad) assert.ok(failed.has(name), `${name} did not fail: ${run.stderr}`);
  for (const code of failed.values())
    assert.ok(['CORRUPT_DATA', 'TOO_LARGE', 'NOT_A_SLIDE', 'UNSUPPORTED_FORMAT', 'UNSUPPORTED_COMPRESSION'].includes(code), code);
  const written = await readdir(out);
  for (const name of await readdir(corpus)) {
    const thumb = `${name.replace(/\.[^.]+$/, '')}_thumbnail.png`;
    assert.equal(written.includes(thumb), !failed.has(name), `${name}: ${failed.get(name) ?? 'no error'}, thumbnail ${written.includes(thumb)}`);
  }
  assert.ok(!written.some((n) => n.endsWith('.partial')), 'no partial file left');
});
