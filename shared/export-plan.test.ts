// Export file names from a slide's: its stem, as the TIAToolbox pipeline named them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportFileNames, lowestPower, powerProblem, slideStem, thumbnailFileName, wholePixelsWithin } from './export-plan';

test("a slide's stem: its name less the extension, OME-TIFF's double extension as one", () => {
  assert.equal(slideStem({ path: '/data/CMU-1.svs' }), 'CMU-1');
  assert.equal(slideStem({ path: 'C:\\data\\case 3.ndpi' }), 'case 3');
  assert.equal(slideStem({ path: '/data/tumour.ome.tif' }), 'tumour');
  assert.equal(slideStem({ path: '/data/big.OME.btf' }), 'big');
  assert.equal(slideStem({ path: '/data/tumour.OME.TIFF' }), 'tumour');
  assert.equal(slideStem({ path: '/data/.ome.tif' }), '.ome');
  assert.equal(slideStem({ path: '/data/series' }), 'series');
  assert.equal(thumbnailFileName('tumour', 'jpeg'), 'tumour_thumbnail.jpg');
  assert.deepEqual(exportFileNames({ path: '/d/a.ome.tiff' }, [1.25], 'png'), {
    thumbnail: 'a_thumbnail.png',
    perPower: ['a_1.25x.png'],
    comparison: 'a_resolution_comparison.png',
  });
});

test('an output name stays within 255 bytes: a long stem cut at a character, marked by a hash of the whole, the same each time', () => {
  const bytes = (name: string) => new TextEncoder().encode(name).length;
  const hangul = '위생검검체'.repeat(17); // 85 syllables, 255 bytes
  const names = exportFileNames({ path: `/slides/${hangul}.svs` }, [1.25, 40], 'png');
  for (const name of [names.thumbnail, ...names.perPower, names.comparison]) {
    assert.ok(bytes(name) <= 255, `${bytes(name)} bytes: ${name}`);
    assert.match(name, /^(위생검검체)+[^~]*~[0-9a-f]{8}_/u);
  }
  assert.match(names.perPower[1]!, /~[0-9a-f]{8}_40x\.png$/);
  // The same slide, the same name; another long one, another.
  assert.equal(exportFileNames({ path: `/other/${hangul}.svs` }, [], 'png').thumbnail, names.thumbnail);
  assert.notEqual(thumbnailFileName(`${hangul}2`, 'png'), names.thumbnail);
  // A short one as before; the folders of a batch's stem are not counted, only its name.
  assert.equal(thumbnailFileName('case 1/slide', 'jpeg'), 'case 1/slide_thumbnail.jpg');
  const deep = thumbnailFileName(`${'a'.repeat(300)}/${hangul}`, 'png');
  assert.ok(deep.startsWith(`${'a'.repeat(300)}/`));
  assert.ok(bytes(deep.slice(301)) <= 255);
  // 4-byte characters are never split.
  const emoji = thumbnailFileName('🔬'.repeat(80), 'png');
  assert.ok(bytes(emoji) <= 255 && !emoji.includes('\uFFFD'));
  assert.match(emoji, /^(🔬)+~[0-9a-f]{8}_thumbnail\.png$/u);
});

test('a magnification beyond the scan, or so low the whole slide would be under 16 pixels, is refused with the bound', () => {
  const info = { objectivePower: 20, mpp: { x: 0.5, y: 0.5 }, width: 2220, height: 2967 };
  assert.equal(powerProblem(info, 40), "40x is beyond this slide's scan (20x at most).");
  // 20 x 16 / 2967 = 0.1078x, written 0.11x: the power a message names is one that is taken.
  assert.equal(lowestPower(info), 0.11);
  assert.equal(powerProblem(info, 0.1), '0.1x would show the whole slide in fewer than 16 pixels (0.11x at least).');
  assert.equal(powerProblem(info, 0.11), null);
  const other = { ...info, width: 2000, height: 2600 }; // 0.12308x
  assert.equal(powerProblem(other, 0.12), '0.12x would show the whole slide in fewer than 16 pixels (0.13x at least).');
  assert.equal(powerProblem(other, 0.13), null);
  assert.equal(powerProblem(info, 1.25), null);
  assert.equal(
    powerProblem({ ...info, objectivePower: null, mpp: null }, 1.25),
    'The slide records no objective power or microns per pixel, so magnifications are unknown.',
  );
});

test('wholePixelsWithin: the whole pixels a box covers within the slide, none for a box outside it or a rounding error past an edge', () => {
  const slide = { width: 1000, height: 800 };
  assert.deepEqual(wholePixelsWithin({ minX: 10.5, minY: 20, maxX: 30.2, maxY: 40 }, slide), { x: 10, y: 20, width: 21, height: 20 });
  assert.deepEqual(wholePixelsWithin({ minX: -50, minY: 700.0000000001, maxX: 99.99999999999, maxY: 900 }, slide), { x: 0, y: 700, width: 100, height: 100 });
  assert.equal(wholePixelsWithin({ minX: 1000, minY: 0, maxX: 1200, maxY: 10 }, slide), null);
});
