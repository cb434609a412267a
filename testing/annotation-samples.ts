// Annotation documents the tests read and write: one of each kind of shape, on coordinates that no
// decimal rounding would keep.

import { type AnnotationDocument, emptyDocument } from '../shared/annotations';

/** A GeoJSON Polygon's coordinates: the axis-aligned box at (x, y), `width` by `height` (a square when no height is given), its first position repeated last. */
export function boxPolygon(x: number, y: number, width: number, height = width): number[][][] {
  return [
    [
      [x, y],
      [x + width, y],
      [x + width, y + height],
      [x, y + height],
      [x, y],
    ],
  ];
}

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

/**
 * Objects as QuPath 0.5 exports them ("Export objects as GeoJSON", PathObjectTypeAdapters): an annotation
 * with measurements, a lock, its own colour and metadata; a detection, a cell with its nucleus, a tile
 * written in JTS's vertex order, a TMA core, a single point on another z-plane, an ellipse as QuPath
 * polygonises it, and properties and members no program but the one that wrote them knows.
 */
export function qupathObjects(): { type: 'FeatureCollection'; features: Record<string, unknown>[] } {
  const ring = (x: number, y: number) => [
    [x, y],
    [x + 10.5, y],
    [x + 10.5, y + 7.25],
    [x, y],
  ];
  const uuid = (n: number) => `6f1c2b7e-3d4a-4e5b-8c9d-0a1b2c3d4e${String(n).padStart(2, '0')}`;
  const tumor = { name: 'Tumor', color: [200, 0, 0] };
  const positive = { names: ['Tumor', 'Positive'], color: [200, 50, 50] };
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        id: uuid(1),
        geometry: { type: 'Polygon', coordinates: [ring(0, 0)] },
        properties: {
          objectType: 'annotation',
          name: 'Region 1',
          color: [10, 20, 30],
          classification: tumor,
          isLocked: true,
          measurements: { 'Num Detections': 2, 'Area µm^2': 1234.5 },
          metadata: { ANNOTATION_DESCRIPTION: 'reviewed', Reviewer: 'kim' },
        },
      },
      {
        type: 'Feature',
        id: uuid(2),
        geometry: { type: 'Polygon', coordinates: [ring(20, 0)] },
        properties: { objectType: 'detection', classification: positive, measurements: { 'DAB: Mean': 0.31, Score: 1 } },
      },
      {
        type: 'Feature',
        id: uuid(3),
        geometry: { type: 'Polygon', coordinates: [ring(40, 0)] },
        nucleusGeometry: { type: 'Polygon', coordinates: [ring(41, 1)] },
        properties: { objectType: 'cell', classification: tumor, measurements: { 'Nucleus: Area': 12.25, 'Cell: Area': 40 } },
      },
      {
        type: 'Feature',
        id: uuid(4),
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 100],
              [0, 150],
              [50, 150],
              [50, 100],
              [0, 100],
            ],
          ],
        },
        properties: { objectType: 'tile', measurements: { 'Tissue %': 88.5 } },
      },
      {
        type: 'Feature',
        id: uuid(5),
        geometry: { type: 'Polygon', coordinates: [ring(60, 0)] },
        properties: { objectType: 'tmaCore', name: 'A-1', isMissing: false },
      },
      {
        type: 'Feature',
        id: uuid(6),
        geometry: { type: 'Point', coordinates: [5.5, 6.5], plane: { c: -1, z: 2, t: 0 } },
        properties: { objectType: 'annotation', classification: { name: 'Stroma', color: [150, 200, 150] } },
      },
      {
        type: 'Feature',
        id: uuid(7),
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [20, 10],
              [17, 17],
              [10, 20],
              [3, 17],
              [0, 10],
              [3, 3],
              [10, 0],
              [17, 3],
              [20, 10],
            ],
          ],
          isEllipse: true,
        },
        properties: { objectType: 'annotation', name: 'round' },
      },
      {
        type: 'Feature',
        id: uuid(8),
        geometry: { type: 'Polygon', coordinates: [ring(80, 0)] },
        modelVersion: 'stardist-2d-0.8',
        properties: { objectType: 'detection', probability: 0.93, extra: { nested: [1, 'two', { three: null }], flag: false } },
      },
    ],
  };
}
