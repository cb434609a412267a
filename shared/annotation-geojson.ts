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
import { boxRing, ellipseRing, shapeBounds } from './annotation-geometry';
import {
  type Annotation,
  type AnnotationClass,
  type AnnotationDocument,
  AnnotationFileError,
  type AnnotationImport,
  annotationDocumentSchema,
  classListSchema,
  type Rgb,
  type Shape,
  vertexCount,
} from './annotations';
import { LIMITS } from './limits';

/** Where QuPath keeps an annotation's description (PathAnnotationObject's metadata key). */
const DESCRIPTION_KEY = 'ANNOTATION_DESCRIPTION';
/** Freehand polygons are marked in the metadata, which QuPath carries through its own round trip. */
const SHAPE_KEY = 'slidescope.shape';
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
 * Where JSON text first goes wrong (a character offset) and why: JSON.parse's messages do not always
 * give a position, so the text is scanned again for the line to name.
 */
function jsonErrorAt(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('unexpected characters');
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('a control character inside a string');
      i++;
    }
    if (i >= text.length) fail('a string is not closed');
    i++;
  };
  const number = (): void => {
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!number) fail(i >= text.length ? 'the text ends too early' : 'unexpected characters');
    i += number![0].length;
  };
  const value = (depth: number): void => {
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
        if (c === '{') {
          space();
          if (text[i] !== '"') fail('expected a property name in double quotes');
          string();
          space();
          if (text[i] !== ':') fail("expected ':' after a property name");
          i++;
        }
        value(depth + 1);
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
  try {
    value(0);
    space();
    if (i < text.length) fail('more text after the end');
    return { offset: text.length, reason: 'unexpected end' };
  } catch (error) {
    return typeof (error as { offset?: unknown }).offset === 'number' ? (error as { offset: number; reason: string }) : { offset: 0, reason: 'not valid JSON' };
  }
}

function parseJson(text: string, path: string | undefined): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    const { offset, reason } = jsonErrorAt(text);
    const { line, column } = lineAt(text, offset);
    throw new AnnotationFileError('CORRUPT_DATA', `Not valid JSON at line ${line}, column ${column}: ${reason}.`, path);
  }
}

/** The list of features, whatever wraps them. */
function featuresOf(root: Json, path: string | undefined): Json[] {
  if (Array.isArray(root)) return root;
  if (isObject(root)) {
    if (Array.isArray(root['features'])) return root['features'];
    if (root['type'] === 'Feature') return [root];
    if (typeof root['type'] === 'string' && 'coordinates' in root) return [{ type: 'Feature', geometry: root, properties: {} }];
  }
  throw new AnnotationFileError('CORRUPT_DATA', 'Not GeoJSON annotations: expected a FeatureCollection, a Feature, a geometry or a list of features.', path);
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
  if (flat.length < 6) throw new FeatureProblem(`${what} has fewer than 3 distinct positions`);
  return flat;
}

function polygonRings(value: Json, what: string): number[][] {
  if (!Array.isArray(value) || value.length === 0) throw new FeatureProblem(`${what} has no rings`);
  return value.map((r, i) => ring(r, i === 0 ? `${what}'s outer ring` : `${what}'s hole ${i}`));
}

/** JTS's isRectangle: one ring of 4 corners, axis-aligned edges. */
function asRectangle(rings: number[][]): Shape | null {
  if (rings.length !== 1 || rings[0]!.length !== 8) return null;
  const r = rings[0]!;
  const box = shapeBounds({ kind: 'polygon', polygons: [rings] });
  for (let i = 0; i < 8; i += 2) {
    const onX = r[i] === box.minX || r[i] === box.maxX;
    const onY = r[i + 1] === box.minY || r[i + 1] === box.maxY;
    const next = (i + 2) % 8;
    // Each edge keeps x or y.
    if (!onX || !onY || (r[i] !== r[next] && r[i + 1] !== r[next + 1])) return null;
  }
  if (box.maxX <= box.minX || box.maxY <= box.minY) return null;
  return { kind: 'rectangle', x0: box.minX, y0: box.minY, x1: box.maxX, y1: box.maxY };
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
      throw new FeatureProblem('it is a GeometryCollection, which an annotation cannot hold');
    default:
      throw new FeatureProblem(`its geometry type ${JSON.stringify(type)?.slice(0, 40)} is unknown`);
  }
}

function rgbOf(value: Json | undefined): Rgb | null {
  if (Array.isArray(value) && value.length === 3 && value.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255)) {
    return value as Rgb;
  }
  // QuPath before 0.4: a packed (A)RGB integer.
  if (typeof value === 'number' && Number.isInteger(value)) return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  return null;
}

