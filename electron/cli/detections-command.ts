// `slidescope annotations SLIDE --detections FILE`: what QuPath's export of a slide's detections
// holds, without QuPath: a count by kind and class, and in each of the slide's stored annotations (by
// their centroids, as QuPath counts them), or (--export) its detection measurement table, or (--rows
// annotations) the annotation measurement table with the detections counted in each.

import { basename, resolve } from 'node:path';
import { countDetectionsIn, detectionCentroids } from '../../shared/detection-counts';
import { DETECTION_KINDS } from '../../shared/detections';
import type { Result } from '../../shared/errors';
import { readDetectionFile, writeAnnotationFile, writeDetectionTableFile } from '../annotations/annotation-files';
import type { AnnotationStore } from '../annotations/annotation-store';
import { type Engine, withSlide } from './commands';

/** What a row of the exported table is: a detection (QuPath's detection measurements) or an annotation (its, with the detections counted in it). */
export const TABLE_ROWS = ['detections', 'annotations'] as const;
export type TableRows = (typeof TABLE_ROWS)[number];

export interface DetectionsOptions {
  file: string;
  exportFile?: string | undefined;
  rows: TableRows;
  overwrite: boolean;
  json: boolean;
}

const percent = (part: number, whole: number) => `${whole > 0 ? ((100 * part) / whole).toFixed(1) : '0.0'}%`;

/** Runs the command on one slide; what it did goes to stdout. */
export async function runDetections(engine: Engine, store: AnnotationStore, slide: string, options: DetectionsOptions): Promise<Result<string>> {
  const file = resolve(options.file);
  // The file first: a bad one is refused, naming it, before the slide is opened.
  const set = await readDetectionFile(file);
  return withSlide(engine, resolve(slide), async (_slideId, info) => {
    // Read only: a count or a table never moves a slide's unreadable file aside.
    const { document } = await store.load(resolve(slide), true);
    if (options.exportFile) {
      const table = resolve(options.exportFile);
      const tableSlide = { name: basename(info.path), mpp: info.mpp };
      if (options.rows === 'annotations') await writeAnnotationFile(table, document, 'csv', tableSlide, options.overwrite, set);
      else await writeDetectionTableFile(table, tableSlide, set, document.annotations, options.overwrite);
      return { ok: true, value: table };
    }
    const kinds = DETECTION_KINDS.filter((kind) => set.kinds[kind] > 0);
    const centroids = detectionCentroids(set);
    const regions = document.annotations.flatMap((a) => {
      const counted = countDetectionsIn(set, centroids, a.shape, info.mpp);
      return counted ? [{ annotation: a, counted }] : [];
    });
    const perMm2 = (n: number, area: number | null) => (area ? Math.round((n / area) * 10) / 10 : null);
    if (options.json) {
      const classes = set.classes.map((c) => ({ name: c.name, count: c.count }));
      const annotations = regions.map(({ annotation, counted }) => ({
        id: annotation.id,
        name: annotation.name,
        classification: annotation.classification,
        detections: counted.total,
        classes: set.classes.map((c, i) => ({ name: c.name, count: counted.byClass[i]! })).filter((c) => c.count > 0),
        areaMm2: counted.areaMm2,
        perMm2: perMm2(counted.total, counted.areaMm2),
      }));
      return {
        ok: true,
        value: JSON.stringify(
          { file, detections: set.count, kinds: set.kinds, classes, measurements: set.measurementNames, leftOut: set.leftOut, annotations },
          null,
          2,
        ),
      };
    }
    const lines = [
      `${basename(file)} over ${info.name}: ${set.count} detections (${kinds.map((kind) => `${set.kinds[kind]} ${kind}${set.kinds[kind] === 1 ? '' : 's'}`).join(', ') || 'none'})`,
      ...set.classes.map((c) => `  ${(c.name ?? 'Unclassified').padEnd(24)} ${String(c.count).padStart(8)}  ${percent(c.count, set.count).padStart(6)}`),
    ];
    if (set.measurementNames.length > 0)
      lines.push(`  ${set.measurementNames.length} measurements: --export FILE.csv (or .tsv) writes them, a row a detection`);
    if (set.leftOut > 0) lines.push(`  ${set.leftOut} other feature${set.leftOut === 1 ? '' : 's'} (annotations, TMA cores, empty) left out`);
    if (regions.length > 0) lines.push(`In ${info.name}'s annotations (a detection in the one that holds its centroid):`);
    for (const { annotation, counted } of regions) {
      const name = annotation.name || (annotation.classification ? `[${annotation.classification}]` : `(${annotation.shape.kind})`);
      const byClass = set.classes.flatMap((c, i) => (counted.byClass[i]! > 0 ? [`${c.name ?? 'Unclassified'} ${counted.byClass[i]}`] : [])).join(', ');
      const density = perMm2(counted.total, counted.areaMm2);
      lines.push(
        `  ${name.padEnd(24)} ${String(counted.total).padStart(8)}${byClass ? `  ${byClass}` : ''}${density !== null ? `  (${density} per mm²)` : ''}`,
      );
    }
    return { ok: true, value: lines.join('\n') };
  });
}
