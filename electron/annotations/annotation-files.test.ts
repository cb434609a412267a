import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Annotation, AnnotationDocument } from '../../shared/annotations';
import { finish } from '../../shared/slices';
import { everyKind } from '../../testing/annotation-samples';
import { decodeAnnotationText, formatAnnotations, parseAnnotations, readAnnotationFile, writeAnnotationFile } from './annotation-files';

/** A slide without a pixel size, for the writers that take one. */
const UNSCALED = { name: 'slide.svs', mpp: null };

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
    await writeAnnotationFile(path, doc, 'imagescope', { name: 'slide.svs', mpp: { x: 0.499, y: 0.499 } }, false);
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
    const back = parseAnnotations(finish(formatAnnotations(doc, 'imagescope', UNSCALED)));
    assert.equal(back.annotations[0]?.name, name);
    assert.equal(back.annotations[0]?.description, description);
  });

  it('splits what ImageScope cannot hold in one region: point sets, multi-polygons (holes stay holes)', () => {
    const doc = everyKind();
    doc.annotations = doc.annotations.filter((a) => a.shape.kind === 'point' || a.shape.kind === 'polygon');
    const back = parseAnnotations(finish(formatAnnotations(doc, 'imagescope', UNSCALED)));
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
    rejects(
      '<Annotations><Annotation><Regions><Region><Vertices><Vertex X="1" Y="1"/><Vertex X="1" Y="1"/><Vertex X="1" Y="1"/></Vertices></Region></Regions></Annotation></Annotations>',
      'CORRUPT_DATA',
      /^Annotation 1, region 1: it has fewer than 3 distinct vertices\.$/,
    );
  });

  it('round trips what it writes: holes with their own polygon where polygons overlap, names as written (Latin-1 range, spaces kept)', () => {
    const square = (x0: number, y0: number, x1: number, y1: number) => [x0, y0, x1, y0, x1, y1, x0, y1];
    const doc: AnnotationDocument = {
      classes: [{ name: 'T', color: [1, 2, 3] }],
      annotations: [
        { id: 'a', name: 'Ã©tude', description: 'Â°C', classification: 'T', shape: { kind: 'polygon', polygons: [[square(0, 0, 100, 101)]] } },
        {
          id: 'b',
          name: ' padded\u3000',
          description: '',
          classification: 'T',
          shape: { kind: 'polygon', polygons: [[square(50, 0, 150, 100), square(60, 10, 70, 20)]] },
        },
      ],
    };
    const back = parseAnnotations(finish(formatAnnotations(doc, 'imagescope', UNSCALED)), '/d/a.xml');
    assert.deepEqual(withoutIds(back), withoutIds(doc));
  });

  it('refuses to write what it would not read back, and a hole that takes its region past the vertex bound', () => {
    const points = Array.from({ length: 300_000 }, (_, i) => i);
    const many: AnnotationDocument = {
      classes: [],
      annotations: [0, 1].map((k) => ({ id: `${k}`, name: '', description: '', classification: null, shape: { kind: 'point', points } })),
    };
    assert.throws(() => finish(formatAnnotations(many, 'imagescope', UNSCALED)), { code: 'TOO_LARGE', message: /export them as GeoJSON/ });
    const ring = (n: number, r: number) =>
      Array.from({ length: n }, (_, i) => [r * Math.cos((2 * Math.PI * i) / n) + 1000, r * Math.sin((2 * Math.PI * i) / n) + 1000]).flat();
    const holed = finish(
      formatAnnotations(
        {
          classes: [],
          annotations: [
            { id: 'h', name: '', description: '', classification: null, shape: { kind: 'polygon', polygons: [[ring(150_000, 500), ring(150_000, 100)]] } },
          ],
        },
        'imagescope',
        UNSCALED,
      ),
    );
    rejects(holed, 'CORRUPT_DATA', /^Annotation 1, region 2: with its holes, the region it is a hole of has more than 200000 vertices\.$/);
  });
});

