// The engine's port against a path through the main process, measured with processes: a client
// talking to the engine process directly (a window's own port) or through a relay process that only
// forwards (the main process in between). Tiles of a JPEG 2000 slide's first view (35 tiles, re-encoded)
// and of a JPEG slide at 1:1 (stored tiles), each view asked for at once, medians of 7.
// Run: node --import tsx bench/ipc/port-vs-relay.ts (after npm run build).

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EngineClient, type EngineSpawn } from '../../electron/engine-host/engine-client';
import { forkEngine } from '../../electron/engine-host/fork-engine';
import { HOST_CHANNEL, type RawChannel, subChannel } from '../../electron/engine-host/parent-channel';
import type { Endpoint } from '../../shared/rpc';
import { fixturePath } from '../../testing/fixtures';
import { median } from '../median';

const ENGINE = fileURLToPath(new URL('../../dist/electron/engine-process.mjs', import.meta.url));
const RELAY = fileURLToPath(new URL('./relay-process.mjs', import.meta.url));

function relayed(): EngineSpawn<Endpoint> {
  return (gone) => {
    const child = fork(RELAY, [ENGINE], { serialization: 'advanced', stdio: ['ignore', 2, 2, 'ipc'] });
    const raw: RawChannel = {
      send: (envelope) => void (child.connected && child.send(envelope)),
      listen(listener) {
        const on = (message: unknown) => listener(message, []);
        child.on('message', on);
        return () => void child.off('message', on);
      },
    };
    child.on('exit', (code) => gone(`it exited (code ${code})`));
    return {
      endpoint: subChannel(raw, HOST_CHANNEL),
      pid: child.pid,
      hold: () => undefined,
      stop: async () => void child.kill(),
      connect: (client) => {
        raw.send({ connect: client });
        return subChannel(raw, client);
      },
      disconnect: (client) => raw.send({ disconnect: client }),
    };
  };
}

async function view(spawn: EngineSpawn<Endpoint>, path: string, dzFromFinest: number, tileSize: number | undefined): Promise<number> {
  const engine = new EngineClient(spawn);
  engine.start();
  await engine.whenReady();
  const opened = await engine.call('engine:open', { slideId: 's', path, client: null, ...(tileSize ? { tileSize } : {}) });
  if (!opened.ok) throw new Error(opened.error.message);
  const geometry = opened.value.deepZoom;
  const z = geometry.levels.length - 1 - dzFromFinest;
  const level = geometry.levels[z]!;
  const cols = Math.min(level.cols, 7);
  const rows = Math.min(level.rows, 5);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: cols * rows }, (_, i) =>
      engine.call('slide:tile', { slideId: 's', dzLevel: z, col: i % cols, row: Math.floor(i / cols), requestId: i }),
    ),
  );
  const ms = performance.now() - t0;
  await engine.dispose();
  return ms;
}

const cases: Array<[string, string, number, number | undefined]> = [
  ['JPEG 2000 first view (35 re-encoded tiles)', await fixturePath('bench-j2k'), 3, 240],
  ['JPEG at 1:1 (35 stored tiles)', await fixturePath('bench-40k'), 0, undefined],
];
for (const [name, path, dz, size] of cases) {
  const direct: number[] = [];
  const relay: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    direct.push(await view(forkEngine({ module: ENGINE }), path, dz, size));
    relay.push(await view(relayed(), path, dz, size));
  }
  console.log(
    `${name}: own port ${median(direct).toFixed(0)} ms, through a relay process ${median(relay).toFixed(0)} ms (${(median(relay) / median(direct)).toFixed(2)}x)`,
  );
}
