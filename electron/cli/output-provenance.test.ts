// The record an output carries of what it was made from (shared/provenance.ts), as the engine writes
// it into PNG, JPEG and TIFF and the CLI reads it back: every field, XML's special characters and
// Korean intact; none in an image made without one, in another program's XMP, or in a damaged or
// hostile file, which never throws nor reads without bound.

import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { ImageFormat } from '../../shared/operations';
import { type Provenance, parseProvenance, provenanceXmp } from '../../shared/provenance';
import type { RgbImage } from '../../shared/slide';
import { encodeImage } from '../engine/export/encode-image';
import { examineOutput, outputProvenance } from './complete-output';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-provenance-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const RECORD: Provenance = { tool: 'Slidescope 0.1.0', identity: '2185958-0123456789abcdef', recipe: 'thumbnail --size 64 & "병리" <맞춤> \'q\'' };
const IMAGE: RgbImage = { data: new Uint8Array(40 * 30 * 3).fill(180), width: 40, height: 30, channels: 3 };
const FORMATS: ImageFormat[] = ['png', 'jpeg', 'tiff'];

async function written(format: ImageFormat, provenance?: Provenance): Promise<string> {
  const path = join(dir, `${format}-${provenance ? 'with' : 'without'}.${format}`);
  await writeFile(path, await encodeImage(IMAGE, format, { provenance }));
  return path;
}

describe('an output tells what it was made from', () => {
  for (const format of FORMATS) {
    test(`${format}: the record comes back whole; none without one; none, and no throw, when cut`, async () => {
      const path = await written(format, RECORD);
      assert.deepEqual(await outputProvenance(path, format), RECORD);
      assert.equal(await outputProvenance(await written(format), format), null);
      assert.equal(await outputProvenance(join(dir, 'missing.png'), format), null);
      await truncate(path, 40);
      assert.equal(await outputProvenance(path, format), null);
    });
  }

  test('one look at an output answers both: whole, and its record; cut short, not whole', async () => {
    for (const format of FORMATS) {
      const path = await written(format, RECORD);
      assert.deepEqual(await examineOutput(path, format), { complete: true, provenance: RECORD }, format);
      const { size } = await stat(path);
      await truncate(path, size - 20);
      assert.equal((await examineOutput(path, format)).complete, false, `${format} cut short`);
    }
  });

  test("another program's XMP is no record; a PNG's uncompressed iTXt packet is read as libvips's zTXt is", async () => {
    const other = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>';
    for (const format of FORMATS) {
      const path = join(dir, `other.${format}`);
      await sharp(Buffer.from(IMAGE.data), { raw: { width: 40, height: 30, channels: 3 } })
        .withXmp(other)
        .toFormat(format)
        .toFile(path);
      assert.equal(await outputProvenance(path, format), null, format);
    }
    // An iTXt chunk (keyword, no compression, empty language and translation) put after IHDR; the CRC is not read.
    const png = Buffer.from(await encodeImage(IMAGE, 'png'));
    const data = Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), Buffer.from(provenanceXmp(RECORD), 'utf8')]);
    const chunk = Buffer.alloc(12 + data.length);
    chunk.writeUInt32BE(data.length, 0);
    chunk.write('iTXt', 4, 'latin1');
    data.copy(chunk, 8);
    const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
    const path = join(dir, 'itxt.png');
    await writeFile(path, Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]));
    assert.deepEqual(await outputProvenance(path, 'png'), RECORD);
  });

  test('hostile files: a chunk claiming 4 GB, a zlib bomb (its record past 16 MB), a BigTIFF pointing past 2^53, a JPEG of fill bytes: none', async () => {
    const png = Buffer.from(await encodeImage(IMAGE, 'png'));
    const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
    const chunk = (type: string, data: Buffer, length = data.length) => {
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(length, 0);
      out.write(type, 4, 'latin1');
      data.copy(out, 8);
      return out;
    };
    const withChunk = (c: Buffer) => Buffer.concat([png.subarray(0, ihdrEnd), c, png.subarray(ihdrEnd)]);
    const bomb = Buffer.concat([
      Buffer.from('XML:com.adobe.xmp\0\0', 'latin1'),
      deflateSync(Buffer.concat([Buffer.alloc(16 * 2 ** 20, 32), Buffer.from(provenanceXmp(RECORD))])),
    ]);
    const bigTiff = Buffer.alloc(64);
    bigTiff.write('II', 0, 'latin1');
    bigTiff.writeUInt16LE(43, 2);
    bigTiff.writeUInt16LE(8, 4);
    bigTiff.writeBigUInt64LE(2n ** 60n, 8);
    const cases: Array<[string, ImageFormat, Buffer]> = [
      ['huge.png', 'png', withChunk(chunk('zTXt', Buffer.alloc(16), 0xfffffff0))],
      ['bomb.png', 'png', withChunk(chunk('zTXt', bomb))],
      ['far.tif', 'tiff', bigTiff],
      ['fill.jpg', 'jpeg', Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(1 << 20, 0xff)])],
    ];
    for (const [name, format, bytes] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      assert.equal(await outputProvenance(path, format), null, name);
    }
  });

  test('the packet: escaped on the way in, unescaped on the way out; a field missing is no record', () => {
    const xmp = provenanceXmp(RECORD);
    assert.doesNotMatch(xmp.slice(xmp.indexOf('slidescope:recipe')), /<맞춤>/);
    assert.deepEqual(parseProvenance(xmp), RECORD);
    assert.equal(parseProvenance(xmp.replace(/ slidescope:identity="[^"]*"/, '')), null);
  });
});
