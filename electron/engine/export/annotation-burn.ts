// Annotations drawn into exported images (the thumbnail, each magnification of a set and the 2x2
// comparison), for a report or a slide deck: outlines in their class's colour as an SVG composited
// with sharp over the pixels, and a legend of the classes drawn, its text from the bundled font so
// that it looks the same on every machine.

import sharp from 'sharp';
import { shapeBounds, shapePolygons } from '../../../shared/annotation-geometry';
import { type Annotation, type AnnotationDocument, classColor, rgbToCss, type Shape } from '../../../shared/annotations';
import type { LegendLabels } from '../../../shared/operations';
import type { RgbImage } from '../../../shared/slide';
import { compositeInPlace, drawable } from '../pixels';
import { renderText } from './panel-label';

/** Where an image shows the slide: output pixel = (level-0 coordinate - origin) x scale. */
export interface ImageView {
  x: number;
  y: number;
  scaleX: number;
  scaleY: number;
}

const STROKE_WIDTH = 3;
const POINT_RADIUS = 4;
const LEGEND_FONT_PX = 14;
const LEGEND_ROW = 22;
const LEGEND_PAD = 8;
const SWATCH = 14;

/** SVG path data of a shape in output pixels, to a hundredth of a pixel. */
function pathData(shape: Shape, view: ImageView): string {
  const x = (value: number) => ((value - view.x) * view.scaleX).toFixed(2);
  const y = (value: number) => ((value - view.y) * view.scaleY).toFixed(2);
  const ring = (points: readonly number[], close: boolean): string => {
    const parts = [`M${x(points[0]!)} ${y(points[1]!)}`];
    for (let i = 2; i < points.length; i += 2) parts.push(`L${x(points[i]!)} ${y(points[i + 1]!)}`);
    return parts.join('') + (close ? 'Z' : '');
  };
  if (shape.kind === 'line') return ring(shape.points, false);
  return shapePolygons(shape)
    .flatMap((rings) => rings.map((r) => ring(r, true)))
    .join('');
}

/** An annotation's box on the image (output pixels), its stroke or dot included. */
function outputBounds(a: Annotation, view: ImageView): { minY: number; maxY: number; minX: number; maxX: number } {
  const box = shapeBounds(a.shape);
  const margin = POINT_RADIUS + STROKE_WIDTH;
  const [x0, x1] = [(box.minX - view.x) * view.scaleX, (box.maxX - view.x) * view.scaleX];
  const [y0, y1] = [(box.minY - view.y) * view.scaleY, (box.maxY - view.y) * view.scaleY];
  return { minX: Math.min(x0, x1) - margin, maxX: Math.max(x0, x1) + margin, minY: Math.min(y0, y1) - margin, maxY: Math.max(y0, y1) + margin };
}

/** What an annotation adds to the overlay: its colour and its SVG in the image's output pixels. */
interface Drawn {
  color: string;
  minY: number;
  maxY: number;
  /** Outline path data (lines and shapes) or circles (points). */
  outline: string;
  dots: string;
}

function drawnOf(doc: AnnotationDocument, a: Annotation, view: ImageView): Drawn {
  const { minY, maxY } = outputBounds(a, view);
  const color = rgbToCss(classColor(doc.classes, a.classification));
  if (a.shape.kind !== 'point') return { color, minY, maxY, outline: pathData(a.shape, view), dots: '' };
  const dots: string[] = [];
  for (let i = 0; i < a.shape.points.length; i += 2) {
    const cx = ((a.shape.points[i]! - view.x) * view.scaleX).toFixed(2);
    const cy = ((a.shape.points[i + 1]! - view.y) * view.scaleY).toFixed(2);
    dots.push(`<circle cx="${cx}" cy="${cy}" r="${POINT_RADIUS}"/>`);
  }
  return { color, minY, maxY, outline: '', dots: dots.join('') };
}

