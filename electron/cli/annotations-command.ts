// `slidescope annotations SLIDE`: what the app keeps of a slide's annotations, from the command line
// and through the same store (beside the slide, or the app's data folder): a summary by class, an
// import of a GeoJSON or ImageScope file into them, an export of them as either.

import { randomUUID } from 'node:crypto';
import { basename, dirname, extname, relative, resolve, sep } from 'node:path';
import { formatArea, measureShape } from '../../shared/annotation-geometry';
import {
  ANNOTATION_FORMATS,
  type AnnotationDocument,
  AnnotationFileError,
  type AnnotationFormat,
  checkDocument,
  mergeDocuments,
} from '../../shared/annotations';
import { type ErrorInfo, type Result, toErrorInfo } from '../../shared/errors';
import type { SlideInfo } from '../../shared/slide';
import { readAnnotationImport, writeAnnotationFile, writeTableFile } from '../annotations/annotation-files';
import type { AnnotationStore } from '../annotations/annotation-store';
import type { TableSlideRows } from '../annotations/measurement-table';
import { type Engine, withSlide } from './commands';
import { commonFolder } from './inputs';
import { UsageError } from './usage-error';

export interface AnnotationsOptions {
  importFile?: string | undefined;
  exportFile?: string | undefined;
  format?: string | undefined;
  overwrite: boolean;
  json: boolean;
}

/** The export file's extension's format, where it has one of its own. */
const FORMAT_OF_EXTENSION: Record<string, AnnotationFormat> = { '.xml': 'imagescope', '.csv': 'csv', '.tsv': 'csv', '.txt': 'csv' };

/** --format, or the export file's extension: .xml is ImageScope, .csv/.tsv/.txt a measurement table, anything else GeoJSON. */
export function annotationFormat(format: string | undefined, file: string): AnnotationFormat {
  const f = (format ?? FORMAT_OF_EXTENSION[extname(file).toLowerCase()] ?? 'geojson').toLowerCase();
  const known = ANNOTATION_FORMATS.find((name) => name === f);
  if (known) return known;
  throw new UsageError(`--format must be ${ANNOTATION_FORMATS.join(', ')} (got "${format}").`);
}

interface ClassLine {
  name: string | null;
  count: number;
  area: number;
}

function byClass(doc: AnnotationDocument, info: SlideInfo): ClassLine[] {
  const lines = new Map<string | null, ClassLine>();
  for (const a of doc.annotations) {
    const line = lines.get(a.classification) ?? { name: a.classification, count: 0, area: 0 };
    lines.set(a.classification, line);
    const m = measureShape(a.shape, info.mpp);
    line.count += m.count ?? 1;
    line.area += m.area ?? 0;
  }
  return [...lines.values()];
}

