// Where QuPath's hierarchy puts detections and annotations, and at what cost for a whole slide's cells.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureShape, pointInPolygons, shapePolygons } from './annotation-geometry';
import { annotationParents, IMAGE_PARENT, placeDetections, slicedAnnotationParents } from './annotation-hierarchy';
import type { Shape } from './annotations';
import { areaLocator } from './area-locator';
import { countDetectionsIn, DETECTIONS_A_SLICE, detectionCentroids, slicedCentroids } from './detection-counts';
import type { DetectionSet } from './detections';
import { finish, type Sliced } from './slices';

/** The same numbers each run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

/** `count` square cells 4 px a side scattered over a `size` px square slide, every other one Positive. */
function scatteredCells(count: number, size: number): DetectionSet {
  const next = random(1);
  const [xy, rings, outlines, boxes] = [new Float32Array(8 * count), new Uint32Array(2 * count), new Uint32Array(2 * count), new Float32Array(4 * count)];
  const classOf = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const [x, y] = [Math.floor(next() * size), Math.floor(next() * size)];
    xy.set([x, y, x + 4, y, x + 4, y + 4, x, y + 4], 8 * i);
    rings.set([4 * i, 4], 2 * i);
    outlines.set([i, 1], 2 * i);
    boxes.set([x, y, x + 4, y + 4], 4 * i);
    classOf[i] = i % 2;
  }
  return {
    path: '/cells.geojson',
    count,
    kinds: { cell: count, detection: 0, tile: 0 },
    classes: [
      { name: 'Positive', color: [200, 0, 0], count: Math.ceil(count / 2) },
      { name: 'Negative', color: [0, 0, 200], count: Math.floor(count / 2) },
    ],
    classOf,
    kindOf: new Uint8Array(count),
    outlines,
    nuclei: new Uint32Array(2 * count),
    holes: new Uint32Array(2 * count),
    rings,
    xy,
    boxes,
    measurementNames: [],
    measurements: new Float32Array(0),
    ids: new Uint8Array(16 * count),
    leftOut: 0,
  };
}

/** A ring of `n` vertices round an ellipse in the box, its radius wobbling (a hand-drawn outline). */
function wobbly(x: number, y: number, w: number, h: number, n: number, next: () => number): number[] {
  const ring: number[] = [];
  for (let k = 0; k < n; k++) {
    const [angle, r] = [(2 * Math.PI * k) / n, 0.8 + 0.2 * next()];
    ring.push(x + (w / 2) * (1 + r * Math.cos(angle)), y + (h / 2) * (1 + r * Math.sin(angle)));
  }
  return ring;
}

/** `count` regions over the slide (drawn outlines of 200 vertices, rectangles, ellipses), and 5 tissue outlines of 2,000 vertices over most of it. */
function regions(count: number, size: number): Shape[] {
  const next = random(7);
  const shapes: Shape[] = [];
  for (let k = 0; k < count; k++) {
    const [x, y, w, h] = [next() * size * 0.9, next() * size * 0.9, 500 + next() * 5000, 500 + next() * 5000];
    if (k % 3 === 0) shapes.push({ kind: 'freehand', polygons: [[wobbly(x, y, w, h, 200, next)]] });
    else shapes.push({ kind: k % 3 === 1 ? 'rectangle' : 'ellipse', x0: x, y0: y, x1: x + w, y1: y + h });
  }
  for (let k = 0; k < 5; k++) shapes.push({ kind: 'freehand', polygons: [[wobbly(size * 0.02 * k, 0, size * 0.9, size, 2000, next)]] });
  return shapes;
}

/** Whether the point lies on one of the ring's edges (exactly). */
function onRing(ring: readonly number[], x: number, y: number): boolean {
  for (let i = 0; i < ring.length; i += 2) {
    const j = (i + 2) % ring.length;
    const [x0, y0, x1, y1] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
    const between = x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1);
    if (between && (x1 - x0) * (y - y0) === (y1 - y0) * (x - x0)) return true;
  }
  return false;
}

const box = (x0: number, y0: number, x1: number, y1: number): Shape => ({ kind: 'rectangle', x0, y0, x1, y1 });
const boxRing = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];

