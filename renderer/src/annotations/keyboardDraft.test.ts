import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finish, isKeyboardTool, type KeyboardDraft, type Placed, place, preview, removeLast } from './keyboardDraft';

const NEAR = 4;

/** Enters at each point in turn, from no draft; the last step's outcome. */
function enters(tool: KeyboardDraft['tool'], points: Array<[number, number]>): Placed {
  let draft: KeyboardDraft | null = null;
  let last: Placed | null = null;
  for (const [x, y] of points) {
    last = place(draft, tool, { x, y }, NEAR);
    draft = 'draft' in last ? last.draft : null;
  }
  if (!last) throw new Error('no Enter');
  return last;
}

test('freehand and select do not draw from the keyboard; the others do', () => {
  assert.deepEqual((['select', 'ruler', 'point', 'rectangle', 'ellipse', 'polygon', 'freehand'] as const).filter(isKeyboardTool), [
    'ruler',
    'point',
    'rectangle',
    'ellipse',
    'polygon',
  ]);
});

test('a point is one Enter', () => {
  assert.deepEqual(place(null, 'point', { x: 10, y: 20 }, NEAR), { kind: 'finished', shape: { kind: 'point', points: [10, 20] }, at: { x: 10, y: 20 } });
});

test('a ruler, a rectangle and an ellipse are two Enters, the box from any two opposite corners', () => {
  const first = place(null, 'ruler', { x: 100, y: 100 }, NEAR);
  assert.deepEqual(first, { kind: 'started', draft: { tool: 'ruler', points: [100, 100] }, at: { x: 100, y: 100 } });
  assert.deepEqual(
    enters('ruler', [
      [100, 100],
      [300, 50],
    ]),
    { kind: 'finished', shape: { kind: 'line', points: [100, 100, 300, 50] }, at: { x: 300, y: 50 } },
  );
  const box = enters('rectangle', [
    [300, 400],
    [100, 200],
  ]);
  assert.equal(box.kind, 'finished');
  assert.deepEqual(box.kind === 'finished' && box.shape, { kind: 'rectangle', x0: 100, y0: 200, x1: 300, y1: 400 });
  const ellipse = enters('ellipse', [
    [0, 0],
    [50, 80],
  ]);
  assert.deepEqual(ellipse.kind === 'finished' && ellipse.shape, { kind: 'ellipse', x0: 0, y0: 0, x1: 50, y1: 80 });
});

test('the second Enter where the first was (the view not moved) is refused, and so is a box with no height', () => {
  assert.equal(
    enters('ruler', [
      [100, 100],
      [102, 101],
    ]).kind,
    'same-place',
  );
  assert.equal(
    enters('rectangle', [
      [100, 100],
      [400, 100],
    ]).kind,
    'flat',
  );
  // The draft is kept: the next Enter, elsewhere, finishes it.
  const refused = enters('rectangle', [
    [100, 100],
    [400, 100],
  ]);
  assert.ok(refused.kind === 'flat');
  assert.equal(place(refused.draft, 'rectangle', { x: 400, y: 300 }, NEAR).kind, 'finished');
});

test('a polygon: each Enter a vertex; Enter on the first vertex, or again on the last, closes it', () => {
  const third = enters('polygon', [
    [0, 0],
    [100, 0],
    [100, 100],
  ]);
  assert.equal(third.kind, 'vertex');
  assert.ok(third.kind === 'vertex');
  assert.equal(third.number, 3);
  assert.deepEqual(third.draft.points, [0, 0, 100, 0, 100, 100]);
  const square = [
    [0, 0],
    [100, 0],
    [100, 100],
    [0, 100],
  ] as Array<[number, number]>;
  const closed = enters('polygon', [...square, [1, 2]]);
  assert.deepEqual(closed.kind === 'finished' && closed.shape, { kind: 'polygon', polygons: [[[0, 0, 100, 0, 100, 100, 0, 100]]] });
  const twice = enters('polygon', [...square, [0, 100]]);
  assert.deepEqual(twice.kind === 'finished' && twice.shape, { kind: 'polygon', polygons: [[[0, 0, 100, 0, 100, 100, 0, 100]]] });
  // Too soon to close: two vertices are a line.
  assert.equal(
    enters('polygon', [
      [0, 0],
      [100, 0],
      [100, 0],
    ]).kind,
    'same-place',
  );
  assert.equal(
    enters('polygon', [
      [0, 0],
      [100, 0],
      [0, 0],
    ]).kind,
    'same-place',
  );
});

test('Shift+Enter closes a polygon as it is (three vertices at least); a two-point shape ends at the centre', () => {
  const two: KeyboardDraft = { tool: 'polygon', points: [0, 0, 100, 0] };
  assert.deepEqual(finish(two, { x: 50, y: 50 }, NEAR), { kind: 'too-few', draft: two });
  const three: KeyboardDraft = { tool: 'polygon', points: [0, 0, 100, 0, 100, 100] };
  assert.deepEqual(finish(three, { x: 500, y: 500 }, NEAR), {
    kind: 'finished',
    shape: { kind: 'polygon', polygons: [[[0, 0, 100, 0, 100, 100]]] },
    at: { x: 500, y: 500 },
  });
  const ruler: KeyboardDraft = { tool: 'ruler', points: [0, 0] };
  assert.deepEqual(finish(ruler, { x: 30, y: 40 }, NEAR), { kind: 'finished', shape: { kind: 'line', points: [0, 0, 30, 40] }, at: { x: 30, y: 40 } });
});

test('Backspace takes the last point back; the last one left ends the draft', () => {
  assert.deepEqual(removeLast({ tool: 'polygon', points: [0, 0, 100, 0, 100, 100] }), { tool: 'polygon', points: [0, 0, 100, 0] });
  assert.equal(removeLast({ tool: 'polygon', points: [0, 0] }), null);
  assert.equal(removeLast({ tool: 'rectangle', points: [5, 5] }), null);
});

test('the rubber band runs from the points placed to the centre', () => {
  assert.deepEqual(preview({ tool: 'ruler', points: [0, 0] }, { x: 10, y: 0 }), { kind: 'line', points: [0, 0, 10, 0] });
  assert.deepEqual(preview({ tool: 'rectangle', points: [10, 10] }, { x: 0, y: 0 }), { kind: 'rectangle', x0: 0, y0: 0, x1: 10, y1: 10 });
  assert.deepEqual(preview({ tool: 'polygon', points: [0, 0] }, { x: 10, y: 0 }), { kind: 'line', points: [0, 0, 10, 0] });
  assert.deepEqual(preview({ tool: 'polygon', points: [0, 0, 10, 0] }, { x: 10, y: 10 }), { kind: 'polygon', polygons: [[[0, 0, 10, 0, 10, 10]]] });
});
