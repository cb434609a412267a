// File > Export…: a thumbnail, the multi-resolution set (one image per magnification and the
// labelled 2x2 composite), or a region (the view, a selected annotation's bounds) at a magnification. Main asks where to write (native save / folder dialogs) and writes; this
// dialog chooses what, shows progress and the files written. The export runs on when the dialog is
// closed (App reports the outcome), so the dialog never holds the app up.

import { type ReactNode, type RefObject, useEffect, useId, useRef, useState } from 'react';
import { shapeBounds } from '../../../shared/annotation-geometry';
import { exportColour } from '../../../shared/colour';
import { exportFileNames, type LevelZeroRect, regionFileName, regionSize, wholePixelsWithin } from '../../../shared/export-plan';
import type {
  ComparisonMode,
  ComparisonRequest,
  ExportRegionRequest,
  ExportThumbnailRequest,
  ImageFormat,
  OpenedSlide,
  ThumbnailSpec,
} from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import { formatPower, powerAtDownsample, thumbnailSize } from '../../../shared/magnification';
import type { SlideInfo } from '../../../shared/slide';
import { useAnnotationContext } from '../annotations/AnnotationContext';
import { useDetectionStore } from '../annotations/DetectionContext';
import { drawnForExport } from '../annotations/detectionLayer';
import { describeExportError } from '../errors';
import { type ExportJob, type ExportKind, exportSource } from '../hooks/useExportJob';
import { formatCount } from '../i18n/format';
import { t, useT } from '../i18n/i18n';
import { baseName, dirName } from '../paths';
import { describeMagnification, parseMagnification, resolveMagnification, resolveWritten } from '../viewer/magnification';
import { ExportColourOption } from './ExportColourOption';
import { Modal } from './Modal';
import type { ExportContext } from './SlideViewer';

export interface ExportDialogProps {
  slide: OpenedSlide;
  context: ExportContext;
  job: ExportJob;
  onExportThumbnail: (request: ExportThumbnailRequest) => void;
  onExportSet: (request: ComparisonRequest) => void;
  onExportRegion: (request: ExportRegionRequest) => void;
  onShowInFolder: (path: string) => void;
  onClose: () => void;
}

type SizeKind = ThumbnailSpec['kind'];

const FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'tiff'];

