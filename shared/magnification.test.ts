// A thumbnail's size from what the user asks: the longest side, an objective power or µm per pixel.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { thumbnailSize } from './magnification';

const slide = { width: 4000, height: 3000, objectivePower: 20, mpp: { x: 0.5, y: 0.5 } };

test('a longest side scales the slide down to it, and never up: a slide smaller than asked comes whole', () => {
  assert.deepEqual(thumbnailSize(slide, { kind: 'size', longestSide: 1000 }), { width: 1000, height: 750, downsample: 4 });
  assert.deepEqual(thumbnailSize({ ...slide, width: 20, height: 16 }, { kind: 'size', longestSide: 1024 }), { width: 20, height: 16, downsample: 1 });
  assert.deepEqual(thumbnailSize(slide, { kind: 'power', objectivePower: 1.25 }), { width: 250, height: 188, downsample: 16 });
});
