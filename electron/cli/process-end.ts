// How the CLI's process ends. Normally as Node ends it: once its loop is empty, its output to a slow
// pipe drained. But a read that a stopped batch gave up on (a share gone away) holds a thread of
// libuv's pool, and on POSIX Node's exit joins the pool's threads, and a held pool may hold the
// report's last writes: then the process ends itself with _exit, its output drained, with its exit
// code (130/143/129 even as a container's PID 1, which ignores a signal it sends itself). So does a
// batch its terminal hung up on (SIGHUP): Node's exit resets the terminal's modes, which fails on a
// terminal gone (EIO) and aborts the process (Node 20: ResetStdio's assertion).

import { loadNativeLibrary } from '../engine/native-library';
import { signalOfExitCode } from './interrupt';

/** How long after a read is given up the process may take to report and end before it is ended. */
const GIVEN_UP_END_MS = 15_000;
/** How long its output may take to drain into a pipe before such a process ends anyway. */
const DRAIN_MS = 10_000;

let readGivenUp = false;

/**
 * A read of the batch's was given up and will hold the process: it ends with `code` once the CLI has
 * said what it did, or GIVEN_UP_END_MS from now if the held pool keeps it from getting that far.
 */
export function noteReadGivenUp(code: number): void {
  if (readGivenUp) return;
  readGivenUp = true;
  // Any fault from here on would end the process the way that waits for the held thread.
  process.on('uncaughtException', () => void endNow(1));
  process.on('unhandledRejection', () => void endNow(1));
  setTimeout(() => void endNow(code), GIVEN_UP_END_MS).unref();
}

/**
 * Ends the process with `code`: as Node ends it, or at once once its output has drained where Node's
 * exit would not end it well: a read given up, or a batch stopped by its terminal's hangup (SIGHUP),
 * whose exit restores the gone terminal's modes, fails (EIO) and aborts (SIGABRT and a core, not 129).
 */
export async function endProcess(code: number): Promise<void> {
  process.exitCode = code;
  if (readGivenUp || (signalOfExitCode(code) === 'SIGHUP' && process.platform !== 'win32')) await endNow(code);
}

/**
 * Ends the process with `code` once its output has drained, without Node's exit (which waits for a
 * pool thread held by a read, such as a list read from a named pipe or a share gone away).
 */
export async function endNow(code: number): Promise<void> {
  await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
  // Node's exit joins no pool thread on Windows.
  if (process.platform === 'win32') process.exit(code);
  systemExit()?.(code);
  // No _exit to be had (no koffi): the process's own signal again, which the shell reports as the
  // code; a code of no signal, or a PID 1 (which ignores its own), ends by SIGKILL. Node takes its
  // own SIGUSR1 as "start the debugger", not an end.
  const signal = signalOfExitCode(code);
  if (signal && signal !== 'SIGUSR1') {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    await new Promise((r) => setTimeout(r, 1000).unref());
  }
  process.kill(process.pid, 'SIGKILL');
}

/** Once what was written to `stream` before has gone out, or the stream is gone (a reader that quit); never rejects. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) return resolve();
    // Its callback follows the writes before it, and comes with the error of a stream that failed.
    stream.write('', () => resolve());
  });
}

/** libc's _exit, which ends the process without joining libuv's threads; null without koffi or a libc it can load. */
function systemExit(): ((code: number) => void) | null {
  const libc =
    process.platform === 'darwin'
      ? ['libSystem.B.dylib', '/usr/lib/libSystem.B.dylib']
      : ['libc.so.6', 'libc.so.7', 'libc.so', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1'];
  return loadNativeLibrary(
    libc,
    (_koffi, lib) => lib.func('void _exit(int)') as (code: number) => void,
    () => true,
  );
}
