import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMicronsPair } from './format';

test("a slide's physical size is written in one unit, the larger side's", () => {
  // The NDPI of the test set: 3,968 x 4,864 px at 0.2282 µm/px.
  assert.deepEqual(formatMicronsPair(3968 * 0.2282, 4864 * 0.2282), { width: '0.905 mm', height: '1.11 mm' });
  assert.deepEqual(formatMicronsPair(2220 * 0.499, 2967 * 0.499), { width: '1.11 mm', height: '1.48 mm' });
  assert.deepEqual(formatMicronsPair(250, 999), { width: '250 µm', height: '999 µm' });
  assert.deepEqual(formatMicronsPair(0.5, 0.25), { width: '500 nm', height: '250 nm' });
});
