// Annotations as GeoJSON, the way QuPath writes and reads them (its PathObjectTypeAdapters and
// ROITypeAdapters): a FeatureCollection of Features in level-0 pixel coordinates, each with a UUID
// `id`, `properties.objectType: "annotation"`, `properties.name`, `properties.classification:
// {name, color: [r, g, b]}`, and the description where QuPath keeps an annotation's, in
// `properties.metadata.ANNOTATION_DESCRIPTION`. Ellipses are polygons marked `isEllipse: true` on the
// geometry, read back from the polygon's envelope (QuPath's rule); rectangles are 5-point polygons,
// read back as rectangles when axis-aligned (JTS's isRectangle, as QuPath's geometryToROI); points
// are a MultiPoint; rulers a LineString. The slide's class list travels as a foreign member of the
// collection (`slidescope.classes`), which QuPath and shapely ignore.
//
// What else a feature holds (QuPath's object type, measurements, isLocked, the object's colour, other
// metadata, a cell's nucleusGeometry, a geometry written otherwise than Slidescope would) is read into
// the annotation's passThrough and written back with it: a save loses nothing of a file it read.
//
// Reading also takes what TIAToolbox and shapely write: bare Features or geometries, arrays of them,
// a class in `properties.classification` as a string, or in `class`, `label` or `type`. A file that
// cannot be read as a whole is refused with the line (bad JSON) or the feature (bad content): nothing
// is imported from half a file. A feature with an empty geometry (QuPath's empty ROI, a null
// geometry) is no shape: an import skips it and counts it; a slide's own file keeps it as it is
// (`unshown`), written back. A MultiLineString of several lines is a line annotation each.

import * as v from 'valibot';
import { boxRing, ellipseRing, hasDistinctPositions, shapeBounds } from './annotation-geometry';
import {
  type Annotation,
  type AnnotationClass,
  type AnnotationDocument,
  AnnotationFileError,
  type AnnotationImport,
  checkDocument,
  classListSchema,
  type JsonValue as Json,
  type JsonObject,
  normalClassName,
  objectTypeSchema,
  type PassThrough,
  type Rgb,
  ringAsBox,
  type Shape,
  vertexCount,
} from './annotations';
import { Growing } from './growing';
import { LIMITS } from './limits';

/** Where QuPath keeps an annotation's description (PathAnnotationObject's metadata key). */
const DESCRIPTION_KEY = 'ANNOTATION_DESCRIPTION';
/**
 * Freehand polygons are marked in the metadata, which QuPath carries through its own round trip. A
 * leading _ keeps the mark out of QuPath 0.6's measurement tables, which show every other metadata key.
 */
const SHAPE_KEY = '_slidescope.shape';
/** The mark as written before, still read. */
const OLD_SHAPE_KEY = 'slidescope.shape';
/** QuPath's object types: `properties.type` is one of them, or (TIAToolbox) a class. */
const QUPATH_OBJECT_TYPES = new Set(['annotation', 'detection', 'cell', 'tile', 'tmaCore', 'tma_core', 'root', 'unknown']);
/** A geometry's members that are its shape; any other (QuPath's plane) is kept when the shape is edited. */
const GEOMETRY_SHAPE_KEYS = new Set(['type', 'coordinates', 'geometries', 'isEllipse']);
/** A feature's members Slidescope writes itself; any other (a cell's nucleusGeometry) is kept. */
const FEATURE_KEYS = new Set(['type', 'id', 'geometry', 'properties']);

export const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Two JSON values alike, whatever the order of their objects' keys. */
function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}

/** A JSON object, or nothing when it has no members (a passThrough holds only what there is). */
const unlessEmpty = (value: JsonObject): JsonObject | undefined => (Object.keys(value).length > 0 ? value : undefined);

// ---- Writing -------------------------------------------------------------------------------------

function pairs(points: readonly number[], close: boolean): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < points.length; i += 2) out.push([points[i]!, points[i + 1]!]);
  if (close && out.length > 0) out.push([...out[0]!]);
  return out;
}

function geometryOf(shape: Shape): JsonObject {
  switch (shape.kind) {
    case 'line':
      return { type: 'LineString', coordinates: pairs(shape.points, false) };
    case 'point':
      return { type: 'MultiPoint', coordinates: pairs(shape.points, false) };
    case 'rectangle':
      return { type: 'Polygon', coordinates: [pairs(boxRing(shape), true)] };
    case 'ellipse':
      return { type: 'Polygon', coordinates: [pairs(ellipseRing(shape), true)], isEllipse: true };
    case 'polygon':
    case 'freehand': {
      const polygons = shape.polygons.map((rings) => rings.map((ring) => pairs(ring, true)));
      const [only] = polygons;
      return only && polygons.length === 1 ? { type: 'Polygon', coordinates: only } : { type: 'MultiPolygon', coordinates: polygons };
    }
  }
}

/** Whether the geometry reads as the shape (it is not, once the shape is edited). */
function readsAs(geometry: JsonObject, shape: Shape): boolean {
  try {
    return jsonEqual(shapeOf(geometry, shape.kind === 'freehand'), shape);
  } catch (error) {
    if (error instanceof FeatureProblem) return false;
    throw error;
  }
}

