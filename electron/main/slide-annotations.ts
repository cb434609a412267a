// The main process's side of a slide's annotations (annotations:* of the operation table): loading and
// saving them in the store (beside the slide, or in the app's data folder), importing a file the user
// picks and exporting to one. Dialogs are injected, so the unit tests and the e2e host run this code
// with stubs.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AnnotationDocument, AnnotationFormat, AnnotationLocation, ImportedAnnotations, SlideAnnotations } from '../../shared/annotations';
import { ok, type Result, toErrorInfo } from '../../shared/errors';
import { slideStem } from '../../shared/export-plan';
import type { ExportResult } from '../../shared/operations';
import { readAnnotationImport, writeAnnotationFile } from '../annotations/annotation-files';
import type { AnnotationStore } from '../annotations/annotation-store';
import type { AnnotationAccess, ExportTarget, OwnedSlide } from './ipc-handlers';

/** The native parts, per requesting window. null: the user cancelled. */
export interface AnnotationDialogs {
  /** An open dialog for GeoJSON and ImageScope XML files, starting in the slide's folder. */
  chooseImportFile(senderId: number, defaultFolder: string): Promise<string | null>;
  /** An open dialog for QuPath's GeoJSON (zipped or gzipped too), whose detections are shown over the slide. */
  chooseDetectionsFile(senderId: number, defaultFolder: string): Promise<string | null>;
  /** A save dialog (it confirms replacing an existing file itself). */
  chooseExportPath(senderId: number, defaultPath: string, format: AnnotationFormat): Promise<string | null>;
}

/** What an export is called by default: `<slide>.geojson`, `<slide>.xml` (the name ImageScope opens beside a slide), `<slide>_measurements.csv`. */
export const ANNOTATION_FILE_ENDINGS: Record<AnnotationFormat, string> = { geojson: '.geojson', imagescope: '.xml', csv: '_measurements.csv' };

async function attempt<T>(work: () => Promise<T>, path?: string): Promise<Result<T>> {
  try {
    return ok(await work());
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, path) };
  }
}

export class SlideAnnotationFiles implements AnnotationAccess {
  private readonly detectionFiles = new Map<string, string>();

  constructor(
    private readonly store: AnnotationStore,
    private readonly dialogs: AnnotationDialogs,
    private readonly exists: (path: string) => boolean = existsSync,
  ) {}

  load(slide: OwnedSlide): Promise<Result<SlideAnnotations>> {
    return attempt(() => this.store.load(slide.path), slide.path);
  }

  save(slide: OwnedSlide, document: AnnotationDocument): Promise<Result<AnnotationLocation>> {
    return attempt(() => this.store.save(slide.path, document), slide.path);
  }

  async importFile(senderId: number, slide: OwnedSlide): Promise<Result<ImportedAnnotations | null>> {
    const file = await this.dialogs.chooseImportFile(senderId, dirname(slide.path));
    if (!file) return ok(null);
    return attempt(async () => ({ ...(await readAnnotationImport(file)), file }), file);
  }

  /** The GeoJSON file of detections the user picks, starting in the slide's folder; null: cancelled. */
  chooseDetectionsFile(senderId: number, slide: OwnedSlide): Promise<string | null> {
    return this.dialogs.chooseDetectionsFile(senderId, dirname(slide.path));
  }

  /** The detections file last shown over a slide (by its id: each open slide's own), which its exports may draw in. */
  showingDetections(slide: OwnedSlide, path: string): void {
    this.detectionFiles.set(slide.slideId, path);
  }

  forgetDetections(slideId: string): void {
    this.detectionFiles.delete(slideId);
  }

  detectionsFile(slide: OwnedSlide): string | null {
    return this.detectionFiles.get(slide.slideId) ?? null;
  }

  /** Where the shown detections' table goes (`<slide>_detections.csv`), and whether it replaces a file; null: cancelled. */
  chooseDetectionTablePath(senderId: number, slide: OwnedSlide): Promise<ExportTarget | null> {
    return this.chooseTarget(senderId, join(dirname(slide.path), `${slideStem(slide.info)}_detections.csv`), 'csv');
  }

  /** Where an export in the format goes (`<slide>.geojson`, …), and whether it replaces a file; null: cancelled. */
  chooseExportTarget(senderId: number, slide: OwnedSlide, format: AnnotationFormat): Promise<ExportTarget | null> {
    return this.chooseTarget(senderId, join(dirname(slide.path), `${slideStem(slide.info)}${ANNOTATION_FILE_ENDINGS[format]}`), format);
  }

  private async chooseTarget(senderId: number, defaultPath: string, format: AnnotationFormat): Promise<ExportTarget | null> {
    const path = await this.dialogs.chooseExportPath(senderId, defaultPath, format);
    // The dialog asked before replacing a file that was there.
    return path ? { path, overwrite: this.exists(path) } : null;
  }

  async exportFile(senderId: number, slide: OwnedSlide, format: AnnotationFormat): Promise<Result<ExportResult>> {
    const target = await this.chooseExportTarget(senderId, slide, format);
    if (!target) return ok({ files: [] });
    const { path, overwrite } = target;
    return attempt(async () => {
      const { document } = await this.store.load(slide.path);
      await writeAnnotationFile(path, document, format, { name: basename(slide.path), mpp: slide.info.mpp }, overwrite);
      return { files: [path] };
    }, path);
  }

  /** The file that holds the slide's annotations now, for an export to draw them in. */
  async storedFile(slide: OwnedSlide): Promise<string | null> {
    return (await this.store.locate(slide.path))?.path ?? null;
  }
}
