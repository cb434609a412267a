// Worker threads as children a Supervisor keeps (engine lanes, codec threads), and their endpoints.
// A thread started from TypeScript source (tests, benchmarks) runs under tsx; the app and the CLI
// run the built bundles.

import { type MessagePort, type ResourceLimits, Worker } from 'node:worker_threads';
import type { Endpoint, RpcMessage } from '../../shared/rpc';
import type { Spawn } from './supervisor';

/** How long a thread or process asked to leave may take before it is killed. */
const EXIT_GRACE_MS = 2000;

export function workerEndpoint(port: Worker | MessagePort): Endpoint {
  return {
    post: (message, transfer) => port.postMessage(message, transfer ?? []),
    listen(listener) {
      port.on('message', listener);
      return () => void port.off('message', listener);
    },
  };
}

export interface WorkerChildOptions {
  /** The thread's module: a built .mjs, or a .ts source (run through tsx). */
  script: string;
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
  /** Once the thread has ended (not when it is asked to: a thread stuck in a call ends later, or never). */
  onExit?: () => void;
}

/** Node 20 does not pass --import loaders to worker threads: a thread from source registers tsx itself. */
const SOURCE_BOOTSTRAP = new URL('./source-bootstrap.mjs', import.meta.url);

let threadLimits: ResourceLimits = {};

/** The limits every thread this thread starts from now on is given, under those its caller gives (the engine process's heap size: threadHeapLimits). */
export function setThreadLimits(limits: ResourceLimits): void {
  threadLimits = limits;
}

/** A worker thread on a built .mjs, or on its .ts source through tsx; `data` is its threadData. */
export function startThread(script: string, data: unknown, ownLimits: ResourceLimits = {}): Worker {
  const resourceLimits = { ...threadLimits, ...ownLimits };
  return script.endsWith('.ts')
    ? new Worker(SOURCE_BOOTSTRAP, { workerData: { sourceEntry: script, data }, resourceLimits })
    : new Worker(script, { workerData: { data }, resourceLimits });
}

export function workerChild(options: WorkerChildOptions): Spawn {
  return (gone) => {
    const worker = startThread(options.script, options.workerData, options.resourceLimits);
    worker.on('error', (error) => gone(`it crashed (${error.message})`));
    worker.on('exit', (code) => {
      options.onExit?.();
      gone(`it exited (code ${code})`);
    });
    return {
      endpoint: workerEndpoint(worker),
      hold: (held) => (held ? worker.ref() : worker.unref()),
      stop: (graceful) => (graceful ? askToLeave(worker) : worker.terminate().then(() => undefined)),
    };
  };
}

/**
 * Ends a thread that may be inside a native call (TurboJPEG aborts the whole process when its thread
 * is torn down there): asked to leave between two tasks, terminated only if it has not within the grace.
 */
function askToLeave(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve()), EXIT_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.postMessage({ rpc: 'exit' } satisfies RpcMessage);
  });
}

/** The data a worker thread was started with (workerChild's workerData). */
export function threadData<T>(raw: unknown): T {
  return (raw as { data: T }).data;
}
