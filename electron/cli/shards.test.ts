// --shard auto against the variables a scheduler sets, task by task over whole arrays: every shard
// made once, or every task refused alike with a message that says what to change; never a shard
// left unmade while the other tasks succeed, nor a task resubmitted alone taking the whole cohort.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseShard, shardName } from './shards';
import { UsageError } from './usage-error';

/**
 * The variables of each task of a Slurm array of `ids`, as Slurm sets them: the same in every task,
 * COUNT the number of ids, MIN and MAX the lowest and highest id (--array=0-15:4 has MAX 12), STEP the
 * number after the first ':' of --array, 1 for a list (slurmctld's _create_job_array; seen on Slurm
 * 22.05 for each array below).
 */
function slurmArray(ids: number[], step = 1, more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv[] {
  return ids.map((id) => ({
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_MIN: String(Math.min(...ids)),
    SLURM_ARRAY_TASK_MAX: String(Math.max(...ids)),
    SLURM_ARRAY_TASK_COUNT: String(ids.length),
    SLURM_ARRAY_TASK_STEP: String(step),
    ...more,
  }));
}

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/** Each task's shard as the CLI names it (`4/8`), or its refusal's message. */
function outcomes(tasks: NodeJS.ProcessEnv[]): string[] {
  return tasks.map((env) => {
    try {
      return shardName(parseShard('auto', env));
    } catch (error) {
      assert.ok(error instanceof UsageError, String(error));
      return `refused: ${error.message}`;
    }
  });
}

const everyShard = (count: number) => range(1, count).map((k) => `${k}/${count}`);

/** Asserts that every task was refused with one message, matching each of `patterns`. */
function allRefused(results: string[], patterns: RegExp[]): void {
  assert.ok(
    results.every((r) => r === results[0] && r.startsWith('refused: ')),
    `not every task refused alike:\n${results.join('\n')}`,
  );
  for (const pattern of patterns) assert.match(results[0]!, pattern);
}

describe("--shard auto, Slurm arrays without SLIDESCOPE_SHARD_COUNT: the id's place in the array", () => {
  test('--array=0-7, --array=1-8 and --array=0-14:2 each make the 8 shards once', () => {
    assert.deepEqual(outcomes(slurmArray(range(0, 7))), everyShard(8));
    assert.deepEqual(outcomes(slurmArray(range(1, 8))), everyShard(8));
    assert.deepEqual(outcomes(slurmArray(range(0, 14, 2), 2)), everyShard(8));
  });

  test('a task resubmitted alone (--array=3 of 0-7) is refused rather than taking the whole cohort as 1/1', () => {
    const [alone] = slurmArray([3]);
    assert.throws(() => parseShard('auto', alone!), UsageError);
    const [message] = outcomes([alone!]);
    assert.match(message!, /id 3/);
    assert.match(message!, /resubmitted alone/);
    assert.match(message!, /--shard K\/N/);
    assert.match(message!, /set SLIDESCOPE_SHARD_COUNT to its number of tasks/);
    // Id 1 alone is the first task of an array from 1 or the second of one from 0: either way not the whole cohort.
    assert.match(outcomes(slurmArray([1]))[0]!, /^refused: .*resubmitted alone/);
  });

  test('an array of one task numbered 0 is refused too: it is shard 1 of 0-7 resubmitted as much as a run of one', () => {
    assert.match(outcomes(slurmArray([0]))[0]!, /^refused: .*resubmitted alone.*1 for a run of one shard/);
    assert.deepEqual(parseShard('auto', { ...slurmArray([0])[0]!, SLIDESCOPE_SHARD_COUNT: '1' }), { index: 0, count: 1 });
  });

  test('a list of ids (--array=2,5, or 1,2,9,22,31) is refused in every task alike: it is no range', () => {
    for (const ids of [
      [2, 5],
      [1, 2, 9, 22, 31],
    ])
      allRefused(outcomes(slurmArray(ids)), [/not a range/, /SLIDESCOPE_SHARD_COUNT/]);
  });

  test('--array=0-15:4 (MAX 12) and a throttled --array=0-9%2 make their shards once', () => {
    assert.deepEqual(outcomes(slurmArray([0, 4, 8, 12], 4)), everyShard(4));
    assert.deepEqual(outcomes(slurmArray(range(0, 9))), everyShard(10));
  });

  test('evenly spaced ids as a list (--array=0,4,8,12: STEP 1) are refused alike, told the range to give', () => {
    allRefused(outcomes(slurmArray([0, 4, 8, 12])), [/not a range by 1/, /--array=0-12:4/]);
  });

  test('a range with an id beside it (--array=0-3,8, or 1-7:2,20) is refused alike', () => {
    allRefused(outcomes(slurmArray([0, 1, 2, 3, 8])), [/not a range/]);
    allRefused(outcomes(slurmArray([1, 3, 5, 7, 20], 2)), [/not a range by 2/]);
  });

  test('two ids are no hint of a range to give (--array=2,5 is not told --array=2-5:3, nor 1,6 told 1-6:5)', () => {
    for (const ids of [
      [2, 5],
      [1, 6],
    ])
      allRefused(outcomes(slurmArray(ids)), [/not a range by 1/, /^(?!.*--array=\d+-\d+:)/]);
  });

  test('some tasks of a larger array resubmitted as a range (--array=3-4, or 2-6:4) are refused alike, not a new split', () => {
    allRefused(outcomes(slurmArray([3, 4])), [/start at 3/, /SLIDESCOPE_SHARD_COUNT/]);
    allRefused(outcomes(slurmArray([2, 6], 4)), [/start at 2/]);
  });

  test('a stepped range mixed with another id (--array=0-4:4,5,12) looks whole to all but the odd task, which says what happened', () => {
    const results = outcomes(slurmArray([0, 4, 5, 12], 4));
    assert.deepEqual([results[0], results[1], results[3]], ['1/4', '2/4', '4/4']);
    assert.match(results[2]!, /^refused: .*task 5 .*mixes a stepped range.*one shard has no task.*--array=0-3/);
  });

  test('a task off its range, or without the count, is refused', () => {
    assert.throws(
      () => parseShard('auto', { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' }),
      /not in a range.*--array=0-3/,
    );
    assert.throws(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: '1' }), /SLURM_ARRAY_TASK_COUNT is not/);
  });

  test("an array's variable set to what is no whole number (a script's own export) is refused naming it, not taken as unset", () => {
    for (const name of ['SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_STEP']) {
      const [task] = slurmArray(range(0, 3));
      assert.throws(() => parseShard('auto', { ...task, [name]: 'x' }), new RegExp(`${name} is "x", not a whole number`), name);
    }
    const [task] = slurmArray(range(0, 7), 1, { SLIDESCOPE_SHARD_COUNT: '8' });
    assert.throws(() => parseShard('auto', { ...task, SLURM_ARRAY_TASK_MAX: '7x' }), /SLURM_ARRAY_TASK_MAX is "7x", not a whole number/);
  });
});

describe("--shard auto, Slurm arrays with SLIDESCOPE_SHARD_COUNT: the id is the shard's index from 0", () => {
  const eight = { SLIDESCOPE_SHARD_COUNT: '8' };

  test('--array=0-7 makes the 8 shards once', () => {
    assert.deepEqual(outcomes(slurmArray(range(0, 7), 1, eight)), everyShard(8));
  });

  test('a task resubmitted alone keeps its shard: --array=3 is 4/8, --array=0 is 1/8', () => {
    assert.deepEqual(outcomes(slurmArray([3], 1, eight)), ['4/8']);
    assert.deepEqual(outcomes(slurmArray([0], 1, eight)), ['1/8']);
    // Some tasks resubmitted together (--array=2,5, or 3-4) keep theirs too.
    assert.deepEqual(outcomes(slurmArray([2, 5], 1, eight)), ['3/8', '6/8']);
    assert.deepEqual(outcomes(slurmArray([3, 4], 1, eight)), ['4/8', '5/8']);
  });

  test('--array=1-8 is refused in every task alike, shard 1/8 never left unmade by 7 tasks that succeed', () => {
    allRefused(outcomes(slurmArray(range(1, 8), 1, eight)), [/reach 8/, /index from 0/, /--array=0-7/]);
  });

  test('--array=0-14:2 is refused in every task alike', () => {
    allRefused(outcomes(slurmArray(range(0, 14, 2), 2, eight)), [/reach 14/, /--array=0-7/]);
  });

  test('without SLURM_ARRAY_TASK_MAX, a task past the count is still refused', () => {
    assert.throws(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: '8', ...eight }), /reach 8, not below SLIDESCOPE_SHARD_COUNT 8.*--array=0-7/);
  });

  test('a count that is not a number of shards is refused', () => {
    for (const bad of ['eight', '0', '-1', ''])
      assert.throws(() => parseShard('auto', { ...slurmArray([3])[0], SLIDESCOPE_SHARD_COUNT: bad }), /must be the number of shards/, bad);
  });
});