/** The geometry as read while the shape is the one read from it; else the shape's, with the other members read (QuPath's plane). */
function writtenGeometry(shape: Shape, kept: PassThrough | undefined): JsonObject {
  const read = kept?.geometry;
  if (read && readsAs(read, shape)) return read;
  const geometry = geometryOf(shape);
  for (const [key, value] of Object.entries(read ?? {})) if (!GEOMETRY_SHAPE_KEYS.has(key)) geometry[key] = value;
  return geometry;
}

/** Whether properties hold QuPath measurements (its measurement list: an object since 0.4, a list of {name, value} before). */
function isMeasured(properties: JsonObject): boolean {
  const list = properties['measurements'];
  return Array.isArray(list) ? list.length > 0 : isObject(list) && Object.keys(list).length > 0;
}

/**
 * Whether the annotation's shape is no longer the one its QuPath measurements were made of: QuPath
 * clears an object's measurement list when its ROI is set anew (PathROIObject.setROI), so an edited
 * shape's, stale (its area changed), are not written. Known by the geometry read, kept when measured
 * (of a feature split into several shapes, the first's, which takes them).
 */
function measuredShapeEdited(annotation: Annotation): boolean {
  const read = annotation.passThrough?.geometry;
  return read?.['type'] !== undefined && !readsAs(read, annotation.shape);
}

function featureOf(annotation: Annotation, classes: ReadonlyMap<string, Rgb>): JsonObject {
  const kept = annotation.passThrough;
  const { metadata: keptMetadata, classification: keptClass, ...keptProperties } = kept?.properties ?? {};
  if (measuredShapeEdited(annotation)) delete keptProperties['measurements'];
  // What was read and not understood first: what Slidescope edits (name, class, description) is written over it.
  const properties: JsonObject = { objectType: kept?.objectType ?? 'annotation', ...keptProperties };
  if (annotation.name) properties['name'] = annotation.name;
  const read = isObject(keptClass) ? classOf({ classification: keptClass }) : null;
  if (annotation.classification !== null) {
    const color = classes.get(annotation.classification) ?? [255, 0, 0];
    // The class as QuPath wrote it (its names list, a parent chain, an alpha) while it is still the class.
    const same = read?.name === annotation.classification && (read.color === null || jsonEqual(read.color, color));
    properties['classification'] = same && keptClass !== undefined ? keptClass : { name: annotation.classification, color };
  } else if (keptClass !== undefined && read === null) {
    properties['classification'] = keptClass; // one Slidescope could not read, so could not have taken away
  }
  const metadata: JsonObject = isObject(keptMetadata) ? { ...keptMetadata } : {};
  if (annotation.description) metadata[DESCRIPTION_KEY] = annotation.description;
  if (annotation.shape.kind === 'freehand') metadata[SHAPE_KEY] = 'freehand';
  if (Object.keys(metadata).length > 0) properties['metadata'] = metadata;
  else if (keptMetadata !== undefined && !isObject(keptMetadata)) properties['metadata'] = keptMetadata;
  const feature: JsonObject = { type: 'Feature', id: annotation.id, geometry: writtenGeometry(annotation.shape, kept) };
  for (const [key, value] of Object.entries(kept?.members ?? {})) if (!FEATURE_KEYS.has(key)) feature[key] = value;
  feature['properties'] = properties;
  return feature;
}

/**
 * QuPath writes a measurement that is NaN or infinite as a bare token (GsonTools' Gson serialises special
 * floating-point values, leniently), which JSON has not: read and written back as such. In between they
 * stand as these strings, which no file's string can be (a NUL in a string is written \u0000; the reader
 * refuses a feature holding both, parsed).
 */
const NON_FINITE_TOKENS: ReadonlyMap<string, number> = new Map([
  ['\u0000NaN', Number.NaN],
  ['\u0000Infinity', Number.POSITIVE_INFINITY],
  ['\u0000-Infinity', Number.NEGATIVE_INFINITY],
]);

/** Whether a JSON value holds a number not finite (a replacer on every save's coordinates would cost more than this walk of what was read). */
function holdsNonFinite(value: Json | undefined): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(holdsNonFinite);
  return isObject(value) && Object.values(value).some(holdsNonFinite);
}

/** JSON.stringify, a number not finite (only in what `read` holds, what was read) written as QuPath writes it (NaN, Infinity, -Infinity) rather than null. */
function jsonText(value: Json, read: Json | undefined): string {
  if (!holdsNonFinite(read)) return JSON.stringify(value);
  let special = false;
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'number' || Number.isFinite(item)) return item;
    special = true;
    return `\u0000${item}`;
  });
  return special ? text.replace(/"\\u0000(NaN|Infinity|-Infinity)"/g, '$1') : text;
}

/** JSON.parse of `text[start, end)`, the bare NaN and Infinity tokens the layout found in it (at `special`) read as those numbers. */
function parseJson(text: string, start: number, end: number, special: Uint32Array): Json {
  let at = lowerBound(special, start);
  if (at === special.length || special[at]! >= end) return JSON.parse(text.slice(start, end)) as Json;
  const slice = text.slice(start, end);
  if (slice.includes('\\u0000')) throw new FeatureProblem('it holds both a NaN or Infinity and a string with a NUL character');
  const parts: string[] = [];
  let from = start;
  for (; at < special.length && special[at]! < end; at++) {
    const token = text.startsWith('NaN', special[at]!) ? 'NaN' : text[special[at]!] === '-' ? '-Infinity' : 'Infinity';
    parts.push(text.slice(from, special[at]), JSON.stringify(`\u0000${token}`));
    from = special[at]! + token.length;
  }
  parts.push(text.slice(from, end));
  return JSON.parse(parts.join(''), (_key, item: unknown) => (typeof item === 'string' ? (NON_FINITE_TOKENS.get(item) ?? item) : item)) as Json;
}

