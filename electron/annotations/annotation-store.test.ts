import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readGeoJson } from '../../shared/annotation-geojson';
import { type AnnotationDocument, emptyDocument } from '../../shared/annotations';
import { LIMITS } from '../../shared/limits';
import { everyKind, squareFeature } from '../../testing/annotation-samples';
import { writeFileAtomic } from '../engine/export/atomic-file';
import { slideIdentity } from '../engine/slide-identity';
import { AnnotationStore, sidecarPath } from './annotation-store';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slidescope-annotation-store-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A stand-in slide: the store reads only its size and first bytes. */
async function slide(folder: string, name: string, content = 'II*\u0000 a slide header'): Promise<string> {
  await mkdir(join(root, folder), { recursive: true });
  const path = join(root, folder, name);
  await writeFile(path, content);
  return path;
}

/** A store whose writes fail in `readOnly` folders, as a read-only share's would. */
function store(readOnly: string[] = []) {
  const writes: string[] = [];
  return {
    writes,
    store: new AnnotationStore({
      dataDir: join(root, 'app-data', 'annotations'),
      write: async (path, bytes) => {
        writes.push(path);
        if (readOnly.some((folder) => dirname(path) === join(root, folder))) throw Object.assign(new Error('read-only'), { code: 'EROFS' });
        await writeFileAtomic(path, bytes, true);
      },
    }),
  };
}

