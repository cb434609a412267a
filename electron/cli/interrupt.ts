// Ctrl-C (SIGINT), a scheduler's SIGTERM, a closed terminal's SIGHUP (an SSH session dropped) and the
// warning Slurm's `--signal=B:USR1@120` sends ahead of a time limit (SIGUSR1 or SIGUSR2) stop a batch
// cleanly: no new slide is started, the slides being made get a grace period to finish (Slurm and
// Kubernetes wait 30 s before SIGKILL), then they are abandoned (a second signal abandons them at
// once). Exports are atomic, so an abandoned slide leaves no file; the exit code is the shell's for
// the signal (130, 143, 129; 138 and 140 on Linux).

import { constants } from 'node:os';
import { SlideError } from '../engine/errors';
import { STOP_SIGNALS } from '../engine-host/engine-settings';

export interface Interrupt {
  /** A signal arrived: take no more slides. */
  readonly stopping: boolean;
  /** Aborted when the slides being made are to be abandoned. */
  readonly abandon: AbortSignal;
  /** 128 + the signal's number once one arrived, else null. */
  exitCode(): number | null;
  dispose(): void;
}

/** The signal an exit code of a stopped batch stands for (130: SIGINT, 143: SIGTERM, 129: SIGHUP, ...), if it is one. */
export function signalOfExitCode(code: number): (typeof STOP_SIGNALS)[number] | undefined {
  return STOP_SIGNALS.find((name) => code === 128 + constants.signals[name]);
}

/**
 * The grace a stop signal leaves the slides being made. Windows ends a process about 10 s after its
 * console window closes (Node's SIGHUP there), whatever it does: a longer wait would be cut off before
 * the report's not-done lines and the partial files' removal, so they are abandoned at once.
 */
export function graceOf(signal: NodeJS.Signals, graceMs: number, platform: NodeJS.Platform = process.platform): number {
  return signal === 'SIGHUP' && platform === 'win32' ? 0 : graceMs;
}

/** `onStop` is told the signal and the grace it leaves (graceOf). `platform` is a test's seam. */
export function watchInterrupts(
  graceMs: number,
  onStop: (signal: NodeJS.Signals, graceMs: number) => void,
  platform: NodeJS.Platform = process.platform,
): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  let timer: NodeJS.Timeout | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (received !== null) {
      controller.abort();
      return;
    }
    received = signal;
    const grace = graceOf(signal, graceMs, platform);
    onStop(signal, grace);
    timer = setTimeout(() => controller.abort(), grace);
    timer.unref();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handle);
  return {
    get stopping() {
      return received !== null;
    },
    abandon: controller.signal,
    exitCode: () => (received === null ? null : 128 + constants.signals[received]),
    dispose() {
      clearTimeout(timer);
      for (const signal of STOP_SIGNALS) process.off(signal, handle);
    },
  };
}

/**
 * Until a batch watches its own stop (watchInterrupts): as a container's PID 1 (a pod's command that
 * execs the CLI), the process is sent no signal it has no handler for, so a stop while the inputs are
 * listed would be lost, the batch started anyway and killed mid-slide when the grace ran out. There a
 * stop signal ends it with `end` (128 + its number), as Node's default ends any other process (at
 * once: a handler would wait for a listing's synchronous scan). Returns the undoing.
 */
export function endOnStopSignals(end: (code: number) => void, pid = process.pid): () => void {
  if (pid !== 1) return () => undefined;
  const handle = (signal: NodeJS.Signals) => end(128 + constants.signals[signal]);
  for (const signal of STOP_SIGNALS) process.on(signal, handle);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handle);
  };
}

/**
 * In Electron's main process (the packaged app's command line) a stop signal the process has no
 * handler for is Electron's, which quits the app: exit code 0, as if the command had done its work.
 * Here one ends it with `end` (128 + its number) as Node's default would, unless a batch watches its
 * own stops (another listener: endOnStopSignals, watchInterrupts). Returns the undoing.
 */
export function endStopsAsNode(end: (code: number) => void): () => void {
  const handle = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) === 1) end(128 + constants.signals[signal]);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handle);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handle);
  };
}

/** A slide's work stopped by the batch's stop (reported not done), `why` saying more where there is more. */
export function abandonedError(path: string, why = ''): SlideError {
  return new SlideError('CANCELLED', `The slide was abandoned: the batch was told to stop${why}.`, path);
}