/** The first index of a sorted list whose value is at least `value`. */
function lowerBound(list: ArrayLike<number>, value: number): number {
  let [low, high] = [0, list.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The document as a GeoJSON FeatureCollection, one feature a line (diffable; errors name the line). */
export function writeGeoJson(doc: AnnotationDocument): string {
  const colors = new Map(doc.classes.map((c) => [c.name, c.color] as const));
  const head = `{"type":"FeatureCollection","slidescope":${JSON.stringify({ classes: doc.classes })},"features":[`;
  const features = [
    ...doc.annotations.map((a) => jsonText(featureOf(a, colors), a.passThrough)),
    ...(doc.unshown ?? []).map((feature) => jsonText(feature, feature)),
  ];
  return `${head}${features.length > 0 ? `\n${features.join(',\n')}\n` : ''}]}\n`;
}

// ---- Reading -------------------------------------------------------------------------------------

export interface ReadOptions {
  /** A fresh UUID, for features without one (QuPath names every object by one). */
  newId: () => string;
  /** The file, for messages. */
  path?: string;
}

/** Line and column of a character offset, 1-based. */
function lineAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

const MAX_FEATURE_CHARS = LIMITS.maxAnnotationFeatureChars;
const MAX_FEATURES = LIMITS.maxFileFeatures;

type Range = readonly [start: number, end: number];

/**
 * A JSON text's parts: an object root's members, and the features (a list root's items, or an object
 * root's `features` list's) as (start, end) pairs. Typed arrays, not lists: a file may hold millions.
 */
interface JsonLayout {
  members: Map<string, Range> | null;
  items: Growing<Uint32Array> | null;
  /** Where a bare NaN, Infinity or -Infinity (QuPath's measurements) starts, in order. */
  special: Growing<Uint32Array>;
}

/** Offsets into a text within maxAnnotationFileBytes (checked before its layout), below 2^32. */
const offsets = () => new Growing((n) => new Uint32Array(n));

/** The layout's refusal of a file with more features than maxFileFeatures. */
class TooManyFeatures {}

class JsonSyntax {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const HEX = /^[0-9a-fA-F]{4}$/;
const isDigit = (code: number) => code >= 48 && code <= 57;
const [MINUS, ZERO, DOT, COMMA] = [45, 48, 46, 44];

/**
 * Checks JSON text (throwing JsonSyntax at the first fault, which JSON.parse does not always place)
 * and finds where its parts lie without building any of it, from `from` (past a byte-order mark).
 */
function jsonLayout(text: string, from: number): JsonLayout {
  let i = from;
  const fail = (reason: string): never => {
    throw new JsonSyntax(i, reason);
  };
  const space = (): void => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('unexpected characters');
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= text.length) fail('a string is not closed');
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 0x20) fail('a control character inside a string');
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!HEX.test(text.slice(i + 2, i + 6))) fail('a \\u escape without 4 hexadecimal digits');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('an escape JSON does not have');
        i += 2;
        continue;
      }
      i++;
    }
    i++;
  };
  const digits = (): void => {
    if (!isDigit(text.charCodeAt(i))) fail(i >= text.length ? 'the text ends too early' : 'unexpected characters');
    while (isDigit(text.charCodeAt(i))) i++;
  };
  // By character codes: most of a file of detections is numbers (a 250 MB one, 20 million of them).
  const number = (): void => {
    if (text.charCodeAt(i) === MINUS) i++;
    if (text.charCodeAt(i) === ZERO) i++;
    else digits();
    if (text.charCodeAt(i) === DOT) {
      i++;
      digits();
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      const sign = text.charCodeAt(++i);
      if (sign === 43 || sign === MINUS) i++;
      digits();
    }
  };
  const layout: JsonLayout = { members: null, items: null, special: offsets() };
  /** One value; `items` collects a list's items' ranges, `members` an object's members'. */
  const value = (depth: number, items: Growing<Uint32Array> | null, members: Map<string, Range> | null): void => {
    if (depth > LIMITS.maxAnnotationJsonDepth) fail('nested too deeply');
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      const closeCode = close.charCodeAt(0);
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        let name: string | null = null;
        if (c === '{') {
          space();
          if (text[i] !== '"') fail('expected a property name in double quotes');
          const key = i;
          string();
          if (members) name = JSON.parse(text.slice(key, i)) as string;
          space();
          if (text[i] !== ':') fail("expected ':' after a property name");
          i++;
          space();
        }
        const start = i;
        // The root's `features` list: its items are the features (the last such member's, as JSON.parse keeps it).
        if (name === 'features') layout.items = text[i] === '[' ? offsets() : null;
        // A list's number (a coordinate) read here, without a call of value() (-Infinity is value()'s).
        const d = text.charCodeAt(i);
        if (!items && name === null && depth < LIMITS.maxAnnotationJsonDepth && (isDigit(d) || (d === MINUS && text.charCodeAt(i + 1) !== 73))) number();
        else value(depth + 1, name === 'features' && text[i] === '[' ? layout.items : null, null);
        if (name !== null) members!.set(name, [start, i]);
        if (items) {
          if (items.length === 2 * MAX_FEATURES) throw new TooManyFeatures();
          items.push(start);
          items.push(i);
        }
        space();
        const next = text.charCodeAt(i);
        if (next === COMMA) {
          i++;
          space();
          continue;
        }
        if (next === closeCode) {
          i++;
          return;
        }
        fail(`expected ',' or '${close}'`);
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === 'N' || c === 'I' || (c === '-' && text[i + 1] === 'I')) {
      layout.special.push(i);
      literal(c === 'N' ? 'NaN' : c === 'I' ? 'Infinity' : '-Infinity');
    } else number();
  };
  space();
  if (text[i] === '{') layout.members = new Map();
  else if (text[i] === '[') layout.items = offsets();
  value(0, layout.items, layout.members);
  space();
  if (i < text.length) fail('more text after the end');
  return layout;
}

