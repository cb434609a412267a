import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readGeoJsonDetections } from '../../../shared/detection-geojson';
import type { DetectionSet } from '../../../shared/detections';
import { createLayer, type DetectionLayer, detectionHolds } from './detectionLayer';
import { createScratch, drawDetections } from './drawDetections';

type Point = [number, number];

interface Fill {
  path: Point[][];
  rule: CanvasFillRule;
}

/** A 2D context that keeps the path as subpaths of points, and what each fill (and by which rule) and stroke was given. */
function recordingContext(): { ctx: CanvasRenderingContext2D; fills: Fill[]; strokes: Point[][][] } {
  let path: Point[][] = [];
  const fills: Fill[] = [];
  const strokes: Point[][][] = [];
  const ignore = () => undefined;
  const fake = {
    setTransform: ignore,
    clearRect: ignore,
    closePath: ignore,
    beginPath: () => {
      path = [];
    },
    moveTo: (x: number, y: number) => path.push([[x, y]]),
    lineTo: (x: number, y: number) => path.at(-1)!.push([x, y]),
    rect: ignore,
    arc: ignore,
    fill: (rule: CanvasFillRule = 'nonzero') => fills.push({ path: path.map((s) => [...s]), rule }),
    stroke: () => strokes.push(path.map((s) => [...s])),
  };
  return { ctx: fake as unknown as CanvasRenderingContext2D, fills, strokes };
}

/** The nonzero winding number of a path (its subpaths closed) about a point: 0 is outside its fill. */
function winding(path: Point[][], x: number, y: number): number {
  let w = 0;
  for (const ring of path) {
    for (let k = 0; k < ring.length; k++) {
      const [x1, y1] = ring[k]!;
      const [x2, y2] = ring[(k + 1) % ring.length]!;
      const side = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1);
      if (y1 <= y && y2 > y && side > 0) w++;
      else if (y1 > y && y2 <= y && side < 0) w--;
    }
  }
  return w;
}

/** Whether a fill paints the point, by its rule. */
function paints({ path, rule }: Fill, x: number, y: number): boolean {
  const w = winding(path, x, y);
  return rule === 'evenodd' ? w % 2 !== 0 : w !== 0;
}

/** A square ring of side `size` at (x, y), clockwise or not on screen. */
function square(x: number, y: number, size: number, clockwise: boolean): number[][] {
  const ring = [
    [x, y],
    [x + size, y],
    [x + size, y + size],
    [x, y + size],
    [x, y],
  ];
  return clockwise ? ring : ring.reverse();
}

function setOf(features: object[]): DetectionSet {
  return readGeoJsonDetections(JSON.stringify({ type: 'FeatureCollection', features }), '/data/cells.geojson');
}

/** A ring-shaped cell: a 100 px square with a 40 px hole in its middle, both wound the same way (as a careless writer may), and a nucleus in its body. */
const ringCell = {
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [square(0, 0, 100, true), square(30, 30, 40, true)] },
  nucleusGeometry: { type: 'Polygon', coordinates: [square(5, 5, 15, true)] },
  properties: { objectType: 'cell', classification: { name: 'Tumor', color: [200, 0, 0] } },
};
/** A cell over the first's hole, wound the other way. */
const overlapping = {
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [square(40, 40, 10, false)] },
  properties: { objectType: 'cell', classification: { name: 'Tumor', color: [200, 0, 0] } },
};

function draw(layer: DetectionLayer): ReturnType<typeof recordingContext> {
  const recorded = recordingContext();
  // 1:1, the view 200 x 200 px.
  drawDetections(recorded.ctx, 200, 200, { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }, layer, 1, createScratch());
  return recorded;
}

describe('drawing detections with holes', () => {
  it('fills a ring-shaped cell but not its hole, whichever way its rings run, and a cell over the hole still', () => {
    const layer = { ...createLayer(setOf([ringCell, overlapping])), style: 'fill' as const };
    const { fills, strokes } = draw(layer);
    // Painted where any fill's path winds about the point.
    const filled = (x: number, y: number) => fills.some((f) => paints(f, x, y));
    assert.equal(filled(10, 50), true, "the cell's body");
    assert.equal(filled(35, 35), false, 'its hole');
    assert.equal(filled(45, 45), true, 'the other cell, in the hole');
    assert.equal(filled(12, 12), true, 'the nucleus is no hole in the fill');
    assert.equal(filled(150, 150), false, 'beside the cell');
    // The hole and the nucleus are outlined too: outline, hole, nucleus, the other cell.
    assert.equal(
      strokes.reduce((sum, path) => sum + path.length, 0),
      4,
    );
  });

  it("fills what a click picks, of a detection whose rings are a careless writer's: a hole crossing itself, a hole outside its outline, holes overlapping, parts overlapping", () => {
    const area = (coordinates: number[][][][]) => ({
      type: 'Feature',
      geometry: { type: 'MultiPolygon', coordinates },
      properties: { objectType: 'detection' },
    });
    const set = setOf([
      // A bow tie of unequal lobes as the hole of a square.
      area([
        [
          square(0, 0, 100, true),
          [
            [10, 10],
            [60, 60],
            [60, 10],
            [10, 60],
            [10, 10],
          ],
        ],
      ]),
      // A hole beside its outline, not in it.
      area([[square(120, 0, 30, true), square(160, 0, 20, false)]]),
      // Two holes overlapping, wound unlike.
      area([[square(0, 120, 70, true), square(10, 130, 30, true), square(25, 145, 30, false)]]),
      // Two parts overlapping, with a hole in one.
      area([[square(100, 100, 50, true), square(105, 105, 10, true)], [square(130, 130, 50, false)]]),
    ]);
    const layer = { ...createLayer(set), style: 'fill' as const };
    const { fills } = draw(layer);
    const wrong: string[] = [];
    for (let y = 0.5; y < 200; y += 3)
      for (let x = 0.5; x < 200; x += 3) {
        const picked = [0, 1, 2, 3].some((i) => detectionHolds(set, i, x, y, 0));
        if (fills.some((f) => paints(f, x, y)) !== picked) wrong.push(`(${x}, ${y}) ${picked ? 'picked, not filled' : 'filled, not picked'}`);
      }
    assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} points`);
  });

  it('draws no point for a hole of one position (it encloses nothing)', () => {
    const cell = { ...ringCell, geometry: { type: 'Polygon', coordinates: [square(0, 0, 100, true), [[50, 50]]] }, nucleusGeometry: undefined };
    const { strokes } = draw(createLayer(setOf([cell])));
    assert.deepEqual(
      strokes.map((path) => path.length),
      [1],
      'the outline alone',
    );
  });
});