describe('--shard auto, Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX 0 to completions - 1', () => {
  const pods = (completions: number, more: NodeJS.ProcessEnv) => range(0, completions - 1).map((i) => ({ JOB_COMPLETION_INDEX: String(i), ...more }));

  test('8 completions with SLIDESCOPE_SHARD_COUNT 8 make the 8 shards once', () => {
    assert.deepEqual(outcomes(pods(8, { SLIDESCOPE_SHARD_COUNT: '8' })), everyShard(8));
  });

  test('without the count every pod is refused, told to set it', () => {
    allRefused(outcomes(pods(8, {})), [/set SLIDESCOPE_SHARD_COUNT to the Job's completions/]);
  });

  test('an index past the count is refused', () => {
    assert.throws(
      () => parseShard('auto', { JOB_COMPLETION_INDEX: '8', SLIDESCOPE_SHARD_COUNT: '8' }),
      /JOB_COMPLETION_INDEX 8 is not below SLIDESCOPE_SHARD_COUNT 8/,
    );
  });

  test('a Slurm array task with a Kubernetes index too (one inherited from where the job was submitted) is refused, naming both', () => {
    const [task] = slurmArray(range(0, 3), 1, { JOB_COMPLETION_INDEX: '2', SLIDESCOPE_SHARD_COUNT: '4' });
    assert.throws(() => parseShard('auto', task!), /both SLURM_ARRAY_TASK_ID \(0\) and JOB_COMPLETION_INDEX \(2\) are set.*--shard K\/N/);
  });

  test('no scheduler: --shard auto says to pass K/N', () => {
    assert.throws(() => parseShard('auto', {}), /found no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX: pass --shard K\/N/);
  });
});
