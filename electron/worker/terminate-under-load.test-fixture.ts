// Run by engine-host.test.ts in a child process: engine workers terminated (restart, dispose) while
// tiles, reduced levels and thumbnails are being made. Exits 0 printing "survived" unless a native
// call left pending by a terminated worker aborts the whole process (which a test could not catch).

import { fileURLToPath } from 'node:url';
import { fixturePath } from '../../testing/fixtures';
import { EngineHost } from './engine-host';

const worker = process.argv[2] ?? fileURLToPath(new URL('./engine-worker.ts', import.meta.url));
const path = await fixturePath('aperio-jpeg-rgb');
for (let i = 0; i < 12; i++) {
  const host = new EngineHost({ workerPath: worker });
  const { slideId, info } = await host.open(path);
  const levels = info.deepZoom.levels;
  const requests: Array<Promise<unknown>> = [];
  for (let k = 0; k < 48; k++) {
    const z = levels.length - 1 - (k % 4);
    const level = levels[z]!;
    requests.push(host.getTile(slideId, z, (k * 7) % level.cols, (k * 3) % level.rows).catch(() => null));
  }
  requests.push(host.thumbnail(slideId, { kind: 'size', longestSide: 800 }).catch(() => null));
  await new Promise((resolve) => setTimeout(resolve, 10 + ((i * 37) % 120)));
  if (i % 2 === 1) host.restart('Terminated under load by the test.');
  await host.dispose();
  await Promise.all(requests);
}
console.log('survived');
