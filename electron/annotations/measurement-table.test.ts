// The measurement table, read back by Python's csv module (as a script would read it), not by the
// code that wrote it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { AnnotationDocument } from '../../shared/annotations';
import { readGeoJsonDetections } from '../../shared/detection-geojson';
import { boxPolygon } from '../../testing/annotation-samples';
import { writeAnnotationFile, writeDetectionTableFile, writeTableFile } from './annotation-files';
import { tableSeparator } from './measurement-table';

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
      'Image\tObject ID\tObject type\tName\tClassification\tROI\tCentroid X µm\tCentroid Y µm\tLength µm\tArea µm^2\tPerimeter µm\tNum points\tDescription',
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
      ROI: 'Rectangle',
      'Centroid X µm': '30',
      'Centroid Y µm': '11.25',
      'Length µm': '',
      // 100 x 50 px at 0.5 x 0.25 µm: 50 x 12.5 µm.
      'Area µm^2': '625',
      'Perimeter µm': '125',
      'Num points': '',
      Description: 'says "high grade", see\nnext line',
    });
    // A name a spreadsheet would run as a formula is written as text.
    assert.equal(line!.Name, `'=HYPERLINK("http://x")`);
    assert.equal(line!.ROI, 'Line');
    assert.equal(line!['Length µm'], String(Number(Math.hypot(15, 10).toFixed(4))));
    assert.equal(points!.Name, 'a, b');
    assert.equal(points!['Num points'], '3');
    assert.equal(points!.ROI, 'Points');
    // A square with a hole is QuPath's "Geometry"; its centroid by area, 25/3 px from each edge.
    assert.equal(holed!.ROI, 'Geometry');
    assert.equal(holed!['Centroid X µm'], String(Number(((2500 / 300) * 0.5).toFixed(4))));
    assert.equal(holed!['Area µm^2'], String(300 * 0.5 * 0.25));
  });

  test('a slide without a pixel size: the same columns in pixels', async () => {
    const path = join(dir, 'px.csv');
    await writeAnnotationFile(path, DOC, 'csv', { name: 'scan.tif', mpp: null }, false);
    const [rect] = readTable(path);
    assert.equal(rect!['Area px^2'], '5000');
    assert.equal(rect!['Centroid X px'], '60');
  });

  test('several slides in one table: in µm, a slide without a pixel size has its measurements empty rather than in pixels', async () => {
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
    assert.deepEqual([rows[4]!['Area µm^2'], rows[4]!['Centroid X µm'], rows[4]!.ROI], ['', '', 'Rectangle']);
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
        measurements: new Float32Array(40 * count).map((_, k) => (k % 997) / 7), leftOut: 0,
      };
      await writeDetectionTableFile(${JSON.stringify(path)}, { name: 's.svs', mpp: null }, set, false);`;
    const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr.slice(-300));
    const lines = readFileSync(path, 'utf8').split('\r\n');
    assert.equal(lines.length, 100_002, 'the header, a row each and the last line break');
    assert.equal(
      lines[100_000],
      `s.svs,Cell,Tumor,Points,${1000 + 199_998},${1000 + 199_999},${Array.from({ length: 40 }, (_, m) => String(Number((((m * 100_000 + 99_999) % 997) / 7).toFixed(4)))).join(',')}`,
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
    let last = performance.now();
    let longest = 0;
    const ticks = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    await writeDetectionTableFile(join(dir, 'points.csv'), { name: 's.svs', mpp: null }, set, false);
    const took = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
    clearInterval(ticks);
    assert.ok(longest < took / 3, `the loop stood still ${Math.round(longest)} ms of the write's ${Math.round(took)} ms`);
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
    await writeDetectionTableFile(path, { name: 's.svs', mpp: null }, set, false);
    assert.deepEqual(
      readTable(path).map((row) => [row['ROI'], row['Centroid X px'], row['Centroid Y px']]),
      [
        ['Geometry', '8.3333', '8.3333'],
        ['Geometry', '16.7857', '5.3571'],
      ],
    );
  });

  test("QuPath's detections, a row each: type, class, ROI, centroid in µm, each measurement the file names (empty where one has none)", async () => {
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
    await writeDetectionTableFile(path, { name: '종양.svs', mpp: { x: 0.5, y: 0.25 } }, set, false);
    assert.deepEqual(readTable(path), [
      {
        Image: '종양.svs',
        'Object type': 'Cell',
        Classification: 'Tumor: Positive',
        ROI: 'Polygon',
        'Centroid X µm': '50002.5',
        'Centroid Y µm': '12501.25',
        'Nucleus: Area µm^2': '12.5',
        'DAB: Mean': '',
      },
      {
        Image: '종양.svs',
        'Object type': 'Detection',
        Classification: '',
        ROI: 'Geometry',
        // (400 x (10, 10) + 100 x (25, 5)) / 500 = (13, 9) px.
        'Centroid X µm': '6.5',
        'Centroid Y µm': '2.25',
        'Nucleus: Area µm^2': '',
        'DAB: Mean': '0.25',
      },
      {
        Image: '종양.svs',
        'Object type': 'Detection',
        Classification: "'=cmd",
        ROI: 'Points',
        'Centroid X µm': '4',
        'Centroid Y µm': '1',
        'Nucleus: Area µm^2': '',
        'DAB: Mean': '',
      },
    ]);
  });
});
