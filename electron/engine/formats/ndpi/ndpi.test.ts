// Hamamatsu NDPI against OpenSlide 3.4.1: the real NanoZoomer slide in ../shared/slides, and files
// the project's NDPI writer makes (testing/writers/ndpi.ts).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { againstOpenSlide } from '../../../../testing/against-openslide';
import { fixturePath } from '../../../../testing/fixtures';
import { openSlide } from '../../../../testing/open-slide';
import { type ReferenceInfo, runOpenSlide } from '../../../../testing/openslide-reference';
import { sharedSlide } from '../../../../testing/paths';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

describe('slideio_test3-DAPI-2-387.ndpi (real NanoZoomer, 4 stored levels of one JPEG each)', { timeout: 300_000 }, () => {
  const path = sharedSlide('slideio_test3-DAPI-2-387.ndpi');

  test('levels, regions at every level, macro and deep-zoom tiles agree with OpenSlide within ±2', async () => {
    const { info } = await againstOpenSlide(engine, path);
    assert.equal(info.vendor, 'hamamatsu');
    assert.equal(info.levels.length, 7);
    assert.deepEqual(
      info.levels.map((l) => l.downsample),
      [1, 2, 4, 8, 16, 32, 64],
    );
  });

  test('properties: every hamamatsu.*, tiff.* and openslide.* value OpenSlide reports', async () => {
    const { info } = await againstOpenSlide(engine, path);
    const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
    const keys = Object.keys(ref.properties).filter((k) => k !== 'openslide.quickhash-1' && !/^openslide\.level\[\d+\]\.tile-/.test(k));
    for (const key of keys) assert.equal(info.properties[key], ref.properties[key], key);
    assert.equal(info.objectivePower, 40);
    assert.equal(info.mpp?.x, Number(ref.properties['openslide.mpp-x']));
  });
});

describe('generated NDPI files (each first opened by OpenSlide 3.4.1 as vendor hamamatsu)', { timeout: 600_000 }, () => {
  async function check(name: 'ndpi-422' | 'ndpi-444-scanned' | 'ndpi-wide' | 'ndpi-past-4gb') {
    const path = await fixturePath(name);
    const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
    assert.equal(ref.properties['openslide.vendor'], 'hamamatsu', `OpenSlide does not take ${name} for NDPI`);
    const result = await againstOpenSlide(engine, path);
    const keys = Object.keys(ref.properties).filter((k) => k !== 'openslide.quickhash-1' && !/^openslide\.level\[\d+\]\.tile-/.test(k));
    for (const key of keys) assert.equal(result.info.properties[key], ref.properties[key], `${name}: ${key}`);
    return { ...result, ref };
  }

  test('4:2:2, stored levels 4x apart: the 2x levels made by JPEG scaling match; stored tiles go to the viewer undecoded', async () => {
    const { slideId, info, ref } = await check('ndpi-422');
    assert.equal(info.levels.length, ref.level_count);
    assert.equal(info.deepZoom.tileSize, 256);
    // Every stored level is served as assembled stored JPEG; the dz levels at half a stored level
    // read that level at half size (libjpeg-turbo), not the scaled level OpenSlide decodes.
    const plans = engine.describeTiling(slideId);
    assert.deepEqual(
      plans.filter((p) => p.startsWith('stored')),
      ['stored L4', 'stored L2', 'stored L0'],
    );
    const top = plans.length - 1;
    assert.equal(plans[top - 1], 'resample L0 x2.00');
    assert.equal(plans[top - 3], 'resample L2 x2.00');
    // Within JPEG rounding of the scaled level's own pixels (fast IDCT and 2x2 means against libjpeg's 1/2 IDCT).
    const dz = info.deepZoom.levels[top - 1]!;
    const half = await engine.getTile({ slideId, dzLevel: top - 1, col: 1, row: 1, requestId: 0 });
    const drawn = await sharp(half.bytes).raw().toBuffer({ resolveWithObject: true });
    // dz tile (1, 1) there: level-1 pixels from 256, level-0 pixels from 512.
    const exact = await engine.readRegion({ slideId, level: 1, x: 512, y: 512, width: drawn.info.width, height: drawn.info.height });
    assert.ok(dz.width === info.levels[1]!.width);
    let sum = 0;
    for (let i = 0, j = 0; i < drawn.data.length; i += drawn.info.channels, j += 4)
      for (let c = 0; c < 3; c++) sum += Math.abs(drawn.data[i + c]! - exact.data[j + c]!);
    assert.ok(sum / (drawn.info.width * drawn.info.height * 3) < 3, `mean difference ${sum / (drawn.info.width * drawn.info.height * 3)}`);
    const tile = await engine.getTile({ slideId, dzLevel: top, col: 3, row: 2, requestId: 0 });
    assert.equal(tile.mime, 'image/jpeg');
  });

  test('4:4:4 without MCU starts: restart markers found by scanning', async () => {
    await check('ndpi-444-scanned');
  });

  test('a level wider than a JPEG frame can declare (69632 px)', async () => {
    const { info } = await check('ndpi-wide');
    assert.equal(info.levels[0]!.width, 69632);
  });

  test('every offset past 4 GB (sparse file): the implied high bits', async () => {
    const { info } = await check('ndpi-past-4gb');
    assert.deepEqual(info.associated, ['macro']);
  });
});

