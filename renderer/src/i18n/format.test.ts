import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areaColumn, formatMicronsPair } from './format';

test("a slide's physical size is written in one unit, the larger side's", () => {
  // The NDPI of the test set: 3,968 x 4,864 px at 0.2282 µm/px.
  assert.deepEqual(formatMicronsPair(3968 * 0.2282, 4864 * 0.2282), { width: '0.905 mm', height: '1.11 mm' });
  assert.deepEqual(formatMicronsPair(2220 * 0.499, 2967 * 0.499), { width: '1.11 mm', height: '1.48 mm' });
  assert.deepEqual(formatMicronsPair(250, 999), { width: '250 µm', height: '999 µm' });
  assert.deepEqual(formatMicronsPair(0.5, 0.25), { width: '500 nm', height: '250 nm' });
});

test("a column of areas is written in one unit, the largest's", () => {
  // A tumour of 0.0249 mm² and a stroma patch of 9257 µm²: both in mm².
  const write = areaColumn([24_900, 9257], 'µm');
  assert.deepEqual([24_900, 9257].map(write), ['0.0249 mm²', '0.009257 mm²']);
  // All small: µm², as a single area is written.
  assert.deepEqual([5000, 120.5].map(areaColumn([5000, 120.5], 'µm')), ['5000 µm²', '120.5 µm²']);
  assert.deepEqual([50_000, 40].map(areaColumn([50_000], 'px')), ['50000 px²', '40 px²']);
});
