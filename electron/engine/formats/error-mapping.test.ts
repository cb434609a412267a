// How the slide readers map a failure inside their own reads: as readError does (electron/engine/
// errors.ts). A cancellation from below a reader - what an aborted read rejects with, Node's
// AbortError (ABORT_ERR) or a DOMException - is CANCELLED, never CORRUPT_DATA; damaged data is
// CORRUPT_DATA naming the slide and the image. MIRAX, VMU (NGR), Trestle and Sakura associated
// images, and the tiles and embedded JPEGs of VMS, DICOM and Sakura, on generated slides: the
// cancellation and the decoder's failure come through sharp (mocked), which decodes their JPEGs once
// TurboJPEG declines them (made to decline every one here); a macro damaged on disk is a real one.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FIXTURES, type FixtureName, fixturePath } from '../../../testing/fixtures';
import { openSlide } from '../../../testing/open-slide';
import { type VmsOptions, vmsFileNames, writeVms } from '../../../testing/writers/hamamatsu-vms';
import { type MiraxOptions, writeMirax } from '../../../testing/writers/mirax';
import { type TrestleOptions, trestleMacroPath, writeTrestle } from '../../../testing/writers/trestle';
import { jpegStreamDecoder } from '../codecs/turbojpeg3';
import { SlideEngine } from '../engine';
import { SlideError } from '../errors';
import { dataFolderOf } from './mirax/mirax-files';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

/** The errors an aborted read rejects with: fs's (Node's AbortError, code ABORT_ERR) and an AbortSignal's reason (a DOMException). */
async function abortErrors(): Promise<Array<{ name: string; error: Error }>> {
  const fsAbort = await readFile(fileURLToPath(import.meta.url), { signal: AbortSignal.abort() }).then(
    () => assert.fail('an aborted read resolved'),
    (error: unknown) => error as Error,
  );
  assert.equal((fsAbort as NodeJS.ErrnoException).code, 'ABORT_ERR');
  const signalAbort = AbortSignal.abort().reason as Error;
  assert.equal(signalAbort.name, 'AbortError');
  return [
    { name: "fs's AbortError", error: fsAbort },
    { name: "an AbortSignal's DOMException", error: signalAbort },
  ];
}

/** Has every JPEG decode of these readers reject with `error`, for the rest of the test: TurboJPEG declines, sharp fails. */
function decodesReject(t: TestContext, error: Error): void {
  const direct = jpegStreamDecoder();
  if (direct)
    t.mock.method(direct, 'withStream', () => {
      throw new Error('declined');
    });
  t.mock.method(sharp.prototype, 'toBuffer', () => Promise.reject(error));
}

async function readsAs(slideId: string, name: string, check: (error: SlideError) => void): Promise<void> {
  await assert.rejects(
    () => engine.readAssociated({ slideId, name }),
    (error: unknown) => {
      assert.ok(error instanceof SlideError, `not a SlideError: ${String(error)}`);
      check(error);
      return true;
    },
  );
}

const READERS: Array<{ fixture: FixtureName; format: string }> = [
  { fixture: 'mirax-plain', format: 'mirax' },
  { fixture: 'vmu-ngr', format: 'hamamatsu-vms' },
  { fixture: 'trestle-overlap', format: 'trestle' },
  { fixture: 'sakura-small-pages', format: 'sakura' },
];

describe('an associated image whose decode is cancelled or fails', { timeout: 300_000 }, () => {
  for (const { fixture, format } of READERS) {
    test(`${format}: a cancellation is CANCELLED, a decoder's failure CORRUPT_DATA naming the slide and the image`, async (t) => {
      const path = await fixturePath(fixture);
      const { slideId, info } = await openSlide(engine, path);
      assert.equal(info.format, format);
      assert.ok(info.associated.includes('macro'), `associated: ${info.associated.join(', ')}`);
      for (const { name, error } of await abortErrors()) {
        await t.test(name, async (t) => {
          decodesReject(t, error);
          await readsAs(slideId, 'macro', (e) => {
            assert.equal(e.code, 'CANCELLED', e.message);
            assert.equal(e.path, path);
          });
        });
      }
      await t.test('a decoder error', async (t) => {
        decodesReject(t, new Error('VipsJpeg: Premature end of JPEG file'));
        await readsAs(slideId, 'macro', (e) => {
          assert.equal(e.code, 'CORRUPT_DATA', e.message);
          assert.equal(e.path, path);
          assert.match(e.message, /macro image.*Premature end of JPEG file/);
        });
      });
      // The mock is gone with its subtest: the image decodes again.
      const macro = await engine.readAssociated({ slideId, name: 'macro' });
      assert.ok(macro.width > 0 && macro.height > 0);
      await engine.close({ slideId });
    });
  }
});

