// The CLI as users run it: a real process, real files, exit codes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { boxPolygon } from '../../testing/annotation-samples';
import { fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { PACKAGE_VERSION, SHARED_SLIDES, sharedSlide } from '../../testing/paths';
import { compareRgb } from '../../testing/pixel-compare';
import { CLEAN_ENV, runCli } from '../../testing/run-cli';
import { SlideEngine } from '../engine/engine';
import { dataFolderOf } from '../engine/formats/mirax/mirax-files';
import type { ReportLine } from './report';

const CLI_SOURCE = fileURLToPath(new URL('./main.ts', import.meta.url));
const CMU = sharedSlide('CMU-1-Small-Region.svs');
const out = mkdtempSync(join(tmpdir(), 'slidescope-cli-'));
after(() => rmSync(out, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);
/** CMU's top-left 320 x 240 at 10x, with these options. */
const cmuAt10x = (...options: string[]) => cli('region', CMU, '--x', '0', '--y', '0', '--width', '320', '--height', '240', '--power', '10', ...options);

async function pixels(path: string) {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

describe('slidescope CLI', () => {
  test('info --json has the documented shape', () => {
    const run = cli('info', CMU, '--json');
    assert.equal(run.status, 0, run.stderr);
    const info = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(info).sort(), [
      'associated',
      'height',
      'iccProfile',
      'levels',
      'mpp',
      'objectivePower',
      'properties',
      'vendor',
      'warnings',
      'width',
    ]);
    assert.deepEqual(info.warnings, []);
    assert.equal(info.vendor, 'aperio');
    assert.equal(info.objectivePower, 20);
    assert.deepEqual(info.mpp, { x: 0.499, y: 0.499 });
    assert.deepEqual(info.levels, [{ width: 2220, height: 2967, downsample: 1, tileWidth: 240, tileHeight: 240 }]);
    assert.deepEqual(info.associated, ['thumbnail', 'label', 'macro']);
    assert.equal(info.properties['aperio.AppMag'], '20');
    const generic = JSON.parse(cli('info', sharedSlide('openslide-python_boxes.tiff'), '--json').stdout);
    assert.equal(generic.objectivePower, null);
    assert.equal(generic.mpp, null);
    assert.equal(info.iccProfile, null);
    assert.deepEqual(generic.iccProfile, { description: 'sRGB built-in', bytes: 588 });
  });

  test('thumbnail at 1.25x of CMU-1-Small-Region is 139x185, as TIAToolbox gives it', async () => {
    const dir = join(out, 'thumb');
    const run = cli('thumbnail', CMU, '--power', '1.25', '--out', dir);
    assert.equal(run.status, 0, run.stderr);
    const file = join(dir, 'CMU-1-Small-Region_thumbnail.png');
    const meta = await sharp(file).metadata();
    assert.deepEqual([meta.width, meta.height], [139, 185]);
    // The pixels are the slide's, not a blank: tissue covers a good part of it.
    const img = await pixels(file);
    let tissue = 0;
    for (let i = 0; i < img.data.length; i += 3) if (img.data[i + 1]! < 200) tissue++;
    assert.ok(tissue > img.width * img.height * 0.15, `tissue fraction ${tissue / (img.width * img.height)}`);
    // --mpp 8 is the same magnification; --size gives the longest side.
    cli('thumbnail', CMU, '--mpp', '7.984', '--out', join(out, 'mpp'));
    const byMpp = await sharp(join(out, 'mpp', 'CMU-1-Small-Region_thumbnail.png')).metadata();
    assert.deepEqual([byMpp.width, byMpp.height], [139, 185]);
    const sized = cli('thumbnail', CMU, '--size', '300', '--format', 'jpeg', '--out', join(out, 'size'));
    assert.equal(sized.status, 0, sized.stderr);
    const m = await sharp(join(out, 'size', 'CMU-1-Small-Region_thumbnail.jpg')).metadata();
    assert.deepEqual([m.width, m.height, m.format], [224, 300, 'jpeg']);
  });

  test('a slide cut short: info warns (text and --json); a batch writes it, warns once on stderr, carries the warnings in its report line; a merge counts it', () => {
    const dir = join(out, 'cut-short');
    mkdirSync(dir);
    const cut = join(dir, 'cut.svs');
    writeFileSync(cut, readFileSync(CMU).subarray(0, 1_900_000));
    copyFileSync(CMU, join(dir, 'whole.svs'));
    const warning =
      'The file is truncated: image directory 3 lies beyond its end (the file is 1,900,000 bytes); the images it and any after it held (a level, the label or the macro) are missing.';

    const text = cli('info', cut);
    assert.equal(text.status, 0, text.stderr);
    assert.ok(text.stdout.split('\n').includes(`  warning       ${warning}`), text.stdout);
    assert.ok(!cli('info', CMU).stdout.includes('warning'));
    const json = JSON.parse(cli('info', cut, '--json').stdout);
    assert.deepEqual(json.warnings, [warning]);
    assert.deepEqual(json.associated, ['thumbnail', 'label']);

    const report = join(out, 'cut-short.jsonl');
    const batch = cli('thumbnail', dir, '--size', '128', '--out', join(out, 'cut-short-out'), '--report', report);
    assert.equal(batch.status, 0, batch.stderr);
    const warned = batch.stderr.split('\n').filter((line) => line.includes('warning'));
    assert.deepEqual(warned, [`slidescope: ${cut}: warning: ${warning}`]);
    const lines = readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ReportLine);
    const bySlide = new Map(lines.map((line) => [line.slide, line]));
    assert.equal(bySlide.get('cut.svs')?.status, 'written');
    assert.deepEqual(bySlide.get('cut.svs')?.warnings, [warning]);
    // A whole slide's line has no warnings field.
    assert.equal(bySlide.get('whole.svs')?.status, 'written');
    assert.ok(!('warnings' in bySlide.get('whole.svs')!));

    const merged = cli('report', 'merge', report);
    assert.equal(merged.status, 0, merged.stderr);
    assert.match(merged.stdout, /^warnings: 1 slide damaged or cut short/m);
    assert.ok(merged.stdout.includes(`  cut.svs: ${warning}`), merged.stdout);
    assert.deepEqual(JSON.parse(cli('report', 'merge', report, '--json').stdout).warned, [{ slide: 'cut.svs', warnings: [warning] }]);

    // A region, a comparison and slides side by side are made from it too, and say so.
    const said = `slidescope: ${cut}: warning: ${warning}`;
    const region = cli('region', cut, '--x', '0', '--y', '0', '--width', '64', '--height', '64', '--out', join(out, 'cut-region.png'));
    assert.equal(region.status, 0, region.stderr);
    assert.ok(region.stderr.split('\n').includes(said), region.stderr);
    const compared = cli('compare', cut, '--powers', '1.25,2.5', '--out', join(out, 'cut-compare', 'cut.png'));
    assert.equal(compared.status, 0, compared.stderr);
    assert.ok(compared.stderr.split('\n').includes(said), compared.stderr);
    const sideBySide = cli('compare', cut, CMU, '--power', '1.25', '--out', join(out, 'cut-side.png'));
    assert.equal(sideBySide.status, 0, sideBySide.stderr);
    assert.deepEqual(
      sideBySide.stderr.split('\n').filter((line) => line.includes('warning')),
      [said],
    );
  });

  test('a folder: good slides written, every bad one named with its reason, exit code 1', async () => {
    const dir = join(out, 'batch');
    const run = cli('thumbnail', SHARED_SLIDES, '--size', '256', '--out', dir);
    assert.equal(run.status, 1);
    const written = readdirSync(dir).sort();
    assert.deepEqual(written, [
      'CMU-1-Small-Region_thumbnail.png',
      'image-js_tiled-jpeg_thumbnail.png',
      'libtiff_test_ifd_loop_to_self_thumbnail.png',
      'openslide-python_boxes_thumbnail.png',
      'openslide-python_small_thumbnail.png',
      'slideio_test3-DAPI-2-387_thumbnail.png',
      // Three DICOM slides of one file each: the folder holds three series, each its own slide.
      'wsi2dcm_jpeg2000_thumbnail.png',
      'wsi2dcm_jpeg_thumbnail.png',
      'wsi2dcm_raw_thumbnail.png',
    ]);
    for (const [name, code] of [
      ['histolab_broken-html.svs', 'NOT_A_SLIDE'],
      ['openslide-python_unopenable.tiff', 'UNSUPPORTED_COMPRESSION'],
      ['pillow_oom-225817ca.tif', 'CORRUPT_DATA'],
      ['openslide-python_unreadable.svs', 'CORRUPT_DATA'],
    ] as const) {
      assert.match(run.stderr, new RegExp(`${name.replace(/\./g, '\\.')}: ${code}: \\w`), `${name} not reported:\n${run.stderr}`);
    }
    assert.match(run.stderr, /4 slide\(s\) failed/);
    // No partial or temporary file is left behind.
    assert.ok(written.every((f) => !f.includes('partial')));
  });

  test('a DICOM folder is one slide; a folder of two names them and exits 2; a batch takes each', async () => {
    const one = await fixturePath('dicom-jpeg-rgb');
    const info = cli('info', one, '--json');
    assert.equal(info.status, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).vendor, 'dicom');
    assert.equal(JSON.parse(info.stdout).levels.length, 3);
    const two = await fixturePath('dicom-two-series');
    const several = cli('info', two);
    assert.equal(several.status, 2);
    assert.match(several.stderr, /SEVERAL_SLIDES/);
    assert.match(several.stderr, /series3-level0\.dcm {2}first slide \(2400 x 1800\)/);
    assert.match(several.stderr, /series4-level0\.dcm {2}second slide \(2400 x 1800\)/);
    // A folder holding both DICOM folders: one thumbnail for the one-slide folder, one per slide of the other.
    const parent = join(out, 'dicom-parent');
    mkdirSync(parent);
    symlinkSync(one, join(parent, 'case-a'));
    symlinkSync(two, join(parent, 'case-b'));
    const dir = join(out, 'dicom-batch');
    const batch = cli('thumbnail', parent, '--size', '200', '--out', dir);
    assert.equal(batch.status, 0, batch.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['case-a_thumbnail.png', 'case-b']);
    assert.deepEqual(readdirSync(join(dir, 'case-b')).sort(), ['series3-level0_thumbnail.png', 'series4-level0_thumbnail.png']);
    // In shards: the same files, a folder's slides made by the shard of the folder.
    const sharded = join(out, 'dicom-shards');
    const made: string[][] = [];
    for (const k of [1, 2]) {
      const run = cli('thumbnail', parent, '--size', '200', '--out', sharded, '--shard', `${k}/2`);
      assert.equal(run.status, 0, run.stderr);
      made.push(
        run.stdout
          .split('\n')
          .filter(Boolean)
          .map((path) => relative(sharded, path).split(sep).join('/')),
      );
    }
    assert.deepEqual(made.flat().sort(), ['case-a_thumbnail.png', 'case-b/series3-level0_thumbnail.png', 'case-b/series4-level0_thumbnail.png']);
    assert.ok(made.some((paths) => paths.filter((p) => p.startsWith('case-b/')).length === 2));
  });

  test("a DICOM folder of two slides is one input in each shard's report: the shards merged are whole, one alone misses the other's", async () => {
    const parent = join(out, 'dicom-inputs');
    mkdirSync(parent);
    symlinkSync(await fixturePath('dicom-jpeg-rgb'), join(parent, 'case-a'));
    symlinkSync(await fixturePath('dicom-two-series'), join(parent, 'case-b'));
    symlinkSync(CMU, join(parent, 'case-d.svs'));
    // case-d.svs is shard 1/2's, both folders shard 2/2's: shard 1 opens neither, yet counts the same inputs.
    const reports = [1, 2].map((k) => join(out, `dicom-inputs-${k}.jsonl`));
    const runs = reports.map((report, i) =>
      cli('thumbnail', parent, '--size', '64', '--out', join(out, 'dicom-inputs-out'), '--shard', `${i + 1}/2`, '--report', report),
    );
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    assert.match(runs[0]!.stderr, /shard 1\/2: 1 of at least 3 slides:/);
    const lines = reports.flatMap((report) => readFileSync(report, 'utf8').split('\n').filter(Boolean)).map((text) => JSON.parse(text) as ReportLine);
    assert.deepEqual(lines.map((l) => [l.shard, l.slide, l.input, l.inputSlides, l.batchInputs]).sort(), [
      ['1/2', 'case-d.svs', 'case-d.svs', 1, 3],
      ['2/2', 'case-a', 'case-a', 1, 3],
      ['2/2', 'case-b/series3-level0.dcm', 'case-b', 2, 3],
      ['2/2', 'case-b/series4-level0.dcm', 'case-b', 2, 3],
    ]);
    const whole = cli('report', 'merge', ...reports);
    assert.equal(whole.status, 0, whole.stdout);
    assert.doesNotMatch(whole.stdout, /missing/);
    const [first, second] = reports.map((report) => cli('report', 'merge', report));
    assert.equal(first!.status, 1);
    assert.match(first!.stdout, /^missing: 2 of 3 inputs \(slides, or DICOM folders of several slides\) have no line; no line from shard 2\/2/m);
    assert.equal(second!.status, 1);
    assert.match(second!.stdout, /^missing: 1 of 3 inputs \(slides, or DICOM folders of several slides\) has no line; no line from shard 1\/2/m);
    // Shard 2/2 as if killed after one of case-b's slides: the folder's other slide has no line.
    const cut = join(out, 'dicom-inputs-2-cut.jsonl');
    writeFileSync(
      cut,
      lines
        .filter((l) => l.shard === '2/2' && l.slide !== 'case-b/series4-level0.dcm')
        .map((l) => `${JSON.stringify(l)}\n`)
        .join(''),
    );
    const partly = cli('report', 'merge', reports[0]!, cut);
    assert.equal(partly.status, 1, partly.stdout);
    assert.match(partly.stdout, /^missing: 1 of the 2 slides of DICOM folder "case-b" has no line \(a run was cut short/m);
  });

  test("a MIRAX slide's data folder stands for its .mrxs; a folder holding both is one slide", async () => {
    const key = await fixturePath('mirax-positions');
    const folder = dataFolderOf(key);
    const info = cli('info', folder, '--json');
    assert.equal(info.status, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).vendor, 'mirax');
    const parent = join(out, 'mirax-parent');
    mkdirSync(parent);
    symlinkSync(key, join(parent, 'case.mrxs'));
    symlinkSync(folder, join(parent, 'case'));
    const dir = join(out, 'mirax-batch');
    const batch = cli('thumbnail', join(parent, 'case'), parent, '--size', '100', '--out', dir);
    assert.equal(batch.status, 0, batch.stderr);
    assert.deepEqual(readdirSync(dir), ['case_thumbnail.png']);
  });

  test('compare: one image per magnification, sizes match, and a composite of four labelled panels', async () => {
    const file = join(out, 'cmp', 'CMU-1-Small-Region_resolution_comparison.png');
    const run = cli('compare', CMU, '--powers', '1.25,2.5,5,10', '--out', file);
    assert.equal(run.status, 0, run.stderr);
    const sizes: Record<string, [number, number]> = { '1.25x': [139, 185], '2.5x': [278, 371], '5x': [555, 742], '10x': [1110, 1484] };
    for (const [power, size] of Object.entries(sizes)) {
      const m = await sharp(join(out, 'cmp', `CMU-1-Small-Region_${power}.png`)).metadata();
      assert.deepEqual([m.width, m.height], size, power);
    }
    const composite = await pixels(file);
    // 2x2 cells of the largest panel's size (capped at 1024), an 8 px gap, a 44 px label band each.
    const cellW = Math.round(1110 * (1024 / 1484));
    const cellH = 1024;
    assert.deepEqual([composite.width, composite.height], [2 * cellW + 24, 2 * (cellH + 44) + 24]);
    const at = (x: number, y: number) => composite.data[(y * composite.width + x) * 3 + 1]!;
    for (let i = 0; i < 4; i++) {
      const x0 = 8 + (i % 2) * (cellW + 8);
      const y0 = 8 + Math.floor(i / 2) * (cellH + 44 + 8);
      let tissue = 0;
      for (let y = y0; y < y0 + cellH; y += 4) for (let x = x0; x < x0 + cellW; x += 4) if (at(x, y) < 200) tissue++;
      assert.ok(tissue > 1000, `panel ${i} holds no tissue`);
      let ink = 0;
      for (let y = y0 + cellH; y < y0 + cellH + 44; y++) for (let x = x0; x < x0 + cellW; x++) if (at(x, y) < 100) ink++;
      assert.ok(ink > 300, `panel ${i} has no label text`);
    }
  });

  test('compare in field mode with narrow panels: labels shrink to fit; an existing file blocks the whole set', async () => {
    const dir = join(out, 'field');
    const file = join(dir, 'field.png');
    const run = cli('compare', CMU, '--mode', 'field', '--center', '1110,1480', '--panel', '320x288', '--out', file);
    assert.equal(run.status, 0, run.stderr);
    for (const p of ['1.25x', '2.5x', '5x', '10x']) {
      const m = await sharp(join(dir, `CMU-1-Small-Region_${p}.png`)).metadata();
      assert.deepEqual([m.width, m.height], [320, 288], p);
    }
    const m = await sharp(file).metadata();
    assert.deepEqual([m.width, m.height], [2 * 320 + 24, 2 * (288 + 44) + 24]);
    // Remove one panel; the composite still exists: nothing may be written, not even the missing panel.
    rmSync(join(dir, 'CMU-1-Small-Region_5x.png'));
    const again = cli('compare', CMU, '--mode', 'field', '--center', '1110,1480', '--panel', '320x288', '--out', file);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /EXISTS: .*already exist/);
    assert.equal(existsSync(join(dir, 'CMU-1-Small-Region_5x.png')), false);
  });

  test('a name on disk holding control characters is shown escaped on the terminal, never raw', () => {
    const folder = join(out, 'control-names');
    mkdirSync(folder);
    writeFileSync(join(folder, 'bad\u001b[31mname.svs'), 'not a slide');
    const run = cli('thumbnail', folder, '--out', join(out, 'control-out'));
    assert.equal(run.status, 1);
    assert.ok(!run.stderr.includes('\u001b'), run.stderr);
    assert.match(run.stderr, /bad\\x1B\[31mname\.svs: INVALID_ARGUMENT: /);
  });

  test('region at a level matches the engine; at a power it has the asked size; refusals have reasons', async () => {
    const file = join(out, 'region.png');
    const run = cli('region', CMU, '--x', '1000', '--y', '1200', '--width', '300', '--height', '200', '--level', '0', '--out', file);
    assert.equal(run.status, 0, run.stderr);
    const engine = new SlideEngine();
    const { slideId } = await openSlide(engine, CMU);
    const expected = await engine.readRegion({ slideId, level: 0, x: 1000, y: 1200, width: 300, height: 200 });
    assert.equal(compareRgb(await pixels(file), expected, 0).maxDiff, 0);
    await engine.closeAll();
    const p = cli('region', CMU, '--x', '0', '--y', '0', '--width', '128', '--height', '96', '--power', '5', '--out', join(out, 'p5.jpg'));
    assert.equal(p.status, 0, p.stderr);
    const m = await sharp(join(out, 'p5.jpg')).metadata();
    assert.deepEqual([m.width, m.height, m.format], [128, 96, 'jpeg']);
    const beyond = cli('region', CMU, '--x', '0', '--y', '0', '--width', '10', '--height', '10', '--power', '40', '--out', join(out, 'p40.png'));
    assert.equal(beyond.status, 1);
    assert.match(beyond.stderr, /INVALID_ARGUMENT: 40x is beyond this slide's scan \(20x at most\)/);
    assert.equal(existsSync(join(out, 'p40.png')), false);
    const level = cli('region', CMU, '--x', '0', '--y', '0', '--width', '10', '--height', '10', '--level', '3', '--out', join(out, 'l3.png'));
    assert.match(level.stderr, /no level 3/);
    // At a power, annotations (with their legend, below the region beside a scale bar) and a scale bar drawn in; not at a level.
    const marks = join(out, 'region-marks.geojson');
    writeFileSync(
      marks,
      JSON.stringify({
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [100, 100],
              [300, 100],
              [300, 200],
              [100, 200],
              [100, 100],
            ],
          ],
        },
        properties: { objectType: 'annotation', classification: { name: 'Tumor', color: [200, 0, 0] } },
      }),
    );
    const drawn = cmuAt10x('--annotations', marks, '--scale-bar', '--out', join(out, 'drawn.png'));
    assert.equal(drawn.status, 0, drawn.stderr);
    const d = await sharp(join(out, 'drawn.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(d.info.width, 320);
    assert.ok(d.info.height > 240, 'the legend below');
    const at = (x: number, y: number) => [...d.data.subarray((y * d.info.width + x) * 3, (y * d.info.width + x) * 3 + 3)];
    assert.deepEqual(at(50, 75), [200, 0, 0], 'the outline at level-0 (100, 150), downsample 2');
    const atLevel = cli('region', CMU, '--x', '0', '--y', '0', '--width', '10', '--height', '10', '--level', '0', '--scale-bar', '--out', join(out, 'bar.png'));
    assert.equal(atLevel.status, 2);
    assert.match(atLevel.stderr, /--annotations, --detections and --scale-bar draw into a region read at a --power/);
    assert.equal(existsSync(join(out, 'bar.png')), false);

    // At a power that is a level's, from a corner between that level's pixels: the level's region, as
    // TIAToolbox's read_rect reads it (OpenSlide's read_region from the level-0 corner).
    const pyramid = await fixturePath('aperio-jpeg-rgb');
    const corner = ['--x', '1002', '--y', '1001', '--width', '300', '--height', '200', '--colour', 'stored'];
    assert.equal(cli('region', pyramid, ...corner, '--power', '5', '--out', join(out, 'corner-5x.png')).status, 0);
    assert.equal(cli('region', pyramid, ...corner, '--level', '1', '--out', join(out, 'corner-l1.png')).status, 0);
    assert.equal(compareRgb(await pixels(join(out, 'corner-5x.png')), await pixels(join(out, 'corner-l1.png')), 0).maxDiff, 0);
  });

  test('--colour: sRGB by default (the embedded profile applied), the stored pixels with --colour stored', async () => {
    const slide = await fixturePath('icc-aperio-swap');
    const region = (colour: string[], file: string) =>
      cli('region', slide, '--x', '1400', '--y', '1000', '--width', '200', '--height', '150', '--level', '0', ...colour, '--out', join(out, file));
    for (const run of [region([], 'icc-default.png'), region(['--colour', 'srgb'], 'icc-srgb.png'), region(['--colour', 'stored'], 'icc-stored.png')])
      assert.equal(run.status, 0, run.stderr);
    const engine = new SlideEngine();
    const { slideId } = await openSlide(engine, slide);
    const stored = await engine.readRegion({ slideId, level: 0, x: 1400, y: 1000, width: 200, height: 150 });
    await engine.closeAll();
    assert.equal(compareRgb(await pixels(join(out, 'icc-stored.png')), stored, 0).maxDiff, 0);
    assert.equal(compareRgb(await pixels(join(out, 'icc-srgb.png')), await pixels(join(out, 'icc-default.png')), 0).maxDiff, 0);
    // The profile swaps the channels: converted, the tissue's colours move far from the stored values.
    const converted = compareRgb(await pixels(join(out, 'icc-default.png')), stored, 0);
    assert.ok(converted.meanDiff > 20, `mean difference ${converted.meanDiff}`);
    const bad = region(['--colour', 'p3'], 'icc-bad.png');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--colour must be srgb or stored/);
  });

  test("--channels: a fluorescence slide's channels picked, coloured and ranged as the engine shows them; info lists them; a rerun with other channels is not passed off as done", async () => {
    const slide = await fixturePath('ome-fluorescence-16bit');
    const info = cli('info', slide);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /channels {6}1 DAPI {2}#ff0000 {2}\d+-\d+ of 4095\n {16}2 FITC/);
    const json = JSON.parse(cli('info', slide, '--json').stdout) as { channels: Array<{ name: string }> };
    assert.deepEqual(
      json.channels.map((c) => c.name),
      ['DAPI', 'FITC', 'TRITC'],
    );
    const args = ['--x', '0', '--y', '0', '--width', '600', '--height', '450', '--level', '1'];
    const run = cli('region', slide, ...args, '--channels', 'tritc:white:300-2500, 1:green', '--out', join(out, 'channels.png'));
    assert.equal(run.status, 0, run.stderr);
    const engine = new SlideEngine();
    const slideId = 'channels';
    await engine.open({
      slideId,
      path: slide,
      client: null,
      channels: [
        { channel: 2, colour: '#ffffff', low: 300, high: 2500 },
        { channel: 0, colour: '#00ff00' },
      ],
    });
    const expected = await engine.readRegion({ slideId, level: 1, x: 0, y: 0, width: 600, height: 450 });
    await engine.closeAll();
    assert.equal(compareRgb(await pixels(join(out, 'channels.png')), expected, 0).maxDiff, 0);

    const batch = (channels: string, ...more: string[]) =>
      cli('thumbnail', slide, '--size', '200', '--channels', channels, '--out', join(out, 'channel-thumbs'), ...more);
    assert.equal(batch('DAPI').status, 0);
    const other = batch('FITC');
    assert.equal(other.status, 1);
    assert.match(
      other.stderr,
      /EXISTS: .* made with thumbnail --size 200 --colour srgb --channels DAPI: .* again with thumbnail --size 200 --colour srgb --channels FITC/,
    );
    const missing = batch('Cy5', '--overwrite');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /INVALID_ARGUMENT: The slide has no channel named or numbered "Cy5" \(its channels: 1 DAPI, 2 FITC, 3 TRITC\)/);
    const malformed = batch('DAPI:bleu');
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /--channels: "bleu" in "DAPI:bleu" is not a colour/);
    // A brightfield slide has no channels: the option passes it by.
    assert.equal(cli('thumbnail', CMU, '--size', '100', '--channels', 'DAPI', '--out', join(out, 'channel-thumbs')).status, 0);
  });

  test("--plane: a z-stack's focal plane numbered from 1 (region, thumbnail, compare), as the engine shows it; info gives SizeZ and SizeT; a plane past them fails naming them", async () => {
    const slide = await fixturePath('ome-fluorescence-zstack');
    const info = cli('info', slide);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /planes {8}SizeZ 4, SizeT 1 \(shown: Z 1, T 1\)/);
    const json = JSON.parse(cli('info', slide, '--json').stdout) as { plane: unknown };
    assert.deepEqual(json.plane, { z: 0, t: 0, sizeZ: 4, sizeT: 1 });
    const args = ['--x', '0', '--y', '0', '--width', '300', '--height', '225', '--level', '2'];
    const region = (file: string, ...more: string[]) => cli('region', slide, ...args, ...more, '--out', join(out, file));
    for (const run of [region('plane-1.png'), region('plane-3.png', '--plane', '3'), region('plane-3-1.png', '--channels', 'DAPI', '--plane', '3,1')])
      assert.equal(run.status, 0, run.stderr);
    const engine = new SlideEngine();
    await engine.open({ slideId: 'z3', path: slide, client: null, plane: { z: 2, t: 0 } });
    await engine.open({ slideId: 'z3-dapi', path: slide, client: null, channels: [{ channel: 'DAPI' }], plane: { z: 2, t: 0 } });
    const third = await engine.readRegion({ slideId: 'z3', level: 2, x: 0, y: 0, width: 300, height: 225 });
    const thirdDapi = await engine.readRegion({ slideId: 'z3-dapi', level: 2, x: 0, y: 0, width: 300, height: 225 });
    await engine.closeAll();
    assert.equal(compareRgb(await pixels(join(out, 'plane-3.png')), third, 0).maxDiff, 0);
    assert.equal(compareRgb(await pixels(join(out, 'plane-3-1.png')), thirdDapi, 0).maxDiff, 0);
    assert.ok(compareRgb(await pixels(join(out, 'plane-1.png')), third, 0).meanDiff > 5, 'plane 3 is dimmer than plane 1');

    const thumbs = join(out, 'plane-thumbs');
    assert.equal(cli('thumbnail', slide, '--size', '200', '--plane', '2', '--out', thumbs).status, 0);
    const other = cli('thumbnail', slide, '--size', '200', '--plane', '4', '--out', thumbs);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /made with thumbnail --size 200 --colour srgb --plane 2,1: .* again with thumbnail --size 200 --colour srgb --plane 4,1/);
    const compare = cli('compare', slide, '--powers', '1.25', '--plane', '4', '--out', join(out, 'plane-compare.png'));
    assert.equal(compare.status, 0, compare.stderr);

    const past = region('plane-5.png', '--plane', '5');
    assert.equal(past.status, 1);
    assert.match(past.stderr, /INVALID_ARGUMENT: The image has no plane at Z-slice 5, timepoint 1: its Z-slices are 1 to 4, its timepoints 1 to 1/);
    assert.equal(existsSync(join(out, 'plane-5.png')), false);
    const malformed = region('plane-0.png', '--plane', '0');
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /--plane takes Z or Z,T/);
  });

  test('--plane in a batch: shown where a slide has Z-slices (fluorescence or brightfield), a slide without them made as usual, one with fewer fails naming its sizes', async () => {
    const fluorescence = await fixturePath('ome-fluorescence-zstack');
    const brightfield = await fixturePath('ome-rgb-zstack');
    const thumbs = (dir: string, ...more: string[]) => cli('thumbnail', CMU, brightfield, fluorescence, '--size', '200', ...more, '--out', join(out, dir));
    const engine = new SlideEngine();
    const expected = async (path: string, z: number) => {
      const slideId = `${path}-${z}`;
      await engine.open({ slideId, path, client: null, plane: { z, t: 0 } });
      return engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 200 } });
    };
    const name = (path: string) =>
      `${path
        .split('/')
        .pop()!
        .replace(/\.(ome\.tif|svs)$/, '')}_thumbnail.png`;
    // The batch keeps the slides' folders under --out, below the folder they share.
    const made = (dir: string) => (readdirSync(join(out, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.png'));
    const madeFor = (dir: string, path: string) => join(out, dir, made(dir).find((f) => f.endsWith(name(path)))!);
    try {
      const plain = thumbs('batch-plain');
      assert.equal(plain.status, 0, plain.stderr);
      const z3 = thumbs('batch-z3', '--plane', '3');
      assert.equal(z3.status, 0, z3.stderr);
      assert.equal(compareRgb(await pixels(madeFor('batch-z3', CMU)), await pixels(madeFor('batch-plain', CMU)), 0).maxDiff, 0);
      for (const path of [brightfield, fluorescence]) {
        const third = await pixels(madeFor('batch-z3', path));
        assert.equal(compareRgb(third, await expected(path, 2), 0).maxDiff, 0, path);
        assert.ok(compareRgb(third, await pixels(madeFor('batch-plain', path)), 0).meanDiff > 5, `${path}: plane 3 is fainter than plane 1`);
      }
      // Four Z-slices asked: the brightfield stack has three.
      const fourth = thumbs('batch-z4', '--plane', '4');
      assert.equal(fourth.status, 1);
      assert.match(
        fourth.stderr,
        new RegExp(
          `${name(brightfield).replace('_thumbnail.png', '')}.*: INVALID_ARGUMENT: The image has no plane at Z-slice 4, timepoint 1: its Z-slices are 1 to 3, its timepoints 1 to 1`,
        ),
      );
      assert.deepEqual(
        made('batch-z4')
          .map((f) => f.split(sep).pop())
          .sort(),
        [name(CMU), name(fluorescence)].sort(),
      );
    } finally {
      await engine.closeAll();
    }
  });

  test('an existing file is kept unless --overwrite; usage errors exit 2', () => {
    const file = join(out, 'exists.png');
    writeFileSync(file, 'keep me');
    const run = cli('region', CMU, '--x', '0', '--y', '0', '--width', '10', '--height', '10', '--out', file);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /EXISTS: exists\.png already exists.* \(--overwrite replaces it\)/);
    const twice = cli('thumbnail', CMU, '--size', '64', '--size', '128', '--out', out);
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /--size is given twice/);
    const misspelt = cli('thumbnail', CMU, '--color', 'srgb', '--out', out);
    assert.equal(misspelt.status, 2);
    assert.match(misspelt.stderr, /Unknown option --color \(did you mean --colour\?\)/);
    assert.equal(cli('version', 'extra').status, 2);
    const subcommand = cli('report', 'summarize', 'x.jsonl');
    assert.equal(subcommand.status, 2);
    assert.match(subcommand.stderr, /report has one command, merge \(got "summarize"\)/);
    assert.equal(cli('region', CMU, '--x', '0', '--y', '0', '--width', '10', '--height', '10', '--out', file, '--overwrite').status, 0);
    assert.equal(cli('thumbnail', CMU).status, 2);
    assert.equal(cli('bogus').status, 2);
    // The version package.json declares; a command's own usage, with exit code 0.
    for (const flag of ['--version', 'version']) assert.equal(cli(flag).stdout, `slidescope ${PACKAGE_VERSION}\n`);
    const usage = cli('thumbnail', '--help');
    assert.equal(usage.status, 0);
    assert.match(usage.stdout, /^Usage:\n {2}slidescope thumbnail SLIDE\.\.\./);
    assert.doesNotMatch(usage.stdout, /slidescope region/);
    assert.equal(cli('thumbnail', CMU, '--power', 'x', '--out', out).status, 2);
  });

  test('numbers as a person writes them, a path left empty, an unusable --out or variable: usage errors (exit 2) in CLI terms', () => {
    const region = (...args: string[]) => cli('region', CMU, '--x', '0', '--y', '0', '--width', '64', '--height', '64', '--out', join(out, 'r.png'), ...args);
    for (const [args, message] of [
      [['--level=-1'], /--level must be a level number from 0 to/],
      [['--level', '1.5'], /--level must be a level number from 0 to/],
      [['--power', '0'], /--power must be an objective power above 0/],
      [['--power', '0x10'], /--power must be a number \(got "0x10"\)/],
    ] as const) {
      const run = region(...args);
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, message);
    }
    for (const [name, value] of [
      ['--width', '0'],
      ['--width', '100000'],
      ['--x', ' '],
    ] as const) {
      const run = cli('region', CMU, '--x', '0', '--y', '0', '--width', '64', '--height', '64', '--out', join(out, 'r.png'), name, value);
      assert.equal(run.status, 2, `${name} ${value}: ${run.stderr}`);
    }
    const empty = cli('thumbnail', '', '--out', join(out, 'empty'));
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /An empty path was given/);
    assert.equal(cli('info', '').status, 2);
    assert.match(cli('thumbnail', CMU, '--out', join(out, 'g'), '--grace', '').stderr, /--grace is empty/);
    const folder = cli('region', CMU, '--x', '0', '--y', '0', '--width', '64', '--height', '64', '--out', out);
    assert.equal(folder.status, 2);
    assert.match(folder.stderr, /--out .* is a folder: give the file to write, e\.g\. .*region\.png/);
    const twice = cli('compare', CMU, '--powers', '2.5,1.25,2.5', '--out', join(out, 'twice', 'c.png'));
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /--powers names 2\.5 twice/);
    assert.ok(!existsSync(join(out, 'twice')), 'nothing written');
    const badCap = runCli(['info', CMU], { env: { SLIDESCOPE_ENGINE_MEMORY_CAP_MB: '1.5G' } });
    assert.equal(badCap.status, 2);
    assert.match(badCap.stderr, /SLIDESCOPE_ENGINE_MEMORY_CAP_MB must be a whole number of megabytes.*\(got "1\.5G"\)/);
    // A cap no engine could work under is said at once, not slide by slide.
    assert.match(runCli(['info', CMU], { env: { SLIDESCOPE_ENGINE_MEMORY_CAP_MB: '100' } }).stderr, /256 or more \(got "100"\)/);
    // --out a link to nothing: mkdir says EEXIST, which is no reason a person can act on.
    symlinkSync(join(out, 'nowhere'), join(out, 'dangling'));
    const dangling = cli('thumbnail', CMU, '--size', '64', '--out', join(out, 'dangling'));
    assert.equal(dangling.status, 2, dangling.stderr);
    assert.match(
      dangling.stderr,
      /Cannot create the output folder \S+dangling: on its way, a link to nothing, or something else that is not a folder, is in the place of a folder\./,
    );
    for (const [jobs, shard] of [
      ['1e1', '1/2'],
      ['0x2', '1/2'],
      ['2', '1/99999999999999999999'],
    ] as const) {
      const run = cli('thumbnail', CMU, '--out', join(out, 'opts'), '--jobs', jobs, '--shard', shard);
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, jobs === '2' ? /asks for 100000000000000000000 shards; at most 1000000/ : /--jobs must be a whole number from 1 to 256/);
    }
  });

  test('a field comparison centred outside the slide is refused with its size, and writes nothing', () => {
    const outside = cli('compare', CMU, '--mode', 'field', '--center', '99999,99999', '--out', join(out, 'outside', 'c.png'));
    assert.equal(outside.status, 1);
    assert.match(outside.stderr, /INVALID_ARGUMENT: The centre \(99999, 99999\) is outside CMU-1-Small-Region\.svs, which is 2220 x 2967 level-0 pixels/);
    assert.deepEqual(readdirSync(join(out, 'outside')), []);
  });

  test("output names: a region's folder is made; --format and the file's extension must agree; thumbnail --out naming an image file is refused", async () => {
    const region = (file: string, ...more: string[]) => cli('region', CMU, '--x', '0', '--y', '0', '--width', '16', '--height', '16', '--out', file, ...more);
    const nested = join(out, 'names', 'new', 'a.jpg');
    assert.equal(region(nested).status, 0);
    assert.equal((await sharp(nested).metadata()).format, 'jpeg');
    const mismatch = region(join(out, 'names', 'b.png'), '--format', 'jpeg');
    assert.equal(mismatch.status, 2);
    assert.match(mismatch.stderr, /names a PNG file, but --format is jpeg/);
    assert.equal(existsSync(join(out, 'names', 'b.png')), false);
    assert.equal(region(join(out, 'names', 'c.out'), '--format', 'tiff').status, 0);
    const webp = region(join(out, 'names', 'd.webp'));
    assert.equal(webp.status, 2);
    assert.match(webp.stderr, /Slidescope writes PNG, JPEG or TIFF/);
    const folderAsFile = cli('thumbnail', CMU, '--out', join(out, 'names', 't.png'));
    assert.equal(folderAsFile.status, 2);
    assert.match(folderAsFile.stderr, /--out is the folder the thumbnails go in/);
  });

  test('a folder read without --recursive says which subfolders it left unread, a MIRAX data folder not among them', () => {
    const folder = join(out, 'nested');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    mkdirSync(join(folder, 'scan'), { recursive: true });
    copyFileSync(CMU, join(folder, 'a.svs'));
    copyFileSync(CMU, join(folder, 'sub', 'b.svs'));
    writeFileSync(join(folder, 'scan.mrxs'), ''); // scan/ is that slide's data folder, not a subfolder of slides
    const run = cli('thumbnail', folder, '--size', '32', '--out', join(out, 'nested-out'));
    assert.match(run.stderr, /1 subfolder\(s\) not read, such as \S+nested\/sub: add --recursive/);
  });

  test('a batch whose output is read by a program that stops early (| head, here | true) finishes, with its exit code', async () => {
    // Two slides, so that the paths and the summary are written after the reader has gone.
    const folder = join(out, 'piped-slides');
    mkdirSync(folder, { recursive: true });
    copyFileSync(CMU, join(folder, 'a.svs'));
    copyFileSync(CMU, join(folder, 'b.svs'));
    const command = [process.execPath, '--import', 'tsx', CLI_SOURCE, 'thumbnail', folder, '--size', '32', '--out', join(out, 'piped')];
    const run = spawnSync('bash', ['-c', `"$@" 2>&1 | true; exit "\${PIPESTATUS[0]}"`, 'piped', ...command], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.deepEqual(readdirSync(join(out, 'piped')).sort(), ['a_thumbnail.png', 'b_thumbnail.png']);
  });

  test('standard output or error on a full disk (a Slurm log over its quota; /dev/full here): the batch goes on, no stack trace, exit 1 only where output was lost', {
    skip: process.platform !== 'linux',
  }, () => {
    const folder = join(out, 'full-log-slides');
    mkdirSync(folder, { recursive: true });
    copyFileSync(CMU, join(folder, 'a.svs'));
    copyFileSync(CMU, join(folder, 'b.svs'));
    const full = openSync('/dev/full', 'w');
    const run = (stdio: ['ignore', 'pipe' | number, 'pipe' | number], ...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], { encoding: 'utf8', stdio, env: CLEAN_ENV, timeout: 120_000 });
    try {
      const report = join(out, 'full-log.jsonl');
      // Standard error lost (its summary, its messages): the batch and its exit code stand, the paths are printed.
      const quiet = run(['ignore', 'pipe', full], 'thumbnail', folder, '--size', '32', '--out', join(out, 'full-log'), '--report', report);
      assert.equal(quiet.status, 0, quiet.stdout);
      assert.equal(quiet.stdout.trim().split('\n').length, 2, quiet.stdout);
      // Standard output lost (the paths written): said, and the exit code says so, the thumbnails being there.
      const lost = run(['ignore', full, 'pipe'], 'thumbnail', folder, '--size', '32', '--out', join(out, 'full-log-2'));
      assert.equal(lost.status, 1, lost.stderr);
      assert.match(lost.stderr, /slidescope: the standard output could not be written \(ENOSPC\)/);
      assert.doesNotMatch(lost.stderr, /Node\.js|\n\s+at /);
      assert.deepEqual(readdirSync(join(out, 'full-log-2')).sort(), ['a_thumbnail.png', 'b_thumbnail.png']);
      const merged = run(['ignore', full, 'pipe'], 'report', 'merge', report, '--json');
      assert.equal(merged.status, 1, merged.stderr);
      assert.match(merged.stderr, /slidescope: the standard output could not be written \(ENOSPC\)/);
      assert.doesNotMatch(merged.stderr, /Node\.js|\n\s+at /);
    } finally {
      closeSync(full);
    }
  });

  test('a cache folder that cannot be written (a compute node whose home is read-only; under /proc here) does not fail every slide: said once, the batch made', {
    skip: process.platform !== 'linux',
  }, () => {
    const folder = join(out, 'no-cache-slides');
    mkdirSync(folder, { recursive: true });
    copyFileSync(CMU, join(folder, 'a.svs'));
    copyFileSync(CMU, join(folder, 'b.svs'));
    const run = runCli(['thumbnail', folder, '--size', '32', '--out', join(out, 'no-cache')], { env: { XDG_CACHE_HOME: '/proc/slidescope-no-cache' } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(readdirSync(join(out, 'no-cache')).sort(), ['a_thumbnail.png', 'b_thumbnail.png']);
    assert.match(run.stderr, /slidescope: \/proc\/slidescope-no-cache\/slidescope\/partial-writes cannot be written \(ENOENT\).*XDG_CACHE_HOME/);
    assert.equal(run.stderr.match(/cannot be written/g)?.length, 1, run.stderr);
  });

  test("a thumbnail size outside the engine's bounds, or --out naming a file, is a usage error (exit 2), not a failure per slide", () => {
    const dir = join(out, 'bounds');
    for (const [option, value] of [
      ['--size', '0'],
      ['--size', '1.5'],
      ['--size', '100000'],
      ['--power', '0'],
      ['--power', '1001'],
      ['--mpp', '0'],
      ['--mpp', '100001'],
    ] as const) {
      const run = cli('thumbnail', CMU, option, value, '--out', dir);
      assert.equal(run.status, 2, `${option} ${value}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`${option} must be .*\\(got "${value.replace('.', '\\.')}"\\)`));
    }
    assert.equal(existsSync(dir), false);
    const file = join(out, 'not-a-folder.txt');
    writeFileSync(file, 'a file');
    const run = cli('thumbnail', CMU, '--size', '64', '--out', file);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /--out .*not-a-folder\.txt is a file, not a folder/);
  });

  test('a cohort folder that is not there (a share not mounted on a node) is a usage error in every shard, not a slide failed in one while the others end 0', () => {
    const missing = join(out, 'unmounted', 'cohort');
    for (const shard of ['1/2', '2/2']) {
      const run = cli('thumbnail', missing, '--recursive', '--size', '64', '--out', join(out, 'unmounted-out'), '--shard', shard);
      assert.equal(run.status, 2, `${shard}: ${run.stderr}`);
      assert.match(run.stderr, /Cannot read the inputs: \S+unmounted\/cohort does not exist \(a share not mounted on this machine, or mistyped\)/);
    }
    assert.equal(existsSync(join(out, 'unmounted-out')), false);
    // A list's relative paths, written from another folder than the list's: none there, and why.
    mkdirSync(join(out, 'lists'), { recursive: true });
    writeFileSync(join(out, 'lists', 'retry.txt'), 'cohort/a.svs\ncohort/b.svs\n');
    const listed = cli('thumbnail', '--list', join(out, 'lists', 'retry.txt'), '--out', join(out, 'unmounted-out'));
    assert.equal(listed.status, 2, listed.stderr);
    assert.match(
      listed.stderr,
      /none of the 2 paths given exists, such as \S+lists\/cohort\/a\.svs \(.*; a list's relative paths are read from the list's folder\)/,
    );
  });

  test('an engine over its memory cap: the slide fails saying to raise the cap, which a retry alone would meet again', async () => {
    const run = runCli(['thumbnail', await fixturePath('aperio-jpeg-rgb'), '--size', '8000', '--out', join(out, 'capped')], {
      env: { SLIDESCOPE_ENGINE_MEMORY_CAP_MB: '256' },
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(
      run.stderr,
      /WORKER_FAILED: The slide engine stopped \(it used \d+ MB, over its memory cap of 256 MB\)\. A slide this large needs a higher cap: set SLIDESCOPE_ENGINE_MEMORY_CAP_MB above 256\./,
    );
  });

  test('a folder the system will not make (under /proc): the output folder fails the batch once (IO_ERROR), before any slide; the report is a usage error; neither hangs', {
    skip: process.platform !== 'linux',
  }, () => {
    const run = cli('thumbnail', CMU, '--size', '64', '--out', '/proc/slidescope-test');
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /IO_ERROR: Cannot create the output folder \/proc\/slidescope-test \(ENOENT\)/);
    assert.doesNotMatch(run.stderr, /slides?:/);
    // A folder there that refuses writes (even to root): its slides fail before they are read (no
    // vendor: never opened), not each after its decode.
    const refusedReport = join(out, 'refused.jsonl');
    const refusing = cli('thumbnail', CMU, '--size', '64', '--out', '/proc/sys/kernel', '--report', refusedReport);
    assert.equal(refusing.status, 1, refusing.stderr);
    assert.match(refusing.stderr, /IO_ERROR: Cannot write to \/proc\/sys\/kernel \(permission denied\)/);
    const [refused] = readFileSync(refusedReport, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ReportLine);
    assert.deepEqual([refused?.status, refused?.vendor, refused?.error?.code], ['failed', null, 'IO_ERROR']);
    const report = cli('thumbnail', CMU, '--size', '64', '--out', join(out, 'proc-report'), '--report', '/proc/slidescope-test/r.jsonl');
    assert.equal(report.status, 2, report.stderr);
    assert.match(report.stderr, /Cannot write the report \/proc\/slidescope-test\/r\.jsonl/);
  });
});

describe("QuPath's detections drawn in (--detections)", () => {
  const cells = join(out, 'cells.geojson');
  writeFileSync(
    cells,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: boxPolygon(100, 100, 80) },
          properties: { objectType: 'cell', classification: { name: 'Immune cells', color: [160, 90, 160] } },
        },
      ],
    }),
  );

  /** A 10 x 10 region of CMU at its top-left corner, with these options. */
  const tinyRegion = (...options: string[]) => cli('region', CMU, '--x', '0', '--y', '0', '--width', '10', '--height', '10', ...options);

  test('a region at a power, a thumbnail and a comparison draw them; a batch records the file; two slides or a level are usage errors', async () => {
    const region = join(out, 'cells-region.png');
    const run = cmuAt10x('--detections', cells, '--out', region);
    assert.equal(run.status, 0, run.stderr);
    const d = await sharp(region).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...d.data.subarray((y * d.info.width + x) * 3, (y * d.info.width + x) * 3 + 3)];
    assert.deepEqual(at(50, 70), [160, 90, 160], "the cell's left edge at level-0 x 100, downsample 2");
    assert.notDeepEqual(at(70, 70), [160, 90, 160], 'inside it, the slide');
    const folder = join(out, 'cells-thumbs');
    const batch = cli('thumbnail', CMU, '--size', '256', '--detections', cells, '--out', folder, '--report', join(out, 'cells.jsonl'));
    assert.equal(batch.status, 0, batch.stderr);
    const line = JSON.parse(readFileSync(join(out, 'cells.jsonl'), 'utf8').trim().split('\n').at(-1)!) as ReportLine;
    assert.match(line.outputSet ?? '', /--detections cells\.geojson$/);
    const compare = cli('compare', CMU, '--powers', '1.25,2.5', '--detections', cells, '--out', join(out, 'cells-compare.png'));
    assert.equal(compare.status, 0, compare.stderr);
    const others = cli('thumbnail', CMU, sharedSlide('openslide-python_boxes.tiff'), '--detections', cells, '--out', folder);
    assert.equal(others.status, 2);
    assert.match(others.stderr, /--detections FILE draws one slide's detections into its images: give one slide/);
    const atLevel = tinyRegion('--level', '0', '--detections', cells, '--out', join(out, 'lvl.png'));
    assert.equal(atLevel.status, 2);
    assert.equal(existsSync(join(out, 'lvl.png')), false);
    const bad = join(out, 'lines.geojson');
    writeFileSync(
      bad,
      JSON.stringify({
        type: 'Feature',
        geometry: {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
        properties: { objectType: 'detection' },
      }),
    );
    const refused = tinyRegion('--power', '10', '--detections', bad, '--out', join(out, 'bad.png'));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /CORRUPT_DATA: Feature 1: its geometry is a LineString, not an area or a point/);
    assert.equal(existsSync(join(out, 'bad.png')), false);
  });

  test('--detection-style fill:OPACITY draws them filled and see-through, as the app can; a batch records it and will not pass off outlines as it; bad values are usage errors', async () => {
    const region = (name: string, ...style: string[]) => {
      const file = join(out, name);
      const run = cmuAt10x('--detections', cells, ...style, '--out', file);
      assert.equal(run.status, 0, run.stderr);
      return sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    };
    const [plain, filled] = [await region('plain.png'), await region('filled.png', '--detection-style', 'fill:0.5')];
    const at = (d: typeof plain, x: number, y: number) => [...d.data.subarray((y * d.info.width + x) * 3, (y * d.info.width + x) * 3 + 3)];
    const slide = at(plain, 70, 70);
    const fill = 0.45 * 0.5;
    assert.deepEqual(
      at(filled, 70, 70),
      slide.map((v, k) => Math.round(v + ([160, 90, 160][k]! - v) * fill)),
      'inside the cell: its colour at 0.45 of the opacity over the slide',
    );
    const edge = at(plain, 50, 75);
    assert.deepEqual(edge, [160, 90, 160]);
    assert.notDeepEqual(at(filled, 50, 75), edge, 'the outline at half opacity');
    const folder = join(out, 'styled-thumbs');
    const report = join(out, 'styled.jsonl');
    const batch = cli('thumbnail', CMU, '--size', '256', '--detections', cells, '--detection-style', 'fill', '--out', folder, '--report', report);
    assert.equal(batch.status, 0, batch.stderr);
    const line = JSON.parse(readFileSync(report, 'utf8').trim().split('\n').at(-1)!) as ReportLine;
    assert.match(line.outputSet ?? '', /--detections cells\.geojson --detection-style fill$/);
    const outlines = cli('thumbnail', CMU, '--size', '256', '--detections', cells, '--out', folder);
    assert.equal(outlines.status, 1, 'the filled one there is not the outlined one asked for');
    assert.match(outlines.stderr, /made with .*--detection-style fill/);
    for (const [style, message] of [
      ['dots', /--detection-style must be outline or fill/],
      ['fill:0', /opacity must be a number from 0\.1 to 1 \(got "0"\)/],
      ['fill:', /opacity must be a number from 0\.1 to 1/],
      ['fill:0x1', /opacity must be a number from 0\.1 to 1 \(got "0x1"\)/],
      ['outline:1:2', /--detection-style must be outline or fill/],
    ] as const) {
      const refused = tinyRegion('--power', '10', '--detections', cells, '--detection-style', style, '--out', join(out, 'no.png'));
      assert.equal(refused.status, 2, style);
      assert.match(refused.stderr, message);
    }
    const alone = cli('thumbnail', CMU, '--size', '64', '--detection-style', 'fill', '--out', join(out, 'no-thumbs'));
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /--detection-style says how --detections FILE is drawn: give that too/);
    assert.equal(existsSync(join(out, 'no.png')) || existsSync(join(out, 'no-thumbs')), false);
  });

  test('annotations SLIDE --detections FILE counts them by class, --json says the same, --export writes their table; with --import, a usage error', async () => {
    const summary = cli('annotations', CMU, '--detections', cells);
    assert.equal(summary.status, 0, summary.stderr);
    assert.match(summary.stdout, /^cells\.geojson over CMU-1-Small-Region\.svs: 1 detections \(1 cell\)\n {2}Immune cells +1 +100\.0%/);
    const json = cli('annotations', CMU, '--detections', cells, '--json');
    assert.deepEqual(JSON.parse(json.stdout).classes, [{ name: 'Immune cells', count: 1 }]);
    const table = join(out, 'cells-table.tsv');
    const exported = cli('annotations', CMU, '--detections', cells, '--export', table);
    assert.equal(exported.status, 0, exported.stderr);
    assert.deepEqual(readFileSync(table, 'utf8').split('\n').slice(0, 2), [
      'Image\tObject ID\tObject type\tClassification\tParent\tROI\tCentroid X µm\tCentroid Y µm',
      'CMU-1-Small-Region.svs\t\tCell\tImmune cells\tImage\tPolygon\t69.86\t69.86',
    ]);
    const both = cli('annotations', CMU, '--detections', cells, '--import', cells);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--detections FILE takes one slide, and --export FILE\.csv/);
  });
});
