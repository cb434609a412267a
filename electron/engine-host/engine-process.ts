// The engine process: the slide engine's lanes (worker threads, a core each but one) behind one operation
// contract, in an OS process of its own, so that a slide that makes it crash or allocate without
// bound ends this process and not the app. Started by Electron's utilityProcess in the app and by
// child_process.fork in the CLI, the tests and the e2e host (engine-launcher); the parent talks to
// it over its parent channel, each window over a port of its own (parent-channel).
//
// Its main thread decodes nothing: it routes requests (engine-router), reads stored JPEG tiles as
// they are (stored-tile-reader) and watches its own memory.

import { fileURLToPath } from 'node:url';
import type { OperationProtocol } from '../../shared/operation-rpc';
import type { EngineStats } from '../../shared/operations';
import { type Endpoint, serveRpc } from '../../shared/rpc';
import { compileOpenJpeg } from '../engine/codecs/openjpeg';
import { removeUnfinishedWrites } from '../engine/export/atomic-file';
import { clearPoolReadSlot, poolReadSlots, poolReadTable, stuckPoolReads, watchPoolReadsIn } from '../engine/pool-reads';
import { type Spawn, Supervisor } from '../rpc/supervisor';
import { setThreadLimits, workerChild } from '../rpc/worker-thread';
import { endOnDebuggerSignal } from './debugger-signal';
import { EngineRouter } from './engine-router';
import {
  defaultLaneCount,
  OVER_MEMORY_CAP,
  OVER_MEMORY_CAP_EXIT,
  readEngineSettings,
  STOP_SIGNALS,
  STOPPED_FILE_SYSTEM,
  threadHeapLimits,
} from './engine-settings';
import type { LaneData } from './lane';
import { watchMemory } from './memory-watchdog';
import { warmOpenPath } from './open-warm-up';
import { HOST_CHANNEL, isEnvelope, type ParentEnvelope, type PortLike, portEndpoint, type RawChannel, subChannel } from './parent-channel';

/** Electron's utilityProcess gives the child process.parentPort; a forked Node process has process.send. */
function parentChannel(): RawChannel {
  const electronPort = (
    process as {
      parentPort?: {
        postMessage(m: unknown): void;
        on(e: 'message', l: (e: { data: unknown; ports: unknown[] }) => void): void;
        off(e: 'message', l: (e: { data: unknown; ports: unknown[] }) => void): void;
      };
    }
  ).parentPort;
  if (electronPort) {
    return {
      send: (envelope) => electronPort.postMessage(envelope),
      listen(listener) {
        const onMessage = (event: { data: unknown; ports: unknown[] }) => listener(event.data, event.ports ?? []);
        electronPort.on('message', onMessage);
        return () => electronPort.off('message', onMessage);
      },
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('the engine process must be started by Slidescope (utilityProcess or child_process.fork)');
  return {
    send: (envelope) => {
      if (process.connected) send(envelope);
    },
    listen(listener) {
      const onMessage = (message: unknown) => listener(message, []);
      process.on('message', onMessage);
      return () => void process.off('message', onMessage);
    },
  };
}

const settings = readEngineSettings(process.env);
const LANE_SCRIPT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './lane.ts' : './engine-lane.mjs', import.meta.url));
const laneCount = settings.lanes ?? defaultLaneCount();
setThreadLimits(threadHeapLimits(settings));
const parent = parentChannel();

// OpenJPEG compiled once for the process: every lane's JPEG 2000 threads share the code V8 optimises.
const openJpeg = await compileOpenJpeg().catch(() => undefined);
// Each thread's calls into libuv's pool and its blocking file calls (pool-reads.ts): the router's slot 0;
// each lane thread one of its own, emptied once that thread has ended, so that a replaced lane's calls
// still out stay watched.
const poolReads = poolReadTable(1 + laneCount * 4);
watchPoolReadsIn(poolReads, 0);
const freePoolSlots = Array.from({ length: poolReadSlots(poolReads) - 1 }, (_, i) => i + 1);
/** How often the pool's calls are looked at: a stuck one ends the process within this of STUCK_READ_MS. */
const STUCK_CHECK_MS = 5000;
let memory: ReturnType<typeof watchMemory> | undefined;
function laneSpawn(lane: number): Spawn {
  return (gone) => {
    // None free: every slot is held by a thread that has not ended (stuck itself), and this one goes unwatched.
    const poolSlot = freePoolSlots.shift() ?? null;
    return workerChild({
      script: LANE_SCRIPT,
      workerData: { lane, lanes: laneCount, openJpeg, poolReads, poolSlot } satisfies LaneData,
      // A small young generation makes V8 collect the short-lived pixel buffers sooner (flat memory
      // under a stream of tiles); its old generation's limit ends a lane whose heap runs away.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
      onExit: () => {
        if (poolSlot === null) return;
        clearPoolReadSlot(poolReads, poolSlot);
        freePoolSlots.push(poolSlot);
      },
    })(gone);
  };
}
const lanes = Array.from(
  { length: laneCount },
  (_, lane) =>
    new Supervisor<OperationProtocol>({
      name: 'An engine lane',
      spawn: laneSpawn(lane),
      restartEagerly: true,
      onReplaced: () => router.laneLost(lane),
    }),
);
const stats = (): EngineStats => ({
  pid: process.pid,
  rssBytes: process.memoryUsage.rss(),
  peakRssBytes: memory?.peakRssBytes() ?? 0,
  memoryCapBytes: settings.memoryCapBytes,
  lanes: laneCount,
  restarts: lanes.reduce((sum, lane) => sum + lane.restarts, 0),
});
const router = new EngineRouter(lanes, stats);
const health = () => ({ rssBytes: process.memoryUsage.rss(), activeSlides: router.activeSlides() });

