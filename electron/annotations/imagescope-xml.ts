// Aperio ImageScope's annotation XML: <Annotations> of layers (<Annotation Name LineColor>), each with
// <Regions> of <Region Type Text NegativeROA> and their <Vertices> in level-0 pixels. A layer is a
// class (its name, and its LineColor, a Windows COLORREF: red in the low byte); a region an
// annotation. Region types: 1 a rectangle and 2 an ellipse (their vertices' box), 3 an arrow and 4 a
// ruler (lines); the others are read by their vertices (1: a point, 2: a line, more: a polygon). A
// negative region (NegativeROA="1") is a hole of the positive region of its layer that holds it.
// Read through the engine's bounded XML parser (no DOCTYPE, size checked first).

import { checkedDocument } from '../../shared/annotation-geojson';
import { hasDistinctPositions, measureShape, pointInRing, shapeBounds } from '../../shared/annotation-geometry';
import {
  type Annotation,
  type AnnotationClass,
  type AnnotationDocument,
  AnnotationFileError,
  type Rgb,
  type Shape,
  vertexCount,
} from '../../shared/annotations';
import { LIMITS } from '../../shared/limits';
import type { Mpp } from '../../shared/slide';
import { escapeXml } from '../../shared/xml-text';
import { childElements, parseXml, startTags, type XmlElement, type XmlSource } from '../engine/formats/xml-document';

const RECTANGLE = 1;
const ELLIPSE = 2;
const ARROW = 3;
const RULER = 4;

/** COLORREF 0x00BBGGRR. */
function colorOf(value: string | undefined): Rgb {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) return [255, 255, 0];
  return [n & 255, (n >> 8) & 255, (n >> 16) & 255];
}

function colorRef([r, g, b]: Rgb): number {
  return r + g * 256 + b * 65536;
}

class RegionProblem extends Error {}

function vertices(region: XmlElement): number[] {
  const list = childElements(region, 'Vertices').flatMap((v) => childElements(v, 'Vertex'));
  if (list.length > LIMITS.maxAnnotationVertices) throw new RegionProblem(`it has ${list.length} vertices, more than ${LIMITS.maxAnnotationVertices}`);
  const flat: number[] = [];
  for (const [i, vertex] of list.entries()) {
    const x = Number(vertex.attributes.get('X'));
    const y = Number(vertex.attributes.get('Y'));
    if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > LIMITS.maxCoordinate || Math.abs(y) > LIMITS.maxCoordinate) {
      throw new RegionProblem(`vertex ${i + 1} has no valid X and Y`);
    }
    flat.push(x, y);
  }
  if (flat.length === 0) throw new RegionProblem('it has no vertices');
  return flat;
}

/** A ring without its first vertex repeated at the end (ImageScope sometimes closes them). */
function openRing(points: number[]): number[] {
  const n = points.length;
  return n > 6 && points[0] === points[n - 2] && points[1] === points[n - 1] ? points.slice(0, n - 2) : points;
}

function shapeOf(type: number, points: number[]): Shape {
  const n = points.length / 2;
  if (type === RECTANGLE || type === ELLIPSE) {
    const box = shapeBounds({ kind: 'line', points });
    if (box.maxX <= box.minX || box.maxY <= box.minY)
      throw new RegionProblem(`it is a ${type === RECTANGLE ? 'rectangle' : 'ellipse'} with no width or height`);
    return { kind: type === RECTANGLE ? 'rectangle' : 'ellipse', x0: box.minX, y0: box.minY, x1: box.maxX, y1: box.maxY };
  }
  if (n === 1) return { kind: 'point', points };
  if (type === ARROW || type === RULER || n === 2) return { kind: 'line', points };
  const ring = openRing(points);
  if (!hasDistinctPositions(ring, 3)) throw new RegionProblem('it has fewer than 3 distinct vertices');
  return { kind: 'polygon', polygons: [[ring]] };
}

function description(element: XmlElement): string {
  const attribute = childElements(element, 'Attributes')
    .flatMap((a) => childElements(a, 'Attribute'))
    .find((a) => a.attributes.get('Name') === 'Description');
  return attribute?.attributes.get('Value') ?? '';
}

