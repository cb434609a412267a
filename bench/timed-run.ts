// A command timed as a whole process tree, as the benchmarks run ours and the peers' (vipsthumbnail,
// OpenSlide in Python): its wall time and, with GNU time, the largest resident size in the tree.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

export interface Timed {
  ms: number;
  peakRssMb: number | null;
}

/**
 * The environment a command runs in: the user's. Loading sharp sets VIPSHOME to its own libvips's
 * prefix in this process; inherited, it left the system's vipsthumbnail without its modules, OpenSlide's
 * loader among them (Aperio, NDPI and the other TIFF-based slides then read as plain TIFF, MIRAX not at
 * all). A VIPSHOME of the user's own goes too: the benchmarks run the tools as installed.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['VIPSHOME'];
  return env;
}

export function timedRun(command: string, args: string[], input?: string): Timed {
  const options = { encoding: 'utf8' as const, input, maxBuffer: 64 * 1024 * 1024, env: userEnvironment() };
  const t0 = performance.now();
  const run = TIME ? spawnSync(TIME, ['-f', 'maxrss %M', command, ...args], options) : spawnSync(command, args, options);
  const ms = performance.now() - t0;
  if (run.error) throw new Error(`${command} could not run: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`${command} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const rss = /maxrss (\d+)/.exec(run.stderr ?? '');
  return { ms, peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : null };
}
