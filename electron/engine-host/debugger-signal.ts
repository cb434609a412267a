// Node (and Electron's main process) takes SIGUSR1 as "start the debugger", listening on a port, where
// any other program ends on it. A Slurm `--signal=USR1`, or `kill -USR1`, sent to a process that has no
// stop of its own for it (a command other than a batch, an engine a batch does not speak for) ends it.

import { constants } from 'node:os';

/**
 * Ends the process on SIGUSR1 with the shell's code for it (128 + its number) unless another listener
 * (a batch's stop, which lets its slides finish) takes it. Returns the undoing.
 */
export function endOnDebuggerSignal(end: (code: number) => void): () => void {
  const handle = () => {
    if (process.listenerCount('SIGUSR1') === 1) end(128 + constants.signals.SIGUSR1);
  };
  process.on('SIGUSR1', handle);
  return () => process.off('SIGUSR1', handle);
}
