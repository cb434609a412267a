// A slide's annotations as the app keeps them: shapes in level-0 pixels, each with a name, a class and
// a description, and the slide's list of classes with their colours. Pure data (what the renderer
// edits, main stores and the engine burns into exports), and its schema, checked wherever a document
// crosses into a process. Files are GeoJSON as QuPath writes it (annotation-geojson.ts).

import * as v from 'valibot';
import type { ErrorCode } from './errors';
import { LIMITS } from './limits';

// ---- The model, declared once as its schema --------------------------------------------------

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Free text (a description): line breaks and tabs allowed, other control characters not. */
const text = (maxLength: number) =>
  v.pipe(
    v.string('must be a string'),
    v.maxLength(maxLength, `is longer than ${maxLength} characters`),
    v.check((s) => !CONTROL_CHARS.test(s), 'contains control characters'),
  );
/** One line (a name). */
const line = (maxLength: number) =>
  v.pipe(
    text(maxLength),
    v.check((s) => !/[\n\r\t]/.test(s), 'must be one line'),
  );

const rgb = v.pipe(
  v.tuple([v.number(), v.number(), v.number()], 'must be [r, g, b]'),
  v.check((c) => c.every((n) => Number.isInteger(n) && n >= 0 && n <= 255), 'must be three integers from 0 to 255'),
);

/**
 * A class name as kept: trimmed, so that " Tumor " in a file's class list and "Tumor" on its features
 * are one class. The schema applies it (to the list and to each annotation's class); readers that key
 * classes by name before the schema runs apply it too.
 */
export function normalClassName(name: string): string {
  return name.trim();
}

const className = v.pipe(v.string('must be a string'), v.transform(normalClassName), line(LIMITS.annotationNameLength), v.minLength(1, 'must not be empty'));

/**
 * A flat list of coordinates: an even count of finite numbers within the coordinate bounds, at least
 * `min` points. How many at most is the shape's limit (withinShapeVertices), counted over all its rings.
 */
export function isCoordinateList(value: unknown, minPoints: number): value is number[] {
  if (!Array.isArray(value) || value.length % 2 !== 0 || value.length < minPoints * 2) return false;
  for (const n of value) if (typeof n !== 'number' || !Number.isFinite(n) || Math.abs(n) > LIMITS.maxCoordinate) return false;
  return true;
}

// A custom check, not v.array(v.number()): a 10,000-annotation document holds hundreds of thousands of numbers.
const points = (minPoints: number) =>
  v.custom<number[]>(
    (value) => isCoordinateList(value, minPoints),
    `must be a list of x, y level-0 coordinates (at least ${minPoints} point${minPoints > 1 ? 's' : ''})`,
  );
const coordinate = v.pipe(v.number('must be a number'), v.finite('must be finite'), v.maxValue(LIMITS.maxCoordinate), v.minValue(-LIMITS.maxCoordinate));

const polygons = v.pipe(
  v.array(v.pipe(v.array(points(3), 'must be a list of rings'), v.minLength(1, 'needs an outer ring')), 'must be a list of polygons'),
  v.minLength(1, 'needs at least one polygon'),
);

const shapeKinds = v.variant(
  'kind',
  [
    v.strictObject({ kind: v.literal('line'), points: points(2) }),
    v.strictObject({ kind: v.literal('point'), points: points(1) }),
    v.pipe(
      v.strictObject({ kind: v.picklist(['rectangle', 'ellipse']), x0: coordinate, y0: coordinate, x1: coordinate, y1: coordinate }),
      v.check((s) => s.x1 > s.x0 && s.y1 > s.y0, 'its box must have x0 < x1 and y0 < y1'),
    ),
    v.strictObject({ kind: v.picklist(['polygon', 'freehand']), polygons }),
  ],
  'must be one of line, point, rectangle, ellipse, polygon, freehand',
);

