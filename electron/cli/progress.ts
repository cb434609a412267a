// A batch's progress: a one-line bar on a terminal; where the output is not a terminal (a Slurm job's
// log, a pod's, a pipe), a line now and then, so that a shard running for hours shows it is alive and
// how far it has got without filling its log.

import { printable } from './printable';

export interface Progress {
  /** `skipped`: the slide just done was already there (a rerun), which says nothing of the pace. */
  update(done: number, total: number, current: string, skipped?: boolean): void;
  finish(): void;
}

/** How often a batch whose output is not a terminal says how far it has got. */
export const LOG_EVERY_MS = 60_000;

export function batchProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? progressBar(stream) : progressLines(stream, LOG_EVERY_MS);
}

function progressBar(stream: NodeJS.WritableStream): Progress {
  let drawn = false;
  return {
    update(done, total, current) {
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : 0;
      const name = printable(current.length > 40 ? `…${current.slice(-39)}` : current);
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${name}\u001b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}

/**
 * A line every `everyMs` while the batch runs: slides done, the time so far, and the time left at the
 * pace of the slides made so far (a rerun's skipped slides take no time).
 */
export function progressLines(stream: NodeJS.WritableStream, everyMs: number, now: () => number = () => performance.now()): Progress {
  const start = now();
  let done = 0;
  let made = 0;
  let total = 0;
  const timer = setInterval(() => {
    const elapsed = now() - start;
    const left = made > 0 && done < total ? `; about ${duration((elapsed / made) * (total - done))} left` : '';
    stream.write(`slidescope: ${done} of ${total} slides done (${Math.floor((100 * done) / Math.max(1, total))}%) in ${duration(elapsed)}${left}\n`);
  }, everyMs);
  // A batch that has ended must not be kept alive by its progress.
  timer.unref();
  return {
    update(doneNow, totalNow, _current, skipped = false) {
      if (!skipped) made += doneNow - done;
      done = doneNow;
      total = totalNow;
    },
    finish() {
      clearInterval(timer);
    },
  };
}

/** "2 h 05 min", "41 min", "50 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}
