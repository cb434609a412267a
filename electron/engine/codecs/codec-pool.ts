// Runs the codec work that blocks (codec-jobs: JPEG 2000 decodes) on a few threads, so several run at
// once, on every core, and the engine's event loop stays free. Falls back to running in this thread
// when threads cannot start (e.g. a bundle without the thread script).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isErrorCode } from '../../../shared/errors';
import { SlideError } from '../errors';
import { askToExit } from '../thread-exit';
import { type CodecAnswer, type CodecJob, runCodecJob } from './codec-jobs';
import type { Decoded } from './decoded';
import { compileOpenJpeg } from './openjpeg';

let threads = Math.max(1, Math.min(4, availableParallelism()));

interface Slot {
  worker: Worker;
  busy: number;
  /** Settles when the thread has loaded OpenJPEG (or failed to start: a job then reports why). */
  ready: Promise<void>;
}

let pool: Promise<Slot[] | null> | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (value: Decoded) => void; reject: (e: Error) => void; slot: Slot }>();

/** The thread script beside this module: .ts under tsx (tests), .mjs in a bundle. */
function threadScript(): { url: URL; fromSource: boolean } | null {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './codec-thread.ts' : './codec-thread.mjs', import.meta.url);
  return existsSync(fileURLToPath(url)) ? { url, fromSource } : null;
}

/** What a codec thread is told at start. */
export interface CodecThreadData {
  /** OpenJPEG compiled once for the process (compileOpenJpeg): its optimised code serves every thread. */
  openJpeg: WebAssembly.Module;
  /** Run warmUpOpenJpeg before saying it is ready. */
  warmUp: boolean;
}

function startThread(script: { url: URL; fromSource: boolean }, threadData: CodecThreadData): Worker {
  return script.fromSource
    ? new Worker(new URL('../../worker/source-bootstrap.mjs', import.meta.url), { workerData: { sourceEntry: fileURLToPath(script.url), ...threadData } })
    : new Worker(script.url, { workerData: threadData });
}

function startThreads(openJpeg: WebAssembly.Module): Slot[] | null {
  const script = threadScript();
  if (!script) return null;
  const slots: Slot[] = [];
  const make = (): Slot => {
    const worker = startThread(script, { openJpeg, warmUp: false });
    let markReady = (): void => undefined;
    const slot: Slot = { worker, busy: 0, ready: new Promise<void>((resolve) => (markReady = resolve)) };
    worker.on('message', (answer: CodecAnswer | { ready: true }) => {
      if ('ready' in answer) return markReady();
      const job = waiting.get(answer.id);
      if (!job) return;
      waiting.delete(answer.id);
      slot.busy--;
      if (slot.busy === 0) worker.unref();
      if (answer.ok) job.resolve(answer.value);
      else job.reject(isErrorCode(answer.code) ? new SlideError(answer.code, answer.message) : new Error(answer.message));
    });
    worker.once('exit', () => markReady());
    worker.on('error', (error) => {
      markReady();
      // A crashed codec thread fails its jobs and is replaced.
      for (const [id, job] of waiting) {
        if (job.slot !== slot) continue;
        waiting.delete(id);
        job.reject(error);
      }
      const index = slots.indexOf(slot);
      if (index >= 0) slots[index] = make();
    });
    // Idle threads must not keep a CLI run alive (listeners above ref the port: unref after them).
    worker.unref();
    return slot;
  };
  for (let i = 0; i < threads; i++) slots.push(make());
  return slots;
}

/** How many threads the pool starts (before it starts): engines sharing the cores take fewer each. */
export function setCodecThreads(count: number): void {
  threads = Math.max(1, Math.floor(count));
}

function startPool(): Promise<Slot[] | null> {
  pool ??= compileOpenJpeg().then(startThreads);
  return pool;
}

/** Starts the threads (at the latest when a JPEG 2000 slide opens), before the first tile needs them. */
export async function warmCodecPool(): Promise<void> {
  await Promise.all(((await startPool()) ?? []).map((slot) => slot.ready));
}

/**
 * Has V8 optimise OpenJPEG for every thread of the process (warmUpOpenJpeg), in a thread of its own
 * that then exits: the optimised code stays with the compiled module, and the memory the warm-up
 * used (its encoder's too) goes. The app does this at launch.
 */
export async function optimiseOpenJpeg(): Promise<void> {
  const script = threadScript();
  if (!script) return;
  const worker = startThread(script, { openJpeg: await compileOpenJpeg(), warmUp: true });
  await new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
  await askToExit(worker, { exit: true });
}

/** Runs a job on the least busy thread. Its bytes are copied: the caller keeps its own. */
export async function runInPool(job: CodecJob): Promise<Decoded> {
  const slots = await startPool();
  if (!slots) return runCodecJob(job);
  const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  const id = nextId++;
  if (slot.busy++ === 0) slot.worker.ref();
  return new Promise<Decoded>((resolve, reject) => {
    waiting.set(id, { resolve, reject, slot });
    const copy = { ...job, codestream: job.codestream.slice() };
    slot.worker.postMessage({ id, job: copy }, [copy.codestream.buffer as ArrayBuffer]);
  });
}

/** Lets every thread finish its job and exit (the engine calls this before it exits itself). */
export async function stopCodecPool(): Promise<void> {
  const running = (await pool) ?? [];
  pool = undefined;
  await Promise.all(running.map(({ worker }) => askToExit(worker, { exit: true })));
}
