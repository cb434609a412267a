import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Annotation, AnnotationDocument } from '../../shared/annotations';
import { everyKind } from '../../testing/annotation-samples';
import { formatAnnotations, parseAnnotations, readAnnotationFile, writeAnnotationFile } from './annotation-files';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-annotation-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withoutIds = (doc: AnnotationDocument) => doc.annotations.map(({ id: _id, ...rest }) => rest);

function rejects(text: string, code: string, message: RegExp): void {
  assert.throws(
    () => parseAnnotations(text, '/data/a.xml'),
    (error: unknown) => (error as { code?: string }).code === code && message.test((error as Error).message),
    message.source,
  );
}

describe('ImageScope XML', () => {
  it('round trip of single shapes: coordinates exact, layers as classes with their colours, names and descriptions', async () => {
    const doc = everyKind();
    // ImageScope has no multi-polygons or point sets: one region each (the splits are checked below).
    doc.annotations = doc.annotations.filter((a) => a.shape.kind !== 'point' && a.shape.kind !== 'polygon');
    const path = join(dir, 'round-trip.xml');
    await writeAnnotationFile(path, doc, 'imagescope', { x: 0.499, y: 0.499 }, false);
    const text = await readFile(path, 'utf8');
    assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Annotations MicronsPerPixel="0.499000">/);
    assert.match(text, /<Annotation Id="2" Name="Tumor" [^>]*LineColor="200"/);
    assert.match(text, /<Annotation Id="4" Name="Gland" [^>]*LineColor="3678732"/, '12 + 34 * 256 + 56 * 65536');
    const back = await readAnnotationFile(path);
    assert.deepEqual(
      withoutIds(back),
      withoutIds(doc).map((a) => (a.shape.kind === 'freehand' ? { ...a, shape: { ...a.shape, kind: 'polygon' as const } } : a)),
    );
    assert.deepEqual(back.classes, [
      { name: 'Tumor', color: [200, 0, 0] },
      { name: 'Stroma', color: [150, 200, 150] },
      { name: 'Gland', color: [12, 34, 56] },
    ]);
  });

  it('keeps markup, quotes and line breaks in names and descriptions', () => {
    const doc = everyKind();
    doc.annotations = doc.annotations.filter((a) => a.shape.kind === 'rectangle').slice(0, 1);
    const name = `O'Brien's <b> & "note" 종양`;
    const description = 'line one\nline two\r\n\t& more';
    doc.annotations[0] = { ...doc.annotations[0]!, name, description };
    const back = parseAnnotations(formatAnnotations(doc, 'imagescope', null));
    assert.equal(back.annotations[0]?.name, name);
    assert.equal(back.annotations[0]?.description, description);
  });

  it('splits what ImageScope cannot hold in one region: point sets, multi-polygons (holes stay holes)', () => {
    const doc = everyKind();
    doc.annotations = doc.annotations.filter((a) => a.shape.kind === 'point' || a.shape.kind === 'polygon');
    const back = parseAnnotations(formatAnnotations(doc, 'imagescope', null));
    assert.deepEqual(
      back.annotations.map((a) => a.shape),
      [
        { kind: 'point', points: [10.25, 20.125] },
        { kind: 'point', points: [1e-7, 3.0000000000000004] },
        {
          kind: 'polygon',
          polygons: [
            [
              [0, 0, 100, 0, 100, 100, 0, 100.5],
              [40, 40, 60, 40, 60, 60],
            ],
          ],
        },
        { kind: 'polygon', polygons: [[[200, 0, 210.1, 0, 205, 9]]] },
      ],
    );
  });

  it('reads ImageScope as it writes: COLORREF colours, rectangles and ellipses by their vertices, rulers, negative regions as holes', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Annotations MicronsPerPixel="0.252100">
<Annotation Id="1" Name="" ReadOnly="0" LineColor="65280" Visible="1" Selected="1">
  <Attributes><Attribute Name="Description" Id="0" Value=""/></Attributes>
  <Regions>
    <RegionAttributeHeaders><AttributeHeader Id="9999" Name="Region" ColumnWidth="-1"/></RegionAttributeHeaders>
    <Region Id="1" Type="0" Zoom="0.5" Text="gland &amp; duct" NegativeROA="0">
      <Attributes/>
      <Vertices><Vertex X="0" Y="0"/><Vertex X="100" Y="0"/><Vertex X="100" Y="100"/><Vertex X="0" Y="100"/><Vertex X="0" Y="0"/></Vertices>
    </Region>
    <Region Id="2" Type="0" NegativeROA="1">
      <Vertices><Vertex X="10" Y="10"/><Vertex X="20" Y="10"/><Vertex X="20" Y="20"/></Vertices>
    </Region>
  </Regions>
  <Plots/>
</Annotation>
<Annotation Id="2" Name="Lumen" LineColor="16711680">
  <Regions>
    <Region Id="1" Type="1"><Vertices><Vertex X="5" Y="6"/><Vertex X="15" Y="6"/><Vertex X="15" Y="26"/><Vertex X="5" Y="26"/></Vertices></Region>
    <Region Id="2" Type="2"><Vertices><Vertex X="40.5" Y="30"/><Vertex X="10" Y="50.25"/></Vertices></Region>
    <Region Id="3" Type="4"><Vertices><Vertex X="0" Y="0"/><Vertex X="30" Y="40"/></Vertices></Region>
  </Regions>
</Annotation>
</Annotations>`;
    const doc = parseAnnotations(xml);
    assert.deepEqual(doc.classes, [{ name: 'Lumen', color: [0, 0, 255] }]);
    const shapes: Array<Pick<Annotation, 'name' | 'classification' | 'shape'>> = doc.annotations.map(({ name, classification, shape }) => ({
      name,
      classification,
      shape,
    }));
    assert.deepEqual(shapes, [
      {
        name: 'gland & duct',
        classification: null,
        shape: {
          kind: 'polygon',
          polygons: [
            [
              [0, 0, 100, 0, 100, 100, 0, 100],
              [10, 10, 20, 10, 20, 20],
            ],
          ],
        },
      },
      { name: '', classification: 'Lumen', shape: { kind: 'rectangle', x0: 5, y0: 6, x1: 15, y1: 26 } },
      { name: '', classification: 'Lumen', shape: { kind: 'ellipse', x0: 10, y0: 30, x1: 40.5, y1: 50.25 } },
      { name: '', classification: 'Lumen', shape: { kind: 'line', points: [0, 0, 30, 40] } },
    ]);
  });

  it('bad files: the line of broken XML, the region of a bad vertex; no DOCTYPE', () => {
    rejects('<Annotations>\n<Annotation>\n</Annotations>', 'CORRUPT_DATA', /line 3/);
    rejects('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Annotations/>', 'CORRUPT_DATA', /DOCTYPE/);
    rejects('<Slide/>', 'CORRUPT_DATA', /root element is <Slide>/);
    rejects(
      '<Annotations><Annotation><Regions><Region><Vertices><Vertex X="1" Y="1"/></Vertices></Region><Region><Vertices><Vertex X="1" Y="1"/><Vertex X="a" Y="2"/></Vertices></Region></Regions></Annotation></Annotations>',
      'CORRUPT_DATA',
      /^Annotation 1, region 2: vertex 2 has no valid X and Y\.$/,
    );
    rejects(
      '<Annotations><Annotation><Regions><Region Type="2"><Vertices><Vertex X="1" Y="1"/><Vertex X="1" Y="5"/></Vertices></Region></Regions></Annotation></Annotations>',
      'CORRUPT_DATA',
      /no width or height/,
    );
    rejects('hello', 'CORRUPT_DATA', /Neither GeoJSON nor ImageScope XML/);
  });
});

describe('annotation files', () => {
  it('reads either format by its content; NOT_FOUND for a missing file; writes atomically, refusing to overwrite unless told', async () => {
    const geojson = join(dir, 'a.geojson');
    await writeAnnotationFile(geojson, everyKind(), 'geojson', null, false);
    assert.deepEqual(await readAnnotationFile(geojson), everyKind());
    await assert.rejects(writeAnnotationFile(geojson, everyKind(), 'geojson', null, false), { code: 'EXISTS' });
    await writeAnnotationFile(geojson, { classes: [], annotations: [] }, 'geojson', null, true);
    assert.deepEqual(await readAnnotationFile(geojson), { classes: [], annotations: [] });
    await assert.rejects(readAnnotationFile(join(dir, 'missing.geojson')), { code: 'NOT_FOUND' });
    const misnamed = join(dir, 'really-xml.geojson');
    await writeFile(misnamed, '\uFEFF  <Annotations/>');
    assert.deepEqual(await readAnnotationFile(misnamed), { classes: [], annotations: [] });
  });
});
