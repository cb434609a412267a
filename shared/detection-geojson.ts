// Reads QuPath's detections (cells, detections, tiles) from GeoJSON into the flat arrays of a
// DetectionSet, a feature at a time (the text is checked and split by the annotation reader's scan,
// each feature parsed alone and dropped), within LIMITS as it goes: a file past them is refused
// before it is all in memory. What QuPath writes: `properties.objectType` (`type` before 0.4, the
// feature's `id` before 0.3), the classification with its colour, `measurements` as an object (0.4)
// or a list of {name, value} (0.2, 0.3), a cell's `nucleusGeometry` beside its geometry.

import { classOf, coordinatePair, FeatureProblem, featureParts, homogenized, isEmptyGeometry, isObject, objectTypeOf, PALETTE } from './annotation-geojson';
import { AnnotationFileError, type JsonValue as Json, type Rgb, UNCLASSIFIED_COLOR } from './annotations';
import { DETECTION_KINDS, type DetectionClass, type DetectionKind, type DetectionSet, ID_BYTES, putDetectionId } from './detections';
import { Growing } from './growing';
import { LIMITS } from './limits';

const isKind = (type: string | null): type is DetectionKind => (DETECTION_KINDS as readonly (string | null)[]).includes(type);

const isCoordinate = (value: Json | undefined): value is number => typeof value === 'number' && Math.abs(value) <= LIMITS.maxCoordinate;

/** A geometry's rings, as lists of positions: its polygons' outer rings and their holes; a point a ring of one. */
function geometryRings(geometry: Json, what: string): { outer: Json[][]; holes: Json[][] } {
  if (isEmptyGeometry(geometry)) return { outer: [], holes: [] };
  if (!isObject(geometry)) throw new FeatureProblem(`${what} is not a geometry`);
  const g = geometry['type'] === 'GeometryCollection' ? homogenized(geometry) : geometry;
  const coordinates = g['coordinates'];
  const list = (value: Json | undefined, of: string): Json[] => {
    if (!Array.isArray(value)) throw new FeatureProblem(`${what}'s ${of} is not a list`);
    return value;
  };
  /** Polygons' rings; `multi`: they are a MultiPolygon's, named by their number. */
  const polygons = (parts: Json[], multi: boolean) => {
    const ringName = (i: number, r: number) => `${multi ? `polygon ${i + 1}'s ` : ''}${r === 0 ? 'outer ring' : `hole ${r}`}`;
    const rings = parts.map((polygon, i) => list(polygon, multi ? `polygon ${i + 1}` : 'polygon').map((ring, r) => list(ring, ringName(i, r))));
    return { outer: rings.map((polygon, i) => polygon[0] ?? list(undefined, ringName(i, 0))), holes: rings.flatMap((polygon) => polygon.slice(1)) };
  };
  switch (g['type']) {
    case 'Polygon':
      return polygons([coordinates ?? null], false);
    case 'MultiPolygon':
      return polygons(list(coordinates, 'polygons'), true);
    case 'Point':
      return { outer: [[coordinates ?? null]], holes: [] };
    case 'MultiPoint':
      return { outer: list(coordinates, 'points').map((point) => [point]), holes: [] };
    default:
      // A line is no detection QuPath makes (its detections are areas or points).
      throw new FeatureProblem(`${what} is a ${String(g['type'])}, not an area or a point`);
  }
}

/** A measurement's value: a number, or QuPath's NaN (read by the layout) and null for none. */
const measurementValue = (value: Json | undefined): number => (typeof value === 'number' ? value : Number.NaN);

/** A detection's measurements as name, value pairs: QuPath 0.4's object, or the list of {name, value} before it. */
function measurementsOf(properties: Record<string, Json>, untyped: boolean): Array<[string, number]> {
  const raw = properties['measurements'];
  // Another program's (TIAToolbox's `prob`): its numbers beside the class are what it measured.
  if (untyped && raw === undefined)
    return Object.entries(properties).flatMap(([name, value]) =>
      typeof value === 'number' && !UNTYPED_CLASS_KEYS.has(name) ? [[name, value] as [string, number]] : [],
    );
  if (Array.isArray(raw))
    return raw.flatMap((entry) =>
      isObject(entry) && typeof entry['name'] === 'string' ? [[entry['name'], measurementValue(entry['value'])] as [string, number]] : [],
    );
  if (isObject(raw)) return Object.entries(raw).map(([name, value]) => [name, measurementValue(value)]);
  return [];
}