describe('annotation files', () => {
  it('reads either format by its content; NOT_FOUND for a missing file; writes atomically, refusing to overwrite unless told', async () => {
    const geojson = join(dir, 'a.geojson');
    await writeAnnotationFile(geojson, everyKind(), 'geojson', UNSCALED, false);
    assert.deepEqual(await readAnnotationFile(geojson), everyKind());
    await assert.rejects(writeAnnotationFile(geojson, everyKind(), 'geojson', UNSCALED, false), { code: 'EXISTS' });
    await writeAnnotationFile(geojson, { classes: [], annotations: [] }, 'geojson', UNSCALED, true);
    assert.deepEqual(await readAnnotationFile(geojson), { classes: [], annotations: [] });
    await assert.rejects(readAnnotationFile(join(dir, 'missing.geojson')), { code: 'NOT_FOUND' });
    const misnamed = join(dir, 'really-xml.geojson');
    await writeFile(misnamed, '\uFEFF  <Annotations/>');
    assert.deepEqual(await readAnnotationFile(misnamed), { classes: [], annotations: [] });
  });
});

describe('a large GeoJSON file', () => {
  it('is read a feature at a time: 30 MB of 5 million vertices within a 200 MB heap (parsed whole, it took more)', async () => {
    const coords = `[${Array.from({ length: 140_000 }, (_, i) => `[${i % 10},${i % 7}]`).join(',')}]`;
    const feature = `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":${coords}},"properties":{"objectType":"annotation"}}`;
    const file = join(dir, 'large.geojson');
    await writeFile(file, `{"type":"FeatureCollection","features":[${Array.from({ length: 36 }, () => feature).join(',\n')}]}`);
    const module = new URL('./annotation-files.ts', import.meta.url).href;
    const script = `const { readAnnotationImport } = await import(${JSON.stringify(module)}); const { document } = await readAnnotationImport(${JSON.stringify(file)}); console.log(document.annotations.length);`;
    const run = spawnSync(process.execPath, ['--max-old-space-size=200', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr.slice(-500));
    assert.equal(run.stdout.trim(), '36');
  });

  it("is held outside the JS heap past a quarter of it: QuPath's 40 MB of cells (two bytes a character as a JS string once a class is Korean) read within a 64 MB heap", async () => {
    const ring = `[[${Array.from({ length: 100 }, (_, k) => `[${(1000 + 12.5 * Math.cos(k / 16)).toFixed(3)},${(2000 + 12.5 * Math.sin(k / 16)).toFixed(3)}]`).join(',')}]]`;
    const cell = (name: string) =>
      `{"type":"Feature","geometry":{"type":"Polygon","coordinates":${ring}},"properties":{"objectType":"cell","classification":{"name":"${name}"},"measurements":{"Nucleus: Area \u00b5m^2":31.5}}}`;
    const module = new URL('./annotation-files.ts', import.meta.url).href;
    // Korean (UTF-16 outside the heap) and Latin-1 (µ: its bytes made Latin-1 where they lie), a byte-order mark before it.
    for (const [name, bom] of [
      ['\uc885\uc591', ''],
      ['Tumor \u00e9', '\uFEFF'],
    ]) {
      const file = join(dir, 'cells-large.geojson');
      await writeFile(file, `${bom}{"type":"FeatureCollection","features":[${Array.from({ length: 16_000 }, () => cell(name!)).join(',\n')}]}`);
      const script = `const { readDetectionFile } = await import(${JSON.stringify(module)}); const set = await readDetectionFile(${JSON.stringify(file)}); console.log(JSON.stringify([set.count, set.classes[0].name, set.measurementNames]));`;
      const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr.slice(-300));
      assert.deepEqual(JSON.parse(run.stdout), [16_000, name, ['Nucleus: Area \u00b5m^2']]);
    }
  });

  it('past the document limits, is refused as it reads, a feature larger than an annotation may be without parsing it', () => {
    const many = `[${Array.from({ length: 51 }, () => `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[${'[1,2],'.repeat(199_999)}[1,2]]}}`).join(',')}]`;
    rejects(many, 'TOO_LARGE', /^The file holds more than the 10000000 vertices a slide may have\.$/);
    const huge = `[{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[${'[1,2],'.repeat(3_000_000)}[1,2]]}}]`;
    rejects(huge, 'TOO_LARGE', /^Feature 1 is 18000\d+ characters, more than the 16777216 an annotation may be\.$/);
  });

  it('names what is wrong without building it: a deep value, a bad escape, a geometry without a type', () => {
    rejects(
      `[{"type":${'['.repeat(20_000)}${']'.repeat(20_000)},"geometry":null}]`,
      'CORRUPT_DATA',
      /^Not valid JSON at line 1, column \d+: nested too deeply\.$/,
    );
    rejects('[{"type":[[1]],"geometry":null}]', 'CORRUPT_DATA', /^Feature 1: it is a list, not a Feature\.$/);
    rejects('{"type":"FeatureCollection","features":[],"x":"\\x"}', 'CORRUPT_DATA', /^Not valid JSON at line 1, column 48: an escape JSON does not have\.$/);
    rejects('[\n\n{"a":"\\u12"}]', 'CORRUPT_DATA', /^Not valid JSON at line 3, column 7: a \\u escape without 4 hexadecimal digits\.$/);
    rejects('[{"type":"Feature","geometry":{"coordinates":[1,2]}}]', 'CORRUPT_DATA', /^Feature 1: its geometry has no type\.$/);
    // A member given twice is its last, as JSON.parse keeps it.
    rejects(
      '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}],"features":null}',
      'CORRUPT_DATA',
      /^Not GeoJSON annotations/,
    );
    const classed = (name: string) => `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"classification":{"name":"${name}"}}}`;
    rejects(`[${classed('x'.repeat(501))}]`, 'CORRUPT_DATA', /^Feature 1: its class name is longer than 500 characters\.$/);
    rejects(
      `[${Array.from({ length: 1001 }, (_, i) => classed(`c${i}`)).join(',')}]`,
      'TOO_LARGE',
      /^Feature 1001: its class is one more than the 1000 a slide may have\.$/,
    );
    rejects(
      '[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,0],[0,0]]]}}]',
      'CORRUPT_DATA',
      /outer ring has fewer than 3 distinct positions\.$/,
    );
  });
});

