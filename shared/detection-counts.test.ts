// Detections counted in an annotation by their centroids, as QuPath's hierarchy places them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxPolygon } from '../testing/annotation-samples';
import { countDetectionsIn, detectionCentroids } from './detection-counts';
import { readGeoJsonDetections } from './detection-geojson';

/** A row of 10 x 10 px cells at x = 0, 20, ..., 180 (y 0..10); odd ones Tumor, even ones Stroma; and a cell shaped as an L whose centroid lies outside its box's middle. */
function cells() {
  const features: object[] = Array.from({ length: 10 }, (_, i) => ({
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: boxPolygon(20 * i, 0, 10) },
    properties: { objectType: 'cell', classification: { name: i % 2 ? 'Tumor' : 'Stroma' } },
  }));
  features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [500, 5] }, properties: { objectType: 'detection' } });
  return readGeoJsonDetections(JSON.stringify({ type: 'FeatureCollection', features }), '/c.geojson');
}

describe('detections counted in an annotation', () => {
  const set = cells();
  const centroids = detectionCentroids(set);

  it('by their centroid: a rectangle over half of a cell holds it only where its centre is', () => {
    assert.deepEqual([centroids.xy[0], centroids.xy[1], centroids.xy[20], centroids.xy[21]], [5, 5, 500, 5]);
    // x 0..66: the cells at 0, 20, 40 whole, the one at 60 to x 66 (past its centre): in.
    const counted = countDetectionsIn(set, centroids, { kind: 'rectangle', x0: 0, y0: 0, x1: 66, y1: 10 }, null);
    assert.deepEqual(counted, { total: 4, byClass: [2, 2, 0], areaMm2: null });
    const short = countDetectionsIn(set, centroids, { kind: 'rectangle', x0: 0, y0: 0, x1: 64, y1: 10 }, null);
    assert.equal(short?.total, 3);
  });

  it('not in a hole; in any part of a polygon of several; a point detection by its position; the area in mm²', () => {
    const ring = (x0: number, x1: number) => [x0, -10, x1, -10, x1, 20, x0, 20];
    const holed = { kind: 'polygon' as const, polygons: [[ring(-5, 200), ring(55, 110)], [ring(495, 505)]] };
    const counted = countDetectionsIn(set, centroids, holed, { x: 0.5, y: 0.5 });
    // Cells at 60, 80, 100 fall in the hole; the point at 500 in the second part.
    assert.equal(counted?.total, 8);
    assert.deepEqual(counted?.byClass, [4, 3, 1]);
    // (205 x 30 - 55 x 30 + 10 x 30) px at 0.25 µm² each.
    assert.equal(counted?.areaMm2, ((205 * 30 - 55 * 30 + 10 * 30) * 0.25) / 1e6);
  });

  it('a line or points hold none', () => {
    assert.equal(countDetectionsIn(set, centroids, { kind: 'line', points: [0, 0, 100, 100] }, null), null);
  });
});
