// The synthetic slide generator's public API for the app (its built-in sample slide) and tools.
// The test fixtures' catalogue and cache live in testing/fixtures.ts, which the app does not need.

export type { LevelSize } from './pyramid';
export { pyramidLevelSizes, reduceBox } from './pyramid';
export type {
  AperioCompression,
  AperioOptions,
  GenericCompression,
  GenericPyramidOptions,
  HugeHeaderOptions,
  ProgressCallback,
  SingleLevelOptions,
  WrittenSlide,
} from './slides';
export {
  defaultLevelCount,
  SOFTWARE,
  writeAperioSvs,
  writeGenericPyramid,
  writeHugeHeaderTiff,
  writeSingleLevelTiff,
  writeTruncatedCopies,
} from './slides';
export type { Rgb, TissueOptions } from './tissue';
export { BACKGROUND, TissuePainter } from './tissue';
