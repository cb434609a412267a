// Ventana BIF against OpenSlide 3.4.1: generated slides whose level-0 frames overlap (stitched as
// the EncodeInfo joints say), a plain Ventana TIFF, and hostile stitching metadata.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FIXTURES, fixturePath } from '../../../testing/fixtures';
import { assertOpenRefused, openSlide } from '../../../testing/open-slide';
import { type ReferenceInfo, runOpenSlide } from '../../../testing/openslide-reference';
import { compareRgb } from '../../../testing/pixel-compare';
import { betweenPixels, perLevel, type Region, stitchedAgainstOpenSlide } from '../../../testing/stitched-against-openslide';
import { type VentanaOptions, writeVentanaBif } from '../../../testing/writers/ventana';
import { SlideEngine } from '../engine';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

/** Level-0 regions of a level: origin, middle, across frame joints and an area's edge (and both between its pixels), the bottom-right edge. */
function regionsFor(level: { width: number; height: number; downsample: number }): Region[] {
  const d = level.downsample;
  const at = (lx: number, ly: number, width: number, height: number): Region => {
    const x = Math.max(0, Math.min(lx, level.width - 1));
    const y = Math.max(0, Math.min(ly, level.height - 1));
    return { x: x * d, y: y * d, width: Math.min(width, level.width - x + 40), height: Math.min(height, level.height - y + 40) };
  };
  // Frames are ~240 px apart at level 0: these cross several joints in both directions.
  const joints = at(Math.floor(430 / d), Math.floor(440 / d), 150, 140);
  // The second area starts at x = 1700: across its left edge and the first area's right edge.
  const areaEdge = at(Math.floor(1600 / d), Math.floor(250 / d), 220, 200);
  return [
    at(0, 0, 400, 300),
    at(Math.floor(level.width / 2) - 123, Math.floor(level.height / 2) - 77, 333, 222),
    joints,
    areaEdge,
    ...(d >= 2 ? [betweenPixels(joints, 1, d - 1), betweenPixels(areaEdge, d - 1, 1)] : []),
    // The slide's right edge (the second area's) and bottom edge (the first area's).
    at(level.width - 150, Math.floor(500 / d), 300, 200),
    at(Math.floor(700 / d), level.height - 100, 300, 200),
  ];
}

/** The regions and tiles compared at every level, and the associated images and deep-zoom tiles (level null). */
async function compareWithOpenSlide(path: string) {
  const compared = await stitchedAgainstOpenSlide(engine, path, 'ventana', regionsFor);
  return { ...compared, figures: compared.figures.filter((f) => f.level !== null), others: compared.figures.filter((f) => f.level === null) };
}

