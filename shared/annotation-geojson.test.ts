import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { everyKind, squareFeature } from '../testing/annotation-samples';
import { readGeoJson, readGeoJsonImport, writeGeoJson } from './annotation-geojson';
import { AnnotationFileError, emptyDocument, mergeDocuments } from './annotations';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const read = (text: string) => readGeoJson(text, { newId, path: '/data/a.geojson' });

describe('GeoJSON as QuPath writes it', () => {
  it('writes a FeatureCollection of annotations: ids, objectType, classification {name, color}, isEllipse, MultiPoint, LineString', () => {
    const text = writeGeoJson(everyKind());
    const json = JSON.parse(text);
    assert.equal(json.type, 'FeatureCollection');
    assert.equal(json.features.length, 6);
    const [ruler, points, box, ellipse, polygon, freehand] = json.features;
    assert.deepEqual(ruler, {
      type: 'Feature',
      id: '5d0ef8a4-65a8-4b1b-9a0e-44a1dbd1b3a1',
      geometry: {
        type: 'LineString',
        coordinates: [
          [0.1, 0.2],
          [1234.5678901234, 98765.43210987654],
        ],
      },
      properties: { objectType: 'annotation', name: 'ruler 1' },
    });
    assert.equal(points.geometry.type, 'MultiPoint');
    assert.deepEqual(points.properties.classification, { name: 'Immune cells', color: [160, 90, 160] });
    assert.deepEqual(box.geometry.coordinates[0], [
      [0.1, 0.2],
      [0.30000000000000004, 0.2],
      [0.30000000000000004, 7.7],
      [0.1, 7.7],
      [0.1, 0.2],
    ]);
    assert.deepEqual(box.properties.metadata, { ANNOTATION_DESCRIPTION: 'two\nlines' });
    assert.equal(ellipse.geometry.type, 'Polygon');
    assert.equal(ellipse.geometry.isEllipse, true);
    assert.equal(ellipse.geometry.coordinates[0].length, 73, '72 vertices, closed');
    assert.equal(polygon.geometry.type, 'MultiPolygon');
    assert.equal(polygon.geometry.coordinates[0].length, 2, 'outer ring and hole');
    assert.deepEqual(freehand.properties.metadata, { '_slidescope.shape': 'freehand' });
    // One feature a line: a bad edit is reported at its line.
    assert.equal(text.split('\n').length, 6 + 3);
  });

  it('round trip: coordinates exact, classes and colours, names, descriptions and kinds kept', () => {
    const doc = everyKind();
    assert.deepEqual(read(writeGeoJson(doc)), doc);
    const empty = emptyDocument();
    assert.deepEqual(read(writeGeoJson(empty)), empty);
  });

  it("reads QuPath's own export: colorRGB (before 0.4), derived classes, ellipses by their envelope, z coordinates", () => {
    const qupath = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: 'a5e2cf63-8d5a-4b8b-bdb0-4f6b3c3f2e10',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [10, 20],
                [30, 10],
                [50, 20],
                [30, 30],
                [10, 20],
              ],
            ],
            isEllipse: true,
          },
          properties: { objectType: 'annotation', classification: { name: 'Tumor', colorRGB: -3670016 }, isLocked: true },
        },
        {
          type: 'Feature',
          id: 'not-a-uuid',
          geometry: { type: 'Point', coordinates: [5, 6, 0] },
          properties: { objectType: 'annotation', classification: { names: ['Tumor', 'Positive'], color: [200, 50, 50] } },
        },
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [10, 0],
                [10, 5],
                [0, 5],
                [0, 0],
              ],
            ],
          },
          properties: { objectType: 'annotation', name: 'a box', metadata: { ANNOTATION_DESCRIPTION: 'note' } },
        },
      ],
    };
    const doc = read(JSON.stringify(qupath));
    assert.deepEqual(doc.classes, [
      { name: 'Tumor', color: [200, 0, 0] },
      { name: 'Tumor: Positive', color: [200, 50, 50] },
    ]);
    const [ellipse, point, box] = doc.annotations;
    assert.deepEqual(ellipse?.shape, { kind: 'ellipse', x0: 10, y0: 10, x1: 50, y1: 30 });
    assert.equal(ellipse?.id, 'a5e2cf63-8d5a-4b8b-bdb0-4f6b3c3f2e10');
    assert.deepEqual(point?.shape, { kind: 'point', points: [5, 6] });
    assert.match(point?.id ?? '', /^00000000-0000-4000-8000-/, 'a new UUID for an id QuPath would not take');
    assert.deepEqual(box, { id: box?.id, name: 'a box', description: 'note', classification: null, shape: { kind: 'rectangle', x0: 0, y0: 0, x1: 10, y1: 5 } });
  });

  it("leaves out QuPath's detections, cells, tiles and TMA cores (objectType, or before 0.3 the feature's id), counted; errors number features as the file does", () => {
    const features = [
      squareFeature({ objectType: 'detection', classification: { name: 'Tumor' } }),
      squareFeature({ objectType: 'annotation', name: 'kept', classification: { name: 'Stroma' } }),
      squareFeature({ objectType: 'cell' }),
      squareFeature({ objectType: 'tile' }),
      squareFeature({ objectType: 'tma_core' }),
      squareFeature({}, 'PathDetectionObject'),
      squareFeature({ name: 'no objectType: TIAToolbox, shapely' }),
    ];
    const { document, leftOut } = readGeoJsonImport(JSON.stringify({ type: 'FeatureCollection', features }), { newId, path: '/data/a.geojson' });
    assert.deepEqual(
      document.annotations.map((a) => a.name),
      ['kept', 'no objectType: TIAToolbox, shapely'],
    );
    assert.equal(leftOut, 5);
    // The detection's class is not one the slide's annotations use.
    assert.deepEqual(
      document.classes.map((c) => c.name),
      ['Stroma'],
    );
    const bad = [...features, squareFeature({ objectType: 'annotation', classification: 7 }), { type: 'Feature', geometry: { type: 'Circle' } }];
    assert.throws(() => read(JSON.stringify(bad)), /^AnnotationFileError: Feature 9: /);
  });

  it('reads TIAToolbox and shapely output: bare geometries and features, class in type, label or class', () => {
    const geometry = read(
      JSON.stringify({
        type: 'LineString',
        coordinates: [
          [0, 0],
          [3, 4],
        ],
      }),
    );
    assert.deepEqual(geometry.annotations[0]?.shape, { kind: 'line', points: [0, 0, 3, 4] });
    const tia = read(
      JSON.stringify([
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [4, 0],
                [2, 3],
              ],
            ],
          },
          properties: { type: 2, prob: 0.9 },
        },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] }, properties: { label: 'lymphocyte' } },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [2, 2] }, properties: { class: 'lymphocyte', type: 'annotation' } },
      ]),
    );
    assert.deepEqual(
      tia.annotations.map((a) => [a.classification, a.shape.kind]),
      [
        ['2', 'polygon'],
        ['lymphocyte', 'point'],
        ['lymphocyte', 'point'],
      ],
    );
    assert.deepEqual(
      tia.classes.map((c) => c.name),
      ['2', 'lymphocyte'],
    );
    assert.deepEqual(tia.annotations[0]?.shape, { kind: 'polygon', polygons: [[[0, 0, 4, 0, 2, 3]]] }, 'an unclosed ring is taken as closed');
  });

  it('bad files: the line of a JSON error, the feature of a bad one, nothing imported half', () => {
    const fails = (text: string, code: string, message: RegExp) =>
      assert.throws(
        () => read(text),
        (error: unknown) => error instanceof AnnotationFileError && error.code === code && message.test(error.message) && error.path === '/data/a.geojson',
        message.source,
      );
    const good = writeGeoJson(everyKind());
    const lines = good.split('\n');
    lines[3] = lines[3]!.replace('"Feature"', '"Feature",,');
    fails(lines.join('\n'), 'CORRUPT_DATA', /^Not valid JSON at line 4, column \d+/);
    fails(good.split('\n').slice(0, 3).join('\n'), 'CORRUPT_DATA', /^Not valid JSON at line 3, column \d+: the text ends too early\.$/);
    fails('{"type":"FeatureCollection","features":[{"type":"Feature","geometry":7}]}', 'CORRUPT_DATA', /^Feature 1: it has no geometry\.$/);
    fails(
      JSON.stringify({
        features: [
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] } },
          {
            type: 'Feature',
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [0, 0],
                  [1, 1],
                  [0, 0],
                ],
              ],
            },
          },
        ],
      }),
      'CORRUPT_DATA',
      /^Feature 2: the Polygon's outer ring has fewer than 3 distinct positions\.$/,
    );
    fails(
      JSON.stringify([{ type: 'Feature', geometry: { type: 'Point', coordinates: ['a', 1] } }]),
      'CORRUPT_DATA',
      /^Feature 1: the Point is not a position \[x, y\]\.$/,
    );
    fails(
      JSON.stringify([{ type: 'Feature', geometry: { type: 'Circle', coordinates: [1, 1] } }]),
      'CORRUPT_DATA',
      /^Feature 1: its geometry type "Circle" is unknown\.$/,
    );
    fails(
      JSON.stringify([{ type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] }, properties: { name: 'x'.repeat(600) } }]),
      'CORRUPT_DATA',
      /^Feature 1: name is longer than 500/,
    );
    fails(JSON.stringify({ type: 'Topology' }), 'CORRUPT_DATA', /^Not GeoJSON annotations/);
    // Hostile: nesting past any stack, more features than a slide may hold, a ring past the vertex bound.
    fails('['.repeat(200_000), 'CORRUPT_DATA', /^Not valid JSON at line 1/);
    fails(`[${'{},'.repeat(200_000)}{}]`, 'TOO_LARGE', /200001 annotations, more than the 200000/);
    const ring = Array.from({ length: 200_002 }, (_, i) => [i, i % 2]);
    fails(
      JSON.stringify([{ type: 'Feature', geometry: { type: 'LineString', coordinates: ring } }]),
      'CORRUPT_DATA',
      /^Feature 1: the LineString has 200002 positions, more than 200000\.$/,
    );
    fails('"just a string"', 'CORRUPT_DATA', /^Not GeoJSON annotations/);
  });

  it('merges an import after what is there: what is held already not twice, taken ids renewed, new classes added', () => {
    const base = everyKind();
    // The same file imported again: nothing added.
    assert.deepEqual(mergeDocuments(base, read(writeGeoJson(everyKind())), newId), base);
    // The same ids on other annotations: added, with new ids.
    const renamed = read(writeGeoJson(everyKind()));
    const other = { ...renamed, annotations: renamed.annotations.map((a) => ({ ...a, name: `${a.name} (2)` })) };
    const merged = mergeDocuments(base, other, newId);
    assert.equal(merged.annotations.length, 12);
    assert.equal(new Set(merged.annotations.map((a) => a.id)).size, 12);
    assert.deepEqual(merged.classes, base.classes);
  });
});