/** The overlay of the rows from `top`, `height` high: the drawings that reach them, moved up by `top`. */
function bandSvg(drawn: readonly Drawn[], width: number, top: number, height: number): string | null {
  // A layer a colour, in the order of the whole image's first drawing of each: every band overlaps them alike.
  const byColor = new Map(drawn.map((d) => [d.color, { outlines: [] as string[], dots: [] as string[] }]));
  let any = false;
  for (const d of drawn) {
    if (d.maxY < top || d.minY > top + height) continue;
    const group = byColor.get(d.color)!;
    if (d.outline) group.outlines.push(d.outline);
    if (d.dots) group.dots.push(d.dots);
    any = true;
  }
  if (!any) return null;
  const layers = [...byColor]
    .filter(([, g]) => g.outlines.length + g.dots.length > 0)
    .map(
      ([color, g]) =>
        `<path d="${g.outlines.join('')}" fill="none" stroke="${color}" stroke-width="${STROKE_WIDTH}" stroke-linejoin="round" fill-rule="evenodd"/>` +
        `<g fill="${color}" stroke="#ffffff" stroke-width="1">${g.dots.join('')}</g>`,
    );
  // Moved by whole pixels: each band's pixels come out as the whole image's would.
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><g transform="translate(0 ${-top})">${layers.join('')}</g></svg>`;
}

/** A row of a legend: a class's name and its colour. */
export interface LegendEntry {
  name: string;
  color: string;
}

/** The legend's rows: the classes drawn, in the document's order, unclassified last, named as `labels` say (else as stored). */
export function annotationLegendEntries(doc: AnnotationDocument, drawn: ReadonlySet<string | null>, labels: LegendLabels | undefined): LegendEntry[] {
  const said = new Map(labels?.classes.map((c) => [c.name, c.label]));
  const rows = doc.classes.filter((c) => drawn.has(c.name)).map((c) => ({ name: said.get(c.name) ?? c.name, color: rgbToCss(c.color) }));
  if (drawn.has(null)) rows.push({ name: labels?.unclassified ?? 'Unclassified', color: rgbToCss(classColor(doc.classes, null)) });
  return rows;
}

export interface Rgba {
  data: Buffer;
  width: number;
  height: number;
}

/** A legend box: a swatch and a name a row, dark text on white. */
export async function renderLegend(entries: readonly LegendEntry[]): Promise<Rgba> {
  const texts = await Promise.all(entries.map((entry) => renderText(entry.name, LEGEND_FONT_PX)));
  const textWidth = Math.max(...texts.map((t) => t.info.width));
  const width = LEGEND_PAD * 3 + SWATCH + textWidth;
  const height = LEGEND_PAD * 2 + entries.length * LEGEND_ROW;
  const swatches = entries
    .map(
      (entry, i) =>
        `<rect x="${LEGEND_PAD}" y="${LEGEND_PAD + i * LEGEND_ROW + (LEGEND_ROW - SWATCH) / 2}" width="${SWATCH}" height="${SWATCH}" fill="${entry.color}" stroke="#1f2328" stroke-width="1"/>`,
    )
    .join('');
  const box = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="4" fill="#ffffff" fill-opacity="0.9" stroke="#9aa3ae"/>${swatches}</svg>`;
  const { data } = await sharp(Buffer.from(box))
    .composite(
      texts.map((t, i) => ({
        input: t.data,
        raw: { width: t.info.width, height: t.info.height, channels: 4 as const },
        left: LEGEND_PAD * 2 + SWATCH,
        top: Math.round(LEGEND_PAD + i * LEGEND_ROW + (LEGEND_ROW - t.info.height) / 2),
      })),
    )
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width, height };
}

/** Pixels of the image drawn over at a time: the SVG's raster and libvips' copy of the band are this size, not the image's. */
const BAND_PIXELS = 16 * 2 ** 20;

export interface BurnAnnotationsOptions {
  /** Draws into the image's own pixels (the caller's alone), else into a copy of them. */
  inPlace?: boolean | undefined;
  /** Pixels a band holds (tests). */
  bandPixels?: number | undefined;
}

/**
 * Draws the annotations that fall in an image of the slide, a band of rows at a time; answers the
 * image and the classes drawn (null: unclassified).
 */
export async function burnAnnotations(
  image: RgbImage,
  doc: AnnotationDocument,
  view: ImageView,
  { inPlace = false, bandPixels = BAND_PIXELS }: BurnAnnotationsOptions = {},
): Promise<{ image: RgbImage; drawn: Set<string | null> }> {
  const { width, height } = image;
  const shown = doc.annotations.filter((a) => {
    const box = outputBounds(a, view);
    return box.maxX >= 0 && box.minX <= width && box.maxY >= 0 && box.minY <= height;
  });
  const drawn = new Set(shown.map((a) => a.classification));
  if (shown.length === 0) return { image, drawn };
  const out = drawable(image, inPlace);
  const drawings = shown.map((a) => drawnOf(doc, a, view));
  const rows = Math.max(1, Math.floor(bandPixels / width));
  for (let top = 0; top < height; top += rows) {
    const bandHeight = Math.min(rows, height - top);
    const svg = bandSvg(drawings, width, top, bandHeight);
    if (svg) await compositeInPlace(out, { input: Buffer.from(svg), left: 0, top, width, height: bandHeight });
  }
  return { image: out, drawn };
}

/** Whether the legend fits in the image's bottom-left corner, with its margin. */
export function legendFits(image: { width: number; height: number }, legend: Rgba): boolean {
  return legend.width + 2 * LEGEND_PAD <= image.width && legend.height + 2 * LEGEND_PAD <= image.height;
}

/** An image with a band below it holding its legend: the whole's size, and where the legend lies in it. */
export function legendBand(image: { width: number; height: number }, legend: Rgba): { width: number; height: number; left: number; top: number } {
  return {
    width: Math.max(image.width, legend.width + 2 * LEGEND_PAD),
    height: image.height + legend.height + 2 * LEGEND_PAD,
    left: LEGEND_PAD,
    top: image.height + LEGEND_PAD,
  };
}

/**
 * The legend in the image's bottom-left corner, which it must fit (legendFits). `inPlace`: drawn into
 * the image's own pixels (the caller's alone), else into a copy.
 */
export async function withLegend(image: RgbImage, legend: Rgba | null, inPlace = false): Promise<RgbImage> {
  if (!legend) return image;
  const out = drawable(image, inPlace);
  await compositeInPlace(out, {
    input: legend.data,
    raw: { width: legend.width, height: legend.height, channels: 4 },
    left: LEGEND_PAD,
    top: image.height - legend.height - LEGEND_PAD,
    width: legend.width,
    height: legend.height,
  });
  return out;
}

/**
 * Where a legend asked for goes: in the image's bottom-left corner, or, `below` (a scale bar holds the
 * corner) or where it does not fit there (a small thumbnail), in a band below the image that the
 * encoder adds (encodeImage's `legendBelow`): never left out, and the image never copied for it.
 */
export async function placeLegend(
  image: RgbImage,
  legend: Rgba | null,
  { inPlace = false, below = false }: { inPlace?: boolean; below?: boolean } = {},
): Promise<{ image: RgbImage; legendBelow: Rgba | null }> {
  if (legend && (below || !legendFits(image, legend))) return { image, legendBelow: legend };
  return { image: await withLegend(image, legend, inPlace), legendBelow: null };
}
