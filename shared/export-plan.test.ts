// Export file names from a slide's: its stem, as the TIAToolbox pipeline named them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportFileNames, slideStem, thumbnailFileName } from './export-plan';

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
