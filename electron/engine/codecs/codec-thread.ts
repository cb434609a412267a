// A thread of the codec pool (codec-pool). It is asked to exit between jobs, so that nothing it runs
// is cut off halfway.

import { parentPort, workerData } from 'node:worker_threads';
import { ok } from '../../../shared/errors';
import { serveRpc } from '../../../shared/rpc';
import { threadData, workerEndpoint } from '../../rpc/worker-thread';
import { type CodecJob, runCodecJob } from './codec-jobs';
import type { CodecThreadData } from './codec-pool';
import type { Decoded } from './decoded';
import { adoptCompiledOpenJpeg, loadOpenJpeg } from './openjpeg';
import { nativeOpenJpeg } from './openjpeg-native';
import { warmUpOpenJpeg } from './openjpeg-warmup';

if (!parentPort) throw new Error('codec-thread must run in a worker thread');
const { openJpeg, warmUp } = threadData<CodecThreadData>(workerData);
adoptCompiledOpenJpeg(openJpeg);

const server = serveRpc(workerEndpoint(parentPort), async (_op, job) => ok(await runCodecJob(job as CodecJob)), {
  health: () => ({ rssBytes: process.memoryUsage.rss() }),
  // The decoded pixels are not kept here: moved, not copied.
  transferOf: (_op, value) => [(value as Decoded).data.buffer as ArrayBuffer],
  onExit: () => process.exit(0),
});

// Load OpenJPEG now, ahead of the first tile, and say when it is done (warmCodecPool): the system's
// where it is used (the WebAssembly build is then instantiated only if a tile needs it), else the
// WebAssembly build; the warm-up thread (optimiseOpenJpeg) always has the WebAssembly build optimised.
void (warmUp ? loadOpenJpeg().then(() => warmUpOpenJpeg()) : nativeOpenJpeg() ? Promise.resolve() : loadOpenJpeg())
  .catch(() => undefined) // the jobs report what is wrong
  .then(() => server.ready());
