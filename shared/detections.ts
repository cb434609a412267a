// QuPath's detections (its cells, detections and tiles: the output of an analysis, often hundreds of
// thousands) as a read-only layer over a slide. Held in flat typed arrays, not one object a cell: a
// 200,000-cell export is ~10 million vertices, 80 MB as Float32 pairs where a JS array of arrays
// takes gigabytes, and the arrays cross from the engine to the window as they are.

import type { Rgb } from './annotations';
import type { ErrorCode, ErrorInfo } from './errors';

/** QuPath's object types read as detections (PathObjectTypeAdapters' names). */
export const DETECTION_KINDS = ['cell', 'detection', 'tile'] as const;
export type DetectionKind = (typeof DETECTION_KINDS)[number];

/** How a layer draws its detections: outlines, or filled under them. */
export const DETECTION_STYLES = ['outline', 'fill'] as const;
export type DetectionStyle = (typeof DETECTION_STYLES)[number];

/** A point detection's circle's radius (CSS px in the view, output px in an export), at any zoom. */
export const DETECTION_POINT_RADIUS = 3;

/** Filled detections' alpha under their outline, in the view and in exports. */
export const DETECTION_FILL_ALPHA = 0.45;

/** How detections are drawn, over the slide and into an export of it. */
export interface DetectionDrawing {
  style: DetectionStyle;
  nuclei: boolean;
  /** The layer's, 0.1 to 1: a pixel covered by several outlines is still blended once. */
  opacity: number;
}

/** As a layer first shows them. */
export const DEFAULT_DETECTION_DRAWING: DetectionDrawing = { style: 'outline', nuclei: true, opacity: 1 };

/** How a slide's detections are shown, as remembered for its next opening: the classes hidden by name (null: unclassified). */
export interface DetectionDisplay extends DetectionDrawing {
  hidden: Array<string | null>;
}

/** The detections file last shown over a slide, and how. */
export interface RememberedDetections {
  file: string;
  display: DetectionDisplay;
}

/** A detections file's own faults: a remembered one that fails so is forgotten (not one the engine failed to read in time). */
const FILE_FAULTS: ReadonlySet<ErrorCode> = new Set(['NOT_FOUND', 'NOT_A_SLIDE', 'UNSUPPORTED_FORMAT', 'CORRUPT_DATA', 'TOO_LARGE', 'INVALID_ARGUMENT']);

/** Whether a remembered detections file whose reading came to this (null: it holds none now) is forgotten. */
export function forgetsRemembered(error: ErrorInfo | null): boolean {
  return error === null || FILE_FAULTS.has(error.code);
}

/** A hole of fewer vertices encloses nothing (a file's slip): it is neither drawn nor picked. */
export const HOLE_MIN_VERTICES = 3;

export interface DetectionClass {
  /** The classification's name as QuPath writes it ("Tumor", "Tumor: Positive"); null: unclassified. */
  name: string | null;
  color: Rgb;
  /** The detections of this class. */
  count: number;
}

export interface DetectionSet {
  /** The file they were read from. */
  path: string;
  count: number;
  /** How many of each kind. */
  kinds: Record<DetectionKind, number>;
  classes: DetectionClass[];
  /** Each detection's class, an index into `classes`. */
  classOf: Uint16Array;
  /** Each detection's kind, an index into DETECTION_KINDS. */
  kindOf: Uint8Array;
  /**
   * Each detection's outline as (first ring, ring count) pairs: the outer ring of each part of its
   * polygon (its holes are in `holes`); a point is a ring of one vertex.
   */
  outlines: Uint32Array;
  /** A cell's nucleus (QuPath's `nucleusGeometry`) as (first ring, ring count) pairs; a count of 0 for other detections. */
  nuclei: Uint32Array;
  /** Each detection's holes (its polygons' inner rings: a pixel classifier's regions have them) as (first ring, ring count) pairs: left unfilled, not picked, and out of its area's centroid. */
  holes: Uint32Array;
  /** Each ring as (first vertex, vertex count) pairs, vertices indexing the (x, y) pairs of `xy`. */
  rings: Uint32Array;
  /** Level-0 x, y pairs (Float32: a 64th of a pixel 100,000 pixels from the origin). */
  xy: Float32Array;
  /** Each detection's outline's bounds: minX, minY, maxX, maxY. */
  boxes: Float32Array;
  /** Measurement names, in the order a detection's values are stored. */
  measurementNames: string[];
  /** A column of `count` values a name, in that order (measurement m of detection i at m * count + i); NaN where a detection has none. */
  measurements: Float32Array;
  /**
   * Each detection's QuPath object ID (the feature's `id`, a UUID since QuPath 0.4) as its 16 bytes;
   * all zero where the feature gave none (the nil UUID, which QuPath never makes). 16 bytes, not a
   * 36-character string, a detection: 2 million of them are 32 MB, not 150 MB of strings.
   */
  ids: Uint8Array;
  /** Features of the file that are not detections (annotations, TMA cores) or have no shape, left out. */
  leftOut: number;
}

/** Bytes of a detection's ID in `ids`. */
export const ID_BYTES = 16;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** A detection's object ID as QuPath writes it (a lowercase UUID), or '' where the file gave none. */
export function detectionId(set: DetectionSet, index: number): string {
  const bytes = set.ids.subarray(index * ID_BYTES, (index + 1) * ID_BYTES);
  if (bytes.every((b) => b === 0)) return '';
  const hex = Array.from(bytes, (b) => HEX[b]!).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Writes a UUID's 16 bytes at `at`; false (nothing written) when `id` is no UUID (QuPath before 0.3 put its class's name there). */
export function putDetectionId(ids: Uint8Array, at: number, id: unknown): boolean {
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false;
  const hex = id.replaceAll('-', '');
  for (let k = 0; k < ID_BYTES; k++) ids[at + k] = Number.parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return true;
}

/** A detection's measurements as name, value pairs (those it has). */
export function detectionMeasurements(set: DetectionSet, index: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let m = 0; m < set.measurementNames.length; m++) {
    const value = set.measurements[m * set.count + index]!;
    if (!Number.isNaN(value)) out.push([set.measurementNames[m]!, value]);
  }
  return out;
}

/** The set's arrays' buffers, moved rather than copied between threads. */
export function detectionBuffers(set: DetectionSet): ArrayBuffer[] {
  return [set.classOf, set.kindOf, set.outlines, set.nuclei, set.holes, set.rings, set.xy, set.boxes, set.measurements, set.ids].map(
    (array) => array.buffer as ArrayBuffer,
  );
}
