// Compared slides' alignments through main's operations (compare:*): remembered per set of slides
// in the user-data folder whatever their order, saved and loaded as files through the (stubbed)
// dialogs, refused when a file is bad or made for other slides, and only for the window's own slides.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Placement } from '../../shared/compare-geometry';
import type { Result } from '../../shared/errors';
import { StubAlignmentDialogs } from '../../testing/fakes/alignment-dialogs';
import { FakeEngine } from '../../testing/fakes/fake-engine';
import { ipcHandlerDeps } from '../../testing/fakes/ipc-handler-deps';
import { ALIGNMENT_STORE_NAME, AlignmentStore, alignmentSetKey } from './alignment-store';
import { CompareAlignments } from './compare-alignments';
import { createIpcHandlers, type IpcController } from './ipc-handlers';

const W1 = 1;
const W2 = 2;
const MOVED: Placement = { offset: { x: 152.4, y: -38 }, rotation: 1.5 };
const STILL: Placement = { offset: { x: 0, y: 0 }, rotation: 0 };

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function refused(result: Result<unknown>, code: string, pattern: RegExp): void {
  assert.equal(result.ok, false, 'expected an error');
  if (result.ok) return;
  assert.equal(result.error.code, code);
  assert.match(result.error.message, pattern);
}

describe('compared slides’ alignments in main', () => {
  let dir: string;
  let dialogs: StubAlignmentDialogs;
  let ipc: IpcController;
  let store: AlignmentStore;

  const open = async (sender: number, path: string) => value(await ipc.dispatch('slide:open-dropped', sender, { path })) as { slideId: string };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-alignments-'));
    dialogs = new StubAlignmentDialogs();
    store = new AlignmentStore({ dir });
    ipc = createIpcHandlers(ipcHandlerDeps(new FakeEngine(), dir, { alignments: new CompareAlignments(store, dialogs) }));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('remembers an alignment for the set of slides, whatever their order, in the user-data folder', async () => {
    const he = await open(W1, '/slides/HE.svs');
    const cd3 = await open(W1, '/slides/CD3.svs');
    assert.equal(value(await ipc.dispatch('compare:load-alignment', W1, { slideIds: [he.slideId, cd3.slideId] })), null);
    value(await ipc.dispatch('compare:save-alignment', W1, { slideIds: [he.slideId, cd3.slideId], placements: [STILL, MOVED] }));
    // Compared the other way round: each slide keeps its own placement.
    assert.deepEqual(value(await ipc.dispatch('compare:load-alignment', W1, { slideIds: [cd3.slideId, he.slideId] })), [MOVED, STILL]);
    // A fresh store (the app restarted) reads the same file.
    const stored = JSON.parse(await readFile(join(dir, ALIGNMENT_STORE_NAME), 'utf8')) as { sets: Record<string, { slides: unknown[] }> };
    assert.deepEqual(Object.keys(stored.sets), [alignmentSetKey(['/slides/HE.svs', '/slides/CD3.svs'])]);
    assert.deepEqual(await new AlignmentStore({ dir }).load(['/slides/CD3.svs', '/slides/HE.svs']), {
      format: 'slidescope-alignment',
      version: 1,
      slides: [
        { name: 'HE.svs', offset: { x: 0, y: 0 }, rotation: 0 },
        { name: 'CD3.svs', offset: { x: 152.4, y: -38 }, rotation: 1.5 },
      ],
    });
    // Another set is another entry.
    const pas = await open(W1, '/slides/PAS.svs');
    assert.equal(value(await ipc.dispatch('compare:load-alignment', W1, { slideIds: [he.slideId, pas.slideId] })), null);
  });

  it('only for the window’s own slides, and only requests that fit the contract', async () => {
    const he = await open(W1, '/slides/HE.svs');
    const other = await open(W2, '/slides/CD3.svs');
    refused(await ipc.dispatch('compare:load-alignment', W1, { slideIds: [he.slideId, other.slideId] }), 'NOT_OPEN', /not open in this window/);
    refused(
      await ipc.dispatch('compare:save-alignment', W1, { slideIds: [he.slideId, he.slideId], placements: [STILL] }),
      'INVALID_ARGUMENT',
      /one entry per slide/,
    );
    refused(await ipc.dispatch('compare:load-alignment', W1, { slideIds: [he.slideId] }), 'INVALID_ARGUMENT', /slideIds must have 2 to 4 entries/);
    refused(
      await ipc.dispatch('compare:save-alignment', W1, {
        slideIds: [he.slideId, he.slideId],
        placements: [STILL, { offset: { x: Number.POSITIVE_INFINITY, y: 0 }, rotation: 0 }],
      }),
      'INVALID_ARGUMENT',
      /placements\[1\]\.offset\.x must be finite/,
    );
    refused(
      await ipc.dispatch('compare:save-alignment', W1, { slideIds: [he.slideId, he.slideId], placements: [STILL, { offset: { x: 0, y: 0 }, rotation: 1000 }] }),
      'INVALID_ARGUMENT',
      /rotation must be at most 360/,
    );
  });

  it('a corrupt store reads as nothing remembered, and the next save replaces it', async () => {
    await writeFile(join(dir, ALIGNMENT_STORE_NAME), '{"version": 1, "sets": {"x": ');
    const he = await open(W1, '/slides/HE.svs');
    const cd3 = await open(W1, '/slides/CD3.svs');
    assert.equal(value(await ipc.dispatch('compare:load-alignment', W1, { slideIds: [he.slideId, cd3.slideId] })), null);
    value(await ipc.dispatch('compare:save-alignment', W1, { slideIds: [he.slideId, cd3.slideId], placements: [MOVED, STILL] }));
    assert.deepEqual(value(await ipc.dispatch('compare:load-alignment', W1, { slideIds: [he.slideId, cd3.slideId] })), [MOVED, STILL]);
    // An entry edited by hand into nonsense is not applied.
    const stored = JSON.parse(await readFile(join(dir, ALIGNMENT_STORE_NAME), 'utf8')) as {
      sets: Record<string, { slides: Array<{ rotationDegrees: unknown }> }>;
    };
    for (const set of Object.values(stored.sets)) set.slides[0]!.rotationDegrees = 'a lot';
    await writeFile(join(dir, ALIGNMENT_STORE_NAME), JSON.stringify(stored));
    assert.equal(await new AlignmentStore({ dir }).load(['/slides/HE.svs', '/slides/CD3.svs']), null);
  });

  it('keeps the most recently saved sets when there are too many', async () => {
    const small = new AlignmentStore({ dir: join(dir, 'small'), max: 2 });
    const file = (name: string) => ({ format: 'slidescope-alignment' as const, version: 1 as const, slides: [{ name, offset: { x: 1, y: 2 }, rotation: 0 }] });
    await small.save(['/a.svs', '/b.svs'], file('a.svs'));
    await small.save(['/c.svs', '/d.svs'], file('c.svs'));
    await small.save(['/a.svs', '/b.svs'], file('a.svs'));
    await small.save(['/e.svs', '/f.svs'], file('e.svs'));
    assert.equal(await small.load(['/c.svs', '/d.svs']), null);
    assert.ok(await small.load(['/b.svs', '/a.svs']));
    assert.ok(await small.load(['/e.svs', '/f.svs']));
  });

  it('saves an alignment file where the user chooses and loads it back; bad files are refused with the reason', async () => {
    const he = await open(W1, '/slides/HE.svs');
    const cd3 = await open(W1, '/slides/CD3.svs');
    const slideIds = [he.slideId, cd3.slideId];
    // Cancelled: nothing written, nothing loaded.
    assert.deepEqual(value(await ipc.dispatch('compare:export-alignment', W1, { slideIds, placements: [STILL, MOVED] })), { files: [] });
    assert.equal(value(await ipc.dispatch('compare:import-alignment', W1, { slideIds })), null);
    assert.deepEqual(dialogs.calls, [
      { dialog: 'save', defaultPath: '/slides/HE_CD3.alignment.json' },
      { dialog: 'load', defaultFolder: '/slides' },
    ]);
    dialogs.savePath = join(dir, 'pair.json');
    assert.deepEqual(value(await ipc.dispatch('compare:export-alignment', W1, { slideIds, placements: [STILL, MOVED] })), { files: [dialogs.savePath] });
    const text = await readFile(dialogs.savePath, 'utf8');
    assert.deepEqual(JSON.parse(text), {
      format: 'slidescope-alignment',
      version: 1,
      slides: [
        { name: 'HE.svs', offsetMicrons: { x: 0, y: 0 }, rotationDegrees: 0 },
        { name: 'CD3.svs', offsetMicrons: { x: 152.4, y: -38 }, rotationDegrees: 1.5 },
      ],
    });
    // Loaded for the pair in the other order: matched by name.
    dialogs.loadPath = dialogs.savePath;
    assert.deepEqual(value(await ipc.dispatch('compare:import-alignment', W1, { slideIds: [cd3.slideId, he.slideId] })), [MOVED, STILL]);
    // The file may be shown in its folder (the app wrote it).
    value(await ipc.dispatch('export:show-in-folder', W1, { path: dialogs.savePath }));

    const pas = await open(W1, '/slides/PAS.svs');
    refused(
      await ipc.dispatch('compare:import-alignment', W1, { slideIds: [he.slideId, pas.slideId] }),
      'INVALID_ARGUMENT',
      /pair\.json: the alignment names CD3\.svs, which is not among the compared slides \(HE\.svs, PAS\.svs\)/,
    );
    dialogs.loadPath = join(dir, 'bad.json');
    await writeFile(dialogs.loadPath, '{"format": "slidescope-alignment", "version": 1, "slides": "all of them"}');
    refused(
      await ipc.dispatch('compare:import-alignment', W1, { slideIds }),
      'CORRUPT_DATA',
      /bad\.json: not a Slidescope alignment file: slides must be an array/,
    );
    await writeFile(dialogs.loadPath, 'x'.repeat(100_000));
    refused(await ipc.dispatch('compare:import-alignment', W1, { slideIds }), 'TOO_LARGE', /bad\.json is 100000 bytes, more than the 65536/);
    dialogs.loadPath = dir;
    refused(await ipc.dispatch('compare:import-alignment', W1, { slideIds }), 'NOT_FOUND', /is not a file/);
  });
});