/** A short word for a value in a message: a string quoted (cut at 40 characters), else its JSON kind. */
function describeValue(value: Json | undefined): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

/** A feature's problem: thrown inside a feature and given its number by the reader. */
export class FeatureProblem extends Error {}

export function coordinatePair(value: Json, what: string): [number, number] {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) throw new FeatureProblem(`${what} is not a position [x, y]`);
  const [x, y] = value;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y))
    throw new FeatureProblem(`${what} is not a position [x, y]`);
  if (Math.abs(x) > LIMITS.maxCoordinate || Math.abs(y) > LIMITS.maxCoordinate) throw new FeatureProblem(`${what} lies too far outside any slide`);
  return [x, y];
}

function positions(value: Json, what: string, min: number): number[] {
  if (!Array.isArray(value)) throw new FeatureProblem(`${what} is not a list of positions`);
  if (value.length > LIMITS.maxAnnotationVertices + 1)
    throw new FeatureProblem(`${what} has ${value.length} positions, more than ${LIMITS.maxAnnotationVertices}`);
  const flat: number[] = [];
  value.forEach((p, i) => {
    flat.push(...coordinatePair(p, `${what}, position ${i + 1},`));
  });
  if (flat.length < min * 2) throw new FeatureProblem(`${what} has ${flat.length / 2} position${flat.length === 2 ? '' : 's'}, fewer than ${min}`);
  return flat;
}

/** A GeoJSON ring (its first position repeated last, or not) as our ring (not repeated). */
function ring(value: Json, what: string): number[] {
  const flat = positions(value, what, 3);
  const n = flat.length;
  if (flat[0] === flat[n - 2] && flat[1] === flat[n - 1]) flat.length = n - 2;
  if (!hasDistinctPositions(flat, 3)) throw new FeatureProblem(`${what} has fewer than 3 distinct positions`);
  return flat;
}

function polygonRings(value: Json, what: string): number[][] {
  if (!Array.isArray(value) || value.length === 0) throw new FeatureProblem(`${what} has no rings`);
  return value.map((r, i) => ring(r, i === 0 ? `${what}'s outer ring` : `${what}'s hole ${i}`));
}

/** JTS's isRectangle: one ring of 4 corners, axis-aligned edges (ringAsBox, the rule the merge uses too). */
function asRectangle(rings: number[][]): Shape | null {
  const box = rings.length === 1 ? ringAsBox(rings[0]!) : null;
  return box && { kind: 'rectangle', ...box };
}

/**
 * A GeometryCollection as the one geometry QuPath reads it as (GeometryTools.homogenizeGeometryCollection):
 * its members, nested collections flattened, of the highest dimension only (shapely's clip of an outline
 * gives its polygons and the lines along the cut: the polygons are the outline).
 */
export function homogenized(collection: Record<string, Json>): Record<string, Json> {
  const members: Record<string, Json>[] = [];
  const flatten = (value: Json | undefined): void => {
    if (!Array.isArray(value)) throw new FeatureProblem('the GeometryCollection has no list of geometries');
    for (const [i, member] of value.entries()) {
      if (!isObject(member)) throw new FeatureProblem(`the GeometryCollection's geometry ${i + 1} is not a geometry`);
      if (member['type'] === 'GeometryCollection') flatten(member['geometries']);
      else if (!isEmptyGeometry(member)) members.push(member);
    }
  };
  flatten(collection['geometries']);
  const known = ['Polygon', 'MultiPolygon', 'LineString', 'MultiLineString', 'Point', 'MultiPoint'];
  const other = members.find((m) => !known.includes(String(m['type'])));
  if (other) throw new FeatureProblem(`the GeometryCollection holds a geometry of type ${describeValue(other['type'])}`);
  const parts = (single: string, multi: string): Json[] =>
    members.flatMap((m) =>
      m['type'] === single ? [m['coordinates'] ?? null] : m['type'] === multi && Array.isArray(m['coordinates']) ? m['coordinates'] : [],
    );
  for (const [single, multi] of [
    ['Polygon', 'MultiPolygon'],
    ['LineString', 'MultiLineString'],
    ['Point', 'MultiPoint'],
  ] as const) {
    const coordinates = parts(single, multi);
    if (coordinates.length === 0) continue;
    // One member as itself: a lone polygon may be a rectangle, a lone line a line.
    return coordinates.length === 1 && single !== 'Point' ? { type: single, coordinates: coordinates[0]! } : { type: multi, coordinates };
  }
  throw new FeatureProblem('the GeometryCollection is empty');
}

