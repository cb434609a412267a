import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readGeoJson, writeGeoJson } from '../../shared/annotation-geojson';
import { type AnnotationDocument, emptyDocument, mergeDocuments } from '../../shared/annotations';
import { LIMITS } from '../../shared/limits';
import { everyKind, qupathObjects, squareFeature } from '../../testing/annotation-samples';
import { writeFileAtomic } from '../engine/export/atomic-file';
import { slideIdentity } from '../engine/slide-identity';
import { parseAnnotations } from './annotation-files';
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

/** A store whose writes and renames fail in `readOnly` folders, as a read-only share's would. */
function store(readOnly: string[] = [], dataDir = join(root, 'app-data', 'annotations')) {
  const writes: string[] = [];
  const refuse = (path: string) => {
    if (readOnly.some((folder) => dirname(path) === join(root, folder)))
      throw Object.assign(new Error(`EROFS: read-only file system, rename '${path}'`), { code: 'EROFS' });
  };
  return {
    writes,
    store: new AnnotationStore({
      dataDir,
      write: async (path, bytes) => {
        writes.push(path);
        refuse(path);
        await writeFileAtomic(path, bytes, true);
      },
      rename: async (from, to) => {
        refuse(from);
        await rename(from, to);
      },
      writable: async (folder) => !readOnly.some((f) => folder === join(root, f)),
    }),
  };
}

