// How many slides a batch works on at once. Each job has an engine process of its own (a slide that
// crashes one or runs over its memory cap fails alone), and each engine process may grow to its memory
// cap before it ends itself: so jobs x cap is what a batch may use at worst, and --max-memory lowers
// the jobs until that fits (with one job, it lowers that job's cap instead).

import { MAX_LANES } from '../engine-host/engine-settings';
import { UsageError } from './usage-error';

const MB = 2 ** 20;

/** Below this an engine process cannot hold a slide's structures and a thumbnail's pixels. */
export const MIN_ENGINE_CAP_MB = 512;

export interface ConcurrencyPlan {
  jobs: number;
  /** Each engine process's memory cap. */
  capMb: number;
  /** Each engine process's lanes: the cores shared out among the jobs. */
  lanes: number;
  /** Why the jobs or the cap were lowered, for the user. */
  note: string | null;
}

/** More than this is surely bytes written without their B: 7516192768 would be 7 PB. */
const MAX_MEMORY_MB = 1024 * 1024 * 1024;

/** `8G`, `8GB`, `512M`, `8000` (MB), `8589934592B` (bytes); in MB. */
export function parseMemory(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])i?b?|(b)?)\s*$/i.exec(value);
  if (!match) throw new UsageError(`--max-memory must be a size such as 8G or 6000M (got "${value}").`);
  const unit = match[3]
    ? 1 / (1024 * 1024)
    : { '': 1, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const mb = Math.floor(Number(match[1]) * unit);
  if (mb > MAX_MEMORY_MB) throw new UsageError(`--max-memory ${value.trim()} is over a petabyte; for bytes write ${value.trim()}B, or use G or M.`);
  return mb;
}

export function parseJobs(value: string | undefined, cores: number): number {
  if (value === undefined) return cores;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--jobs must be a whole number from 1 to 256 (got "${value}").`);
  return n;
}

export function planConcurrency(jobs: number, capBytes: number, maxMemoryMb: number | null, cores: number): ConcurrencyPlan {
  let capMb = Math.floor(capBytes / MB);
  let fitted = jobs;
  let note: string | null = null;
  if (maxMemoryMb !== null) {
    if (maxMemoryMb < MIN_ENGINE_CAP_MB) throw new UsageError(`--max-memory must be at least ${MIN_ENGINE_CAP_MB} MB (got ${maxMemoryMb} MB).`);
    fitted = Math.max(1, Math.min(jobs, Math.floor(maxMemoryMb / capMb)));
    if (fitted < jobs) note = `${jobs} jobs x ${capMb} MB (each engine process's memory cap) exceed --max-memory ${maxMemoryMb} MB: running ${fitted}`;
    if (capMb > maxMemoryMb) {
      note = `one engine process's memory cap of ${capMb} MB exceeds --max-memory ${maxMemoryMb} MB: running 1 job capped at ${maxMemoryMb} MB`;
      capMb = maxMemoryMb;
    }
  }
  const lanes = Math.max(1, Math.min(MAX_LANES, Math.floor(cores / fitted)));
  return { jobs: fitted, capMb, lanes, note };
}