/** A geometry with nothing in it: null, empty coordinates (QuPath's empty ROI), a collection of such. */
export function isEmptyGeometry(geometry: Json): boolean {
  if (geometry === null) return true;
  if (!isObject(geometry)) return false;
  if (geometry['type'] === 'GeometryCollection') {
    const members = geometry['geometries'];
    return Array.isArray(members) && members.every(isEmptyGeometry);
  }
  const coordinates = geometry['coordinates'];
  return Array.isArray(coordinates) && coordinates.length === 0;
}

/**
 * A geometry's shapes: none when it is empty, a line each of a MultiLineString of several (QuPath holds
 * them as one object, a GeometryROI; an annotation's line is one path), else its one shape.
 */
function shapesOf(geometry: Json, freehand: boolean): Shape[] {
  if (isEmptyGeometry(geometry)) return [];
  const lines = isObject(geometry) && geometry['type'] === 'GeometryCollection' ? homogenized(geometry) : geometry;
  if (isObject(lines) && lines['type'] === 'MultiLineString' && Array.isArray(lines['coordinates']) && lines['coordinates'].length > 1)
    return lines['coordinates'].map((line, i) => ({ kind: 'line', points: positions(line, `the MultiLineString's line ${i + 1}`, 2) }));
  return [shapeOf(lines, freehand)];
}

function shapeOf(geometry: Json, freehand: boolean): Shape {
  if (!isObject(geometry)) throw new FeatureProblem('it has no geometry');
  const type = geometry['type'];
  const coordinates = geometry['coordinates'] ?? null;
  switch (type) {
    case 'Point':
      return { kind: 'point', points: coordinatePair(coordinates, 'the Point') };
    case 'MultiPoint':
      return { kind: 'point', points: positions(coordinates, 'the MultiPoint', 1) };
    case 'LineString':
      return { kind: 'line', points: positions(coordinates, 'the LineString', 2) };
    case 'MultiLineString':
      if (Array.isArray(coordinates) && coordinates.length === 1) return { kind: 'line', points: positions(coordinates[0]!, 'the MultiLineString', 2) };
      throw new FeatureProblem('it is a MultiLineString of several lines, which an annotation cannot hold');
    case 'Polygon': {
      const rings = polygonRings(coordinates, 'the Polygon');
      if (geometry['isEllipse'] === true) {
        const box = shapeBounds({ kind: 'polygon', polygons: [rings] });
        if (box.maxX <= box.minX || box.maxY <= box.minY) throw new FeatureProblem('it is an ellipse with no width or height');
        return { kind: 'ellipse', x0: box.minX, y0: box.minY, x1: box.maxX, y1: box.maxY };
      }
      return (!freehand && asRectangle(rings)) || { kind: freehand ? 'freehand' : 'polygon', polygons: [rings] };
    }
    case 'MultiPolygon': {
      if (!Array.isArray(coordinates) || coordinates.length === 0) throw new FeatureProblem('the MultiPolygon is empty');
      return { kind: freehand ? 'freehand' : 'polygon', polygons: coordinates.map((p, i) => polygonRings(p, `the MultiPolygon's polygon ${i + 1}`)) };
    }
    case 'GeometryCollection':
      return shapeOf(homogenized(geometry), freehand);
    default:
      throw new FeatureProblem(type === undefined ? 'its geometry has no type' : `its geometry type ${describeValue(type)} is unknown`);
  }
}

function rgbOf(value: Json | undefined): Rgb | null {
  // QuPath writes [r, g, b, a] for a class colour with an alpha other than 0 or 255; the alpha is not kept.
  if (
    Array.isArray(value) &&
    (value.length === 3 || value.length === 4) &&
    value.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255)
  ) {
    return value.slice(0, 3) as Rgb;
  }
  // QuPath before 0.4: a packed (A)RGB integer.
  if (typeof value === 'number' && Number.isInteger(value)) return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  return null;
}

/**
 * A classification's name; before QuPath 0.4 a derived class was Gson's default form of PathClass, its
 * parents nested as `parentClass` ({parentClass: {name: "Tumor"}, name: "Positive"}: "Tumor: Positive").
 */
function legacyClassName(classification: Record<string, Json>): Json | undefined {
  const name = classification['name'];
  const names: string[] = [];
  // Bounded: a class is a few levels deep, a hostile file's chain is not followed past 100.
  for (let c: Json | undefined = classification['parentClass']; isObject(c) && names.length < 100; c = c['parentClass']) {
    if (typeof c['name'] === 'string') names.unshift(c['name']);
  }
  return names.length > 0 && typeof name === 'string' ? [...names, name].join(': ') : name;
}

