// The app's exports (export:thumbnail, export:comparison, export:region, export:side-by-side): asks where to write with the native
// dialogs, then has the engine process make and write the files (its export operations), so no
// pixel passes through the main process. Dialogs and the progress channel are injected, so the unit
// tests and the e2e host run this same code with stubbed dialogs.
//
// Overwriting: nothing is replaced unless the user said so. A thumbnail's save dialog asks itself
// (Electron: built in on macOS and Windows, showOverwriteConfirmation on Linux), so a file that
// existed when the dialog returned was confirmed; a comparison writes five files into a folder, so
// the exporter asks once for all of them. A file that appears after that check is refused (EXISTS).

import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { DetectionDrawing } from '../../shared/detections';
import { fail, type Result } from '../../shared/errors';
import {
  exportFileNames,
  powerProblem,
  regionFileName,
  regionProblem,
  regionSize,
  sideBySideFileName,
  sideBySideProblem,
  thumbnailSpecProblem,
} from '../../shared/export-plan';
import type { Translate } from '../../shared/i18n/catalogue';
import type { ExportProgress } from '../../shared/ipc';
import { formatPower } from '../../shared/magnification';
import type { ExportResult, ImageFormat, LegendLabels, RequestOf } from '../../shared/operations';
import type { EngineAccess, OwnedSlide, SlideExporter } from './ipc-handlers';

/** The native parts, per requesting window (senderId). null = the user cancelled. */
export interface ExportDialogs {
  /** Save dialog for one image, starting at defaultPath; it confirms replacing an existing file itself. */
  chooseThumbnailPath(senderId: number, defaultPath: string, format: ImageFormat): Promise<string | null>;
  /** Folder chooser (open dialog: openDirectory, createDirectory), starting at defaultPath. */
  chooseFolder(senderId: number, defaultPath: string): Promise<string | null>;
  /** Asked once when some of the files to write exist (absolute paths); true = replace them. */
  confirmOverwrite(senderId: number, existing: string[]): Promise<boolean>;
}

export interface ExporterDeps {
  engine: Pick<EngineAccess, 'call'>;
  dialogs: ExportDialogs;
  /** Sends export:progress to the requesting window. */
  sendProgress(senderId: number, progress: ExportProgress): void;
  /**
   * The files an export draws in (SlideAnnotationFiles): the slide's stored annotations, and the QuPath
   * detections its window shows (detections:open). None: nothing to draw.
   */
  overlays?: {
    storedFile(slide: OwnedSlide): Promise<string | null>;
    detectionsFile(slide: OwnedSlide): string | null;
  };
  /** What a drawn legend calls QuPath's classes and the unclassified, in the user's language (none: as stored). */
  legend?: () => LegendLabels;
  /** The system clipboard (Electron's in the app): takes a PNG. */
  clipboard: { writePng(png: Uint8Array): void };
  /** Test seam for "does this file exist" (default fs.existsSync). */
  exists?: (path: string) => boolean;
}

/** Extensions each format may already carry; anything else gets the format's own appended. */
const FORMAT_SUFFIXES: Record<ImageFormat, readonly string[]> = { png: ['.png'], jpeg: ['.jpg', '.jpeg'], tiff: ['.tif', '.tiff'] };

/** "slide_thumbnail" -> "slide_thumbnail.png"; a name with another image extension gets this one added. */
export function withFormatExtension(path: string, format: ImageFormat): string {
  const ext = extname(path).toLowerCase();
  if (FORMAT_SUFFIXES[format].includes(ext)) return path;
  return `${path}${FORMAT_SUFFIXES[format][0]}`;
}

const cancelled = (): Result<ExportResult> => ({ ok: true, value: { files: [] } });

export class Exporter implements SlideExporter {
  private readonly exists: (path: string) => boolean;
  /** Where the last export went: the next dialog starts there (this session). */
  private lastFolder: string | null = null;
  private nextJobId = 1;

  constructor(private readonly deps: ExporterDeps) {
    this.exists = deps.exists ?? existsSync;
  }

