// slidescope in Node (`npx slidescope`, dist/cli/slidescope.mjs): the command line with its engine
// processes forked.

import { endOnDebuggerSignal } from '../engine-host/debugger-signal';
import { forkEngine } from '../engine-host/fork-engine';
import { endNow, endProcess } from './process-end';
import { runCli } from './run';

endOnDebuggerSignal((code) => void endNow(code));
await endProcess(await runCli(process.argv.slice(2), forkEngine));
