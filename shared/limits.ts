// Bounds of what a request may ask for, checked by the operation table's schemas (operations.ts)
// and shown by the UI where a user types a value. Plain data: the renderer imports it without the schemas.

import { groupedInteger } from './number-format';

export const LIMITS = {
  /** Slide ids are short tokens (UUIDs); anything longer is not one of ours. */
  slideIdLength: 128,
  /** Longest path accepted (Windows long paths go to 32767 UTF-16 units). */
  pathLength: 32767,
  /** Associated image names ('thumbnail', 'label', 'macro', vendor-specific ones). */
  associatedNameLength: 64,
  /** A 2^40-pixel-wide slide has 41 deep-zoom levels; nothing real comes near 64. */
  maxDzLevel: 64,
  /** Tile column/row and slide level upper bound (2^31 - 1). */
  maxIndex: 2 ** 31 - 1,
  /** How many requests one slide:cancel-tiles may name. */
  maxCancelIds: 10_000,
  /** At most this many tiles per prefetch: a ring around a large screen at one level. */
  maxPrefetchTiles: 1024,
  /** Thumbnail longest side in pixels. */
  maxThumbnailSide: 65_536,
  /** A thumbnail's pixels (its longest side is bounded too: a slide's aspect decides which binds). */
  maxThumbnailPixels: 64 * 1024 * 1024,
  /** A gallery card's preview: its longest side in pixels (the gallery asks for 224). */
  maxPreviewSide: 512,
  /** Slides one folder's gallery lists (a teaching set is tens; a cohort folder belongs to the CLI). */
  maxGallerySlides: 2000,
  /** Gallery ids are short tokens, as slide ids. */
  galleryIdLength: 64,
  /** Objective powers and microns per pixel are small positive numbers. */
  maxPower: 1_000,
  maxMpp: 100_000,
  /** Panels of a comparison (the 2x2 composite). */
  maxComparisonPanels: 4,
  /** Level-0 coordinates: slides stay far below 2^40 pixels a side. */
  maxCoordinate: 2 ** 40,
  /** A field-of-view comparison panel's side in pixels (a 2x2 grid's cell on any screen fits). */
  maxPanelSide: 4096,
  /** All the panels of one comparison together, in pixels (what is read and encoded before anything is written). */
  maxComparisonPixels: 64 * 1024 * 1024,
  /** A region's side in output pixels. */
  maxRegionSide: 65_536,
  /** One exported image's pixels (20000 x 20000): a thumbnail or a region, encoded whole. */
  maxExportPixels: 400_000_000,
  /** Annotations of one slide: a cell-counting session marks tens of thousands. */
  maxAnnotations: 200_000,
  /** Vertices of one annotation (a traced tissue outline), and of all a slide's annotations together. */
  maxAnnotationVertices: 200_000,
  maxDocumentVertices: 10_000_000,
  /** Classes a slide's list may hold, and the length of a class name, an annotation's name and its description. */
  maxAnnotationClasses: 1_000,
  annotationNameLength: 500,
  annotationDescriptionLength: 20_000,
  /** An annotation file read for import or burn-in (GeoJSON or ImageScope XML): 500 MiB, within V8's longest string (2^29 - 24). */
  maxAnnotationFileBytes: 500 * 1024 * 1024,
  /**
   * One GeoJSON feature's text (200,000 vertices at ~30 characters each, and its properties), and so
   * what Slidescope carries of it unread (its measurements, metadata...). A file is parsed a feature at
   * a time: the whole of a 500 MB file parsed at once takes ~17x its size in heap.
   */
  maxAnnotationFeatureChars: 16 * 2 ** 20,
  /** How deep JSON an annotation file may nest: deeper than any GeoJSON (a MultiPolygon's numbers are 6 deep). */
  maxAnnotationJsonDepth: 1000,
  /** QuPath's detections shown over one slide (a whole-slide cell detection finds a few hundred thousand). */
  maxDetections: 2_000_000,
  /** Their vertices together, outlines and nuclei (8 bytes each as the layer holds them: 240 MB). */
  maxDetectionVertices: 30_000_000,
  /** Their measurement names (QuPath's cell detection writes ~40; a hostile file is not given a column a key). */
  maxDetectionMeasurements: 1_000,
  /**
   * Their values together, a detection's count by the names (4 bytes each: 256 MB). A dense file within
   * maxAnnotationFileBytes has fewer (a value is 8 characters or more of it); a file naming each
   * measurement once, late, would otherwise be given a column of every detection for each.
   */
  maxDetectionMeasurementValues: 64 * 2 ** 20,
  /** Features of one GeoJSON file, of any kind: the most detections a slide shows and room for others (each is a range held before it is read). */
  maxFileFeatures: 4_000_000,
  /** Slides compared side by side in one window (and in one CLI compare). */
  maxComparedSlides: 4,
  /** An alignment file of compared slides (a few hundred bytes in practice). */
  maxAlignmentFileBytes: 64 * 1024,
  /** An alignment's offset in µm: 10 m, far beyond any glass slide. */
  maxAlignmentOffset: 10_000_000,
  /** A slide's file name in an alignment file. */
  alignmentNameLength: 255,
} as const;

/** The thumbnail's pixel limit as a person reads it: "67,108,864 pixels (8192 x 8192)". */
export function thumbnailPixelsText(): string {
  const side = Math.floor(Math.sqrt(LIMITS.maxThumbnailPixels));
  return `${groupedInteger(LIMITS.maxThumbnailPixels)} pixels (${side} x ${side})`;
}