describe('damaged NDPI files: typed errors naming the file and the reason, no crash or hang', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-ndpi-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function damaged(name: 'ndpi-422' | 'ndpi-444-scanned', label: string, damage: (bytes: Uint8Array) => void): Promise<string> {
    const bytes = new Uint8Array(readFileSync(await fixturePath(name)));
    damage(bytes);
    const path = join(dir, `${label}.ndpi`);
    writeFileSync(path, bytes);
    return path;
  }

  async function openError(path: string): Promise<SlideError> {
    const error = await openSlide(engine, path).then(
      () => assert.fail(`${path} opened`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SlideError, `not a SlideError: ${String(error)}`);
    assert.equal(error.path, path);
    return error;
  }

  /** The n-th restart marker (FFD0-FFD7) of the first level's JPEG. */
  function restartMarker(bytes: Uint8Array, n: number): number {
    let seen = 0;
    let soi = 8;
    while (!(bytes[soi] === 0xff && bytes[soi + 1] === 0xd8)) soi++;
    for (let i = soi + 2; i < bytes.length - 1; i++) {
      if (bytes[i] === 0xff && bytes[i + 1]! >= 0xd0 && bytes[i + 1]! <= 0xd7 && ++seen === n) return i;
    }
    throw new Error('not that many restart markers');
  }

  /** Sets the first directory's ImageWidth, as a LONG (NDPI: a classic TIFF header and 12-byte entries). */
  function setWidth(bytes: Uint8Array, width: number): void {
    const view = new DataView(bytes.buffer);
    const ifd = view.getUint32(4, true);
    const count = view.getUint16(ifd, true);
    for (let e = 0; e < count; e++) {
      const entry = ifd + 2 + 12 * e;
      if (view.getUint16(entry, true) !== 256) continue;
      view.setUint16(entry + 2, 4, true);
      view.setUint32(entry + 8, width, true);
      return;
    }
    throw new Error('no ImageWidth');
  }

  /** The directories' offsets and where each keeps its (8-byte, NDPI) next-directory pointer. */
  function directories(bytes: Uint8Array): Array<{ at: number; nextAt: number }> {
    const view = new DataView(bytes.buffer);
    const out: Array<{ at: number; nextAt: number }> = [];
    for (let at = Number(view.getBigUint64(4, true)); at !== 0; ) {
      const nextAt = at + 2 + 12 * view.getUint16(at, true);
      out.push({ at, nextAt });
      at = Number(view.getBigUint64(nextAt, true));
    }
    return out;
  }

  /** Sets a directory's one-LONG tag (StripOffsets, StripByteCounts: stored in the entry). */
  function setLong(bytes: Uint8Array, at: number, tag: number, value: number): void {
    const view = new DataView(bytes.buffer);
    for (let e = 0; e < view.getUint16(at, true); e++) {
      const entry = at + 2 + 12 * e;
      if (view.getUint16(entry, true) !== tag) continue;
      view.setUint16(entry + 2, 4, true);
      view.setUint32(entry + 8, value, true);
      return;
    }
    throw new Error(`no tag ${tag}`);
  }

  async function opened(path: string) {
    const { slideId, info } = await openSlide(engine, path);
    // Level 0's tiles still read.
    const top = info.deepZoom.levels.length - 1;
    const tile = await engine.getTile({ slideId, dzLevel: top, col: 0, row: 0, requestId: 0 });
    assert.ok(tile.bytes.length > 0);
    await engine.close({ slideId });
    return info;
  }

  // OpenSlide 3.4.1 refuses every one of these ("Unsupported or missing image file"): libtiff gives up
  // on the chain. The TIFF readers keep the directories read before the break; so does NDPI.
  test("a chain broken after good directories: those levels open, with the TIFF chain's warning and the file's size", async () => {
    const source = readFileSync(await fixturePath('ndpi-422'));
    const size = source.length.toLocaleString('en-US');
    const chain = directories(source);
    const whole = await opened(await fixturePath('ndpi-422'));
    assert.deepEqual(whole.warnings, []);
    assert.deepEqual(whole.associated, ['macro']);
    const lost = 'the images it and any after it held (a level, the label or the macro) are missing.';
    const cases: Array<[string, (bytes: Uint8Array) => Uint8Array | undefined, number, string]> = [
      [
        'past-end',
        (b) => void new DataView(b.buffer).setBigUint64(chain[0]!.nextAt, BigInt(b.length + 100), true),
        1,
        `The file is truncated: image directory 1 lies beyond its end (the file is ${size} bytes); ${lost}`,
      ],
      [
        'cut-after-1',
        (b) => b.subarray(0, chain[2]!.at),
        2,
        `The file is truncated: image directory 2 lies beyond its end (the file is ${chain[2]!.at.toLocaleString('en-US')} bytes); ${lost}`,
      ],
      [
        'garbage',
        (b) => void new DataView(b.buffer).setBigUint64(chain[1]!.nextAt, BigInt(chain[0]!.at + 1), true),
        2,
        `The file is truncated or damaged inside image directory 2 (the file is ${size} bytes); ${lost}`,
      ],
      [
        'no-entries',
        (b) => void new DataView(b.buffer).setUint16(chain[1]!.at, 0, true),
        1,
        `The file is truncated or damaged inside image directory 1 (the file is ${size} bytes); ${lost}`,
      ],
      [
        'loop',
        (b) => void new DataView(b.buffer).setBigUint64(chain[2]!.nextAt, BigInt(chain[0]!.at), true),
        3,
        'Image directory 2 points back at image directory 0, already read (a loop): the file is damaged; any images after it (a level, the label or the macro) may be missing.',
      ],
    ];
    for (const [label, damage, kept, warning] of cases) {
      let cut: Uint8Array | undefined;
      const path = await damaged('ndpi-422', label, (b) => {
        cut = damage(b);
      });
      if (cut) writeFileSync(path, cut);
      const info = await opened(path);
      assert.deepEqual(info.warnings, [warning], label);
      // Stored levels 1x, 4x, 16x, each with its 1/2, 1/4, 1/8 decoded: those of the directories kept.
      assert.deepEqual(
        info.levels.map((l) => l.width),
        whole.levels.map((l) => l.width).slice(0, [0, 4, 6, 8][kept]),
        label,
      );
      assert.deepEqual(info.associated, [], label);
    }
  });

  test("a level's or the macro's JPEG past the end of the file: left out, and said; level 0's: CORRUPT_DATA", async () => {
    const source = readFileSync(await fixturePath('ndpi-422'));
    const chain = directories(source);
    const level = await opened(await damaged('ndpi-422', 'level-past-end', (b) => setLong(b, chain[1]!.at, 279, b.length)));
    assert.deepEqual(level.warnings, ['Level image 1 (2048 x 1536): its JPEG data lies beyond the end of the file: the file is truncated; it is left out.']);
    // Its width is made from level 0 at 1/4 instead.
    assert.deepEqual(
      level.levels.map((l) => l.width),
      [8192, 4096, 2048, 1024, 512, 256, 128, 64],
    );
    assert.deepEqual(level.associated, ['macro']);
    const macro = await opened(await damaged('ndpi-422', 'macro-past-end', (b) => setLong(b, chain[3]!.at, 273, b.length - 100)));
    assert.deepEqual(macro.warnings, ['Image directory 3: its macro image lies beyond the end of the file: the file is truncated; it is left out.']);
    assert.deepEqual(macro.associated, []);
    const first = await openError(await damaged('ndpi-422', 'first-past-end', (b) => setLong(b, chain[0]!.at, 279, b.length)));
    assert.equal(first.code, 'CORRUPT_DATA');
    assert.equal(first.message, 'Level image 0 (8192 x 6144): its JPEG data lies beyond the end of the file: the file is truncated.');
  });

  test('the first directory past the end: not read as NDPI, refused as a TIFF whose first directory is missing', async () => {
    const path = await damaged('ndpi-422', 'first-dir-past-end', (b) => new DataView(b.buffer).setBigUint64(4, BigInt(b.length + 8), true));
    const error = await openError(path);
    assert.equal(error.code, 'CORRUPT_DATA');
    assert.match(error.message, /^The file is truncated: the first image directory lies beyond its end/);
  });

  test('cut short inside the first level: CORRUPT_DATA at open, "truncated"', async () => {
    const full = readFileSync(await fixturePath('ndpi-444-scanned'));
    const path = join(dir, 'cut.ndpi');
    writeFileSync(path, full.subarray(0, Math.floor(full.length * 0.6)));
    const error = await openError(path);
    assert.equal(error.code, 'CORRUPT_DATA');
    assert.match(error.message, /truncated|beyond the end/);
  });

  test('a width of 2^31 - 1 px in the first directory: refused at open, nothing allocated for it', async () => {
    const path = await damaged('ndpi-444-scanned', 'wide', (bytes) => setWidth(bytes, 2 ** 31 - 1));
    const error = await openError(path);
    assert.ok(['CORRUPT_DATA', 'UNSUPPORTED_FORMAT', 'TOO_LARGE'].includes(error.code), error.code);
  });

  for (const [name, recorded] of [
    ['ndpi-422', 'where the MCU-starts tag records it'],
    ['ndpi-444-scanned', 'found by scanning'],
  ] as const) {
    test(`${name}: a restart marker wiped (intervals ${recorded}): the tiles over it fail with CORRUPT_DATA, the rest read`, async () => {
      const path = await damaged(name, `${name}-rst`, (bytes) => bytes.fill(0, restartMarker(bytes, 300), restartMarker(bytes, 300) + 2));
      const { slideId, info } = await openSlide(engine, path);
      const top = info.deepZoom.levels.length - 1;
      const failures: SlideError[] = [];
      let read = 0;
      for (const z of [top, top - 1]) {
        const { cols, rows } = info.deepZoom.levels[z]!;
        for (let row = 0; row < Math.min(rows, 4); row++) {
          for (let col = 0; col < cols; col++) {
            await engine.getTile({ slideId, dzLevel: z, col, row, requestId: 0 }).then(
              () => read++,
              (error: unknown) => {
                assert.ok(error instanceof SlideError, `not a SlideError: ${String(error)}`);
                failures.push(error);
              },
            );
          }
        }
      }
      assert.ok(failures.length > 0, 'no tile noticed the damage');
      assert.ok(read > failures.length, `${failures.length} failures, ${read} tiles read`);
      for (const error of failures) {
        assert.equal(error.code, 'CORRUPT_DATA');
        assert.equal(error.path, path);
        assert.match(error.message, /restart interval|damaged/);
      }
      await engine.close({ slideId });
    });
  }
});
