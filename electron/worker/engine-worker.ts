// An engine worker thread (one lane of EngineHost): decoding never runs on the Electron main thread.
// Requests run concurrently (sharp decodes on libuv's pool); a cancel aborts one the viewer no
// longer needs.

import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { optimiseOpenJpeg, setCodecThreads, stopCodecPool, warmCodecPool } from '../engine/codecs/codec-pool';
import { useCompiledOpenJpeg } from '../engine/codecs/openjpeg';
import { SlideEngine } from '../engine/engine';
import { toSlideError } from '../engine/errors';
import { ensureSampleSlide } from '../synth/sample-slide';
import { CANCELLABLE, type HostMessage, type LaneData, type WorkerMessage } from './protocol';

if (!parentPort) throw new Error('engine-worker must run in a worker thread');
const port = parentPort;

// One of several lanes (EngineHost): the caches and the codec threads are shared out among them.
const { lane = 0, lanes = 1, openJpeg } = (workerData ?? {}) as Partial<LaneData>;
if (openJpeg) useCompiledOpenJpeg(openJpeg);
const MB = 1024 * 1024;
setCodecThreads(Math.max(1, Math.floor(Math.min(4, availableParallelism()) / lanes)));
const engine = new SlideEngine({
  makeSample: ensureSampleSlide,
  lane: { lane, lanes },
  tileCacheBytes: (24 * MB) / lanes,
  dzCacheBytes: (12 * MB) / lanes,
  encodedCacheBytes: (16 * MB) / lanes,
});
const running = new Map<number, AbortController>();
// At launch, the JPEG 2000 threads start (~150 ms each, which a JPEG 2000 slide's first view would
// otherwise wait for) and the first lane has OpenJPEG optimised for all (optimiseOpenJpeg: unoptimised,
// that view decodes 3-4x slower); then the lane says it is ready. Pings are answered meanwhile: they
// tell the host the worker is alive, however long this takes on a busy machine.
void Promise.all([warmCodecPool(), lane === 0 ? optimiseOpenJpeg() : undefined]).then(() => reply({ type: 'ready', rssBytes: process.memoryUsage.rss() }));

function reply(message: WorkerMessage): void {
  port.postMessage(message);
}

port.on('message', (message: HostMessage) => {
  if (message.type === 'ping') {
    reply({ type: 'pong', id: message.id, rssBytes: process.memoryUsage.rss() });
    return;
  }
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  if (message.type === 'exit') {
    for (const controller of running.values()) controller.abort();
    // In a worker thread process.exit ends the thread, here, outside any native call; the codec
    // threads first finish their jobs.
    void stopCodecPool().finally(() => process.exit(0));
    return;
  }
  const { id, method, args } = message;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // one request may wait on many tiles
  running.set(id, controller);
  const call = engine[method] as (...a: unknown[]) => Promise<unknown>;
  const fullArgs = CANCELLABLE.has(method) ? [...args, controller.signal] : args;
  Promise.resolve()
    .then(() => call.apply(engine, fullArgs))
    .then(
      (value) => reply({ type: 'result', id, ok: true, value }),
      (error: unknown) => reply({ type: 'result', id, ok: false, error: toSlideError(error).toInfo() }),
    )
    .finally(() => running.delete(id));
});
