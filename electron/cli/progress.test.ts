import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, mock, test } from 'node:test';
import { batchProgress, duration, LOG_EVERY_MS, progressLines } from './progress';

describe('progress where the output is not a terminal (a Slurm log)', () => {
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
      // A rerun: 200 found done at once say nothing of the pace.
      for (let i = 101; i <= 300; i++) progress.update(i, 400, 'b.svs', true);
      clock = 180_000;
      mock.timers.tick(60_000);
      progress.update(400, 400, 'z.svs');
      progress.finish();
      clock = 240_000;
      mock.timers.tick(120_000);
      assert.deepEqual(String(out.read()).split('\n'), [
        'slidescope: 0 of 400 slides done (0%) in 1 min',
        'slidescope: 100 of 400 slides done (25%) in 2 min; about 6 min left',
        'slidescope: 300 of 400 slides done (75%) in 3 min; about 3 min left',
        '',
      ]);
    } finally {
      mock.timers.reset();
    }
  });

  test('a terminal gets the bar, anything else the lines', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      for (const isTTY of [true, false]) {
        const out = Object.assign(new PassThrough(), { isTTY }) as unknown as NodeJS.WriteStream;
        const progress = batchProgress(out);
        progress.update(1, 2, 'a.svs');
        mock.timers.tick(LOG_EVERY_MS);
        progress.finish();
        const text = String((out as unknown as PassThrough).read());
        assert.equal(text.startsWith('\r['), isTTY, text);
        assert.equal(text.includes('slidescope: 1 of 2 slides done'), !isTTY, text);
      }
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
