import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, mock, test } from 'node:test';
import { duration, progressLines } from './progress';

describe('progress where the output is a file (a Slurm log)', () => {
  test('a line a period: slides done, the time so far, and the time left at the pace so far; none once finished', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const out = new PassThrough();
      let clock = 0;
      const progress = progressLines(out, 60_000, () => clock);
      progress.update(0, 400, '');
      clock = 60_000;
      mock.timers.tick(60_000);
      progress.update(100, 400, 'a.svs');
      clock = 120_000;
      mock.timers.tick(60_000);
      progress.update(400, 400, 'z.svs');
      progress.finish();
      clock = 180_000;
      mock.timers.tick(120_000);
      assert.deepEqual(String(out.read()).split('\n'), [
        'slidescope: 0 of 400 slides done (0%) in 1 min',
        'slidescope: 100 of 400 slides done (25%) in 2 min; about 6 min left',
        '',
      ]);
    } finally {
      mock.timers.reset();
    }
  });

  test('durations read as a person says them', () => {
    assert.equal(duration(49_600), '50 s');
    assert.equal(duration(59_600), '1 min');
    assert.equal(duration(41 * 60_000), '41 min');
    assert.equal(duration(125 * 60_000), '2 h 05 min');
  });
});
