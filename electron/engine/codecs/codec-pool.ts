// Runs the codec work that blocks (codec-jobs: JPEG 2000 decodes) on a few threads, so several run at
// once, on every core, and the engine's event loop stays free. Each thread is kept by a Supervisor: a
// thread that crashes, exits or stalls fails its jobs (WORKER_FAILED) and is replaced. Runs them in
// this thread when told to use none, or when threads cannot start (a bundle without the thread script).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { leastBusy, Supervisor } from '../../rpc/supervisor';
import { workerChild } from '../../rpc/worker-thread';
import { SlideError } from '../errors';
import { type CodecJob, type CodecProtocol, runCodecJob } from './codec-jobs';
import type { Decoded } from './decoded';
import { compileOpenJpeg } from './openjpeg';
import { warmUpDecodes } from './openjpeg-warmup';

let threads = Math.max(1, Math.min(4, availableParallelism()));
let pool: Promise<Array<Supervisor<CodecProtocol>> | null> | undefined;

/** What a codec thread is told at start. */
export interface CodecThreadData {
  /** OpenJPEG compiled once for the process (compileOpenJpeg): its optimised code serves every thread. */
  openJpeg: WebAssembly.Module;
  /** Run warmUpOpenJpeg before saying it is ready. */
  warmUp: boolean;
}

/** The thread script beside this module: .ts under tsx (tests), .mjs in a bundle. */
function threadScript(): string | null {
  const path = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './codec-thread.ts' : './codec-thread.mjs', import.meta.url));
  return existsSync(path) ? path : null;
}

function codecThread(script: string, data: CodecThreadData): Supervisor<CodecProtocol> {
  return new Supervisor<CodecProtocol>({ name: 'A JPEG 2000 decoding thread', spawn: workerChild({ script, workerData: data }) });
}

/**
 * How many threads the pool starts (before it starts): engines sharing the cores take fewer each; 0
 * decodes in the caller's thread.
 */
export function setCodecThreads(count: number): void {
  threads = Math.max(0, Math.floor(count));
}

function startPool(): Promise<Array<Supervisor<CodecProtocol>> | null> {
  pool ??= compileOpenJpeg().then((openJpeg) => {
    const script = threads > 0 ? threadScript() : null;
    return script ? Array.from({ length: threads }, () => codecThread(script, { openJpeg, warmUp: false })) : null;
  });
  return pool;
}

/** Starts the threads (at the latest when a JPEG 2000 slide opens), before the first tile needs them. */
export async function warmCodecPool(): Promise<void> {
  const slots = (await startPool()) ?? [];
  for (const slot of slots) slot.start();
  await Promise.all(slots.map((slot) => slot.whenReady()));
}

/**
 * Has V8 optimise OpenJPEG for every thread of the process (warmUpOpenJpeg), in a thread of its own
 * that then exits: the optimised code stays with the compiled module, and the memory the warm-up
 * used goes. The engine does this at launch.
 */
export async function optimiseOpenJpeg(): Promise<void> {
  const script = threadScript();
  if (!script) return;
  const warmer = codecThread(script, { openJpeg: await compileOpenJpeg(), warmUp: true });
  warmer.start();
  await warmer.whenReady();
  await warmer.dispose();
}

/** Rounds of the warm-up's decodes each codec thread makes itself (warmCodecThreads). */
const THREAD_WARM_UP_ROUNDS = 2;

/**
 * Has each codec thread decode the warm-up's codestreams a couple of times, once OpenJPEG is
 * optimised: a fresh thread's own first decodes (its JavaScript, its WebAssembly memory growing) ran
 * about twice as slow as later ones, most of a JPEG 2000 slide's first view (docs/performance.md).
 */
export async function warmCodecThreads(): Promise<void> {
  // The pool as it is: one stopped meanwhile (the lane leaving) is not started again.
  const slots = (await pool) ?? [];
  const decodes = warmUpDecodes();
  await Promise.all(
    slots.map(async (slot) => {
      for (let round = 0; round < THREAD_WARM_UP_ROUNDS; round++) {
        for (const { codestream, ycbcr, reduce } of decodes) {
          const copy = codestream.slice();
          const result = await slot.call('jpeg2000', { kind: 'jpeg2000', codestream: copy, ycbcr, reduce }, { transfer: [copy.buffer as ArrayBuffer] });
          // A thread that failed is replaced when a tile needs it, not restarted here decode after decode.
          if (!result.ok) return;
        }
      }
    }),
  );
}

/** Runs a job on the least busy thread. Its bytes are copied: the caller keeps its own. */
export async function runInPool(job: CodecJob): Promise<Decoded> {
  const slots = await startPool();
  if (!slots) return runCodecJob(job);
  const slot = slots[leastBusy(slots)]!;
  const copy = { ...job, codestream: job.codestream.slice() };
  const result = await slot.call('jpeg2000', copy, { transfer: [copy.codestream.buffer as ArrayBuffer] });
  if (!result.ok) throw new SlideError(result.error.code, result.error.message, result.error.path);
  return result.value;
}

/** Lets every thread finish its job and exit (the engine calls this before it exits itself). */
export async function stopCodecPool(): Promise<void> {
  const running = (await pool) ?? [];
  pool = undefined;
  await Promise.all(running.map((slot) => slot.dispose()));
}
