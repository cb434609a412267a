import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelColours, displayRange } from './ome-channel-source';

test('a display range: 0.1% of the samples beyond each end; a flat channel still spans one value', () => {
  const histogram = new Uint32Array(4096);
  histogram[10] = 1; // the darkest 0.1% of 1000
  histogram[100] = 997;
  histogram[200] = 1;
  histogram[4000] = 1; // the brightest
  assert.deepEqual(displayRange(histogram, 1000, 4095), { low: 100, high: 200 });
  const flat = new Uint32Array(4096);
  flat[4095] = 50;
  assert.deepEqual(displayRange(flat, 50, 4095), { low: 4094, high: 4095 });
  flat[4095] = 0;
  flat[7] = 50;
  assert.deepEqual(displayRange(flat, 50, 4095), { low: 7, high: 8 });
  assert.deepEqual(displayRange(new Uint32Array(256), 0, 255), { low: 0, high: 255 });
});

test('a display range stays within the significant bits when the samples go beyond them (a file that says 12 bits and holds 16)', () => {
  const histogram = new Uint32Array(65536);
  histogram[500] = 500;
  histogram[60000] = 500;
  assert.deepEqual(displayRange(histogram, 1000, 4095), { low: 500, high: 4095 });
  histogram[500] = 0;
  assert.deepEqual(displayRange(histogram, 500, 4095), { low: 4094, high: 4095 });
});

test("channel colours: the OME-XML's where given and told apart, QuPath's defaults elsewhere, one channel white", () => {
  assert.deepEqual(channelColours([null]), [[255, 255, 255]]);
  assert.deepEqual(channelColours([[0, 0, 255], null]), [
    [0, 0, 255],
    [0, 255, 0],
  ]);
  assert.deepEqual(channelColours(Array.from({ length: 8 }, () => [255, 255, 255] as [number, number, number])), [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 0],
    [0, 255, 255],
    [255, 0, 255],
    [255, 255, 255],
    [255, 255, 255],
  ]);
});