/** Runs the command on one slide; what it did goes to stdout (or a warning to stderr). */
export async function runAnnotations(engine: Engine, store: AnnotationStore, slide: string, options: AnnotationsOptions): Promise<Result<string>> {
  const path = resolve(slide);
  return withSlide(engine, path, async (_slideId, info) => {
    const out: string[] = [];
    // Read first: a file that cannot be imported must not have set the stored one aside.
    const importPath = options.importFile ? resolve(options.importFile) : null;
    const read = importPath ? await readAnnotationImport(importPath) : null;
    if (read?.skipped) {
      const n = read.skipped;
      const them = n === 1 ? 'has no geometry (empty or null) and was' : 'have no geometry (empty or null) and were';
      process.stderr.write(`slidescope: ${n} feature${n === 1 ? '' : 's'} of ${importPath} ${them} skipped\n`);
    }
    const imported = read?.document ?? null;
    // Only an import saves: a listing or an export leaves an unreadable file where it is, and fails.
    let loaded = await store.load(path, imported === null);
    if (loaded.unreadable) {
      const { message, keptAs } = loaded.unreadable;
      process.stderr.write(`slidescope: ${message}${keptAs ? ` (kept as ${keptAs})` : ''}\n`);
    }
    if (options.importFile && imported) {
      const file = resolve(options.importFile);
      const merged = mergeDocuments(loaded.document, imported, randomUUID);
      const held = imported.annotations.length - (merged.annotations.length - loaded.document.annotations.length);
      const added = imported.annotations.length - held;
      const counted = (n: number) => `${n} annotation${n === 1 ? '' : 's'}`;
      // Nothing new (the same file again): the stored file is left as it is.
      if (added === 0 && merged.classes.length === loaded.document.classes.length) {
        out.push(
          `Nothing new in ${file}: its ${counted(held)} ${held === 1 ? 'is' : 'are'} there already; ${info.name} has ${counted(loaded.document.annotations.length)}`,
        );
      } else {
        // Checked before anything is saved: two files within the limits may pass them together.
        const checked = checkDocument(merged);
        if (!checked.ok) {
          const { code, message } = checked.problem;
          throw new AnnotationFileError(
            code,
            `Nothing was imported from ${file}: with the ${counted(loaded.document.annotations.length)} ${info.name} has, ${message}.`,
            file,
          );
        }
        const location = await store.save(path, checked.document);
        loaded = await store.load(path);
        out.push(
          `${counted(added)} imported from ${file}${held ? ` (${held} already there)` : ''}; ${info.name} has ${loaded.document.annotations.length}, saved in ${location.path}`,
        );
      }
      if (read?.leftOut)
        out.push(`${read.leftOut} QuPath detection${read.leftOut === 1 ? '' : 's'} (cells, tiles, TMA cores) left out: only annotations are imported`);
    }
    if (options.exportFile) {
      const file = resolve(options.exportFile);
      await writeAnnotationFile(file, loaded.document, annotationFormat(options.format, file), { name: basename(path), mpp: info.mpp }, options.overwrite);
      out.push(file);
    }
    if (!options.importFile && !options.exportFile) {
      const lines = byClass(loaded.document, info);
      const unit = info.mpp ? 'µm' : 'px';
      if (options.json) {
        const classes = lines.map((l) => ({ name: l.name, count: l.count, area: l.area, unit: `${unit}²` }));
        out.push(JSON.stringify({ location: loaded.location, annotations: loaded.document.annotations.length, classes }, null, 2));
      } else {
        out.push(`${info.name}: ${loaded.document.annotations.length} annotations${loaded.location ? `, in ${loaded.location.path}` : ' (none stored)'}`);
        for (const l of lines)
          out.push(`  ${(l.name ?? 'Unclassified').padEnd(20)} ${String(l.count).padStart(6)}  ${l.area > 0 ? formatArea(l.area, unit) : ''}`);
        if (!info.mpp) out.push('  (the slide records no pixel size: areas are in pixels)');
      }
    }
    return { ok: true, value: out.join('\n') };
  });
}

/**
 * Several slides' stored annotations as one measurement table (the cohort's areas in one file). Each
 * slide is named relative to their common folder ('/'-separated), so two of one name stay apart. A
 * slide that cannot be opened, or whose stored file cannot be read, is told and left out: what was
 * written, and what failed.
 */
export async function runAnnotationsTable(
  engine: Engine,
  store: AnnotationStore,
  slides: readonly string[],
  file: string,
  overwrite: boolean,
): Promise<{ written: string; failed: ErrorInfo[] }> {
  const paths = slides.map((s) => resolve(s));
  const common = commonFolder(paths.map((p) => dirname(p)));
  const nameOf = (path: string) => (common === null ? path : relative(common, path).split(sep).join('/'));
  const rows: TableSlideRows[] = [];
  const failed: ErrorInfo[] = [];
  const unscaled: string[] = [];
  for (const path of paths) {
    const read = await withSlide(engine, path, async (_slideId, info) => {
      try {
        // Read only: a table never moves a slide's unreadable file aside.
        return { ok: true, value: { info, document: (await store.load(path, true)).document } };
      } catch (error) {
        return { ok: false, error: toErrorInfo(error, path) };
      }
    });
    if (!read.ok) {
      failed.push(read.error);
      continue;
    }
    if (!read.value.info.mpp) unscaled.push(nameOf(path));
    rows.push({ slide: { name: nameOf(path), mpp: read.value.info.mpp }, doc: read.value.document });
  }
  const target = resolve(file);
  await writeTableFile(target, rows, overwrite);
  const count = rows.reduce((n, r) => n + r.doc.annotations.length, 0);
  const scaled = rows.length - unscaled.length;
  const note =
    unscaled.length > 0 && scaled > 0
      ? `; ${unscaled.length} slide(s) give no pixel size, such as ${unscaled[0]}: their measurement cells are NaN (the table is in µm)`
      : '';
  return { written: `${target}: ${count} annotation(s) of ${rows.length} slide(s)${note}`, failed };
}
