// A slide's annotations as a measurement table, one row each, with QuPath's column names ("Centroid X
// µm", "Area µm^2", …) so that scripts written for QuPath's exported measurements read it as they are.
// Comma-separated with a byte-order mark for a .csv (Excel then shows Hangul names), tab-separated
// without one for a .tsv or .txt (as QuPath writes it, for R's read.delim and pandas).

import { extname } from 'node:path';
import { measureShape, shapeCentroid } from '../../shared/annotation-geometry';
import type { Annotation, AnnotationDocument, Shape } from '../../shared/annotations';
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
  const lines = [header.map(text), ...rows].map((cells) => cells.join(separator));
  // CSV as RFC 4180 and Excel write it; TSV as QuPath does.
  return separator === ',' ? `\uFEFF${lines.join('\r\n')}\r\n` : `${lines.join('\n')}\n`;
}
