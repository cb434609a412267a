// --shard K/N: which slides of a batch this process takes. A slide belongs to one shard by a hash of
// its relative path (its key), so the split depends on nothing else: not the order the inputs were
// given in, not the machine, and not the other slides (a node that lists a folder while a slide is
// still being copied in disagrees with the others only about that slide). --shard auto reads the
// scheduler's variables: a Slurm job array's, or a Kubernetes Indexed Job's index with the count the
// manifest passes in SLIDESCOPE_SHARD_COUNT (Kubernetes does not give the Job's completions to a pod;
// a Slurm script may pass it too, so that one task resubmitted alone keeps its shard).

import { createHash } from 'node:crypto';
import { wholeNumber } from '../engine-host/engine-settings';
import { UsageError } from './usage-error';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export const SHARD_COUNT_ENV = 'SLIDESCOPE_SHARD_COUNT';

/** More shards than this split no cohort usefully (Slurm's arrays stop at 4 million tasks); past 2^32 a slide's hash could not tell them apart. */
export const MAX_SHARDS = 1_000_000;

function withinShards(count: number, what: string): number {
  if (count > MAX_SHARDS) throw new UsageError(`--shard: ${what} asks for ${count} shards; at most ${MAX_SHARDS} are made.`);
  return count;
}

/** A scheduler's variable that is set: a whole number, or the command's mistake (a task would otherwise run as no shard at all). */
function integerIfSet(env: NodeJS.ProcessEnv, name: string): number | null {
  const value = env[name];
  if (value === undefined || value.trim() === '') return null;
  const n = wholeNumber(value, 0);
  if (n === null) throw new UsageError(`--shard auto: ${name} is "${value}", not a whole number from 0.`);
  return n;
}

/**
 * The shard a Slurm array task is. With SLIDESCOPE_SHARD_COUNT set, the id itself is the shard's index
 * from 0, so that a task resubmitted alone (`--array=3`: an array of one) keeps its shard, and the
 * array must run from 0. Without it, the id's place in the array (ids may start at 1 and step).
 */
