// File > Export…: a thumbnail, or the multi-resolution set (one image per magnification and the
// labelled 2x2 composite). Main asks where to write (native save / folder dialogs) and writes; this
// dialog chooses what, shows progress and the files written. The export runs on when the dialog is
// closed (App reports the outcome), so the dialog never holds the app up.

import { type ReactNode, useId, useState } from 'react';
import type { ComparisonMode, ComparisonRequest, ExportThumbnailRequest, ImageFormat, OpenedSlide, ThumbnailSpec } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import { formatPower, thumbnailSize } from '../../../shared/magnification';
import type { SlideInfo } from '../../../shared/slide';
import { useAnnotationContext } from '../annotations/AnnotationContext';
import { fillText } from '../annotations/fillText';
import { describeExportError } from '../errors';
import type { ExportJob, ExportKind } from '../hooks/useExportJob';
import { baseName, dirName } from '../paths';
import { checkPower, describeMagnification, parseMagnification, resolveMagnification } from '../viewer/magnification';
import { ExportColourOption, exportColour } from './ExportColourOption';
import { Modal } from './Modal';
import type { ExportContext } from './SlideViewer';

export interface ExportDialogProps {
  slide: OpenedSlide;
  context: ExportContext;
  job: ExportJob;
  onExportThumbnail: (request: ExportThumbnailRequest) => void;
  onExportSet: (request: ComparisonRequest) => void;
  onShowInFolder: (path: string) => void;
  onClose: () => void;
}

type SizeKind = ThumbnailSpec['kind'];

const ANNOTATION_TEXT = {
  burn: 'Draw the annotations in, with a legend of their classes ({count})',
  none: 'Draw the annotations in (this slide has none yet)',
};

/** The image formats an export offers (the compare view's export dialog too). */
export const FORMATS: ReadonlyArray<{ value: ImageFormat; label: string }> = [
  { value: 'png', label: 'PNG (lossless)' },
  { value: 'jpeg', label: 'JPEG (smaller)' },
  { value: 'tiff', label: 'TIFF (lossless)' },
];

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The thumbnail as typed: its spec and pixel size, or why the slide cannot give it. */
export function checkThumbnail(
  info: SlideInfo,
  kind: SizeKind,
  text: string,
): Checked<{ spec: ThumbnailSpec; width: number; height: number; magnification: string | null }> {
  let spec: ThumbnailSpec;
  let magnification: string | null = null;
  if (kind === 'size') {
    const side = Number(text.trim());
    if (!Number.isInteger(side) || side < 1 || side > LIMITS.maxThumbnailSide)
      return { ok: false, reason: `The longest side must be a whole number of pixels from 1 to ${LIMITS.maxThumbnailSide}` };
    const longest = Math.max(info.width, info.height);
    if (side > longest) return { ok: false, reason: `${side} px is larger than the slide itself (${info.width} × ${info.height} px)` };
    spec = { kind: 'size', longestSide: side };
  } else {
    // A bare number in the µm/px field is µm/px; in the power field, a power; a unit typed wins.
    const typed = kind === 'mpp' && /^\s*[\d.,]+\s*$/.test(text) ? `${text.trim()} µm/px` : text;
    const checked = resolveMagnification(info, typed);
    if (!checked.ok) return { ok: false, reason: checked.reason };
    const asMpp = kind === 'mpp' ? parseMagnification(typed) : null;
    spec = asMpp?.kind === 'mpp' ? { kind: 'mpp', mpp: asMpp.value } : { kind: 'power', objectivePower: checked.power };
    magnification = describeMagnification(info, checked.power);
  }
  const size = thumbnailSize(info, spec);
  if (!size) return { ok: false, reason: 'The slide records neither its objective power nor its pixel size' };
  return { ok: true, value: { spec, width: size.width, height: size.height, magnification } };
}

