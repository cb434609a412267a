// `slidescope annotations` and --annotations as users run them: a real process on a copy of
// CMU-1-Small-Region, the app's data folder in a temporary one.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readGeoJson, writeGeoJson } from '../../shared/annotation-geojson';
import { LIMITS } from '../../shared/limits';
import { boxPolygon, everyKind } from '../../testing/annotation-samples';
import { sharedSlide } from '../../testing/paths';
import { runCli } from '../../testing/run-cli';
import { zipArchive } from '../../testing/writers/zip';

const _CLI = fileURLToPath(new URL('./main.ts', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'slidescope-cli-annotations-'));
const dataDir = join(out, 'app-data');
after(() => rmSync(out, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args, { env: { SLIDESCOPE_ANNOTATIONS_DIR: dataDir } });

const slide = join(out, 'CMU-1-Small-Region.svs');
copyFileSync(sharedSlide('CMU-1-Small-Region.svs'), slide);

describe('slidescope annotations', () => {
  test('import into the store beside the slide, summarise, export as GeoJSON and ImageScope', () => {
    const input = join(out, 'qupath.geojson');
    writeFileSync(input, writeGeoJson(everyKind()));
    assert.match(cli('annotations', slide).stdout, /0 annotations \(none stored\)/);

    const imported = cli('annotations', slide, '--import', input);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(
      imported.stdout,
      /6 annotations imported from .*qupath\.geojson; CMU-1-Small-Region\.svs has 6, saved in .*CMU-1-Small-Region\.svs\.annotations\.geojson/,
    );
    assert.ok(existsSync(`${slide}.annotations.geojson`));
    // The same file again adds nothing, and leaves the stored file as it is.
    const stored = statSync(`${slide}.annotations.geojson`).mtimeMs;
    const again = cli('annotations', slide, '--import', input);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /Nothing new in .*qupath\.geojson: its 6 annotations are there already; CMU-1-Small-Region\.svs has 6 annotations/);
    assert.equal(statSync(`${slide}.annotations.geojson`).mtimeMs, stored);
    // QuPath's detections in the same file are left out, and said to be.
    const withCells = JSON.parse(readFileSync(input, 'utf8'));
    const cell = { type: 'Feature', geometry: { type: 'Point', coordinates: [5, 5] }, properties: { objectType: 'cell' } };
    withCells.features.push(cell, { ...cell, properties: { objectType: 'detection' } });
    const cellsFile = join(out, 'with-cells.geojson');
    writeFileSync(cellsFile, JSON.stringify(withCells));
    const cells = cli('annotations', slide, '--import', cellsFile);
    assert.equal(cells.status, 0, cells.stderr);
    assert.match(cells.stdout, /Nothing new in .*with-cells\.geojson: its 6 annotations are there already/);
    assert.match(cells.stdout, /^2 QuPath detections \(cells, tiles, TMA cores\) left out: only annotations are imported$/m);
    // QuPath's compressed export (a .zip of one .geojson) is read as the file it holds; a zip bomb is refused, the stored file untouched.
    const zipped = join(out, 'objects.zip');
    writeFileSync(zipped, zipArchive([{ name: 'objects.geojson', content: readFileSync(input) }]));
    const fromZip = cli('annotations', slide, '--import', zipped);
    assert.equal(fromZip.status, 0, fromZip.stderr);
    assert.match(fromZip.stdout, /Nothing new in .*objects\.zip: its 6 annotations are there already/);
    const bomb = join(out, 'bomb.zip');
    writeFileSync(bomb, zipArchive([{ name: 'bomb.geojson', content: new Uint8Array(2 ** 20), size: 100 }]));
    const bombed = cli('annotations', slide, '--import', bomb);
    assert.notEqual(bombed.status, 0);
    assert.match(bombed.stderr, /bomb\.zip would inflate to more than/);
    assert.equal(statSync(`${slide}.annotations.geojson`).mtimeMs, stored);
    // Features with no geometry are skipped, and said to be on stderr; the rest is imported.
    const withEmpty = JSON.parse(readFileSync(input, 'utf8'));
    const empty = { type: 'Feature', geometry: null, properties: { objectType: 'annotation', name: 'nothing here' } };
    withEmpty.features.push(empty, { ...empty, geometry: { type: 'Polygon', coordinates: [] } });
    const emptyFile = join(out, 'with-empty.geojson');
    writeFileSync(emptyFile, JSON.stringify(withEmpty));
    const skipped = cli('annotations', slide, '--import', emptyFile);
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.match(skipped.stdout, /Nothing new in .*with-empty\.geojson: its 6 annotations are there already/);
    assert.match(skipped.stderr, /^slidescope: 2 features of .*with-empty\.geojson have no geometry \(empty or null\) and were skipped$/m);

    const summary = cli('annotations', slide, '--json');
    assert.equal(summary.status, 0, summary.stderr);
    const json = JSON.parse(summary.stdout);
    assert.equal(json.annotations, 6);
    assert.deepEqual(json.location, { path: `${slide}.annotations.geojson`, beside: true });
    const tumor = json.classes.find((c: { name: string }) => c.name === 'Tumor');
    // The 0.2 x 7.5 px box at 0.499 µm/px.
    assert.ok(Math.abs(tumor.area - 0.2 * 7.5 * 0.499 * 0.499) < 1e-9);
    assert.match(cli('annotations', slide).stdout, /Gland\s+2/);

    const geojson = join(out, 'exported.geojson');
    assert.equal(cli('annotations', slide, '--export', geojson).status, 0);
    assert.deepEqual(readGeoJson(readFileSync(geojson, 'utf8'), { newId: () => 'x' }), everyKind());
    const exists = cli('annotations', slide, '--export', geojson);
    assert.equal(exists.status, 1);
    assert.match(exists.stderr, /EXISTS/);
    const xml = join(out, 'exported.xml');
    assert.equal(cli('annotations', slide, '--export', xml).status, 0);
    assert.match(readFileSync(xml, 'utf8'), /^<\?xml[\s\S]*<Annotations MicronsPerPixel="0.499000">/);
    // A measurement table by its extension, or by --format whatever the name.
    for (const [name, separator, ...format] of [
      ['measured.csv', ','],
      ['measured.tsv', '\t'],
      ['measured.out', ',', '--format', 'csv'],
    ] as const) {
      const table = join(out, name);
      assert.equal(cli('annotations', slide, '--export', table, ...format).status, 0);
      const text = readFileSync(table, 'utf8').replace(/^\uFEFF/, '');
      assert.deepEqual(text.split(/\r?\n/)[0]!.split(separator).slice(0, 3), ['Image', 'Object ID', 'Object type']);
      // A row for each of the six, named by the slide (a description may hold a quoted line break).
      assert.equal(
        text.match(new RegExp(`(^|\n)CMU-1-Small-Region\\.svs${separator}[^${separator}]+${separator}Annotation${separator}`, 'g'))?.length,
        6,
        name,
      );
    }
  });

  test('several slides: one measurement table of them all, each named by its place; a slide that cannot be read named and left out', () => {
    const cohort = join(out, 'cohort');
    const rows = (text: string) =>
      text
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/)
        .slice(1);
    for (const site of ['site-a', 'site-b']) {
      const copy = join(cohort, site, 'slide.svs');
      mkdirSync(join(cohort, site), { recursive: true });
      copyFileSync(sharedSlide('CMU-1-Small-Region.svs'), copy);
      const input = join(out, `${site}.geojson`);
      writeFileSync(input, writeGeoJson({ ...everyKind(), annotations: everyKind().annotations.slice(0, site === 'site-a' ? 2 : 3) }));
      assert.equal(cli('annotations', copy, '--import', input).status, 0);
    }
    const broken = join(cohort, 'broken.svs');
    writeFileSync(broken, 'not a slide');
    const table = join(out, 'cohort.tsv');
    const run = cli('annotations', join(cohort, 'site-a', 'slide.svs'), join(cohort, 'site-b', 'slide.svs'), broken, '--export', table);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /cohort\.tsv: 5 annotation\(s\) of 2 slide\(s\)$/m);
    assert.match(run.stderr, /broken\.svs: NOT_A_SLIDE: This file is not a slide/);
    // A row's first cell (a description may hold a quoted line break: its next line is no row).
    const images = rows(readFileSync(table, 'utf8')).flatMap((row) => /^site-[ab]\/slide\.svs\t/.exec(row)?.[0].trim() ?? []);
    assert.deepEqual(images, ['site-a/slide.svs', 'site-a/slide.svs', 'site-b/slide.svs', 'site-b/slide.svs', 'site-b/slide.svs']);
    // Anything but a table of several slides is a usage error, and writes nothing.
    for (const args of [['--export', join(out, 'x.geojson')], ['--import', table], ['--json'], []]) {
      const refused = cli('annotations', join(cohort, 'site-a', 'slide.svs'), join(cohort, 'site-b', 'slide.svs'), ...args);
      assert.equal(refused.status, 2, `${args.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, /Several slides take --export FILE\.csv/);
    }
    assert.ok(!existsSync(join(out, 'x.geojson')));
  });

  test('bad files and arguments: the line or feature, the usage', () => {
    const bad = join(out, 'bad.geojson');
    writeFileSync(bad, '[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2]]}}]');
    const run = cli('annotations', slide, '--import', bad);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /bad\.geojson: CORRUPT_DATA: Feature 1: the LineString has 1 position, fewer than 2\./);
    const svg = cli('annotations', slide, '--export', join(out, 'x.svg'), '--format', 'svg');
    assert.equal(svg.status, 2);
    assert.match(svg.stderr, /--format must be geojson, imagescope, csv \(got "svg"\)/);
    assert.equal(cli('annotations').status, 2);
    assert.match(cli('annotations', join(out, 'missing.svs')).stderr, /NOT_FOUND/);
    // A slide's failure that is its --annotations file's names that file.
    const missing = cli('thumbnail', slide, '--out', join(out, 'drawn'), '--annotations', join(out, 'no-such.geojson'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /CMU-1-Small-Region\.svs: NOT_FOUND: .*no-such\.geojson: The annotations file cannot be read/);
    const garbage = join(out, 'garbage.geojson');
    writeFileSync(garbage, 'garbage');
    assert.match(
      cli('thumbnail', slide, '--out', join(out, 'drawn'), '--annotations', garbage).stderr,
      /CORRUPT_DATA: .*garbage\.geojson: Neither GeoJSON nor ImageScope XML/,
    );
  });

  test('an unreadable stored file: a listing or an export fails naming it and leaves it be; an import sets it aside first', () => {
    const own = join(out, 'broken-store.svs');
    copyFileSync(slide, own);
    const stored = `${own}.annotations.geojson`;
    writeFileSync(stored, '{broken');
    for (const args of [[], ['--export', join(out, 'from-broken.geojson')]]) {
      const run = cli('annotations', own, ...args);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /broken-store\.svs\.annotations\.geojson: CORRUPT_DATA: Not valid JSON/);
      assert.equal(readFileSync(stored, 'utf8'), '{broken', 'the file is left where it was');
    }
    assert.ok(!existsSync(join(out, 'from-broken.geojson')));
    const input = join(out, 'one.geojson');
    writeFileSync(input, writeGeoJson(everyKind()));
    const imported = cli('annotations', own, '--import', input);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stderr, /kept as .*broken-store\.svs\.annotations\.geojson\.unreadable-/);
    assert.equal(readGeoJson(readFileSync(stored, 'utf8'), { newId: () => 'x' }).annotations.length, everyKind().annotations.length);
  });

  test('two files within the limits, past them together: the second is refused (TOO_LARGE), what was stored stays', () => {
    const own = join(out, 'limits.svs');
    copyFileSync(slide, own);
    const points = (file: string, n: number, offset: number) => {
      const features = Array.from({ length: n }, (_, i) => `{"type":"Feature","geometry":{"type":"Point","coordinates":[${i},${offset}]}}`);
      writeFileSync(file, `{"type":"FeatureCollection","features":[\n${features.join(',\n')}\n]}`);
    };
    const half = LIMITS.maxAnnotations / 2;
    const [a, b] = [join(out, 'many-a.geojson'), join(out, 'many-b.geojson')];
    points(a, half, 0);
    points(b, half + 1, 1);
    assert.equal(cli('annotations', own, '--import', a).status, 0);
    const stored = readFileSync(`${own}.annotations.geojson`, 'utf8');
    const run = cli('annotations', own, '--import', b);
    assert.equal(run.status, 1, run.stdout);
    assert.match(
      run.stderr,
      new RegExp(
        `many-b\\.geojson: TOO_LARGE: Nothing was imported from .*many-b\\.geojson: with the ${half} annotations limits\\.svs has, annotations are ${LIMITS.maxAnnotations + 1}, more than the ${LIMITS.maxAnnotations}`,
      ),
    );
    assert.equal(readFileSync(`${own}.annotations.geojson`, 'utf8'), stored, 'the stored file is as it was');
    assert.match(cli('annotations', own).stdout, new RegExp(`limits\\.svs: ${half} annotations, in `));
  });

  test('--annotations draws a file into a thumbnail and a comparison; "stored" draws the slide\'s own', async () => {
    const marks = join(out, 'marks.geojson');
    const doc = everyKind();
    doc.annotations = [{ ...doc.annotations[2]!, shape: { kind: 'rectangle', x0: 500, y0: 1000, x1: 1500, y1: 2000 } }];
    writeFileSync(marks, writeGeoJson(doc));
    const thumbs = join(out, 'thumbs');
    const run = cli('thumbnail', slide, '--size', '1000', '--out', thumbs, '--annotations', marks);
    assert.equal(run.status, 0, run.stderr);
    const { data, info } = await sharp(join(thumbs, 'CMU-1-Small-Region_thumbnail.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    assert.deepEqual(at(168, 505), [200, 0, 0]);
    // The comparison, drawn from what is stored with the slide (the six of the first test).
    const comparison = join(out, 'compare', 'grid.png');
    const compared = cli('compare', slide, '--powers', '1.25,2.5', '--out', comparison, '--annotations', 'stored');
    assert.equal(compared.status, 0, compared.stderr);
    assert.ok(existsSync(comparison));
    // A file for several slides is a usage error.
    assert.equal(cli('thumbnail', slide, sharedSlide('openslide-python_small.svs'), '--out', thumbs, '--annotations', marks).status, 2);
  });

  test("--detections counts QuPath's detections in each of the slide's annotations, by class and per mm², as QuPath does (by centroid)", () => {
    const folder = join(out, 'counted');
    mkdirSync(folder, { recursive: true });
    const counted = join(folder, 'CMU-1-Small-Region.svs');
    copyFileSync(sharedSlide('CMU-1-Small-Region.svs'), counted);
    const regions = join(folder, 'regions.geojson');
    writeFileSync(
      regions,
      JSON.stringify([
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: boxPolygon(0, 0, 1000, 1000) },
          properties: { objectType: 'annotation', name: 'Tumour bed' },
        },
        {
          type: 'Feature',
          geometry: {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [10, 10],
            ],
          },
          properties: { objectType: 'annotation', name: 'ruler' },
        },
      ]),
    );
    assert.equal(cli('annotations', counted, '--import', regions).status, 0);
    // 3 Tumor cells and 1 Stroma cell inside (centres at 105, 305, 505, 705), 1 Stroma outside (centre 1105).
    const cells = join(folder, 'cells.geojson');
    const cell = (x: number, name: string) => ({
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: boxPolygon(x, 100, 10, 10) },
      properties: { objectType: 'cell', classification: { name } },
    });
    writeFileSync(
      cells,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [cell(100, 'Tumor'), cell(300, 'Tumor'), cell(500, 'Tumor'), cell(700, 'Stroma'), cell(1100, 'Stroma')],
      }),
    );
    const run = cli('annotations', counted, '--detections', cells);
    assert.equal(run.status, 0, run.stderr);
    // 1000 x 1000 px at 0.499 µm/px: 0.249 mm², 4 detections: 16.06 per mm².
    assert.match(
      run.stdout,
      /\nIn CMU-1-Small-Region\.svs's annotations \(a detection in the one that holds its centroid\):\n {2}Tumour bed +4 {2}Tumor 3, Stroma 1 {2}\(16\.\d per mm²\)\n$/,
    );
    const json = JSON.parse(cli('annotations', counted, '--detections', cells, '--json').stdout) as {
      annotations: Array<{ name: string; detections: number; classes: unknown[] }>;
    };
    assert.deepEqual(
      json.annotations.map((a) => [a.name, a.detections, a.classes]),
      [
        [
          'Tumour bed',
          4,
          [
            { name: 'Tumor', count: 3 },
            { name: 'Stroma', count: 1 },
          ],
        ],
      ],
    );
    // The annotation measurement table with the same counts, in QuPath's columns.
    const table = join(folder, 'annotations.tsv');
    const written = cli('annotations', counted, '--detections', cells, '--export', table, '--rows', 'annotations');
    assert.equal(written.status, 0, written.stderr);
    const [header, row] = readFileSync(table, 'utf8')
      .split('\n')
      .map((line) => line.split('\t'));
    const column = (name: string) => row![header!.indexOf(name)];
    assert.deepEqual(['Name', 'Parent', 'Num Detections', 'Num Stroma', 'Num Tumor'].map(column), ['Tumour bed', 'Image', '4', '1', '3']);
    // A positive cell detection's intensity classes: the table scores them as QuPath does (the app's export writes the same table).
    const scored = join(folder, 'scored.geojson');
    writeFileSync(
      scored,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [cell(100, 'Tumor: Negative'), cell(300, 'Tumor: 1+'), cell(500, 'Tumor: 3+'), cell(700, 'Tumor: 3+')],
      }),
    );
    const ihc = join(folder, 'ihc.tsv');
    assert.equal(cli('annotations', counted, '--detections', scored, '--export', ihc, '--rows', 'annotations').status, 0);
    const [ihcHeader, ihcRow] = readFileSync(ihc, 'utf8')
      .split('\n')
      .map((line) => line.split('\t'));
    // (1 x 1 + 3 x 2) / 4 x 100; 3 of 4 positive.
    assert.deepEqual(
      ['Num Tumor (base)', 'Tumor: Positive %', 'Tumor: H-score', 'Tumor: Allred score'].map((name) => ihcRow![ihcHeader!.indexOf(name)]),
      ['4', '75', '175', '7'],
    );
    assert.equal(cli('annotations', counted, '--export', table, '--rows', 'annotations', '--overwrite').status, 2, '--rows without --detections');
  });
});