function slurmShard(env: NodeJS.ProcessEnv): Shard | null {
  const id = integerIfSet(env, 'SLURM_ARRAY_TASK_ID');
  if (id === null) return null;
  const fixed = wholeNumber(env[SHARD_COUNT_ENV], 0);
  if (env[SHARD_COUNT_ENV] !== undefined && (fixed === null || fixed < 1)) {
    throw new UsageError(`--shard auto: ${SHARD_COUNT_ENV} must be the number of shards (got "${env[SHARD_COUNT_ENV]}").`);
  }
  if (fixed !== null) {
    // The array's highest id, the same in every task: an array from 1 fails in all its tasks at once,
    // not only in its last while the others quietly leave shard 1 unmade.
    const top = Math.max(id, integerIfSet(env, 'SLURM_ARRAY_TASK_MAX') ?? id);
    if (top >= fixed) {
      throw new UsageError(
        `--shard auto: the array's ids reach ${top}, not below ${SHARD_COUNT_ENV} ${fixed}: with it set, a task's id is its shard's index from 0, so submit the array as --array=0-${fixed - 1} (a shard resubmitted alone keeps its id: --array=${fixed - 1} for shard ${fixed}/${fixed}).`,
      );
    }
    return { index: id, count: withinShards(fixed, SHARD_COUNT_ENV) };
  }
  const count = integerIfSet(env, 'SLURM_ARRAY_TASK_COUNT');
  const min = integerIfSet(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
  const step = integerIfSet(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
  if (count === null || count < 1)
    throw new UsageError(
      `--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: set ${SHARD_COUNT_ENV} to the array's number of tasks (its ids then the shards' indexes from 0), or pass --shard K/N.`,
    );
  // An array of one task is most likely a task of a larger one resubmitted alone (a whole cohort needs
  // no array), which as shard 1/1 would quietly take every slide: refused, whatever its id.
  if (count === 1) {
    throw new UsageError(
      `--shard auto: an array of one task, id ${id}, is most likely a task of a larger array resubmitted alone: pass its shard as --shard K/N (or, for an array numbered from 0, set ${SHARD_COUNT_ENV} to its number of tasks: 1 for a run of one shard), or leave out --shard for the whole cohort.`,
    );
  }
  // A list (--array=2,5), or a partial resubmission of one, is no range: its tasks would take shards
  // of the list's size, and the ids past it fail. Told in every task alike by the array's bounds.
  // Slurm's STEP is the number after the first ':' of --array, 1 for any list (slurmctld's
  // _create_job_array): evenly spaced ids given as a list (0,4,8,12) are refused here too.
  const max = integerIfSet(env, 'SLURM_ARRAY_TASK_MAX');
  if (max !== null && max !== min + Math.max(1, step) * (count - 1)) {
    // Said only where the range would be taken: three ids or more, from 0 or 1 (two ids are always evenly spaced).
    const spacing = count >= 3 && min <= 1 && (max - min) % (count - 1) === 0 ? (max - min) / (count - 1) : 0;
    const asRange = spacing > 1 ? ` (if it is a whole array of evenly spaced ids, submit it as --array=${min}-${max}:${spacing})` : '';
    throw new UsageError(
      `--shard auto: the array's ${count} ids from ${min} to ${max} are not a range by ${step} (a list, such as a few tasks resubmitted)${asRange}: set ${SHARD_COUNT_ENV} to the whole array's number of tasks, its ids then the shards' indexes from 0, or pass --shard K/N.`,
    );
  }
  // An array of shards starts at 0 or 1; a later start is most likely some tasks of a larger array
  // resubmitted (--array=3-4 of 0-7), which would split the whole cohort anew into fewer shards.
  if (min > 1) {
    throw new UsageError(
      `--shard auto: the array's ids start at ${min}, not 0 or 1: most likely tasks of a larger array resubmitted, which would split the whole cohort anew into ${count} shards: set ${SHARD_COUNT_ENV} to the whole array's number of tasks (its ids then the shards' indexes from 0), or pass --shard K/N.`,
    );
  }
  const index = (id - min) / Math.max(1, step);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    // A stepped range with other ids (--array=0-4:4,5,12) looks like the range (0-12:4) to every task
    // but the odd one, which alone can tell.
    const why =
      max === null
        ? `(Slurm did not say the array's highest id)`
        : `(an array that mixes a stepped range with other ids, such as --array=0-4:4,5,12: Slurm takes the step from the first ':', so the array's other tasks ran as shards of ${count} and one shard has no task)`;
    throw new UsageError(
      `--shard auto: array task ${id} is not in a range of ${count} tasks from ${min} by ${step} ${why}: submit the array as --array=0-${count - 1}, or set ${SHARD_COUNT_ENV}, or pass --shard K/N.`,
    );
  }
  return { index, count: withinShards(count, 'SLURM_ARRAY_TASK_COUNT') };
}

function kubernetesShard(env: NodeJS.ProcessEnv): Shard | null {
  const index = integerIfSet(env, 'JOB_COMPLETION_INDEX');
  if (index === null) return null;
  const count = wholeNumber(env[SHARD_COUNT_ENV], 0);
  if (count === null || count < 1) {
    const given = env[SHARD_COUNT_ENV] === undefined ? '' : ` (it is "${env[SHARD_COUNT_ENV]}")`;
    throw new UsageError(`--shard auto: JOB_COMPLETION_INDEX is set; set ${SHARD_COUNT_ENV} to the Job's completions in its manifest${given}.`);
  }
  if (index >= count) throw new UsageError(`--shard auto: JOB_COMPLETION_INDEX ${index} is not below ${SHARD_COUNT_ENV} ${count}.`);
  return { index, count: withinShards(count, SHARD_COUNT_ENV) };
}

/** `K/N` (K from 1 to N) or `auto`. */
export function parseShard(value: string, env: NodeJS.ProcessEnv): Shard {
  if (value === 'auto') {
    // Both at once: one was inherited from where the job was submitted (sbatch from a pod, a Job from
    // an array task), and which is this run's shard cannot be told.
    const slurm = integerIfSet(env, 'SLURM_ARRAY_TASK_ID');
    const kubernetes = integerIfSet(env, 'JOB_COMPLETION_INDEX');
    if (slurm !== null && kubernetes !== null)
      throw new UsageError(
        `--shard auto: both SLURM_ARRAY_TASK_ID (${slurm}) and JOB_COMPLETION_INDEX (${kubernetes}) are set, one of them inherited from where this job was submitted: pass --shard K/N, or unset the other.`,
      );
    const shard = slurmShard(env) ?? kubernetesShard(env);
    if (!shard) throw new UsageError('--shard auto found no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX: pass --shard K/N.');
    return shard;
  }
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const k = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (!match || n < 1 || k < 1 || k > n) throw new UsageError(`--shard must be K/N with K from 1 to N, or auto (got "${value}").`);
  return { index: k - 1, count: withinShards(n, value) };
}

export function shardName(shard: Shard): string {
  return `${shard.index + 1}/${shard.count}`;
}

/** Whether a slide (by key) belongs to a shard. */
export function inShard(key: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  return createHash('sha256').update(key).digest().readUInt32BE(0) % shard.count === shard.index;
}
