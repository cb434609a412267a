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
// Reading also takes what TIAToolbox and shapely write: bare Features or geometries, arrays of them,
// a class in `properties.classification` as a string, or in `class`, `label` or `type`. A file that
// cannot be read as a whole is refused with the line (bad JSON) or the feature (bad content): nothing
// is imported from half a file.

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
  normalClassName,
  type Rgb,
  ringAsBox,
  type Shape,
  vertexCount,
} from './annotations';
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

// ---- Writing -------------------------------------------------------------------------------------

function pairs(points: readonly number[], close: boolean): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < points.length; i += 2) out.push([points[i]!, points[i + 1]!]);
  if (close && out.length > 0) out.push([...out[0]!]);
  return out;
}

function geometryOf(shape: Shape): Record<string, unknown> {
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
      return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
    }
  }
}

function featureOf(annotation: Annotation, classes: ReadonlyMap<string, Rgb>): Record<string, unknown> {
  const properties: Record<string, unknown> = { objectType: 'annotation' };
  if (annotation.name) properties['name'] = annotation.name;
  if (annotation.classification !== null) {
    properties['classification'] = { name: annotation.classification, color: classes.get(annotation.classification) ?? [255, 0, 0] };
  }
  const metadata: Record<string, string> = {};
  if (annotation.description) metadata[DESCRIPTION_KEY] = annotation.description;
  if (annotation.shape.kind === 'freehand') metadata[SHAPE_KEY] = 'freehand';
  if (Object.keys(metadata).length > 0) properties['metadata'] = metadata;
  return { type: 'Feature', id: annotation.id, geometry: geometryOf(annotation.shape), properties };
}

/** The document as a GeoJSON FeatureCollection, one feature a line (diffable; errors name the line). */
export function writeGeoJson(doc: AnnotationDocument): string {
  const colors = new Map(doc.classes.map((c) => [c.name, c.color] as const));
  const head = `{"type":"FeatureCollection","slidescope":${JSON.stringify({ classes: doc.classes })},"features":[`;
  const features = doc.annotations.map((a) => JSON.stringify(featureOf(a, colors)));
  return `${head}${features.length > 0 ? `\n${features.join(',\n')}\n` : ''}]}\n`;
}

// ---- Reading -------------------------------------------------------------------------------------