/** The class a feature names, its colour when the file gives one, and the property it is in. */
export function classOf(properties: Record<string, Json>): { name: string; color: Rgb | null; key: string } | null {
  const classification = properties['classification'];
  if (isObject(classification)) {
    const names = classification['names'];
    const name = Array.isArray(names) ? names.filter((n) => typeof n === 'string').join(': ') : legacyClassName(classification);
    if (typeof name !== 'string' || normalClassName(name) === '') return null;
    const color = rgbOf(classification['color'] ?? classification['colorRGB']) ?? rgbOf(properties['color']);
    return { name: normalClassName(name), color, key: 'classification' };
  }
  for (const key of ['classification', 'class', 'label', 'type']) {
    const value = properties[key];
    if (key === 'type' && typeof value === 'string' && QUPATH_OBJECT_TYPES.has(value)) continue;
    if ((typeof value === 'string' && normalClassName(value) !== '') || (typeof value === 'number' && Number.isFinite(value))) {
      return { name: normalClassName(String(value)), color: rgbOf(properties['color']), key };
    }
  }
  return null;
}

/** Distinct colours for classes a file names without one. */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * QuPath's object types as it writes them since 0.4 (PathObjectTypeAdapters.MAP_TYPES), for the names
 * it reads besides: "tma_core" (0.3) and, before 0.3, the object's class name in the feature's `id`.
 * An annotation, and QuPath's "unknown" (read as one), have none: null.
 */
const OBJECT_TYPES: Readonly<Record<string, string | null>> = {
  annotation: null,
  unknown: null,
  tma_core: 'tmaCore',
  PathAnnotationObject: null,
  PathDetectionObject: 'detection',
  PathCellObject: 'cell',
  PathTileObject: 'tile',
  TMACoreObject: 'tmaCore',
  PathRootObject: 'root',
};

/** QuPath's objects that are not annotations. */
const NOT_ANNOTATIONS = new Set(['detection', 'cell', 'tile', 'tmaCore', 'root']);

/**
 * A feature's QuPath object type (null: an annotation), the property that declares it, if one does,
 * and whether anything declares one (QuPath types every object it writes; another program's
 * features, TIAToolbox's nuclei, are untyped). QuPath's order (PathObjectTypeAdapter.read):
 * objectType, object_type, then `type` as their alias; before 0.3 the feature's id. TIAToolbox's
 * class index in `type` is no object type, and stays a class.
 */
export function objectTypeOf(feature: Record<string, Json>, properties: Record<string, Json>): { type: string | null; key: string | null; typed: boolean } {
  const key = ['objectType', 'object_type', 'type'].find((k) => properties[k] !== undefined && properties[k] !== null);
  const declared = key === undefined ? undefined : properties[key];
  if (key === undefined) {
    const id = feature['id'];
    const typed = typeof id === 'string' && Object.hasOwn(OBJECT_TYPES, id) && id.startsWith('Path');
    return { type: typed ? (OBJECT_TYPES[id] ?? null) : null, key: null, typed };
  }
  if (typeof declared !== 'string' || !v.is(objectTypeSchema, declared) || (key === 'type' && !QUPATH_OBJECT_TYPES.has(declared)))
    return { type: null, key: null, typed: false };
  return { type: Object.hasOwn(OBJECT_TYPES, declared) ? OBJECT_TYPES[declared]! : declared, key, typed: true };
}

function isAnnotation(feature: Json): boolean {
  if (!isObject(feature)) return true; // refused below, by its number
  const { type } = objectTypeOf(feature, isObject(feature['properties']) ? feature['properties'] : {});
  return type === null || !NOT_ANNOTATIONS.has(type);
}

/**
 * What Slidescope keeps of a feature without reading it: all but what the annotation holds (`used`,
 * the properties read as its name, class, description and object type; the metadata's description
 * and shape marks), and the geometry when writing the shape would not give it back.
 */
function passThroughOf(
  feature: Record<string, Json>,
  objectType: string | null,
  used: ReadonlySet<string>,
  shape: Shape | null,
  usedDescription: boolean,
): PassThrough | undefined {
  const properties: JsonObject = {};
  for (const [key, value] of Object.entries(isObject(feature['properties']) ? feature['properties'] : {})) if (!used.has(key)) properties[key] = value;
  const metadata = properties['metadata'];
  if (isObject(metadata)) {
    const { [DESCRIPTION_KEY]: description, [SHAPE_KEY]: _shape, [OLD_SHAPE_KEY]: _oldShape, ...others } = metadata;
    const rest = usedDescription || description === undefined ? others : { ...others, [DESCRIPTION_KEY]: description };
    if (Object.keys(rest).length > 0) properties['metadata'] = rest;
    else delete properties['metadata'];
  }
  const members: JsonObject = {};
  for (const [key, value] of Object.entries(feature)) if (!FEATURE_KEYS.has(key)) members[key] = value;
  const geometry = feature['geometry'];
  // A geometry split into several shapes is written as theirs: of it, only what is not its shape (QuPath's plane).
  const aside: JsonObject = {};
  if (!shape && isObject(geometry)) for (const [key, value] of Object.entries(geometry)) if (!GEOMETRY_SHAPE_KEYS.has(key)) aside[key] = value;
  const kept: PassThrough = {
    ...(objectType === null ? {} : { objectType }),
    ...(unlessEmpty(properties) ? { properties } : {}),
    ...(unlessEmpty(members) ? { members } : {}),
    // Kept too when it has measurements, to tell at a save whether the shape they measured was edited.
    ...(shape && isObject(geometry) && (isMeasured(properties) || !jsonEqual(geometryOf(shape), geometry)) ? { geometry } : {}),
    ...(unlessEmpty(aside) ? { geometry: aside } : {}),
  };
  return unlessEmpty(kept) as PassThrough | undefined;
}

