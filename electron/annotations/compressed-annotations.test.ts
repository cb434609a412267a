import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { AnnotationFileError } from '../../shared/annotations';
import { qupathObjects } from '../../testing/annotation-samples';
import { zipArchive } from '../../testing/writers/zip';
import { readAnnotationImport } from './annotation-files';
import { uncompressedAnnotationBytes } from './compressed-annotations';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slidescope-compressed-annotations-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const geojson = Buffer.from(JSON.stringify(qupathObjects()));
const refused = (code: string, message: RegExp) => (error: unknown) =>
  error instanceof AnnotationFileError && error.code === code && message.test(error.message);

describe('compressed annotation files', () => {
  it("imports QuPath's compressed export (a .zip of one deflated .geojson, sizes after the data) and a gzipped GeoJSON as the plain file", async () => {
    const plain = join(root, 'objects.geojson');
    await writeFile(plain, geojson);
    const expected = await readAnnotationImport(plain);
    const zip = join(root, 'objects.zip');
    await writeFile(zip, zipArchive([{ name: 'objects.geojson', content: geojson }]));
    const gz = join(root, 'objects.geojson.gz');
    await writeFile(gz, gzipSync(geojson));
    const stored = join(root, 'stored.zip');
    await writeFile(stored, zipArchive([{ name: 'objects.geojson', content: geojson, method: 0 }]));
    for (const file of [zip, gz, stored]) assert.deepEqual(await readAnnotationImport(file), expected, file);
  });

  it('refuses an archive that holds anything but one GeoJSON file, naming what it holds', () => {
    const zip = (...names: string[]) => zipArchive(names.map((name) => ({ name, content: geojson })));
    assert.throws(
      () => uncompressedAnnotationBytes(zip('a.geojson', 'b.geojson'), '/data/two.zip'),
      refused('CORRUPT_DATA', /^two\.zip is a ZIP archive holding a\.geojson, b\.geojson: an annotation archive must hold one GeoJSON file/),
    );
    assert.throws(() => uncompressedAnnotationBytes(zip('notes.txt'), '/data/notes.zip'), refused('CORRUPT_DATA', /holding notes\.txt: an annotation archive/));
    assert.throws(
      () => uncompressedAnnotationBytes(zipArchive([]), '/data/empty.zip'),
      refused('CORRUPT_DATA', /^empty\.zip is a ZIP archive with no file in it\.$/),
    );
    // What the Mac's Compress adds beside a file (its resource fork) is passed over.
    assert.deepEqual(
      uncompressedAnnotationBytes(
        zipArchive([
          { name: 'a.geojson', content: geojson },
          { name: '__MACOSX/', content: new Uint8Array() },
          { name: '__MACOSX/._a.geojson', content: new Uint8Array(82) },
        ]),
        '/data/mac.zip',
      ),
      geojson,
    );
    // A folder entry is no file: it is passed over.
    assert.deepEqual(
      uncompressedAnnotationBytes(
        zipArchive([
          { name: 'export/', content: new Uint8Array() },
          { name: 'export/a.geojson', content: geojson },
        ]),
        '/data/f.zip',
      ),
      geojson,
    );
  });

  it('refuses a zip bomb (an entry that inflates past what it claims, or claims past the limit) and a gzip past the limit, before they are in memory', () => {
    const zeros = new Uint8Array(8 * 2 ** 20);
    const lying = zipArchive([{ name: 'bomb.geojson', content: zeros, size: 1000 }]);
    assert.ok(lying.length < 20_000);
    assert.throws(() => uncompressedAnnotationBytes(lying, '/data/bomb.zip'), refused('TOO_LARGE', /^bomb\.zip would inflate to more than/));
    const honest = zipArchive([{ name: 'big.geojson', content: zeros }]);
    assert.throws(
      () => uncompressedAnnotationBytes(honest, '/data/big.zip', 2 ** 20),
      refused('TOO_LARGE', /^big\.zip's big\.geojson is 8388608 bytes, more than the 1048576/),
    );
    assert.throws(
      () => uncompressedAnnotationBytes(gzipSync(zeros), '/data/big.gz', 2 ** 20),
      refused('TOO_LARGE', /^big\.gz would inflate to more than the 1048576 bytes/),
    );
  });

  it('refuses damaged archives with CORRUPT_DATA: a changed byte (its CRC-32), cut short, a gzip stream broken', () => {
    const zip = zipArchive([{ name: 'a.geojson', content: geojson, method: 0 }]);
    const changed = Buffer.from(zip);
    changed[60] = (changed[60]! + 1) % 256;
    assert.throws(() => uncompressedAnnotationBytes(changed, '/data/a.zip'), refused('CORRUPT_DATA', /a\.geojson is damaged \(its size or checksum/));
    assert.throws(() => uncompressedAnnotationBytes(zip.subarray(0, zip.length - 30), '/data/a.zip'), refused('CORRUPT_DATA', /^a\.zip is a ZIP archive/));
    const gz = gzipSync(geojson);
    assert.throws(() => uncompressedAnnotationBytes(gz.subarray(0, gz.length / 2), '/data/a.gz'), refused('CORRUPT_DATA', /^a\.gz is damaged gzip data/));
  });
});