// The limits, named: a document past one of them is TOO_LARGE, not CORRUPT_DATA (checkDocument).
const withinShapeVertices = (shape: Shape) => vertexCount(shape) <= LIMITS.maxAnnotationVertices;
const withinAnnotationCount = (list: Annotation[]) => list.length <= LIMITS.maxAnnotations;
const documentVertices = (annotations: readonly Annotation[]) => annotations.reduce((n, a) => n + vertexCount(a.shape), 0);
const withinDocumentVertices = (doc: v.InferOutput<typeof documentFields>) => documentVertices(doc.annotations) <= LIMITS.maxDocumentVertices;
const withinClassCount = <T>(list: T[]) => list.length <= LIMITS.maxAnnotationClasses;
const withinPassThroughChars = <T extends object>(kept: T) => jsonSize(kept) <= LIMITS.maxAnnotationFeatureChars;
const withinFeatureCount = <T>(list: T[]) => list.length <= LIMITS.maxAnnotations;
const withinFeaturesChars = <T extends object>(list: T[]) => list.every(withinPassThroughChars);
const LIMIT_CHECKS: ReadonlySet<unknown> = new Set([
  withinFeatureCount,
  withinFeaturesChars,
  withinShapeVertices,
  withinAnnotationCount,
  withinDocumentVertices,
  withinClassCount,
  withinPassThroughChars,
]);

export const shapeSchema = v.pipe(
  shapeKinds,
  v.check(withinShapeVertices, (issue) => `has ${vertexCount(issue.input)} vertices, more than the ${LIMITS.maxAnnotationVertices} one annotation may have`),
);

export const classSchema = v.strictObject({ name: className, color: rgb });

export const classListSchema = v.pipe(
  v.array(classSchema, 'must be a list'),
  v.check(withinClassCount, `has more than ${LIMITS.maxAnnotationClasses} classes`),
  v.check((list) => new Set(list.map((c) => c.name)).size === list.length, 'names a class twice'),
);

/** JSON as parsed: what a file holds that Slidescope carries without reading it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * The least length of a JSON value's text (a value a character, a string and a key their lengths), or
 * -1 when it is no JSON (undefined, a class's instance) or nests deeper than a file may. A number not
 * finite is JSON as QuPath writes it (a NaN measurement, written back bare).
 */
export function jsonSize(value: unknown, depth = 0): number {
  if (depth > LIMITS.maxAnnotationJsonDepth) return -1;
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return value.length + 2;
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      const n = jsonSize(item, depth + 1);
      if (n < 0) return -1;
      size += n + 1;
    }
    return size;
  }
  if (!isPlainObject(value)) return -1;
  for (const [key, item] of Object.entries(value)) {
    const n = jsonSize(item, depth + 1);
    if (n < 0) return -1;
    size += key.length + n + 4;
  }
  return size;
}

export const isJsonObject = (value: unknown): value is JsonObject => isPlainObject(value) && jsonSize(value) >= 0;
const jsonObject = v.custom<JsonObject>(isJsonObject, 'must be a JSON object');

/** QuPath's object type of a feature that is not an annotation: 'detection', 'cell', 'tile', 'tmaCore'... */
export const objectTypeSchema = v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z_]{1,64}$/, 'must be a word of at most 64 letters'));

/**
 * What a file held of a feature that Slidescope neither shows nor edits, written back as it was read
 * (annotation-geojson.ts): QuPath's object type when not an annotation, the properties besides the
 * name, class and description (measurements, isLocked, the object's colour, other metadata), the
 * feature's other members (a cell's nucleusGeometry), and the geometry as written when writing the
 * shape would give another (a rectangle's vertex order, a Point, a plane).
 */
export const passThroughSchema = v.pipe(
  v.strictObject({
    objectType: v.optional(objectTypeSchema),
    properties: v.optional(jsonObject),
    members: v.optional(jsonObject),
    geometry: v.optional(jsonObject),
  }),
  v.check(withinPassThroughChars, `is more than the ${LIMITS.maxAnnotationFeatureChars} characters a feature may be`),
);

export const annotationSchema = v.strictObject({
  id: v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9-]{1,64}$/, 'must be letters, digits and dashes (a UUID)')),
  name: line(LIMITS.annotationNameLength),
  description: text(LIMITS.annotationDescriptionLength),
  classification: v.nullable(className),
  shape: shapeSchema,
  /** Absent for what Slidescope drew: nothing of another program's to keep. */
  passThrough: v.optional(passThroughSchema),
});

