// A thread of the decoding pool (decode-pool). Its codecs block, which is why they run here, in
// parallel, and not on the engine's event loop; and being synchronous, they leave nothing pending
// when the thread is terminated (TurboJPEG's async calls abort the process if their thread is torn
// down under them).

import { parentPort } from 'node:worker_threads';
import { runDecodeJob, type DecodeAnswer, type DecodeJob } from './decode-job';
import { loadOpenJpeg } from './openjpeg';

// Compile the WebAssembly now: the pool starts when a slide needs it, ahead of its tiles.
void loadOpenJpeg();

parentPort?.on('message', ({ id, job }: { id: number; job: DecodeJob }) => {
  runDecodeJob(job).then(
    (decoded) => parentPort?.postMessage({ id, ok: true, ...decoded } satisfies DecodeAnswer, [decoded.data.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ id, ok: false, code: (error as { code?: string }).code, message: error instanceof Error ? error.message : String(error) } satisfies DecodeAnswer),
  );
});