  async exportThumbnail(senderId: number, slide: OwnedSlide, request: RequestOf<'export:thumbnail'>): Promise<Result<ExportResult>> {
    const { info } = slide;
    // Before the dialog: asking where to save something that cannot be made wastes the user's time.
    const problem = thumbnailSpecProblem(info, request.spec);
    if (problem) return fail('INVALID_ARGUMENT', problem, info.path);
    const name = exportFileNames(info, [], request.format).thumbnail;
    const target = await this.chooseImagePath(senderId, join(this.startFolder(slide), name), request.format);
    if (!target) return cancelled();
    const { path, overwrite } = target;
    const jobId = this.nextJobId++;
    const annotations = await this.overlaysOf(slide, request);
    const written = await this.deps.engine.call(
      'engine:export-thumbnail',
      { slideId: slide.slideId, spec: request.spec, path, format: request.format, overwrite, colour: request.colour, ...annotations },
      { onProgress: (step) => this.deps.sendProgress(senderId, { jobId, ...step }) },
    );
    if (written.ok) this.lastFolder = dirname(path);
    return written;
  }

  /**
   * Where one image goes: the save dialog (which confirms replacing the file it shows), then the
   * format's extension; a name the extension changed is confirmed here. Null when cancelled.
   */
  private async chooseImagePath(senderId: number, defaultPath: string, format: ImageFormat): Promise<{ path: string; overwrite: boolean } | null> {
    const chosen = await this.deps.dialogs.chooseThumbnailPath(senderId, defaultPath, format);
    if (!chosen) return null;
    const path = withFormatExtension(chosen, format);
    if (!this.exists(path)) return { path, overwrite: false };
    // The dialog confirmed another name than the one written: ask about this one.
    if (path !== chosen && !(await this.deps.dialogs.confirmOverwrite(senderId, [path]))) return null;
    return { path, overwrite: true };
  }

  async exportComparison(senderId: number, slide: OwnedSlide, request: RequestOf<'export:comparison'>): Promise<Result<ExportResult>> {
    const { info } = slide;
    for (const power of request.powers) {
      const problem = powerProblem(info, power);
      if (problem) return fail('INVALID_ARGUMENT', problem, info.path);
    }
    const folder = await this.deps.dialogs.chooseFolder(senderId, this.startFolder(slide));
    if (!folder) return cancelled();
    const names = exportFileNames(info, request.powers, request.format);
    const existing = [...names.perPower, names.comparison].map((name) => join(folder, name)).filter((path) => this.exists(path));
    const overwrite = existing.length > 0;
    if (overwrite && !(await this.deps.dialogs.confirmOverwrite(senderId, existing))) return cancelled();
    const jobId = this.nextJobId++;
    const annotations = await this.overlaysOf(slide, request);
    const written = await this.deps.engine.call(
      'engine:export-comparison',
      { slideId: slide.slideId, powers: request.powers, mode: request.mode, folder, format: request.format, overwrite, colour: request.colour, ...annotations },
      { onProgress: (step) => this.deps.sendProgress(senderId, { jobId, ...step }) },
    );
    if (written.ok) this.lastFolder = folder;
    return written;
  }

  async exportRegion(senderId: number, slide: OwnedSlide, request: RequestOf<'export:region'>): Promise<Result<ExportResult>> {
    const { info } = slide;
    const problem = regionProblem(info, request, request.objectivePower);
    if (problem) return fail('INVALID_ARGUMENT', problem, info.path);
    const name = regionFileName(info, request, request.objectivePower, request.format);
    const target = await this.chooseImagePath(senderId, join(this.startFolder(slide), name), request.format);
    if (!target) return cancelled();
    const { path, overwrite } = target;
    const jobId = this.nextJobId++;
    const region = await this.engineRegion(slide, request);
    this.deps.sendProgress(senderId, { jobId, done: 0, total: 1, label: formatPower(request.objectivePower) });
    const written = await this.deps.engine.call('engine:export-region', { ...region, path, format: request.format, overwrite });
    if (written.ok) this.lastFolder = dirname(path);
    return written;
  }

