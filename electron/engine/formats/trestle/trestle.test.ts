// Trestle (MedScan) against OpenSlide 3.4.1: a generated slide whose tiles overlap (painted as
// OpenSlide paints them, level 0 not whole tiles, the macro beside it), and one without overlaps
// (served as stored); hostile descriptions refused or read as OpenSlide reads them.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES, fixturePath } from '../../../../testing/fixtures';
import { openSlide } from '../../../../testing/open-slide';
import { type ReferenceInfo, runOpenSlide } from '../../../../testing/openslide-reference';
import { perLevel, stitchedAgainstOpenSlide } from '../../../../testing/stitched-against-openslide';
import { type TrestleOptions, trestleMacroPath, writeTrestle } from '../../../../testing/writers/trestle';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

describe('Trestle against OpenSlide 3.4.1', { timeout: 600_000 }, () => {
  test('overlapping tiles: sizes, every property, macro, every level and deep-zoom tiles within ±2', async () => {
    const { info, figures } = await stitchedAgainstOpenSlide(engine, await fixturePath('trestle-overlap'), 'trestle', 256 - 24);
    console.log(`trestle-overlap: ${perLevel(figures)}`);
    for (const f of figures) assert.ok(f.diff.maxDiff <= 2 && f.soft.maxDiff <= 3, `${f.label}: ${JSON.stringify(f)}`);
    assert.equal(info.levels[0]!.width, 7 * 256 - 40 - 6 * 24);
    assert.deepEqual(info.associated, ['macro']);
    assert.equal(info.properties['openslide.mpp-x'], '0.23250000000000001');
    assert.equal(info.properties['trestle.Spaced Key'], 'a value with spaces');
  });

  test('no overlaps: a plain pyramid with tile sizes, served as stored', async () => {
    const path = await fixturePath('trestle-plain');
    const { info, slideId, figures } = await stitchedAgainstOpenSlide(engine, path, 'trestle', 256);
    for (const f of figures) assert.ok(f.diff.maxDiff <= 2, `${f.label}: ${JSON.stringify(f)}`);
    assert.equal(info.properties['openslide.level[0].tile-width'], '256');
    assert.ok(engine.describeTiling(slideId).some((plan) => plan.startsWith('stored')));
  });
});

async function withSlide(options: Partial<TrestleOptions>, use: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-trestle-'));
  try {
    const path = join(dir, 'slide.tif');
    await writeTrestle(path, { ...(FIXTURES['trestle-overlap'].options as TrestleOptions), tilesAcross: 3, tilesDown: 2, ...options });
    await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('hostile Trestle slides', { timeout: 120_000 }, () => {
  test('tiles overlapping by more than their size: CORRUPT_DATA naming the slide', () =>
    withSlide(
      {
        overlaps: [
          [300, 16],
          [12, 8],
        ],
      },
      async (path) => {
        await assert.rejects(
          () => openSlide(engine, path),
          (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA' && /overlap by 300 x 16/.test(error.message) && error.path === path,
        );
      },
    ));

  test('a macro that is not a JPEG is left out, as OpenSlide leaves it out', () =>
    withSlide({}, async (path) => {
      await writeFile(trestleMacroPath(path), 'not a JPEG');
      const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
      const { info } = await openSlide(engine, path);
      assert.deepEqual(info.associated, ref.associated);
      assert.deepEqual(info.associated, []);
    }));

  test('a macro too large to be one (its JPEG declares 80 Mpx) is left out unsaid: it is no damage, unlike a macro cut short', () =>
    withSlide({}, async (path) => {
      const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer();
      const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
      jpeg.writeUInt16BE(8000, sof + 5);
      jpeg.writeUInt16BE(10_000, sof + 7);
      await writeFile(trestleMacroPath(path), jpeg);
      const large = await openSlide(engine, path);
      assert.deepEqual([large.info.associated, large.info.warnings], [[], []]);
      await engine.close({ slideId: large.slideId });

      const whole = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer();
      await writeFile(trestleMacroPath(path), whole.subarray(0, 200));
      const cut = await openSlide(engine, path);
      assert.deepEqual(cut.info.associated, []);
      assert.equal(cut.info.warnings.length, 1);
      assert.match(cut.info.warnings[0]!, /^The macro image \S+\.Full cannot be decoded: .*; it is left out\.$/);
      await engine.close({ slideId: cut.slideId });
    }));
});
