// The measurement table, read back by Python's csv module (as a script would read it), not by the
// code that wrote it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { AnnotationDocument, Shape } from '../../shared/annotations';
import { DETECTIONS_A_SLICE } from '../../shared/detection-counts';
import { readGeoJsonDetections } from '../../shared/detection-geojson';
import type { DetectionSet } from '../../shared/detections';
import { boxPolygon } from '../../testing/annotation-samples';
import { longestStall } from '../../testing/event-loop-stall';
import { writeAnnotationFile, writeDetectionTableFile, writeTableFile } from './annotation-files';
import { formatDecimals, measurementTable, tableSeparator, writeDetectionTable } from './measurement-table';

const DOC: AnnotationDocument = {
  classes: [{ name: 'Tumor', color: [200, 0, 0] }],
  annotations: [
    {
      id: 'r',
      name: '종양 1',
      description: 'says "high grade", see\nnext line',
      classification: 'Tumor',
      shape: { kind: 'rectangle', x0: 10, y0: 20, x1: 110, y1: 70 },
    },
    { id: 'l', name: '=HYPERLINK("http://x")', description: '', classification: null, shape: { kind: 'line', points: [0, 0, 30, 40] } },
    { id: 'p', name: 'a, b', description: '', classification: null, shape: { kind: 'point', points: [0, 0, 10, 0, 20, 30] } },
    {
      id: 'g',
      name: '',
      description: '',
      classification: 'Tumor',
      shape: {
        kind: 'polygon',
        polygons: [
          [
            [0, 0, 20, 0, 20, 20, 0, 20],
            [10, 10, 20, 10, 20, 20, 10, 20],
          ],
        ],
      },
    },
  ],
};

/** The rows as dictionaries by header, through Python's csv module. */
function readTable(path: string): Array<Record<string, string>> {
  const script = `
import csv, json, sys
path = sys.argv[1]
with open(path, newline='', encoding='utf-8-sig') as f:
    print(json.dumps(list(csv.DictReader(f, delimiter='\\t' if path.endswith('.tsv') else ','))))`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Array<Record<string, string>>;
}

