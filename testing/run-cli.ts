// The command line run from its source in a child process, as the CLI's tests run it: without the
// scheduler's variables of the machine running the tests (under a Slurm job, `--shard auto` and the
// shard tests would read the job's own).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../electron/cli/main.ts', import.meta.url));

export const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(SLURM_|JOB_COMPLETION_INDEX|SLIDESCOPE_SHARD)/.test(k)),
);

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): CliRun {
  // A command that hangs fails its test (status null) rather than holding the suite.
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    encoding: 'utf8',
    env: { ...CLEAN_ENV, ...options.env },
    input: options.input,
    timeout: options.timeoutMs ?? 180_000,
    killSignal: 'SIGKILL',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
