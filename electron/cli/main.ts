// slidescope in Node (`npx slidescope`, dist/cli/slidescope.mjs): the command line with its engine
// processes forked.

import { constants } from 'node:os';
import { forkEngine } from '../engine-host/fork-engine';
import { runCli } from './run';

const code = await runCli(process.argv.slice(2), forkEngine);
process.exitCode = code;
// A read hung on a share gone away (given up by a stopped batch) holds a thread of Node's pool, which
// its exit would wait for: the process ends by its signal again instead, as the shell reports it.
setTimeout(() => {
  const signal = (['SIGINT', 'SIGTERM'] as const).find((name) => code === 128 + constants.signals[name]);
  if (signal) process.kill(process.pid, signal);
  else process.exit();
}, 2000).unref();
