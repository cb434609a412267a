// File > Export… in the compare view: the compared field of view as one labelled image (each slide's
// panel at the same µm per pixel, turned as aligned, its name, magnification and scale bar), saved
// where the user chooses. Main and the engine make it (export:side-by-side).

import { useState } from 'react';
import { sideBySideProblem } from '../../../shared/export-plan';
import type { ImageFormat, OpenedSlide, RequestInput } from '../../../shared/ipc';
import { formatMpp } from '../../../shared/magnification';
import type { ExportJob } from '../hooks/useExportJob';
import { useT } from '../i18n/i18n';
import { ExportStatus, FORMATS } from './ExportDialog';
import { Modal } from './Modal';
import '../styles/compare.css';

/** Every string the dialog shows (a translation replaces this table). */
const TEXT = {
  title: 'Export',
  what: (n: number) =>
    `The compared field of view: ${n} panels side by side in one image, each labelled with its slide's name and magnification, with a scale bar.`,
  size: (w: number, h: number, mpp: string) => `Each panel ${w} × ${h} px at ${mpp}, as the view shows it.`,
  notReady: 'Every compared slide needs its pixel size (µm/px), and the view must have opened.',
  format: 'Format',
  export: 'Export image…',
} as const;

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
  const problem = field ? slides.map((s) => sideBySideProblem(s.info, field.micronsPerPixel)).find((p) => p !== null) : TEXT.notReady;
  return (
    <Modal title={TEXT.title} onClose={onClose} size="medium">
      <div className="export-dialog" data-testid="compare-export-dialog">
        <p className="muted small">{TEXT.what(slides.length)}</p>
        {field && <p className="export-summary">{TEXT.size(field.panelWidth, field.panelHeight, formatMpp(field.micronsPerPixel))}</p>}
        {problem && (
          <p className="field-error" role="alert" data-testid="compare-export-error">
            {problem}
          </p>
        )}
        <div className="export-actions">
          <label className="format-select">
            <span>{TEXT.format}</span>
            <select value={format} onChange={(event) => setFormat(event.target.value as ImageFormat)} disabled={running} data-testid="export-format">
              {FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(`exportDialog.${f}`)}
                </option>
              ))}
            </select>
          </label>
          <div className="toolbar-spacer" />
          <button
            type="button"
            className="button button-primary"
            disabled={running || !field || problem !== undefined}
            onClick={() => field && onExport({ ...field, format })}
            data-testid="compare-export-start"
          >
            {TEXT.export}
          </button>
        </div>
        <ExportStatus job={job} onShowInFolder={onShowInFolder} />
      </div>
    </Modal>
  );
}
