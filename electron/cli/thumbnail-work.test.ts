// A batch's thumbnail of one slide (commands.ts, thumbnailWork) against an engine stand-in: two
// identical runs at once (a Slurm resubmit beside the old task in its grace period) both make a slide,
// and the one that finishes second finds the other's whole output there.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { type Engine, thumbnailWork } from './commands';
import type { SlideInput } from './inputs';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-thumbnail-work-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** An engine whose export finds `landed` written at its path by another run meanwhile, and refuses (EXISTS). */
function raced(landed: Uint8Array): Engine {
  const engine = {
    open: async () => ({ ok: true, value: { slideId: 's1', info: { vendor: 'aperio', width: 400, height: 300 } } }),
    close: async () => ({ ok: true, value: undefined }),
    call: async (_op: string, request: { path: string }) => {
      await writeFile(request.path, landed);
      return { ok: false, error: { code: 'EXISTS', message: 's1_thumbnail.png already exists.', path: request.path } };
    },
  };
  return engine as unknown as Engine;
}

describe('a thumbnail another run wrote first', () => {
  const input: SlideInput = { path: '/c/s1.svs', key: 's1.svs', bytes: 1 };
  const run = (name: string, landed: Uint8Array) => {
    const stems = new Map([[input.path, join(dir, name, 's1')]]);
    const work = thumbnailWork({ kind: 'size', longestSide: 64 }, 'png', stems, false);
    return work(async () => raced(landed), input, new AbortController().signal);
  };

  test('whole: the slide is skipped (done), not failed', async () => {
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 9, g: 9, b: 9 } } })
      .png()
      .toBuffer();
    const outcome = await run('whole', png);
    assert.equal(outcome.status, 'skipped', JSON.stringify(outcome.error));
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.outputs, [{ path: join(dir, 'whole', 's1_thumbnail.png'), bytes: png.length }]);
  });

  test('cut short: still EXISTS (the file there is not a thumbnail)', async () => {
    const outcome = await run('cut', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.code, 'EXISTS');
  });
});
