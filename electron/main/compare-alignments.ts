// The main process's side of compared slides' alignments (compare:* of the operation table): the one
// remembered for a set of slides, and alignment files the user saves and loads. Dialogs are
// injected, so the unit tests and the e2e host run this code with stubs.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { alignmentOf, formatAlignment, placementsFor } from '../../shared/compare-alignment';
import type { Placement } from '../../shared/compare-geometry';
import { ok, type Result, toErrorInfo } from '../../shared/errors';
import { slideStem } from '../../shared/export-plan';
import type { ExportResult } from '../../shared/operations';
import { readAlignmentFile } from '../compare/alignment-file';
import { writeFileAtomic } from '../engine/export/atomic-file';
import type { AlignmentStore } from './alignment-store';
import type { OwnedSlide } from './ipc-handlers';

/** The native parts, per requesting window. null: the user cancelled. */
export interface AlignmentDialogs {
  /** An open dialog for alignment files (.json), starting in the first slide's folder. */
  chooseAlignmentFile(senderId: number, defaultFolder: string): Promise<string | null>;
  /** A save dialog (it confirms replacing an existing file itself). */
  chooseAlignmentPath(senderId: number, defaultPath: string): Promise<string | null>;
}

/** What the IPC handlers need: each takes the window's compared slides, in their panels' order. */
export interface AlignmentAccess {
  load(slides: OwnedSlide[]): Promise<Result<Placement[] | null>>;
  save(slides: OwnedSlide[], placements: Placement[]): Promise<Result<void>>;
  importFile(senderId: number, slides: OwnedSlide[]): Promise<Result<Placement[] | null>>;
  exportFile(senderId: number, slides: OwnedSlide[], placements: Placement[]): Promise<Result<ExportResult>>;
}

const pathsOf = (slides: OwnedSlide[]) => slides.map((s) => s.path);

export class CompareAlignments implements AlignmentAccess {
  constructor(
    private readonly store: AlignmentStore,
    private readonly dialogs: AlignmentDialogs,
    private readonly exists: (path: string) => boolean = existsSync,
  ) {}

  async load(slides: OwnedSlide[]): Promise<Result<Placement[] | null>> {
    try {
      const stored = await this.store.load(pathsOf(slides));
      if (!stored) return ok(null);
      const placed = placementsFor(stored, pathsOf(slides));
      return placed.ok ? placed : ok(null);
    } catch (error) {
      return { ok: false, error: toErrorInfo(error) };
    }
  }

  async save(slides: OwnedSlide[], placements: Placement[]): Promise<Result<void>> {
    try {
      await this.store.save(pathsOf(slides), alignmentOf(pathsOf(slides), placements));
      return ok(undefined);
    } catch (error) {
      return { ok: false, error: toErrorInfo(error, this.store.file) };
    }
  }

  async importFile(senderId: number, slides: OwnedSlide[]): Promise<Result<Placement[] | null>> {
    const file = await this.dialogs.chooseAlignmentFile(senderId, dirname(slides[0]!.path));
    if (!file) return ok(null);
    return readAlignmentFile(file, pathsOf(slides));
  }

  async exportFile(senderId: number, slides: OwnedSlide[], placements: Placement[]): Promise<Result<ExportResult>> {
    const name = `${slides.map((s) => slideStem(s.info)).join('_')}.alignment.json`;
    const path = await this.dialogs.chooseAlignmentPath(senderId, join(dirname(slides[0]!.path), name));
    if (!path) return ok({ files: [] });
    try {
      // The dialog asked before replacing a file that was there.
      await writeFileAtomic(path, new TextEncoder().encode(formatAlignment(alignmentOf(pathsOf(slides), placements))), this.exists(path));
      return ok({ files: [path] });
    } catch (error) {
      return { ok: false, error: toErrorInfo(error, path) };
    }
  }
}