/**
 * Reads GeoJSON annotations, every feature one (a slide's stored file: what it holds is kept as it
 * is, and written back so). The classes are the file's list (`slidescope.classes`, when we wrote it),
 * then every other class its features name, with the colour they give or one of a palette.
 */
export function readGeoJson(text: string, options: ReadOptions): AnnotationDocument {
  return readFeatures(text, options, false).document;
}

/**
 * readGeoJson for a file imported, leaving out QuPath's detections, cells, tiles and TMA cores (the
 * objects of its analyses, often hundreds of thousands, not a person's marks), counted.
 */
export function readGeoJsonImport(text: string, options: ReadOptions): AnnotationImport {
  return readFeatures(text, options, true);
}

/** The features of a checked text, each parsed when asked for: a list's or a collection's items, or the text itself as one feature. */
export function featureParts(
  text: string,
  from: number,
  path: string | undefined,
): { count: number; feature: (index: number) => Json; root: (key: string) => Json | undefined } {
  let layout: JsonLayout;
  try {
    layout = jsonLayout(text, from);
  } catch (error) {
    if (error instanceof TooManyFeatures)
      throw new AnnotationFileError('TOO_LARGE', `The file holds more than the ${MAX_FEATURES} features a GeoJSON file may have.`, path);
    if (!(error instanceof JsonSyntax)) throw error;
    const { line, column } = lineAt(text, error.offset);
    throw new AnnotationFileError('CORRUPT_DATA', `Not valid JSON at line ${line}, column ${column}: ${error.reason}.`, path);
  }
  const { members } = layout;
  const special = layout.special.done();
  const root = (key: string): Json | undefined => {
    const range = members?.get(key);
    if (!range || range[1] - range[0] > MAX_FEATURE_CHARS) return undefined;
    try {
      return parseJson(text, range[0], range[1], special);
    } catch (error) {
      if (error instanceof FeatureProblem) return undefined;
      throw error;
    }
  };
  const parse = ([start, end]: Range, number: number): Json => {
    if (end - start > MAX_FEATURE_CHARS)
      throw new AnnotationFileError(
        'TOO_LARGE',
        `Feature ${number} is ${end - start} characters, more than the ${MAX_FEATURE_CHARS} an annotation may be.`,
        path,
      );
    try {
      return parseJson(text, start, end, special);
    } catch (error) {
      if (error instanceof FeatureProblem) throw new AnnotationFileError('CORRUPT_DATA', `Feature ${number}: ${error.message}.`, path);
      throw error;
    }
  };
  if (layout.items) {
    const items = layout.items.done();
    return { count: items.length / 2, feature: (index) => parse([items[2 * index]!, items[2 * index + 1]!], index + 1), root };
  }
  // A Feature, or a bare geometry, alone.
  const type = root('type');
  if (members && (type === 'Feature' || (typeof type === 'string' && members.has('coordinates')))) {
    const whole: Range = [from, text.length];
    return {
      count: 1,
      feature: () => {
        const value = parse(whole, 1);
        return type === 'Feature' ? value : { type: 'Feature', geometry: value, properties: {} };
      },
      root: () => undefined,
    };
  }
  throw new AnnotationFileError('CORRUPT_DATA', 'Not GeoJSON annotations: expected a FeatureCollection, a Feature, a geometry or a list of features.', path);
}

