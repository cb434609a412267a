// What QuPath 0.2-0.6 writes, read as QuPath reads it (qupath-core's PathObjectTypeAdapters and
// GsonTools.PathClassTypeAdapter): each case is a feature QuPath's own writer produces.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { everyKind, qupathObjects, squareFeature } from '../testing/annotation-samples';
import { readGeoJson, readGeoJsonImport, writeGeoJson } from './annotation-geojson';
import { type Annotation, checkDocument } from './annotations';
import { LIMITS } from './limits';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const options = { newId, path: '/data/qupath.geojson' };
const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features });

describe("QuPath's GeoJSON, field by field", () => {
  it('leaves out TMA cores as QuPath 0.4+ names them: objectType "tmaCore" (PathObjectTypeAdapters.MAP_TYPES)', () => {
    const { document, leftOut } = readGeoJsonImport(
      collection([squareFeature({ objectType: 'tmaCore', name: 'A-1', isMissing: false }), squareFeature({ objectType: 'annotation', name: 'kept' })]),
      options,
    );
    assert.deepEqual(
      document.annotations.map((a) => a.name),
      ['kept'],
    );
    assert.equal(leftOut, 1);
  });

  it('keeps a class colour QuPath writes with its alpha, [r, g, b, a] (GsonTools.PathClassTypeAdapter)', () => {
    const doc = readGeoJson(collection([squareFeature({ objectType: 'annotation', classification: { name: 'Faint', color: [10, 20, 30, 128] } })]), options);
    assert.deepEqual(doc.classes, [{ name: 'Faint', color: [10, 20, 30] }]);
  });

  it('reads a derived class before QuPath 0.4, a PathClass as Gson wrote it: its parentClass chain, names and colorRGB', () => {
    // PathClass's fields (parentClass, name, colorRGB) serialised by Gson's default adapter.
    const tumorPositive = {
      parentClass: { name: 'Tumor', colorRGB: -3670016 },
      name: 'Positive',
      colorRGB: -3657166,
    };
    const doc = readGeoJson(
      collection([
        squareFeature({ classification: tumorPositive }, 'PathAnnotationObject'),
        squareFeature({ classification: { name: 'Positive', colorRGB: -3657166 } }, 'PathAnnotationObject'),
      ]),
      options,
    );
    assert.deepEqual(
      doc.annotations.map((a) => a.classification),
      ['Tumor: Positive', 'Positive'],
    );
    assert.deepEqual(doc.classes[0], { name: 'Tumor: Positive', color: [200, 50, 50] });
  });

  it('reads a GeometryCollection as QuPath does (GeometryTools.homogenizeGeometryCollection): its members of the highest dimension', () => {
    const square = (x: number) => [
      [
        [x, 0],
        [x + 4, 0],
        [x + 2, 3],
        [x, 0],
      ],
    ];
    // What shapely's intersection of an outline with a tile gives: polygons and the lines along the cut.
    const clipped = {
      type: 'GeometryCollection',
      geometries: [
        { type: 'Polygon', coordinates: square(0) },
        {
          type: 'LineString',
          coordinates: [
            [9, 9],
            [10, 10],
          ],
        },
        { type: 'GeometryCollection', geometries: [{ type: 'MultiPolygon', coordinates: [square(10)] }] },
      ],
    };
    const points = {
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [1, 2] },
        { type: 'MultiPoint', coordinates: [[3, 4]] },
      ],
    };
    const doc = readGeoJson(
      JSON.stringify([
        { type: 'Feature', geometry: clipped, properties: { objectType: 'annotation' } },
        { type: 'Feature', geometry: points, properties: {} },
      ]),
      options,
    );
    assert.deepEqual(
      doc.annotations.map((a) => a.shape),
      [
        { kind: 'polygon', polygons: [[[0, 0, 4, 0, 2, 3]], [[10, 0, 14, 0, 12, 3]]] },
        { kind: 'point', points: [1, 2, 3, 4] },
      ],
    );
    // An empty collection is an empty geometry: no shape, kept aside (readFeatures' `unshown`), not refused.
    const empty = { type: 'Feature', geometry: { type: 'GeometryCollection', geometries: [] } };
    assert.deepEqual(readGeoJson(JSON.stringify(empty), options).unshown, [empty]);
  });

  it('leaves out what QuPath reads as detections by its alias, properties.type, when there is no objectType', () => {
    // PathObjectTypeAdapter.read: objectType, else object_type, else type ("Allow 'type' to be used as an alias").
    const { document, leftOut } = readGeoJsonImport(
      collection([
        squareFeature({ type: 'detection', classification: { name: 'Tumor', color: [200, 0, 0] } }),
        squareFeature({ type: 'cell' }),
        squareFeature({ type: 3, name: 'TIAToolbox class index' }),
        squareFeature({ objectType: 'annotation', type: 'cell', name: 'objectType decides' }),
      ]),
      options,
    );
    assert.deepEqual(
      document.annotations.map((a) => a.name),
      ['TIAToolbox class index', 'objectType decides'],
    );
    assert.equal(leftOut, 2);
  });

  it('marks a freehand outline with a metadata key QuPath 0.6 keeps out of its measurement tables (a leading _), and still reads the old one', () => {
    // ObservableMeasurementTableData: every metadata key is a column, but "Metadata keys starting with _
    // shouldn't be displayed to the user" (metadataNames.removeIf(m -> m.startsWith("_"))).
    const freehand = JSON.parse(writeGeoJson(everyKind())).features[5];
    assert.deepEqual(freehand.properties.metadata, { '_slidescope.shape': 'freehand' });
    for (const key of ['_slidescope.shape', 'slidescope.shape']) {
      const feature = { ...freehand, properties: { objectType: 'annotation', metadata: { [key]: 'freehand' } } };
      assert.equal(readGeoJson(collection([feature]), options).annotations[0]?.shape.kind, 'freehand', key);
    }
  });
});

