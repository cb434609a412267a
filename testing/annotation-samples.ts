// Annotation documents the tests read and write: one of each kind of shape, on coordinates that no
// decimal rounding would keep.

import { type AnnotationDocument, emptyDocument } from '../shared/annotations';

/** One of each kind of shape, with a class of its own (Gland) besides QuPath's. */
export function everyKind(): AnnotationDocument {
  const doc = emptyDocument();
  doc.classes.push({ name: 'Gland', color: [12, 34, 56] });
  const a = (id: string, classification: string | null, shape: AnnotationDocument['annotations'][number]['shape'], name = '', description = '') => ({
    id,
    name,
    description,
    classification,
    shape,
  });
  doc.annotations.push(
    a('5d0ef8a4-65a8-4b1b-9a0e-44a1dbd1b3a1', null, { kind: 'line', points: [0.1, 0.2, 1234.5678901234, 98765.43210987654] }, 'ruler 1'),
    a('5d0ef8a4-65a8-4b1b-9a0e-44a1dbd1b3a2', 'Immune cells', { kind: 'point', points: [10.25, 20.125, 1e-7, 3.0000000000000004] }),
    a('5d0ef8a4-65a8-4b1b-9a0e-44a1dbd1b3a3', 'Tumor', { kind: 'rectangle', x0: 0.1, y0: 0.2, x1: 0.30000000000000004, y1: 7.7 }, 'box', 'two\nlines'),
    a('5d0ef8a4-65a8-4b1b-9a0e-44a1dbd1b3a4', 'Stroma', { kind: 'ellipse', x0: 100.33333333333333, y0: 50.1, x1: 300.6666666666667, y1: 75.9 }, '타원'),
    a('5d0ef8a4-65a8-4b1b-9a0e-44a1dbd1b3a5', 'Gland', {
      kind: 'polygon',
      polygons: [
        [
          [0, 0, 100, 0, 100, 100, 0, 100.5],
          [40, 40, 60, 40, 60, 60],
        ],
        [[200, 0, 210.1, 0, 205, 9]],
      ],
    }),
    a('5d0ef8a4-65a8-4b1b-9a0e-44a1dbd1b3a6', 'Gland', { kind: 'freehand', polygons: [[[1, 1, 5, 1, 5, 5, 3, 7, 1, 5]]] }),
  );
  return doc;
}

/** A GeoJSON Feature as QuPath writes one: an 8-pixel square with these properties (objectType...) and id. */
export function squareFeature(properties: object, id?: string): object {
  const ring = [
    [0, 0],
    [8, 0],
    [8, 8],
    [0, 8],
    [0, 0],
  ];
  return { type: 'Feature', ...(id ? { id } : {}), geometry: { type: 'Polygon', coordinates: [ring] }, properties };
}
