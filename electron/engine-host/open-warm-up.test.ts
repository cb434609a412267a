// The launch warm-up must really open its slide, as an Aperio slide with its associated images: if the
// reader ever refused it, the warm-up would do nothing, silently (the engine starts regardless).

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ok, type Result, toErrorInfo } from '../../shared/errors';
import type { SlideInfo } from '../../shared/slide';
import { SlideEngine } from '../engine/engine';
import { writeWarmUpSlide } from '../synth/warm-up-slide';
import { EngineRouter } from './engine-router';
import { warmOpenPath } from './open-warm-up';
import { WARM_UP_SLIDE } from './open-warm-up-slide';

test('the warm-up opens and closes its Aperio slide 40 times, every open succeeding, in every lane', async () => {
  const infos: SlideInfo[] = [];
  const opensByLane = [0, 0, 0];
  let closes = 0;
  // Lanes as the engine process runs them, each its own engine, behind the real router.
  const lane = (index: number) => {
    const engine = new SlideEngine();
    return {
      load: 0,
      async call(op: string, request: never): Promise<Result<unknown>> {
        try {
          if (op === 'engine:open') {
            const info = await engine.open(request);
            opensByLane[index]!++;
            if (index === 0) infos.push(info);
            return ok(info);
          }
          if (op === 'engine:close') {
            closes++;
            return ok(await engine.close(request));
          }
          return ok(await engine.getTile(request));
        } catch (error) {
          return { ok: false, error: toErrorInfo(error) };
        }
      },
    };
  };
  const stats = () => ({ pid: 0, rssBytes: 0, peakRssBytes: 0, memoryCapBytes: 0, lanes: 3, restarts: 0 });
  await warmOpenPath(new EngineRouter([lane(0), lane(1), lane(2)] as never, stats).hostDispatch());
  assert.equal(infos.length, 40);
  assert.deepEqual(opensByLane, [40, 40, 40], 'every lane warmed');
  assert.equal(closes, 120);
  assert.equal(infos[0]!.vendor, 'aperio');
  assert.deepEqual([...infos[0]!.associated].sort(), ['label', 'macro', 'thumbnail']);
  assert.equal(infos[0]!.levels.length, 2);
});

test('the stored warm-up slide is the one the generator writes (regenerate: scripts/make-warm-up-slide.ts)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-warm-up-test-'));
  try {
    await writeWarmUpSlide(join(dir, 'warm-up.svs'));
    assert.deepEqual(new Uint8Array(await readFile(join(dir, 'warm-up.svs'))), new Uint8Array(WARM_UP_SLIDE));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
