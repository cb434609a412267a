// The detections file shown over a slide, remembered with how it was shown and read again when the
// slide is next opened (through main's handlers and the real engine, over the generated generic-lzw
// slide); Remove forgets it, a remembered file gone or no longer detections is forgotten, no other
// path is read; a closed slide's file is let go of.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DetectionDisplay, DetectionSet, RememberedDetections } from '../../shared/detections';
import { ok, type Result } from '../../shared/errors';
import type { OpenedSlide } from '../../shared/operations';
import { boxPolygon } from '../../testing/annotation-samples';
import { StubAnnotationDialogs } from '../../testing/fakes/annotation-dialogs';
import { ipcHandlerDeps } from '../../testing/fakes/ipc-handler-deps';
import { fixturePath } from '../../testing/fixtures';
import { InProcessEngine } from '../../testing/in-process-engine';
import { AnnotationStore } from '../annotations/annotation-store';
import { DETECTION_MEMORY_NAME, DetectionMemory } from './detection-memory';
import { createIpcHandlers, type EngineAccess, type OwnedSlide } from './ipc-handlers';
import { SlideAnnotationFiles } from './slide-annotations';

const SENDER = 4;
const DISPLAY: DetectionDisplay = { hidden: ['Stroma'], style: 'fill', nuclei: false, opacity: 0.6 };

