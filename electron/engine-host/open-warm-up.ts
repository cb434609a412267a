// Opening a slide runs through code V8 has not optimised when the engine starts: the format probes,
// the TIFF reader, the router's checks, the lanes' messages. The app's engine opens a small slide of
// its own a few dozen times before it says it is ready, so that the user's first slides open as fast
// as the later ones (docs/performance.md, "Opening"). The CLI skips it, as it skips the codec warm-up.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatch } from '../../shared/rpc';
import type { SlideInfo } from '../../shared/slide';
import { MAX_LANES } from './engine-settings';
import { WARM_UP_SLIDE } from './open-warm-up-slide';

/** Enough opens for V8 to optimise the path (the time per open levels off after ~30). */
const ROUNDS = 40;

export async function warmOpenPath(dispatch: Dispatch): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-warm-up-'));
  try {
    const path = join(dir, 'warm-up.svs');
    await writeFile(path, WARM_UP_SLIDE);
    const context = { signal: new AbortController().signal, progress: () => undefined };
    for (let i = 0; i < ROUNDS; i++) {
      const slideId = randomUUID();
      const opened = await dispatch('engine:open', { slideId, path, client: null }, context);
      if (!opened.ok) throw new Error(opened.error.message);
      // A lane opens a slide when first asked about it: a tile of each lane's (lane = (col + row) mod
      // lanes) warms every lane's open. The tiles are empty and fail; that is not what is warmed.
      const dzLevel = (opened.value as SlideInfo).deepZoom.levels.length - 1;
      const cols = Array.from({ length: MAX_LANES }, (_, col) => col);
      await Promise.all(cols.map((col) => dispatch('slide:tile', { slideId, dzLevel, col, row: 0, requestId: col }, context)));
      await dispatch('engine:close', { slideId }, context);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
