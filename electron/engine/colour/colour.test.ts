// Colour management: ICC profiles carried in JPEG APP2 markers (split at 65519 bytes) and PNG iCCP
// chunks, profile descriptions (version 2 and 4, a real one, damaged ones), and slides that embed a
// strongly non-sRGB profile - OpenSlide 3.4.1 opens the writer's files as their vendor, the tiles
// carry the profile, exports agree with libvips' `vips icc_transform` to sRGB within ±2, and the
// view's brightness, contrast and gamma go into exports as the viewer draws them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { adjustmentTable, NEUTRAL_ADJUSTMENT, transferFunction } from '../../../shared/colour';
import type { RgbImage } from '../../../shared/slide';
import { FIXTURES, fixturePath } from '../../../testing/fixtures';
import { openSlide } from '../../../testing/open-slide';
import { type ReferenceInfo, referenceImage, runOpenSlide } from '../../../testing/openslide-reference';
import { sharedSlide } from '../../../testing/paths';
import { compareRgb, decodeTile } from '../../../testing/pixel-compare';
import { writeIccProfile } from '../../../testing/writers/icc-profile';
import { iccSlideProfile, writeIccSlide } from '../../../testing/writers/icc-slide';
import { writePhilipsTiff } from '../../../testing/writers/philips';
import { infoJson } from '../../cli/commands';
import { FieldType } from '../../synth/tiff-writer';
import { SlideEngine } from '../engine';
import { iccChunk, withChunk } from '../png-chunks';
import { ICC_BYTES_PER_MARKER, iccMarkers, withIccMarkers } from './icc-jpeg';
import { ICC_PROFILE_TAG, MAX_ICC_BYTES, readIccProfile, rgbProfileProblem } from './icc-profile';

/** The profile in a JPEG's APP2 markers, put back together in sequence order; null when absent or incomplete. */
function profileFromJpeg(jpeg: Uint8Array): Uint8Array | null {
  const chunks = new Map<number, Uint8Array>();
  let total = 0;
  for (let pos = 2; pos + 4 <= jpeg.length && jpeg[pos] === 0xff && jpeg[pos + 1] !== 0xda; ) {
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    if (jpeg[pos + 1] === 0xe2 && Buffer.from(jpeg.subarray(pos + 4, pos + 16)).toString('latin1') === 'ICC_PROFILE\0') {
      total = jpeg[pos + 17]!;
      chunks.set(jpeg[pos + 16]!, jpeg.subarray(pos + 18, pos + 2 + length));
    }
    pos += 2 + length;
  }
  if (total === 0 || chunks.size !== total) return null;
  return new Uint8Array(Buffer.concat(Array.from({ length: total }, (_, i) => chunks.get(i + 1)!)));
}

/** The APP2 markers' sequence numbers and counts, in file order. */
function markerHeaders(markers: Uint8Array): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let pos = 0; pos < markers.length; ) {
    const length = (markers[pos + 2]! << 8) | markers[pos + 3]!;
    out.push([markers[pos + 16]!, markers[pos + 17]!, length - 16]);
    pos += 2 + length;
  }
  return out;
}

/** A baseline JPEG that starts with a JFIF APP0, as cameras and most encoders write it. */
async function jfifJpeg(width: number, height: number): Promise<Uint8Array> {
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 7) & 255);
  const jpeg = new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
  if (jpeg[3] === 0xe0) return jpeg;
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...jpeg.subarray(2)]);
}

/** A profile of `size` bytes: a real one padded with a private tag, so libjpeg has something to reassemble. */
function paddedProfile(size: number): Uint8Array {
  const profile = new Uint8Array(size);
  profile.set(writeIccProfile({ kind: 'channel-swap', description: 'padded' }));
  for (let i = 600; i < size; i++) profile[i] = i % 251;
  return profile;
}

