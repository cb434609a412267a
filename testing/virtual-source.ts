// A slide source with no file behind it, for tests of what reads through the SlideSource interface
// (regions, bounds): one level, no tiles, nothing stored as JPEG; each test gives what it is about.

import type { SlideSource } from '../electron/engine/slide-source';
import type { LevelInfo } from '../shared/slide';

export function virtualSource(level: LevelInfo, more: Partial<SlideSource> = {}): SlideSource {
  return {
    path: '/virtual.tif',
    format: 'test',
    vendor: 'generic-tiff',
    levels: [level],
    objectivePower: null,
    mpp: null,
    properties: {},
    associatedNames: [],
    warnings: [],
    readTile: async () => null,
    readStoredJpeg: async () => null,
    storesJpeg: () => false,
    readTileReduced: async () => null,
    decodesReduced: () => false,
    readAssociated: async () => {
      throw new Error('none');
    },
    close: async () => undefined,
    ...more,
  };
}