const documentFields = v.strictObject({
  classes: classListSchema,
  annotations: v.pipe(
    v.array(annotationSchema, 'must be a list'),
    v.check(withinAnnotationCount, (issue) => `are ${issue.input.length}, more than the ${LIMITS.maxAnnotations} a slide may have`),
    v.check((list) => new Set(list.map((a) => a.id)).size === list.length, 'holds two annotations with one id'),
  ),
  /**
   * Features of the slide's own file that are no shape (an empty geometry: QuPath's empty ROI), kept as
   * they were read and written back after the annotations; absent when there are none.
   */
  unshown: v.optional(
    v.pipe(
      v.array(jsonObject, 'must be a list'),
      v.check(withinFeatureCount, `are more than the ${LIMITS.maxAnnotations} features a slide may have`),
      v.check(withinFeaturesChars, `hold one of more than the ${LIMITS.maxAnnotationFeatureChars} characters a feature may be`),
    ),
  ),
});

export const annotationDocumentSchema = v.pipe(
  documentFields,
  v.check(
    withinDocumentVertices,
    (issue) => `the annotations hold ${documentVertices(issue.input.annotations)} vertices, more than the ${LIMITS.maxDocumentVertices} a slide may have`,
  ),
);

// ---- Types, derived -------------------------------------------------------------------------

export type Rgb = [number, number, number];
export type AnnotationClass = v.InferOutput<typeof classSchema>;
/**
 * Coordinates are level-0 pixels, flat (x0, y0, x1, y1, ...): a cell-counting session holds tens of
 * thousands of shapes, and pairs as arrays would be a million small objects.
 * - line: an open path of 2 or more vertices (the ruler draws 2);
 * - point: 1 or more points (QuPath's points: one annotation may count many);
 * - rectangle, ellipse: their bounding box by its corners (x0 < x1, y0 < y1), so that the box read
 *   back from a file is the one written, to the last bit;
 * - polygon, freehand: polygons, each its outer ring then its holes, rings not repeating their first
 *   vertex. Freehand is a polygon drawn by dragging, kept apart only to be drawn again the same way.
 */
export type Shape = v.InferOutput<typeof shapeKinds>;
export type ShapeKind = Shape['kind'];
export type BoxShape = Extract<Shape, { kind: 'rectangle' | 'ellipse' }>;
export type AreaShape = Extract<Shape, { kind: 'polygon' | 'freehand' }>;
/** id: a UUID, as QuPath names its objects; classification: the class's name, or null (unclassified). */
export type Annotation = v.InferOutput<typeof annotationSchema>;
export type PassThrough = v.InferOutput<typeof passThroughSchema>;
export type AnnotationDocument = v.InferOutput<typeof annotationDocumentSchema>;

/**
 * Annotation file formats Slidescope writes: GeoJSON and ImageScope XML, which it reads too (and
 * TIAToolbox's GeoJSON), and a measurement table (CSV, or TSV by the file's extension).
 */
export const ANNOTATION_FORMATS = ['geojson', 'imagescope', 'csv'] as const;
export type AnnotationFormat = (typeof ANNOTATION_FORMATS)[number];

/** Where a slide's annotations are kept: beside the slide, or (its folder read-only) in the app's data folder. */
export interface AnnotationLocation {
  path: string;
  beside: boolean;
}

/** A slide's annotations as main hands them to its window. */
export interface SlideAnnotations {
  document: AnnotationDocument;
  /** null: none stored yet. */
  location: AnnotationLocation | null;
  /** The stored file could not be read: why, and the name it was kept under (null: left where it is, a read-only folder); nothing is written over it. */
  unreadable: { code: ErrorCode; message: string; keptAs: string | null } | null;
}

/**
 * A file's annotations as read; how many of its objects were not annotations (QuPath's detections,
 * cells, tiles, TMA cores), left out; and how many features had an empty geometry, skipped.
 */
