// Ending a worker thread that may be inside a TurboJPEG call: terminate() landing there aborts the
// whole process (the binding throws C++ exceptions when its thread is torn down). So a thread that
// still answers is asked to exit between two tasks, and terminated only if it has not within the grace.

import type { Worker } from 'node:worker_threads';

/** How long a thread asked to exit may take before it is terminated. */
const EXIT_GRACE_MS = 2000;

export function askToExit(worker: Worker, exitMessage: unknown): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve()), EXIT_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.postMessage(exitMessage);
  });
}