/** The image format an export writes (the compare view's export dialog too). */
export function FormatSelect({ value, onChange, disabled }: { value: ImageFormat; onChange: (format: ImageFormat) => void; disabled: boolean }) {
  const t = useT();
  return (
    <label className="format-select">
      <span>{t('exportDialog.format')}</span>
      <select value={value} onChange={(event) => onChange(event.target.value as ImageFormat)} disabled={disabled} data-testid="export-format">
        {FORMATS.map((f) => (
          <option key={f} value={f}>
            {t(`exportDialog.${f}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The kinds this dialog makes, one a tab. */
const DIALOG_KINDS = ['thumbnail', 'set', 'region'] as const satisfies readonly ExportKind[];

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
      return { ok: false, reason: t('exportDialog.sideRange', { max: LIMITS.maxThumbnailSide }) };
    const longest = Math.max(info.width, info.height);
    if (side > longest) return { ok: false, reason: t('exportDialog.sideTooLarge', { side, width: info.width, height: info.height }) };
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
  if (!size) return { ok: false, reason: t('magnification.noScale') };
  return { ok: true, value: { spec, width: size.width, height: size.height, magnification } };
}

/**
 * A region as typed: its power and pixel size, or why it cannot be exported; `exact`, the power the
 * text was written from (resolveWritten).
 */
export function checkRegion(
  info: SlideInfo,
  rect: LevelZeroRect,
  text: string,
  exact: number | null,
): Checked<{ power: number; width: number; height: number; magnification: string }> {
  if (powerAtDownsample(info, 1) === null) return { ok: false, reason: t('magnification.noScaleUnknown') };
  const checked = resolveWritten(info, text, exact);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  const size = regionSize(info, rect, checked.power);
  if (!size) return { ok: false, reason: t('magnification.noScale') };
  const magnification = describeMagnification(info, checked.power);
  if (size.width > LIMITS.maxRegionSide || size.height > LIMITS.maxRegionSide || size.width * size.height > LIMITS.maxExportPixels)
    return { ok: false, reason: t('exportDialog.regionTooLarge', { magnification, width: formatCount(size.width), height: formatCount(size.height) }) };
  return { ok: true, value: { power: checked.power, ...size, magnification } };
}

export function ExportDialog({ slide, context, job, onExportThumbnail, onExportSet, onExportRegion, onShowInFolder, onClose }: ExportDialogProps) {
  const t = useT();
  const { info } = slide;
  const hasScale = info.objectivePower !== null || info.mpp !== null;
  // From the grid, a set; else, reopened after an export of this slide, where that one was made, to show how it ended.
  const [kind, setKind] = useState<ExportKind>(() =>
    context.fromGrid ? 'set' : job.status !== 'idle' && job.source === exportSource(job.kind, [slide.slideId]) ? job.kind : 'thumbnail',
  );
  const [format, setFormat] = useState<ImageFormat>('png');
  const [sizeKind, setSizeKind] = useState<SizeKind>(hasScale ? 'power' : 'size');
  const [sizeTexts, setSizeTexts] = useState<Record<SizeKind, string>>({ power: '1.25', mpp: '8', size: '1024' });
  const [powerTexts, setPowerTexts] = useState<string[]>(() => context.powers.map((p) => formatPower(p)));
  const [mode, setMode] = useState<'slide' | 'field'>(context.fromGrid ? 'field' : 'slide');
  const [carryAdjustment, setCarryAdjustment] = useState(false);
  const colour = exportColour(context.colour, carryAdjustment);
  const running = job.status === 'running';
  const body = useFocusWhileRunning(running);
  const ids = useId();
  const annotationState = useAnnotationContext()?.session.getState();
  const annotationCount = annotationState?.document.annotations.length ?? 0;
  const [burn, setBurn] = useState(false);
  const annotations = burn && annotationCount > 0;
  // The detections shown over the slide (detections:read), drawn in as the view shows them: the classes it hides left out.
  const detectionStore = useDetectionStore();
  const shownDetections = detectionStore?.of(slide.slideId);
  const drawn = shownDetections?.status === 'shown' ? drawnForExport(shownDetections.layer) : null;
  const detectionCount = drawn?.count ?? 0;
  const [burnDetections, setBurnDetections] = useState(false);
  const detections = burnDetections && detectionCount > 0;
  const overlays = {
    annotations,
    detections,
    ...(detections && drawn?.classes ? { detectionClasses: drawn.classes } : {}),
    ...(detections && drawn ? { detectionDrawing: drawn.drawing } : {}),
  };
  // The region: the view, or the annotation selected when the dialog opened (its bounds).
  const [selected] = useState(() => {
    const annotation = annotationState?.document.annotations.find((a) => a.id === annotationState.selectedId);
    const box = annotation ? shapeBounds(annotation.shape) : null;
    // An annotation with an area: a point or a line along an axis has no region to export.
    const rect = box && box.maxX > box.minX && box.maxY > box.minY ? wholePixelsWithin(box, info) : null;
    return annotation && rect ? { rect, name: annotation.name || t(`shapes.${annotation.shape.kind}`) } : null;
  });
  const viewRect = context.view?.rect ?? null;
  const [area, setArea] = useState<'view' | 'selection'>(selected ? 'selection' : 'view');
  const regionRect = area === 'selection' ? (selected?.rect ?? null) : viewRect;
  const nativePower = powerAtDownsample(info, 1);
  // The view's magnification to start, at most the scan's.
  const [startPower] = useState(() => {
    const power = context.view?.power ?? nativePower;
    return power === null || nativePower === null ? null : Math.min(power, nativePower);
  });
  const [regionText, setRegionText] = useState(startPower === null ? '' : formatPower(startPower));
  const region = regionRect ? checkRegion(info, regionRect, regionText, startPower) : null;
  const [scaleBar, setScaleBar] = useState(info.mpp !== null);

  const thumbnail = checkThumbnail(info, sizeKind, sizeTexts[sizeKind]);
  // A text left as the grid had it keeps the grid's exact power.
  const powers = powerTexts.map((text, i) => resolveWritten(info, text, context.powers[i]));
  const setValid = powers.every((p) => p.ok);
  const { field } = context;

  const exportThumbnail = (): void => {
    if (!thumbnail.ok) return;
    onExportThumbnail({ slideId: slide.slideId, spec: thumbnail.value.spec, format, colour, ...overlays });
  };
  const exportSet = (): void => {
    const chosen = powers.flatMap((p) => (p.ok ? [p.power] : []));
    if (chosen.length !== powers.length) return;
    const comparisonMode: ComparisonMode = mode === 'slide' ? { kind: 'slide' } : { kind: 'field', ...field };
    onExportSet({ slideId: slide.slideId, powers: chosen, mode: comparisonMode, format, colour, ...overlays });
  };

  const exportRegion = (): void => {
    if (!regionRect || !region?.ok) return;
    onExportRegion({
      slideId: slide.slideId,
      ...regionRect,
      objectivePower: region.value.power,
      format,
      colour,
      ...overlays,
      scaleBar: scaleBar && info.mpp !== null,
    });
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
        aria-label={t('exportDialog.fieldWithUnit', { label, unit })}
        title={hint}
        spellCheck={false}
        data-testid={`thumb-${value}`}
      />
      <span className="muted">{unit}</span>
    </label>
  );

  return (
    <Modal title={t('exportDialog.title')} onClose={onClose} size="medium">
      <div className="export-dialog" ref={body} data-testid="export-dialog">
        <div className="segmented" role="radiogroup" aria-label={t('exportDialog.what')}>
          <label data-testid="export-kind-thumbnail">
            <input type="radio" className="visually-hidden" name={`${ids}-kind`} checked={kind === 'thumbnail'} onChange={() => setKind('thumbnail')} />
            {t('exportDialog.thumbnail')}
          </label>
          <label data-testid="export-kind-set">
            <input type="radio" className="visually-hidden" name={`${ids}-kind`} checked={kind === 'set'} onChange={() => setKind('set')} />
            {t('exportDialog.set')}
          </label>
          <label data-testid="export-kind-region">
            <input type="radio" className="visually-hidden" name={`${ids}-kind`} checked={kind === 'region'} onChange={() => setKind('region')} />
            {t('exportDialog.region')}
          </label>
        </div>

        {kind === 'thumbnail' ? (
          <section aria-label={t('exportDialog.thumbnail')}>
            <p className="muted small">{t('exportDialog.thumbnailIntro', { file: exportFileNames(info, [], format).thumbnail })}</p>
            <fieldset className="options" disabled={running}>
              <legend className="section-title">{t('exportDialog.size')}</legend>
              {sizeOption('power', t('exportDialog.objectivePower'), 'x', t('exportDialog.objectivePowerHint'))}
              {sizeOption('mpp', t('exportDialog.pixelSize'), 'µm/px', t('exportDialog.pixelSizeHint'))}
              {sizeOption('size', t('exportDialog.longestSide'), 'px', t('exportDialog.longestSideHint'))}
            </fieldset>
            {thumbnail.ok ? (
              <p className="export-summary" data-testid="thumb-summary">
                {thumbnail.value.magnification
                  ? t('exportDialog.summaryWithPower', {
                      width: formatCount(thumbnail.value.width),
                      height: formatCount(thumbnail.value.height),
                      magnification: thumbnail.value.magnification,
                    })
                  : t('exportDialog.summary', { width: formatCount(thumbnail.value.width), height: formatCount(thumbnail.value.height) })}
              </p>
            ) : (
              <p className="field-error" role="alert" data-testid="thumb-error">
                {thumbnail.reason}.
              </p>
            )}
          </section>
        ) : kind === 'region' ? (
          <section aria-label={t('exportDialog.region')}>
            <p className="muted small">
              {startPower === null
                ? t('exportDialog.regionIntroNoScale')
                : t('exportDialog.regionIntro', {
                    file: regionFileName(info, regionRect ?? { x: 0, y: 0, width: 1, height: 1 }, region?.ok ? region.value.power : startPower, format),
                  })}
            </p>
            <fieldset className="options" disabled={running}>
              <legend className="section-title">{t('exportDialog.area')}</legend>
              <label className="option-row">
                <input
                  type="radio"
                  name={`${ids}-area`}
                  checked={area === 'view'}
                  onChange={() => setArea('view')}
                  disabled={!viewRect}
                  data-testid="region-view"
                />
                <span>
                  {viewRect
                    ? t('exportDialog.regionView', { ...rectWords(viewRect) })
                    : t(context.view ? 'exportDialog.regionNothingShown' : 'exportDialog.regionViewGrid')}
                </span>
              </label>
              <label className="option-row">
                <input
                  type="radio"
                  name={`${ids}-area`}
                  checked={area === 'selection'}
                  onChange={() => setArea('selection')}
                  disabled={!selected}
                  data-testid="region-selection"
                />
                <span>
                  {selected ? t('exportDialog.regionSelection', { name: selected.name, ...rectWords(selected.rect) }) : t('exportDialog.regionNoSelection')}
                </span>
              </label>
            </fieldset>
            <fieldset className="options" disabled={running}>
              <legend className="section-title">{t('exportDialog.magnifications')}</legend>
              <label className="option-row">
                <span className="option-label">{t('exportDialog.regionMagnification')}</span>
                <input
                  className="text-input narrow"
                  value={regionText}
                  disabled={nativePower === null}
                  onChange={(event) => setRegionText(event.target.value)}
                  aria-invalid={region?.ok === false}
                  spellCheck={false}
                  data-testid="region-power"
                />
              </label>
              <label className="option-row">
                <input
                  type="checkbox"
                  checked={scaleBar && info.mpp !== null}
                  disabled={info.mpp === null}
                  onChange={(event) => setScaleBar(event.target.checked)}
                  data-testid="region-scale-bar"
                />
                <span>{info.mpp !== null ? t('exportDialog.scaleBar') : t('exportDialog.noScaleBar')}</span>
              </label>
            </fieldset>
            {region?.ok ? (
              <p className="export-summary" data-testid="region-summary">
                {t('exportDialog.summaryWithPower', {
                  width: formatCount(region.value.width),
                  height: formatCount(region.value.height),
                  magnification: region.value.magnification,
                })}
              </p>
            ) : region ? (
              <p className="field-error" role="alert" data-testid="region-error">
                {region.reason}.
              </p>
            ) : null}
          </section>
        ) : (
          <section aria-label={t('exportDialog.set')}>
            <p className="muted small">{t('exportDialog.setIntro')}</p>
            <fieldset className="options" disabled={running}>
              <legend className="section-title">{t('exportDialog.magnifications')}</legend>
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
                        aria-label={t('exportDialog.magnificationField', { index: index + 1 })}
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
              <legend className="section-title">{t('exportDialog.area')}</legend>
              <label className="option-row">
                <input type="radio" name={`${ids}-mode`} checked={mode === 'slide'} onChange={() => setMode('slide')} data-testid="set-mode-slide" />
                <span>{t('exportDialog.wholeSlide')}</span>
              </label>
              <label className="option-row">
                <input type="radio" name={`${ids}-mode`} checked={mode === 'field'} onChange={() => setMode('field')} data-testid="set-mode-field" />
                <span>
                  {t(context.fromGrid ? 'exportDialog.fieldOfViewGrid' : 'exportDialog.fieldOfViewView', {
                    width: field.panelWidth,
                    height: field.panelHeight,
                    x: Math.round(field.centerX),
                    y: Math.round(field.centerY),
                    max: LIMITS.maxPanelSide,
                  })}
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
          <span>{annotationCount > 0 ? t('exportDialog.annotations', { count: annotationCount }) : t('exportDialog.noAnnotations')}</span>
        </label>
        {detectionCount > 0 && (
          <label className="option-row">
            <input
              type="checkbox"
              checked={detections}
              disabled={running}
              onChange={(event) => setBurnDetections(event.target.checked)}
              data-testid="export-detections"
            />
            <span>{t('exportDialog.detections', { n: formatCount(detectionCount) })}</span>
          </label>
        )}

        <div className="export-actions">
          <FormatSelect value={format} onChange={setFormat} disabled={running} />
          <div className="toolbar-spacer" />
          {kind === 'thumbnail' ? (
            <button
              type="button"
              className="button button-primary"
              disabled={running || !thumbnail.ok}
              onClick={exportThumbnail}
              data-testid="export-thumbnail"
            >
              {t('exportDialog.exportThumbnail')}
            </button>
          ) : kind === 'region' ? (
            <button type="button" className="button button-primary" disabled={running || !region?.ok} onClick={exportRegion} data-testid="export-region">
              {t('exportDialog.exportRegion')}
            </button>
          ) : (
            <button type="button" className="button button-primary" disabled={running || !setValid} onClick={exportSet} data-testid="export-set">
              {t('exportDialog.exportSet')}
            </button>
          )}
        </div>

        <ExportStatus
          job={job}
          source={exportSource(kind, [slide.slideId])}
          sources={DIALOG_KINDS.map((k) => exportSource(k, [slide.slideId]))}
          onShowInFolder={onShowInFolder}
        />
      </div>
    </Modal>
  );
}

/**
 * Keeps the focus in an export dialog while its controls are disabled for a running export: on the
 * status region meanwhile, back on the export button when it ends. Otherwise it would drop to <body>
 * with the dialog still open. Returns the ref for the dialog's body.
 */
export function useFocusWhileRunning(running: boolean): RefObject<HTMLDivElement | null> {
  const body = useRef<HTMLDivElement>(null);
  const wasRunning = useRef(running);
  useEffect(() => {
    const root = body.current;
    const was = wasRunning.current;
    wasRunning.current = running;
    if (!root || was === running) return;
    const active = document.activeElement;
    const lost = !active || active === document.body || !root.contains(active) || active.matches(':disabled') || active.closest('fieldset:disabled') !== null;
    if (running) {
      if (lost) root.querySelector<HTMLElement>('.export-status')?.focus();
    } else if (lost || active?.matches('.export-status')) {
      const button = root.querySelector<HTMLButtonElement>('.export-actions .button-primary:not(:disabled)');
      (button ?? root.querySelector<HTMLElement>('.export-status'))?.focus();
    }
  }, [running]);
  return body;
}

/**
 * The export's progress and outcome, as this dialog (or the compare view's) shows it: one running,
 * always; one that ended, where it was made (`source`: this kind, these slides), and also elsewhere if
 * it ended while the dialog was open (the app then says nothing of it) and this dialog has no kind it
 * was made under (`sources`: one a dialog's kind, default `source`).
 */
export function ExportStatus({
  job,
  source,
  sources = [source],
  onShowInFolder,
}: {
  job: ExportJob;
  source: string;
  sources?: readonly string[];
  onShowInFolder: (path: string) => void;
}) {
  const t = useT();
  const [openedAt] = useState(() => performance.now());
  if (job.status === 'idle') return null;
  if (job.status !== 'running' && job.source !== source && (job.endedAt < openedAt || sources.includes(job.source))) return null;
  if (job.status === 'running') {
    const p = job.progress;
    return (
      <div className="export-status" role="status" tabIndex={-1} data-testid="export-status" data-status="running">
        <p>
          {p ? progressText(p.label) : t('exportDialog.waiting')}
          {p && p.total > 1 ? t('exportDialog.step', { step: Math.min(p.done + 1, p.total), total: p.total }) : ''}
        </p>
        <progress max={p?.total ?? 1} value={p?.done ?? undefined} aria-label={t('exportDialog.progress')} data-testid="export-progress" />
        <p className="muted small">{t('exportDialog.closeHint')}</p>
      </div>
    );
  }
  if (job.status === 'failed') {
    const { title, detail } = describeExportError(job.error);
    return (
      <div className="export-status export-failed" role="alert" tabIndex={-1} data-testid="export-status" data-status="failed" data-code={job.error.code}>
        <p className="notice-title">{title}</p>
        <p className="notice-detail" translate="no">
          {detail}
        </p>
      </div>
    );
  }
  if (job.files.length === 0) {
    return (
      <div className="export-status" role="status" tabIndex={-1} data-testid="export-status" data-status="cancelled">
        <p>{t('exportDialog.cancelled')}</p>
      </div>
    );
  }
  const last = job.files[job.files.length - 1] ?? '';
  return (
    <div className="export-status export-done" role="status" tabIndex={-1} data-testid="export-status" data-status="done">
      <p>{t('exportDialog.wrote', { files: t('common.files', { count: job.files.length }), slide: job.slideName, folder: dirName(last) })}</p>
      <ul className="export-files" data-testid="export-files" translate="no">
        {job.files.map((file) => (
          <li key={file} title={file}>
            {baseName(file)}
          </li>
        ))}
      </ul>
      <button type="button" className="button button-small" onClick={() => onShowInFolder(last)} data-testid="export-show-in-folder">
        {t('exportDialog.showInFolder')}
      </button>
    </div>
  );
}

/** A level-0 rectangle's words for a sentence: its size and corner, digits grouped. */
function rectWords(rect: LevelZeroRect): { width: string; height: string; x: string; y: string } {
  return { width: formatCount(rect.width), height: formatCount(rect.height), x: formatCount(rect.x), y: formatCount(rect.y) };
}

/** Progress labels from main's export pipeline: 'thumbnail', a power ('2.5x'), 'comparison', 'writing', 'done'. */
function progressText(label: string): string {
  if (label === 'thumbnail') return t('exportDialog.writingThumbnail');
  if (label === 'comparison') return t('exportDialog.composing');
  if (label === 'side-by-side') return t('exportDialog.composingSideBySide');
  if (label === 'writing') return t('exportDialog.writingFiles');
  if (label === 'done') return t('exportDialog.finishing');
  return t('exportDialog.reading', { power: label });
}
