// Annotations drawn into exported images (the thumbnail, each magnification of a set and the 2x2
// comparison), for a report or a slide deck: outlines in their class's colour as an SVG composited
// with sharp over the pixels, and a legend of the classes drawn, its text from the bundled font so
// that it looks the same on every machine.

import sharp from 'sharp';
import { shapeBounds, shapePolygons } from '../../../shared/annotation-geometry';
import { type Annotation, type AnnotationDocument, classColor, rgbToCss, type Shape } from '../../../shared/annotations';
import type { LegendLabels } from '../../../shared/operations';
import type { RgbImage } from '../../../shared/slide';
import { copyRect, pixelCount, sharpFrom, toRaw } from '../pixels';
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

/** The annotations that fall in the image, each with its colour. */
function visible(doc: AnnotationDocument, view: ImageView, width: number, height: number): Annotation[] {
  const minX = view.x;
  const minY = view.y;
  const maxX = view.x + width / view.scaleX;
  const maxY = view.y + height / view.scaleY;
  return doc.annotations.filter((a) => {
    const box = shapeBounds(a.shape);
    return box.maxX >= minX && box.minX <= maxX && box.maxY >= minY && box.minY <= maxY;
  });
}

function overlaySvg(doc: AnnotationDocument, shown: readonly Annotation[], view: ImageView, width: number, height: number): string {
  const byColor = new Map<string, { outlines: string[]; dots: string[] }>();
  for (const a of shown) {
    const color = rgbToCss(classColor(doc.classes, a.classification));
    let group = byColor.get(color);
    if (!group) {
      group = { outlines: [], dots: [] };
      byColor.set(color, group);
    }
    if (a.shape.kind === 'point') {
      for (let i = 0; i < a.shape.points.length; i += 2) {
        const cx = ((a.shape.points[i]! - view.x) * view.scaleX).toFixed(2);
        const cy = ((a.shape.points[i + 1]! - view.y) * view.scaleY).toFixed(2);
        group.dots.push(`<circle cx="${cx}" cy="${cy}" r="${POINT_RADIUS}"/>`);
      }
    } else {
      group.outlines.push(pathData(a.shape, view));
    }
  }
  const layers = [...byColor].map(
    ([color, g]) =>
      `<path d="${g.outlines.join('')}" fill="none" stroke="${color}" stroke-width="${STROKE_WIDTH}" stroke-linejoin="round" fill-rule="evenodd"/>` +
      `<g fill="${color}" stroke="#ffffff" stroke-width="1">${g.dots.join('')}</g>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${layers.join('')}</svg>`;
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

/** Draws the annotations that fall in an image of the slide; answers the image and the classes drawn (null: unclassified). */
export async function burnAnnotations(image: RgbImage, doc: AnnotationDocument, view: ImageView): Promise<{ image: RgbImage; drawn: Set<string | null> }> {
  const shown = visible(doc, view, image.width, image.height);
  const drawn = new Set(shown.map((a) => a.classification));
  if (shown.length === 0) return { image, drawn };
  const svg = Buffer.from(overlaySvg(doc, shown, view, image.width, image.height));
  return {
    image: await toRaw(
      sharpFrom(image)
        // The overlay is the image's size: as large as the image sharp was given.
        .composite([{ input: svg, left: 0, top: 0, limitInputPixels: pixelCount(image) }])
        .removeAlpha(),
    ),
    drawn,
  };
}

/**
 * The legend in the image's bottom-left corner, or where it does not fit there (a small thumbnail),
 * in a band below it: a legend asked for is never left out.
 */
export async function withLegend(image: RgbImage, legend: Rgba | null): Promise<RgbImage> {
  if (!legend) return image;
  if (legend.width + 2 * LEGEND_PAD > image.width || legend.height + 2 * LEGEND_PAD > image.height) return withLegendBelow(image, legend);
  return toRaw(
    sharpFrom(image)
      .composite([
        {
          input: legend.data,
          raw: { width: legend.width, height: legend.height, channels: 4 },
          left: LEGEND_PAD,
          top: image.height - legend.height - LEGEND_PAD,
        },
      ])
      .removeAlpha(),
  );
}

/** The image with a band below it holding the legend (the 2x2 comparison's: one legend for four panels). */
export async function withLegendBelow(image: RgbImage, legend: Rgba | null): Promise<RgbImage> {
  if (!legend) return image;
  const width = Math.max(image.width, legend.width + 2 * LEGEND_PAD);
  const height = image.height + legend.height + 2 * LEGEND_PAD;
  const canvas: RgbImage = { data: new Uint8Array(width * height * 3).fill(255), width, height, channels: 3 };
  copyRect(image, 0, 0, image.width, image.height, canvas, 0, 0);
  return toRaw(
    sharpFrom(canvas)
      .composite([{ input: legend.data, raw: { width: legend.width, height: legend.height, channels: 4 }, left: LEGEND_PAD, top: image.height + LEGEND_PAD }])
      .removeAlpha(),
  );
}
