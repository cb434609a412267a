// A floor under a thread's old space, kept at run time: V8 starts a full collection once the old
// generation outgrows its limit, which it sets at most at 1.5x what lived after the last one for a
// lane's 768 MB heap (~20 MB for a lane's ~11 MB), so a batch lane collected every few slides. `--initial-old-space-size` raised that
// limit but, as any heap flag on the command line, cost Node its built-in code cache in every isolate
// (docs/performance.md). Here the growth V8 allows after each full collection is raised instead
// (`--heap-growing-percent`, read at every collection) until the limit reaches the floor, and left to
// V8 once what lives is large enough to reach it by V8's own factor.

import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

const MB = 1024 * 1024;

/**
 * The most V8 lets a heap of this limit grow after a full collection (MemoryController::MaxGrowingFactor
 * in V8's heap-controller.cc, 64-bit): 1.3x at 256 MB rising to 2x short of 2 GB, 4x from 2 GB.
 */
export function v8MaxGrowth(heapLimitBytes: number): number {
  const mb = Math.max(256, heapLimitBytes / MB);
  return mb >= 2048 ? 4 : 1.3 + (0.7 * (mb - 256)) / (2048 - 256);
}

/**
 * The growth (per cent over what lives) that puts the next limit at `floorBytes`, where V8's own
 * could not reach it; 0 leaves it to V8 (never lower than V8 would allow).
 */
export function floorGrowthPercent(liveBytes: number, floorBytes: number, heapLimitBytes: number): number {
  if (liveBytes <= 0 || liveBytes * v8MaxGrowth(heapLimitBytes) >= floorBytes) return 0;
  return Math.ceil((floorBytes / liveBytes - 1) * 100);
}

/**
 * Keeps this isolate's old-space limit at `floorMb` at least, from now on, until the returned stop is
 * called. V8's flags are the process's: one thread of a process keeps the floor (its other threads'
 * collections grow by the same rule, their work being alike).
 */
export function keepOldSpaceFloor(floorMb: number): () => void {
  const floorBytes = floorMb * MB;
  let percent = -1;
  const update = () => {
    // Read after a full collection: what is used is then about what lives.
    const heap = getHeapStatistics();
    const want = floorGrowthPercent(heap.used_heap_size, floorBytes, heap.heap_size_limit);
    if (want === percent) return;
    setFlagsFromString(`--heap-growing-percent=${want}`);
    percent = want;
  };
  update();
  const observer = new PerformanceObserver((list) => {
    const full = list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (full) update();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
