// The app's exports (export:thumbnail, export:comparison): asks where to write with the native
// dialogs, then writes with the engine's export pipeline (electron/engine/export/exports.ts) over
// the engine API (the worker, in the app). Dialogs and the progress channel are injected, so the
// unit tests and the e2e host run this same code with stubbed dialogs.
//
// Overwriting: nothing is replaced unless the user said so. A thumbnail's save dialog asks itself
// (Electron: built in on macOS and Windows, showOverwriteConfirmation on Linux), so a file that
// existed when the dialog returned was confirmed; a comparison writes five files into a folder, so
// the exporter asks once for all of them. A file that appears after that check is refused (EXISTS).

import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { ComparisonRequest, ExportProgress, ExportResult, ExportThumbnailRequest, ImageFormat } from '../../shared/ipc';
import { downsampleForMpp, formatMpp, mppAtDownsample } from '../../shared/magnification';
import type { SlideInfo, ThumbnailSpec } from '../../shared/slide';
import type { SlideEngineApi } from '../engine/engine-api';
import { SlideError } from '../engine/errors';
import { checkPower, exportComparison, exportFileNames, exportThumbnail } from '../engine/export/exports';
import type { OwnedSlide, SlideExporter } from './ipc-handlers';

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
  engine: SlideEngineApi;
  dialogs: ExportDialogs;
  /** Sends export:progress to the requesting window. */
  sendProgress(senderId: number, progress: ExportProgress): void;
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

/** Refuses thumbnail sizes the slide cannot give: powers and pixel sizes finer than the scan. */
export function checkThumbnailSpec(info: SlideInfo, spec: ThumbnailSpec): void {
  if (spec.kind === 'power') {
    checkPower(info, spec.objectivePower);
    return;
  }
  if (spec.kind === 'mpp') {
    const downsample = downsampleForMpp(info, spec.mpp);
    if (downsample === null)
      throw new SlideError('INVALID_ARGUMENT', 'The slide records no objective power or microns per pixel, so a pixel size cannot be chosen.', info.path);
    if (downsample < 0.999) {
      const finest = mppAtDownsample(info, 1);
      throw new SlideError(
        'INVALID_ARGUMENT',
        `${formatMpp(spec.mpp)} is finer than this slide's scan (${finest === null ? '?' : formatMpp(finest)} at best).`,
        info.path,
      );
    }
  }
}

export class Exporter implements SlideExporter {
  private readonly exists: (path: string) => boolean;
  /** Where the last export went: the next dialog starts there (this session). */
  private lastFolder: string | null = null;
  private nextJobId = 1;

  constructor(private readonly deps: ExporterDeps) {
    this.exists = deps.exists ?? existsSync;
  }

  async exportThumbnail(senderId: number, slide: OwnedSlide, request: ExportThumbnailRequest): Promise<ExportResult> {
    const { info } = slide;
    // Before the dialog: asking where to save something that cannot be made wastes the user's time.
    checkThumbnailSpec(info, request.spec);
    const name = exportFileNames(info, [], request.format).thumbnail;
    const chosen = await this.deps.dialogs.chooseThumbnailPath(senderId, join(this.startFolder(slide), name), request.format);
    if (!chosen) return { files: [] };
    const path = withFormatExtension(chosen, request.format);
    let overwrite = path === chosen && this.exists(path);
    if (path !== chosen && this.exists(path)) {
      // The dialog confirmed another name than the one written: ask about this one.
      if (!(await this.deps.dialogs.confirmOverwrite(senderId, [path]))) return { files: [] };
      overwrite = true;
    }
    const jobId = this.nextJobId++;
    const written = await exportThumbnail(this.deps.engine, slide.slideId, info, request.spec, path, {
      format: request.format,
      overwrite,
      onProgress: (done, total, label) => this.deps.sendProgress(senderId, { jobId, done, total, label }),
    });
    this.lastFolder = dirname(written);
    return { files: [written] };
  }

  async exportComparison(senderId: number, slide: OwnedSlide, request: ComparisonRequest): Promise<ExportResult> {
    const { info } = slide;
    for (const power of request.powers) checkPower(info, power);
    const folder = await this.deps.dialogs.chooseFolder(senderId, this.startFolder(slide));
    if (!folder) return { files: [] };
    const names = exportFileNames(info, request.powers, request.format);
    const targets = [...names.perPower, names.comparison].map((name) => join(folder, name));
    const existing = targets.filter((path) => this.exists(path));
    const overwrite = existing.length > 0;
    if (overwrite && !(await this.deps.dialogs.confirmOverwrite(senderId, existing))) return { files: [] };
    const jobId = this.nextJobId++;
    const files = await exportComparison(this.deps.engine, slide.slideId, info, request.powers, request.mode, folder, {
      format: request.format,
      overwrite,
      onProgress: (done, total, label) => this.deps.sendProgress(senderId, { jobId, done, total, label }),
    });
    this.lastFolder = folder;
    return { files };
  }

  private startFolder(slide: OwnedSlide): string {
    return this.lastFolder ?? dirname(slide.path);
  }
}

/** "CMU-1_1.25x.png, CMU-1_2.5x.png and 3 more": the overwrite question names what it replaces. */
export function describeExisting(paths: string[]): string {
  const names = paths.map((p) => basename(p));
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}