describe("annotations' and detections' parents", () => {
  it("on an annotation's outline is in it, as QuPath's covers and its centroid test take it: a copy nests in the first, a region along any side of its parent is its child", () => {
    const parent = box(0, 0, 10, 10);
    assert.deepEqual([...annotationParents([parent, box(0, 0, 10, 10)])], [IMAGE_PARENT, 0]);
    for (const side of [box(0, 2, 5, 8), box(5, 2, 10, 8), box(2, 0, 8, 5), box(2, 5, 8, 10)])
      assert.deepEqual([...annotationParents([parent, side])], [IMAGE_PARENT, 0], JSON.stringify(side));
    // Point detections on the right and bottom sides, and on a hole's outline (JTS: its boundary, not its exterior).
    const points = scatteredCells(0, 1);
    const at = (x: number, y: number) => ({
      ...points,
      count: 1,
      xy: new Float32Array([x, y]),
      rings: new Uint32Array([0, 1]),
      outlines: new Uint32Array([0, 1]),
      boxes: new Float32Array([x, y, x, y]),
      classOf: new Uint16Array(1),
      holes: new Uint32Array(2),
    });
    const holed: Shape = {
      kind: 'polygon',
      polygons: [
        [
          [0, 0, 30, 0, 30, 30, 0, 30],
          [10, 10, 20, 10, 20, 20, 10, 20],
        ],
      ],
    };
    for (const [x, y] of [
      [10, 5],
      [5, 10],
      [10, 10],
      [20, 15],
    ] as const) {
      const set = at(x, y);
      const centroids = detectionCentroids(set);
      assert.deepEqual([...finish(placeDetections(set, centroids.xy, [holed, parent])).parents], [x === 20 ? 0 : 1], `${x}, ${y}`);
      assert.equal(countDetectionsIn(set, centroids, x === 20 ? holed : parent, null)?.total, 1, `${x}, ${y}`);
    }
  });

  it("covers as JTS's: an edge crossing out of a concave parent between two vertices, or along its outline past a notch, is out", () => {
    // A U: two arms 10 wide, the notch between them from y 10 down to 30.
    const u: Shape = { kind: 'polygon', polygons: [[[0, 0, 30, 0, 30, 30, 20, 30, 20, 10, 10, 10, 10, 30, 0, 30]]] };
    // Every vertex in an arm, its edges crossing the notch.
    assert.deepEqual([...annotationParents([u, box(5, 15, 25, 20)])], [IMAGE_PARENT, IMAGE_PARENT]);
    // A line along the top, its ends on the arms' outline, crossing no edge: between x 10 and 20 it is out.
    assert.deepEqual([...annotationParents([u, { kind: 'line', points: [5, 30, 25, 30] }])], [IMAGE_PARENT, IMAGE_PARENT]);
    // Along one arm's top it is on the outline, and in; so is a line from arm to arm over the notch's bottom.
    assert.deepEqual(
      [...annotationParents([u, { kind: 'line', points: [0, 30, 10, 30] }, { kind: 'line', points: [5, 5, 25, 5, 25, 28] }])],
      [IMAGE_PARENT, 0, 0],
    );
    // Points are covered one by one: in both arms, they are in it.
    assert.deepEqual([...annotationParents([u, { kind: 'point', points: [5, 20, 25, 20] }])], [IMAGE_PARENT, 0]);
  });

  it("a parent's hole is not its area: a child round it, filling it or in it is not its child; one round an island in it is not either", () => {
    const holed: Shape = { kind: 'polygon', polygons: [[boxRing(0, 0, 30, 30), boxRing(10, 10, 20, 20)]] };
    for (const child of [box(5, 5, 25, 25), box(10, 10, 20, 20), box(12, 12, 18, 18)])
      assert.deepEqual([...annotationParents([holed, child])], [IMAGE_PARENT, IMAGE_PARENT], JSON.stringify(child));
    // A child with a hole of its own round the parent's is within the parent's area.
    const ringed: Shape = { kind: 'polygon', polygons: [[boxRing(5, 5, 25, 25), boxRing(8, 8, 22, 22)]] };
    assert.deepEqual([...annotationParents([holed, ringed])], [IMAGE_PARENT, 0]);
    // An island inside the hole: its copy nests in it; a child round the hole, or round the island, holds the open parts beside it.
    const island: Shape = { kind: 'polygon', polygons: [[boxRing(0, 0, 40, 40), boxRing(10, 10, 30, 30)], [boxRing(15, 15, 25, 25)]] };
    for (const [child, parent] of [
      [box(15, 15, 25, 25), 0],
      [box(5, 5, 35, 35), IMAGE_PARENT],
      [box(12, 12, 28, 28), IMAGE_PARENT],
    ] satisfies [Shape, number][])
      assert.deepEqual([...annotationParents([island, child])], [IMAGE_PARENT, parent], JSON.stringify(child));
  });

  it("a child touching its parent's outline from inside is its child (covers takes the boundary); equal shapes nest the later in the earlier", () => {
    const triangle: Shape = { kind: 'polygon', polygons: [[[0, 0, 100, 0, 0, 100]]] };
    // A vertex on the slanted side; an edge along it.
    const touching: Shape = { kind: 'polygon', polygons: [[[10, 10, 50, 50, 10, 50]]] };
    const along: Shape = { kind: 'polygon', polygons: [[[20, 0, 100, 0, 60, 40]]] };
    assert.deepEqual([...annotationParents([triangle, touching, along])], [IMAGE_PARENT, 0, 0]);
    const next = random(11);
    const outline = wobbly(0, 0, 1000, 800, 300, next);
    for (const shape of [
      { kind: 'ellipse', x0: 3.5, y0: 7.25, x1: 903.1, y1: 401.7 },
      { kind: 'freehand', polygons: [[outline]] },
      { kind: 'polygon', polygons: [[outline, wobbly(300, 200, 300, 300, 40, next)]] },
    ] satisfies Shape[])
      assert.deepEqual([...annotationParents([shape, structuredClone(shape), structuredClone(shape)])], [IMAGE_PARENT, 0, 1], shape.kind);
  });

  it('a parent of several polygons covers what lies in one of them, not a child bridging the gap between two', () => {
    const two: Shape = { kind: 'polygon', polygons: [[boxRing(0, 0, 10, 10)], [boxRing(20, 0, 30, 10)]] };
    for (const [child, parent] of [
      [box(22, 2, 28, 8), 0],
      [box(5, 2, 25, 8), IMAGE_PARENT],
      [{ kind: 'point', points: [5, 5, 25, 5] }, 0],
    ] satisfies [Shape, number][])
      assert.deepEqual([...annotationParents([two, child])], [IMAGE_PARENT, parent], JSON.stringify(child));
    // A child of two polygons, one in each of the parent's.
    const pair: Shape = { kind: 'polygon', polygons: [[boxRing(1, 1, 9, 9)], [boxRing(21, 1, 29, 9)]] };
    assert.deepEqual([...annotationParents([two, pair])], [IMAGE_PARENT, 0]);
  });

  it("10,000 annotations of 100 vertices and a tissue outline of 2,000: each tested against the few candidates in its cell, each edge against the parent's edges near it, a slice at a time", () => {
    const next = random(13);
    const size = 100_000;
    const shapes: Shape[] = [{ kind: 'freehand', polygons: [[wobbly(0, 0, size, size, 2000, next)]] }];
    for (let k = 0; k < 10_000; k++) {
      const [x, y, w] = [next() * size * 0.95, next() * size * 0.95, 200 + next() * 3000];
      shapes.push({ kind: 'freehand', polygons: [[wobbly(x, y, w, w, 100, next)]] });
    }
    const tally = { candidates: 0, edges: 0 };
    const parents = annotationParents(shapes, tally);
    // Tested against every larger one, the candidates would be 50 million; each edge against each of the tissue's, 2 billion edges.
    assert.ok(tally.candidates >= shapes.length / 2 && tally.candidates < 20 * shapes.length, `${tally.candidates} candidates`);
    assert.ok(tally.edges > 0 && tally.edges < 20 * 100 * shapes.length, `${tally.edges} edges`);
    // Many lie in the tissue (its outline wobbles in by up to a tenth), many in others, and each parent is larger.
    const underTissue = parents.filter((p) => p === 0).length;
    assert.ok(underTissue > 3000 && parents.filter((p) => p > 0).length > 1000, `${underTissue} under the tissue`);
    for (let k = 1; k < shapes.length; k++)
      if (parents[k]! > 0) assert.ok(measureShape(shapes[parents[k]!]!, null).area! >= measureShape(shapes[k]!, null).area!);
    // A slice of 256 at a time where a lane's loop turns: their areas made, then their parents found.
    const sliced = slicedAnnotationParents(shapes);
    let turns = 0;
    let step = sliced.next();
    for (; !step.done; step = sliced.next()) turns++;
    assert.deepEqual(step.value, parents);
    assert.ok(turns >= 2 * Math.floor(shapes.length / 256) - 1, `${turns} turns`);
  });

  it('an area holds a point as pointInPolygons does, or on an edge: holes, parts, a zigzag, vertices', () => {
    const next = random(3);
    const zigzag: number[] = [];
    for (let k = 0; k <= 100; k++) zigzag.push(k * 10, k % 2 ? 0 : 1000);
    zigzag.push(1000, 1200, 0, 1200);
    const shapes: Shape[] = [
      { kind: 'polygon', polygons: [[zigzag]] },
      { kind: 'freehand', polygons: [[wobbly(0, 0, 1000, 800, 300, next), wobbly(300, 200, 300, 300, 40, next)], [wobbly(600, 600, 300, 300, 17, next)]] },
      { kind: 'ellipse', x0: 100, y0: 100, x1: 900, y1: 500 },
      { kind: 'rectangle', x0: 0, y0: 0, x1: 1000, y1: 1000 },
    ];
    for (const shape of shapes) {
      const area = areaLocator(shape)!;
      const polygons = shapePolygons(shape);
      const points: number[] = polygons.flat(2);
      for (let k = 0; k < 20_000; k++) points.push(Math.round(next() * 1200) - 100, Math.round(next() * 1400) - 100);
      for (let k = 0; k < points.length; k += 2) {
        const [x, y] = [points[k]!, points[k + 1]!];
        const held = pointInPolygons(polygons, x, y) || polygons.flat().some((ring) => onRing(ring, x, y));
        assert.equal(area.contains(x, y), held, `${shape.kind} at ${x}, ${y}`);
      }
    }
    assert.equal(areaLocator({ kind: 'line', points: [0, 0, 10, 10] }), null);
  });

  it("a slide's detections are placed a slice at a time: the work yields between each 32,768 of them, where a lane's loop turns", () => {
    const set = scatteredCells(3 * DETECTIONS_A_SLICE + 5, 100_000);
    const shapes = regions(50, 100_000);
    /** The work's result, and how many times it yielded on the way. */
    const stepped = <T>(work: Sliced<T>): [T, number] => {
      for (let yields = 0; ; yields++) {
        const step = work.next();
        if (step.done) return [step.value, yields];
      }
    };
    const [xy, centroidYields] = stepped(slicedCentroids(set));
    const [placed, placeYields] = stepped(placeDetections(set, xy, shapes));
    assert.deepEqual([centroidYields, placeYields], [3, 3]);
    assert.deepEqual(xy, detectionCentroids(set).xy);
    assert.deepEqual(placed, finish(placeDetections(set, xy, shapes)));
    assert.ok(placed.parents.some((p) => p !== IMAGE_PARENT));
  });

  it("300,000 cells under 1,000 regions and 5 tissue outlines: each placed, and every region's counted, in seconds (not a test of each cell against each region)", () => {
    const [set, shapes] = [scatteredCells(300_000, 100_000), regions(1000, 100_000)];
    const started = process.cpuUsage();
    const centroids = detectionCentroids(set);
    const { parents, byClass } = finish(placeDetections(set, centroids.xy, shapes));
    const counted = shapes.map((shape) => countDetectionsIn(set, centroids, shape, null)!);
    const spent = process.cpuUsage(started);
    const seconds = (spent.user + spent.system) / 1e6;
    // Tested one by one, a cell against each region's 200 or 2,000 edges, this took 20 s of CPU (a busy machine doubles either).
    assert.ok(seconds < 10, `${seconds.toFixed(1)} s of CPU`);
    // Each cell's parent holds it, and no smaller region does; every cell is in some tissue.
    const next = random(5);
    for (let probe = 0; probe < 300; probe++) {
      const i = Math.floor(next() * set.count);
      const [x, y] = [centroids.xy[2 * i]!, centroids.xy[2 * i + 1]!];
      const holders = shapes.flatMap((shape, a) => (pointInPolygons(shapePolygons(shape), x, y) ? [a] : []));
      assert.ok(holders.includes(parents[i]!) || (holders.length === 0 && parents[i] === IMAGE_PARENT), `cell ${i}`);
    }
    // The pass's counts are countDetectionsIn's, region by region and class by class.
    assert.deepEqual(
      [...byClass],
      counted.flatMap((c) => c.byClass),
    );
    const counts = counted.map((c) => c.total);
    const inTissue = counts.slice(-5);
    assert.ok(inTissue.every((n) => n > 100_000));
    assert.equal(
      counts[0],
      Array.from({ length: set.count }, (_, i) => pointInPolygons(shapePolygons(shapes[0]!), centroids.xy[2 * i]!, centroids.xy[2 * i + 1]!)).filter(Boolean)
        .length,
    );
  });
});
