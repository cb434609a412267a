// readDetectionFile in a thread of its own (detection-thread.ts), for the engine's lanes: their
// thread stays free to answer while a large file is parsed.

import { fileURLToPath } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';
import type { DetectionSet } from '../../shared/detections';
import type { Result } from '../../shared/errors';
import { cancelledError, SlideError } from '../engine/errors';
import { startThread } from '../rpc/worker-thread';

/** The thread's module: its bundle beside the lane's (scripts/build.mjs), or its source under tsx. */
const THREAD = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './detection-thread.ts' : './detection-thread.mjs', import.meta.url));

/**
 * The file's detections, read in a thread of its own; CANCELLED, the thread ended, once `signal` is
 * aborted. The thread's heap is the engine's (threadHeapLimits) unless `resourceLimits` say otherwise.
 */
export function readDetectionsApart(path: string, signal?: AbortSignal, resourceLimits?: ResourceLimits): Promise<DetectionSet> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError(path));
    const worker = startThread(THREAD, path, resourceLimits);
    let answered = false;
    const cancel = () => {
      answered = true;
      reject(cancelledError(path));
      void worker.terminate();
    };
    signal?.addEventListener('abort', cancel, { once: true });
    worker.once('message', (result: Result<DetectionSet>) => {
      answered = true;
      signal?.removeEventListener('abort', cancel);
      if (result.ok) resolve(result.value);
      else reject(new SlideError(result.error.code, result.error.message, result.error.path));
      void worker.terminate();
    });
    worker.once('error', (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new SlideError('TOO_LARGE', `${path} holds more than the engine can read at once: its reading ran out of memory.`, path)
          : new SlideError('INTERNAL', `Reading ${path}'s detections failed (${error.message}).`, path),
      ),
    );
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', cancel);
      if (!answered) reject(new SlideError('INTERNAL', `Reading ${path}'s detections stopped (exit code ${code}).`, path));
    });
  });
}