describe('Ventana BIF against OpenSlide 3.4.1', { timeout: 600_000 }, () => {
  test('overlapping frames, two areas and a skipped one: sizes, properties, every level ±2', async () => {
    const { info, figures, others } = await compareWithOpenSlide(await fixturePath('ventana-overlap'));
    console.log(`ventana-overlap: ${perLevel(figures)}`);
    for (const f of figures) assert.ok(f.diff.maxDiff <= 2 && f.soft.maxDiff <= 3, `${f.label}: ${JSON.stringify(f)}`);
    for (const { label, diff } of others) assert.ok(diff.maxDiff <= 2, `${label}: ${JSON.stringify(diff)}`);
    assert.equal(info.objectivePower, 40);
    assert.deepEqual(info.mpp, { x: 0.25, y: 0.25 });
    assert.deepEqual([...info.associated].sort(), ['macro', 'thumbnail']);
    assert.equal(info.properties['ventana.ScannerModel'], 'VENTANA iScan HT');
  });

  test('fractional frame positions: cairo-exact to ±2 but for a few resampled seam pixels', async () => {
    const { figures, others } = await compareWithOpenSlide(await fixturePath('ventana-overlap-fractional'));
    console.log(`ventana-overlap-fractional: ${perLevel(figures)}`);
    for (const f of figures) {
      // Rounding in pixman's bilinear path at a few seam pixels: at most 4, on under 0.01% of samples.
      assert.ok(f.diff.maxDiff <= 4 && f.diff.overTolerance < 1e-4 && f.diff.meanDiff < 1 && f.soft.maxDiff <= 3, `${f.label}: ${JSON.stringify(f)}`);
    }
    for (const { label, diff } of others) assert.ok(diff.maxDiff <= 4 && diff.overTolerance < 1e-3, `${label}: ${JSON.stringify(diff)}`);
  });

  test('a Ventana TIFF without stitching metadata is a plain pyramid, served as stored', async () => {
    const { info, slideId, figures, others } = await compareWithOpenSlide(await fixturePath('ventana-plain'));
    console.log(`ventana-plain: ${perLevel(figures)}`);
    for (const f of figures) assert.ok(f.diff.maxDiff <= 2 && f.soft.maxDiff <= 3, `${f.label}: ${JSON.stringify(f)}`);
    for (const { label, diff } of others) assert.ok(diff.maxDiff <= 2, `${label}: ${JSON.stringify(diff)}`);
    assert.equal(info.objectivePower, 20);
    assert.ok(engine.describeTiling(slideId).some((p) => p.startsWith('stored')));
  });

  test('iScan attributes as libxml2 reads them: references decoded, whitespace normalised, namespaced ones left out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-ventana-'));
    try {
      const path = join(dir, 'attributes.bif');
      const note = 'Note="a &amp; b&#x41;&#66;\tc\r\nd e&#10;f" xmlns:v="urn:example" v:Extra="in a namespace"';
      await writeVentanaBif(path, {
        ...(FIXTURES['ventana-plain'].options as VentanaOptions),
        rewriteIScan: (xml) => xml.replace('<iScan ', `<iScan ${note} `),
      });
      const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
      assert.ok(!('error' in ref), JSON.stringify(ref));
      const { info } = await openSlide(engine, path);
      assert.equal(ref.properties['ventana.Note'], 'a & bAB c d e\nf', 'OpenSlide reads the attribute so');
      const keys = new Set([...Object.keys(info.properties), ...Object.keys(ref.properties)]);
      keys.delete('openslide.quickhash-1');
      for (const key of keys) assert.equal(info.properties[key], ref.properties[key], `property ${key}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing frame is left blank (OpenSlide 3.4.1 fails the read instead)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-ventana-'));
    try {
      const path = join(dir, 'missing.bif');
      // Frame (2, 1) sits at (480, 244); only it covers level 0's [496, 720) x [256, 488).
      await writeVentanaBif(path, { ...(FIXTURES['ventana-overlap'].options as VentanaOptions), missingFrames: [[2, 1]] });
      const [ref] = runOpenSlide([{ kind: 'region', path, level: 0, x: 560, y: 320, width: 100, height: 100 }]);
      assert.match(JSON.stringify(ref), /Cannot read raw tile/);
      const { slideId } = await openSlide(engine, path);
      const hole = await engine.readRegion({ slideId, level: 0, x: 560, y: 320, width: 100, height: 100 });
      assert.ok(
        hole.data.every((v) => v === 255),
        'the missing frame is white',
      );
      const intact = await openSlide(engine, await fixturePath('ventana-overlap'));
      const region = { level: 0, x: 900, y: 600, width: 300, height: 300 };
      const a = await engine.readRegion({ slideId, ...region });
      const b = await engine.readRegion({ slideId: intact.slideId, ...region });
      assert.equal(compareRgb(a, b, 0).maxDiff, 0, 'frames elsewhere are as in the intact slide');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('hostile Ventana stitching metadata: typed errors naming the file', { timeout: 120_000 }, () => {
  const base = FIXTURES['ventana-overlap'].options as VentanaOptions;
  const cases: Array<{ name: string; rewrite: (xml: string) => string; code: string; message: RegExp }> = [
    { name: 'truncated XML', rewrite: (xml) => xml.slice(0, Math.floor(xml.length / 2)), code: 'CORRUPT_DATA', message: /level-0 XMP packet is not valid XML/ },
    {
      name: 'a DTD with entities',
      rewrite: (xml) => xml.replace('<EncodeInfo', '<!DOCTYPE e [<!ENTITY a "aaaa">]><EncodeInfo'),
      code: 'CORRUPT_DATA',
      message: /DOCTYPE/,
    },
    { name: 'absurd NumCols', rewrite: (xml) => xml.replace('NumCols="6"', 'NumCols="100000000"'), code: 'CORRUPT_DATA', message: /outside/ },
    { name: 'an area far off the slide', rewrite: (xml) => xml.replace('Pos-X="1700"', 'Pos-X="9e15"'), code: 'CORRUPT_DATA', message: /far outside/ },
    {
      name: 'frames of another size than the tiles',
      rewrite: (xml) => xml.replaceAll('Width="256"', 'Width="300"'),
      code: 'CORRUPT_DATA',
      message: /frames are/,
    },
    {
      name: 'a joint naming a frame outside its area',
      rewrite: (xml) => xml.replace(/Tile2="\d+"/, 'Tile2="99999"'),
      code: 'CORRUPT_DATA',
      message: /outside its area/,
    },
    {
      name: "a newer scanner's LEFT joints (refused, as OpenSlide does)",
      rewrite: (xml) => xml.replace('Direction="RIGHT"', 'Direction="LEFT"'),
      code: 'UNSUPPORTED_FORMAT',
      message: /LEFT/,
    },
    { name: 'an unknown joint direction', rewrite: (xml) => xml.replace('Direction="UP"', 'Direction="SIDEWAYS"'), code: 'CORRUPT_DATA', message: /direction/ },
    { name: 'overlaps larger than the frames', rewrite: (xml) => xml.replaceAll(/OverlapX="\d+"/g, 'OverlapX="5000"'), code: 'CORRUPT_DATA', message: /apart/ },
    {
      name: 'AoiOrigin and ImageInfo lists of different lengths',
      rewrite: (xml) => xml.replace(/<AOI0 [^>]*\/>/, ''),
      code: 'CORRUPT_DATA',
      message: /inconsistent/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slidescope-ventana-'));
      try {
        const path = join(dir, 'hostile.bif');
        await writeVentanaBif(path, { ...base, rewriteEncodeInfo: c.rewrite });
        await assertOpenRefused(engine, path, c.code, c.message);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