describe('measurement tables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-table-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("one row an annotation in QuPath's columns, µm at the slide's pixel size; CSV with a byte-order mark, TSV without", async () => {
    const csv = join(dir, 'm.csv');
    const tsv = join(dir, 'm.tsv');
    const slide = { name: 'CMU-1.svs', mpp: { x: 0.5, y: 0.25 } };
    await writeAnnotationFile(csv, DOC, 'csv', slide, false);
    await writeAnnotationFile(tsv, DOC, 'csv', slide, false);
    assert.deepEqual([...readFileSync(csv).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(
      readFileSync(tsv, 'utf8').split('\n')[0],
      'Image\tObject ID\tObject type\tName\tClassification\tParent\tROI\tCentroid X µm\tCentroid Y µm\tNum points\tArea µm^2\tPerimeter µm\tLength µm\tDescription',
    );
    const rows = readTable(csv);
    assert.deepEqual(readTable(tsv), rows);
    const [rect, line, points, holed] = rows;
    assert.deepEqual(rect, {
      Image: 'CMU-1.svs',
      'Object ID': 'r',
      'Object type': 'Annotation',
      Name: '종양 1',
      Classification: 'Tumor',
      Parent: 'Image',
      ROI: 'Rectangle',
      'Centroid X µm': '30',
      'Centroid Y µm': '11.25',
      // A number without a value is QuPath's NaN; a text without one, empty.
      'Num points': 'NaN',
      // 100 x 50 px at 0.5 x 0.25 µm: 50 x 12.5 µm.
      'Area µm^2': '625',
      'Perimeter µm': '125',
      'Length µm': 'NaN',
      Description: 'says "high grade", see\nnext line',
    });
    // A name a spreadsheet would run as a formula is written as text.
    assert.equal(line!.Name, `'=HYPERLINK("http://x")`);
    assert.equal(line!.ROI, 'Line');
    // 18.0278 µm: two decimals past 10, as QuPath writes its measurements.
    assert.equal(line!['Length µm'], '18.03');
    assert.deepEqual([line!.Classification, line!['Area µm^2'], line!['Num points']], ['', 'NaN', 'NaN']);
    assert.equal(points!.Name, 'a, b');
    assert.equal(points!['Num points'], '3');
    assert.equal(points!.ROI, 'Points');
    // A square with a hole is QuPath's "Geometry"; its centroid by area, 25/3 px from each edge.
    assert.equal(holed!.ROI, 'Geometry');
    assert.equal(holed!['Centroid X µm'], '4.167');
    assert.equal(holed!['Area µm^2'], String(300 * 0.5 * 0.25));
  });

  test('a slide without a pixel size: the same columns in pixels', async () => {
    const path = join(dir, 'px.csv');
    await writeAnnotationFile(path, DOC, 'csv', { name: 'scan.tif', mpp: null }, false);
    const [rect] = readTable(path);
    assert.equal(rect!['Area px^2'], '5000');
    assert.equal(rect!['Centroid X px'], '60');
  });

  test('several slides in one table: in µm, a slide without a pixel size has its measurements NaN rather than in pixels', async () => {
    const path = join(dir, 'cohort.csv');
    await writeTableFile(
      path,
      [
        { slide: { name: 'a/one.svs', mpp: { x: 0.5, y: 0.5 } }, doc: DOC },
        { slide: { name: 'b/two.tif', mpp: null }, doc: { classes: [], annotations: [DOC.annotations[0]!] } },
      ],
      false,
    );
    const rows = readTable(path);
    assert.deepEqual(
      rows.map((r) => r.Image),
      ['a/one.svs', 'a/one.svs', 'a/one.svs', 'a/one.svs', 'b/two.tif'],
    );
    assert.equal(rows[0]!['Area µm^2'], '1250');
    assert.deepEqual([rows[4]!['Area µm^2'], rows[4]!['Centroid X µm'], rows[4]!.ROI], ['NaN', 'NaN', 'Rectangle']);
  });

  test('the separator by the extension: tab for .tsv and .txt, comma for the rest', () => {
    assert.deepEqual(['a.tsv', 'a.TXT', 'a.csv', 'a'].map(tableSeparator), ['\t', '\t', ',', ',']);
  });

  test('a table of 100,000 detections by 40 measurements is written within a 64 MB heap: a block of rows at a time, not 4.6 million strings at once', () => {
    const tables = new URL('./annotation-files.ts', import.meta.url).href;
    const path = join(dir, 'many.csv');
    const script = `
      const { writeDetectionTableFile } = await import(${JSON.stringify(tables)});
      const count = 100_000;
      const names = Array.from({ length: 40 }, (_, m) => 'Cell: measurement ' + m);
      const set = {
        path: '/cells.geojson', count, kinds: { cell: count, detection: 0, tile: 0 }, classes: [{ name: 'Tumor', color: [200, 0, 0], count }],
        classOf: new Uint16Array(count), kindOf: new Uint8Array(count), outlines: new Uint32Array(2 * count).map((_, k) => (k % 2 ? 1 : k / 2)),
        nuclei: new Uint32Array(2 * count), holes: new Uint32Array(2 * count), rings: new Uint32Array(2 * count).map((_, k) => (k % 2 ? 1 : k / 2)),
        xy: new Float32Array(2 * count).map((_, k) => 1000 + k), boxes: new Float32Array(4 * count), measurementNames: names,
        measurements: new Float32Array(40 * count).map((_, k) => (k % 997) / 7), ids: new Uint8Array(16 * count), leftOut: 0,
      };
      await writeDetectionTableFile(${JSON.stringify(path)}, { name: 's.svs', mpp: null }, set, [], false);`;
    const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr.slice(-300));
    const lines = readFileSync(path, 'utf8').split('\r\n');
    assert.equal(lines.length, 100_002, 'the header, a row each and the last line break');
    assert.equal(
      lines[100_000],
      `s.svs,,Cell,Tumor,Image,Points,${1000 + 199_998},${1000 + 199_999},${Array.from({ length: 40 }, (_, m) => String(Number((((m * 100_000 + 99_999) % 997) / 7).toFixed(4)))).join(',')}`,
    );
  });

  test("the calling thread's event loop runs on while a large table is written (an engine lane silent for 15 s is restarted)", async () => {
    const count = 60_000;
    const features = Array.from({ length: count }, (_, i) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [i, i] },
      properties: { objectType: 'detection', measurements: Object.fromEntries(Array.from({ length: 20 }, (_, m) => [`m${m}`, i / (m + 1)])) },
    }));
    const set = readGeoJsonDetections(JSON.stringify(features), '/points.geojson');
    const { longestMs: longest, tookMs: took } = await longestStall(() =>
      writeDetectionTableFile(join(dir, 'points.csv'), { name: 's.svs', mpp: null }, set, [], false),
    );
    assert.ok(longest < took / 3, `the loop stood still ${Math.round(longest)} ms of the write's ${Math.round(took)} ms`);
  });

  test('placing and counting 400,000 cells under 200 annotations yields between slices of them (a lane answers its watchdog there): no pass over all the cells at once', async () => {
    const count = 400_000;
    // Points on a 100,000 px slide (a point's centroid is itself), under 4 tissue outlines and 196 regions.
    const xy = new Float32Array(2 * count).map((_, k) => ((k * 7919) % 99_991) + (k % 2 ? 0.5 : 0.25));
    const set: DetectionSet = {
      path: '/cells.geojson',
      count,
      kinds: { cell: 0, detection: count, tile: 0 },
      classes: [{ name: 'Positive', color: [200, 0, 0], count }],
      classOf: new Uint16Array(count),
      kindOf: new Uint8Array(count).fill(1),
      outlines: new Uint32Array(2 * count).map((_, k) => (k % 2 ? 1 : k / 2)),
      nuclei: new Uint32Array(2 * count),
      holes: new Uint32Array(2 * count),
      rings: new Uint32Array(2 * count).map((_, k) => (k % 2 ? 1 : k / 2)),
      xy,
      boxes: new Float32Array(4 * count).map((_, k) => xy[2 * (k >> 2) + (k % 2)]!),
      measurementNames: [],
      measurements: new Float32Array(0),
      ids: new Uint8Array(16 * count),
      leftOut: 0,
    };
    const region = (id: string, x: number, y: number, w: number) => ({
      id,
      name: id,
      description: '',
      classification: null,
      shape: { kind: 'ellipse' as const, x0: x, y0: y, x1: x + w, y1: y + w },
    });
    const annotations = Array.from({ length: 200 }, (_, k) =>
      k < 4 ? region(`tissue ${k}`, k * 100, k * 100, 99_000) : region(`region ${k}`, (k * 4_999) % 90_000, (k * 7_177) % 90_000, 5_000),
    );
    // The detections' table turns between each 32,768 centroids and placements, and each 4,096 rows.
    let turns = 0;
    await writeDetectionTable({ name: 's.svs', mpp: null }, set, annotations, ',', async () => {
      turns++;
    });
    assert.ok(turns >= 2 * Math.floor(count / DETECTIONS_A_SLICE) + Math.floor(count / 4096), `${turns} turns`);
    // The annotations' table counts them in the same slices: it yields between each 32,768 centroids and placements.
    const table = measurementTable([{ slide: { name: 's.svs', mpp: null }, doc: { classes: [], annotations }, detections: set }], ',');
    let yields = 0;
    while (!table.next().done) yields++;
    assert.ok(yields >= 2 * Math.floor(count / DETECTIONS_A_SLICE), `${yields} yields`);
  });

  test("a detection with holes (a pixel classifier's region): its centroid is its area's, the holes taken out, as QuPath's (JTS's)", async () => {
    const ring = (x0: number, y0: number, x1: number, y1: number) => [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ];
    const set = readGeoJsonDetections(
      JSON.stringify([
        // A 20 px square less its 10 px corner: (400 x (10, 10) - 100 x (15, 15)) / 300.
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring(0, 0, 20, 20), ring(10, 10, 20, 20)] }, properties: { objectType: 'detection' } },
        // A 10 px square less its 5 px corner (75 px^2 at 35/6), and a 10 px square (100 at (25, 5)).
        {
          type: 'Feature',
          geometry: { type: 'MultiPolygon', coordinates: [[ring(0, 0, 10, 10), ring(0, 0, 5, 5).reverse()], [ring(20, 0, 30, 10)]] },
          properties: { objectType: 'detection' },
        },
      ]),
      '/regions.geojson',
    );
    const path = join(dir, 'regions.csv');
    await writeDetectionTableFile(path, { name: 's.svs', mpp: null }, set, [], false);
    assert.deepEqual(
      readTable(path).map((row) => [row['ROI'], row['Centroid X px'], row['Centroid Y px']]),
      [
        ['Geometry', '8.333', '8.333'],
        ['Geometry', '16.79', '5.357'],
      ],
    );
  });

  test("QuPath's detections, a row each: type, class, ROI, centroid in µm, each measurement the file names (NaN where one has none)", async () => {
    const set = readGeoJsonDetections(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Polygon', coordinates: boxPolygon(100_000, 50_000, 10) },
            properties: { objectType: 'cell', classification: { name: 'Tumor: Positive', color: [200, 0, 0] }, measurements: { 'Nucleus: Area µm^2': 12.5 } },
          },
          {
            type: 'Feature',
            // An L of two squares: its area centroid, not its vertices' mean.
            geometry: { type: 'MultiPolygon', coordinates: [boxPolygon(0, 0, 20), boxPolygon(20, 0, 10)] },
            properties: { objectType: 'detection', measurements: { 'DAB: Mean': 0.25 } },
          },
          { type: 'Feature', geometry: { type: 'Point', coordinates: [8, 4] }, properties: { objectType: 'detection', classification: { name: '=cmd' } } },
        ],
      }),
      '/cells.geojson',
    );
    const path = join(dir, 'cells.csv');
    await writeDetectionTableFile(path, { name: '종양.svs', mpp: { x: 0.5, y: 0.25 } }, set, [], false);
    assert.deepEqual(readTable(path), [
      {
        Image: '종양.svs',
        'Object ID': '',
        'Object type': 'Cell',
        Classification: 'Tumor: Positive',
        Parent: 'Image',
        ROI: 'Polygon',
        'Centroid X µm': '50002.5',
        // 12501.25 µm to one decimal past 1000, the tie to even as Java's NumberFormat rounds it.
        'Centroid Y µm': '12501.2',
        'Nucleus: Area µm^2': '12.5',
        'DAB: Mean': 'NaN',
      },
      {
        Image: '종양.svs',
        'Object ID': '',
        'Object type': 'Detection',
        Classification: '',
        Parent: 'Image',
        ROI: 'Geometry',
        // (400 x (10, 10) + 100 x (25, 5)) / 500 = (13, 9) px.
        'Centroid X µm': '6.5',
        'Centroid Y µm': '2.25',
        'Nucleus: Area µm^2': 'NaN',
        'DAB: Mean': '0.25',
      },
      {
        Image: '종양.svs',
        'Object ID': '',
        'Object type': 'Detection',
        Classification: "'=cmd",
        Parent: 'Image',
        ROI: 'Points',
        'Centroid X µm': '4',
        'Centroid Y µm': '1',
        'Nucleus: Area µm^2': 'NaN',
        'DAB: Mean': 'NaN',
      },
    ]);
  });

  /** QuPath's detections as points, each [x, y, class, id]. */
  const pointDetections = (points: Array<[number, number, string | null, string | undefined]>) =>
    readGeoJsonDetections(
      JSON.stringify(
        points.map(([x, y, name, id]) => ({
          type: 'Feature',
          ...(id === undefined ? {} : { id }),
          geometry: { type: 'Point', coordinates: [x, y] },
          properties: { objectType: 'detection', ...(name === null ? {} : { classification: { name } }) },
        })),
      ),
      '/cells.geojson',
    );
  const NESTED: AnnotationDocument = {
    classes: [{ name: 'Tumor', color: [200, 0, 0] }],
    annotations: [
      { id: 'outer', name: 'Tissue', description: '', classification: null, shape: { kind: 'rectangle', x0: 0, y0: 0, x1: 100, y1: 100 } },
      { id: 'inner', name: '', description: '', classification: 'Tumor', shape: { kind: 'rectangle', x0: 10, y0: 10, x1: 30, y1: 30 } },
      { id: 'ruler', name: '', description: '', classification: null, shape: { kind: 'line', points: [40, 40, 60, 60] } },
      { id: 'far', name: '', description: '', classification: null, shape: { kind: 'rectangle', x0: 200, y0: 200, x1: 210, y1: 210 } },
    ],
  };
  const UUID = '3f2a6c1e-8b4d-4e5f-9a7b-0c1d2e3f4a5b';
  const nestedDetections = () =>
    pointDetections([
      [20, 20, 'Positive', UUID.toUpperCase()],
      [50, 50, '음성', undefined],
      [25, 15, null, undefined],
      [500, 500, 'Positive', undefined],
      // Before QuPath 0.3 the id named the object's class: no ID.
      [205, 205, '음성', 'PathDetectionObject'],
    ]);

  test("a shape's columns only where an annotation has that kind of ROI, as QuPath lists them", async () => {
    const only = (...kinds: Shape[]): AnnotationDocument => ({
      classes: [],
      annotations: kinds.map((shape, i) => ({ id: `a${i}`, name: '', description: '', classification: null, shape })),
    });
    const line: Shape = { kind: 'line', points: [0, 0, 30, 40] };
    const points: Shape = { kind: 'point', points: [1, 1, 2, 2] };
    const box: Shape = { kind: 'rectangle', x0: 0, y0: 0, x1: 10, y1: 10 };
    const columns = async (doc: AnnotationDocument) => {
      const path = join(dir, 'kinds.tsv');
      await writeAnnotationFile(path, doc, 'csv', { name: 's.svs', mpp: null }, true);
      const [header, ...rows] = readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
      return { header: header!.split('\t').slice(9), cells: rows.map((r) => r.split('\t').slice(9)) };
    };
    assert.deepEqual(await columns(only(line)), { header: ['Length px', 'Description'], cells: [['50', '']] });
    assert.deepEqual(await columns(only(points)), { header: ['Num points', 'Description'], cells: [['2', '']] });
    assert.deepEqual(await columns(only(box, line)), {
      header: ['Area px^2', 'Perimeter px', 'Length px', 'Description'],
      cells: [
        ['100', '40', 'NaN', ''],
        ['NaN', 'NaN', '50', ''],
      ],
    });
    assert.deepEqual(await columns(only()), { header: ['Description'], cells: [] });
  });

  test("annotations with the slide's detections: QuPath's Parent, Num Detections, Num <class> and its Positive density, counted as the editor counts", async () => {
    const path = join(dir, 'counted.csv');
    await writeAnnotationFile(path, NESTED, 'csv', { name: 's.svs', mpp: { x: 0.5, y: 0.5 } }, false, nestedDetections());
    const rows = readTable(path);
    const header = readFileSync(path, 'utf8').slice(1).split('\r\n')[0]!.split(',');
    assert.deepEqual(header.slice(5, 15), [
      'Parent',
      'ROI',
      'Centroid X µm',
      'Centroid Y µm',
      'Num Detections',
      'Num Positive',
      'Num 음성',
      // A Positive class: QuPath's positive percentage of the Positive and Negative (음성 is neither).
      'Positive %',
      'Num Positive per mm^2',
      // No points among the annotations: QuPath lists no Num points column.
      'Area µm^2',
    ]);
    assert.deepEqual(
      rows.map((r) => [r['Object ID'], r.Parent, r['Num Detections'], r['Num Positive'], r['Num 음성'], r['Positive %'], r['Num Positive per mm^2']]),
      [
        // 50 x 50 µm: 0.0025 mm², one Positive in it.
        ['outer', 'Image', '3', '1', '1', '100', '400'],
        // Unnamed: QuPath names a parent by its class.
        ['inner', 'Tissue', '2', '1', '0', '100', '10000'],
        // A line holds none, and has no area to hold them per mm².
        ['ruler', 'Tissue', '0', '0', '0', 'NaN', 'NaN'],
        ['far', 'Image', '1', '0', '1', 'NaN', '0'],
      ],
    );
  });

  test("intensity-classified detections (positive cell detection): QuPath's base counts, Positive %, H-score and Allred scores, by the classes they derive from", async () => {
    const at = (x: number, y: number, name: string | null, n: number) =>
      Array.from({ length: n }, (): [number, number, string | null, undefined] => [x, y, name, undefined]);
    const set = pointDetections([
      // In the first square, in the order they first appear (QuPath's order of the classes they derive from).
      ...at(10, 10, 'Tumor: 1+', 2),
      ...at(20, 10, 'Negative', 3),
      ...at(30, 10, '1+', 1),
      ...at(40, 10, 'Tumor: Negative', 1),
      ...at(50, 10, '2+', 1),
      ...at(60, 10, '3+', 2),
      ...at(70, 10, 'Stroma: 2+', 1),
      ...at(80, 10, 'Positive', 1),
      // In the second: no intensity class but a Stroma one.
      ...at(250, 250, 'Stroma: Negative', 1),
      ...at(260, 250, null, 1),
    ]);
    const doc: AnnotationDocument = {
      classes: [],
      annotations: [
        { id: 'a', name: '', description: '', classification: null, shape: { kind: 'rectangle', x0: 0, y0: 0, x1: 100, y1: 100 } },
        { id: 'b', name: '', description: '', classification: null, shape: { kind: 'rectangle', x0: 200, y0: 200, x1: 300, y1: 300 } },
        { id: 'ruler', name: '', description: '', classification: null, shape: { kind: 'line', points: [0, 0, 90, 90] } },
      ],
    };
    const path = join(dir, 'ihc.tsv');
    await writeAnnotationFile(path, doc, 'csv', { name: 's.svs', mpp: { x: 0.5, y: 0.5 } }, false, set);
    const header = readFileSync(path, 'utf8').split('\n')[0]!.split('\t');
    const scores = (under: string) => ['H-score', 'Allred proportion', 'Allred intensity', 'Allred score'].map((score) => `${under}${score}`);
    assert.deepEqual(header.slice(header.indexOf('Num Detections'), header.indexOf('Area µm^2')), [
      'Num Detections',
      'Num Stroma (base)',
      'Num Tumor (base)',
      'Num 1+',
      'Num 2+',
      'Num 3+',
      'Num Negative',
      'Num Positive',
      'Num Stroma: 2+',
      'Num Stroma: Negative',
      'Num Tumor: 1+',
      'Num Tumor: Negative',
      'Tumor: Positive %',
      'Positive %',
      'Stroma: Positive %',
      // Under all of them: the own names sorted, the base intensity classes' empty.
      ' + Stroma + Tumor: Positive %',
      ...scores('Tumor: '),
      ...scores(''),
      ...scores('Stroma: '),
      ...scores(' + Stroma + Tumor: '),
      'Num Positive per mm^2',
    ]);
    const [a, b, ruler] = readTable(path);
    const pick = (row: Record<string, string> | undefined, names: string[]) => names.map((name) => row![name]);
    assert.deepEqual(pick(a, ['Num Detections', 'Num Stroma (base)', 'Num Tumor (base)', 'Num Negative', 'Num Stroma: Negative']), ['12', '1', '3', '3', '0']);
    assert.deepEqual(
      pick(a, ['Tumor: Positive %', 'Positive %', 'Stroma: Positive %', ' + Stroma + Tumor: Positive %']),
      // 2 of 3; 1+, 2+, 3+ and Positive (5) of those and the 3 Negative; 1 of 1; 8 of 12.
      ['66.67', '62.5', '100', '66.67'],
    );
    // Tumor: (1 x 2) / 3 x 100. 2 of 3 positive is 66.67 / 100 in QuPath's doubles, just under 2/3: a proportion score of 4.
    assert.deepEqual(pick(a, scores('Tumor: ')), ['66.67', '4', '1', '5']);
    // (1 + 2 x 1 + 3 x 2) / (4 graded + 3 Negative) x 100 (a Positive is no grade); the positive mean 9 / 5 = 1.8 (Positive in).
    assert.deepEqual(pick(a, scores('')), ['128.57', '4', '2', '6']);
    assert.deepEqual(pick(a, scores('Stroma: ')), ['200', '5', '2', '7']);
    assert.deepEqual(pick(a, scores(' + Stroma + Tumor: ')), ['118.18', '4', '1', '5']);
    // One Positive in 50 x 50 µm.
    assert.equal(a!['Num Positive per mm^2'], '400');
    // No positive or negative cell: no percentage or H-score (QuPath's 0 / 0), an Allred score of 0.
    assert.deepEqual(pick(b, ['Num Detections', 'Stroma: Positive %', 'Positive %', ...scores('Stroma: '), ...scores('')]), [
      '2',
      '0',
      'NaN',
      '0',
      '0',
      '0',
      '0',
      'NaN',
      '0',
      '0',
      '0',
    ]);
    assert.deepEqual(pick(ruler, ['Num Detections', 'Tumor: Positive %', 'Num Positive per mm^2']), ['0', 'NaN', 'NaN']);
    // With a slide whose detections are not loaded: its rows have none of these numbers.
    const cohort = join(dir, 'ihc-cohort.tsv');
    await writeTableFile(
      cohort,
      [
        { slide: { name: 's.svs', mpp: { x: 0.5, y: 0.5 } }, doc, detections: set },
        { slide: { name: 't.svs', mpp: { x: 0.5, y: 0.5 } }, doc: { classes: [], annotations: [doc.annotations[0]!] } },
      ],
      false,
    );
    const other = readTable(cohort)[3];
    assert.deepEqual(pick(other, ['Image', 'Num Detections', 'Num Tumor (base)', 'H-score', 'Allred score']), ['t.svs', 'NaN', 'NaN', 'NaN', 'NaN']);
  });

  test("detections under the smallest annotation holding their centroid (QuPath's Parent), with the object ID QuPath 0.4 gave them", async () => {
    const path = join(dir, 'parents.tsv');
    await writeDetectionTableFile(path, { name: 's.svs', mpp: null }, nestedDetections(), NESTED.annotations, false);
    assert.deepEqual(
      readTable(path).map((r) => [r['Object ID'], r.Classification, r.Parent]),
      [
        [UUID, 'Positive', 'Tumor'],
        ['', '음성', 'Tissue'],
        ['', '', 'Tumor'],
        ['', 'Positive', 'Image'],
        ['', '음성', 'PathAnnotationObject'],
      ],
    );
  });

  test("text a spreadsheet would run as a formula starts with ', a plain number never does, and a negative number stays as it is", async () => {
    const names = ['-1.5', '+2', '-3e-2', '-1 region', "-2+3+cmd|' /C calc'!A0", '@SUM(A1)', '+', '\tx', 'a-1'];
    const doc: AnnotationDocument = {
      classes: [],
      annotations: names.map((name, i) => ({
        id: `n${i}`,
        name,
        description: '',
        classification: null,
        // Left of and above the origin: negative centroids, numbers not text.
        shape: { kind: 'rectangle', x0: -20, y0: -10, x1: -10 + i, y1: -5 },
      })),
    };
    const path = join(dir, 'formulas.csv');
    await writeAnnotationFile(path, doc, 'csv', { name: 's.svs', mpp: null }, false);
    const rows = readTable(path);
    assert.deepEqual(
      rows.map((r) => r.Name),
      ['-1.5', '+2', '-3e-2', "'-1 region", "'-2+3+cmd|' /C calc'!A0", "'@SUM(A1)", "'+", "'\tx", 'a-1'],
    );
    assert.deepEqual([rows[0]!['Centroid X px'], rows[0]!['Centroid Y px']], ['-15', '-7.5']);
    // A detection's negative measurement, and a class that is a number.
    const set = readGeoJsonDetections(
      JSON.stringify([
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [-8, 4] },
          properties: { objectType: 'detection', classification: { name: '-1' }, measurements: { 'DAB: Min': -1.5, '=B1': 2 } },
        },
      ]),
      '/cells.geojson',
    );
    const cells = join(dir, 'negative.tsv');
    await writeDetectionTableFile(cells, { name: 's.svs', mpp: null }, set, [], false);
    assert.deepEqual(readTable(cells), [
      {
        Image: 's.svs',
        'Object ID': '',
        'Object type': 'Detection',
        Classification: '-1',
        Parent: 'Image',
        ROI: 'Points',
        'Centroid X px': '-8',
        'Centroid Y px': '4',
        'DAB: Min': '-1.5',
        "'=B1": '2',
      },
    ]);
  });

  test("numbers as QuPath's NumberFormat writes them: at most so many decimals, no trailing zeros, an exact tie to even", () => {
    assert.deepEqual(
      [
        formatDecimals(0.125, 2),
        formatDecimals(0.375, 2),
        formatDecimals(-0.125, 2),
        formatDecimals(12501.25, 1),
        formatDecimals(12501.35, 1),
        formatDecimals(1.005, 2),
        formatDecimals(2.5, 4),
        formatDecimals(1 / 3, 4),
      ],
      ['0.12', '0.38', '-0.12', '12501.2', '12501.4', '1', '2.5', '0.3333'],
    );
  });

  test('a CSV for Excel and base R: a UTF-8 byte-order mark, then the header unquoted, Hangul as UTF-8, CRLF lines', async () => {
    const path = join(dir, 'korean.csv');
    const doc: AnnotationDocument = {
      classes: [{ name: '종양', color: [200, 0, 0] }],
      annotations: [{ id: 'k', name: '', description: '', classification: '종양', shape: { kind: 'rectangle', x0: 0, y0: 0, x1: 10, y1: 10 } }],
    };
    await writeAnnotationFile(path, doc, 'csv', { name: 's.svs', mpp: null }, false);
    const bytes = readFileSync(path);
    // The mark, then "Image," (R's scan drops the mark in a UTF-8 locale, and read.csv(fileEncoding = "UTF-8-BOM") in any).
    assert.deepEqual([...bytes.subarray(0, 9)], [0xef, 0xbb, 0xbf, ...Buffer.from('Image,')]);
    assert.equal(bytes.indexOf(Buffer.from('\r\n')), bytes.indexOf(Buffer.from('\n')) - 1);
    assert.ok(bytes.includes(Buffer.from(',종양,', 'utf8')), 'the class in UTF-8');
    assert.equal(bytes.indexOf(Buffer.from([0xef, 0xbb, 0xbf]), 3), -1, 'one mark only');
    assert.equal(readTable(path)[0]!.Classification, '종양');
  });
});
