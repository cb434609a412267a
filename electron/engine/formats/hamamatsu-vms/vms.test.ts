// Hamamatsu VMS and VMU against OpenSlide 3.4.1: generated slides (a grid of restart-interval JPEG
// files with 4:2:2 chroma and narrower last files; 4:4:4 with a second focal plane to skip; a VMU's
// 12-bit NGR files) compared at every level, with the macro, deep-zoom tiles and every property;
// missing image files named; hostile key files and image files refused, typed.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { againstOpenSlide } from '../../../../testing/against-openslide';
import { FIXTURES, type FixtureName, fixturePath } from '../../../../testing/fixtures';
import { assertOpenRefused, openSlide } from '../../../../testing/open-slide';
import { type ReferenceInfo, runOpenSlide } from '../../../../testing/openslide-reference';
import { type VmsOptions, vmsFileNames, writeVms } from '../../../../testing/writers/hamamatsu-vms';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';

const engine = new SlideEngine({ tileEncoding: 'png' });

/**
 * Stored tiles go to the viewer as they are: a 4:2:2 tile of several restart intervals, decoded
 * whole, blends chroma across the seams between them where OpenSlide decodes each interval alone
 * (regions decode the pieces apart, and match it). The seams' columns, every 128 px.
 */
const SEAMS: Partial<Record<FixtureName, { every: number }>> = { 'vms-grid-422': { every: 128 } };
after(() => engine.closeAll());

describe('Hamamatsu VMS and VMU against OpenSlide 3.4.1', { timeout: 600_000 }, () => {
  const cases: Array<{ name: FixtureName; check: (info: Awaited<ReturnType<typeof openSlide>>['info']) => void }> = [
    {
      name: 'vms-grid-422',
      check: (info) => {
        assert.equal(info.levels[0]!.width, 1536);
        assert.equal(info.properties['openslide.comment'], 'NanoZoomer test image, Slidescope');
        assert.deepEqual(info.associated, ['macro']);
        assert.equal(info.objectivePower, 20);
      },
    },
    { name: 'vms-444-planes', check: (info) => assert.equal(info.properties['hamamatsu.ImageFile(1,0,0)']?.endsWith('-z1.jpg'), true) },
    { name: 'vmu-ngr', check: (info) => assert.deepEqual([info.levels.length, info.levels[0]!.tileWidth, info.levels[0]!.tileHeight], [2, 100, 64]) },
  ];
  for (const c of cases) {
    test(`${c.name}: levels, regions (edges included), macro, dz tiles within ±2, every property`, async () => {
      const path = await fixturePath(c.name);
      const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
      assert.equal(ref.properties['openslide.vendor'], 'hamamatsu', 'OpenSlide reads the slide as Hamamatsu');
      const { info } = await againstOpenSlide(engine, path, { storedSeams: SEAMS[c.name] });
      assert.equal(info.vendor, 'hamamatsu');
      for (const [i, l] of info.levels.entries()) assert.equal(l.downsample, ref.downsamples[i], `level ${i} downsample`);
      const keys = new Set([...Object.keys(info.properties), ...Object.keys(ref.properties)]);
      keys.delete('openslide.quickhash-1');
      for (const key of keys) assert.equal(info.properties[key], ref.properties[key], `property ${key}`);
      c.check(info);
    });
  }
});

async function withSlide(
  options: Partial<VmsOptions>,
  use: (path: string, written: VmsOptions) => Promise<void>,
  base: FixtureName = 'vms-grid-422',
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-vms-'));
  try {
    const written = { ...(FIXTURES[base].options as VmsOptions), ...options };
    const path = join(dir, `slide.${written.kind}`);
    await writeVms(path, written);
    await use(path, written);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a VMS or VMU slide missing one of its files: NOT_FOUND naming it', { timeout: 120_000 }, () => {
  for (const which of ['image', 'map', 'macro'] as const) {
    test(`no ${which} file`, () =>
      withSlide({}, async (path, written) => {
        const names = vmsFileNames(path, written);
        const name = which === 'image' ? names.images[3]! : which === 'map' ? names.map : names.macro!;
        await unlink(join(path, '..', name));
        await assertOpenRefused(engine, path, 'NOT_FOUND', new RegExp(`"${name.replace(/[()]/g, '\\$&')}" is missing`));
      }));
  }
});