export function ExportDialog({ slide, context, job, onExportThumbnail, onExportSet, onShowInFolder, onClose }: ExportDialogProps) {
  const { info } = slide;
  const hasScale = info.objectivePower !== null || info.mpp !== null;
  const [kind, setKind] = useState<ExportKind>(context.fromGrid ? 'set' : 'thumbnail');
  const [format, setFormat] = useState<ImageFormat>('png');
  const [sizeKind, setSizeKind] = useState<SizeKind>(hasScale ? 'power' : 'size');
  const [sizeTexts, setSizeTexts] = useState<Record<SizeKind, string>>({ power: '1.25x', mpp: '8', size: '1024' });
  const [powerTexts, setPowerTexts] = useState<string[]>(() => context.powers.map((p) => formatPower(p)));
  const [mode, setMode] = useState<'slide' | 'field'>(context.fromGrid ? 'field' : 'slide');
  const [carryAdjustment, setCarryAdjustment] = useState(false);
  const colour = exportColour(context.colour, carryAdjustment);
  const running = job.status === 'running';
  const ids = useId();
  const annotationCount = useAnnotationContext()?.session.getState().document.annotations.length ?? 0;
  const [burn, setBurn] = useState(false);
  const annotations = burn && annotationCount > 0;

  const thumbnail = checkThumbnail(info, sizeKind, sizeTexts[sizeKind]);
  // A text left as the grid had it keeps the grid's exact power (4.9899x shows as 4.99x).
  const powers = powerTexts.map((text, i) => {
    const original = context.powers[i];
    return original !== undefined && text === formatPower(original) ? checkPower(info, original) : resolveMagnification(info, text);
  });
  const setValid = powers.every((p) => p.ok);
  const { field } = context;

  const exportThumbnail = (): void => {
    if (!thumbnail.ok) return;
    onExportThumbnail({ slideId: slide.slideId, spec: thumbnail.value.spec, format, colour, annotations });
  };
  const exportSet = (): void => {
    const chosen = powers.flatMap((p) => (p.ok ? [p.power] : []));
    if (chosen.length !== powers.length) return;
    const comparisonMode: ComparisonMode = mode === 'slide' ? { kind: 'slide' } : { kind: 'field', ...field };
    onExportSet({ slideId: slide.slideId, powers: chosen, mode: comparisonMode, format, colour, annotations });
  };

  const sizeOption = (value: SizeKind, label: string, unit: string, hint: string): ReactNode => (
    <label className="option-row">
      <input type="radio" name={`${ids}-size`} checked={sizeKind === value} onChange={() => setSizeKind(value)} data-testid={`thumb-kind-${value}`} />
      <span className="option-label">{label}</span>
      <input
        className="text-input narrow"
        value={sizeTexts[value]}
        onFocus={() => setSizeKind(value)}
        onChange={(event) => setSizeTexts((texts) => ({ ...texts, [value]: event.target.value }))}
        aria-label={`${label} (${unit})`}
        title={hint}
        spellCheck={false}
        data-testid={`thumb-${value}`}
      />
      <span className="muted">{unit}</span>
    </label>
  );

  return (
    <Modal title="Export" onClose={onClose} size="medium">
      <div className="export-dialog" data-testid="export-dialog">
        <div className="segmented" role="radiogroup" aria-label="What to export">
          <label data-testid="export-kind-thumbnail">
            <input type="radio" className="visually-hidden" name={`${ids}-kind`} checked={kind === 'thumbnail'} onChange={() => setKind('thumbnail')} />
            Thumbnail
          </label>
          <label data-testid="export-kind-set">
            <input type="radio" className="visually-hidden" name={`${ids}-kind`} checked={kind === 'set'} onChange={() => setKind('set')} />
            Magnification set
          </label>
        </div>

        {kind === 'thumbnail' ? (
          <section aria-label="Thumbnail">
            <p className="muted small">The whole slide as one image, saved where you choose ({`${stem(info.name)}_thumbnail`} by default).</p>
            <fieldset className="options" disabled={running}>
              <legend className="section-title">Size</legend>
              {sizeOption('power', 'Objective power', 'x', 'e.g. 1.25x: 1.25x objective, whatever the scan')}
              {sizeOption('mpp', 'Pixel size', 'µm/px', 'Micrometres per pixel of the thumbnail')}
              {sizeOption('size', 'Longest side', 'px', 'The longer of width and height, in pixels')}
            </fieldset>
            {thumbnail.ok ? (
              <p className="export-summary" data-testid="thumb-summary">
                {thumbnail.value.width} × {thumbnail.value.height} px{thumbnail.value.magnification ? ` · ${thumbnail.value.magnification}` : ''}
              </p>
            ) : (
              <p className="field-error" role="alert" data-testid="thumb-error">
                {thumbnail.reason}.
              </p>
            )}
          </section>
        ) : (
          <section aria-label="Magnification set">
            <p className="muted small">One image per magnification and the labelled 2×2 comparison, written into a folder you choose.</p>
            <fieldset className="options" disabled={running}>
              <legend className="section-title">Magnifications</legend>
              <div className="power-fields">
                {powerTexts.map((text, index) => {
                  const check = powers[index];
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: four fixed positions, as the grid's cells (the texts are edited in place and may repeat)
                    <div key={index} className="power-field">
                      <input
                        className="text-input"
                        value={text}
                        onChange={(event) => setPowerTexts((list) => list.map((t, i) => (i === index ? event.target.value : t)))}
                        aria-label={`Magnification ${index + 1}: objective power or µm/px`}
                        aria-invalid={check?.ok === false}
                        spellCheck={false}
                        data-testid={`set-power-${index}`}
                      />
                      {check?.ok ? (
                        <span className="field-hint">{describeMagnification(info, check.power)}</span>
                      ) : (
                        <span className="field-error" role="alert" data-testid={`set-error-${index}`}>
                          {check?.reason}.
                        </span>
                      )}
                    </div>
                  );
                })}
              </div>
            </fieldset>
            <fieldset className="options" disabled={running}>
              <legend className="section-title">Area</legend>
              <label className="option-row">
                <input type="radio" name={`${ids}-mode`} checked={mode === 'slide'} onChange={() => setMode('slide')} data-testid="set-mode-slide" />
                <span>Whole slide, at each magnification</span>
              </label>
              <label className="option-row">
                <input type="radio" name={`${ids}-mode`} checked={mode === 'field'} onChange={() => setMode('field')} data-testid="set-mode-field" />
                <span>
                  Field of view: {field.panelWidth} × {field.panelHeight} px around ({Math.round(field.centerX)}, {Math.round(field.centerY)}),
                  {context.fromGrid ? ' what each grid cell shows' : ' a grid cell’s size around the centre of the view'} (at most {LIMITS.maxPanelSide} ×{' '}
                  {LIMITS.maxPanelSide} px a panel)
                </span>
              </label>
            </fieldset>
          </section>
        )}

        <ExportColourOption info={info} colour={context.colour} carryAdjustment={carryAdjustment} onCarryAdjustment={setCarryAdjustment} disabled={running} />
        <label className="option-row">
          <input
            type="checkbox"
            checked={annotations}
            disabled={running || annotationCount === 0}
            onChange={(event) => setBurn(event.target.checked)}
            data-testid="export-annotations"
          />
          <span>{annotationCount > 0 ? fillText(ANNOTATION_TEXT.burn, { count: annotationCount }) : ANNOTATION_TEXT.none}</span>
        </label>

        <div className="export-actions">
          <label className="format-select">
            <span>Format</span>
            <select value={format} onChange={(event) => setFormat(event.target.value as ImageFormat)} disabled={running} data-testid="export-format">
              {FORMATS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <div className="toolbar-spacer" />
          {kind === 'thumbnail' ? (
            <button
              type="button"
              className="button button-primary"
              disabled={running || !thumbnail.ok}
              onClick={exportThumbnail}
              data-testid="export-thumbnail"
            >
              Export thumbnail…
            </button>
          ) : (
            <button type="button" className="button button-primary" disabled={running || !setValid} onClick={exportSet} data-testid="export-set">
              Export set…
            </button>
          )}
        </div>

        <ExportStatus job={job} onShowInFolder={onShowInFolder} />
      </div>
    </Modal>
  );
}

