// A thread of the codec pool (codec-pool). It is asked to exit between jobs, so that nothing it runs
// is cut off halfway.

import { parentPort, workerData } from 'node:worker_threads';
import { type CodecAnswer, type CodecJob, runCodecJob } from './codec-jobs';
import type { CodecThreadData } from './codec-pool';
import { loadOpenJpeg, useCompiledOpenJpeg } from './openjpeg';
import { warmUpOpenJpeg } from './openjpeg-warmup';

const { openJpeg, warmUp } = workerData as CodecThreadData;
useCompiledOpenJpeg(openJpeg);
// Load OpenJPEG now, ahead of the first tile, and say when it is done (warmCodecPool).
void loadOpenJpeg()
  .then(() => (warmUp ? warmUpOpenJpeg() : undefined))
  .catch(() => undefined) // the jobs report what is wrong
  .then(() => parentPort?.postMessage({ ready: true }));

parentPort?.on('message', (message: { id: number; job: CodecJob } | { exit: true }) => {
  if ('exit' in message) process.exit(0);
  const { id, job } = message;
  runCodecJob(job).then(
    (value) => parentPort?.postMessage({ id, ok: true, value } satisfies CodecAnswer, [value.data.buffer as ArrayBuffer]),
    (error: unknown) =>
      parentPort?.postMessage({
        id,
        ok: false,
        code: (error as { code?: string }).code,
        message: error instanceof Error ? error.message : String(error),
      } satisfies CodecAnswer),
  );
});
