import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GridIndex } from '../../../shared/annotation-index';
import { readGeoJsonDetections } from '../../../shared/detection-geojson';
import type { DetectionDisplay, DetectionSet, RememberedDetections } from '../../../shared/detections';
import { ok, type Result } from '../../../shared/errors';
import type { SlideId, SlidescopeApi } from '../../../shared/ipc';
import { boxPolygon } from '../../../testing/annotation-samples';
import { createLayer, detectionAt, detectionKind, detectionsNearest, displayOf, drawnForExport, hasNuclei, stepShown, withClassShown } from './detectionLayer';
import { DetectionStore } from './detectionStore';

/** A square cell of side `size` at (x, y), of a class, with a nucleus half its size. */
function cell(x: number, y: number, size: number, cls: string, area: number): object {
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: boxPolygon(x, y, size) },
    nucleusGeometry: { type: 'Polygon', coordinates: boxPolygon(x + size / 4, y + size / 4, size / 2) },
    properties: { objectType: 'cell', classification: { name: cls, color: [255, 0, 0] }, measurements: { 'Cell: Area': area } },
  };
}

function setOf(features: object[]): DetectionSet {
  return readGeoJsonDetections(JSON.stringify({ type: 'FeatureCollection', features }), '/data/cells.geojson');
}

describe('the grid index over flat boxes', () => {
  it('finds in a Float32Array what it finds in the same boxes as objects', () => {
    const objects = [];
    for (let i = 0; i < 60; i++) for (let j = 0; j < 60; j++) objects.push({ minX: i * 50, minY: j * 50, maxX: i * 50 + 12, maxY: j * 50 + 9 });
    objects.push({ minX: 0, minY: 0, maxX: 3000, maxY: 3000 });
    const flat = new Float32Array(objects.flatMap((b) => [b.minX, b.minY, b.maxX, b.maxY]));
    const query = { minX: 140, minY: 95, maxX: 420, maxY: 260 };
    const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
    const expected = objects.flatMap((b, i) => (b.maxX >= query.minX && b.minX <= query.maxX && b.maxY >= query.minY && b.minY <= query.maxY ? [i] : []));
    assert.deepEqual(sorted(new GridIndex(flat).search(query)), expected);
    assert.deepEqual(sorted(new GridIndex(objects).search(query)), expected);
    assert.equal(new GridIndex(flat).search({ minX: -10, minY: -10, maxX: 1e5, maxY: 1e5 }).length, objects.length);
    assert.deepEqual(new GridIndex(new Float32Array(0)).search(query), []);
  });
});

