// QuPath's detections read into a DetectionSet's flat arrays: what each array holds for the objects
// QuPath 0.2-0.6 writes, and the refusals, each naming the feature.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qupathObjects, squareFeature } from '../testing/annotation-samples';
import { AnnotationFileError } from './annotations';
import { readGeoJsonDetections } from './detection-geojson';
import { DETECTION_KINDS, type DetectionSet, detectionMeasurements } from './detections';
import { LIMITS } from './limits';

const PATH = '/data/cells.geojson';
const SQUARE = (squareFeature({}) as { geometry: object }).geometry;
const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features });

/** Detection i's rings (outline or nucleus) as lists of [x, y]. */
function ringsOf(set: DetectionSet, table: Uint32Array, i: number): number[][][] {
  const [first, count] = [table[2 * i]!, table[2 * i + 1]!];
  return Array.from({ length: count }, (_, r) => {
    const [start, n] = [set.rings[2 * (first + r)]!, set.rings[2 * (first + r) + 1]!];
    return Array.from({ length: n }, (_, k) => [set.xy[2 * (start + k)]!, set.xy[2 * (start + k) + 1]!]);
  });
}

function refusal(text: string): { code: string; message: string } {
  try {
    readGeoJsonDetections(text, PATH);
  } catch (error) {
    assert.ok(error instanceof AnnotationFileError, String(error));
    assert.equal(error.path, PATH);
    return { code: error.code, message: error.message };
  }
  assert.fail('read without complaint');
}