  async copyRegion(slide: OwnedSlide, request: RequestOf<'export:copy-region'>): Promise<Result<{ width: number; height: number }>> {
    const problem = regionProblem(slide.info, request, request.objectivePower);
    if (problem) return fail('INVALID_ARGUMENT', problem, slide.info.path);
    const image = await this.deps.engine.call('engine:region-png', await this.engineRegion(slide, request));
    if (!image.ok) return image;
    this.deps.clipboard.writePng(image.value.bytes);
    return { ok: true, value: { width: image.value.width, height: image.value.height } };
  }

  /** What the engine reads of a region the page asked for (checked by regionProblem): its size at the power, the stored annotations' file. */
  private async engineRegion(slide: OwnedSlide, request: RequestOf<'export:copy-region'>) {
    const { x, y, objectivePower, colour, scaleBar } = request;
    const size = regionSize(slide.info, request, objectivePower)!;
    return {
      slideId: slide.slideId,
      x,
      y,
      ...size,
      at: { kind: 'power' as const, objectivePower },
      colour,
      scaleBar,
      ...(await this.overlaysOf(slide, request)),
    };
  }

  async exportSideBySide(senderId: number, slides: OwnedSlide[], request: RequestOf<'export:side-by-side'>): Promise<Result<ExportResult>> {
    for (const slide of slides) {
      const problem = sideBySideProblem(slide.info, request.micronsPerPixel);
      if (problem) return fail('INVALID_ARGUMENT', problem, slide.path);
    }
    const first = slides[0]!;
    const name = sideBySideFileName(
      slides.map((s) => s.info),
      request.format,
    );
    const target = await this.chooseImagePath(senderId, join(this.startFolder(first), name), request.format);
    if (!target) return cancelled();
    const { path, overwrite } = target;
    const jobId = this.nextJobId++;
    const { panels, micronsPerPixel, panelWidth, panelHeight, format } = request;
    const written = await this.deps.engine.call(
      'engine:export-side-by-side',
      { panels, micronsPerPixel, panelWidth, panelHeight, path, format, overwrite },
      { onProgress: (step) => this.deps.sendProgress(senderId, { jobId, ...step }) },
    );
    if (written.ok) this.lastFolder = dirname(path);
    return written;
  }

  /**
   * `{ annotations, detections, detectionClasses, detectionDrawing, legend }`: the files of what the user
   * asked drawn in, the slide's stored annotations and the detections its window shows (of the classes
   * it shows, as it draws them), where there are some.
   */
  private async overlaysOf(
    slide: OwnedSlide,
    wanted: {
      annotations?: boolean | undefined;
      detections?: boolean | undefined;
      detectionClasses?: Array<string | null> | undefined;
      detectionDrawing?: DetectionDrawing | undefined;
    },
  ): Promise<{
    annotations?: string;
    detections?: string;
    detectionClasses?: Array<string | null>;
    detectionDrawing?: DetectionDrawing;
    legend?: LegendLabels;
  }> {
    const annotations = wanted.annotations ? await this.deps.overlays?.storedFile(slide) : null;
    const detections = wanted.detections ? this.deps.overlays?.detectionsFile(slide) : null;
    if (!annotations && !detections) return {};
    return {
      ...(annotations ? { annotations } : {}),
      ...(detections
        ? {
            detections,
            ...(wanted.detectionClasses ? { detectionClasses: wanted.detectionClasses } : {}),
            ...(wanted.detectionDrawing ? { detectionDrawing: wanted.detectionDrawing } : {}),
          }
        : {}),
      ...(this.deps.legend ? { legend: this.deps.legend() } : {}),
    };
  }

  private startFolder(slide: OwnedSlide): string {
    return this.lastFolder ?? dirname(slide.path);
  }
}

/** "CMU-1_1.25x.png, CMU-1_2.5x.png and 3 more": the overwrite question names what it replaces. */
export function describeExisting(paths: string[], t: Translate): string {
  const names = paths.map((p) => basename(p));
  if (names.length <= 3) return names.join(', ');
  return t('dialogs.andMore', { names: names.slice(0, 2).join(', '), count: names.length - 2 });
}
