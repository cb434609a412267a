import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';

import { readGeoJson, writeGeoJson } from './annotation-geojson';
import {
  type Annotation,
  type AnnotationDocument,
  annotationDocumentSchema,
  canonicalShape,
  checkDocument,
  classColor,
  emptyDocument,
  hexToRgb,
  mergeDocuments,
  QUPATH_CLASSES,
  rgbToHex,
  type Shape,
  UNCLASSIFIED_COLOR,
} from './annotations';
import { LIMITS } from './limits';

const ID = '0b6a0d4e-7a3c-4f4e-9a55-2c1f7d1a9b10';

function check(doc: unknown): string | null {
  const result = v.safeParse(annotationDocumentSchema, doc);
  if (result.success) return null;
  const issue = result.issues[0];
  return `${(issue.path ?? []).map((p) => String(p.key)).join('.')} ${issue.message}`;
}

function withShape(shape: unknown): AnnotationDocument {
  return { classes: [], annotations: [{ id: ID, name: '', description: '', classification: null, shape }] } as AnnotationDocument;
}

describe('the annotation document', () => {
  it("starts with QuPath's classes and colours", () => {
    const doc = emptyDocument();
    assert.deepEqual(
      doc.classes.map((c) => `${c.name} ${rgbToHex(c.color)}`),
      [
        'Tumor #c80000',
        'Stroma #96c896',
        'Immune cells #a05aa0',
        'Necrosis #323232',
        'Other #ffc800',
        'Region* #0000b4',
        'Ignore* #b4b4b4',
        'Positive #c83232',
        'Negative #5a5ab4',
      ],
    );
    doc.classes[0]!.color[0] = 1;
    assert.equal(QUPATH_CLASSES[0]!.color[0], 200, 'a document owns its colours');
    assert.deepEqual(classColor(doc.classes, null), UNCLASSIFIED_COLOR);
    assert.deepEqual(classColor(doc.classes, 'Stroma'), [150, 200, 150]);
    assert.deepEqual(hexToRgb('#96C896'), [150, 200, 150]);
    assert.equal(hexToRgb('red'), null);
  });

  it('accepts every kind of shape', () => {
    assert.equal(check(emptyDocument()), null);
    for (const shape of [
      { kind: 'line', points: [0, 0, 1, 1] },
      { kind: 'point', points: [5, 5] },
      { kind: 'rectangle', x0: 0, y0: 0, x1: 1, y1: 1 },
      { kind: 'ellipse', x0: -1, y0: 0, x1: 1, y1: 1 },
      { kind: 'polygon', polygons: [[[0, 0, 1, 0, 1, 1]]] },
      {
        kind: 'freehand',
        polygons: [
          [
            [0, 0, 1, 0, 1, 1],
            [0.2, 0.1, 0.8, 0.1, 0.8, 0.7],
          ],
        ],
      },
    ]) {
      assert.equal(check(withShape(shape)), null, JSON.stringify(shape));
    }
  });

  it('refuses broken shapes, naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'line', points: [0, 0] }, /points must be a list of x, y level-0 coordinates \(at least 2 points/],
      [{ kind: 'line', points: [0, 0, 1] }, /points must be/],
      [{ kind: 'point', points: [Number.NaN, 0] }, /points must be/],
      [{ kind: 'point', points: [2 ** 41, 0] }, /points must be/],
      [{ kind: 'rectangle', x0: 1, y0: 0, x1: 1, y1: 1 }, /x0 < x1/],
      [{ kind: 'polygon', polygons: [[[0, 0, 1, 1]]] }, /at least 3 points/],
      [{ kind: 'polygon', polygons: [] }, /at least one polygon/],
      [{ kind: 'circle', r: 1 }, /must be one of line, point/],
    ];
    for (const [shape, message] of cases) assert.match(check(withShape(shape)) ?? 'accepted', message, JSON.stringify(shape));
  });

  it('refuses duplicate ids and classes, control characters and unknown fields', () => {
    const doc = withShape({ kind: 'point', points: [0, 0] });
    assert.match(check({ ...doc, annotations: [doc.annotations[0], doc.annotations[0]] }) ?? '', /two annotations with one id/);
    assert.match(
      check({
        ...doc,
        classes: [
          { name: 'A', color: [0, 0, 0] },
          { name: 'A', color: [1, 1, 1] },
        ],
      }) ?? '',
      /names a class twice/,
    );
    assert.match(check({ ...doc, classes: [{ name: 'A', color: [0, 0, 256] }] }) ?? '', /three integers from 0 to 255/);
    assert.match(check({ ...doc, annotations: [{ ...doc.annotations[0], name: 'a\nb' }] }) ?? '', /name must be one line/);
    assert.equal(check({ ...doc, annotations: [{ ...doc.annotations[0], description: 'two\nlines\ttabbed' }] }), null);
    assert.match(check({ ...doc, annotations: [{ ...doc.annotations[0], description: 'bell\u0007' }] }) ?? '', /control characters/);
    assert.match(check({ ...doc, annotations: [{ ...doc.annotations[0], id: '../x' }] }) ?? '', /UUID/);
    assert.match(check({ ...doc, extra: 1 }) ?? '', /extra/);
  });
});

