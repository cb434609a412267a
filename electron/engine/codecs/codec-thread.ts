// A thread of the codec pool (codec-pool). It is asked to exit between jobs, so that nothing it runs
// is cut off halfway.

import { parentPort } from 'node:worker_threads';
import { runCodecJob, type CodecAnswer, type CodecJob } from './codec-jobs';
import { loadOpenJpeg } from './openjpeg';

// Compile the WebAssembly now: the pool starts when a slide needs it, ahead of its tiles.
void loadOpenJpeg();

parentPort?.on('message', (message: { id: number; job: CodecJob } | { exit: true }) => {
  if ('exit' in message) process.exit(0);
  const { id, job } = message;
  runCodecJob(job).then(
    (value) => parentPort?.postMessage({ id, ok: true, value } satisfies CodecAnswer, [value.data.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ id, ok: false, code: (error as { code?: string }).code, message: error instanceof Error ? error.message : String(error) } satisfies CodecAnswer),
  );
});
