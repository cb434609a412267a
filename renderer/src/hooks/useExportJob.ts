// The window's export: one at a time, running in main while the app stays usable. Progress comes
// from export:progress events; the outcome stays here so the Export dialog can be closed and
// reopened meanwhile, and the app can say how it ended when the dialog is not open.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorInfo, Result } from '../../../shared/errors';
import type { ExportProgress, ExportResult, SlidescopeApi } from '../../../shared/ipc';

export type ExportKind = 'thumbnail' | 'set' | 'side-by-side';

export type ExportJob =
  | { status: 'idle' }
  | { status: 'running'; kind: ExportKind; slideName: string; progress: ExportProgress | null }
  /** files is empty when the user cancelled a native dialog: nothing was written. */
  | { status: 'done'; kind: ExportKind; slideName: string; files: string[] }
  | { status: 'failed'; kind: ExportKind; slideName: string; error: ErrorInfo };

export interface ExportJobs {
  job: ExportJob;
  /** Starts an export unless one is running (then false). */
  start: (kind: ExportKind, slideName: string, request: () => Promise<Result<ExportResult>>) => boolean;
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

  const start = useCallback((kind: ExportKind, slideName: string, request: () => Promise<Result<ExportResult>>) => {
    if (running.current) return false;
    running.current = true;
    setJob({ status: 'running', kind, slideName, progress: null });
    void request().then((result) => {
      running.current = false;
      const next: ExportJob = result.ok
        ? { status: 'done', kind, slideName, files: result.value.files }
        : { status: 'failed', kind, slideName, error: result.error };
      setJob(next);
      settled.current(next);
    });
    return true;
  }, []);

  return { job, start };
}