describe("a slide's detections remembered", () => {
  const engine = new InProcessEngine();
  let dir: string;
  let slide: string;
  let cells: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-detection-memory-'));
    slide = await fixturePath('generic-lzw');
    cells = join(dir, 'cells.geojson');
  });
  after(async () => {
    await engine.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const writeCells = (path: string, objectType = 'cell') =>
    writeFile(
      path,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: boxPolygon(10, 10, 30) }, properties: { objectType } }],
      }),
    );

  /** The engine, its reading of `path` held until released: a read the test overtakes. */
  function heldRead(path: string) {
    let reached!: () => void;
    let release!: () => void;
    const reachedRead = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inner: EngineAccess = engine;
    const held: EngineAccess = {
      open: (slidePath, client) => inner.open(slidePath, client),
      close: (slideId) => inner.close(slideId),
      call: async (op, request, options) => {
        if (op === 'engine:read-detections' && (request as { path: string }).path === path) {
          reached();
          await released;
        }
        return inner.call(op, request, options);
      },
    };
    return { engine: held, reached: reachedRead, release };
  }

  function handlers(through: EngineAccess = engine) {
    const dialogs = new StubAnnotationDialogs();
    const annotations = new SlideAnnotationFiles(new AnnotationStore({ dataDir: dir }), dialogs);
    const ipc = createIpcHandlers(ipcHandlerDeps(through, dir, { annotations, detectionMemory: new DetectionMemory({ dir }) }));
    const call = <T>(operation: string, request: object) => ipc.dispatch(operation, SENDER, request) as Promise<Result<T>>;
    const open = async () => {
      const opened = await call<OpenedSlide>('slide:open-dropped', { path: slide });
      assert.ok(opened.ok, JSON.stringify(opened));
      return opened.value;
    };
    return { ipc, dialogs, annotations, call, open };
  }

  const owned = (opened: OpenedSlide): OwnedSlide => ({ slideId: opened.slideId, path: slide, info: opened.info, source: 'drop' });
  const stored = async () => (JSON.parse(await readFile(join(dir, DETECTION_MEMORY_NAME), 'utf8')) as { sets: Record<string, unknown> }).sets;

  it('remembers the file shown and how, recalls it at the next opening (the app started again) and reads it; Remove forgets it', async () => {
    await writeCells(cells);
    const first = handlers();
    const { slideId } = await first.open();
    first.dialogs.detectionsPath = cells;
    const chosen = await first.call<string | null>('detections:choose', { slideId });
    assert.deepEqual(chosen, ok(cells));
    const read = await first.call<DetectionSet>('detections:read', { slideId, path: cells });
    assert.equal(read.ok && read.value.count, 1);
    assert.deepEqual(await first.call('detections:remember', { slideId, display: DISPLAY }), ok(undefined));
    await first.call('slide:close', { slideId });

    const again = handlers();
    const reopened = await again.open();
    assert.deepEqual(await again.call<RememberedDetections | null>('detections:recall', { slideId: reopened.slideId }), ok({ file: cells, display: DISPLAY }));
    const reread = await again.call<DetectionSet>('detections:read', { slideId: reopened.slideId, path: cells });
    assert.equal(reread.ok && reread.value.count, 1, 'the remembered file is read without a dialog');
    assert.equal(again.annotations.detectionsFile(owned(reopened)), cells, 'and its exports may draw it');
    assert.deepEqual(await again.call('detections:remember', { slideId: reopened.slideId, display: null }), ok(undefined));
    assert.deepEqual(await stored(), {}, 'removed: forgotten');
    assert.equal(again.annotations.detectionsFile(owned(reopened)), null);
    await again.ipc.releaseAll();
  });

  it('reads no path the page names but the one chosen or remembered for the slide', async () => {
    const { call, open, ipc } = handlers();
    const { slideId } = await open();
    const other = await call('detections:read', { slideId, path: join(dir, 'elsewhere.geojson') });
    assert.equal(!other.ok && other.error.code, 'NOT_AUTHORIZED');
    await ipc.releaseAll();
  });

  it('forgets a remembered file that is gone, or holds no detections now', async () => {
    const gone = join(dir, 'gone.geojson');
    for (const [file, change] of [
      [gone, () => rm(gone)],
      [cells, () => writeCells(cells, 'annotation')],
    ] as const) {
      await writeCells(file);
      const memory = new DetectionMemory({ dir });
      await memory.remember(slide, { file, display: DISPLAY });
      await change();
      const { call, open, ipc } = handlers();
      const { slideId } = await open();
      await call('detections:read', { slideId, path: file });
      assert.deepEqual(await stored(), {}, file);
      await ipc.releaseAll();
    }
  });

  it("lets go of a closed slide's detections file", async () => {
    await writeCells(cells);
    const { call, open, dialogs, annotations } = handlers();
    const opened = await open();
    dialogs.detectionsPath = cells;
    await call('detections:choose', { slideId: opened.slideId });
    await call('detections:read', { slideId: opened.slideId, path: cells });
    assert.equal(annotations.detectionsFile(owned(opened)), cells);
    await call('slide:close', { slideId: opened.slideId });
    assert.equal(annotations.detectionsFile(owned(opened)), null);
  });

  it('keeps nothing of a slide closed while its detections were read', async () => {
    await writeCells(cells);
    const held = heldRead(cells);
    const { call, open, dialogs, annotations } = handlers(held.engine);
    const opened = await open();
    dialogs.detectionsPath = cells;
    await call('detections:choose', { slideId: opened.slideId });
    const reading = call<DetectionSet>('detections:read', { slideId: opened.slideId, path: cells });
    await held.reached;
    await call('slide:close', { slideId: opened.slideId });
    held.release();
    const read = await reading;
    assert.equal(!read.ok && read.error.code, 'NOT_OPEN');
    assert.equal(annotations.detectionsFile(owned(opened)), null, 'no file kept for the closed slide');
  });

  it("forgets a remembered file found gone only while it is still the one remembered (the slide's other tab showed another meanwhile)", async () => {
    await rm(join(dir, DETECTION_MEMORY_NAME), { force: true });
    await writeCells(cells);
    const gone = join(dir, 'gone-meanwhile.geojson');
    await new DetectionMemory({ dir }).remember(slide, { file: gone, display: DISPLAY });
    const held = heldRead(gone);
    const { call, open, dialogs, ipc } = handlers(held.engine);
    const first = await open();
    const second = await open();
    const reading = call('detections:read', { slideId: first.slideId, path: gone });
    await held.reached;
    dialogs.detectionsPath = cells;
    await call('detections:choose', { slideId: second.slideId });
    await call('detections:read', { slideId: second.slideId, path: cells });
    const shown: DetectionDisplay = { ...DISPLAY, opacity: 1 };
    await call('detections:remember', { slideId: second.slideId, display: shown });
    held.release();
    const read = await reading;
    assert.equal(!read.ok && read.error.code, 'NOT_FOUND');
    assert.deepEqual(await stored(), { [slide]: { file: cells, display: shown } }, 'the other tab’s file stays remembered');
    await ipc.releaseAll();
  });
});
