// A batch's thumbnail of one slide (commands.ts, thumbnailWork) against an engine stand-in: two
// identical runs at once (a Slurm resubmit beside the old task in its grace period) both make a slide,
// and the one that finishes second finds the other's whole output there: its own, unless it records
// another slide. And a shard writing the same tree removes the output folder, empty, meanwhile.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Provenance } from '../../shared/provenance';
import type { RgbImage } from '../../shared/slide';
import { encodeImage } from '../engine/export/encode-image';
import { type Engine, thumbnailWork } from './commands';
import type { SlideInput } from './inputs';
import { OutputFolders } from './output-folders';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-thumbnail-work-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const IMAGE: RgbImage = { data: new Uint8Array(8 * 6 * 3).fill(9), width: 8, height: 6, channels: 3 };

/**
 * An engine whose export finds a file written at its path by another run meanwhile, and refuses
 * (EXISTS): `landed` makes it from the record the export was asked to write in.
 */
function raced(landed: (provenance: Provenance) => Promise<Uint8Array>): Engine {
  const engine = {
    open: async () => ({ ok: true, value: { slideId: 's1', info: { vendor: 'aperio', width: 400, height: 300 } } }),
    close: async () => ({ ok: true, value: undefined }),
    call: async (_op: string, request: { path: string; provenance: Provenance }) => {
      await writeFile(request.path, await landed(request.provenance));
      return { ok: false, error: { code: 'EXISTS', message: 's1_thumbnail.png already exists.', path: request.path } };
    },
  };
  return engine as unknown as Engine;
}

describe('a thumbnail another run wrote first', () => {
  let input: SlideInput;
  before(async () => {
    input = { path: join(dir, 's1.svs'), key: 's1.svs', bytes: 5 };
    await writeFile(input.path, 'slide');
  });
  const run = (name: string, landed: (provenance: Provenance) => Promise<Uint8Array>) => {
    const stems = new Map([[input.path, join(dir, name, 's1')]]);
    const work = thumbnailWork({ kind: 'size', longestSide: 64 }, 'png', stems, false);
    return work(async () => raced(landed), input, new AbortController().signal, new OutputFolders());
  };

  test('whole, and made from the same slide as asked: the slide is skipped (done), not failed', async () => {
    let bytes = 0;
    const outcome = await run('whole', async (provenance) => {
      const png = await encodeImage(IMAGE, 'png', { provenance });
      bytes = png.length;
      return png;
    });
    assert.equal(outcome.status, 'skipped', JSON.stringify(outcome.error));
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.outputs, [{ path: join(dir, 'whole', 's1_thumbnail.png'), bytes }]);
  });

  test("whole, but another slide's: EXISTS, naming why", async () => {
    const outcome = await run('other', (provenance) => encodeImage(IMAGE, 'png', { provenance: { ...provenance, identity: 'another' } }));
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.code, 'EXISTS');
    assert.match(outcome.error?.message ?? '', /made from another slide/);
  });

  test('cut short: still EXISTS (the file there is not a thumbnail)', async () => {
    const outcome = await run('cut', async () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.code, 'EXISTS');
  });
});

describe('the output folder removed meanwhile', () => {
  /** A slide whose first export answers NOT_FOUND (naming `missing(out, slide)`), the output folder removed first when it names the output. */
  async function exportTwice(name: string, missing: (out: string, slide: string) => string, abandonDuringFirst = false) {
    const abandon = new AbortController();
    const input = { path: join(dir, `${name}.svs`), key: `${name}.svs`, bytes: 5 };
    await writeFile(input.path, 'slide');
    const folder = join(dir, 'shared-tree', name);
    const out = join(folder, `${name}_thumbnail.png`);
    let exports = 0;
    const engine = {
      open: async () => ({ ok: true, value: { slideId: name, info: { vendor: 'aperio', width: 400, height: 300 } } }),
      close: async () => ({ ok: true, value: undefined }),
      call: async (_op: string, request: { path: string; provenance: Provenance }) => {
        assert.equal(request.path, out);
        if (++exports === 1) {
          if (abandonDuringFirst) abandon.abort();
          const path = missing(out, input.path);
          if (path === out) await rmdir(folder);
          return { ok: false, error: { code: 'NOT_FOUND', message: `${path} does not exist.`, path } };
        }
        await writeFile(request.path, await encodeImage(IMAGE, 'png', { provenance: request.provenance }));
        return { ok: true, value: { files: [request.path] } };
      },
    } as unknown as Engine;
    const work = thumbnailWork({ kind: 'size', longestSide: 64 }, 'png', new Map([[input.path, join(folder, name)]]), false);
    const outcome = await work(async () => engine, input, abandon.signal, new OutputFolders());
    return { outcome, exports, out };
  }

  test('by another shard at its end, empty: made again and the thumbnail written once more', async () => {
    const { outcome, exports, out } = await exportTwice('s2', (out) => out);
    assert.equal(outcome.status, 'written', JSON.stringify(outcome.error));
    assert.equal(exports, 2);
    assert.ok((await readFile(out)).length > 0);
  });

  test('not for the slide itself gone, nor once the batch is abandoning its slides', async () => {
    const gone = await exportTwice('s3', (_out, slide) => slide);
    assert.deepEqual([gone.outcome.status, gone.outcome.error?.code, gone.exports], ['failed', 'NOT_FOUND', 1]);
    const abandoned = await exportTwice('s4', (out) => out, true);
    assert.deepEqual([abandoned.outcome.status, abandoned.outcome.error?.code, abandoned.exports], ['failed', 'NOT_FOUND', 1]);
  });
});