/** The export's progress and outcome (the compare view's export dialog shows it too). */
export function ExportStatus({ job, onShowInFolder }: { job: ExportJob; onShowInFolder: (path: string) => void }) {
  if (job.status === 'idle') return null;
  if (job.status === 'running') {
    const p = job.progress;
    return (
      <div className="export-status" role="status" data-testid="export-status" data-status="running">
        <p>
          {p ? progressText(p.label) : 'Waiting for your choice of file or folder…'}
          {p && p.total > 1 ? ` (${Math.min(p.done + 1, p.total)} of ${p.total})` : ''}
        </p>
        <progress max={p?.total ?? 1} value={p?.done ?? undefined} aria-label="Export progress" data-testid="export-progress" />
        <p className="muted small">You can close this dialog: the export goes on and the app tells you when it is done.</p>
      </div>
    );
  }
  if (job.status === 'failed') {
    const { title, detail } = describeExportError(job.error);
    return (
      <div className="export-status export-failed" role="alert" data-testid="export-status" data-status="failed" data-code={job.error.code}>
        <p className="notice-title">{title}</p>
        <p className="notice-detail">{detail}</p>
      </div>
    );
  }
  if (job.files.length === 0) {
    return (
      <div className="export-status" role="status" data-testid="export-status" data-status="cancelled">
        <p>Nothing was written: the export was cancelled.</p>
      </div>
    );
  }
  const last = job.files[job.files.length - 1] ?? '';
  return (
    <div className="export-status export-done" role="status" data-testid="export-status" data-status="done">
      <p>
        Wrote {job.files.length === 1 ? 'one file' : `${job.files.length} files`} of {job.slideName} to {dirName(last)}:
      </p>
      <ul className="export-files" data-testid="export-files">
        {job.files.map((file) => (
          <li key={file} title={file}>
            {baseName(file)}
          </li>
        ))}
      </ul>
      <button type="button" className="button button-small" onClick={() => onShowInFolder(last)} data-testid="export-show-in-folder">
        Show in folder
      </button>
    </div>
  );
}

/** Progress labels from main's export pipeline: 'thumbnail', a power ('2.5x'), 'comparison', 'writing', 'done'. */
function progressText(label: string): string {
  if (label === 'thumbnail') return 'Writing the thumbnail';
  if (label === 'comparison') return 'Composing the 2×2 comparison';
  if (label === 'side-by-side') return 'Composing the slides side by side';
  if (label === 'writing') return 'Writing the files';
  if (label === 'done') return 'Finishing';
  return `Reading the ${label} image`;
}

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
