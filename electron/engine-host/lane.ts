// An engine lane: one slide engine in a worker thread of the engine process, which runs one per core
// but one (see engine-router, defaultLaneCount). TurboJPEG's calls are synchronous, so lanes are what
// puts a screen's tile work on the cores. Requests run concurrently (sharp decodes on libuv's pool);
// the router cancels those the viewer no longer needs.

import { parentPort, workerData } from 'node:worker_threads';
import { type DetectionSet, detectionBuffers } from '../../shared/detections';
import { operationDispatch } from '../../shared/operation-rpc';
import { LANE_OPERATIONS } from '../../shared/operations';
import { serveRpc } from '../../shared/rpc';
import { optimiseOpenJpeg, setCodecThreads, stopCodecPool, warmCodecPool, warmCodecThreads } from '../engine/codecs/codec-pool';
import { setLibvipsThreads } from '../engine/codecs/libvips-settings';
import { adoptCompiledOpenJpeg } from '../engine/codecs/openjpeg';
import { setPartialWriteJournal } from '../engine/export/atomic-file';
import { watchPoolReadsIn } from '../engine/pool-reads';
import { setThreadLimits, threadData, workerEndpoint } from '../rpc/worker-thread';
import { defaultCodecThreads, readEngineSettings, threadHeapLimits } from './engine-settings';
import { LaneEngine } from './lane-engine';
import { keepOldSpaceFloor } from './old-space-floor';

/** What a lane is told at start: which one it is (see tileLane), of how many. */
export interface LaneData {
  lane: number;
  lanes: number;
  /** OpenJPEG compiled once for the process, so that all lanes share its optimised code (compileOpenJpeg). */
  openJpeg?: WebAssembly.Module | undefined;
  /** The process's table of file calls, in libuv's pool and blocking (pool-reads.ts), and this thread's slot in it (null: none left). */
  poolReads?: SharedArrayBuffer | undefined;
  poolSlot?: number | null;
}

if (!parentPort) throw new Error('an engine lane must run in a worker thread');
const { lane, lanes, openJpeg, poolReads, poolSlot } = threadData<LaneData>(workerData);
if (openJpeg) adoptCompiledOpenJpeg(openJpeg);
if (poolReads && poolSlot != null) watchPoolReadsIn(poolReads, poolSlot);
// Exports written here list their temporary files where the engine process cleans up after a crash.
const settings = readEngineSettings(process.env);
// Once this thread has started: set before, the flag would have cost it Node's code cache too.
if (settings.oldSpaceFloorMb !== null && lane === 0) keepOldSpaceFloor(settings.oldSpaceFloorMb);
setThreadLimits(threadHeapLimits(settings));
setPartialWriteJournal(settings.partialWritesDir);
const MB = 1024 * 1024;
setCodecThreads(settings.codecThreads ?? defaultCodecThreads(lane, lanes));
setLibvipsThreads(settings.libvipsThreads);
// The caches and the codec threads are shared out among the lanes.
const engine = new LaneEngine({
  lane: { lane, lanes },
  tileCacheBytes: (24 * MB) / lanes,
  dzCacheBytes: (12 * MB) / lanes,
  encodedCacheBytes: (16 * MB) / lanes,
});

const server = serveRpc(workerEndpoint(parentPort), operationDispatch(LANE_OPERATIONS, engine, { validate: false }), {
  health: () => ({ rssBytes: process.memoryUsage.rss() }),
  transferOf: (op, value) => (op === 'engine:read-detections' ? detectionBuffers(value as DetectionSet) : []),
  // In a worker thread process.exit ends the thread, here, between two tasks; the codec threads first finish their jobs.
  onExit: () => void stopCodecPool().finally(() => process.exit(0)),
});

// At launch, the JPEG 2000 threads start (a JPEG 2000 slide's first view would otherwise wait for
// them) and the first lane has OpenJPEG optimised for all (optimiseOpenJpeg: unoptimised, that view
// decodes several times slower), then each of its threads decodes a little itself (warmCodecThreads:
// the other lanes' at once, which adds to the shared optimising); then the lane says it is ready.
// Pings are answered meanwhile. A CLI batch skips it: its lanes decode JPEG 2000 in their own thread
// (codecThreads 0).
if (settings.warmUp) {
  void Promise.all([warmCodecPool(), lane === 0 ? optimiseOpenJpeg() : undefined])
    .then(() => warmCodecThreads())
    // A warm-up that failed leaves the lane as fast as it is: it still serves.
    .catch(() => undefined)
    .then(() => server.ready());
} else server.ready();