/**
 * An annotation file's XML: its text decoded already (annotation-files.ts), bounded as its tree is
 * built in memory and time: a million elements (~1 million vertices, ~60 MB of XML) take ~12 s and
 * ~600 MB to read. GeoJSON, read a feature at a time, takes the 10 million vertices a slide may have.
 */
const ANNOTATION_XML: XmlSource = { name: (what) => `The ${what}`, maxLength: 64 * 2 ** 20, maxElements: 1_000_000, tiffAscii: false };

interface ReadOptions {
  newId: () => string;
  path?: string;
}

export function readImageScopeXml(xml: string, options: ReadOptions): AnnotationDocument {
  const { path } = options;
  const root = parseXml(xml, 'ImageScope annotation file', path ?? '', ANNOTATION_XML);
  if (root.name !== 'Annotations')
    throw new AnnotationFileError('CORRUPT_DATA', `Not ImageScope annotations: the root element is <${root.name}>, not <Annotations>.`, path);
  const classes = new Map<string, AnnotationClass>();
  const annotations: Annotation[] = [];
  const layers = childElements(root, 'Annotation');
  // ImageScope leaves a layer's Name empty unless the user types one, and its users tell layers apart by
  // colour: several unnamed layers that hold regions become classes named by their Id ("Layer 2"), in
  // their colours. One (what the writer below gives unclassified annotations) stays unclassified.
  const regionsOf = (layer: XmlElement) => childElements(layer, 'Regions').flatMap((r) => childElements(r, 'Region'));
  const unnamed = layers.filter((l) => (l.attributes.get('Name') ?? '').trim() === '' && regionsOf(l).length > 0).length;
  for (const [layerIndex, layer] of layers.entries()) {
    const id = (layer.attributes.get('Id') ?? '').trim() || String(layerIndex + 1);
    const name = (layer.attributes.get('Name') ?? '').trim() || (unnamed > 1 && regionsOf(layer).length > 0 ? `Layer ${id}` : '');
    if (name && !classes.has(name)) classes.set(name, { name, color: colorOf(layer.attributes.get('LineColor')) });
    const positive: Annotation[] = [];
    for (const [regionIndex, region] of regionsOf(layer).entries()) {
      try {
        const shape = shapeOf(Number(region.attributes.get('Type') ?? 0), vertices(region));
        if (region.attributes.get('NegativeROA') === '1' && shape.kind === 'polygon') {
          const hole = shape.polygons[0]![0]!;
          // The latest region that holds it: a polygon's holes follow it (as written below), overlapping ones or not.
          const owner = positive.findLast((a) => a.shape.kind === 'polygon' && pointInRing(a.shape.polygons[0]![0]!, hole[0]!, hole[1]!));
          if (owner && owner.shape.kind === 'polygon') {
            owner.shape.polygons[0]!.push(hole);
            if (vertexCount(owner.shape) > LIMITS.maxAnnotationVertices)
              throw new RegionProblem(`with its holes, the region it is a hole of has more than ${LIMITS.maxAnnotationVertices} vertices`);
            continue;
          }
        }
        const annotation: Annotation = {
          id: options.newId(),
          name: region.attributes.get('Text') ?? '',
          description: description(region),
          classification: name || null,
          shape,
        };
        if (shape.kind === 'polygon') positive.push(annotation);
        annotations.push(annotation);
        if (annotations.length > LIMITS.maxAnnotations)
          throw new AnnotationFileError('TOO_LARGE', `The file holds more than the ${LIMITS.maxAnnotations} annotations a slide may have.`, path);
      } catch (error) {
        if (error instanceof RegionProblem)
          throw new AnnotationFileError('CORRUPT_DATA', `Annotation ${layerIndex + 1}, region ${regionIndex + 1}: ${error.message}.`, path);
        throw error;
      }
    }
  }
  return checkedDocument({ classes: [...classes.values()], annotations }, path);
}

// ---- Writing -------------------------------------------------------------------------------------

