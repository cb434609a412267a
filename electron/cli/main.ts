// slidescope in Node (`npx slidescope`, dist/cli/slidescope.mjs): the command line with its engine
// processes forked.

import { forkEngine } from '../engine-host/fork-engine';
import { runCli } from './run';

process.exitCode = await runCli(process.argv.slice(2), forkEngine);
