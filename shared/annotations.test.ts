import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';

import {
  type AnnotationDocument,
  annotationDocumentSchema,
  classColor,
  emptyDocument,
  hexToRgb,
  QUPATH_CLASSES,
  rgbToHex,
  UNCLASSIFIED_COLOR,
} from './annotations';

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