/** Regions of one annotation: a multi-polygon's polygons and their holes (negative) each a region; a point set a region per point. */
function regionsOf(shape: Shape): Array<{ type: number; points: number[]; negative: boolean }> {
  switch (shape.kind) {
    case 'rectangle':
      return [{ type: RECTANGLE, points: [shape.x0, shape.y0, shape.x1, shape.y0, shape.x1, shape.y1, shape.x0, shape.y1], negative: false }];
    case 'ellipse':
      return [{ type: ELLIPSE, points: [shape.x0, shape.y0, shape.x1, shape.y1], negative: false }];
    case 'line':
      return [{ type: RULER, points: shape.points, negative: false }];
    case 'point': {
      const out = [];
      for (let i = 0; i < shape.points.length; i += 2) out.push({ type: 0, points: shape.points.slice(i, i + 2), negative: false });
      return out;
    }
    case 'polygon':
    case 'freehand':
      return shape.polygons.flatMap((rings) => rings.map((points, i) => ({ type: 0, points, negative: i > 0 })));
  }
}

/**
 * The document as ImageScope XML: a layer per class (and one without a name for unclassified
 * annotations), regions with their lengths and areas as ImageScope records them (pixels and µm).
 * Coordinates are written in full (shortest round-trip form): reading the file back gives them exactly.
 */
export function writeImageScopeXml(doc: AnnotationDocument, mpp: Mpp | null): string {
  const layers = new Map<string | null, Annotation[]>();
  for (const a of doc.annotations) {
    const list = layers.get(a.classification);
    if (list) list.push(a);
    else layers.set(a.classification, [a]);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<Annotations MicronsPerPixel="${mpp ? mpp.x.toFixed(6) : '0'}">`];
  let layerId = 0;
  for (const [name, annotations] of layers) {
    layerId++;
    const color = doc.classes.find((c) => c.name === name)?.color ?? [255, 0, 0];
    lines.push(
      `  <Annotation Id="${layerId}" Name="${escapeXml(name ?? '')}" ReadOnly="0" NameReadOnly="0" LineColorReadOnly="0" Incremental="0" Type="4" LineColor="${colorRef(color)}" Visible="1" Selected="0" MarkupImagePath="" MacroName="">`,
      '    <Attributes>',
      `      <Attribute Name="Description" Id="0" Value=""/>`,
      '    </Attributes>',
      '    <Regions>',
      '      <RegionAttributeHeaders/>',
    );
    let regionId = 0;
    for (const a of annotations) {
      const pixels = measureShape(a.shape, null);
      const microns = mpp ? measureShape(a.shape, mpp) : null;
      const length = pixels.length ?? pixels.perimeter ?? 0;
      for (const region of regionsOf(a.shape)) {
        regionId++;
        lines.push(
          `      <Region Id="${regionId}" Type="${region.type}" Zoom="1" Selected="0" ImageLocation="" ImageFocus="-1" Length="${length.toFixed(1)}" Area="${(pixels.area ?? 0).toFixed(1)}" LengthMicrons="${(microns?.length ?? microns?.perimeter ?? 0).toFixed(1)}" AreaMicrons="${(microns?.area ?? 0).toFixed(1)}" Text="${escapeXml(a.name)}" NegativeROA="${region.negative ? 1 : 0}" InputRegionId="0" Analyze="1" DisplayId="${regionId}">`,
          a.description
            ? `        <Attributes><Attribute Name="Description" Id="0" Value="${escapeXml(a.description)}"/></Attributes>`
            : '        <Attributes/>',
          '        <Vertices>',
        );
        for (let i = 0; i < region.points.length; i += 2) lines.push(`          <Vertex X="${region.points[i]}" Y="${region.points[i + 1]}" Z="0"/>`);
        lines.push('        </Vertices>', '      </Region>');
      }
    }
    lines.push('    </Regions>', '    <Plots/>', '  </Annotation>');
  }
  lines.push('</Annotations>', '');
  const xml = lines.join('\n');
  // What this reader cannot take back is not written: the same document goes to GeoJSON whole.
  if (xml.length > ANNOTATION_XML.maxLength || startTags(xml, ANNOTATION_XML.maxElements) > ANNOTATION_XML.maxElements)
    throw new AnnotationFileError(
      'TOO_LARGE',
      `These annotations make more ImageScope XML than an ImageScope file may hold (${ANNOTATION_XML.maxElements} elements, ${ANNOTATION_XML.maxLength} characters): export them as GeoJSON.`,
    );
  return xml;
}