/** `n` annotations of this shape (sharing it: a document past the vertex limits without the memory). */
function many(n: number, shape: Shape): AnnotationDocument {
  const annotations: Annotation[] = [];
  for (let i = 0; i < n; i++) annotations.push({ id: `a-${i}`, name: '', description: '', classification: null, shape });
  return { classes: [], annotations };
}

describe('the limits, checked by the schema', () => {
  it('one annotation of more than 200,000 vertices, over all its rings: TOO_LARGE naming it', () => {
    const ring = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    const shape: Shape = { kind: 'polygon', polygons: [[ring, ring.slice(0, 160_000)]] };
    const result = checkDocument({
      ...many(2, { kind: 'point', points: [0, 0] }),
      annotations: [...many(1, { kind: 'point', points: [0, 0] }).annotations, { ...many(1, shape).annotations[0]!, id: 'big' }],
    });
    assert.ok(!result.ok);
    assert.equal(result.problem.code, 'TOO_LARGE');
    assert.equal(result.problem.annotation, 1);
    assert.equal(result.problem.message, `Annotation 2: shape has 230000 vertices, more than the ${LIMITS.maxAnnotationVertices} one annotation may have`);
    // One ring alone past the limit is the same limit.
    const line = checkDocument(many(1, { kind: 'line', points: Array.from({ length: 2 * (LIMITS.maxAnnotationVertices + 1) }, () => 1) }));
    assert.ok(!line.ok);
    assert.equal(line.problem.code, 'TOO_LARGE');
    assert.ok(checkDocument(many(1, { kind: 'line', points: Array.from({ length: 2 * LIMITS.maxAnnotationVertices }, () => 1) })).ok);
  });

  it('more annotations, or vertices in all, than a slide may have: TOO_LARGE; a bad field: CORRUPT_DATA', () => {
    const point: Shape = { kind: 'point', points: [0, 0] };
    const count = checkDocument(many(LIMITS.maxAnnotations + 1, point));
    assert.ok(!count.ok);
    assert.deepEqual(
      [count.problem.code, count.problem.message],
      ['TOO_LARGE', `annotations are ${LIMITS.maxAnnotations + 1}, more than the ${LIMITS.maxAnnotations} a slide may have`],
    );
    const outline: Shape = { kind: 'line', points: Array.from({ length: 2 * LIMITS.maxAnnotationVertices }, (_, i) => i) };
    const n = LIMITS.maxDocumentVertices / LIMITS.maxAnnotationVertices + 1;
    const vertices = checkDocument(many(n, outline));
    assert.ok(!vertices.ok);
    assert.equal(vertices.problem.code, 'TOO_LARGE');
    assert.match(vertices.problem.message, new RegExp(`hold ${n * LIMITS.maxAnnotationVertices} vertices, more than the ${LIMITS.maxDocumentVertices}`));
    const broken = checkDocument({ ...many(1, point), classes: [{ name: '', color: [0, 0, 0] }] });
    assert.ok(!broken.ok);
    assert.deepEqual([broken.problem.code, broken.problem.message], ['CORRUPT_DATA', 'classes.0.name must not be empty']);
  });
});

describe('class names', () => {
  it('are trimmed, in the class list and on annotations alike: " T " is T', () => {
    const doc = {
      classes: [{ name: ' T ', color: [1, 2, 3] }],
      annotations: [{ ...many(1, { kind: 'point', points: [0, 0] }).annotations[0]!, classification: '\tT ' }],
    };
    const result = checkDocument(doc);
    assert.ok(result.ok);
    assert.deepEqual(result.document.classes, [{ name: 'T', color: [1, 2, 3] }]);
    assert.equal(result.document.annotations[0]!.classification, 'T');
    assert.match(check({ ...doc, classes: [{ name: '  ', color: [0, 0, 0] }] }) ?? '', /must not be empty/);
    assert.match(check({ ...doc, classes: [...doc.classes, { name: 'T', color: [0, 0, 0] }] }) ?? '', /names a class twice/);
  });

  it('a GeoJSON class list naming " T " and a feature of class " T ": one class, T', () => {
    const text = JSON.stringify({
      type: 'FeatureCollection',
      slidescope: { classes: [{ name: ' T ', color: [1, 2, 3] }] },
      features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { classification: { name: ' T ' } } }],
    });
    const doc = readGeoJson(text, { newId: () => 'x' });
    assert.deepEqual(doc.classes, [{ name: 'T', color: [1, 2, 3] }]);
    assert.equal(doc.annotations[0]!.classification, 'T');
  });
});