describe('the annotation store', () => {
  it('saves beside the slide as <slide name>.annotations.geojson, atomically, and reads it back', async () => {
    const path = await slide('cohort', 'CMU-1.svs');
    const { store: s } = store();
    assert.deepEqual(await s.load(path), { document: emptyDocument(), location: null, unreadable: null });
    const location = await s.save(path, everyKind());
    assert.deepEqual(location, { path: join(root, 'cohort', 'CMU-1.svs.annotations.geojson'), beside: true });
    assert.equal(sidecarPath(path), location.path);
    assert.deepEqual(await readdir(join(root, 'cohort')), ['CMU-1.svs', 'CMU-1.svs.annotations.geojson'], 'no temporary file left');
    // What is beside the slide is plain QuPath GeoJSON.
    assert.deepEqual(readGeoJson(await readFile(location.path, 'utf8'), { newId: () => 'x' }), everyKind());
    assert.deepEqual(await new AnnotationStore({ dataDir: join(root, 'elsewhere') }).load(path), { document: everyKind(), location, unreadable: null });
  });

  it("a stored file holding QuPath's detections (written by QuPath or a notebook) is read whole and saved whole", async () => {
    const path = await slide('detections', 'CMU-1.svs');
    const features = ['annotation', 'detection', 'cell'].map((objectType) => squareFeature({ objectType }));
    await writeFile(sidecarPath(path), JSON.stringify({ type: 'FeatureCollection', features }));
    const { store: s } = store();
    const loaded = await s.load(path);
    assert.equal(loaded.document.annotations.length, 3);
    await s.save(path, loaded.document);
    assert.equal(readGeoJson(await readFile(sidecarPath(path), 'utf8'), { newId: () => 'x' }).annotations.length, 3);
  });

  it("a read-only folder: the app's data folder, keyed by the slide's identity, found again when the slide is moved", async () => {
    const path = await slide('read-only', 'teaching.svs', 'II*\u0000 teaching slide');
    const { store: s } = store(['read-only']);
    const location = await s.save(path, everyKind());
    assert.equal(location.beside, false);
    assert.equal(location.path, join(root, 'app-data', 'annotations', `${await slideIdentity(path)}.annotations.geojson`));
    assert.match(location.path, /[/\\]\d+-[0-9a-f]{32}\.annotations\.geojson$/);
    // Moved (copied) elsewhere, where nothing is beside it: the same annotations.
    await mkdir(join(root, 'moved'));
    const moved = join(root, 'moved', 'renamed.svs');
    await copyFile(path, moved);
    assert.deepEqual((await s.load(moved)).document, everyKind());
    // Another slide does not see them.
    const other = await slide('read-only2', 'teaching.svs', 'II*\u0000 another slide');
    assert.equal((await s.load(other)).location, null);
    // Where the folder takes files, what is beside the slide wins.
    await s.save(moved, emptyDocument());
    assert.deepEqual((await s.load(moved)).location, { path: sidecarPath(moved), beside: true });
    assert.deepEqual((await s.load(moved)).document, emptyDocument());
  });

  it('saves one at a time per slide, in the order asked: the last one stays', async () => {
    const path = await slide('busy', 'a.svs');
    const { store: s } = store();
    const docs = [1, 2, 3, 4, 5].map((n) => ({ ...everyKind(), annotations: everyKind().annotations.slice(0, n) }));
    await Promise.all(docs.map((doc) => s.save(path, doc)));
    assert.equal((await s.load(path)).document.annotations.length, 5);
  });

  it('a stored file that cannot be read is kept aside, not written over; the slide opens with none', async () => {
    const path = await slide('damaged', 'b.svs');
    await writeFile(sidecarPath(path), '{"type":"FeatureCollection","features":[\n{"type":"Feature",}\n]}');
    const { store: s } = store();
    const loaded = await s.load(path);
    assert.deepEqual(loaded.document, emptyDocument());
    assert.equal(loaded.location, null);
    assert.equal(loaded.unreadable?.code, 'CORRUPT_DATA');
    assert.match(loaded.unreadable?.message ?? '', /line 2/);
    assert.match(loaded.unreadable?.keptAs ?? '', /b\.svs\.annotations\.geojson\.unreadable-/);
    assert.match(await readFile(loaded.unreadable?.keptAs ?? '', 'utf8'), /"Feature",}/);
    await s.save(path, everyKind());
    assert.equal((await readdir(join(root, 'damaged'))).length, 3, 'the slide, the kept file and the new one');
  });

  it('a folder that is one slide (a DICOM series): beside it, or under an identity from its files, found again when it is copied', async () => {
    const series = join(root, 'dicom', 'series-1');
    await mkdir(series, { recursive: true });
    await writeFile(join(series, 'level-0.dcm'), 'DICM level 0');
    await writeFile(join(series, 'level-1.dcm'), 'DICM level 1');
    const { store: s } = store();
    assert.deepEqual(await s.load(series), { document: emptyDocument(), location: null, unreadable: null });
    assert.deepEqual(await s.save(series, everyKind()), { path: join(root, 'dicom', 'series-1.annotations.geojson'), beside: true });
    // Read-only beside it: the data folder, keyed by the files, the same for a copy of the folder elsewhere.
    const { store: readOnly } = store(['dicom']);
    await rm(join(root, 'dicom', 'series-1.annotations.geojson'));
    const location = await readOnly.save(series, everyKind());
    assert.equal(location.beside, false);
    const copy = join(root, 'copied', 'renamed-series');
    await mkdir(copy, { recursive: true });
    for (const name of await readdir(series)) await copyFile(join(series, name), join(copy, name));
    // A file browser's own files in the copy (.DS_Store, Thumbs.db) do not make it another slide.
    await writeFile(join(copy, '.DS_Store'), 'Finder');
    await writeFile(join(copy, 'Thumbs.db'), 'Explorer');
    assert.equal(await slideIdentity(copy), await slideIdentity(series));
    assert.deepEqual((await readOnly.load(copy)).document, everyKind());
    // Another series (a file differs) is another slide.
    await writeFile(join(copy, 'level-1.dcm'), 'DICM level 1, another');
    assert.notEqual(await slideIdentity(copy), await slideIdentity(series));
  });

  it('nowhere to write: IO_ERROR naming both places', async () => {
    const path = await slide('nowhere', 'c.svs');
    const s = new AnnotationStore({
      dataDir: join(root, 'app-data-2'),
      write: async () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    });
    await assert.rejects(
      s.save(path, everyKind()),
      (error: Error & { code?: string }) => error.code === 'IO_ERROR' && /beside it .* nor in the app's data folder/.test(error.message),
    );
  });

  it("the app's data folder on a full disk (after a read-only one beside the slide): NO_SPACE", async () => {
    const path = await slide('full', 'd.svs');
    const s = new AnnotationStore({
      dataDir: join(root, 'app-data-3'),
      write: async (to) => {
        if (to.startsWith(join(root, 'app-data-3'))) throw Object.assign(new Error('EDQUOT: disk quota exceeded'), { code: 'EDQUOT' });
        throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
      },
    });
    await assert.rejects(s.save(path, everyKind()), (error: Error & { code?: string }) => error.code === 'NO_SPACE' && /EDQUOT/.test(error.message));
  });

  it('never writes a document it would refuse to read: past a limit TOO_LARGE, a bad field CORRUPT_DATA, the stored file untouched', async () => {
    const path = await slide('gate', 'e.svs');
    const { store: s, writes } = store();
    await s.save(path, everyKind());
    const before = await readFile(sidecarPath(path), 'utf8');
    writes.length = 0;
    const point = everyKind().annotations[1]!;
    const tooMany: AnnotationDocument = {
      classes: [],
      annotations: Array.from({ length: LIMITS.maxAnnotations + 1 }, (_, i) => ({ ...point, id: `p-${i}` })),
    };
    await assert.rejects(
      s.save(path, tooMany),
      (error: Error & { code?: string }) =>
        error.code === 'TOO_LARGE' && /^The annotations of e\.svs were not saved: annotations are 200001, more than the 200000/.test(error.message),
    );
    // One outline of 300,000 vertices (which the GeoJSON reader refuses): refused before it is written.
    const outline = { ...point, shape: { kind: 'line' as const, points: Array.from({ length: 600_000 }, (_, i) => i) } };
    await assert.rejects(
      s.save(path, { classes: [], annotations: [outline] }),
      (error: Error & { code?: string }) => error.code === 'TOO_LARGE' && /Annotation 1: shape has 300000 vertices/.test(error.message),
    );
    await assert.rejects(
      s.save(path, { ...everyKind(), classes: [{ name: 'a\nb', color: [0, 0, 0] }] }),
      (error: Error & { code?: string }) => error.code === 'CORRUPT_DATA' && /classes\.0\.name must be one line/.test(error.message),
    );
    assert.deepEqual(writes, []);
    assert.equal(await readFile(sidecarPath(path), 'utf8'), before);
    assert.deepEqual((await s.load(path)).document, everyKind());
  });
});
