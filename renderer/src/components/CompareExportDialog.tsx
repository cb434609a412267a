// File > Export… in the compare view: the compared field of view as one labelled image (each slide's
// panel at the same µm per pixel, turned as aligned, its name, magnification and scale bar), saved
// where the user chooses. Main and the engine make it (export:side-by-side).

import { useState } from 'react';
import { type SideBySideRefusal, sideBySideRefusal } from '../../../shared/export-plan';
import type { ImageFormat, OpenedSlide, RequestInput } from '../../../shared/ipc';
import { type ExportJob, exportSource } from '../hooks/useExportJob';
import { formatCount, formatMpp } from '../i18n/format';
import { t, useT } from '../i18n/i18n';
import { ExportStatus, FormatSelect, useFocusWhileRunning } from './ExportDialog';
import { Modal } from './Modal';
import '../styles/compare.css';

export type SideBySideField = Omit<RequestInput<'export:side-by-side'>, 'format'>;

export interface CompareExportDialogProps {
  slides: OpenedSlide[];
  field: SideBySideField | null;
  job: ExportJob;
  onExport: (request: RequestInput<'export:side-by-side'>) => void;
  onShowInFolder: (path: string) => void;
  onClose: () => void;
}

export function CompareExportDialog({ slides, field, job, onExport, onShowInFolder, onClose }: CompareExportDialogProps) {
  const t = useT();
  const [format, setFormat] = useState<ImageFormat>('png');
  const running = job.status === 'running';
  const body = useFocusWhileRunning(running);
  const refusal = field ? slides.map((s) => sideBySideRefusal(s.info, field.micronsPerPixel)).find((r) => r !== null) : undefined;
  const problem = !field ? t('compare.exportDialog.notReady') : refusal ? describeRefusal(refusal) : null;
  return (
    <Modal title={t('exportDialog.title')} onClose={onClose} size="medium">
      <div className="export-dialog" ref={body} data-testid="compare-export-dialog">
        <p className="muted small">{t('compare.exportDialog.what', { number: formatCount(slides.length) })}</p>
        {field && (
          <p className="export-summary">
            {t('compare.exportDialog.size', {
              width: formatCount(field.panelWidth),
              height: formatCount(field.panelHeight),
              mpp: formatMpp(field.micronsPerPixel),
            })}
          </p>
        )}
        {problem && (
          <p className="field-error" role="alert" data-testid="compare-export-error">
            {problem}
          </p>
        )}
        <div className="export-actions">
          <FormatSelect value={format} onChange={setFormat} disabled={running} />
          <div className="toolbar-spacer" />
          <button
            type="button"
            className="button button-primary"
            disabled={running || !field || problem !== null}
            onClick={() => field && onExport({ ...field, format })}
            data-testid="compare-export-start"
          >
            {t('compare.exportDialog.start')}
          </button>
        </div>
        <ExportStatus
          job={job}
          source={exportSource(
            'side-by-side',
            slides.map((s) => s.slideId),
          )}
          onShowInFolder={onShowInFolder}
        />
      </div>
    </Modal>
  );
}

/** Why the field cannot be exported, in the window's language. */
function describeRefusal(refusal: SideBySideRefusal): string {
  return refusal.kind === 'no-scale'
    ? t('compare.exportDialog.noScale', { name: refusal.name })
    : t('compare.exportDialog.finerThanScan', { mpp: formatMpp(refusal.micronsPerPixel), name: refusal.name, finest: formatMpp(refusal.finest) });
}
