// The window's export: one at a time, running in main while the app stays usable. Progress comes
// from export:progress events; the outcome stays here so the Export dialog can be closed and
// reopened meanwhile, and the app can say how it ended when the dialog is not open.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorInfo, Result } from '../../../shared/errors';
import type { ExportProgress, ExportResult, SlidescopeApi } from '../../../shared/ipc';

export type ExportKind = 'thumbnail' | 'set' | 'region' | 'side-by-side';

/** Where an export was made: its kind and slides (by id: two open slides may share a name). */
export function exportSource(kind: ExportKind, slideIds: readonly string[]): string {
  return `${kind}:${slideIds.join(',')}`;
}

/** What an export is of: its kind, its slides' names as the app says them, and its slides. */
interface JobOf {
  kind: ExportKind;
  slideName: string;
  slideIds: readonly string[];
}

export type ExportJob =
  | { status: 'idle' }
  | ({ status: 'running'; progress: ExportProgress | null } & Made)
  /** files is empty when the user cancelled a native dialog: nothing was written. endedAt: performance.now(). */
  | ({ status: 'done'; files: string[]; endedAt: number } & Made)
  | ({ status: 'failed'; error: ErrorInfo; endedAt: number } & Made);

/** A job as kept: its kind, its slides' names, and where it was made (exportSource). */
type Made = Omit<JobOf, 'slideIds'> & { source: string };

export interface ExportJobs {
  job: ExportJob;
  /** Starts an export unless one is running (then false). */
  start: (job: JobOf, request: () => Promise<Result<ExportResult>>) => boolean;
}

export function useExportJob(api: SlidescopeApi, onSettled: (job: ExportJob) => void): ExportJobs {
  const [job, setJob] = useState<ExportJob>({ status: 'idle' });
  const running = useRef(false);
  const settled = useRef(onSettled);
  useEffect(() => {
    settled.current = onSettled;
  }, [onSettled]);

  useEffect(
    () =>
      api.on('export:progress', (progress) => {
        // Late events of a finished job arrive after its answer: they must not reopen it.
        setJob((current) => (current.status === 'running' ? { ...current, progress } : current));
      }),
    [api],
  );

  const start = useCallback(({ kind, slideName, slideIds }: JobOf, request: () => Promise<Result<ExportResult>>) => {
    if (running.current) return false;
    const of: Made = { kind, slideName, source: exportSource(kind, slideIds) };
    running.current = true;
    setJob({ status: 'running', ...of, progress: null });
    void request().then((result) => {
      running.current = false;
      const endedAt = performance.now();
      const next: ExportJob = result.ok
        ? { status: 'done', ...of, files: result.value.files, endedAt }
        : { status: 'failed', ...of, error: result.error, endedAt };
      setJob(next);
      settled.current(next);
    });
    return true;
  }, []);

  return { job, start };
}