describe('hostile VMS and VMU files: typed errors naming the slide', { timeout: 300_000 }, () => {
  const keyCases: Array<{ name: string; rewrite: (text: string) => string; code: string; message: RegExp }> = [
    {
      name: '10^6 x 10^6 image files',
      rewrite: (t) => t.replace('NoJpegColumns=2', 'NoJpegColumns=1000000').replace('NoJpegRows=2', 'NoJpegRows=1000000'),
      code: 'CORRUPT_DATA',
      message: /names 1000000 x 1000000 image files/,
    },
    { name: 'no map file', rewrite: (t) => t.replace(/MapFile=.*\r\n/, ''), code: 'CORRUPT_DATA', message: /Can't read map file/ },
    {
      name: 'an image named twice',
      rewrite: (t) => t.replace('ImageFile(1,1)=', 'ImageFile(0,1,0)='),
      code: 'CORRUPT_DATA',
      message: /Duplicate image for \(1,0\)/,
    },
    { name: 'an image not named', rewrite: (t) => t.replace(/ImageFile\(1,1\)=.*\r\n/, ''), code: 'CORRUPT_DATA', message: /Can't read image filename 3/ },
    {
      name: 'an image outside the grid',
      rewrite: (t) => t.replace('ImageFile(1,1)=', 'ImageFile(5,1)='),
      code: 'CORRUPT_DATA',
      message: /Invalid row or column/,
    },
    {
      name: 'four image dimensions',
      rewrite: (t) => t.replace('ImageFile(1,1)=', 'ImageFile(0,0,1,1)='),
      code: 'CORRUPT_DATA',
      message: /Unknown number of image dimensions: 4/,
    },
    {
      name: 'an image outside its folder',
      rewrite: (t) => t.replace(/ImageFile\(1,1\)=.*/, 'ImageFile(1,1)=../../etc/passwd'),
      code: 'CORRUPT_DATA',
      message: /not a file beside it/,
    },
    {
      name: 'an image named by nothing',
      rewrite: (t) => t.replace(/ImageFile\(1,1\)=.*/, 'ImageFile(1,1)='),
      code: 'CORRUPT_DATA',
      message: /names its image file "", which is not a file beside it/,
    },
    {
      name: 'a map file name holding a NUL',
      rewrite: (t) => t.replace(/MapFile=(.*)\.jpg/, 'MapFile=$1.\0jpg'),
      code: 'CORRUPT_DATA',
      message: /names its map file ".*\\u0000jpg", which is not a file beside it/,
    },
  ];
  for (const c of keyCases) {
    test(c.name, () => withSlide({ rewriteKeyFile: c.rewrite }, (path) => assertOpenRefused(engine, path, c.code, c.message)));
  }

  test('a key file over 64 KB is not a VMS slide (OpenSlide does not read it either)', () =>
    withSlide({ rewriteKeyFile: (t) => `${t}Padding=${'x'.repeat(70_000)}\r\n` }, async (path) => {
      assert.match(JSON.stringify(runOpenSlide([{ kind: 'info', path }])[0]), /error/);
      await assertOpenRefused(engine, path, 'NOT_A_SLIDE', /not a slide/);
    }));

  test('an image JPEG without restart markers', () =>
    withSlide({}, async (path, written) => {
      const image = join(path, '..', vmsFileNames(path, written).images[1]!);
      const { default: sharp } = await import('sharp');
      await writeFile(
        image,
        await sharp({ create: { width: 512, height: 768, channels: 3, background: '#c08080' } })
          .jpeg()
          .toBuffer(),
      );
      await assertOpenRefused(engine, path, 'CORRUPT_DATA', /has no restart markers/);
    }));

  test('an image file that is not a JPEG', () =>
    withSlide({}, async (path, written) => {
      await writeFile(join(path, '..', vmsFileNames(path, written).images[2]!), 'not a JPEG at all');
      await assertOpenRefused(engine, path, 'CORRUPT_DATA', /is not a readable JPEG/);
    }));

  test('a truncated image file fails its tiles, typed', () =>
    withSlide({}, async (path, written) => {
      const image = join(path, '..', vmsFileNames(path, written).images[0]!);
      const bytes = await readFile(image);
      await writeFile(image, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const { slideId } = await openSlide(engine, path);
      await assert.rejects(
        () => engine.readRegion({ slideId, level: 0, x: 0, y: 700, width: 100, height: 60 }),
        (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA',
      );
    }));

  const ngrCases: Array<{ name: string; patch: (view: DataView) => void; message: RegExp }> = [
    { name: 'an NGR file without its signature', patch: (v) => v.setUint8(0, 0x58), message: /no NGR signature/ },
    { name: 'an NGR column width that does not divide its width', patch: (v) => v.setInt32(12, 300, true), message: /not a multiple of its column width/ },
    { name: 'an NGR of negative height', patch: (v) => v.setInt32(8, -5, true), message: /unreadable header/ },
  ];
  for (const c of ngrCases) {
    test(c.name, () =>
      withSlide(
        {},
        async (path, written) => {
          const image = join(path, '..', vmsFileNames(path, written).images[0]!);
          const bytes = await readFile(image);
          c.patch(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          await writeFile(image, bytes);
          await assertOpenRefused(engine, path, 'CORRUPT_DATA', c.message);
        },
        'vmu-ngr',
      ),
    );
  }

  test('an NGR file too short for its data fails its tiles, typed', () =>
    withSlide(
      {},
      async (path, written) => {
        const image = join(path, '..', vmsFileNames(path, written).images[0]!);
        const bytes = await readFile(image);
        await writeFile(image, bytes.subarray(0, 5000));
        const { slideId } = await openSlide(engine, path);
        await assert.rejects(
          () => engine.readRegion({ slideId, level: 0, x: 500, y: 300, width: 100, height: 100 }),
          (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA' && /beyond the end/.test(error.message),
        );
      },
      'vmu-ngr',
    ));
});
