// What main's IPC handlers need, for a test that wires them to an engine (real or fake): a folder's
// recent list, annotations and alignments, no dialogs, no exports, no sample; a test overrides what
// it exercises.

import { join } from 'node:path';
import { AnnotationStore } from '../../electron/annotations/annotation-store';
import { AlignmentStore } from '../../electron/main/alignment-store';
import { CompareAlignments } from '../../electron/main/compare-alignments';
import type { EngineAccess, IpcHandlerDeps } from '../../electron/main/ipc-handlers';
import { PathAuthorizer } from '../../electron/main/path-authorizer';
import { RecentFiles } from '../../electron/main/recent-files';
import { SlideAnnotationFiles } from '../../electron/main/slide-annotations';
import { fail, ok } from '../../shared/errors';
import { StubAlignmentDialogs } from './alignment-dialogs';
import { StubAnnotationDialogs } from './annotation-dialogs';

/** Exports refused: a test of the handlers that export gives its own exporter. */
const NO_EXPORTS: IpcHandlerDeps['exporter'] = {
  exportThumbnail: async () => fail('IO_ERROR', 'no exports in this test'),
  exportComparison: async () => fail('IO_ERROR', 'no exports in this test'),
  exportRegion: async () => fail('IO_ERROR', 'no exports in this test'),
  copyRegion: async () => fail('IO_ERROR', 'no exports in this test'),
  exportSideBySide: async () => fail('IO_ERROR', 'no exports in this test'),
};

/** The handlers' dependencies over `engine`, kept in `dir`, with `overrides` in place of the defaults. */
export function ipcHandlerDeps(
  engine: EngineAccess,
  dir: string,
  overrides: Partial<Omit<IpcHandlerDeps, 'recent'>> & { recent?: RecentFiles } = {},
): IpcHandlerDeps {
  const recent = overrides.recent ?? new RecentFiles({ dir });
  return {
    engine,
    authorizer: new PathAuthorizer({ recent }),
    recent,
    dialogs: { showOpenSlide: async () => null },
    exporter: NO_EXPORTS,
    samplePath: async () => ok('/none'),
    versions: () => ({ app: '0', electron: '0', chrome: '0', node: '0' }),
    showInFolder: () => undefined,
    annotations: new SlideAnnotationFiles(new AnnotationStore({ dataDir: join(dir, 'annotations') }), new StubAnnotationDialogs()),
    alignments: new CompareAlignments(new AlignmentStore({ dir }), new StubAlignmentDialogs()),
    ...overrides,
  };
}