const host = serveRpc(subChannel(parent, HOST_CHANNEL), router.hostDispatch(), {
  health,
  onExit: () => void shutdown(0),
});
router.onReadingStarts = () => host.reportHealth();

/** Each window's connection: served until the window goes or the parent says so. */
const windows = new Map<number, { close(): void }>();
function connect(client: number, endpoint: Endpoint, port?: PortLike): void {
  disconnect(client);
  const server = serveRpc(endpoint, router.connect(client));
  const window = {
    close: () => {
      server.close();
      port?.close();
    },
  };
  windows.set(client, window);
  port?.on('close', () => {
    if (windows.get(client) === window) disconnect(client);
  });
}
function disconnect(client: number): void {
  const window = windows.get(client);
  if (!window) return;
  windows.delete(client);
  router.disconnect(client);
  window.close();
}

parent.listen((message: unknown, ports) => {
  if (!isEnvelope(message)) return;
  const envelope = message as ParentEnvelope;
  if ('connect' in envelope) {
    const port = ports[0] as PortLike | undefined;
    connect(envelope.connect, port ? portEndpoint(port) : subChannel(parent, envelope.connect), port);
  } else if ('disconnect' in envelope) {
    disconnect(envelope.disconnect);
  }
});

async function shutdown(code: number): Promise<never> {
  memory?.stop();
  clearInterval(stuckReads);
  await Promise.all(lanes.map((lane) => lane.dispose()));
  process.exit(code);
}

// Forked (the CLI, tests): the parent is gone when its channel closes, and nobody is left to serve.
if (process.send) process.on('disconnect', () => void shutdown(0));
// A CLI batch stops its engines itself after a signal, once the slides being made are done (a
// scheduler such as Slurm signals every process of the job, not only the CLI).
if (settings.parentHandlesSignals) for (const signal of STOP_SIGNALS) process.on(signal, () => undefined);
else endOnDebuggerSignal((code) => void shutdown(code));

let ending = false;
/** Ends the process, saying why and what it was reading: the parent restarts it. */
function endItself(reason: string, end: () => void): void {
  if (ending) return;
  ending = true;
  host.emit('fatal', { reason, health: health() });
  // Give the message a moment to leave, then go at once: lanes may be mid-allocation.
  setTimeout(end, 50);
}

memory = watchMemory(settings.memoryCapBytes, (rssBytes) => {
  const mb = (n: number) => `${Math.round(n / 2 ** 20)} MB`;
  endItself(`it used ${mb(rssBytes)}, ${OVER_MEMORY_CAP} of ${mb(settings.memoryCapBytes)}`, () => process.exit(OVER_MEMORY_CAP_EXIT));
});
// A file system that stopped answering holds the pool's threads, or a lane in a blocking call, which
// only ending the process frees; killed, as exiting would wait for those threads.
const stuck = stuckPoolReads(poolReads);
const stuckReads = setInterval(() => {
  const waited = stuck();
  if (waited !== null)
    endItself(`a file read has not returned in ${Math.round(waited / 1000)} s (${STOPPED_FILE_SYSTEM})`, () => process.kill(process.pid, 'SIGKILL'));
}, STUCK_CHECK_MS);
stuckReads.unref();

// Temporary files an earlier engine left when it was killed mid-export are removed before any write.
if (settings.partialWritesDir) await removeUnfinishedWrites(settings.partialWritesDir).catch(() => undefined);

for (const lane of lanes) lane.start();
await Promise.all(lanes.map((lane) => lane.whenReady()));
if (settings.warmUp) await warmOpenPath(router.hostDispatch()).catch(() => undefined);
host.ready();
