// The launch warm-up must really open its slide, as an Aperio slide with its associated images: if the
// reader ever refused it, the warm-up would do nothing, silently (the engine starts regardless).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ok } from '../../shared/errors';
import type { SlideInfo } from '../../shared/slide';
import { SlideEngine } from '../engine/engine';
import { warmOpenPath } from './open-warm-up';

test('the warm-up opens and closes its Aperio slide 40 times, every open succeeding', async () => {
  const engine = new SlideEngine();
  const infos: SlideInfo[] = [];
  let closes = 0;
  await warmOpenPath(async (op, request) => {
    if (op === 'engine:open') {
      const info = await engine.open(request as Parameters<SlideEngine['open']>[0]);
      infos.push(info);
      return ok(info);
    }
    closes++;
    return ok(await engine.close(request as Parameters<SlideEngine['close']>[0]));
  });
  assert.equal(infos.length, 40);
  assert.equal(closes, 40);
  assert.equal(infos[0]!.vendor, 'aperio');
  assert.deepEqual([...infos[0]!.associated].sort(), ['label', 'macro', 'thumbnail']);
  assert.equal(infos[0]!.levels.length, 2);
});