describe('the detection layer', () => {
  const set = setOf([cell(0, 0, 20, 'Tumor', 400), cell(100, 0, 20, 'Stroma', 401), cell(5, 5, 10, 'Immune cells', 100)]);

  it('picks the detection whose outline holds the point, the smallest where they overlap', () => {
    const layer = createLayer(set);
    assert.equal(detectionAt(layer, 2, 2, 0.5), 0);
    assert.equal(detectionAt(layer, 8, 8, 0.5), 2, 'the small cell inside the large one');
    assert.equal(detectionAt(layer, 110, 10, 0.5), 1);
    assert.equal(detectionAt(layer, 50, 10, 0.5), null, 'between the cells');
  });

  it('tests the outline, not its box', () => {
    const triangle = setOf([
      {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [100, 0],
              [0, 100],
              [0, 0],
            ],
          ],
        },
        properties: { objectType: 'detection' },
      },
    ]);
    const layer = createLayer(triangle);
    assert.equal(detectionAt(layer, 10, 10, 1), 0);
    assert.equal(detectionAt(layer, 90, 90, 1), null, 'in the box, past the hypotenuse');
    assert.equal(detectionKind(triangle, 0), 'detection');
  });

  it('does not pick a ring-shaped cell in its hole, but an island in the hole', () => {
    const rings = setOf([
      {
        type: 'Feature',
        geometry: {
          type: 'MultiPolygon',
          coordinates: [[boxPolygon(0, 0, 100)[0]!, boxPolygon(30, 30, 40)[0]!], boxPolygon(45, 45, 10)],
        },
        properties: { objectType: 'detection' },
      },
    ]);
    const layer = createLayer(rings);
    assert.equal(detectionAt(layer, 10, 50, 0.5), 0, 'its body');
    assert.equal(detectionAt(layer, 35, 35, 0.5), null, 'its hole');
    assert.equal(detectionAt(layer, 50, 50, 0.5), 0, 'the island in its hole');
  });

  it("orders the shown detections in a box nearest first to a point (the keyboard's steps from the view's centre)", () => {
    const layer = createLayer(set);
    const all = { minX: -10, minY: -10, maxX: 200, maxY: 200 };
    // Centroids: 0 at (10, 10), 2 at (10, 10) too (inside it), 1 at (110, 10).
    assert.deepEqual(detectionsNearest(layer, all, 100, 10), [1, 0, 2]);
    assert.deepEqual(detectionsNearest(withClassShown(layer, 1, false), all, 100, 10), [0, 2], 'a hidden class is passed over');
    assert.deepEqual(detectionsNearest(layer, { minX: 90, minY: 0, maxX: 200, maxY: 50 }, 0, 0), [1], 'only those in the box');
  });

  it("steps the keyboard's order on (or back, wrapping round) past the detections of a class hidden since; none when all are", () => {
    const layer = createLayer(set);
    const order = detectionsNearest(layer, { minX: -10, minY: -10, maxX: 200, maxY: 200 }, 100, 10);
    assert.deepEqual(order, [1, 0, 2]);
    assert.equal(stepShown(layer, order, 0, 1), 1);
    assert.equal(stepShown(layer, order, 0, -1), 2, 'back from the first: the last');
    const zeroHidden = withClassShown(layer, set.classOf[0]!, false);
    assert.equal(stepShown(zeroHidden, order, 0, 1), 2, "detection 0's class hidden: passed over");
    assert.equal(stepShown(zeroHidden, order, 2, 1), 0, 'wrapping round to the first');
    assert.equal(stepShown(withClassShown(layer, null, false), order, 0, 1), null);
    assert.equal(stepShown(layer, [order[0]!], 0, 1), 0, 'one in view: itself again');
  });

  it('leaves hidden classes out of the picking, and shows or hides them all at once', () => {
    const layer = withClassShown(createLayer(set), 2, false);
    assert.deepEqual([...layer.shown], [1, 1, 0]);
    assert.equal(detectionAt(layer, 8, 8, 0.5), 0, 'the hidden small cell is passed over for the large one');
    const none = withClassShown(layer, null, false);
    assert.deepEqual([...none.shown], [0, 0, 0]);
    assert.equal(detectionAt(none, 2, 2, 0.5), null);
    assert.deepEqual([...withClassShown(none, null, true).shown], [1, 1, 1]);
    assert.deepEqual([...createLayer(set).shown], [1, 1, 1], 'the layer changed is a new one');
  });

  it('an export draws the classes shown (by name, none named while all are, no count once none is), filled or not, at the opacity shown', () => {
    const layer = createLayer(set);
    const drawing = { style: 'outline', nuclei: true, opacity: 1 };
    assert.deepEqual(drawnForExport(layer), { count: set.count, drawing });
    const hidden = withClassShown(layer, 1, false);
    const [a, b, c] = set.classes;
    assert.deepEqual(drawnForExport(hidden), { count: a!.count + c!.count, classes: [a!.name, c!.name], drawing });
    assert.notEqual(b!.count, 0);
    assert.deepEqual(drawnForExport(withClassShown(layer, null, false)), { count: 0, classes: [], drawing });
    assert.deepEqual(
      drawnForExport({ ...layer, style: 'fill', nuclei: false, opacity: 0.4 }).drawing,
      { style: 'fill', nuclei: false, opacity: 0.4 },
      'drawn as shown',
    );
  });

  it('picks a point detection near it; each detection of its kind, as the file says', () => {
    const points = setOf([{ type: 'Feature', geometry: { type: 'Point', coordinates: [50, 50] }, properties: { objectType: 'detection' } }]);
    assert.equal(detectionAt(createLayer(points), 52, 51, 3), 0);
    assert.equal(detectionAt(createLayer(points), 60, 50, 3), null);
    assert.equal(hasNuclei(points), false);
    assert.equal(hasNuclei(set), true);
    assert.equal(detectionKind(set, 0), 'cell');
  });
});