describe('merging a file again changes nothing', () => {
  const annotation = (shape: Shape, id = 'a'): Annotation => ({ id, name: 'n', description: '', classification: 'Tumor', shape });
  const doc = (...annotations: Annotation[]): AnnotationDocument => ({ classes: emptyDocument().classes, annotations });

  it('an axis-aligned 4-corner polygon (an ImageScope region) is the rectangle its GeoJSON reads back as, from any corner, either way round', () => {
    const rectangle: Shape = { kind: 'rectangle', x0: 10, y0: 20, x1: 30, y1: 45 };
    for (const ring of [
      [10, 20, 30, 20, 30, 45, 10, 45],
      [30, 45, 30, 20, 10, 20, 10, 45],
    ]) {
      for (const kind of ['polygon', 'freehand'] as const) {
        const polygon: Shape = { kind, polygons: [[ring]] };
        assert.deepEqual(canonicalShape(polygon), rectangle);
        assert.equal(mergeDocuments(doc(annotation(rectangle)), doc(annotation(polygon, 'b')), () => 'c').annotations.length, 1);
        assert.equal(mergeDocuments(doc(annotation(polygon)), doc(annotation(rectangle, 'b')), () => 'c').annotations.length, 1);
      }
    }
    // Not a rectangle: a diagonal edge, or its corners crossed.
    assert.equal(canonicalShape({ kind: 'polygon', polygons: [[[0, 0, 4, 0, 4, 4, 1, 4]]] }).kind, 'polygon');
    assert.equal(canonicalShape({ kind: 'polygon', polygons: [[[0, 0, 4, 4, 4, 0, 0, 4]]] }).kind, 'polygon');
  });

  it('a polygon merged with its own GeoJSON export', () => {
    const mine = doc(
      annotation({ kind: 'polygon', polygons: [[[0, 0, 8, 0, 8, 8, 0, 8]]] }, 'a'),
      annotation(
        {
          kind: 'polygon',
          polygons: [
            [
              [0, 0, 9, 0, 9, 9, 0, 9],
              [1, 1, 2, 1, 2, 2],
              [5, 5, 6, 5, 6, 6],
            ],
          ],
        },
        'b',
      ),
    );
    let n = 0;
    const exported = readGeoJson(writeGeoJson(mine), { newId: () => `id-${++n}` });
    assert.deepEqual(
      mergeDocuments(mine, exported, () => 'c'),
      mine,
    );
  });

  it('rings compare from any vertex, either way round, holes in any order; other shapes as they are', () => {
    const a: Shape = {
      kind: 'polygon',
      polygons: [
        [
          [0, 0, 9, 0, 9, 9, 0, 9, 0, 5],
          [1, 1, 2, 1, 2, 2],
          [5, 5, 6, 5, 6, 6],
        ],
      ],
    };
    const b: Shape = {
      kind: 'polygon',
      polygons: [
        [
          [9, 9, 9, 0, 0, 0, 0, 5, 0, 9],
          [6, 6, 6, 5, 5, 5],
          [2, 2, 1, 1, 2, 1],
        ],
      ],
    };
    assert.deepEqual(canonicalShape(a), canonicalShape(b));
    assert.notDeepEqual(canonicalShape(a), canonicalShape({ kind: 'polygon', polygons: [[[0, 0, 9, 0, 9, 9, 0, 9, 0, 5]]] }));
    const line: Shape = { kind: 'line', points: [3, 3, 1, 1] };
    assert.equal(canonicalShape(line), line);
  });
});

it('a class list past the thousand is a limit (TOO_LARGE), not a bad field', () => {
  const classes = Array.from({ length: 1001 }, (_, i) => ({ name: `c${i}`, color: [0, 0, 0] as [number, number, number] }));
  const checked = checkDocument({ classes, annotations: [] });
  assert.equal(checked.ok ? 'ok' : checked.problem.code, 'TOO_LARGE');
});