function readFeatures(text: string, options: ReadOptions, annotationsOnly: boolean): AnnotationImport {
  const { path } = options;
  if (text.length > LIMITS.maxAnnotationFileBytes)
    throw new AnnotationFileError('TOO_LARGE', `The file holds more than ${LIMITS.maxAnnotationFileBytes} characters.`, path);
  const parts = featureParts(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, path);
  if (!annotationsOnly && parts.count > LIMITS.maxAnnotations)
    throw new AnnotationFileError('TOO_LARGE', `The file holds ${parts.count} annotations, more than the ${LIMITS.maxAnnotations} a slide may have.`, path);

  const classes = new Map<string, AnnotationClass>();
  const slidescope = parts.root('slidescope');
  const listed = isObject(slidescope) ? v.safeParse(classListSchema, slidescope['classes']) : null;
  if (listed?.success) for (const c of listed.output) classes.set(c.name, c);

  const ids = new Set<string>();
  let vertices = 0;
  /** Each annotation's number in the file, for messages. */
  const numbers: number[] = [];
  const annotations: Annotation[] = [];
  /** Features with an empty geometry: skipped (an import), or kept as they are (a slide's own file). */
  const unshown: JsonObject[] = [];
  let skipped = 0;
  let leftOut = 0;
  // A feature at a time, within the limits as it goes: a file past them is refused before it is all in memory.
  for (let index = 0; index < parts.count; index++) {
    const feature = parts.feature(index);
    if (annotationsOnly && !isAnnotation(feature)) {
      leftOut++;
      continue;
    }
    try {
      if (!isObject(feature)) throw new FeatureProblem('it is not an object');
      if (feature['type'] !== undefined && feature['type'] !== 'Feature') throw new FeatureProblem(`it is ${describeValue(feature['type'])}, not a Feature`);
      const properties = isObject(feature['properties']) ? feature['properties'] : {};
      const metadata = isObject(properties['metadata']) ? properties['metadata'] : {};
      const shapes = shapesOf(feature['geometry'] ?? null, (metadata[SHAPE_KEY] ?? metadata[OLD_SHAPE_KEY]) === 'freehand');
      if (shapes.length === 0) {
        if (annotationsOnly) skipped++;
        else unshown.push(feature);
        continue;
      }
      if (annotations.length + shapes.length > LIMITS.maxAnnotations)
        throw new AnnotationFileError('TOO_LARGE', `The file holds more than the ${LIMITS.maxAnnotations} annotations a slide may have.`, path);
      for (const shape of shapes) {
        const count = vertexCount(shape);
        if (count > LIMITS.maxAnnotationVertices) throw new FeatureProblem(`it has more than ${LIMITS.maxAnnotationVertices} vertices`);
        vertices += count;
      }
      if (vertices > LIMITS.maxDocumentVertices)
        throw new AnnotationFileError('TOO_LARGE', `The file holds more than the ${LIMITS.maxDocumentVertices} vertices a slide may have.`, path);
      const cls = classOf(properties);
      if (cls && !classes.has(cls.name)) {
        // Named here, by the feature that brings the class in: the document's check could only say "the class list".
        if (cls.name.length > LIMITS.annotationNameLength) throw new FeatureProblem(`its class name is longer than ${LIMITS.annotationNameLength} characters`);
        if (classes.size === LIMITS.maxAnnotationClasses)
          throw new AnnotationFileError(
            'TOO_LARGE',
            `Feature ${index + 1}: its class is one more than the ${LIMITS.maxAnnotationClasses} a slide may have.`,
            path,
          );
        classes.set(cls.name, { name: cls.name, color: cls.color ?? PALETTE[classes.size % PALETTE.length]! });
      }
      const rawId = typeof feature['id'] === 'string' ? feature['id'] : '';
      const inMetadata = metadata[DESCRIPTION_KEY] !== undefined && metadata[DESCRIPTION_KEY] !== null;
      const description = inMetadata ? metadata[DESCRIPTION_KEY] : properties['description'];
      const name = properties['name'];
      const objectType = objectTypeOf(feature, properties);
      // The properties read into the annotation; any other, or one it could not read, is kept as it is.
      const used = new Set<string>();
      if (typeof name === 'string') used.add('name');
      // A class object in a form Slidescope would not write is kept as read (featureOf writes it while the class is the same).
      const rawClass = properties['classification'];
      if (cls && (cls.key !== 'classification' || !isObject(rawClass) || jsonEqual(rawClass, { name: cls.name, color: cls.color }))) used.add(cls.key);
      if (objectType.key) used.add(objectType.key);
      if (!inMetadata && typeof description === 'string') used.add('description');
      const [first] = shapes;
      const passThrough = passThroughOf(
        feature,
        objectType.type,
        used,
        shapes.length === 1 && first ? first : null,
        inMetadata && typeof description === 'string',
      );
      // The lines of one MultiLineString share its name, class, description and plane; the first takes its
      // id and what else it held, so that a save writes that once.
      shapes.forEach((shape, part) => {
        const id = part === 0 && UUID.test(rawId) && !ids.has(rawId.toLowerCase()) ? rawId : options.newId();
        ids.add(id.toLowerCase());
        const { objectType: type, geometry } = passThrough ?? {};
        // The first, which takes the measurements, keeps the geometry it is written as: an edit of it is then seen (measuredShapeEdited).
        const measuredFirst =
          passThrough && shapes.length > 1 && isMeasured(passThrough.properties ?? {})
            ? { ...passThrough, geometry: { ...geometryOf(shape), ...geometry } }
            : passThrough;
        const kept = part === 0 ? measuredFirst : unlessEmpty({ ...(type ? { objectType: type } : {}), ...(geometry ? { geometry } : {}) });
        annotations.push({
          id,
          name: typeof name === 'string' ? name : '',
          description: typeof description === 'string' ? description : '',
          classification: cls?.name ?? null,
          shape,
          ...(kept ? { passThrough: kept } : {}),
        });
        numbers.push(index + 1);
      });
    } catch (error) {
      if (error instanceof FeatureProblem) throw new AnnotationFileError('CORRUPT_DATA', `Feature ${index + 1}: ${error.message}.`, path);
      throw error;
    }
  }
  const document = checkedDocument({ classes: [...classes.values()], annotations, ...(unshown.length > 0 ? { unshown } : {}) }, path, numbers);
  return { document, leftOut, skipped };
}

/**
 * The last gate: what a reader built must be a valid document; a failure names the feature (by its
 * number in the file: `numbers`, default its place in the document) and the field, TOO_LARGE for a limit.
 */
export function checkedDocument(doc: AnnotationDocument, path: string | undefined, numbers?: readonly number[]): AnnotationDocument {
  const checked = checkDocument(doc);
  if (checked.ok) return checked.document;
  const { code, annotation, field, reason } = checked.problem;
  const where = annotation !== null ? `Feature ${numbers?.[annotation] ?? annotation + 1}` : field.startsWith('classes') ? 'The class list' : 'The file';
  const named = field.split('.').filter((k) => k !== '' && !/^\d+$/.test(k) && k !== 'classes');
  throw new AnnotationFileError(code, `${where}: ${named.length > 0 ? `${named.join('.')} ` : ''}${reason}.`, path);
}
