// The packaged app as the command line: `slidescope thumbnail ...` (the deb's launcher on PATH, the
// AppImage, Slidescope.exe, Slidescope.app/Contents/MacOS/Slidescope) runs the CLI with no window and
// no single-instance lock (a batch must not hand its arguments to an open viewer). Its engine processes
// are utilityProcesses: the app's fuses forbid running its binary as Node, which fork() needs.

import { app } from 'electron';
import { endStopsAsNode } from '../cli/interrupt';
import { endNow, endProcess } from '../cli/process-end';
import { runCli } from '../cli/run';
import { endOnDebuggerSignal } from '../engine-host/debugger-signal';
import { utilityEngine } from './utility-engine';

export function runHeadlessCli(argv: string[], engineModule: string): void {
  app.dock?.hide();
  endOnDebuggerSignal((code) => void endNow(code));
  endStopsAsNode((code) => void endNow(code));
  app
    .whenReady()
    .then(() => runCli(argv, (settings) => utilityEngine({ ...settings, module: engineModule })))
    .then(
      // A read a stopped batch gave up on would hold app.exit as it holds Node's (process-end.ts).
      (code) => endProcess(code).then(() => app.exit(code)),
      (error: unknown) => {
        process.stderr.write(`slidescope: ${error instanceof Error ? error.message : String(error)}\n`);
        app.exit(1);
      },
    );
}