/** The class a feature names, and its colour when the file gives one. */
function classOf(properties: Record<string, Json>): { name: string; color: Rgb | null } | null {
  const classification = properties['classification'];
  if (isObject(classification)) {
    const names = classification['names'];
    const name = Array.isArray(names) ? names.filter((n) => typeof n === 'string').join(': ') : classification['name'];
    if (typeof name !== 'string' || name.trim() === '') return null;
    return { name: name.trim(), color: rgbOf(classification['color'] ?? classification['colorRGB']) ?? rgbOf(properties['color']) };
  }
  for (const key of ['classification', 'class', 'label', 'type']) {
    const value = properties[key];
    if (key === 'type' && typeof value === 'string' && QUPATH_OBJECT_TYPES.has(value)) continue;
    if ((typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value))) {
      return { name: String(value).trim(), color: rgbOf(properties['color']) };
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

/** QuPath's objects that are not annotations: `objectType` since QuPath 0.3, the feature's `id` before. */
const NOT_ANNOTATIONS = new Set([
  'detection',
  'cell',
  'tile',
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
  const type = properties['objectType'] ?? properties['object_type'] ?? feature['id'];
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

function readFeatures(text: string, options: ReadOptions, annotationsOnly: boolean): AnnotationImport {
  const { path } = options;
  if (text.length > LIMITS.maxAnnotationFileBytes)
    throw new AnnotationFileError('TOO_LARGE', `The file holds more than ${LIMITS.maxAnnotationFileBytes} characters.`, path);
  const root = parseJson(text.replace(/^\uFEFF/, ''), path);
  const all = featuresOf(root, path);
  // Each annotation's number in the file, for messages.
  const numbers = all.flatMap((feature, index) => (!annotationsOnly || isAnnotation(feature) ? [index + 1] : []));
  const features = numbers.map((n) => all[n - 1]!);
  if (features.length > LIMITS.maxAnnotations)
    throw new AnnotationFileError('TOO_LARGE', `The file holds ${features.length} annotations, more than the ${LIMITS.maxAnnotations} a slide may have.`, path);

  const classes = new Map<string, AnnotationClass>();
  const listed = isObject(root) && isObject(root['slidescope']) ? v.safeParse(classListSchema, root['slidescope']['classes']) : null;
  if (listed?.success) for (const c of listed.output) classes.set(c.name, c);

  const ids = new Set<string>();
  let vertices = 0;
  const annotations = features.map((feature, index): Annotation => {
    try {
      if (!isObject(feature)) throw new FeatureProblem('it is not an object');
      if (feature['type'] !== undefined && feature['type'] !== 'Feature')
        throw new FeatureProblem(`it is a ${JSON.stringify(feature['type'])?.slice(0, 40)}, not a Feature`);
      const properties = isObject(feature['properties']) ? feature['properties'] : {};
      const metadata = isObject(properties['metadata']) ? properties['metadata'] : {};
      const shape = shapeOf(feature['geometry'] ?? null, metadata[SHAPE_KEY] === 'freehand');
      vertices += vertexCount(shape);
      if (vertexCount(shape) > LIMITS.maxAnnotationVertices) throw new FeatureProblem(`it has more than ${LIMITS.maxAnnotationVertices} vertices`);
      const cls = classOf(properties);
      if (cls && !classes.has(cls.name)) classes.set(cls.name, { name: cls.name, color: cls.color ?? PALETTE[classes.size % PALETTE.length]! });
      const rawId = typeof feature['id'] === 'string' ? feature['id'] : '';
      const id = UUID.test(rawId) && !ids.has(rawId.toLowerCase()) ? rawId : options.newId();
      ids.add(id.toLowerCase());
      const description = metadata[DESCRIPTION_KEY] ?? properties['description'];
      return {
        id,
        name: typeof properties['name'] === 'string' ? properties['name'] : '',
        description: typeof description === 'string' ? description : '',
        classification: cls?.name ?? null,
        shape,
      };
    } catch (error) {
      if (error instanceof FeatureProblem) throw new AnnotationFileError('CORRUPT_DATA', `Feature ${numbers[index]}: ${error.message}.`, path);
      throw error;
    }
  });
  if (vertices > LIMITS.maxDocumentVertices)
    throw new AnnotationFileError('TOO_LARGE', `The file holds ${vertices} vertices, more than the ${LIMITS.maxDocumentVertices} a slide may have.`, path);
  return { document: checkedDocument({ classes: [...classes.values()], annotations }, path, numbers), leftOut: all.length - features.length };
}

/**
 * The last gate: what a reader built must be a valid document; a failure names the feature (by its
 * number in the file: `numbers`, default its place in the document) and the field.
 */
export function checkedDocument(doc: AnnotationDocument, path: string | undefined, numbers?: readonly number[]): AnnotationDocument {
  const checked = v.safeParse(annotationDocumentSchema, doc);
  if (checked.success) return checked.output;
  const issue = checked.issues[0];
  const keys = (issue.path ?? []).map((p) => p.key);
  const where =
    keys[0] === 'annotations' && typeof keys[1] === 'number'
      ? `Feature ${numbers?.[keys[1]] ?? keys[1] + 1}`
      : keys[0] === 'classes'
        ? 'The class list'
        : 'The file';
  const field = keys.slice(keys[0] === 'annotations' ? 2 : 1).filter((k) => typeof k === 'string');
  throw new AnnotationFileError('CORRUPT_DATA', `${where}: ${field.length > 0 ? `${field.join('.')} ` : ''}${issue.message}.`, path);
}
