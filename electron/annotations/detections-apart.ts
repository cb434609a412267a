// readDetectionFile in a thread of its own (detection-thread.ts), for the engine's lanes: their
// thread stays free to answer while a large file is parsed.

import { fileURLToPath } from 'node:url';
import type { DetectionSet } from '../../shared/detections';
import type { Result } from '../../shared/errors';
import { SlideError } from '../engine/errors';
import { startThread } from '../rpc/worker-thread';

/** The thread's module: its bundle beside the lane's (scripts/build.mjs), or its source under tsx. */
const THREAD = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './detection-thread.ts' : './detection-thread.mjs', import.meta.url));

export function readDetectionsApart(path: string): Promise<DetectionSet> {
  return new Promise((resolve, reject) => {
    const worker = startThread(THREAD, path);
    let answered = false;
    worker.once('message', (result: Result<DetectionSet>) => {
      answered = true;
      if (result.ok) resolve(result.value);
      else reject(new SlideError(result.error.code, result.error.message, result.error.path));
      void worker.terminate();
    });
    worker.once('error', (error) => reject(new SlideError('INTERNAL', `Reading ${path}'s detections failed (${error.message}).`, path)));
    worker.once('exit', (code) => {
      if (!answered) reject(new SlideError('INTERNAL', `Reading ${path}'s detections stopped (exit code ${code}).`, path));
    });
  });
}
