// How the CLI's process ends. Normally as Node ends it: once its loop is empty, its output to a slow
// pipe drained. But a read that a stopped batch gave up on (a share gone away) holds a thread of
// libuv's pool, and on POSIX Node's exit joins the pool's threads, and a held pool may hold the
// report's last writes: then the process ends itself with _exit, its output drained, with its exit
// code (130/143 even as a container's PID 1, which ignores a signal it sends itself).

import { once } from 'node:events';
import { loadNativeLibrary } from '../engine/native-library';

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
  setTimeout(() => void endWith(code), GIVEN_UP_END_MS).unref();
}

/** Ends the process with `code`: as Node ends it, or (a read given up) at once, once its output has drained. */
export async function endProcess(code: number): Promise<void> {
  process.exitCode = code;
  if (readGivenUp) await endWith(code);
}

async function endWith(code: number): Promise<void> {
  const drained = (stream: NodeJS.WriteStream) => (stream.writableLength === 0 ? undefined : once(stream, 'drain'));
  await Promise.race([Promise.all([drained(process.stdout), drained(process.stderr)]), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
  systemExit()?.(code);
  process.exit(code);
}

/** libc's _exit, which ends the process without joining libuv's threads; null on Windows (Node's exit does not join them there) or without koffi. */
function systemExit(): ((code: number) => void) | null {
  if (process.platform === 'win32') return null;
  const libc =
    process.platform === 'darwin'
      ? ['libSystem.B.dylib', '/usr/lib/libSystem.B.dylib']
      : ['libc.so.6', 'libc.so', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1'];
  return loadNativeLibrary(
    libc,
    (_koffi, lib) => lib.func('void _exit(int)') as (code: number) => void,
    () => true,
  );
}
