// A file of detections read in a thread of its own: the same set as in the caller's thread, its
// refusals with their code and file, and the caller's thread free meanwhile (an engine lane must
// keep answering its watchdog's pings through a 500 MB file's seconds of parsing).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { longestStall } from '../../testing/event-loop-stall';
import type { SlideError } from '../engine/errors';
import { readDetectionFile } from './annotation-files';
import { readDetectionsApart } from './detections-apart';

describe('detections read apart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-detections-apart-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `n` square cells of 24 vertices' worth of text each, in rows of 500. */
  function cells(n: number): string {
    const path = join(dir, `cells-${n}.geojson`);
    const features: string[] = [];
    for (let i = 0; i < n; i++) {
      const [x, y] = [(i % 500) * 30, Math.floor(i / 500) * 30];
      const ring = Array.from({ length: 24 }, (_, k) => [x + 10 + 8 * Math.cos((k * Math.PI) / 12), y + 10 + 8 * Math.sin((k * Math.PI) / 12)]);
      features.push(
        JSON.stringify({
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]]] },
          properties: { objectType: 'cell', classification: { name: i % 2 ? 'Tumor' : 'Stroma' }, measurements: { Area: i } },
        }),
      );
    }
    writeFileSync(path, `{"type":"FeatureCollection","features":[${features.join(',\n')}]}`);
    return path;
  }

  test('the same set as read in the calling thread, its arrays moved to it', async () => {
    const path = cells(2000);
    const [apart, here] = [await readDetectionsApart(path), await readDetectionFile(path)];
    assert.deepEqual(apart, here);
    assert.ok(apart.xy instanceof Float32Array && apart.xy.length === 2000 * 24 * 2);
  });

  test('a bad file is refused with its code, the feature and the file', async () => {
    const path = join(dir, 'line.geojson');
    writeFileSync(
      path,
      JSON.stringify({
        type: 'Feature',
        geometry: {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
        properties: { objectType: 'detection' },
      }),
    );
    await assert.rejects(readDetectionsApart(path), {
      code: 'CORRUPT_DATA',
      message: 'Feature 1: its geometry is a LineString, not an area or a point.',
      path,
    });
    await assert.rejects(readDetectionsApart(join(dir, 'missing.geojson')), { code: 'NOT_FOUND' });
  });

  test('a file whose reading runs out of its heap is TOO_LARGE, naming the file, not an internal error', async () => {
    const path = cells(20_000);
    await assert.rejects(readDetectionsApart(path, undefined, { maxOldGenerationSizeMb: 8 }), (error: SlideError) => {
      assert.equal(error.code, 'TOO_LARGE');
      assert.equal(error.path, path);
      assert.match(error.message, /ran out of memory/);
      return true;
    });
  });

  test("the calling thread's event loop runs on while a large file is parsed", async () => {
    const path = cells(60_000);
    const { value: set, longestMs: longest, tookMs: took } = await longestStall(() => readDetectionsApart(path));
    assert.equal(set.count, 60_000);
    // Read in this thread, the loop would stand still for the whole parse (seconds).
    assert.ok(longest < took / 3, `the loop stood still ${Math.round(longest)} ms of the read's ${Math.round(took)} ms`);
  });

  test('a read cancelled ends its thread at once, CANCELLED (an export cancelled while a 500 MB file is parsed)', async () => {
    const path = cells(60_000);
    let started = performance.now();
    await readDetectionsApart(path);
    const whole = performance.now() - started;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), whole / 10);
    started = performance.now();
    await assert.rejects(readDetectionsApart(path, controller.signal), { code: 'CANCELLED' });
    assert.ok(performance.now() - started < whole, `cancelled after ${Math.round(performance.now() - started)} ms of a ${Math.round(whole)} ms read`);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(readDetectionsApart(path, aborted.signal), { code: 'CANCELLED' });
  });
});
