// A slide's annotations as a measurement table, one row each, with QuPath's column names ("Centroid X
// µm", "Area µm^2", …) so that scripts written for QuPath's exported measurements read it as they are.
// Comma-separated with a byte-order mark for a .csv (Excel then shows Hangul names), tab-separated
// without one for a .tsv or .txt (as QuPath writes it, for R's read.delim and pandas).

import { extname } from 'node:path';
import { measureShape, shapeCentroid } from '../../shared/annotation-geometry';
import { IMAGE_PARENT, parentName, placeDetections, slicedAnnotationParents } from '../../shared/annotation-hierarchy';
import type { Annotation, AnnotationDocument, Shape, ShapeKind } from '../../shared/annotations';
import { slicedCentroids } from '../../shared/detection-counts';
import { DETECTION_KINDS, type DetectionKind, type DetectionSet, detectionId } from '../../shared/detections';
import { finishTurning, type Sliced } from '../../shared/slices';
import type { Mpp } from '../../shared/slide';
import { classColumns } from './class-measurements';

/** What a table says of its slide: its file name (the Image column) and pixel size (µm, or pixels without one). */
export interface TableSlide {
  name: string;
  mpp: Mpp | null;
}

/** Tab for a .tsv or .txt, else comma. */
export function tableSeparator(path: string): ',' | '\t' {
  const ext = extname(path).toLowerCase();
  return ext === '.tsv' || ext === '.txt' ? '\t' : ',';
}

/** Which of QuPath's shape columns a kind of shape has a value in: Num points, Area and Perimeter, or Length. */
function shapeColumnOf(kind: ShapeKind): 'points' | 'area' | 'length' {
  return kind === 'point' ? 'points' : kind === 'line' ? 'length' : 'area';
}

/** QuPath's name of a shape's ROI. */
function roiName(shape: Shape): string {
  switch (shape.kind) {
    case 'rectangle':
      return 'Rectangle';
    case 'ellipse':
      return 'Ellipse';
    case 'point':
      return 'Points';
    case 'line':
      return shape.points.length === 4 ? 'Line' : 'Polyline';
    case 'polygon':
    case 'freehand':
      return shape.polygons.length === 1 && shape.polygons[0]!.length === 1 ? 'Polygon' : 'Geometry';
  }
}

/**
 * A number as QuPath's GeneralTools.formatNumber writes it: at most `decimals` places, no trailing zeros,
 * no grouping, an exact tie rounded to even (Java's NumberFormat). toFixed gives the nearest, a tie
 * upward; the double's exact digits (toFixed far past them) tell a tie.
 */
export function formatDecimals(value: number, decimals: number): string {
  let fixed = value.toFixed(decimals);
  const exact = value.toFixed(Math.min(100, decimals + 30));
  if (/^50*$/.test(exact.slice(exact.length - 30)) && /[13579]$/.test(fixed.replace('.', ''))) {
    // A tie toFixed took away from zero to an odd digit: the even one is a unit toward zero.
    const unit = 10 ** -decimals;
    fixed = (value > 0 ? Number(fixed) - unit : Number(fixed) + unit).toFixed(decimals);
  }
  return String(Number(fixed));
}

/**
 * A number cell without a value (a line's area, a centroid in µm on a slide without a pixel size): QuPath's
 * table writes a numeric column's NaN as "NaN" (MeasurementBuilder's formatNumber, and
 * ObservableMeasurementTableData.getStringValue for a measurement list's), a text column's null as "".
 */
const NO_NUMBER = 'NaN';

/**
 * A value QuPath works out for its table (a centroid, an area, a density) as it writes one: fewer decimals
 * the larger it is (1 past 1000, 2 past 10, 3 past 1, else 4; MeasurementBuilder's formatNumber).
 */
function derived(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return NO_NUMBER;
  return formatDecimals(value, value > 1000 ? 1 : value > 10 ? 2 : value > 1 ? 3 : 4);
}

/** A value of an object's own measurements (a detection's), as QuPath writes them: at most 4 decimals. */
function measured(value: number): string {
  return Number.isNaN(value) ? NO_NUMBER : formatDecimals(value, 4);
}

/** A number as a spreadsheet reads one ("-1.5", "+2", "1e-3"): read as that number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A text cell: quoted where it holds the separator, a quote or a line break. One a spreadsheet would
 * run as a formula (=, +, -, @, a tab or a carriage return first: an imported file's names are not the
 * user's) starts with ', unless it is a plain number ("-1"), which no spreadsheet runs and QuPath's
 * scripts should read as written.
 */
