// Runs JPEG 2000 decodes on a few threads (decode-thread): OpenJPEG's WebAssembly blocks for tens of
// milliseconds a tile, so several run at once and the engine's event loop stays free. Falls back to decoding in this thread when threads
// cannot start (e.g. a bundle without the thread script).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SlideError } from '../errors';
import type { Decoded } from './decoded';
import { runDecodeJob, type DecodeAnswer, type DecodeJob } from './decode-job';

const THREADS = Math.max(1, Math.min(4, availableParallelism()));

interface Slot {
  worker: Worker;
  busy: number;
}

let slots: Slot[] | null | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (d: Decoded) => void; reject: (e: Error) => void; slot: Slot }>();

/** The thread script beside this module: .ts under tsx (tests), .mjs in a bundle. */
function threadScript(): { url: URL; fromSource: boolean } | null {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './decode-thread.ts' : './decode-thread.mjs', import.meta.url);
  return existsSync(fileURLToPath(url)) ? { url, fromSource } : null;
}

function startThreads(): Slot[] | null {
  const script = threadScript();
  if (!script) return null;
  const make = (): Slot => {
    const worker = script.fromSource
      ? new Worker(new URL('../../worker/source-bootstrap.mjs', import.meta.url), { workerData: { sourceEntry: fileURLToPath(script.url) } })
      : new Worker(script.url, { workerData: {} });
    const slot: Slot = { worker, busy: 0 };
    worker.on('message', (answer: DecodeAnswer) => {
      const job = waiting.get(answer.id);
      if (!job) return;
      waiting.delete(answer.id);
      slot.busy--;
      if (slot.busy === 0) worker.unref();
      if (answer.ok) job.resolve({ data: answer.data, width: answer.width, height: answer.height, channels: answer.channels });
      else job.reject(answer.code === 'UNSUPPORTED_COMPRESSION' ? new SlideError('UNSUPPORTED_COMPRESSION', answer.message) : new Error(answer.message));
    });
    worker.on('error', (error) => {
      // A crashed decoder thread fails its jobs and is replaced.
      for (const [id, job] of waiting) {
        if (job.slot !== slot) continue;
        waiting.delete(id);
        job.reject(error);
      }
      const index = slots?.indexOf(slot) ?? -1;
      if (slots && index >= 0) slots[index] = make();
    });
    // Idle threads must not keep a CLI run alive (listeners above ref the port: unref after them).
    worker.unref();
    return slot;
  };
  return Array.from({ length: THREADS }, make);
}

/** Starts the threads (each compiles OpenJPEG as it starts) before the first tile needs them. */
export function warmDecodePool(): void {
  if (slots === undefined) slots = startThreads();
}

/** Decodes on the least busy thread. The job's bytes are copied: the caller keeps its own. */
export function decodeInPool(job: DecodeJob): Promise<Decoded> {
  warmDecodePool();
  if (!slots) return runDecodeJob(job);
  const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  const id = nextId++;
  if (slot.busy++ === 0) slot.worker.ref();
  return new Promise<Decoded>((resolve, reject) => {
    waiting.set(id, { resolve, reject, slot });
    const copy = { ...job, codestream: job.codestream.slice() };
    slot.worker.postMessage({ id, job: copy }, [copy.codestream.buffer as ArrayBuffer]);
  });
}