describe("what Slidescope does not edit of QuPath's objects, kept", () => {
  const read = () => readGeoJson(JSON.stringify(qupathObjects()), options);
  const written = (annotations: Annotation[]) => JSON.parse(writeGeoJson({ ...read(), annotations })).features as Record<string, Record<string, unknown>>[];

  it('keeps the object type, measurements, lock, object colour and metadata of each, and writes them back as QuPath reads them', () => {
    const doc = read();
    assert.deepEqual(
      doc.annotations.map((a) => a.passThrough?.objectType ?? 'annotation'),
      ['annotation', 'detection', 'cell', 'tile', 'tmaCore', 'annotation', 'annotation', 'detection'],
    );
    assert.deepEqual(doc.annotations[0]?.passThrough?.properties, {
      color: [10, 20, 30],
      isLocked: true,
      measurements: { 'Num Detections': 2, 'Area µm^2': 1234.5 },
      metadata: { Reviewer: 'kim' },
    });
    assert.equal(doc.annotations[0]?.description, 'reviewed');
    const checked = checkDocument(doc);
    assert.ok(checked.ok, 'a document with what it keeps passes the schema (IPC, the store)');
    assert.deepEqual(checked.document, doc);
  });

  it('an edited shape is written anew, with what else its geometry held (its z-plane); a feature member (a nucleus) and the lock stay', () => {
    const doc = read();
    const moved = doc.annotations.map((a, i): Annotation => {
      if (i === 5) return { ...a, shape: { kind: 'point', points: [7, 8] } };
      if (i === 3) return { ...a, shape: { kind: 'rectangle', x0: 0, y0: 100, x1: 60, y1: 150 } };
      if (i === 2) return { ...a, classification: null };
      if (i === 0) return { ...a, description: '' };
      return a;
    });
    const features = written(moved);
    assert.deepEqual(features[5]?.['geometry'], { type: 'MultiPoint', coordinates: [[7, 8]], plane: { c: -1, z: 2, t: 0 } });
    assert.deepEqual(features[3]?.['geometry']?.['coordinates'], [
      [
        [0, 100],
        [60, 100],
        [60, 150],
        [0, 150],
        [0, 100],
      ],
    ]);
    // The class taken away is gone, not brought back from what was read; the nucleus stays.
    assert.equal(features[2]?.['properties']?.['classification'], undefined);
    assert.deepEqual(features[2]?.['nucleusGeometry'], qupathObjects().features[2]?.['nucleusGeometry']);
    assert.deepEqual(features[0]?.['properties']?.['metadata'], { Reviewer: 'kim' });
    assert.equal(features[0]?.['properties']?.['isLocked'], true);
    // Read back: the same annotations, what is kept included (the moved tile's geometry is now the one its shape writes).
    const back = readGeoJson(writeGeoJson({ ...doc, annotations: moved }), options).annotations;
    assert.deepEqual([back[0], back[1], back[2], back[4]], [moved[0], moved[1], moved[2], moved[4]]);
    // The moved tile's measurements were of the shape it had: gone, as QuPath clears them when a ROI is set anew.
    assert.deepEqual(back[3], { ...moved[3], passThrough: { objectType: 'tile' } });
  });

  it("a QuPath-measured annotation keeps its measurements while its shape is the one measured; edited, they are not written (QuPath's setROI clears them)", () => {
    const doc = read();
    const renamed = doc.annotations.map((a, i) => (i === 0 ? { ...a, name: 'renamed', classification: null } : a));
    assert.deepEqual(written(renamed)[0]?.['properties']?.['measurements'], { 'Num Detections': 2, 'Area µm^2': 1234.5 });
    // Saved and read back unedited (the store's round trip), then edited: the same.
    const stored = readGeoJson(writeGeoJson({ ...doc, annotations: renamed }), options);
    const edited = stored.annotations.map((a, i) => (i === 0 ? { ...a, shape: { kind: 'rectangle' as const, x0: 0, y0: 0, x1: 500, y1: 500 } } : a));
    assert.deepEqual(written(stored.annotations)[0]?.['properties']?.['measurements'], { 'Num Detections': 2, 'Area µm^2': 1234.5 });
    const features = written(edited);
    assert.equal(features[0]?.['properties']?.['measurements'], undefined);
    assert.equal(features[0]?.['properties']?.['isLocked'], true, 'what else it held stays');
    assert.equal(readGeoJson(writeGeoJson({ ...stored, annotations: edited }), options).annotations[0]?.passThrough?.properties?.['measurements'], undefined);
  });

  it('an imported file keeps what its annotations hold besides (their measurements), its detections left out', () => {
    const { document, leftOut } = readGeoJsonImport(JSON.stringify(qupathObjects()), options);
    assert.equal(leftOut, 5);
    assert.deepEqual(document.annotations[0]?.passThrough?.properties?.['measurements'], { 'Num Detections': 2, 'Area µm^2': 1234.5 });
  });

  it('reads and writes back measurements QuPath writes as bare NaN and Infinity (GsonTools: serializeSpecialFloatingPointValues)', () => {
    // A cell without a nucleus measurement: QuPath's JsonWriter, lenient, writes the double as is.
    const text = collection([squareFeature({ objectType: 'detection', measurements: { a: 0, b: 1, c: 2, s: 'NaN' } })])
      .replace('"a":0', '"a":NaN')
      .replace('"b":1', '"b":Infinity')
      .replace('"c":2', '"c":-Infinity');
    const doc = readGeoJson(text, options);
    assert.deepEqual(doc.annotations[0]?.passThrough?.properties?.['measurements'], {
      a: Number.NaN,
      b: Number.POSITIVE_INFINITY,
      c: Number.NEGATIVE_INFINITY,
      s: 'NaN',
    });
    const written = writeGeoJson(doc);
    assert.match(written, /"measurements":\{"a":NaN,"b":Infinity,"c":-Infinity,"s":"NaN"\}/);
    assert.deepEqual(readGeoJson(written, options).annotations[0]?.passThrough, doc.annotations[0]?.passThrough);
    // Nowhere else: a coordinate that is not a number is still the feature's fault.
    assert.throws(
      () => readGeoJson(collection([squareFeature({})]).replace('[0,0]', '[NaN,0]'), options),
      /Feature 1: the Polygon's outer ring, position 1, is not a position/,
    );
  });

  it("the schema takes JSON only, within a feature's size: a function is CORRUPT_DATA, past the size TOO_LARGE", () => {
    const doc = read();
    const withKept = (passThrough: unknown) => ({ ...doc, annotations: [{ ...doc.annotations[0]!, passThrough }] });
    const problem = (passThrough: unknown) => {
      const checked = checkDocument(withKept(passThrough));
      return checked.ok ? null : { code: checked.problem.code, field: checked.problem.field };
    };
    assert.equal(problem({ properties: { measurements: { a: Number.NaN } } }), null); // QuPath writes NaN
    assert.deepEqual(problem({ members: { f: () => 1 } }), { code: 'CORRUPT_DATA', field: 'passThrough.members' });
    assert.deepEqual(problem({ objectType: 'no spaces' }), { code: 'CORRUPT_DATA', field: 'passThrough.objectType' });
    assert.deepEqual(problem({ other: {} }), { code: 'CORRUPT_DATA', field: 'passThrough.other' });
    assert.deepEqual(problem({ properties: { big: 'x'.repeat(LIMITS.maxAnnotationFeatureChars) } }), { code: 'TOO_LARGE', field: 'passThrough' });
  });
});

