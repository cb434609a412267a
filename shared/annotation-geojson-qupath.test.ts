// What QuPath 0.2-0.6 writes, read as QuPath reads it (qupath-core's PathObjectTypeAdapters and
// GsonTools.PathClassTypeAdapter): each case is a feature QuPath's own writer produces.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { squareFeature } from '../testing/annotation-samples';
import { readGeoJson, readGeoJsonImport } from './annotation-geojson';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const options = { newId, path: '/data/qupath.geojson' };
const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features });

describe("QuPath's GeoJSON, field by field", () => {
  it('leaves out TMA cores as QuPath 0.4+ names them: objectType "tmaCore" (PathObjectTypeAdapters.MAP_TYPES)', () => {
    const { document, leftOut } = readGeoJsonImport(
      collection([squareFeature({ objectType: 'tmaCore', name: 'A-1', isMissing: false }), squareFeature({ objectType: 'annotation', name: 'kept' })]),
      options,
    );
    assert.deepEqual(
      document.annotations.map((a) => a.name),
      ['kept'],
    );
    assert.equal(leftOut, 1);
  });
});
