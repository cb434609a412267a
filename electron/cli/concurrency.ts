// How many slides a batch works on at once. Each job has an engine process of its own (a slide that
// crashes one or runs over its memory cap fails alone), and each engine process may grow to its memory
// cap before it ends itself: so jobs x cap is what a batch may use at worst, and --max-memory (or the
// memory limit of the container or scheduler job it runs in) lowers the jobs until that fits (with one
// job, it lowers that job's cap instead).

import { ENGINE_ENV, MAX_LANES, wholeNumber } from '../engine-host/engine-settings';
import { UsageError } from './usage-error';

const MB = 2 ** 20;

export interface ConcurrencyPlan {
  jobs: number;
  /** Each engine process's memory cap. */
  capMb: number;
  /** Each engine process's lanes: the cores shared out among the jobs. */
  lanes: number;
  /** Why the jobs or the cap were lowered, for the user. */
  note: string | null;
  /** How to give a slide that takes its engine over the cap more: the variable, or the budget that lowered the cap. */
  raiseCap: string;
}

/** What the CLI process itself may take beside its engines, out of a container's memory limit. */
export const CLI_ALLOWANCE_MB = 160;

/** The least --max-memory: a batch's memory, below which one job's engine cannot hold a slide's structures and a thumbnail's pixels. */
export const MIN_BATCH_MEMORY_MB = 512;

/** A cap for what is left of a cgroup's limit however small (an engine under it fails each slide, saying so, rather than the kernel ending the batch). */
const LAST_RESORT_CAP_MB = 64;

/** The memory a batch's engines may take together, and where that figure comes from (for the user). */
export interface MemoryBudget {
  mb: number;
  /** "--max-memory 8192 MB", or the container's limit. */
  source: string;
  /** How to make it larger. */
  raise: string;
  /** --max-memory beyond the cgroup's limit: what the kernel will do about it. */
  warning: string | null;
}

/** --max-memory, or else the memory limit of the cgroup the process runs in, less the CLI's own share; null when neither. */
export function memoryBudget(option: string | undefined, limitBytes: number | null): MemoryBudget | null {
  const limitMb = limitBytes === null ? null : Math.floor(limitBytes / MB);
  const limitText = `the ${limitMb} MB this process may use (its cgroup's limit) less ${CLI_ALLOWANCE_MB} MB for itself`;
  if (option !== undefined) {
    const mb = parseMemory(option);
    if (mb < MIN_BATCH_MEMORY_MB) {
      const inMb = /^\s*\d+\s*(m|mi?b)?\s*$/i.test(option) || mb === 0 ? '' : `, ${mb} MB`;
      throw new UsageError(`--max-memory must be at least ${MIN_BATCH_MEMORY_MB} MB (got "${option.trim()}"${inMb}).`);
    }
    const warning =
      limitMb !== null && mb > limitMb - CLI_ALLOWANCE_MB
        ? `--max-memory ${mb} MB exceeds ${limitText}: engines that grow to it would have the kernel end the whole batch`
        : null;
    return { mb, source: `--max-memory ${mb} MB`, raise: `raise --max-memory above ${mb} MB`, warning };
  }
  if (limitMb === null) return null;
  return {
    mb: limitMb - CLI_ALLOWANCE_MB,
    source: limitText,
    raise: `give the container or job more than ${limitMb} MB of memory`,
    warning: null,
  };
}

/** The cores a batch shares out: the machine's (as the system lets the process use them), at most the cgroup's CPU quota, one at least. */
export function batchCores(available: number, quotaCpus: number | null): number {
  return quotaCpus === null ? available : Math.max(1, Math.min(available, Math.floor(quotaCpus)));
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
  if (mb > MAX_MEMORY_MB) {
    const hint = match[2] || match[3] ? '' : `; for bytes write ${value.trim()}B, or use G or M`;
    throw new UsageError(`--max-memory ${value.trim()} is over a petabyte${hint}.`);
  }
  return mb;
}

export function parseJobs(value: string | undefined, cores: number): number {
  if (value === undefined) return cores;
  const n = wholeNumber(value, 1);
  if (n === null || n > 256) throw new UsageError(`--jobs must be a whole number from 1 to 256 (got "${value}").`);
  return n;
}

export function planConcurrency(jobs: number, capBytes: number, budget: MemoryBudget | null, cores: number): ConcurrencyPlan {
  let capMb = Math.floor(capBytes / MB);
  let fitted = jobs;
  let note: string | null = null;
  let raiseCap = `set ${ENGINE_ENV.memoryCapMb} above ${capMb}`;
  if (budget !== null) {
    // A container's limit is what it is: below what an engine needs, one job takes what there is.
    const mb = Math.max(LAST_RESORT_CAP_MB, budget.mb);
    // A higher cap fits fewer jobs in the budget, up to one job at all of it.
    raiseCap = capMb < mb ? `set ${ENGINE_ENV.memoryCapMb} above ${capMb} (at most ${mb}: ${budget.source}), or ${budget.raise}` : budget.raise;
    fitted = Math.max(1, Math.min(jobs, Math.floor(mb / capMb)));
    if (fitted < jobs) note = `${jobs} jobs x ${capMb} MB (each engine process's memory cap) exceed ${budget.source}: running ${fitted}`;
    if (capMb > mb) {
      note = `one engine process's memory cap of ${capMb} MB exceeds ${budget.source}: running 1 job capped at ${mb} MB`;
      capMb = mb;
      raiseCap = budget.raise;
    }
  }
  const lanes = Math.max(1, Math.min(MAX_LANES, Math.floor(cores / fitted)));
  return { jobs: fitted, capMb, lanes, note, raiseCap };
}