describe("an annotation file's text", () => {
  it('is UTF-8, UTF-16 by its byte-order mark, or the Latin-1 its XML declaration names; other bytes are refused, not replaced', () => {
    const name = 'caf\u00e9 \u00b0C \uc885\uc591';
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?><Annotations><Annotation Name="caf\u00e9"/></Annotations>`;
    assert.equal(decodeAnnotationText(Buffer.from(name), '/d/a.geojson'), name);
    // Latin-1 only (written over the bytes read), its byte-order mark dropped as TextDecoder drops it.
    assert.equal(
      decodeAnnotationText(Buffer.from('\uFEFF{"Area \u00b5m^2":1,"caf\u00e9":"\u00ff"}'), '/d/a.geojson'),
      '{"Area \u00b5m^2":1,"caf\u00e9":"\u00ff"}',
    );
    assert.equal(decodeAnnotationText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(name, 'utf16le')]), '/d/a.geojson'), name);
    assert.equal(decodeAnnotationText(Buffer.from(xml, 'latin1'), '/d/a.xml'), xml);
    assert.throws(() => decodeAnnotationText(Buffer.from('{\n"name":"caf\xe9"}', 'latin1'), '/d/a.geojson'), {
      code: 'CORRUPT_DATA',
      message: 'a.geojson is not UTF-8 text: line 2 holds bytes that are no character. Save it as UTF-8.',
    });
    assert.throws(() => decodeAnnotationText(Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><a/>'), '/d/a.xml'), {
      code: 'CORRUPT_DATA',
      message: /is XML in shift_jis, which cannot be read here/,
    });
  });
});