export interface AnnotationImport {
  document: AnnotationDocument;
  leftOut: number;
  skipped: number;
}

/** A file read for import, not yet merged into the slide's annotations. */
export interface ImportedAnnotations extends AnnotationImport {
  file: string;
}

/** QuPath's standard classes (PathClass.StandardPathClasses) and its Positive and Negative, with its colours. */
export const QUPATH_CLASSES: readonly AnnotationClass[] = [
  { name: 'Tumor', color: [200, 0, 0] },
  { name: 'Stroma', color: [150, 200, 150] },
  { name: 'Immune cells', color: [160, 90, 160] },
  { name: 'Necrosis', color: [50, 50, 50] },
  { name: 'Other', color: [255, 200, 0] },
  { name: 'Region*', color: [0, 0, 180] },
  { name: 'Ignore*', color: [180, 180, 180] },
  { name: 'Positive', color: [200, 50, 50] },
  { name: 'Negative', color: [90, 90, 180] },
];

/** QuPath draws an annotation without a class in its default annotation colour, red. */
export const UNCLASSIFIED_COLOR: Rgb = [255, 0, 0];

export function emptyDocument(): AnnotationDocument {
  return { classes: QUPATH_CLASSES.map((c) => ({ name: c.name, color: [...c.color] })), annotations: [] };
}

/** The colour an annotation is drawn in: its class's, or the unclassified colour. */
export function classColor(classes: readonly AnnotationClass[], name: string | null): Rgb {
  if (name === null) return UNCLASSIFIED_COLOR;
  return classes.find((c) => c.name === name)?.color ?? UNCLASSIFIED_COLOR;
}

