// A slide's identity: the same for a copy anywhere, different for slides alike in size and start but
// not at their end, untouched by files in a slide's folder that are not the slide's, and a typed
// error for a slide that is not there.

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SlideError } from './errors';
import { slideIdentity } from './slide-identity';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-identity-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('a copy elsewhere is the same slide; two alike in size and first 64 KB but not at their end are not', async () => {
  const a = Buffer.alloc(300_000, 7);
  const b = Buffer.from(a);
  b[b.length - 10] = 8; // a TIFF's directory at its end, say
  await writeFile(join(dir, 'a.tif'), a);
  await writeFile(join(dir, 'b.tif'), b);
  await mkdir(join(dir, 'elsewhere'));
  await copyFile(join(dir, 'a.tif'), join(dir, 'elsewhere', 'slide.tif'));
  assert.equal(await slideIdentity(join(dir, 'elsewhere', 'slide.tif')), await slideIdentity(join(dir, 'a.tif')));
  assert.notEqual(await slideIdentity(join(dir, 'b.tif')), await slideIdentity(join(dir, 'a.tif')));
});

test("a DICOM folder or a MIRAX data folder: a note or a backup beside the slide's files leaves it alone; its files do not", async () => {
  const series = join(dir, 'series');
  await mkdir(series);
  await writeFile(join(series, 'level0.dcm'), 'one');
  await writeFile(join(series, 'IM000001'), 'two');
  const dicom = await slideIdentity(series);
  await writeFile(join(series, 'notes.txt'), 'seen by Dr Kim');
  assert.equal(await slideIdentity(series), dicom);
  await writeFile(join(series, 'level1.dcm'), 'three');
  assert.notEqual(await slideIdentity(series), dicom);

  await writeFile(join(dir, 'slide.mrxs'), 'key');
  await mkdir(join(dir, 'slide'));
  await writeFile(join(dir, 'slide', 'Slidedat.ini'), '[GENERAL]');
  await writeFile(join(dir, 'slide', 'Data0000.dat'), 'pixels');
  const mirax = await slideIdentity(join(dir, 'slide.mrxs'));
  await writeFile(join(dir, 'slide', 'Slidedat.ini.bak'), 'old');
  assert.equal(await slideIdentity(join(dir, 'slide.mrxs')), mirax);
  await writeFile(join(dir, 'slide', 'Data0000.dat'), 'other pixels');
  assert.notEqual(await slideIdentity(join(dir, 'slide.mrxs')), mirax);
});

test('a VMS slide: the JPEG files its key file names are in it; a key file alike with other images is another slide', async () => {
  const key = '[Virtual Microscope Specimen]\nNoJpegColumns=1\nNoJpegRows=1\nImageFile=scan.jpg\nMapFile=scan_map.jpg\n';
  for (const name of ['one', 'two']) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'scan.vms'), key);
    await writeFile(join(dir, name, 'scan_map.jpg'), 'map');
  }
  await writeFile(join(dir, 'one', 'scan.jpg'), 'pixels of one');
  await writeFile(join(dir, 'two', 'scan.jpg'), 'pixels of the other');
  assert.notEqual(await slideIdentity(join(dir, 'one', 'scan.vms')), await slideIdentity(join(dir, 'two', 'scan.vms')));
  await writeFile(join(dir, 'two', 'scan.jpg'), 'pixels of one');
  await writeFile(join(dir, 'two', 'notes.txt'), 'not named');
  assert.equal(await slideIdentity(join(dir, 'one', 'scan.vms')), await slideIdentity(join(dir, 'two', 'scan.vms')));
});

test('a slide that is not there: NOT_FOUND, naming it', async () => {
  await assert.rejects(
    slideIdentity(join(dir, 'gone.svs')),
    (error: unknown) => error instanceof SlideError && error.code === 'NOT_FOUND' && /gone\.svs/.test(error.message),
  );
});