describe('ICC profiles in JPEG tiles (APP2 ICC_PROFILE markers)', () => {
  test('split at 65519 bytes a marker, numbered 1..n of n, and put back together byte for byte', () => {
    for (const [size, expected] of [
      [508, [508]],
      [ICC_BYTES_PER_MARKER, [ICC_BYTES_PER_MARKER]],
      [ICC_BYTES_PER_MARKER + 1, [ICC_BYTES_PER_MARKER, 1]],
      [200_000, [ICC_BYTES_PER_MARKER, ICC_BYTES_PER_MARKER, ICC_BYTES_PER_MARKER, 200_000 - 3 * ICC_BYTES_PER_MARKER]],
    ] as const) {
      const profile = paddedProfile(size);
      const markers = iccMarkers(profile)!;
      const headers = markerHeaders(markers);
      assert.deepEqual(
        headers.map(([seq]) => seq),
        expected.map((_, i) => i + 1),
        `${size} bytes: sequence numbers`,
      );
      assert.ok(
        headers.every(([, count]) => count === expected.length),
        `${size} bytes: every marker says ${expected.length}`,
      );
      assert.deepEqual(
        headers.map(([, , bytes]) => bytes),
        [...expected],
        `${size} bytes: profile bytes per marker`,
      );
      assert.equal(markers.length, size + 18 * expected.length);
    }
    // 255 markers at most: a profile needing more is not embedded.
    assert.equal(iccMarkers(new Uint8Array(255 * ICC_BYTES_PER_MARKER + 1)), null);
    assert.notEqual(iccMarkers(new Uint8Array(255 * ICC_BYTES_PER_MARKER)), null);
  });

  test('spliced after SOI (after a JFIF APP0): libjpeg reads the profile back, pixels untouched', async () => {
    const jpeg = await jfifJpeg(64, 48);
    for (const size of [508, 200_000]) {
      const profile = paddedProfile(size);
      const tagged = withIccMarkers(jpeg, iccMarkers(profile)!);
      assert.equal(tagged.length, jpeg.length + iccMarkers(profile)!.length);
      assert.deepEqual(tagged.subarray(0, 4 + ((jpeg[4]! << 8) | jpeg[5]!)), jpeg.subarray(0, 4 + ((jpeg[4]! << 8) | jpeg[5]!)), 'JFIF stays first');
      assert.deepEqual(profileFromJpeg(tagged), profile);
      const { icc } = await sharp(tagged).metadata();
      assert.deepEqual(new Uint8Array(icc!), profile, `${size} bytes: libjpeg reassembles it`);
      const raw = (image: Uint8Array) => sharp(image, { ignoreIcc: true }).raw().toBuffer();
      assert.deepEqual(await raw(tagged), await raw(jpeg));
    }
    // A TIFF tile made whole (tables spliced in, no APP0): right after SOI.
    const bare = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x02, 0xff, 0xd9]);
    const markers = iccMarkers(paddedProfile(508))!;
    assert.deepEqual(withIccMarkers(bare, markers).subarray(2, 2 + markers.length), markers);
  });

  test('a JPEG that carries a profile already, and anything that is not a JPEG, are left alone', () => {
    const markers = iccMarkers(paddedProfile(508))!;
    const once = withIccMarkers(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]), markers);
    assert.equal(withIccMarkers(once, iccMarkers(paddedProfile(700))!), once);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    assert.equal(withIccMarkers(png, markers), png);
    assert.equal(withIccMarkers(new Uint8Array(0), markers).length, 0);
  });

  test('PNG tiles carry it as an iCCP chunk after IHDR', async () => {
    const data = new Uint8Array(16 * 8 * 3).fill(90);
    const png = new Uint8Array(
      await sharp(data, { raw: { width: 16, height: 8, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const profile = writeIccProfile({ kind: 'wide-gamut', description: 'Wide' });
    const tagged = withChunk(png, iccChunk(profile));
    assert.equal(Buffer.from(tagged.subarray(37, 41)).toString('latin1'), 'iCCP');
    assert.deepEqual(new Uint8Array((await sharp(tagged).metadata()).icc!), profile);
    assert.equal(withChunk(tagged.subarray(0, 20), iccChunk(profile)).length, 20);
  });
});

describe('ICC profile descriptions', () => {
  test("version 2 'desc' and version 4 'mluc' texts; a real lcms profile (openslide-python's boxes.tiff)", async () => {
    const v2 = readIccProfile(writeIccProfile({ kind: 'channel-swap', description: 'Scanner RGB (v2)' }));
    assert.ok(!('problem' in v2));
    assert.deepEqual([v2.description, v2.version, v2.colourSpace, v2.deviceClass], ['Scanner RGB (v2)', '2.1', 'RGB ', 'mntr']);
    const v4 = readIccProfile(writeIccProfile({ kind: 'wide-gamut', description: 'Wide RGB (v4)', version: 4 }));
    assert.ok(!('problem' in v4));
    assert.deepEqual([v4.description, v4.version], ['Wide RGB (v4)', '4.3']);
    const engine = new SlideEngine();
    try {
      const { info } = await openSlide(engine, sharedSlide('openslide-python_boxes.tiff'));
      assert.deepEqual(info.iccProfile, { description: 'sRGB built-in', bytes: 588 });
    } finally {
      await engine.closeAll();
    }
  });

  test('damaged profiles say why, and nothing is read outside them', () => {
    const good = writeIccProfile({ kind: 'channel-swap', description: 'Good' });
    const damaged = (change: (bytes: Uint8Array, view: DataView) => void): string => {
      const bytes = good.slice();
      change(bytes, new DataView(bytes.buffer));
      const result = readIccProfile(bytes);
      return 'problem' in result ? result.problem : `read: ${result.description}`;
    };
    assert.match(
      damaged(() => undefined),
      /^read: Good$/,
    );
    assert.match(String((readIccProfile(good.subarray(0, 100)) as { problem: string }).problem), /shorter than an ICC header/);
    assert.match(
      damaged((b) => b.set([0, 0, 0, 0], 36)),
      /no 'acsp' signature/,
    );
    assert.match(
      damaged((_, v) => v.setUint32(0, good.length + 1)),
      /declares \d+ bytes but holds/,
    );
    assert.match(
      damaged((_, v) => v.setUint32(128, 0x10000000)),
      /tag table lists/,
    );
    // The first tag is 'desc': its offset, its size, then its own length field.
    assert.match(
      damaged((_, v) => v.setUint32(136, 0xfffffff0)),
      /'desc' tag lies outside/,
    );
    assert.match(
      damaged((_, v) => v.setUint32(140, good.length)),
      /'desc' tag lies outside/,
    );
    assert.match(
      damaged((_, v) => v.setUint32(v.getUint32(136) + 8, 0xffffffff)),
      /'desc' tag is damaged/,
    );
    assert.match(
      damaged((b, v) => b.set([0x78, 0x78, 0x78, 0x78], v.getUint32(136))),
      /'desc' tag is damaged/,
    );
    const v4 = writeIccProfile({ kind: 'wide-gamut', description: 'Wide', version: 4 });
    const mluc = v4.slice();
    const view = new DataView(mluc.buffer);
    view.setUint32(view.getUint32(136) + 8, 0x7fffffff); // record count
    assert.match(String((readIccProfile(mluc) as { problem: string }).problem), /'desc' tag is damaged/);
    // A padded tag is cut to the profile's own length.
    const padded = new Uint8Array(good.length + 3);
    padded.set(good);
    assert.equal((readIccProfile(padded) as { size: number }).size, good.length);
  });

  test('profiles that cannot colour RGB pixels are named as such', () => {
    const header = readIccProfile(writeIccProfile({ kind: 'channel-swap', description: 'x' }));
    assert.ok(!('problem' in header));
    assert.equal(rgbProfileProblem(header), null);
    assert.match(String(rgbProfileProblem({ ...header, colourSpace: 'GRAY' })), /GRAY profile, not an RGB one/);
    assert.match(String(rgbProfileProblem({ ...header, deviceClass: 'link' })), /link profile/);
  });
});

describe('slides with a strongly non-sRGB embedded profile', () => {
  const engine = new SlideEngine();
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-colour-'));
  });
  after(async () => {
    await engine.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  for (const name of ['icc-aperio-swap', 'icc-generic-wide'] as const) {
    test(`${name}: OpenSlide 3.4.1 opens the writer's file as its vendor and reads the same raw pixels`, async () => {
      const path = await fixturePath(name);
      const vendor = FIXTURES[name].options.flavour;
      const [ref, region] = runOpenSlide([
        { kind: 'info', path },
        { kind: 'region', path, level: 0, x: 700, y: 500, width: 300, height: 200 },
      ]);
      assert.equal((ref as ReferenceInfo).properties['openslide.vendor'], vendor);
      const { slideId, info } = await openSlide(engine, path);
      assert.equal(info.vendor, vendor);
      assert.deepEqual(info.iccProfile, {
        description: `Slidescope test ${FIXTURES[name].options.profile}`,
        bytes: iccSlideProfile(FIXTURES[name].options).length,
      });
      // Regions stay as stored (OpenSlide's pixels): colour management is the viewer's and the exports'.
      const diff = compareRgb(await engine.readRegion({ slideId, level: 0, x: 700, y: 500, width: 300, height: 200 }), referenceImage(region), 2);
      assert.ok(diff.maxDiff <= 2, JSON.stringify(diff));
    });
  }

  test('every tile carries the profile, stored and re-encoded alike; decoded colour-managed it differs from the raw pixels', async () => {
    const path = await fixturePath('icc-aperio-swap');
    const profile = iccSlideProfile(FIXTURES['icc-aperio-swap'].options);
    const { slideId, info } = await openSlide(engine, path);
    const plans = engine.describeTiling(slideId);
    const top = info.deepZoom.levels.length - 1;
    const resampled = plans.findIndex((p) => p.startsWith('resample'));
    assert.ok(plans[top]!.startsWith('stored') && resampled > 0, plans.join(', '));
    for (const dzLevel of [top, resampled, 0]) {
      const tile = await engine.getTile({ slideId, dzLevel, col: 0, row: 0, requestId: 0 });
      assert.deepEqual(profileFromJpeg(tile.bytes), profile, `dz level ${dzLevel} (${plans[dzLevel]})`);
    }
    // libvips colour-manages it as it decodes (as the browser does), and the swap shows.
    // A tile in the middle of the tissue.
    const tile = await engine.getTile({ slideId, dzLevel: top, col: 5, row: 4, requestId: 0 });
    const managed = await decodeTile(tile);
    const size = info.deepZoom.tileSize;
    const raw = await engine.readRegion({ slideId, level: 0, x: 5 * size, y: 4 * size, width: size, height: size });
    assert.ok(compareRgb(managed, raw, 2).meanDiff > 20, 'the tile decodes to other colours than the raw pixels');
  });

  test('exports agree with `vips icc_transform` to sRGB within ±2; unmanaged exports are the raw pixels', async (t) => {
    const path = await fixturePath('icc-aperio-swap');
    const profilePath = join(dir, 'slide.icc');
    await writeFile(profilePath, iccSlideProfile(FIXTURES['icc-aperio-swap'].options));
    const { slideId } = await openSlide(engine, path);
    // In the tissue: pink and purple, where the swap moves colours most.
    const region = { slideId, x: 1200, y: 900, width: 500, height: 400, at: { kind: 'level' as const, level: 0 }, format: 'png' as const, overwrite: true };
    const rawPath = join(dir, 'raw.png');
    const managedPath = join(dir, 'managed.png');
    await engine.writeRegion({ ...region, path: rawPath, colour: { managed: false } });
    await engine.writeRegion({ ...region, path: managedPath });
    const vipsPath = join(dir, 'vips.png');
    // What libvips makes of the raw pixels with the slide's profile (RGBA in, alpha kept).
    const run = spawnSync('vips', ['icc_transform', rawPath, vipsPath, 'srgb', '--input-profile', profilePath], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const pixels = async (file: string): Promise<RgbImage> => {
      const { data, info } = await sharp(file, { ignoreIcc: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
    };
    const raw = await pixels(rawPath);
    const managed = await pixels(managedPath);
    const expected = await pixels(vipsPath);
    const diff = compareRgb(managed, expected, 2);
    t.diagnostic(`region vs vips icc_transform: ${JSON.stringify(diff)}; vs raw: ${JSON.stringify(compareRgb(managed, raw, 2))}`);
    assert.ok(diff.maxDiff <= 2, `managed vs vips icc_transform: ${JSON.stringify(diff)}`);
    assert.ok(compareRgb(managed, raw, 2).meanDiff > 20, 'the conversion changed the colours');
    const stored = await engine.readRegion({ slideId, level: 0, x: 1200, y: 900, width: 500, height: 400 });
    assert.equal(compareRgb(raw, stored, 0).maxDiff, 0, 'colour: { managed: false } exports the pixels as stored');

    // A thumbnail and a comparison set are converted too.
    const thumbPath = join(dir, 'thumb.png');
    await engine.writeThumbnail({ slideId, spec: { kind: 'size', longestSide: 300 }, path: thumbPath, format: 'png', overwrite: true });
    const thumbRaw = await engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 300 } });
    const rawThumbPath = join(dir, 'thumb-raw.png');
    await sharp(thumbRaw.data, { raw: { width: thumbRaw.width, height: thumbRaw.height, channels: 3 } })
      .png()
      .toFile(rawThumbPath);
    const thumbVips = join(dir, 'thumb-vips.png');
    assert.equal(spawnSync('vips', ['icc_transform', rawThumbPath, thumbVips, 'srgb', '--input-profile', profilePath]).status, 0);
    const thumbDiff = compareRgb(await pixels(thumbPath), await pixels(thumbVips), 2);
    t.diagnostic(`thumbnail vs vips icc_transform: ${JSON.stringify(thumbDiff)}`);
    assert.ok(thumbDiff.maxDiff <= 2, `thumbnail: ${JSON.stringify(thumbDiff)}`);
  });

  test("the view's brightness, contrast and gamma go into exports as the viewer's curve; neutral ones change nothing", async () => {
    const path = await fixturePath('icc-aperio-swap');
    const { slideId } = await openSlide(engine, path);
    const region = { slideId, x: 100, y: 100, width: 240, height: 180, at: { kind: 'level' as const, level: 0 }, format: 'png' as const, overwrite: true };
    const read = async (file: string): Promise<RgbImage> => {
      const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
    };
    const adjustment = { brightness: 0.1, contrast: 1.4, gamma: 1.6 };
    await engine.writeRegion({ ...region, path: join(dir, 'plain.png') });
    await engine.writeRegion({ ...region, path: join(dir, 'neutral.png'), colour: { managed: true, adjustment: { ...NEUTRAL_ADJUSTMENT } } });
    await engine.writeRegion({ ...region, path: join(dir, 'adjusted.png'), colour: { managed: true, adjustment } });
    const plain = await read(join(dir, 'plain.png'));
    assert.equal(compareRgb(await read(join(dir, 'neutral.png')), plain, 0).maxDiff, 0);
    const table = adjustmentTable(adjustment);
    const expected = { ...plain, data: plain.data.map((v) => table[v]!) };
    assert.equal(compareRgb(await read(join(dir, 'adjusted.png')), expected, 0).maxDiff, 0);
    // The table is the SVG curve: out = amplitude * in^exponent + offset, clamped.
    const { amplitude, exponent, offset } = transferFunction(adjustment);
    assert.equal(table[128], Math.floor(255 * Math.min(1, Math.max(0, amplitude * (128 / 255) ** exponent + offset))));
    assert.deepEqual(
      adjustmentTable(NEUTRAL_ADJUSTMENT),
      Uint8Array.from({ length: 256 }, (_, i) => i),
    );
  });

  test('slidescope info --json says which profile the slide carries', async () => {
    const { info } = await openSlide(engine, await fixturePath('icc-generic-wide'));
    assert.deepEqual(infoJson(info).iccProfile, { description: 'Slidescope test wide-gamut', bytes: info.iccProfile!.bytes });
    const { info: none } = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    assert.equal(infoJson(none).iccProfile, null);
  });

  test("Philips: the XML's DICOM_ICCPROFILE when the TIFF has no InterColorProfile tag", async () => {
    const profile = writeIccProfile({ kind: 'channel-swap', description: 'Philips scanner profile' });
    const path = join(dir, 'philips-icc.tiff');
    await writePhilipsTiff(path, {
      width: 1200,
      height: 900,
      seed: 5,
      mangleXml: (xml) =>
        xml.replace(
          '<Attribute Name="PIM_DP_IMAGE_TYPE"',
          `<Attribute Name="DICOM_ICCPROFILE" PMSVR="IString">${Buffer.from(profile).toString('base64')}</Attribute>\n<Attribute Name="PIM_DP_IMAGE_TYPE"`,
        ),
    });
    assert.equal((runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo).properties['openslide.vendor'], 'philips');
    const { slideId, info } = await openSlide(engine, path);
    assert.deepEqual(info.iccProfile, { description: 'Philips scanner profile', bytes: profile.length });
    const tile = await engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 });
    assert.deepEqual(profileFromJpeg(tile.bytes), profile);
  });

  test('hostile profiles: damaged, not RGB, refused by lcms, stored as numbers, oversized - the slide opens, shown as stored, and says why', async () => {
    const good = iccSlideProfile({ profile: 'channel-swap' });
    const truncated = good.slice(0, 300);
    const grey = good.slice();
    grey.set([0x47, 0x52, 0x41, 0x59], 16); // 'GRAY'
    const noCurves = good.slice();
    // Tags 7-9 (the tone curves) renamed: lcms finds no TRC and refuses the profile.
    for (const i of [6, 7, 8]) noCurves.set([0x7a, 0x7a, 0x7a, 0x7a], 132 + 12 * i);
    const cases = [
      {
        name: 'truncated',
        tag: { tag: ICC_PROFILE_TAG, type: FieldType.UNDEFINED, values: truncated },
        reason: /it is damaged: it declares \d+ bytes but holds 300/,
      },
      { name: 'grey', tag: { tag: ICC_PROFILE_TAG, type: FieldType.UNDEFINED, values: grey }, reason: /GRAY profile, not an RGB one/ },
      { name: 'no curves', tag: { tag: ICC_PROFILE_TAG, type: FieldType.UNDEFINED, values: noCurves }, reason: /libvips could not use the profile/ },
      {
        name: 'shorts',
        tag: { tag: ICC_PROFILE_TAG, type: FieldType.SHORT, values: [1, 2, 3, 4] },
        reason: /cannot be read \(Tag 34675 of image 0 is not stored as bytes\.\)/,
      },
      // Larger than any profile: refused from its declared length, before it is read.
      {
        name: 'oversized',
        tag: { tag: ICC_PROFILE_TAG, type: FieldType.UNDEFINED, values: new Uint8Array(MAX_ICC_BYTES + 1) },
        reason: /cannot be read \(Tag 34675 of image 0 is 8388609 bytes, more than its content can be\.\)/,
      },
    ];
    for (const { name, tag, reason } of cases) {
      const path = join(dir, `hostile-${name}.svs`);
      await writeIccSlide(path, { flavour: 'aperio', profile: 'channel-swap', width: 600, height: 500, levels: 1, seed: 9, profileTag: tag });
      const { slideId, info } = await openSlide(engine, path);
      assert.match(String(info.iccProfile?.unusable), reason, name);
      const tile = await engine.getTile({ slideId, dzLevel: info.deepZoom.levels.length - 1, col: 0, row: 0, requestId: 0 });
      assert.equal(profileFromJpeg(tile.bytes), null, `${name}: no profile sent`);
      const out = join(dir, `hostile-${name}.png`);
      await engine.writeRegion({ slideId, x: 0, y: 0, width: 200, height: 100, at: { kind: 'level', level: 0 }, path: out, format: 'png', overwrite: true });
      const exported = await sharp(await readFile(out))
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const stored = await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 200, height: 100 });
      assert.equal(compareRgb({ ...exported.info, data: new Uint8Array(exported.data) }, stored, 0).maxDiff, 0, `${name}: exported as stored`);
    }
  });
});