describe("QuPath's detections as a layer", () => {
  it("reads another program's untyped features as detections (TIAToolbox's nuclei: a class `type`, a `prob`), QuPath's annotations still left out", () => {
    const nucleus = (type: number | string, prob: number) => ({ ...squareFeature({}), properties: { type, prob } });
    const text = collection([
      nucleus(1, 0.93),
      nucleus('inflammatory', 0.5),
      nucleus(1, 0.75),
      squareFeature({ objectType: 'annotation', name: 'Tumour region' }),
    ]);
    const set = readGeoJsonDetections(text, PATH);
    assert.equal(set.count, 3);
    assert.deepEqual(set.kinds, { cell: 0, detection: 3, tile: 0 });
    assert.equal(set.leftOut, 1, 'the annotation');
    assert.deepEqual(
      set.classes.map((c) => [c.name, c.count]),
      [
        ['1', 2],
        ['inflammatory', 1],
      ],
    );
    assert.deepEqual(detectionMeasurements(set, 1), [['prob', 0.5]]);
  });

  it('reads what QuPath 0.5 exports: the detection, the cell with its nucleus, the tile; annotations and the TMA core left out', () => {
    const set = readGeoJsonDetections(JSON.stringify(qupathObjects()), PATH);
    assert.equal(set.count, 4);
    assert.deepEqual(set.kinds, { cell: 1, detection: 2, tile: 1 });
    assert.equal(set.leftOut, 4, 'the annotation, the TMA core, the point and the ellipse');
    assert.deepEqual(
      set.classes.map((c) => [c.name, c.color, c.count]),
      [
        ['Tumor: Positive', [200, 50, 50], 1],
        ['Tumor', [200, 0, 0], 1],
        [null, [255, 0, 0], 2],
      ],
    );
    assert.deepEqual([...set.classOf], [0, 1, 2, 2]);
    assert.deepEqual(
      [...set.kindOf].map((k) => DETECTION_KINDS[k]),
      ['detection', 'cell', 'tile', 'detection'],
    );
    // The cell: its outline (the closing position not repeated), its nucleus, its box.
    assert.deepEqual(ringsOf(set, set.outlines, 1), [
      [
        [40, 0],
        [50.5, 0],
        [50.5, 7.25],
      ],
    ]);
    assert.deepEqual(ringsOf(set, set.nuclei, 1), [
      [
        [41, 1],
        [51.5, 1],
        [51.5, 8.25],
      ],
    ]);
    assert.deepEqual(ringsOf(set, set.nuclei, 0), [], 'a detection has no nucleus');
    assert.deepEqual([...set.boxes.subarray(4, 8)], [40, 0, 50.5, 7.25]);
    assert.deepEqual([...set.boxes.subarray(8, 12)], [0, 100, 50, 150], 'the tile');
    // Each detection's measurements, those it has, under their names.
    assert.deepEqual(detectionMeasurements(set, 0), [
      ['DAB: Mean', Math.fround(0.31)],
      ['Score', 1],
    ]);
    assert.deepEqual(detectionMeasurements(set, 1), [
      ['Nucleus: Area', 12.25],
      ['Cell: Area', 40],
    ]);
    assert.deepEqual(detectionMeasurements(set, 2), [['Tissue %', 88.5]]);
    assert.deepEqual(detectionMeasurements(set, 3), []);
  });

  it("reads QuPath 0.2's form: the object's type in the feature's id, measurements as a list of {name, value}, NaN as none", () => {
    const text = collection([
      { type: 'Feature', id: 'PathCellObject', geometry: SQUARE, properties: { measurements: [{ name: 'Area', value: 64 }] } },
      {
        type: 'Feature',
        id: 'PathDetectionObject',
        geometry: SQUARE,
        properties: { classification: { name: 'Other', colorRGB: -16711936 }, measurements: [{ name: 'Mean', value: 0.5 }] },
      },
    ]).replace('0.5', 'NaN');
    const set = readGeoJsonDetections(text, PATH);
    assert.deepEqual(set.kinds, { cell: 1, detection: 1, tile: 0 });
    assert.deepEqual(set.classes[1], { name: 'Other', color: [0, 255, 0], count: 1 });
    assert.deepEqual(set.measurementNames, ['Area', 'Mean']);
    assert.deepEqual(detectionMeasurements(set, 0), [['Area', 64]]);
    assert.deepEqual(detectionMeasurements(set, 1), [], "NaN is QuPath's none");
  });

  it('a measurement first named by a later detection is none for the earlier ones; the columns are as long as the detections', () => {
    const features = Array.from({ length: 3000 }, (_, i) => squareFeature({ objectType: 'detection', measurements: i === 2500 ? { Late: 7 } : { Early: i } }));
    const set = readGeoJsonDetections(collection(features), PATH);
    assert.equal(set.measurements.length, 2 * 3000);
    assert.deepEqual(detectionMeasurements(set, 2499), [['Early', 2499]]);
    assert.deepEqual(detectionMeasurements(set, 2500), [['Late', 7]]);
    assert.deepEqual(detectionMeasurements(set, 2999), [['Early', 2999]]);
  });

  it('a MultiPolygon is an outline of several rings (holes not drawn), its box over all; a point is a ring of one', () => {
    const set = readGeoJsonDetections(
      collection([
        {
          type: 'Feature',
          geometry: {
            type: 'MultiPolygon',
            coordinates: [
              [
                [
                  [0, 0],
                  [4, 0],
                  [4, 4],
                  [0, 0],
                ],
                [
                  [1, 1],
                  [2, 1],
                  [2, 2],
                  [1, 1],
                ],
              ],
              [
                [
                  [10, 10],
                  [14, 10],
                  [14, 20],
                  [10, 10],
                ],
              ],
            ],
          },
          properties: { objectType: 'detection' },
        },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [7, 8] }, properties: { objectType: 'detection' } },
      ]),
      PATH,
    );
    assert.equal(ringsOf(set, set.outlines, 0).length, 2);
    assert.deepEqual([...set.boxes.subarray(0, 4)], [0, 0, 14, 20]);
    assert.deepEqual(ringsOf(set, set.outlines, 1), [[[7, 8]]]);
  });

  it('refuses, naming the feature: a line, a position that is not one, a file that is not JSON', () => {
    const line = collection([
      squareFeature({ objectType: 'cell' }),
      {
        type: 'Feature',
        geometry: {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
        properties: { objectType: 'detection' },
      },
    ]);
    assert.deepEqual(refusal(line), { code: 'CORRUPT_DATA', message: 'Feature 2: its geometry is a LineString, not an area or a point.' });
    const bad = collection([
      {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 'x'],
              [1, 1],
              [0, 0],
            ],
          ],
        },
        properties: { objectType: 'cell' },
      },
    ]);
    assert.equal(refusal(bad).message, 'Feature 1: its geometry, ring 1, position 2, is not a position [x, y].');
    assert.match(refusal('{"type":"FeatureCollection","features":[').message, /^Not valid JSON at line 1/);
  });

  it('refuses a file whose measurement names each come once, late, over many detections (TOO_LARGE): a column of every detection for each would be gigabytes', () => {
    const count = Math.ceil(LIMITS.maxDetectionMeasurementValues / LIMITS.maxDetectionMeasurements) + 1;
    const point = '{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"objectType":"detection"}}';
    const named = (i: number) =>
      `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"objectType":"detection","measurements":{"m${i}":1}}}`;
    const text = `[${point.repeat(count - LIMITS.maxDetectionMeasurements).replaceAll('}}{', '}},{')},${Array.from({ length: LIMITS.maxDetectionMeasurements }, (_, i) => named(i)).join(',')}]`;
    assert.deepEqual(refusal(text), {
      code: 'TOO_LARGE',
      message: `The file holds more than the ${LIMITS.maxDetectionMeasurementValues} measurement values detections may have.`,
    });
  });

  it('refuses a file of more features than any holds (TOO_LARGE), before one is read: not a range held for each of 100 million', () => {
    const text = `[${'{},'.repeat(LIMITS.maxFileFeatures)}{}]`;
    assert.deepEqual(refusal(text), { code: 'TOO_LARGE', message: `The file holds more than the ${LIMITS.maxFileFeatures} features a GeoJSON file may have.` });
  });

  it("refuses a class name longer than an annotation's, naming the feature (an export names the classes it draws)", () => {
    const named = (name: string) => collection([squareFeature({ objectType: 'cell' }), squareFeature({ objectType: 'cell', classification: { name } })]);
    assert.equal(readGeoJsonDetections(named('x'.repeat(LIMITS.annotationNameLength)), PATH).classes[1]!.name!.length, LIMITS.annotationNameLength);
    assert.deepEqual(refusal(named('x'.repeat(LIMITS.annotationNameLength + 1))), {
      code: 'CORRUPT_DATA',
      message: `Feature 2: its class name is longer than ${LIMITS.annotationNameLength} characters.`,
    });
  });

  it('refuses a file naming more measurements than a detection layer holds (TOO_LARGE), not a column for every key', () => {
    const measurements = Object.fromEntries(Array.from({ length: LIMITS.maxDetectionMeasurements + 1 }, (_, i) => [`m${i}`, i]));
    assert.equal(refusal(collection([squareFeature({ objectType: 'detection', measurements })])).code, 'TOO_LARGE');
  });
});
