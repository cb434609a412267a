// `slidescope compare A B`: slides side by side as users run it (a real process, real files): each
// panel is the engine's own region of its slide at the asked power, around the same physical point
// (moved and turned as the alignment file says), labelled; mismatched inputs fail with the reason.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { sharedSlide } from '../../testing/paths';
import { compareRgb, type ImageLike } from '../../testing/pixel-compare';
import { runCli } from '../../testing/run-cli';
import { SlideEngine } from '../engine/engine';
import { toRaw } from '../engine/pixels';

const _CLI = fileURLToPath(new URL('./main.ts', import.meta.url));
const CMU = sharedSlide('CMU-1-Small-Region.svs');
const out = mkdtempSync(join(tmpdir(), 'slidescope-compare-'));
/** CMU-1-Small-Region at half its resolution: 0.998 µm/px against 0.499. */
let half: string;
const engine = new SlideEngine();

before(async () => {
  half = await fixturePath('compare-cmu-half');
});
after(async () => {
  await engine.closeAll();
  rmSync(out, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args);

async function pixels(path: string): Promise<ImageLike> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

/** The composite's layout (export/comparison.ts): 8 px gaps, a 44 px label band under each panel. */
const GAP = 8;
const LABEL = 44;

function panelOf(image: ImageLike, index: number, width: number, height: number): ImageLike {
  const data = new Uint8Array(width * height * 3);
  const left = GAP + index * (width + GAP);
  for (let y = 0; y < height; y++)
    data.set(image.data.subarray(((GAP + y) * image.width + left) * 3, ((GAP + y) * image.width + left + width) * 3), y * width * 3);
  return { data, width, height, channels: 3 };
}

/** Dark pixels in a panel's label band: its text. */
function ink(image: ImageLike, index: number, width: number, height: number): number {
  let n = 0;
  const left = GAP + index * (width + GAP);
  for (let y = GAP + height; y < GAP + height + LABEL; y++) for (let x = left; x < left + width; x++) if (image.data[(y * image.width + x) * 3]! < 100) n++;
  return n;
}

/** Outside the scale bar's badge (bottom-left corner of each panel). */
const besideScaleBar = (height: number) => (x: number, y: number) => !(x < 160 && y > height - 60);

/** What the engine reads of a slide for a panel of w x h at `downsample` around a level-0 centre. */
async function region(path: string, centre: { x: number; y: number }, downsample: number, w: number, h: number): Promise<ImageLike> {
  const { slideId } = await openSlide(engine, path);
  return engine.readScaledRegion({
    slideId,
    x: centre.x - (w * downsample) / 2,
    y: centre.y - (h * downsample) / 2,
    width: w * downsample,
    height: h * downsample,
    outWidth: w,
    outHeight: h,
  });
}

function alignment(file: string, slides: Array<{ name: string; x: number; y: number; rotation: number }>): string {
  const path = join(out, file);
  writeFileSync(
    path,
    JSON.stringify({
      format: 'slidescope-alignment',
      version: 1,
      slides: slides.map((s) => ({ name: s.name, offsetMicrons: { x: s.x, y: s.y }, rotationDegrees: s.rotation })),
    }),
  );
  return path;
}

describe('slidescope compare with several slides', () => {
  test('a 20x slide and its 10x copy line up: each panel is its slide at the same µm per pixel, labelled', async () => {
    const file = join(out, 'side.png');
    const run = cli('compare', CMU, half, '--power', '5', '--center', '1110,1483', '--size', '300x200', '--out', file);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), file);
    const image = await pixels(file);
    assert.deepEqual([image.width, image.height], [2 * 300 + 3 * GAP, 200 + LABEL + 2 * GAP]);
    // 5x of CMU (20x, 0.499 µm/px) is 1.996 µm/px: downsample 4 of CMU, 2 of the copy (0.998 µm/px), both centred on the same µm.
    const a = await region(CMU, { x: 1110, y: 1483 }, 4, 300, 200);
    const b = await region(half, { x: (1110 * 0.499) / 0.998, y: (1483 * 0.499) / 0.998 }, 2, 300, 200);
    assert.equal(compareRgb(panelOf(image, 0, 300, 200), a, 0, besideScaleBar(200)).maxDiff, 0);
    // The copy's µm/px is stored as a rational (0.99800000409): its centre differs by a 2000th of a pixel.
    assert.ok(compareRgb(panelOf(image, 1, 300, 200), b, 2, besideScaleBar(200)).overTolerance < 0.001);
    // Same tissue: the two panels agree up to the copy's resampling and JPEG.
    // Same tissue: blurred past the copy's lost detail, the two panels agree (and far less when one is off by 10 µm).
    const blurred = (panel: ImageLike) => toRaw(sharp(panel.data, { raw: { width: 300, height: 200, channels: 3 } }).blur(2));
    const [p0, p1] = [await blurred(panelOf(image, 0, 300, 200)), await blurred(panelOf(image, 1, 300, 200))];
    const same = compareRgb(p0, p1, 255, besideScaleBar(200)).meanDiff;
    const shifted = compareRgb(p0, await blurred(await region(half, { x: 555 + 5, y: 741.5 }, 2, 300, 200)), 255, besideScaleBar(200)).meanDiff;
    assert.ok(same < 6 && same < shifted / 2, `aligned ${same}, 10 µm off ${shifted}`);
    for (const i of [0, 1]) assert.ok(ink(image, i, 300, 200) > 300, `panel ${i} has no label`);
    // The scale bar's badge is drawn: a dark bar over light pixels in the corner.
    const corner = panelOf(image, 0, 300, 200);
    let bar = 0;
    for (let x = 16; x < 100; x++) if (corner.data[((200 - 10 - 30 + 7) * 300 + x) * 3]! < 60) bar++;
    assert.ok(bar > 40, `scale bar pixels: ${bar}`);
  });

  test('the alignment file moves and turns the other slides about the same physical point', async () => {
    const file = join(out, 'aligned.png');
    const align = alignment('a.json', [{ name: basename(half), x: 100, y: -50, rotation: 90 }]);
    const run = cli('compare', CMU, half, '--power', '5', '--center', '1000,1400', '--size', '240x160', '--alignment', align, '--out', file);
    assert.equal(run.status, 0, run.stderr);
    const image = await pixels(file);
    // The copy, turned 90° about its centre (555, 742) and moved (100, -50) µm: the world point of
    // CMU (1000, 1400) is (499, 698.6) µm; back through the move and the turn, in the copy's pixels.
    const world = { x: 1000 * 0.499, y: 1400 * 0.499 };
    const k = { x: (1110 * 0.998) / 2, y: (1484 * 0.998) / 2 };
    const d = { x: world.x - 100 - k.x, y: world.y + 50 - k.y };
    const centre = { x: (d.y + k.x) / 0.998, y: (-d.x + k.y) / 0.998 };
    // A quarter turn: read 160 x 240 and turn it clockwise.
    const read = await region(half, centre, 2, 160, 240);
    const turned = await toRaw(sharp(read.data, { raw: { width: 160, height: 240, channels: 3 } }).rotate(90));
    assert.ok(compareRgb(panelOf(image, 1, 240, 160), turned, 2, besideScaleBar(160)).overTolerance < 0.001);
  });

  test('mismatched inputs fail with the reason and leave no file; usage errors exit 2', () => {
    const file = join(out, 'never.png');
    const fails = (args: string[], status: number, pattern: RegExp) => {
      const run = cli('compare', ...args, '--out', file);
      assert.equal(run.status, status, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
      assert.equal(existsSync(file), false);
    };
    const boxes = sharedSlide('openslide-python_boxes.tiff');
    fails([CMU, boxes, '--power', '5'], 1, /openslide-python_boxes\.tiff: INVALID_ARGUMENT: openslide-python_boxes\.tiff records no pixel size/);
    fails([CMU, half, '--power', '40'], 1, /INVALID_ARGUMENT: 40x of CMU-1-Small-Region\.svs: 0\.25 µm\/px is finer than CMU-1-Small-Region\.svs's scan/);
    fails(
      [CMU, half, '--power', '20'],
      1,
      /compare-cmu-half-\w+\.tif: INVALID_ARGUMENT: 20x of CMU-1-Small-Region\.svs: 0\.50 µm\/px is finer than compare-cmu-half-\w+\.tif's scan \(1\.00 µm\/px at best\)/,
    );
    fails(
      [CMU, half, '--power', '5', '--center', '5000,10'],
      1,
      /INVALID_ARGUMENT: The centre \(5000, 10\) is outside CMU-1-Small-Region\.svs, which is 2220 x 2967/,
    );
    fails([CMU, half, '--power', 'five'], 2, /--power must be a number/);
    fails([CMU, half], 2, /--power is required/);
    fails([CMU, half, '--power', '0'], 2, /--power must be an objective power above 0/);
    fails([CMU, half, '--power', '5', '--size', '5000x10'], 2, /--size must be WxH/);
    fails([CMU, half, '--power', '5', '--center', '10'], 2, /--center must be X,Y/);
    fails([CMU, half, CMU, half, CMU, '--power', '5'], 2, /2 to 4 slides/);
    fails([CMU, half, '--powers', '5,10'], 2, /--powers applies to compare with one slide only, not compare with 2 to 4 slides/);
    fails([CMU, join(out, 'missing.svs'), '--power', '5'], 1, /NOT_FOUND/);
    fails(
      [CMU, half, '--power', '5', '--alignment', alignment('bad.json', []).replace('bad', 'bad')],
      1,
      /CORRUPT_DATA: bad\.json: not a Slidescope alignment file: slides must have 1 to 4 entries/,
    );
    fails(
      [CMU, half, '--power', '5', '--alignment', alignment('other.json', [{ name: 'HE.svs', x: 0, y: 0, rotation: 0 }])],
      1,
      /names HE\.svs, which is not among the compared slides/,
    );
    writeFileSync(join(out, 'huge.json'), ' '.repeat(70_000));
    fails([CMU, half, '--power', '5', '--alignment', join(out, 'huge.json')], 1, /TOO_LARGE: huge\.json is 70000 bytes/);
  });

  test('an existing output is kept unless --overwrite', () => {
    const file = join(out, 'kept.png');
    writeFileSync(file, 'mine');
    const run = cli('compare', CMU, half, '--power', '2.5', '--out', file);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /EXISTS/);
    assert.equal(readFileSync(file, 'utf8'), 'mine');
    const again = cli('compare', CMU, half, '--power', '2.5', '--out', file, '--overwrite');
    assert.equal(again.status, 0, again.stderr);
    assert.notEqual(readFileSync(file, 'utf8').slice(0, 4), 'mine');
  });
});