describe('a feature no annotation can hold as it is: the rest of the file is read', () => {
  const line = (x: number) => [
    [x, 0],
    [x + 5, 5],
  ];
  const features = [
    squareFeature({ objectType: 'annotation', name: 'before' }),
    {
      type: 'Feature',
      id: 'b1a2c3d4-0000-4000-8000-000000000001',
      geometry: { type: 'MultiLineString', coordinates: [line(0), line(10), line(20)] },
      properties: { objectType: 'annotation', name: 'cut', classification: { name: 'Tumor', color: [200, 0, 0] }, measurements: { Length: 21.2 } },
    },
    { type: 'Feature', geometry: null, properties: { objectType: 'annotation', name: 'null' } },
    { type: 'Feature', geometry: { type: 'Polygon', coordinates: [] }, properties: { objectType: 'annotation', name: "QuPath's empty ROI" } },
    { type: 'Feature', geometry: { type: 'GeometryCollection', geometries: [{ type: 'MultiPoint', coordinates: [] }] }, properties: {} },
    squareFeature({ objectType: 'annotation', name: 'after' }),
  ];

  it('an import: a line annotation for each line of a MultiLineString, with its name and class; empty geometries skipped and counted', () => {
    const { document, leftOut, skipped } = readGeoJsonImport(collection(features), options);
    assert.equal(skipped, 3);
    assert.equal(leftOut, 0);
    assert.deepEqual(
      document.annotations.map((a) => [a.name, a.classification, a.shape]),
      [
        ['before', null, { kind: 'rectangle', x0: 0, y0: 0, x1: 8, y1: 8 }],
        ['cut', 'Tumor', { kind: 'line', points: [0, 0, 5, 5] }],
        ['cut', 'Tumor', { kind: 'line', points: [10, 0, 15, 5] }],
        ['cut', 'Tumor', { kind: 'line', points: [20, 0, 25, 5] }],
        ['after', null, { kind: 'rectangle', x0: 0, y0: 0, x1: 8, y1: 8 }],
      ],
    );
    // The first line is the feature (its id, what else it held); the others new ids, written once.
    const [, first, second] = document.annotations;
    assert.equal(first?.id, 'b1a2c3d4-0000-4000-8000-000000000001');
    // With the line it is written as: the measurements go once it is edited.
    assert.deepEqual(first?.passThrough, { properties: { measurements: { Length: 21.2 } }, geometry: { type: 'LineString', coordinates: line(0) } });
    assert.notEqual(second?.id, first?.id);
    assert.equal(second?.passThrough, undefined);
    assert.equal(document.unshown, undefined, 'an import takes no feature it cannot show');
  });

  it("a slide's own file: the features with no geometry are kept as they are and written back after the annotations", () => {
    const doc = readGeoJson(collection(features), options);
    assert.equal(doc.annotations.length, 5);
    assert.deepEqual(doc.unshown, features.slice(2, 5));
    const again = JSON.parse(writeGeoJson(doc)).features;
    assert.deepEqual(again.slice(-3), features.slice(2, 5));
    assert.deepEqual(readGeoJson(writeGeoJson(doc), options), doc);
  });

  it("each line of a MultiLineString keeps the geometry's plane (a z-slice of QuPath's), once saved and again", () => {
    const plane = { c: -1, z: 2, t: 0 };
    const cut = { ...features[1]!, geometry: { type: 'MultiLineString', coordinates: [line(0), line(10)], plane } };
    const written = writeGeoJson(readGeoJson(collection([cut]), options));
    const geometries = (text: string) => JSON.parse(text).features.map((f: { geometry: object }) => f.geometry);
    assert.deepEqual(geometries(written), [
      { type: 'LineString', coordinates: line(0), plane },
      { type: 'LineString', coordinates: line(10), plane },
    ]);
    assert.equal(writeGeoJson(readGeoJson(written, options)), written);
  });

  it('still refuses a file that is no GeoJSON, and a geometry that is broken, not empty', () => {
    assert.throws(() => readGeoJsonImport('{"type":"Topology","objects":{}}', options), /^AnnotationFileError: Not GeoJSON annotations/);
    const broken = { type: 'Feature', geometry: { type: 'MultiLineString', coordinates: [line(0), [[1, 1]]] }, properties: {} };
    assert.throws(
      () => readGeoJsonImport(collection([broken]), options),
      /^AnnotationFileError: Feature 1: the MultiLineString's line 2 has 1 position, fewer than 2\.$/,
    );
  });
});
