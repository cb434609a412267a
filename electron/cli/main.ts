// slidescope in Node (`npx slidescope`, dist/cli/slidescope.mjs): the command line with its engine
// processes forked.

import { forkEngine } from '../engine-host/fork-engine';
import { endProcess } from './process-end';
import { runCli } from './run';

await endProcess(await runCli(process.argv.slice(2), forkEngine));
