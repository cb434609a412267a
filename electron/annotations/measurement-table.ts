// A slide's annotations as a measurement table, one row each, with QuPath's column names ("Centroid X
// µm", "Area µm^2", …) so that scripts written for QuPath's exported measurements read it as they are.
// Comma-separated with a byte-order mark for a .csv (Excel then shows Hangul names), tab-separated
// without one for a .tsv or .txt (as QuPath writes it, for R's read.delim and pandas).

import { extname } from 'node:path';
import { measureShape, shapeCentroid } from '../../shared/annotation-geometry';
import type { Annotation, AnnotationDocument, Shape } from '../../shared/annotations';
import { detectionCentroid } from '../../shared/detection-counts';
import { DETECTION_KINDS, type DetectionKind, type DetectionSet } from '../../shared/detections';
import type { Mpp } from '../../shared/slide';

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

/** Up to 4 decimals, no trailing zeros: µm to 0.1 nm, µm² to 1e-4. */
function number(value: number | undefined): string {
  return value === undefined ? '' : String(Number(value.toFixed(4)));
}

/**
 * A text cell: quoted where it holds the separator, a quote or a line break; one a spreadsheet
 * would run as a formula (=, +, -, @ first: an imported file's names are not the user's) starts with '.
 */
function textCell(value: string, separator: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes(separator) || /["\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One slide's rows of a table. */
export interface TableSlideRows {
  slide: TableSlide;
  doc: AnnotationDocument;
}

/**
 * The slides' annotations, a row each. In µm when any slide gives its pixel size (a slide without one
 * then has its measurement cells empty, not in another unit), else in pixels.
 */
export function writeMeasurementTable(slides: readonly TableSlideRows[], separator: ',' | '\t'): string {
  const unit = slides.some(({ slide }) => slide.mpp) ? 'µm' : 'px';
  const header = [
    'Image',
    'Object ID',
    'Object type',
    'Name',
    'Classification',
    'ROI',
    `Centroid X ${unit}`,
    `Centroid Y ${unit}`,
    `Length ${unit}`,
    `Area ${unit}^2`,
    `Perimeter ${unit}`,
    'Num points',
    'Description',
  ];
  const text = (value: string) => textCell(value, separator);
  const row = (slide: TableSlide, a: Annotation): string[] => {
    // Pixels as they are in a table in pixels; no measurements for a slide without µm in one in µm.
    const scale = unit === 'px' ? { x: 1, y: 1 } : slide.mpp;
    const m = measureShape(a.shape, unit === 'px' ? null : slide.mpp);
    const centroid = shapeCentroid(a.shape);
    return [
      text(slide.name),
      a.id,
      'Annotation',
      text(a.name),
      text(a.classification ?? ''),
      roiName(a.shape),
      scale ? number(centroid.x * scale.x) : '',
      scale ? number(centroid.y * scale.y) : '',
      scale ? number(m.length) : '',
      scale ? number(m.area) : '',
      scale ? number(m.perimeter) : '',
      m.count === undefined ? '' : String(m.count),
      text(a.description),
    ];
  };
  const rows = slides.flatMap(({ slide, doc }) => doc.annotations.map((a) => row(slide, a)));
  return tableText([header.map(text), ...rows], separator);
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

/**
 * A slide's detections as QuPath's detection measurement table, as the file's UTF-8 bytes: a row each,
 * its type, class, ROI and centroid (µm where the slide gives its pixel size, else pixels), then each
 * measurement the file names, in its order (empty where a detection has none). Its text a block of rows
 * at a time: 100,000 detections of 40 measurements are 4.6 million strings, past a lane's heap at once.
 */
export async function writeDetectionTable(slide: TableSlide, set: DetectionSet, separator: ',' | '\t'): Promise<Uint8Array> {
  const unit = slide.mpp ? 'µm' : 'px';
  const scale = slide.mpp ?? { x: 1, y: 1 };
  const text = (value: string) => textCell(value, separator);
  const header = ['Image', 'Object type', 'Classification', 'ROI', `Centroid X ${unit}`, `Centroid Y ${unit}`, ...set.measurementNames].map(text);
  const image = text(slide.name);
  const classes = set.classes.map((c) => text(c.name ?? ''));
  const row = (i: number): string[] => {
    const centroid = detectionCentroid(set, i);
    const rings = set.outlines[2 * i + 1]!;
    const point = set.rings[2 * set.outlines[2 * i]! + 1] === 1;
    const cells = [
      image,
      DETECTION_TYPE_NAMES[DETECTION_KINDS[set.kindOf[i]!]!],
      classes[set.classOf[i]!]!,
      point ? 'Points' : rings === 1 && set.holes[2 * i + 1] === 0 ? 'Polygon' : 'Geometry',
      number(centroid.x * scale.x),
      number(centroid.y * scale.y),
    ];
    for (let m = 0; m < set.measurementNames.length; m++) {
      const value = set.measurements[m * set.count + i]!;
      cells.push(Number.isNaN(value) ? '' : number(value));
    }
    return cells;
  };
  const blocks: Buffer[] = [];
  for (let first = -1; first < set.count; first += ROWS_A_BLOCK) {
    const rows: string[][] = [];
    for (let i = Math.max(first, 0); i < Math.min(first + ROWS_A_BLOCK, set.count); i++) rows.push(row(i));
    const lines = first < 0 ? [header, ...rows] : rows;
    blocks.push(Buffer.from(tableText(lines, separator, first < 0), 'utf8'));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Buffer.concat(blocks);
}