const MAX_MEASUREMENT_NAME = 1000;

/** The properties classOf may read an untyped feature's class from: not measurements. */
const UNTYPED_CLASS_KEYS = new Set(['classification', 'class', 'label', 'type']);

/**
 * The detections of a GeoJSON text (QuPath's export, or a slide's own file); features that are not
 * detections are counted in `leftOut`. CORRUPT_DATA naming the line or the feature, TOO_LARGE past LIMITS.
 */
export function readGeoJsonDetections(text: string, path: string): DetectionSet {
  if (text.length > LIMITS.maxAnnotationFileBytes)
    throw new AnnotationFileError('TOO_LARGE', `The file holds more than ${LIMITS.maxAnnotationFileBytes} characters.`, path);
  const parts = featureParts(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, path);
  const xy = new Growing((n) => new Float32Array(n));
  const rings = new Growing((n) => new Uint32Array(n));
  const outlines = new Growing((n) => new Uint32Array(n));
  const nuclei = new Growing((n) => new Uint32Array(n));
  const holes = new Growing((n) => new Uint32Array(n));
  const boxes = new Growing((n) => new Float32Array(n));
  const classOfDetection = new Growing((n) => new Uint16Array(n));
  const kindOf = new Growing((n) => new Uint8Array(n));
  const ids = new Growing((n) => new Uint8Array(n));
  const classes: DetectionClass[] = [];
  const classIndex = new Map<string | null, number>();
  const columns = new Map<string, Growing<Float32Array>>();
  const kinds = Object.fromEntries(DETECTION_KINDS.map((kind) => [kind, 0])) as Record<DetectionKind, number>;
  let count = 0;
  let leftOut = 0;

  /** The detection's box as it is read: minX, minY, maxX, maxY. */
  const box = new Float64Array(4);
  /** Appends rings, returning how many; `bounds` (the box) grows over them when given. */
  const addRings = (list: Json[][], what: string, bounds: Float64Array | null): number => {
    for (const [r, ring] of list.entries()) {
      if (ring.length > LIMITS.maxAnnotationVertices + 1)
        throw new FeatureProblem(`${what} has ${ring.length} positions, more than ${LIMITS.maxAnnotationVertices}`);
      // GeoJSON repeats a ring's first position last; a ring of one position is a point.
      const [head, tail] = [ring[0], ring[ring.length - 1]];
      const closed = ring.length > 1 && Array.isArray(head) && Array.isArray(tail) && head[0] === tail[0] && head[1] === tail[1];
      const n = closed ? ring.length - 1 : ring.length;
      if (n === 0) throw new FeatureProblem(`${what} has an empty ring`);
      if (xy.length / 2 + n > LIMITS.maxDetectionVertices)
        throw new AnnotationFileError('TOO_LARGE', `The file holds more than the ${LIMITS.maxDetectionVertices} vertices detections may have.`, path);
      rings.push(xy.length / 2);
      rings.push(n);
      // Written straight into the array (10 million vertices: no call, no pair, per vertex).
      const at = xy.length;
      const data = xy.reserve(2 * n);
      let [minX, minY, maxX, maxY] = bounds ? [bounds[0]!, bounds[1]!, bounds[2]!, bounds[3]!] : [0, 0, 0, 0];
      for (let k = 0; k < n; k++) {
        const position = ring[k]!;
        let x: number;
        let y: number;
        // The usual position checked here; anything else by coordinatePair, to name the fault.
        if (Array.isArray(position) && position.length === 2 && isCoordinate(position[0]) && isCoordinate(position[1])) {
          x = position[0];
          y = position[1];
        } else [x, y] = coordinatePair(position, `${what}, ring ${r + 1}, position ${k + 1},`);
        data[at + 2 * k] = x;
        data[at + 2 * k + 1] = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      xy.length = at + 2 * n;
      if (bounds) [bounds[0], bounds[1], bounds[2], bounds[3]] = [minX, minY, maxX, maxY];
    }
    return list.length;
  };

  const classNumber = (name: string | null, color: Rgb | null): number => {
    const known = classIndex.get(name);
    if (known !== undefined) return known;
    // As an annotation's: an export names the classes it draws in a request bounded so.
    if (name !== null && name.length > LIMITS.annotationNameLength)
      throw new FeatureProblem(`its class name is longer than ${LIMITS.annotationNameLength} characters`);
    if (classes.length === LIMITS.maxAnnotationClasses)
      throw new AnnotationFileError('TOO_LARGE', `The file names more than the ${LIMITS.maxAnnotationClasses} classes detections may have.`, path);
    classIndex.set(name, classes.length);
    classes.push({ name, color: color ?? (name === null ? UNCLASSIFIED_COLOR : PALETTE[classes.length % PALETTE.length]!), count: 0 });
    return classes.length - 1;
  };

  for (let index = 0; index < parts.count; index++) {
    const feature = parts.feature(index);
    try {
      if (!isObject(feature)) throw new FeatureProblem('it is not an object');
      const properties = isObject(feature['properties']) ? feature['properties'] : {};
      // A feature no type names is another program's (TIAToolbox's nuclei, a script's): a detection, as
      // the file was opened for detections. QuPath types every object it writes.
      const declared = objectTypeOf(feature, properties);
      const untyped = !declared.typed;
      const type = untyped ? 'detection' : declared.type;
      const geometry = feature['geometry'] ?? null;
      if (!isKind(type) || isEmptyGeometry(geometry)) {
        leftOut++;
        continue;
      }
      if (count === LIMITS.maxDetections)
        throw new AnnotationFileError('TOO_LARGE', `The file holds more than the ${LIMITS.maxDetections} detections a slide may show.`, path);
      [box[0], box[1], box[2], box[3]] = [Infinity, Infinity, -Infinity, -Infinity];
      const shape = geometryRings(geometry, 'its geometry');
      outlines.push(rings.length / 2);
      outlines.push(addRings(shape.outer, 'its geometry', box));
      holes.push(rings.length / 2);
      holes.push(addRings(shape.holes, "its geometry's holes", null));
      nuclei.push(rings.length / 2);
      nuclei.push(
        type === 'cell' && feature['nucleusGeometry'] ? addRings(geometryRings(feature['nucleusGeometry'], 'its nucleus').outer, 'its nucleus', null) : 0,
      );
      for (let k = 0; k < 4; k++) boxes.push(box[k]!);
      const cls = classOf(properties);
      const number = classNumber(cls?.name ?? null, cls?.color ?? null);
      classes[number]!.count++;
      classOfDetection.push(number);
      kinds[type]++;
      kindOf.push(DETECTION_KINDS.indexOf(type));
      // Zeros (none) where the id is no UUID.
      putDetectionId(ids.reserve(ID_BYTES), ids.length, feature['id']);
      ids.length += ID_BYTES;
      for (const [name, value] of measurementsOf(properties, untyped)) {
        let column = columns.get(name);
        if (!column) {
          if (name.length > MAX_MEASUREMENT_NAME) throw new FeatureProblem(`a measurement's name is longer than ${MAX_MEASUREMENT_NAME} characters`);
          if (columns.size === LIMITS.maxDetectionMeasurements)
            throw new AnnotationFileError(
              'TOO_LARGE',
              `The file names more than the ${LIMITS.maxDetectionMeasurements} measurements detections may have.`,
              path,
            );
          column = new Growing((n) => new Float32Array(n).fill(Number.NaN));
          columns.set(name, column);
        }
        // A column made late, or detections without this measurement: NaN up to this one (the fill).
        column.put(count, value);
      }
      count++;
      if (columns.size * count > LIMITS.maxDetectionMeasurementValues)
        throw new AnnotationFileError(
          'TOO_LARGE',
          `The file holds more than the ${LIMITS.maxDetectionMeasurementValues} measurement values detections may have.`,
          path,
        );
    } catch (error) {
      if (error instanceof FeatureProblem) throw new AnnotationFileError('CORRUPT_DATA', `Feature ${index + 1}: ${error.message}.`, path);
      throw error;
    }
  }
  const measurements = new Float32Array(columns.size * count).fill(Number.NaN);
  [...columns.values()].forEach((column, m) => {
    measurements.set(column.done(), m * count);
  });
  return {
    path,
    count,
    kinds,
    classes,
    classOf: classOfDetection.done(),
    kindOf: kindOf.done(),
    outlines: outlines.done(),
    nuclei: nuclei.done(),
    holes: holes.done(),
    rings: rings.done(),
    xy: xy.done(),
    boxes: boxes.done(),
    measurementNames: [...columns.keys()],
    measurements,
    ids: ids.done(),
    leftOut,
  };
}
