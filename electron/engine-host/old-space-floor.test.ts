// The batch lanes' floor under their old space, kept at run time (old-space-floor.ts): V8 collects in
// full less often while what lives is small, and as often as it would once it is large.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { floorGrowthPercent, v8MaxGrowth } from './old-space-floor';

const MB = 1024 * 1024;

test("V8's own growth for a heap limit, as its heap controller sets it", () => {
  assert.equal(v8MaxGrowth(128 * MB), 1.3);
  assert.equal(v8MaxGrowth(768 * MB), 1.5);
  assert.equal(v8MaxGrowth(4096 * MB), 4);
});

test('the growth asked for puts the next limit at the floor, and only where V8 would not reach it itself', () => {
  // A lane's ~11 MB that lives, a 64 MB floor, a 768 MB heap: a limit of 64 MB, not V8's ~16.
  assert.equal(floorGrowthPercent(11 * MB, 64 * MB, 768 * MB), 482);
  assert.ok((11 * MB * (1 + floorGrowthPercent(11 * MB, 64 * MB, 768 * MB) / 100)) / MB >= 64);
  // Large enough that V8's 1.5x reaches the floor: left to V8.
  assert.equal(floorGrowthPercent(43 * MB, 64 * MB, 768 * MB), 0);
  // A 4 GB heap grows by up to 4x of its own: never held back below that.
  assert.equal(floorGrowthPercent(20 * MB, 64 * MB, 4096 * MB), 0);
  assert.equal(floorGrowthPercent(0, 64 * MB, 768 * MB), 0);
});

test('a thread that keeps the floor runs fewer full collections over the same work', () => {
  const majors = (floorMb: string) => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--max-old-space-size=768', fileURLToPath(new URL('../../testing/old-space-churn.ts', import.meta.url)), floorMb],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 0, run.stderr);
    return Number(run.stdout.trim());
  };
  const without = majors('0');
  const kept = majors('64');
  assert.ok(kept < without * 0.75, `${kept} full collections with the floor, ${without} without`);
});
