// The app's exporter with fake dialogs over the engine's real operations (answered in process) and CMU-1-Small-Region.svs
// (2220 x 2967, 20x, 0.499 µm/px): names, sizes, where the dialogs start, overwrite and cancel.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import sharp from 'sharp';
import { writeGeoJson } from '../../shared/annotation-geojson';
import { emptyDocument } from '../../shared/annotations';
import type { DetectionDrawing } from '../../shared/detections';
import { ok, type Result } from '../../shared/errors';
import { legendLabels } from '../../shared/i18n/class-label';
import { createTranslator } from '../../shared/i18n/i18n';
import type { ExportProgress, ImageFormat } from '../../shared/ipc';
import type { ExportResult, LegendLabels } from '../../shared/operations';
import { StubAnnotationDialogs } from '../../testing/fakes/annotation-dialogs';
import { ipcHandlerDeps } from '../../testing/fakes/ipc-handler-deps';
import { InProcessEngine } from '../../testing/in-process-engine';
import { sharedSlide } from '../../testing/paths';
import { AnnotationStore } from '../annotations/annotation-store';
import { type ExportDialogs, Exporter, withFormatExtension } from './exporter';
import type { OwnedSlide } from './ipc-handlers';
import { createIpcHandlers } from './ipc-handlers';
import { RecentFiles } from './recent-files';
import { SlideAnnotationFiles } from './slide-annotations';

const SENDER = 7;
const STEM = 'CMU-1-Small-Region';

/** Dialogs that answer what the test set and record what they were asked. */
class FakeDialogs implements ExportDialogs {
  thumbnailAnswer: string | null = null;
  folderAnswer: string | null = null;
  replaceAnswer = false;
  readonly calls: Array<{ dialog: string; senderId: number; arg: unknown }> = [];

  async chooseThumbnailPath(senderId: number, defaultPath: string, format: ImageFormat) {
    this.calls.push({ dialog: 'thumbnail', senderId, arg: { defaultPath, format } });
    return this.thumbnailAnswer;
  }
  async chooseFolder(senderId: number, defaultPath: string) {
    this.calls.push({ dialog: 'folder', senderId, arg: defaultPath });
    return this.folderAnswer;
  }
  async confirmOverwrite(senderId: number, existing: string[]) {
    this.calls.push({ dialog: 'overwrite', senderId, arg: existing });
    return this.replaceAnswer;
  }
  of(dialog: string) {
    return this.calls.filter((c) => c.dialog === dialog);
  }
}

function files(result: Result<ExportResult>): string[] {
  if (!result.ok) assert.fail(`expected files, got ${result.error.code}: ${result.error.message}`);
  return result.value.files;
}

function refused(result: Result<unknown>, code: string, message?: RegExp): void {
  assert.equal(result.ok ? 'ok' : result.error.code, code);
  if (message && !result.ok) assert.match(result.error.message, message);
}

async function size(path: string): Promise<string> {
  const meta = await sharp(path).metadata();
  return `${meta.width}x${meta.height}`;
}