export function rgbToCss([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/** '#c80000'; the colour input's format. */
export function rgbToHex(color: Readonly<Rgb>): string {
  return `#${color.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export function hexToRgb(hex: string): Rgb | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? [Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16), Number.parseInt(m[3]!, 16)] : null;
}

/** Vertices of a shape (a box counts its 4 corners). */
export function vertexCount(shape: Shape): number {
  switch (shape.kind) {
    case 'line':
    case 'point':
      return shape.points.length / 2;
    case 'rectangle':
    case 'ellipse':
      return 4;
    case 'polygon':
    case 'freehand':
      return shape.polygons.reduce((sum, rings) => sum + rings.reduce((n, ring) => n + ring.length / 2, 0), 0);
  }
}

/** A file that cannot be read as annotations: the code (CORRUPT_DATA, TOO_LARGE) and where (line, feature). */
export class AnnotationFileError extends Error {
  constructor(
    readonly code: Extract<ErrorCode, 'CORRUPT_DATA' | 'TOO_LARGE'>,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'AnnotationFileError';
  }
}

/** Why a document is refused: the limit (TOO_LARGE) or the field (CORRUPT_DATA), and which annotation (its index) or list. */
export interface DocumentProblem {
  code: Extract<ErrorCode, 'CORRUPT_DATA' | 'TOO_LARGE'>;
  /** The annotation at fault (its index in the document), or null when it is the class list or the whole. */
  annotation: number | null;
  /** 'shape.points', 'classes.2.name'...; empty for the document as a whole. */
  field: string;
  reason: string;
  /** All three as one sentence: "Annotation 3: shape has 300000 vertices, more than...". */
  message: string;
}

/**
 * The document as the schema keeps it (class names normalised), or the first reason it is refused.
 * Every writer of a slide's annotations goes through it, so that nothing is stored that a reader
 * would refuse.
 */
export function checkDocument(doc: unknown): { ok: true; document: AnnotationDocument } | { ok: false; problem: DocumentProblem } {
  const checked = v.safeParse(annotationDocumentSchema, doc);
  if (checked.success) return { ok: true, document: checked.output };
  const issue = checked.issues[0];
  const keys = (issue.path ?? []).map((p) => p.key);
  const annotation = keys[0] === 'annotations' && typeof keys[1] === 'number' ? keys[1] : null;
  const field = keys.slice(annotation === null ? 0 : 2).join('.');
  const where = annotation !== null ? `Annotation ${annotation + 1}: ` : '';
  const code = LIMIT_CHECKS.has(issue.requirement) ? 'TOO_LARGE' : 'CORRUPT_DATA';
  return { ok: false, problem: { code, annotation, field, reason: issue.message, message: `${where}${field ? `${field} ` : ''}${issue.message}` } };
}

/** An axis-aligned ring of 4 corners as its box (QuPath's rule: such a polygon is a rectangle), else null. */
export function ringAsBox(ring: readonly number[]): Pick<BoxShape, 'x0' | 'y0' | 'x1' | 'y1'> | null {
  if (ring.length !== 8) return null;
  const xs = [ring[0]!, ring[2]!, ring[4]!, ring[6]!];
  const ys = [ring[1]!, ring[3]!, ring[5]!, ring[7]!];
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (!(x1 > x0 && y1 > y0)) return null;
  for (let i = 0; i < 8; i += 2) {
    const next = (i + 2) % 8;
    const corner = (ring[i] === x0 || ring[i] === x1) && (ring[i + 1] === y0 || ring[i + 1] === y1);
    // Each edge keeps x or y: four corners in order round the box, not across it.
    if (!corner || (ring[i] !== ring[next] && ring[i + 1] !== ring[next + 1])) return null;
  }
  return { x0, y0, x1, y1 };
}

/** -1, 0 or 1: number lists in lexicographic order. */
function compareLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/** A ring from its smallest vertex (x, then y), turning whichever way comes first in order. */
function canonicalRing(ring: readonly number[]): number[] {
  const n = ring.length / 2;
  let start = 0;
  for (let i = 1; i < n; i++) if (compareLists([ring[2 * i]!, ring[2 * i + 1]!], [ring[2 * start]!, ring[2 * start + 1]!]) < 0) start = i;
  const walk = (step: number) => {
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = (((start + step * k) % n) + n) % n;
      out.push(ring[2 * i]!, ring[2 * i + 1]!);
    }
    return out;
  };
  const forward = walk(1);
  const backward = walk(-1);
  return compareLists(forward, backward) <= 0 ? forward : backward;
}

/**
 * A shape as two files that hold the same outline give it: an axis-aligned 4-corner polygon is its
 * rectangle (the GeoJSON reader reads it so, the ImageScope reader keeps a region's polygon), freehand
 * is a polygon (a way of drawing, which ImageScope does not keep), and rings start at their smallest
 * vertex and turn one way, holes in order.
 */
export function canonicalShape(shape: Shape): Shape {
  if (shape.kind !== 'polygon' && shape.kind !== 'freehand') return shape;
  const only = shape.polygons.length === 1 && shape.polygons[0]!.length === 1 ? ringAsBox(shape.polygons[0]![0]!) : null;
  if (only) return { kind: 'rectangle', ...only };
  return {
    kind: 'polygon',
    polygons: shape.polygons.map(([outer, ...holes]) => [canonicalRing(outer!), ...holes.map(canonicalRing).sort(compareLists)]),
  };
}

/**
 * `added` after `base`: classes `base` lacks are added with their colours (a class both name keeps
 * base's colour); an annotation `base` already holds (the same shape, class, name and description,
 * whatever its id; shapes compared by canonicalShape) is not added twice, so that importing a file
 * again changes nothing; one whose id is taken by another gets a new id. The result may be past the
 * limits: checkDocument it before it is kept.
 */
export function mergeDocuments(base: AnnotationDocument, added: AnnotationDocument, newId: () => string): AnnotationDocument {
  const names = new Set(base.classes.map((c) => c.name));
  const ids = new Set(base.annotations.map((a) => a.id));
  const content = ({ name, description, classification, shape }: Annotation) => JSON.stringify([name, description, classification, canonicalShape(shape)]);
  const held = new Set(base.annotations.map(content));
  const fresh = added.annotations.filter((a) => !held.has(content(a)));
  return {
    ...base,
    classes: [...base.classes, ...added.classes.filter((c) => !names.has(c.name))],
    annotations: [...base.annotations, ...fresh.map((a) => (ids.has(a.id) ? { ...a, id: newId() } : a))],
  };
}