export interface ReadOptions {
  /** A fresh UUID, for features without one (QuPath names every object by one). */
  newId: () => string;
  /** The file, for messages. */
  path?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

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

/** Deeper than any GeoJSON (a MultiPolygon's numbers are 6 deep). */
const MAX_JSON_DEPTH = 1000;

/**
 * One feature's text at most: 200,000 vertices at ~30 characters each, and its properties. A file is
 * parsed a feature at a time (the whole of a 500 MB file parsed at once takes ~17x its size in heap).
 */
const MAX_FEATURE_CHARS = 16 * 2 ** 20;

type Range = readonly [start: number, end: number];

/** A JSON text's parts: an object root's members, and the features (a list root's items, or an object root's `features` list's). */
interface JsonLayout {
  members: Map<string, Range> | null;
  items: Range[] | null;
}

class JsonSyntax {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const HEX = /^[0-9a-fA-F]{4}$/;
const isDigit = (code: number) => code >= 48 && code <= 57;

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
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const layout: JsonLayout = { members: null, items: null };
  /** One value; `items` collects a list's items' ranges, `members` an object's members'. */
  const value = (depth: number, items: Range[] | null, members: Map<string, Range> | null): void => {
    if (depth > MAX_JSON_DEPTH) fail('nested too deeply');
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
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
        if (name === 'features') layout.items = text[i] === '[' ? [] : null;
        value(depth + 1, name === 'features' && text[i] === '[' ? layout.items : null, null);
        if (name !== null) members!.set(name, [start, i]);
        items?.push([start, i]);
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
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
    else number();
  };
  space();
  if (text[i] === '{') layout.members = new Map();
  else if (text[i] === '[') layout.items = [];
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
class FeatureProblem extends Error {}

function coordinatePair(value: Json, what: string): [number, number] {
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
function homogenized(collection: Record<string, Json>): Record<string, Json> {
  const members: Record<string, Json>[] = [];
  const flatten = (value: Json | undefined): void => {
    if (!Array.isArray(value)) throw new FeatureProblem('the GeometryCollection has no list of geometries');
    for (const [i, member] of value.entries()) {
      if (!isObject(member)) throw new FeatureProblem(`the GeometryCollection's geometry ${i + 1} is not a geometry`);
      if (member['type'] === 'GeometryCollection') flatten(member['geometries']);
      else members.push(member);
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

/** The class a feature names, and its colour when the file gives one. */
function classOf(properties: Record<string, Json>): { name: string; color: Rgb | null } | null {
  const classification = properties['classification'];
  if (isObject(classification)) {
    const names = classification['names'];
    const name = Array.isArray(names) ? names.filter((n) => typeof n === 'string').join(': ') : legacyClassName(classification);
    if (typeof name !== 'string' || normalClassName(name) === '') return null;
    return { name: normalClassName(name), color: rgbOf(classification['color'] ?? classification['colorRGB']) ?? rgbOf(properties['color']) };
  }
  for (const key of ['classification', 'class', 'label', 'type']) {
    const value = properties[key];
    if (key === 'type' && typeof value === 'string' && QUPATH_OBJECT_TYPES.has(value)) continue;
    if ((typeof value === 'string' && normalClassName(value) !== '') || (typeof value === 'number' && Number.isFinite(value))) {
      return { name: normalClassName(String(value)), color: rgbOf(properties['color']) };
    }
  }
  return null;
}

/** Distinct colours for classes a file names without one. */
const PALETTE: readonly Rgb[] = [
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
 * QuPath's objects that are not annotations: `objectType` since QuPath 0.3, the feature's `id` before.
 * A TMA core is "tmaCore" from QuPath 0.4 (PathObjectTypeAdapters.MAP_TYPES), "tma_core" in 0.3.
 */
const NOT_ANNOTATIONS = new Set([
  'detection',
  'cell',
  'tile',
  'tmaCore',
  'tma_core',
  'root',
  'PathDetectionObject',
  'PathCellObject',
  'PathTileObject',
  'TMACoreObject',
  'PathRootObject',
]);

function isAnnotation(feature: Json): boolean {
  if (!isObject(feature)) return true; // refused below, by its number
  const properties = isObject(feature['properties']) ? feature['properties'] : {};
  // QuPath's order (PathObjectTypeAdapter.read): objectType, object_type, then `type` as their alias;
  // before 0.3 the feature's id. TIAToolbox's class index in `type` is no object type, and stays.
  const declared = properties['objectType'] ?? properties['object_type'] ?? properties['type'];
  const type = declared !== undefined && declared !== null ? String(declared) : feature['id'];
  return !(typeof type === 'string' && NOT_ANNOTATIONS.has(type));
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
function featureParts(
  text: string,
  from: number,
  path: string | undefined,
): { count: number; feature: (index: number) => Json; root: (key: string) => Json | undefined } {
  let layout: JsonLayout;
  try {
    layout = jsonLayout(text, from);
  } catch (error) {
    if (!(error instanceof JsonSyntax)) throw error;
    const { line, column } = lineAt(text, error.offset);
    throw new AnnotationFileError('CORRUPT_DATA', `Not valid JSON at line ${line}, column ${column}: ${error.reason}.`, path);
  }
  const { members } = layout;
  const root = (key: string): Json | undefined => {
    const range = members?.get(key);
    return range && range[1] - range[0] <= MAX_FEATURE_CHARS ? (JSON.parse(text.slice(range[0], range[1])) as Json) : undefined;
  };
  const parse = ([start, end]: Range, number: number): Json => {
    if (end - start > MAX_FEATURE_CHARS)
      throw new AnnotationFileError(
        'TOO_LARGE',
        `Feature ${number} is ${end - start} characters, more than the ${MAX_FEATURE_CHARS} an annotation may be.`,
        path,
      );
    return JSON.parse(text.slice(start, end)) as Json;
  };
  if (layout.items) {
    const items = layout.items;
    return { count: items.length, feature: (index) => parse(items[index]!, index + 1), root };
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
  // A feature at a time, within the limits as it goes: a file past them is refused before it is all in memory.
  for (let index = 0; index < parts.count; index++) {
    const feature = parts.feature(index);
    if (annotationsOnly && !isAnnotation(feature)) continue;
    if (annotations.length === LIMITS.maxAnnotations)
      throw new AnnotationFileError('TOO_LARGE', `The file holds more than the ${LIMITS.maxAnnotations} annotations a slide may have.`, path);
    try {
      if (!isObject(feature)) throw new FeatureProblem('it is not an object');
      if (feature['type'] !== undefined && feature['type'] !== 'Feature') throw new FeatureProblem(`it is ${describeValue(feature['type'])}, not a Feature`);
      const properties = isObject(feature['properties']) ? feature['properties'] : {};
      const metadata = isObject(properties['metadata']) ? properties['metadata'] : {};
      const shape = shapeOf(feature['geometry'] ?? null, (metadata[SHAPE_KEY] ?? metadata[OLD_SHAPE_KEY]) === 'freehand');
      const count = vertexCount(shape);
      if (count > LIMITS.maxAnnotationVertices) throw new FeatureProblem(`it has more than ${LIMITS.maxAnnotationVertices} vertices`);
      vertices += count;
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
      const id = UUID.test(rawId) && !ids.has(rawId.toLowerCase()) ? rawId : options.newId();
      ids.add(id.toLowerCase());
      const description = metadata[DESCRIPTION_KEY] ?? properties['description'];
      annotations.push({
        id,
        name: typeof properties['name'] === 'string' ? properties['name'] : '',
        description: typeof description === 'string' ? description : '',
        classification: cls?.name ?? null,
        shape,
      });
      numbers.push(index + 1);
    } catch (error) {
      if (error instanceof FeatureProblem) throw new AnnotationFileError('CORRUPT_DATA', `Feature ${index + 1}: ${error.message}.`, path);
      throw error;
    }
  }
  return { document: checkedDocument({ classes: [...classes.values()], annotations }, path, numbers), leftOut: parts.count - annotations.length };
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
