import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { Result } from '../../shared/errors';
import type { OpenedSlide } from '../../shared/ipc';
import { INVOKE_CHANNELS } from '../../shared/ipc';
import { createIpcHandlers, type IpcController, type IpcHandlerDeps, toErrorInfo } from './ipc-handlers';
import { PathAuthorizer } from './path-authorizer';
import { RecentFiles } from './recent-files';
import { deferred, FakeEngine } from './test-fakes';

const W1 = 1;
const W2 = 2;

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function errorCode(result: Result<unknown>): string {
  assert.equal(result.ok, false, 'expected an error');
  return result.ok ? '' : result.error.code;
}

describe('createIpcHandlers', () => {
  let dir: string;
  let engine: FakeEngine;
  let recent: RecentFiles;
  let authorizer: PathAuthorizer;
  let dialogAnswer: string | null;
  let shown: string[];
  let ipc: IpcController;
  let deps: IpcHandlerDeps;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-ipc-'));
    engine = new FakeEngine();
    recent = new RecentFiles({ dir });
    authorizer = new PathAuthorizer({ recent });
    dialogAnswer = null;
    shown = [];
    deps = {
      engine,
      authorizer,
      recent,
      dialogs: { showOpenSlide: async () => dialogAnswer },
      samplePath: () => engine.ensureSample(join(dir, 'sample')),
      versions: () => ({ app: '0.1.0', electron: '41', chrome: '140', node: '22' }),
      showInFolder: (p) => {
        shown.push(p);
      },
    };
    ipc = createIpcHandlers(deps);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function openDropped(sender: number, path = '/data/a.svs'): Promise<OpenedSlide> {
    return value(await ipc['slide:open-path'](sender, { path, origin: 'drop' }));
  }

  it('has a handler for every non-export channel, and none for exports without an exporter', () => {
    for (const channel of INVOKE_CHANNELS) {
      const expected = channel !== 'export:thumbnail' && channel !== 'export:comparison';
      assert.equal(typeof ipc[channel] === 'function', expected, channel);
    }
  });

  it('validates every request and never throws', async () => {
    const bad: unknown[] = [undefined, null, 42, 'x', [], { nope: 1 }, { slideId: 5 }];
    for (const channel of INVOKE_CHANNELS) {
      const h = ipc[channel];
      if (!h) continue;
      for (const raw of bad) {
        const result = await h(W1, raw);
        if (result.ok) continue; // void channels accept undefined/null
        assert.ok(['INVALID_ARGUMENT', 'NOT_OPEN'].includes(result.error.code), `${channel} ${JSON.stringify(raw)} -> ${result.error.code}`);
      }
    }
    assert.equal(errorCode(await ipc['slide:tile'](W1, { slideId: 's1', dzLevel: -1, col: 0, row: 0, requestId: 1 })), 'INVALID_ARGUMENT');
    assert.equal(errorCode(await ipc['slide:open-path'](W1, { path: 'rel.svs', origin: 'drop' })), 'INVALID_ARGUMENT');
    assert.equal(errorCode(await ipc.dispatch('slide:explode', W1, {})), 'INVALID_ARGUMENT');
    assert.equal(errorCode(await ipc.dispatch('export:thumbnail', W1, {})), 'IO_ERROR');
    assert.equal(errorCode(await ipc['app:versions'](1.5, undefined)), 'INVALID_ARGUMENT');
  });

  it('dependencies that throw become errors', async () => {
    const broken = createIpcHandlers({
      ...deps,
      versions: () => {
        throw new Error('no versions');
      },
      samplePath: async () => {
        throw Object.assign(new Error('cannot paint'), { code: 'IO_ERROR' });
      },
      dialogs: {
        showOpenSlide: async () => {
          throw new Error('no display');
        },
      },
    });
    assert.equal(errorCode(await broken['app:versions'](W1, undefined)), 'IO_ERROR');
    assert.equal(errorCode(await broken['slide:open-sample'](W1, undefined)), 'IO_ERROR');
    assert.equal(errorCode(await broken['slide:open-dialog'](W1, undefined)), 'IO_ERROR');
  });

  it('opens a dropped path, records it in the recent list', async () => {
    const opened = await openDropped(W1);
    assert.equal(opened.info.path, '/data/a.svs');
    assert.deepEqual(
      (await recent.list()).map((f) => f.path),
      ['/data/a.svs'],
    );
    assert.deepEqual(
      ipc.slidesOf(W1).map((s) => [s.slideId, s.source]),
      [[opened.slideId, 'drop']],
    );
    assert.deepEqual(
      value(await ipc['recent:list'](W1, undefined)).map((f) => f.name),
      ['a.svs'],
    );
  });

  it('engine errors keep their code and carry the path', async () => {
    const missing = await ipc['slide:open-path'](W1, { path: '/missing/x.svs', origin: 'drop' });
    assert.equal(errorCode(missing), 'NOT_FOUND');
    assert.equal(!missing.ok && missing.error.path, '/missing/x.svs');
    assert.equal(errorCode(await ipc['slide:open-path'](W1, { path: '/data/notes.txt', origin: 'drop' })), 'NOT_A_SLIDE');
    const unknown = await ipc['slide:open-path'](W1, { path: '/data/boom.svs', origin: 'drop' });
    assert.equal(errorCode(unknown), 'IO_ERROR');
    assert.match(!unknown.ok ? unknown.error.message : '', /disk on fire/);
    assert.deepEqual(await recent.list(), []);
  });

  it("'recent' opens only listed paths", async () => {
    assert.equal(errorCode(await ipc['slide:open-path'](W1, { path: '/data/a.svs', origin: 'recent' })), 'NOT_AUTHORIZED');
    await openDropped(W1);
    const again = value(await ipc['slide:open-path'](W2, { path: '/data/a.svs', origin: 'recent' }));
    assert.equal(again.info.path, '/data/a.svs');
    value(await ipc['recent:clear'](W1, undefined));
    assert.equal(errorCode(await ipc['slide:open-path'](W1, { path: '/data/a.svs', origin: 'recent' })), 'NOT_AUTHORIZED');
  });

  it('open dialog: cancelled gives null, chosen opens and is recorded', async () => {
    assert.equal(value(await ipc['slide:open-dialog'](W1, undefined)), null);
    dialogAnswer = '/data/chosen.tiff';
    const opened = value(await ipc['slide:open-dialog'](W1, undefined));
    assert.equal(opened?.info.name, 'chosen.tiff');
    assert.equal(await recent.has('/data/chosen.tiff'), true);
    assert.equal(ipc.slidesOf(W1)[0]?.source, 'dialog');
  });

  it('the sample opens but stays out of the recent list', async () => {
    const opened = value(await ipc['slide:open-sample'](W1, undefined));
    assert.equal(opened.info.name, 'sample.svs');
    assert.deepEqual(await recent.list(), []);
    const fromMain = value(await ipc.openSampleFor(W2));
    assert.notEqual(fromMain.slideId, opened.slideId);
  });

  it('a window can only touch its own slides', async () => {
    const mine = await openDropped(W1);
    const tile = { slideId: mine.slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 };
    value(await ipc['slide:tile'](W1, tile));
    assert.equal(errorCode(await ipc['slide:tile'](W2, tile)), 'NOT_OPEN');
    assert.equal(errorCode(await ipc['slide:associated'](W2, { slideId: mine.slideId, name: 'label' })), 'NOT_OPEN');
    assert.equal(errorCode(await ipc['slide:cancel-tiles'](W2, { slideId: mine.slideId, requestIds: [1] })), 'NOT_OPEN');
    assert.equal(errorCode(await ipc['slide:close'](W2, { slideId: mine.slideId })), 'NOT_OPEN');
    assert.equal(engine.open_.has(mine.slideId), true);
    assert.equal(errorCode(await ipc['slide:tile'](W1, { ...tile, slideId: 'never-opened' })), 'NOT_OPEN');
    assert.equal(engine.tileCalls.length, 1, 'the engine never saw the foreign requests');
  });

  it('serves tiles and associated images, passing engine errors through', async () => {
    const { slideId } = await openDropped(W1);
    const tile = value(await ipc['slide:tile'](W1, { slideId, dzLevel: 0, col: 2, row: 3, requestId: 7 }));
    assert.deepEqual([...tile.bytes], [0, 2, 3]);
    assert.equal(tile.mime, 'image/jpeg');
    assert.equal(errorCode(await ipc['slide:tile'](W1, { slideId, dzLevel: 5, col: 0, row: 0, requestId: 8 })), 'INVALID_ARGUMENT');
    assert.equal(value(await ipc['slide:associated'](W1, { slideId, name: 'label' })).mime, 'image/png');
    assert.equal(errorCode(await ipc['slide:associated'](W1, { slideId, name: 'macro' })), 'NOT_FOUND');
  });

  it('slide:cancel-tiles aborts the named in-flight requests only', async () => {
    const { slideId } = await openDropped(W1);
    const gate = deferred();
    engine.tileGate = gate.promise;
    const t1 = ipc['slide:tile'](W1, { slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 });
    const t2 = ipc['slide:tile'](W1, { slideId, dzLevel: 0, col: 1, row: 0, requestId: 2 });
    await new Promise((r) => setImmediate(r));
    value(await ipc['slide:cancel-tiles'](W1, { slideId, requestIds: [1, 999] }));
    assert.equal(errorCode(await t1), 'CANCELLED');
    assert.equal(engine.tileCalls[0]?.signal?.aborted, true);
    assert.equal(engine.tileCalls[1]?.signal?.aborted, false);
    gate.resolve();
    value(await t2);
  });

  it('an engine that ignores the abort still yields CANCELLED', async () => {
    const { slideId } = await openDropped(W1);
    const gate = deferred();
    const slowEngine = Object.create(engine) as FakeEngine;
    slowEngine.getTile = async () => {
      await gate.promise;
      return { bytes: new Uint8Array(1), mime: 'image/png' };
    };
    const local = createIpcHandlers({ ...deps, engine: slowEngine });
    const { slideId: id2 } = value(await local['slide:open-path'](W1, { path: '/data/c.svs', origin: 'drop' }));
    void slideId;
    const pending = local['slide:tile'](W1, { slideId: id2, dzLevel: 0, col: 0, row: 0, requestId: 3 });
    await new Promise((r) => setImmediate(r));
    value(await local['slide:cancel-tiles'](W1, { slideId: id2, requestIds: [3] }));
    gate.resolve();
    assert.equal(errorCode(await pending), 'CANCELLED');
  });

  it('slide:close closes in the engine and aborts its tiles', async () => {
    const { slideId } = await openDropped(W1);
    engine.tileGate = deferred().promise;
    const pending = ipc['slide:tile'](W1, { slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 });
    await new Promise((r) => setImmediate(r));
    value(await ipc['slide:close'](W1, { slideId }));
    assert.equal(errorCode(await pending), 'CANCELLED');
    assert.deepEqual(engine.closed, [slideId]);
    assert.deepEqual(ipc.slidesOf(W1), []);
    assert.equal(errorCode(await ipc['slide:close'](W1, { slideId })), 'NOT_OPEN');
  });

  it('releaseSender closes every slide of the window and nothing else', async () => {
    const a = await openDropped(W1, '/data/a.svs');
    const b = await openDropped(W1, '/data/b.svs');
    const c = await openDropped(W2, '/data/c.svs');
    engine.tileGate = deferred().promise;
    const pending = ipc['slide:tile'](W1, { slideId: a.slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 });
    await new Promise((r) => setImmediate(r));
    await ipc.releaseSender(W1);
    assert.equal(errorCode(await pending), 'CANCELLED');
    assert.deepEqual(engine.closed.sort(), [a.slideId, b.slideId].sort());
    assert.deepEqual(ipc.slidesOf(W1), []);
    assert.equal(ipc.slidesOf(W2)[0]?.slideId, c.slideId);
    // The same sender (a reloaded page) can open again.
    engine.tileGate = null;
    const again = await openDropped(W1, '/data/a.svs');
    value(await ipc['slide:tile'](W1, { slideId: again.slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 }));
  });

  it('an open that finishes after its window went away is closed, not leaked', async () => {
    const gate = deferred();
    engine.openGate = gate.promise;
    const pending = ipc['slide:open-path'](W1, { path: '/data/a.svs', origin: 'drop' });
    await new Promise((r) => setImmediate(r));
    await ipc.releaseSender(W1);
    gate.resolve();
    assert.equal(errorCode(await pending), 'CANCELLED');
    await new Promise((r) => setImmediate(r));
    assert.equal(engine.open_.size, 0);
    assert.deepEqual(ipc.slidesOf(W1), []);
  });

  it('openFromMain grants and opens for the window', async () => {
    const opened = value(await ipc.openFromMain(W2, '/data/../data/cli.svs', 'cli'));
    assert.equal(opened.info.path, '/data/cli.svs');
    assert.equal(ipc.slidesOf(W2)[0]?.source, 'cli');
    assert.equal(await recent.has('/data/cli.svs'), true);
    assert.equal(errorCode(await ipc.openFromMain(W2, '/missing/x.svs', 'os')), 'NOT_FOUND');
  });

  it('show-in-folder only for files the app wrote or opened', async () => {
    assert.equal(errorCode(await ipc['export:show-in-folder'](W1, { path: '/etc/passwd' })), 'NOT_AUTHORIZED');
    await openDropped(W1);
    value(await ipc['export:show-in-folder'](W1, { path: '/data/a.svs' }));
    assert.deepEqual(shown, ['/data/a.svs']);
  });

  it('with an exporter, export channels exist, check ownership and grant written files', async () => {
    const calls: string[] = [];
    const withExport = createIpcHandlers({
      ...deps,
      exporter: {
        exportThumbnail: async (sender, slide, request) => {
          calls.push(`thumb ${sender} ${slide.path} ${request.format}`);
          return { files: ['/out/thumb.png'] };
        },
        exportComparison: async () => {
          throw Object.assign(new Error('exists'), { code: 'EXISTS', path: '/out/grid.png' });
        },
      },
    });
    const { slideId } = value(await withExport['slide:open-path'](W1, { path: '/data/a.svs', origin: 'drop' }));
    const thumbnail = withExport['export:thumbnail'];
    const comparison = withExport['export:comparison'];
    assert.ok(thumbnail && comparison);
    const request = { slideId, spec: { kind: 'size', longestSide: 512 }, format: 'png' };
    assert.deepEqual(value(await thumbnail(W1, request)), { files: ['/out/thumb.png'] });
    assert.deepEqual(calls, ['thumb 1 /data/a.svs png']);
    assert.equal(errorCode(await thumbnail(W2, request)), 'NOT_OPEN');
    assert.equal(errorCode(await thumbnail(W1, { ...request, format: 'bmp' })), 'INVALID_ARGUMENT');
    const failed = await comparison(W1, { slideId, powers: [1, 2, 4, 8], mode: { kind: 'slide' }, format: 'png' });
    assert.equal(errorCode(failed), 'EXISTS');
    value(await withExport['export:show-in-folder'](W1, { path: '/out/thumb.png' }));
  });

  it('app:versions', async () => {
    assert.deepEqual(value(await ipc['app:versions'](W1, undefined)), { app: '0.1.0', electron: '41', chrome: '140', node: '22' });
  });
});

describe('toErrorInfo', () => {
  it('maps errors to codes', () => {
    assert.deepEqual(toErrorInfo(Object.assign(new Error('gone'), { code: 'NOT_FOUND' }), '/a'), { code: 'NOT_FOUND', message: 'gone', path: '/a' });
    assert.deepEqual(toErrorInfo(Object.assign(new Error('enoent'), { code: 'ENOENT' })), { code: 'IO_ERROR', message: 'enoent' });
    assert.equal(toErrorInfo(new DOMException('stop', 'AbortError')).code, 'CANCELLED');
    assert.deepEqual(toErrorInfo('plain string'), { code: 'IO_ERROR', message: 'plain string' });
    assert.equal(toErrorInfo(undefined).code, 'IO_ERROR');
    assert.equal(toErrorInfo(new Error('x'.repeat(5000))).message.length, 2000);
  });
});