describe('the detection store', () => {
  const slide = 's1' as SlideId;
  const file = '/data/cells.geojson';
  type Read = Result<DetectionSet>;
  /** An api whose dialog answers `file` (null: cancelled) and whose reads answer in turn; what the store asked main to remember. */
  const fakeApi = (reads: Array<Read | Promise<Read>>, options: { chosen?: string | null; recalled?: RememberedDetections | null } = {}) => {
    const remembered: Array<DetectionDisplay | null> = [];
    const api: Partial<SlidescopeApi> = {
      chooseDetections: async () => ok(options.chosen === undefined ? file : options.chosen),
      readDetectionFile: async () => reads.shift()!,
      recallDetections: async () => ok(options.recalled ?? null),
      rememberDetections: async ({ display }) => {
        remembered.push(display);
        return ok(undefined);
      },
    };
    return { api: api as SlidescopeApi, remembered };
  };
  const set = setOf([cell(0, 0, 20, 'Tumor', 400)]);

  it('reads, shows, keeps what it showed when a file fails or is cancelled, and lets go of closed slides', async () => {
    const { api } = fakeApi([ok(set), { ok: false, error: { code: 'CORRUPT_DATA', message: 'Feature 3: its geometry is a LineString', path: '/x.geojson' } }]);
    const store = new DetectionStore(api);
    store.track([slide]);
    const opening = store.open(slide);
    assert.equal(store.of(slide)?.status, 'choosing');
    await Promise.resolve();
    assert.deepEqual(store.of(slide), { status: 'reading', file, layer: null }, 'the file named while it is read');
    assert.equal((await opening).kind, 'shown');
    const shown = store.of(slide)?.layer;
    assert.equal(shown?.set, set);
    store.pick({ slideId: slide, index: 0, x: 1, y: 1 });
    store.update(slide, (l) => withClassShown(l, 0, false));
    assert.notEqual(store.picked, null, 'a class hidden keeps the card (it hides itself)');
    const failed = await store.open(slide);
    assert.equal(failed.kind, 'failed');
    assert.equal(store.of(slide)?.status, 'shown');
    assert.equal(store.picked, null, 'reading another file closed the card');
    const cancelled = new DetectionStore(fakeApi([], { chosen: null }).api);
    assert.equal((await cancelled.open(slide)).kind, 'cancelled');
    assert.equal(cancelled.of(slide), null);
    assert.equal(store.of(slide)?.layer?.set, set);
    store.track([]);
    assert.equal(store.of(slide), null);
  });

  it('drops a file read after its slide was closed, and says an empty file is empty', async () => {
    let answer: (value: Read) => void = () => {};
    const store = new DetectionStore(fakeApi([new Promise((resolve) => (answer = resolve))]).api);
    store.track([slide]);
    const opening = store.open(slide);
    await Promise.resolve();
    store.track([]);
    answer(ok(set));
    assert.equal((await opening).kind, 'cancelled');
    assert.equal(store.of(slide), null);
    const empty = setOf([{ type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] }, properties: { objectType: 'annotation' } }]);
    const outcome = await new DetectionStore(fakeApi([ok(empty)]).api).open(slide);
    assert.deepEqual(outcome, { kind: 'empty', file: '/data/cells.geojson', leftOut: 1 });
  });

  it('has main remember the file shown and each change of how, and forget it when removed', async () => {
    const { api, remembered } = fakeApi([ok(set)]);
    const store = new DetectionStore(api);
    store.track([slide]);
    await store.open(slide);
    store.update(slide, (l) => ({ ...withClassShown(l, 0, false), style: 'fill', opacity: 0.5 }));
    store.remove(slide);
    assert.deepEqual(remembered, [
      { hidden: [], style: 'outline', nuclei: true, opacity: 1 },
      { hidden: ['Tumor'], style: 'fill', nuclei: true, opacity: 0.5 },
      null,
    ]);
  });

  it('shows again, as they were shown, the detections remembered for a slide as it opens', async () => {
    const two = setOf([cell(0, 0, 20, 'Tumor', 400), cell(100, 0, 20, 'Stroma', 400)]);
    const display: DetectionDisplay = { hidden: ['Stroma', 'Gone'], style: 'fill', nuclei: false, opacity: 0.4 };
    const store = new DetectionStore(fakeApi([ok(two)], { recalled: { file, display } }).api);
    const shown = new Promise<void>((resolve) => store.subscribe(() => store.of(slide)?.status === 'shown' && resolve()));
    store.track([slide]);
    await shown;
    const layer = store.of(slide)!.layer!;
    assert.deepEqual([...layer.shown], [1, 0]);
    assert.deepEqual(displayOf(layer), { ...display, hidden: ['Stroma'] }, 'a class the file no longer has is passed over');
  });

  it('says so quietly when the remembered file no longer reads', async () => {
    const gone: Read = { ok: false, error: { code: 'NOT_FOUND', message: 'The file does not exist.', path: file } };
    const display: DetectionDisplay = { hidden: [], style: 'outline', nuclei: true, opacity: 1 };
    const store = new DetectionStore(fakeApi([gone], { recalled: { file, display } }).api);
    const lost = new Promise<void>((resolve) => store.subscribe(() => store.of(slide)?.status === 'lost' && resolve()));
    store.track([slide]);
    await lost;
    assert.deepEqual(store.of(slide), { status: 'lost', file, error: gone.error, forgotten: true, layer: null });
  });

  it('says a remembered file the engine could not read now (restarted, too slow) stays remembered, as main keeps it', async () => {
    const restarted: Read = { ok: false, error: { code: 'WORKER_FAILED', message: 'The slide engine stopped; it was restarted.' } };
    const display: DetectionDisplay = { hidden: [], style: 'outline', nuclei: true, opacity: 1 };
    const store = new DetectionStore(fakeApi([restarted], { recalled: { file, display } }).api);
    const lost = new Promise<void>((resolve) => store.subscribe(() => store.of(slide)?.status === 'lost' && resolve()));
    store.track([slide]);
    await lost;
    assert.deepEqual(store.of(slide), { status: 'lost', file, error: restarted.error, forgotten: false, layer: null });
  });
});
