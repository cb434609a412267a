// The synthetic slide generator's public API for the app (its built-in sample slide) and tools.
// Test fixtures live in ./fixtures, which the app does not need.

export {
  SOFTWARE,
  defaultLevelCount,
  writeAperioSvs,
  writeGenericPyramid,
  writeHugeHeaderTiff,
  writeSingleLevelTiff,
  writeTruncatedCopies,
} from './slides';
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
export { TissuePainter, BACKGROUND } from './tissue';
export type { Rgb, TissueOptions } from './tissue';
export { reduceBox, pyramidLevelSizes } from './pyramid';
export type { LevelSize } from './pyramid';