/** A file's time set back a day: written before what the test writes next. */
async function older(path: string): Promise<void> {
  const yesterday = new Date(Date.now() - 86_400_000);
  await utimes(path, yesterday, yesterday);
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

  it('a QuPath export stored beside the slide: after an edit of one annotation, every other feature is as it was, and the edited one keeps all but what changed', async () => {
    const path = await slide('qupath-export', 'CMU-1.svs');
    const before = qupathObjects();
    await writeFile(sidecarPath(path), JSON.stringify(before, null, 2));
    const { store: s } = store();
    const loaded = await s.load(path);
    assert.equal(loaded.document.annotations.length, before.features.length, 'detections, cells, tiles and cores are shown too');
    const [first, ...others] = loaded.document.annotations;
    assert.ok(first);
    await s.save(path, { ...loaded.document, annotations: [{ ...first, name: 'Region 1 (checked)', classification: 'Stroma' }, ...others] });
    const after = JSON.parse(await readFile(sidecarPath(path), 'utf8')) as ReturnType<typeof qupathObjects>;
    assert.deepEqual(after.features.slice(1), before.features.slice(1));
    const edited = before.features[0]!;
    const properties = { ...(edited['properties'] as object), name: 'Region 1 (checked)', classification: { name: 'Stroma', color: [150, 200, 150] } };
    assert.deepEqual(after.features[0], { ...edited, properties });
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

  it('class names are stored trimmed: the list and the annotations name one class', async () => {
    const path = await slide('trimmed', 'f.svs');
    const { store: s } = store();
    const doc = everyKind();
    doc.classes.push({ name: ' Duct ', color: [1, 2, 3] });
    doc.annotations[0]!.classification = 'Duct ';
    await s.save(path, doc);
    const loaded = (await s.load(path)).document;
    assert.deepEqual(loaded.classes.at(-1), { name: 'Duct', color: [1, 2, 3] });
    assert.equal(loaded.annotations[0]!.classification, 'Duct');
    assert.equal(loaded.classes.length, doc.classes.length);
  });

  it('an unreadable file beside a slide in a read-only folder: left as it is, the load says so and where saves go, never INTERNAL', async () => {
    const path = await slide('ro-broken', 'g.svs', 'II*\u0000 read-only broken');
    await writeFile(sidecarPath(path), '{"type":"FeatureCollection","features":[');
    await older(sidecarPath(path));
    const { store: s } = store(['ro-broken'], join(root, 'app-data-ro'));
    const loaded = await s.load(path);
    const data = join(root, 'app-data-ro', `${await slideIdentity(path)}.annotations.geojson`);
    assert.deepEqual(loaded.document, emptyDocument());
    assert.equal(loaded.location, null);
    assert.equal(loaded.unreadable?.code, 'CORRUPT_DATA');
    assert.equal(loaded.unreadable?.keptAs, null);
    assert.match(loaded.unreadable?.message ?? '', /could not be moved aside \(EROFS\), so it is left as it is; new annotations are saved in /);
    assert.ok(loaded.unreadable?.message.endsWith(`${data}.`));
    assert.equal(await readFile(sidecarPath(path), 'utf8'), '{"type":"FeatureCollection","features":[');
    // Saved in the data folder, and read from there from then on.
    assert.deepEqual(await s.save(path, everyKind()), { path: data, beside: false });
    assert.deepEqual(await s.load(path), { document: everyKind(), location: { path: data, beside: false }, unreadable: null });
  });

  it('a folder that takes files but would not let an unreadable file be moved: it is not written over', async () => {
    const path = await slide('locked', 'h.svs', 'II*\u0000 locked');
    await writeFile(sidecarPath(path), '{broken');
    const s = new AnnotationStore({
      dataDir: join(root, 'app-data-locked'),
      rename: async () => {
        throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
      },
    });
    assert.match((await s.load(path)).unreadable?.message ?? '', /EBUSY/);
    assert.equal((await s.save(path, everyKind())).beside, false);
    assert.equal(await readFile(sidecarPath(path), 'utf8'), '{broken');
  });

  it("a copy in a folder that takes files keeps to its own file, however new the data folder's (another copy's, read-only)", async () => {
    const content = 'II*\u0000 copied slide';
    const shared = await slide('ro-share', 'k.svs', content);
    const mine = await slide('work', 'k.svs', content);
    const { store: s } = store(['ro-share']);
    const first = (n: number) => ({ ...everyKind(), annotations: everyKind().annotations.slice(0, n) });
    await s.save(mine, first(3));
    await older(sidecarPath(mine));
    // Annotated on the share's copy: the data folder's file, by the identity both copies share, newer.
    await s.save(shared, first(1));
    assert.equal((await s.locate(shared))?.beside, false);
    assert.deepEqual(await s.locate(mine), { path: sidecarPath(mine), beside: true });
    assert.equal((await s.load(mine)).document.annotations.length, 3);
  });

  it('a read-only folder with a readable file beside the slide: what is saved in the data folder (its content and the change) is what is read next', async () => {
    const path = await slide('ro-valid', 'i.svs', 'II*\u0000 read-only valid');
    const first = { ...emptyDocument(), annotations: everyKind().annotations.slice(0, 1) };
    await writeFile(sidecarPath(path), writeGeoJson(first));
    await older(sidecarPath(path));
    const { store: s } = store(['ro-valid'], join(root, 'app-data-ro-valid'));
    const loaded = await s.load(path);
    assert.equal(loaded.location?.beside, true);
    const changed = { ...loaded.document, annotations: [...loaded.document.annotations, everyKind().annotations[1]!] };
    const location = await s.save(path, changed);
    assert.equal(location.beside, false);
    assert.deepEqual(await s.locate(path), location);
    assert.deepEqual((await s.load(path)).document, changed);
    // The same import again finds it there.
    assert.deepEqual(
      mergeDocuments((await s.load(path)).document, changed, () => 'new'),
      changed,
    );
  });

  it('a data-folder copy older than a changed file beside the slide is kept aside, not written over', async () => {
    const path = await slide('ro-changed', 'j.svs', 'II*\u0000 read-only changed');
    const dataDir = join(root, 'app-data-ro-changed');
    const { store: s } = store(['ro-changed'], dataDir);
    await s.save(path, everyKind());
    const [dataCopy] = await readdir(dataDir);
    await older(join(dataDir, dataCopy!));
    // The file beside the slide changed since (by whoever may write there): it is read, and the
    // student's copy in the data folder kept when the next change is saved.
    await writeFile(sidecarPath(path), writeGeoJson(emptyDocument()));
    assert.deepEqual((await s.load(path)).location?.beside, true);
    await s.save(path, emptyDocument());
    const kept = (await readdir(dataDir)).filter((name) => name.includes('.replaced-'));
    assert.equal(kept.length, 1);
    assert.deepEqual(readGeoJson(await readFile(join(dataDir, kept[0]!), 'utf8'), { newId: () => 'x' }), everyKind());
  });

  it('an ImageScope file imported again changes nothing: its 4-corner region is the rectangle the stored GeoJSON reads', async () => {
    const path = await slide('imagescope', 'k.svs');
    const xml = `<Annotations><Annotation Id="1" Name="Tumor" LineColor="200"><Regions>
      <Region Id="1" Type="0" Text="square"><Vertices><Vertex X="10" Y="20"/><Vertex X="30" Y="20"/><Vertex X="30" Y="45"/><Vertex X="10" Y="45"/></Vertices></Region>
    </Regions></Annotation></Annotations>`;
    const imported = parseAnnotations(xml);
    assert.equal(imported.annotations[0]!.shape.kind, 'polygon');
    const { store: s } = store();
    await s.save(
      path,
      mergeDocuments(emptyDocument(), imported, () => 'new'),
    );
    const stored = (await s.load(path)).document;
    assert.equal(stored.annotations[0]!.shape.kind, 'rectangle');
    assert.equal(mergeDocuments(stored, parseAnnotations(xml), () => 'new').annotations.length, 1);
  });
});
