// Work for old-space-floor.test.ts: ~8 MB that lives and a stream of objects that live long enough to
// reach the old generation, then die; prints the full collections it took. Argument: the floor in MB
// (0 for none).

import { constants, PerformanceObserver } from 'node:perf_hooks';
import { keepOldSpaceFloor } from '../electron/engine-host/old-space-floor';

const floorMb = Number(process.argv[2] ?? 0);
let majors = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
});
observer.observe({ entryTypes: ['gc'] });
const stop = floorMb > 0 ? keepOldSpaceFloor(floorMb) : () => undefined;
const live = Array.from({ length: 80_000 }, (_, i) => ({ i, name: `k${i}` }));
const ring: unknown[] = Array.from({ length: 64 }, () => null);
let round = 0;
const step = () => {
  ring[round % ring.length] = Array.from({ length: 2000 }, (_, i) => ({ round, i, pad: [i, i + 1, i + 2] }));
  if (++round < 3000) setImmediate(step);
  else {
    stop();
    // The last collections' entries come a turn later.
    setTimeout(() => {
      observer.disconnect();
      process.stdout.write(`${live.length > 0 ? majors : -1}\n`);
    }, 50);
  }
};
step();