function textCell(value: string, separator: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return safe.includes(separator) || /["\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One slide's rows of a table: its annotations, and QuPath's detections over it when they are loaded. */
export interface TableSlideRows {
  slide: TableSlide;
  doc: AnnotationDocument;
  detections?: DetectionSet | undefined;
}

/** The detections' classes represented (the unclassified are in none), in the order they first appear. */
function detectionClassNames(slides: readonly TableSlideRows[]): string[] {
  return [...new Set(slides.flatMap(({ detections }) => detections?.classes.flatMap((c) => (c.name === null ? [] : [c.name])) ?? []))];
}

/**
 * The slides' annotations, a row each, in QuPath's columns and order (ObservableMeasurementTableData):
 * where detections are loaded for a slide, its "Num Detections" and the columns QuPath derives from their
 * classes (classColumns: counts by class, Positive %, H-score, Allred, the Positive density), counted by
 * centroid as the editor and the command line count them (placeDetections, as countDetectionsIn). In µm
 * when any slide gives its pixel size (a slide without one then has its measurement cells NaN, not in
 * another unit), else in pixels. Sliced where detections are counted: between slices of their centroids
 * and after each annotation's count.
 */
export function* measurementTable(slides: readonly TableSlideRows[], separator: ',' | '\t'): Sliced<string> {
  const unit = slides.some(({ slide }) => slide.mpp) ? 'µm' : 'px';
  const counting = slides.some(({ detections }) => detections);
  const classes = counting ? classColumns(detectionClassNames(slides), unit === 'µm' ? 'mm' : 'px') : [];
  // As QuPath lists them: a shape column only where an annotation of the rows has that kind of ROI.
  const shapeColumns = new Set(slides.flatMap(({ doc }) => doc.annotations.map((a) => shapeColumnOf(a.shape.kind))));
  const header = [
    'Image',
    'Object ID',
    'Object type',
    'Name',
    'Classification',
    'Parent',
    'ROI',
    `Centroid X ${unit}`,
    `Centroid Y ${unit}`,
    ...(counting ? ['Num Detections', ...classes.map((c) => c.name)] : []),
    ...(shapeColumns.has('points') ? ['Num points'] : []),
    ...(shapeColumns.has('area') ? [`Area ${unit}^2`, `Perimeter ${unit}`] : []),
    ...(shapeColumns.has('length') ? [`Length ${unit}`] : []),
    'Description',
  ];
  const text = (value: string) => textCell(value, separator);
  function* slideRows({ slide, doc, detections }: TableSlideRows): Sliced<string[][]> {
    // Pixels as they are in a table in pixels; no measurements for a slide without µm in one in µm.
    const scale = unit === 'px' ? { x: 1, y: 1 } : slide.mpp;
    const mpp = unit === 'px' ? null : slide.mpp;
    const shapes = doc.annotations.map((a) => a.shape);
    const parents = yield* slicedAnnotationParents(shapes);
    yield;
    // Every annotation's counts in one pass over the detections, a slice at a time (a tissue outline holds them all).
    const placed = detections ? yield* placeDetections(detections, yield* slicedCentroids(detections), shapes) : null;
    const classCount = detections?.classes.length ?? 0;
    const classIndex = new Map(detections?.classes.map((c, i) => [c.name, i]));
    const rows: string[][] = [];
    for (const [index, a] of doc.annotations.entries()) {
      const m = measureShape(a.shape, mpp);
      const centroid = shapeCentroid(a.shape);
      const counts: string[] = [];
      if (counting && detections && placed) {
        // A line or points holds no detections: QuPath counts none (its children), 0.
        const inClass = (c: number) => placed.byClass[index * classCount + c]!;
        const of = (name: string) => {
          const c = classIndex.get(name);
          return c === undefined ? 0 : inClass(c);
        };
        // Per mm² of the area as QuPath's density: µm² / 10⁶; per px² without a pixel size.
        const area = unit === 'px' ? m.area : slide.mpp && m.area !== undefined ? m.area / 1e6 : undefined;
        const total = detections.classes.reduce((sum, _, c) => sum + inClass(c), 0);
        counts.push(String(total), ...classes.map((c) => derived(c.value({ of, area }))));
      } else if (counting) counts.push(NO_NUMBER, ...classes.map(() => NO_NUMBER));
      rows.push([
        text(slide.name),
        a.id,
        'Annotation',
        text(a.name),
        text(a.classification ?? ''),
        text(parentName(doc.annotations, parents[index]!)),
        roiName(a.shape),
        derived(scale ? centroid.x * scale.x : undefined),
        derived(scale ? centroid.y * scale.y : undefined),
        ...counts,
        ...(shapeColumns.has('points') ? [m.count === undefined ? NO_NUMBER : String(m.count)] : []),
        ...(shapeColumns.has('area') ? [derived(scale ? m.area : undefined), derived(scale ? m.perimeter : undefined)] : []),
        ...(shapeColumns.has('length') ? [derived(scale ? m.length : undefined)] : []),
        text(a.description),
      ]);
    }
    return rows;
  }
  const rows = [header.map(text)];
  for (const slide of slides) rows.push(...(yield* slideRows(slide)));
  return tableText(rows, separator);
}

/**
 * The rows as a file's text (or a part of it, `start` false past its first): CSV as RFC 4180 and Excel
 * write it (with a byte-order mark); TSV as QuPath does.
 */
function tableText(rows: readonly string[][], separator: ',' | '\t', start = true): string {
  if (rows.length === 0) return '';
  const lines = rows.map((cells) => cells.join(separator));
  return separator === ',' ? `${start ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n` : `${lines.join('\n')}\n`;
}

/** QuPath's names of its detection objects' types, as its tables write them. */
const DETECTION_TYPE_NAMES: Record<DetectionKind, string> = { cell: 'Cell', detection: 'Detection', tile: 'Tile' };

/**
 * Rows of a detection table made into text at a time (~1 MB, tens of ms): the heap never holds a row's
 * cells for every detection, and the thread answers between blocks (a lane silent 15 s is restarted).
 */
const ROWS_A_BLOCK = 4096;

/** A turn of the event loop, for what waits on it (the lane's watchdog, a cancel). */
export const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A slide's detections as QuPath's detection measurement table, as the file's UTF-8 bytes: a row each,
 * its object ID (where the file gave one), type, class, parent (the smallest of the slide's annotations
 * holding its centroid, or "Image"), ROI and centroid (µm where the slide gives its pixel size, else
 * pixels), then each measurement the file names, in its order (NaN where a detection has none), `turn`
 * awaited between slices of the work (the next turn of the event loop). Its
 * text a block of rows at a time: 100,000 detections of 40 measurements are 4.6 million strings, past a
 * lane's heap at once.
 */
export async function writeDetectionTable(
  slide: TableSlide,
  set: DetectionSet,
  annotations: readonly Annotation[],
  separator: ',' | '\t',
  turn: () => Promise<unknown> = nextTurn,
): Promise<Uint8Array> {
  const unit = slide.mpp ? 'µm' : 'px';
  const scale = slide.mpp ?? { x: 1, y: 1 };
  const text = (value: string) => textCell(value, separator);
  const header = [
    'Image',
    'Object ID',
    'Object type',
    'Classification',
    'Parent',
    'ROI',
    `Centroid X ${unit}`,
    `Centroid Y ${unit}`,
    ...set.measurementNames,
  ].map(text);
  const image = text(slide.name);
  const classes = set.classes.map((c) => text(c.name ?? ''));
  // Each pass over 2 million detections is seconds: the lane answers its watchdog between their slices.
  const xy = await finishTurning(slicedCentroids(set), turn);
  const { parents } = await finishTurning(
    placeDetections(
      set,
      xy,
      annotations.map((a) => a.shape),
    ),
    turn,
  );
  // A cell a parent, not a string a detection.
  const parentCells = [text(parentName(annotations, IMAGE_PARENT)), ...annotations.map((_, a) => text(parentName(annotations, a)))];
  const parentCell = (parent: number): string => parentCells[parent + 1]!;
  const row = (i: number): string[] => {
    const rings = set.outlines[2 * i + 1]!;
    const point = set.rings[2 * set.outlines[2 * i]! + 1] === 1;
    const cells = [
      image,
      detectionId(set, i),
      DETECTION_TYPE_NAMES[DETECTION_KINDS[set.kindOf[i]!]!],
      classes[set.classOf[i]!]!,
      parentCell(parents[i]!),
      point ? 'Points' : rings === 1 && set.holes[2 * i + 1] === 0 ? 'Polygon' : 'Geometry',
      derived(xy[2 * i]! * scale.x),
      derived(xy[2 * i + 1]! * scale.y),
    ];
    for (let m = 0; m < set.measurementNames.length; m++) cells.push(measured(set.measurements[m * set.count + i]!));
    return cells;
  };
  const blocks: Buffer[] = [];
  for (let first = -1; first < set.count; first += ROWS_A_BLOCK) {
    const rows: string[][] = [];
    for (let i = Math.max(first, 0); i < Math.min(first + ROWS_A_BLOCK, set.count); i++) rows.push(row(i));
    const lines = first < 0 ? [header, ...rows] : rows;
    blocks.push(Buffer.from(tableText(lines, separator, first < 0), 'utf8'));
    await turn();
  }
  return Buffer.concat(blocks);
}
