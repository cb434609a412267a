import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readGeoJson } from '../../shared/annotation-geojson';
import { emptyDocument, type ImportedAnnotations, type SlideAnnotations } from '../../shared/annotations';
import { fail, ok, type Result } from '../../shared/errors';
import { createTranslator } from '../../shared/i18n/i18n';
import { isGallery, MAIN_OPERATIONS, type OpenedSlide } from '../../shared/operations';
import { everyKind } from '../../testing/annotation-samples';
import { StubAlignmentDialogs } from '../../testing/fakes/alignment-dialogs';
import { StubAnnotationDialogs } from '../../testing/fakes/annotation-dialogs';
import { deferred, FakeEngine } from '../../testing/fakes/fake-engine';
import { AnnotationStore } from '../annotations/annotation-store';
import { AlignmentStore } from './alignment-store';
import { CompareAlignments } from './compare-alignments';
import { createIpcHandlers, type IpcController, type IpcHandlerDeps } from './ipc-handlers';
import { PathAuthorizer } from './path-authorizer';
import { RecentFiles } from './recent-files';
import { SlideAnnotationFiles } from './slide-annotations';

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
  let annotationDialogs: StubAnnotationDialogs;
  const exported: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-ipc-'));
    engine = new FakeEngine();
    recent = new RecentFiles({ dir });
    authorizer = new PathAuthorizer({ recent });
    dialogAnswer = null;
    shown = [];
    exported.length = 0;
    annotationDialogs = new StubAnnotationDialogs();
    deps = {
      engine,
      authorizer,
      recent,
      dialogs: { showOpenSlide: async () => dialogAnswer },
      exporter: {
        exportThumbnail: async (sender, slide, request) => {
          exported.push(`thumb ${sender} ${slide.path} ${request.format}`);
          return ok({ files: ['/out/thumb.png'] });
        },
        exportComparison: async () => fail('EXISTS', 'exists', '/out/grid.png'),
        exportRegion: async () => fail('IO_ERROR', 'no disk'),
        copyRegion: async () => fail('IO_ERROR', 'no clipboard'),
        exportSideBySide: async () => fail('IO_ERROR', 'no disk'),
      },
      samplePath: () => engine.call('engine:ensure-sample', { dir: join(dir, 'sample') }),
      versions: () => ({ app: '0.1.0', electron: '41', chrome: '140', node: '22' }),
      showInFolder: (p) => {
        shown.push(p);
      },
      annotations: new SlideAnnotationFiles(new AnnotationStore({ dataDir: join(dir, 'annotations') }), annotationDialogs),
      alignments: new CompareAlignments(new AlignmentStore({ dir }), new StubAlignmentDialogs()),
    };
    ipc = createIpcHandlers(deps);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const call = (op: string, sender: number, request?: unknown) => ipc.dispatch(op, sender, request);

  async function openDropped(sender: number, path = '/data/a.svs'): Promise<OpenedSlide> {
    return value((await call('slide:open-dropped', sender, { path })) as Result<OpenedSlide>);
  }

  it('has a handler for every main operation of the table', () => {
    assert.deepEqual(Object.keys(ipc.handlers).sort(), [...MAIN_OPERATIONS].sort());
    for (const op of MAIN_OPERATIONS) assert.equal(typeof ipc.handlers[op], 'function', op);
  });

  it('validates every request and never throws', async () => {
    const bad: unknown[] = [undefined, null, 42, 'x', [], { nope: 1 }, { slideId: 5 }];
    for (const op of MAIN_OPERATIONS) {
      for (const raw of bad) {
        const result = await call(op, W1, raw);
        if (result.ok) continue; // operations without a request accept undefined/null
        assert.ok(['INVALID_ARGUMENT', 'NOT_OPEN'].includes(result.error.code), `${op} ${JSON.stringify(raw)} -> ${result.error.code}`);
      }
    }
    assert.equal(errorCode(await call('slide:open-dropped', W1, { path: 'rel.svs' })), 'INVALID_ARGUMENT');
    assert.equal(errorCode(await call('slide:explode', W1, {})), 'INVALID_ARGUMENT');
    // Engine operations are not main's: a window reaches them only over its port.
    assert.equal(errorCode(await call('slide:tile', W1, { slideId: 's1', dzLevel: 0, col: 0, row: 0, requestId: 1 })), 'INVALID_ARGUMENT');
    assert.equal(errorCode(await call('app:versions', 1.5)), 'INVALID_ARGUMENT');
  });

  it('dependencies that throw become INTERNAL errors, typed ones keep their code', async () => {
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
    assert.equal(errorCode(await broken.dispatch('app:versions', W1, undefined)), 'INTERNAL');
    assert.equal(errorCode(await broken.dispatch('slide:open-sample', W1, undefined)), 'IO_ERROR');
    assert.equal(errorCode(await broken.dispatch('slide:open-dialog', W1, undefined)), 'INTERNAL');
  });

  it('opens a dropped path for its window, records it in the recent list', async () => {
    const opened = await openDropped(W1);
    assert.equal(opened.info.path, '/data/a.svs');
    assert.equal(engine.slides.get(opened.slideId), W1, 'the engine lets only this window read it');
    assert.deepEqual(
      (await recent.list()).map((f) => f.path),
      ['/data/a.svs'],
    );
    assert.deepEqual(
      ipc.slidesOf(W1).map((s) => [s.slideId, s.source]),
      [[opened.slideId, 'drop']],
    );
  });

  it('engine errors keep their code and carry the path', async () => {
    const missing = await call('slide:open-dropped', W1, { path: '/missing/x.svs' });
    assert.equal(errorCode(missing), 'NOT_FOUND');
    assert.equal(!missing.ok && missing.error.path, '/missing/x.svs');
    assert.equal(errorCode(await call('slide:open-dropped', W1, { path: '/data/notes.txt' })), 'NOT_A_SLIDE');
    assert.deepEqual(await recent.list(), []);
  });

  it('a dropped folder of several slides asks which, and opens that one', async () => {
    // Without a chooser, the error names them.
    const named = await call('slide:open-dropped', W1, { path: '/data/several' });
    assert.equal(errorCode(named), 'SEVERAL_SLIDES');
    assert.deepEqual(!named.ok && named.error.choices?.map((c) => c.name), ['slide a', 'slide b']);
    const asked: string[] = [];
    let answer: string | null = '/data/several/b.dcm';
    ipc = createIpcHandlers({
      ...deps,
      dialogs: {
        ...deps.dialogs,
        chooseSlide: async (sender, folder, choices) => {
          asked.push(`${sender} ${folder} ${choices.map((c) => c.path).join(',')}`);
          return answer;
        },
      },
    });
    const opened = await call('slide:open-dropped', W1, { path: '/data/several' });
    assert.ok(opened.ok);
    assert.equal((opened.value as { info: { path: string } }).info.path, '/data/several/b.dcm');
    assert.deepEqual(asked, [`${W1} /data/several /data/several/a.dcm,/data/several/b.dcm`]);
    assert.deepEqual(
      (await recent.list()).map((f) => f.path),
      ['/data/several/b.dcm'],
    );
    answer = null;
    assert.equal(errorCode(await call('slide:open-dropped', W1, { path: '/data/several' })), 'CANCELLED');
    answer = '/etc/passwd';
    assert.equal(errorCode(await call('slide:open-dropped', W1, { path: '/data/several' })), 'INVALID_ARGUMENT');
  });

  it('a recent path opens only when it is in the list', async () => {
    assert.equal(errorCode(await call('slide:open-recent', W1, { path: '/data/a.svs' })), 'NOT_AUTHORIZED');
    await openDropped(W1);
    const again = value((await call('slide:open-recent', W2, { path: '/data/a.svs' })) as Result<OpenedSlide>);
    assert.equal(again.info.path, '/data/a.svs');
    value(await call('recent:clear', W1));
    assert.equal(errorCode(await call('slide:open-recent', W1, { path: '/data/a.svs' })), 'NOT_AUTHORIZED');
  });

  it('open dialog: cancelled gives null, chosen opens and is recorded', async () => {
    assert.equal(value(await call('slide:open-dialog', W1)), null);
    dialogAnswer = '/data/chosen.tiff';
    const opened = value((await call('slide:open-dialog', W1)) as Result<OpenedSlide>);
    assert.equal(opened.info.name, 'chosen.tiff');
    assert.equal(await recent.has('/data/chosen.tiff'), true);
    assert.equal(ipc.slidesOf(W1)[0]?.source, 'dialog');
  });

  it('the sample opens but stays out of the recent list', async () => {
    const opened = value((await call('slide:open-sample', W1)) as Result<OpenedSlide>);
    assert.equal(opened.info.name, 'sample.svs');
    assert.deepEqual(await recent.list(), []);
    const fromMain = value(await ipc.openSampleFor(W2));
    assert.notEqual(fromMain.slideId, opened.slideId);
  });

  it('a window can close and export only its own slides', async () => {
    const mine = await openDropped(W1);
    assert.equal(errorCode(await call('slide:close', W2, { slideId: mine.slideId })), 'NOT_OPEN');
    const request = { slideId: mine.slideId, spec: { kind: 'size', longestSide: 512 }, format: 'png' };
    assert.equal(errorCode(await call('export:thumbnail', W2, request)), 'NOT_OPEN');
    assert.equal(engine.slides.has(mine.slideId), true);
    value(await call('slide:close', W1, { slideId: mine.slideId }));
    assert.deepEqual(engine.closed, [mine.slideId]);
    assert.deepEqual(ipc.slidesOf(W1), []);
    assert.equal(errorCode(await call('slide:close', W1, { slideId: mine.slideId })), 'NOT_OPEN');
  });

  it('releaseSender closes every slide of the window and nothing else', async () => {
    const a = await openDropped(W1, '/data/a.svs');
    const b = await openDropped(W1, '/data/b.svs');
    const c = await openDropped(W2, '/data/c.svs');
    await ipc.releaseSender(W1);
    assert.deepEqual(engine.closed.sort(), [a.slideId, b.slideId].sort());
    assert.deepEqual(ipc.slidesOf(W1), []);
    assert.equal(ipc.slidesOf(W2)[0]?.slideId, c.slideId);
    // The same sender (a reloaded page) can open again.
    await openDropped(W1, '/data/a.svs');
  });

  it('an open that finishes after its window went away is closed, not leaked', async () => {
    const gate = deferred();
    engine.openGate = gate.promise;
    const pending = call('slide:open-dropped', W1, { path: '/data/a.svs' });
    await new Promise((r) => setImmediate(r));
    await ipc.releaseSender(W1);
    gate.resolve();
    assert.equal(errorCode(await pending), 'CANCELLED');
    await new Promise((r) => setImmediate(r));
    assert.equal(engine.slides.size, 0);
    assert.deepEqual(ipc.slidesOf(W1), []);
  });

  it('openFromMain grants and opens for the window', async () => {
    const opened = value(await ipc.openFromMain(W2, '/data/../data/cli.svs', 'cli'));
    assert.ok(!isGallery(opened));
    assert.equal(opened.info.path, '/data/cli.svs');
    assert.equal(ipc.slidesOf(W2)[0]?.source, 'cli');
    assert.equal(await recent.has('/data/cli.svs'), true);
    assert.equal(errorCode(await ipc.openFromMain(W2, '/missing/x.svs', 'os')), 'NOT_FOUND');
  });

  it('show-in-folder only for files the app wrote or opened', async () => {
    assert.equal(errorCode(await call('export:show-in-folder', W1, { path: '/etc/passwd' })), 'NOT_AUTHORIZED');
    await openDropped(W1);
    value(await call('export:show-in-folder', W1, { path: '/data/a.svs' }));
    assert.deepEqual(shown, ['/data/a.svs']);
  });

  it("exports check ownership, pass the exporter's Result through and grant written files", async () => {
    const { slideId } = await openDropped(W1);
    const request = { slideId, spec: { kind: 'size', longestSide: 512 }, format: 'png' };
    assert.deepEqual(value(await call('export:thumbnail', W1, request)), { files: ['/out/thumb.png'] });
    assert.deepEqual(exported, ['thumb 1 /data/a.svs png']);
    assert.equal(errorCode(await call('export:thumbnail', W1, { ...request, format: 'bmp' })), 'INVALID_ARGUMENT');
    const failed = await call('export:comparison', W1, { slideId, powers: [1, 2, 4, 8], mode: { kind: 'slide' }, format: 'png' });
    assert.deepEqual(failed, { ok: false, error: { code: 'EXISTS', message: 'exists', path: '/out/grid.png' } });
    value(await call('export:show-in-folder', W1, { path: '/out/thumb.png' }));
  });

  it('tells each window which of its slides the engine was reading when it stopped', async () => {
    const a = await openDropped(W1, '/data/a.svs');
    const b = await openDropped(W1, '/data/b.svs');
    await openDropped(W2, '/data/c.svs');
    const event = { reason: 'it was killed (SIGKILL)', slideIds: [a.slideId, b.slideId], failedSlideIds: [b.slideId], restarting: true };
    const first = ipc.engineStopped(event, W1);
    assert.deepEqual(first.slideIds, [a.slideId, b.slideId]);
    assert.deepEqual(first.failedSlideIds, [b.slideId]);
    assert.equal(
      first.message,
      'The slide engine stopped while reading a.svs and b.svs (it was killed (SIGKILL)). It was restarted and the slide reopened. b.svs stopped it twice and is no longer read: close and open again to retry.',
    );
    assert.equal(ipc.engineStopped(event, W2).message, 'The slide engine stopped (it was killed (SIGKILL)). It was restarted.');
    assert.equal(
      ipc.engineStopped({ reason: 'it exited (code 1)', slideIds: [], failedSlideIds: [], restarting: false }, W2).message,
      'The slide engine kept stopping as it started (it exited (code 1)). It starts again when you open a slide.',
    );
  });

  it('tells a window which of its slides could not be reopened after a restart, and why', async () => {
    const a = await openDropped(W1, '/data/a.svs');
    await openDropped(W2, '/data/c.svs');
    const event = { notReopened: [{ slideId: a.slideId, error: { code: 'NOT_FOUND' as const, message: 'The file /data/a.svs does not exist.' } }] };
    assert.deepEqual(ipc.notReopened(event, W1), {
      message: 'a.svs could not be reopened after the restart (The file /data/a.svs does not exist.): close it and open it again.',
      slideIds: [a.slideId],
      failedSlideIds: [a.slideId],
    });
    assert.equal(ipc.notReopened(event, W2), null);
  });

  it("says it in the windows' language, and answers app:language with main's", async () => {
    const korean = createIpcHandlers({ ...deps, t: createTranslator('ko').t, language: () => ({ language: 'ko', preference: 'system' }) });
    const a = value((await korean.dispatch('slide:open-dropped', W1, { path: '/data/a.svs' })) as Result<OpenedSlide>);
    const b = value((await korean.dispatch('slide:open-dropped', W1, { path: '/data/b.svs' })) as Result<OpenedSlide>);
    const event = { reason: 'it was killed (SIGKILL)', slideIds: [a.slideId, b.slideId], failedSlideIds: [b.slideId], restarting: true };
    assert.equal(
      korean.engineStopped(event, W1).message,
      'a.svs, b.svs 슬라이드를 읽는 중에 슬라이드 엔진이 멈추어(it was killed (SIGKILL)) 다시 시작하고 슬라이드를 다시 열었습니다. b.svs 슬라이드는 엔진을 두 번 멈추게 하여 더 이상 읽지 않습니다. 다시 시도하려면 닫았다가 다시 여세요.',
    );
    assert.deepEqual(value(await korean.dispatch('app:language', W1, undefined)), { language: 'ko', preference: 'system' });
    assert.deepEqual(value(await call('app:language', W1, undefined)), { language: 'en', preference: 'system' });
  });

  it('annotations: loaded, saved beside the slide, imported and exported, for the window’s own slides only', async () => {
    const slidePath = join(dir, 'CMU-1.svs');
    await writeFile(slidePath, 'II*\u0000');
    const { slideId } = await openDropped(W1, slidePath);
    assert.deepEqual(value(await call('annotations:load', W1, { slideId })) as SlideAnnotations, {
      document: emptyDocument(),
      location: null,
      unreadable: null,
    });
    const saved = value(await call('annotations:save', W1, { slideId, document: everyKind() }));
    assert.deepEqual(saved, { path: `${slidePath}.annotations.geojson`, beside: true });
    assert.deepEqual((value(await call('annotations:load', W1, { slideId })) as SlideAnnotations).document, everyKind());
    // Another window's slide, or a document that breaks the schema, is refused before anything is written.
    assert.equal(errorCode(await call('annotations:save', W2, { slideId, document: everyKind() })), 'NOT_OPEN');
    const broken = { ...everyKind(), annotations: [{ ...everyKind().annotations[0], shape: { kind: 'line', points: [1] } }] };
    const refused = await call('annotations:save', W1, { slideId, document: broken });
    assert.equal(errorCode(refused), 'INVALID_ARGUMENT');
    assert.match(refused.ok ? '' : refused.error.message, /annotations:save: document\.annotations\[0\]\.shape\.points must be a list of x, y/);

    // Import: the dialog starts in the slide's folder; cancelled is null; a bad file says why.
    assert.equal(value(await call('annotations:import', W1, { slideId })), null);
    assert.deepEqual(annotationDialogs.calls, [{ dialog: 'import', defaultFolder: dir }]);
    const bad = join(dir, 'bad.geojson');
    await writeFile(bad, '[{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}]');
    annotationDialogs.importPath = bad;
    const failed = await call('annotations:import', W1, { slideId });
    assert.deepEqual(failed, { ok: false, error: { code: 'CORRUPT_DATA', message: 'Feature 1: the Point is not a position [x, y].', path: bad } });
    annotationDialogs.importPath = saved.path;
    const imported = value(await call('annotations:import', W1, { slideId })) as ImportedAnnotations;
    assert.deepEqual(imported, { document: everyKind(), leftOut: 0, skipped: 0, file: saved.path });

    // Export: named after the slide, ImageScope's <slide>.xml; written files may be shown in their folder.
    const out = join(dir, 'CMU-1.xml');
    annotationDialogs.exportPath = out;
    assert.deepEqual(value(await call('annotations:export', W1, { slideId, format: 'imagescope' })), { files: [out] });
    assert.deepEqual(annotationDialogs.calls.at(-1), { dialog: 'export', defaultPath: out, format: 'imagescope' });
    assert.match(await readFile(out, 'utf8'), /<Annotations MicronsPerPixel="0.500000">/);
    value(await call('export:show-in-folder', W1, { path: out }));
    annotationDialogs.exportPath = join(dir, 'out.geojson');
    value(await call('annotations:export', W1, { slideId, format: 'geojson' }));
    assert.deepEqual(readGeoJson(await readFile(join(dir, 'out.geojson'), 'utf8'), { newId: () => 'x' }), everyKind());
    assert.equal(errorCode(await call('annotations:export', W1, { slideId, format: 'svg' })), 'INVALID_ARGUMENT');
  });

  it('app:versions', async () => {
    assert.deepEqual(value(await call('app:versions', W1)), { app: '0.1.0', electron: '41', chrome: '140', node: '22' });
  });
});