/** The same, for the readers that map a failed tile or embedded JPEG decode themselves. */
describe('a tile or embedded image whose decode is cancelled or fails', { timeout: 300_000 }, () => {
  const cases: Array<{ name: string; fixture: FixtureName; read: (slideId: string) => Promise<unknown>; damaged: RegExp }> = [
    {
      name: 'hamamatsu-vms (VMS): a tile',
      fixture: 'vms-grid-422',
      read: (slideId) => engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 }),
      damaged: /^Tile 0,0 of level 0 is damaged and cannot be decoded \(VipsJpeg/,
    },
    {
      name: 'hamamatsu-vms (VMS): its macro, an embedded JPEG',
      fixture: 'vms-grid-422',
      read: (slideId) => engine.readAssociated({ slideId, name: 'macro' }),
      damaged: /^The macro image is damaged and cannot be decoded \(VipsJpeg/,
    },
    {
      name: 'dicom: a JPEG frame',
      fixture: 'dicom-jpeg-rgb',
      read: (slideId) => engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 }),
      damaged: /is damaged and cannot be decoded \(VipsJpeg/,
    },
    {
      name: 'sakura: a tile',
      fixture: 'sakura-small-pages',
      read: (slideId) => engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 64, height: 64 }),
      damaged: /^Tile 0,0 of level 0 is damaged and cannot be decoded \(VipsJpeg/,
    },
  ];
  for (const c of cases) {
    test(c.name, async (t) => {
      const path = await fixturePath(c.fixture);
      const { slideId } = await openSlide(engine, path);
      // A DICOM slide is a folder: its errors name the file in it.
      const namesSlide = (e: SlideError) => assert.ok(e.path === path || e.path?.startsWith(`${path}/`), `path ${e.path}`);
      const rejectsAs = (check: (error: SlideError) => void) =>
        assert.rejects(
          () => c.read(slideId),
          (error: unknown) => {
            assert.ok(error instanceof SlideError, `not a SlideError: ${String(error)}`);
            check(error);
            return true;
          },
        );
      for (const { name, error } of await abortErrors()) {
        await t.test(name, async (t) => {
          decodesReject(t, error);
          await rejectsAs((e) => {
            assert.equal(e.code, 'CANCELLED', e.message);
            namesSlide(e);
          });
        });
      }
      await t.test('a decoder error', async (t) => {
        decodesReject(t, new Error('VipsJpeg: Premature end of JPEG file'));
        await rejectsAs((e) => {
          assert.equal(e.code, 'CORRUPT_DATA', e.message);
          namesSlide(e);
          assert.match(e.message, c.damaged);
        });
      });
      await c.read(slideId);
      await engine.close({ slideId });
    });
  }
});

/** A slide written to a temporary folder, opened; `damage` then spoils its macro on disk. */
async function damagedAfterOpen(
  write: (dir: string) => Promise<string>,
  damage: (path: string) => Promise<void>,
  check: (error: SlideError, path: string) => void,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-error-mapping-'));
  try {
    const path = await write(dir);
    const { slideId, info } = await openSlide(engine, path);
    assert.ok(info.associated.includes('macro'));
    await damage(path);
    await readsAs(slideId, 'macro', (error) => check(error, path));
    await engine.close({ slideId });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same number of zero bytes: the slide's reads still find the data where it was, but no JPEG in it. */
async function zeroed(file: string): Promise<void> {
  await writeFile(file, new Uint8Array((await stat(file)).size));
}

function namesSlideAndMacro(error: SlideError, path: string): void {
  assert.equal(error.code, 'CORRUPT_DATA', error.message);
  assert.equal(error.path, path);
  assert.match(error.message, /^The macro image cannot be decoded: its JPEG data is damaged/);
}

describe('a macro damaged on disk after the slide opened: CORRUPT_DATA naming the slide and the image', { timeout: 300_000 }, () => {
  test('mirax: its data files zeroed', () =>
    damagedAfterOpen(
      async (dir) => {
        const path = join(dir, 'slide.mrxs');
        await writeMirax(path, { ...(FIXTURES['mirax-plain'].options as MiraxOptions), photosX: 2, photosY: 2, levels: 2 });
        return path;
      },
      async (path) => {
        const folder = dataFolderOf(path);
        for (const name of await readdir(folder)) if (/^Data\d+\.dat$/i.test(name)) await zeroed(join(folder, name));
      },
      namesSlideAndMacro,
    ));

  test('hamamatsu-vms (VMU): its macro file zeroed', async () => {
    const options = FIXTURES['vmu-ngr'].options as VmsOptions;
    await damagedAfterOpen(
      async (dir) => {
        const path = join(dir, 'slide.vmu');
        await writeVms(path, options);
        return path;
      },
      (path) => zeroed(join(path, '..', vmsFileNames(path, options).macro!)),
      namesSlideAndMacro,
    );
  });

  test('trestle: its .Full macro zeroed', () =>
    damagedAfterOpen(
      async (dir) => {
        const path = join(dir, 'slide.tif');
        await writeTrestle(path, { ...(FIXTURES['trestle-overlap'].options as TrestleOptions), tilesAcross: 3, tilesDown: 2 });
        return path;
      },
      (path) => zeroed(trestleMacroPath(path)),
      namesSlideAndMacro,
    ));
});