describe('Exporter', () => {
  const engine = new InProcessEngine();
  let slide: OwnedSlide;
  let out: string;
  let dialogs: FakeDialogs;
  let progress: Array<{ senderId: number } & ExportProgress>;
  let exporter: Exporter;
  /** What was put on the clipboard. */
  let clipboard: Uint8Array[];

  before(async () => {
    const path = sharedSlide('CMU-1-Small-Region.svs');
    const opened = await engine.open(path, SENDER);
    assert.ok(opened.ok);
    slide = { slideId: opened.value.slideId, path, info: opened.value.info, source: 'drop' };
  });
  after(async () => {
    await engine.dispose();
  });
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'slidescope-exporter-'));
    dialogs = new FakeDialogs();
    progress = [];
    clipboard = [];
    exporter = new Exporter({
      engine,
      dialogs,
      clipboard: { writePng: (png) => clipboard.push(png) },
      sendProgress: (senderId, p) => progress.push({ senderId, ...p }),
    });
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('thumbnail: the save dialog starts at <slide>_thumbnail.<ext> beside the slide, then in the last export folder', async () => {
    dialogs.thumbnailAnswer = join(out, 'thumb.png');
    const result = await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'power', objectivePower: 1.25 }, format: 'png' });
    assert.deepEqual(files(result), [join(out, 'thumb.png')]);
    assert.deepEqual(dialogs.of('thumbnail')[0], {
      dialog: 'thumbnail',
      senderId: SENDER,
      arg: { defaultPath: join(dirname(slide.path), `${STEM}_thumbnail.png`), format: 'png' },
    });
    // TIAToolbox's slide_thumbnail at 1.25x: 2220/16 x 2967/16, rounded.
    assert.equal(await size(join(out, 'thumb.png')), '139x185');
    assert.equal((await sharp(join(out, 'thumb.png')).metadata()).format, 'png');
    assert.ok(progress.length >= 2 && progress.every((p) => p.senderId === SENDER));
    assert.deepEqual(progress.at(-1), { senderId: SENDER, jobId: progress[0]!.jobId, done: 1, total: 1, label: 'thumbnail' });

    // The next export starts where the last one went; JPEG gets .jpg, also when the name has none.
    dialogs.thumbnailAnswer = join(out, 'no-extension');
    const jpeg = await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'size', longestSide: 400 }, format: 'jpeg' });
    assert.deepEqual(files(jpeg), [join(out, 'no-extension.jpg')]);
    assert.deepEqual(dialogs.of('thumbnail')[1]?.arg, { defaultPath: join(out, `${STEM}_thumbnail.jpg`), format: 'jpeg' });
    assert.equal(await size(join(out, 'no-extension.jpg')), '299x400');
    assert.equal((await sharp(join(out, 'no-extension.jpg')).metadata()).format, 'jpeg');
    // Each export is its own job.
    assert.notEqual(progress.at(-1)?.jobId, progress[0]?.jobId);

    dialogs.thumbnailAnswer = join(out, 'by-mpp.tif');
    await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'mpp', mpp: 8 }, format: 'tiff' });
    assert.equal(await size(join(out, 'by-mpp.tif')), '138x185');
  });

  it('region: a level-0 rectangle at a power, named by its magnification and corner; refusals never open the dialog', async () => {
    dialogs.thumbnailAnswer = join(out, 'view.png');
    const request = { slideId: slide.slideId, x: 600.4, y: 1000, width: 800, height: 500, objectivePower: 10, format: 'png' as const, scaleBar: true };
    assert.deepEqual(files(await exporter.exportRegion(SENDER, slide, request)), [join(out, 'view.png')]);
    assert.deepEqual(dialogs.of('thumbnail')[0]?.arg, { defaultPath: join(dirname(slide.path), `${STEM}_10x_x600_y1000.png`), format: 'png' });
    // 800 x 500 level-0 pixels at 10x of a 20x scan.
    assert.equal(await size(join(out, 'view.png')), '400x250');
    assert.deepEqual(
      progress.map((p) => p.label),
      ['10x'],
    );

    for (const [bad, message] of [
      [{ objectivePower: 40 }, /beyond this slide's scan/],
      [{ x: 5000 }, /outside the slide/],
      [{ x: 0, y: 0, width: 2 ** 40, height: 2 ** 40, objectivePower: 20 }, /more than one image may be/],
    ] as const) {
      refused(await exporter.exportRegion(SENDER, slide, { ...request, ...bad }), 'INVALID_ARGUMENT', message);
    }
    assert.equal(dialogs.of('thumbnail').length, 1);
    dialogs.thumbnailAnswer = null;
    assert.deepEqual(files(await exporter.exportRegion(SENDER, slide, request)), []);
  });

  it('copy: the region as the Region export makes it, a PNG on the clipboard with no dialog and no file; refusals copy nothing', async () => {
    const request = { slideId: slide.slideId, x: 600.4, y: 1000, width: 800, height: 500, objectivePower: 10, scaleBar: true };
    const copied = await exporter.copyRegion(slide, request);
    assert.deepEqual(copied, ok({ width: 400, height: 250 }));
    assert.equal(clipboard.length, 1);
    const png = await sharp(clipboard[0]!).metadata();
    assert.deepEqual([png.format, png.width, png.height], ['png', 400, 250]);
    // The same pixels as the file the Region export writes.
    dialogs.thumbnailAnswer = join(out, 'view.png');
    await exporter.exportRegion(SENDER, slide, { ...request, format: 'png' });
    const raw = (input: Uint8Array | string) => sharp(input).raw().toBuffer();
    assert.ok((await raw(clipboard[0]!)).equals(await raw(join(out, 'view.png'))));
    assert.equal(dialogs.of('thumbnail').length, 1);
    assert.deepEqual(progress.length, 1, 'only the file export told its progress');

    refused(await exporter.copyRegion(slide, { ...request, x: 5000 }), 'INVALID_ARGUMENT', /outside the slide/);
    refused(await exporter.copyRegion(slide, { ...request, objectivePower: 40 }), 'INVALID_ARGUMENT', /beyond this slide's scan/);
    assert.equal(clipboard.length, 1);
  });

  it('thumbnail: a cancelled dialog writes nothing; a refused magnification never opens the dialog', async () => {
    dialogs.thumbnailAnswer = null;
    assert.deepEqual(
      files(await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'power', objectivePower: 5 }, format: 'png' })),
      [],
    );
    assert.equal(dialogs.of('thumbnail').length, 1);
    assert.deepEqual(progress, []);

    refused(
      await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'power', objectivePower: 40 }, format: 'png' }),
      'INVALID_ARGUMENT',
      /beyond this slide's scan \(20x at most\)/,
    );
    refused(
      await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'mpp', mpp: 0.25 }, format: 'png' }),
      'INVALID_ARGUMENT',
      /finer than this slide's scan \(0\.50 µm\/px/,
    );
    assert.equal(dialogs.of('thumbnail').length, 1);
  });

  it('thumbnail: a name the save dialog confirmed is replaced; an appended extension is asked about', async () => {
    const confirmed = join(out, 'old.png');
    await writeFile(confirmed, 'old');
    dialogs.thumbnailAnswer = confirmed;
    await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'power', objectivePower: 1.25 }, format: 'png' });
    assert.equal(await size(confirmed), '139x185');
    assert.equal(dialogs.of('overwrite').length, 0);

    // The user typed "old" for a PNG: the dialog confirmed nothing about old.png.
    await writeFile(confirmed, 'old');
    dialogs.thumbnailAnswer = join(out, 'old');
    dialogs.replaceAnswer = false;
    assert.deepEqual(
      files(await exporter.exportThumbnail(SENDER, slide, { slideId: slide.slideId, spec: { kind: 'power', objectivePower: 1.25 }, format: 'png' })),
      [],
    );
    assert.deepEqual(dialogs.of('overwrite')[0]?.arg, [confirmed]);
    assert.equal(await readFile(confirmed, 'utf8'), 'old');
  });

  it('comparison: one image per magnification and the composite, named as TIAToolbox named them', async () => {
    dialogs.folderAnswer = out;
    const powers = [1.25, 2.5, 5, 10];
    const result = { files: files(await exporter.exportComparison(SENDER, slide, { slideId: slide.slideId, powers, mode: { kind: 'slide' }, format: 'png' })) };
    const names = [`${STEM}_1.25x.png`, `${STEM}_2.5x.png`, `${STEM}_5x.png`, `${STEM}_10x.png`, `${STEM}_resolution_comparison.png`];
    assert.deepEqual(
      result.files,
      names.map((n) => join(out, n)),
    );
    assert.deepEqual(dialogs.of('folder')[0], { dialog: 'folder', senderId: SENDER, arg: dirname(slide.path) });
    assert.equal(dialogs.of('overwrite').length, 0, 'nothing existed, so nothing is asked');
    assert.deepEqual(await Promise.all(result.files.slice(0, 4).map(size)), ['139x185', '278x371', '555x742', '1110x1484']);
    const composite = await sharp(result.files[4]!).metadata();
    assert.ok((composite.width ?? 0) > 1024 && (composite.height ?? 0) > 1024, `composite ${composite.width}x${composite.height}`);
    assert.deepEqual(
      progress.map((p) => `${p.done}/${p.total} ${p.label}`),
      ['0/6 1.25x', '1/6 2.5x', '2/6 5x', '3/6 10x', '4/6 comparison', '5/6 writing', '6/6 done'],
    );
    assert.ok(progress.every((p) => p.senderId === SENDER && p.jobId === progress[0]!.jobId));
  });

  it('comparison: a field of view is panel-sized at every magnification', async () => {
    dialogs.folderAnswer = out;
    const mode = { kind: 'field', centerX: 1110, centerY: 1480, panelWidth: 480, panelHeight: 320 } as const;
    const result = { files: files(await exporter.exportComparison(SENDER, slide, { slideId: slide.slideId, powers: [2.5, 20], mode, format: 'jpeg' })) };
    assert.deepEqual(
      result.files,
      [`${STEM}_2.5x.jpg`, `${STEM}_20x.jpg`, `${STEM}_resolution_comparison.jpg`].map((n) => join(out, n)),
    );
    assert.deepEqual(await Promise.all(result.files.slice(0, 2).map(size)), ['480x320', '480x320']);
  });

  it('comparison: existing files are asked about once; Cancel keeps them, Replace overwrites', async () => {
    dialogs.folderAnswer = out;
    const request = { slideId: slide.slideId, powers: [1.25, 10], mode: { kind: 'slide' } as const, format: 'png' as const };
    const first = join(out, `${STEM}_1.25x.png`);
    const composite = join(out, `${STEM}_resolution_comparison.png`);
    await writeFile(first, 'mine');
    await writeFile(composite, 'mine too');

    dialogs.replaceAnswer = false;
    assert.deepEqual(files(await exporter.exportComparison(SENDER, slide, request)), []);
    assert.deepEqual(
      dialogs.of('overwrite').map((c) => c.arg),
      [[first, composite]],
    );
    assert.equal(await readFile(first, 'utf8'), 'mine');
    assert.equal(await readFile(composite, 'utf8'), 'mine too');
    await assert.rejects(stat(join(out, `${STEM}_10x.png`)), 'nothing is written after Cancel');
    assert.deepEqual(progress, []);

    dialogs.replaceAnswer = true;
    assert.equal(files(await exporter.exportComparison(SENDER, slide, request)).length, 3);
    assert.equal(dialogs.of('overwrite').length, 2, 'asked once per export');
    assert.equal(await size(first), '139x185');
  });

  it('comparison: a file that appears after the check is refused (EXISTS), never overwritten', async () => {
    dialogs.folderAnswer = out;
    const late = join(out, `${STEM}_1.25x.png`);
    // Another program writes the first file while the export starts.
    const racing = new Exporter({
      engine,
      clipboard: { writePng: () => assert.fail('nothing is copied') },
      dialogs,
      sendProgress: (_sender, p) => {
        if (p.done === 0) writeFileSync(late, 'theirs');
      },
      exists: () => false,
    });
    refused(await racing.exportComparison(SENDER, slide, { slideId: slide.slideId, powers: [1.25], mode: { kind: 'slide' }, format: 'png' }), 'EXISTS');
    assert.equal(await readFile(late, 'utf8'), 'theirs');
  });

  it('comparison: a cancelled folder dialog writes nothing; magnifications beyond the scan are refused first', async () => {
    dialogs.folderAnswer = null;
    assert.deepEqual(
      files(await exporter.exportComparison(SENDER, slide, { slideId: slide.slideId, powers: [1.25], mode: { kind: 'slide' }, format: 'png' })),
      [],
    );
    assert.equal(dialogs.of('overwrite').length, 0);
    refused(
      await exporter.exportComparison(SENDER, slide, { slideId: slide.slideId, powers: [10, 40], mode: { kind: 'slide' }, format: 'png' }),
      'INVALID_ARGUMENT',
      /40x is beyond/,
    );
    assert.equal(dialogs.of('folder').length, 1, 'the refused request never asked for a folder');
  });

  it("annotations drawn in: the legend names QuPath's classes in main's language", async () => {
    const marks = join(out, 'marks.geojson');
    const doc = emptyDocument();
    doc.annotations.push({ id: crypto.randomUUID(), name: '', description: '', classification: 'Tumor', shape: { kind: 'point', points: [100, 100] } });
    await writeFile(marks, writeGeoJson(doc));
    const widthWith = async (legend: (() => LegendLabels) | undefined, name: string) => {
      const drawing = new Exporter({
        engine,
        dialogs,
        clipboard: { writePng: () => undefined },
        sendProgress: () => undefined,
        overlays: { storedFile: async () => marks, detectionsFile: () => null },
        ...(legend ? { legend } : {}),
      });
      dialogs.thumbnailAnswer = join(out, name);
      const result = await drawing.exportThumbnail(SENDER, slide, {
        slideId: slide.slideId,
        spec: { kind: 'size', longestSide: 60 },
        format: 'png',
        annotations: true,
      });
      return (await sharp(files(result)[0]!).metadata()).width ?? 0;
    };
    const korean = legendLabels(createTranslator('ko').t);
    // A 60 px thumbnail is narrower than its legend: the image is as wide as the legend's row, '종양 (Tumor)' wider than 'Tumor'.
    assert.ok((await widthWith(() => korean, 'ko.png')) > (await widthWith(undefined, 'stored.png')) + 20);
  });

  it('the file detections:read read for the slide, when the page asks (detections: true), and only then', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slidescope-exporter-detections-'));
    try {
      const cells = join(dataDir, 'cells.geojson');
      const ring = [
        [200, 200],
        [1800, 200],
        [1800, 2600],
        [200, 2600],
        [200, 200],
      ];
      const cell = {
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [ring] },
        properties: { objectType: 'cell', classification: { name: 'Odd', color: [1, 254, 3] } },
      };
      await writeFile(cells, JSON.stringify({ type: 'FeatureCollection', features: [cell] }));
      const recent = new RecentFiles({ dir: dataDir });
      const annotationDialogs = new StubAnnotationDialogs();
      const annotations = new SlideAnnotationFiles(new AnnotationStore({ dataDir }), annotationDialogs);
      const drawing = new Exporter({
        engine,
        dialogs,
        clipboard: { writePng: () => undefined },
        sendProgress: () => undefined,
        overlays: annotations,
      });
      const ipc = createIpcHandlers(ipcHandlerDeps(engine, dataDir, { recent, exporter: drawing, annotations }));
      const opened = (await ipc.dispatch('slide:open-dropped', SENDER, { path: slide.path })) as Result<{ slideId: string }>;
      assert.ok(opened.ok);
      const { slideId } = opened.value;
      const showDetections = async () => {
        const chosen = (await ipc.dispatch('detections:choose', SENDER, { slideId })) as Result<string | null>;
        assert.ok(chosen.ok && chosen.value);
        return (await ipc.dispatch('detections:read', SENDER, { slideId, path: chosen.value })) as Result<{ count: number }>;
      };
      const greens = async (name: string, detections?: boolean, detectionClasses?: Array<string | null>, detectionDrawing?: DetectionDrawing) => {
        dialogs.thumbnailAnswer = join(dataDir, name);
        const result = await ipc.dispatch('export:thumbnail', SENDER, {
          slideId,
          spec: { kind: 'size', longestSide: 300 },
          format: 'png',
          ...(detections === undefined ? {} : { detections }),
          ...(detectionClasses === undefined ? {} : { detectionClasses }),
          ...(detectionDrawing === undefined ? {} : { detectionDrawing }),
        });
        const { data } = await sharp(files(result as Result<ExportResult>)[0]!)
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        let n = 0;
        for (let i = 0; i < data.length; i += 3) if (data[i] === 1 && data[i + 1] === 254 && data[i + 2] === 3) n++;
        return n;
      };
      assert.equal(await greens('before.png', true), 0, 'no detections shown yet: nothing to draw');
      const noTable = await ipc.dispatch('detections:export-table', SENDER, { slideId });
      refused(noTable as Result<ExportResult>, 'INVALID_ARGUMENT', /No detections are shown/);
      annotationDialogs.detectionsPath = cells;
      const read = await showDetections();
      assert.deepEqual(read.ok && read.value.count, 1);
      assert.deepEqual(annotationDialogs.calls.at(-1), { dialog: 'detections', defaultFolder: dirname(slide.path) });
      assert.ok((await greens('with.png', true)) > 400, "the cell's outline, and the legend's swatch");
      assert.equal(await greens('without.png'), 0, 'not asked for');
      // As the window shows them: the classes it hides are not drawn (nor in the legend).
      assert.equal(await greens('hidden.png', true, [null]), 0, 'its class hidden');
      const shown = await greens('shown.png', true, ['Odd', null]);
      assert.ok(shown > 400, 'its class shown');
      // As it draws them: at half opacity the outline is blended with the slide, the legend's swatch alone is the class's colour.
      const faint = await greens('faint.png', true, undefined, { style: 'fill', nuclei: true, opacity: 0.5 });
      assert.ok(faint > 0 && faint < shown - 400, `${faint} pixels of the colour, against ${shown}`);
      // Their measurement table, where the save dialog says.
      annotationDialogs.exportPath = join(dataDir, 'cells.tsv');
      const table = (await ipc.dispatch('detections:export-table', SENDER, { slideId })) as Result<ExportResult>;
      assert.deepEqual(files(table), [join(dataDir, 'cells.tsv')]);
      assert.match(
        await readFile(join(dataDir, 'cells.tsv'), 'utf8'),
        /^Image\tObject ID\tObject type\tClassification\tParent\tROI\tCentroid X µm\tCentroid Y µm\n.+\t\tCell\tOdd\tImage\tPolygon\t/,
      );
      assert.deepEqual(annotationDialogs.calls.at(-1), {
        dialog: 'export',
        defaultPath: join(dirname(slide.path), 'CMU-1-Small-Region_detections.csv'),
        format: 'csv',
      });
      // The annotations' table while they are shown: the engine writes it, with them counted (none stored: the header, no shape's columns).
      annotationDialogs.exportPath = join(dataDir, 'annotations.tsv');
      const counted = (await ipc.dispatch('annotations:export', SENDER, { slideId, format: 'csv' })) as Result<ExportResult>;
      assert.deepEqual(files(counted), [join(dataDir, 'annotations.tsv')]);
      assert.match(await readFile(join(dataDir, 'annotations.tsv'), 'utf8'), /\tCentroid Y µm\tNum Detections\tNum Odd\tDescription\n/);
      // A file of no detections (annotations only) is said so, and the window keeps showing the cells: so do its exports.
      const none = join(dataDir, 'annotations.geojson');
      await writeFile(none, JSON.stringify({ type: 'FeatureCollection', features: [{ ...cell, properties: { objectType: 'annotation' } }] }));
      annotationDialogs.detectionsPath = none;
      const empty = await showDetections();
      assert.deepEqual(empty.ok && empty.value.count, 0);
      assert.ok((await greens('after-empty.png', true)) > 400, 'the cells the window still shows');
      await ipc.releaseAll();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('through the IPC handlers: results reach the renderer as files it may show in the folder', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slidescope-exporter-ipc-'));
    try {
      const ipc = createIpcHandlers(ipcHandlerDeps(engine, dataDir, { exporter }));
      const opened = (await ipc.dispatch('slide:open-dropped', SENDER, { path: slide.path })) as Result<{ slideId: string }>;
      assert.ok(opened.ok);
      dialogs.thumbnailAnswer = join(out, 'via-ipc.png');
      const result = await ipc.dispatch('export:thumbnail', SENDER, {
        slideId: opened.value.slideId,
        spec: { kind: 'power', objectivePower: 2.5 },
        format: 'png',
      });
      assert.deepEqual(result, { ok: true, value: { files: [join(out, 'via-ipc.png')] } });
      assert.equal((await ipc.dispatch('export:show-in-folder', SENDER, { path: join(out, 'via-ipc.png') })).ok, true);
      const tooFar = await ipc.dispatch('export:comparison', SENDER, { slideId: opened.value.slideId, powers: [80], mode: { kind: 'slide' }, format: 'png' });
      refused(tooFar, 'INVALID_ARGUMENT');
      await ipc.releaseAll();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('withFormatExtension', () => {
  it('keeps a matching extension and appends the format otherwise', () => {
    assert.equal(withFormatExtension('/a/b.png', 'png'), '/a/b.png');
    assert.equal(withFormatExtension('/a/b.JPEG', 'jpeg'), '/a/b.JPEG');
    assert.equal(withFormatExtension('/a/b.tiff', 'tiff'), '/a/b.tiff');
    assert.equal(withFormatExtension('/a/b', 'jpeg'), '/a/b.jpg');
    assert.equal(withFormatExtension('/a/b.png', 'jpeg'), '/a/b.png.jpg');
  });
});
