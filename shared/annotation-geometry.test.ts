import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  boxFromCorners,
  ellipsePerimeter,
  ellipseRing,
  formatArea,
  formatLength,
  hitsShape,
  measureShape,
  moveHandle,
  shapeBounds,
  shapeCentroid,
  shapeHandles,
  simplifyPath,
  translateShape,
} from './annotation-geometry';
import { GridIndex } from './annotation-index';
import type { Shape } from './annotations';

const close = (actual: number | undefined, expected: number, tolerance = 1e-9) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} is not ${expected}`);

describe('measurements in µm: level-0 pixels times the pixel size', () => {
  it('a ruler: 3-4-5 at 1 µm/px is 50 µm; anisotropic pixels measure each axis apart', () => {
    const ruler: Shape = { kind: 'line', points: [0, 0, 30, 40] };
    assert.deepEqual(measureShape(ruler, { x: 1, y: 1 }), { unit: 'µm', length: 50 });
    // 30 px x 2 µm = 60 µm across, 40 px x 0.5 µm = 20 µm down: sqrt(60² + 20²).
    close(measureShape(ruler, { x: 2, y: 0.5 }).length, Math.sqrt(4000));
    // A polyline adds its segments.
    close(measureShape({ kind: 'line', points: [0, 0, 10, 0, 10, 10] }, { x: 0.5, y: 0.5 }).length, 10);
  });

  it('a rectangle: 100 x 50 px at 0.5 µm/px is 50 x 25 µm, 1250 µm², perimeter 150 µm', () => {
    const rect: Shape = { kind: 'rectangle', x0: 10, y0: 20, x1: 110, y1: 70 };
    assert.deepEqual(measureShape(rect, { x: 0.5, y: 0.5 }), { unit: 'µm', area: 1250, perimeter: 150 });
    // 100 x 100 px at 0.25 x 0.5 µm/px: 25 x 50 µm.
    assert.deepEqual(measureShape({ kind: 'rectangle', x0: 0, y0: 0, x1: 100, y1: 100 }, { x: 0.25, y: 0.5 }), { unit: 'µm', area: 1250, perimeter: 150 });
  });

  it('an ellipse: a 200 px circle at 0.5 µm/px has r = 50 µm; anisotropic pixels can make a circle of an oval', () => {
    const circle: Shape = { kind: 'ellipse', x0: 0, y0: 0, x1: 200, y1: 200 };
    const m = measureShape(circle, { x: 0.5, y: 0.5 });
    close(m.area, Math.PI * 2500);
    close(m.perimeter, 100 * Math.PI);
    // 200 x 100 px at 0.25 x 0.5 µm/px: a circle of radius 25 µm.
    const oval = measureShape({ kind: 'ellipse', x0: 0, y0: 0, x1: 200, y1: 100 }, { x: 0.25, y: 0.5 });
    close(oval.area, Math.PI * 625);
    close(oval.perimeter, 50 * Math.PI);
    // Semi-axes 2 and 1: the exact perimeter (complete elliptic integral) is 9.688448220547675.
    close(ellipsePerimeter(2, 1), 9.688448220547675, 1e-8);
  });

  it('a polygon: a right triangle, with a hole, as two polygons', () => {
    const triangle: Shape = { kind: 'polygon', polygons: [[[0, 0, 300, 0, 0, 400]]] };
    // 150 x 200 µm legs at 0.5 µm/px: 15000 µm², 150 + 200 + 250.
    assert.deepEqual(measureShape(triangle, { x: 0.5, y: 0.5 }), { unit: 'µm', area: 15000, perimeter: 600 });
    // 0.5 x 0.25 µm/px: legs 150 and 100 µm.
    const m = measureShape(triangle, { x: 0.5, y: 0.25 });
    close(m.area, 7500);
    close(m.perimeter, 250 + Math.hypot(150, 100));
    // Clockwise or counter-clockwise, the same area.
    assert.equal(measureShape({ kind: 'freehand', polygons: [[[0, 0, 0, 400, 300, 0]]] }, { x: 0.5, y: 0.5 }).area, 15000);
    const holed: Shape = {
      kind: 'polygon',
      polygons: [
        [
          [0, 0, 100, 0, 100, 100, 0, 100],
          [40, 40, 60, 40, 60, 60, 40, 60],
        ],
        [[200, 0, 210, 0, 210, 10, 200, 10]],
      ],
    };
    assert.deepEqual(measureShape(holed, null), { unit: 'px', area: 10000 - 400 + 100, perimeter: 400 + 80 + 40 });
  });

  it('no pixel size: pixels, said so by the unit; points are counted', () => {
    assert.deepEqual(measureShape({ kind: 'rectangle', x0: 0, y0: 0, x1: 4, y1: 3 }, null), { unit: 'px', area: 12, perimeter: 14 });
    assert.deepEqual(measureShape({ kind: 'point', points: [1, 2, 3, 4, 5, 6] }, { x: 0.25, y: 0.25 }), { unit: 'µm', count: 3 });
  });

  it('formats lengths in µm or mm and areas in µm² or mm², pixels when there is no scale', () => {
    assert.equal(formatLength(999.9, 'µm'), '999.9 µm');
    assert.equal(formatLength(1500, 'µm'), '1.5 mm');
    assert.equal(formatLength(12.3456, 'µm'), '12.35 µm');
    assert.equal(formatLength(123.4, 'px'), '123.4 px');
    assert.equal(formatArea(5000, 'µm'), '5000 µm²');
    assert.equal(formatArea(20_000, 'µm'), '0.02 mm²');
    assert.equal(formatArea(2_500_000, 'µm'), '2.5 mm²');
    assert.equal(formatArea(4567, 'px'), '4567 px²');
  });
});

describe('centroids in level-0 pixels', () => {
  it('a box its centre; points their mean; a line the middle of its length, not of its vertices', () => {
    assert.deepEqual(shapeCentroid({ kind: 'ellipse', x0: 10, y0: 20, x1: 110, y1: 70 }), { x: 60, y: 45 });
    assert.deepEqual(shapeCentroid({ kind: 'point', points: [0, 0, 10, 0, 20, 30] }), { x: 10, y: 10 });
    assert.deepEqual(shapeCentroid({ kind: 'line', points: [0, 0, 10, 20] }), { x: 5, y: 10 });
    // 30 px along x then 10 up: the long segment weighs three times the short one.
    const l = shapeCentroid({ kind: 'line', points: [0, 0, 30, 0, 30, 10] });
    close(l.x, (15 * 30 + 30 * 10) / 40);
    close(l.y, (0 * 30 + 5 * 10) / 40);
  });

  it("a polygon's by its area, either winding; a hole moves it away; two parts weigh by their areas", () => {
    // An L of a 20 x 10 bar and a 10 x 10 block above its left end: areas 200 at (10, 5) and 100 at (5, 15).
    const l = [0, 0, 20, 0, 20, 10, 10, 10, 10, 20, 0, 20];
    for (const ring of [l, reverseRing(l)]) {
      const c = shapeCentroid({ kind: 'polygon', polygons: [[ring]] });
      close(c.x, (200 * 10 + 100 * 5) / 300);
      close(c.y, (200 * 5 + 100 * 15) / 300);
    }
    // A 20 x 20 square with a 10 x 10 hole in its right-bottom quarter: (400 * 10 - 100 * 15) / 300.
    const holed = shapeCentroid({
      kind: 'freehand',
      polygons: [
        [
          [0, 0, 20, 0, 20, 20, 0, 20],
          [10, 10, 20, 10, 20, 20, 10, 20],
        ],
      ],
    });
    close(holed.x, 2500 / 300);
    close(holed.y, 2500 / 300);
    const two = shapeCentroid({ kind: 'polygon', polygons: [[[0, 0, 10, 0, 10, 10, 0, 10]], [[100, 0, 120, 0, 120, 20, 100, 20]]] });
    close(two.x, (100 * 5 + 400 * 110) / 500);
  });
});

function reverseRing(ring: number[]): number[] {
  const out: number[] = [];
  for (let i = ring.length - 2; i >= 0; i -= 2) out.push(ring[i]!, ring[i + 1]!);
  return out;
}

describe('outlines, edits and hit tests', () => {
  it("an ellipse's ring has the box as its envelope, to the last bit", () => {
    for (const box of [
      { x0: 0.1, y0: 0.2, x1: 0.30000000000000004, y1: 0.7 },
      { x0: 12345.678, y0: 98765.4321, x1: 12400.001, y1: 98800.5 },
    ]) {
      const ring = ellipseRing(box);
      assert.equal(ring.length, 144);
      assert.deepEqual(shapeBounds({ kind: 'polygon', polygons: [[ring]] }), { minX: box.x0, minY: box.y0, maxX: box.x1, maxY: box.y1 });
    }
  });

  it('moves shapes, their vertices and box corners', () => {
    assert.deepEqual(translateShape({ kind: 'rectangle', x0: 0, y0: 0, x1: 10, y1: 5 }, 3, 4), { kind: 'rectangle', x0: 3, y0: 4, x1: 13, y1: 9 });
    assert.deepEqual(translateShape({ kind: 'line', points: [0, 0, 1, 1] }, 1, 2), { kind: 'line', points: [1, 2, 2, 3] });
    const box: Shape = { kind: 'ellipse', x0: 0, y0: 0, x1: 10, y1: 10 };
    assert.deepEqual(
      shapeHandles(box).map((h) => [h.x, h.y]),
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
      ],
    );
    // Dragging the bottom-right corner past the top-left flips the box around the fixed corner.
    assert.deepEqual(moveHandle(box, [0, 0, 2], -5, 20), { kind: 'ellipse', x0: -5, y0: 0, x1: 0, y1: 20 });
    const polygon: Shape = { kind: 'polygon', polygons: [[[0, 0, 10, 0, 10, 10]]] };
    assert.deepEqual(moveHandle(polygon, [0, 0, 1], 20, 1), { kind: 'polygon', polygons: [[[0, 0, 20, 1, 10, 10]]] });
    assert.equal(boxFromCorners('rectangle', 5, 5, 5, 9), null);
  });

  it('hit tests: inside a closed shape (not in its hole), near a line or point', () => {
    const holed: Shape = {
      kind: 'polygon',
      polygons: [
        [
          [0, 0, 100, 0, 100, 100, 0, 100],
          [40, 40, 60, 40, 60, 60, 40, 60],
        ],
      ],
    };
    assert.equal(hitsShape(holed, 20, 20, 1), true);
    assert.equal(hitsShape(holed, 50, 50, 1), false);
    assert.equal(hitsShape(holed, 50, 40.5, 1), true, 'on the hole’s edge');
    assert.equal(hitsShape(holed, 103, 50, 2), false);
    assert.equal(hitsShape({ kind: 'line', points: [0, 0, 100, 0] }, 50, 3, 4), true);
    assert.equal(hitsShape({ kind: 'line', points: [0, 0, 100, 0] }, 50, 5, 4), false);
    assert.equal(hitsShape({ kind: 'point', points: [10, 10] }, 12, 12, 3), true);
    assert.equal(hitsShape({ kind: 'ellipse', x0: 0, y0: 0, x1: 100, y1: 100 }, 5, 5, 1), false, 'the corner of the box is outside the ellipse');
  });

  it('simplifies a freehand stroke: a noisy straight run keeps its ends, a corner stays', () => {
    const stroke: number[] = [];
    for (let i = 0; i <= 100; i++) stroke.push(i, i % 2 === 0 ? 0 : 0.3);
    stroke.push(100, 50);
    assert.deepEqual(simplifyPath(stroke, 1), [0, 0, 100, 0, 100, 50]);
    assert.deepEqual(simplifyPath([0, 0, 1, 1], 5), [0, 0, 1, 1]);
  });
});

describe('the grid index', () => {
  it('finds the boxes that meet a rectangle, each once, and the large ones everywhere', () => {
    const boxes = [];
    for (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) boxes.push({ minX: i * 100, minY: j * 100, maxX: i * 100 + 20, maxY: j * 100 + 20 });
    boxes.push({ minX: 0, minY: 0, maxX: 10_000, maxY: 10_000 });
    const index = new GridIndex(boxes);
    const found = index.search({ minX: 150, minY: 150, maxX: 310, maxY: 250 }).sort((a, b) => a - b);
    const expected = boxes
      .map((b, i) => (b.maxX >= 150 && b.minX <= 310 && b.maxY >= 150 && b.minY <= 250 ? i : -1))
      .filter((i) => i >= 0)
      .sort((a, b) => a - b);
    assert.deepEqual(found, expected);
    assert.ok(found.includes(10_000), 'the large box');
    assert.equal(index.search({ minX: -1, minY: -1, maxX: 20_000, maxY: 20_000 }).length, 10_001);
    assert.deepEqual(index.search({ minX: 50_000, minY: 50_000, maxX: 60_000, maxY: 60_000 }), []);
    assert.deepEqual(new GridIndex([]).search({ minX: 0, minY: 0, maxX: 1, maxY: 1 }), []);
  });
});
