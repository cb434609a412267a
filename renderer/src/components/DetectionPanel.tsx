// The annotation list's part for QuPath's detections shown over the slide: Show detections… (the file
// is read by the engine, seconds for a large export, while the button waits), then the file, the
// counts by kind, each class with its colour, count and a checkbox, all of them at once, outlines or
// filled, nuclei, opacity, and Remove. What a file could not give is said as a notice.

import { useId } from 'react';
import { rgbToCss } from '../../../shared/annotations';
import { DETECTION_KINDS, DETECTION_STYLES, type DetectionKind } from '../../../shared/detections';
import type { MessageKey } from '../../../shared/i18n/catalogue';
import { classLabel } from '../../../shared/i18n/class-label';
import type { SlideId } from '../../../shared/ipc';
import { useDetectionStore, useSlideDetections } from '../annotations/DetectionContext';
import { hasNuclei, withClassShown } from '../annotations/detectionLayer';
import type { DetectionStore } from '../annotations/detectionStore';
import { useApi } from '../api';
import { keepStepKeys, refocusIfLost } from '../focus';
import type { Notice } from '../hooks/useNotices';
import { formatCount, formatPercent } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { baseName } from '../paths';

export interface DetectionPanelProps {
  slideId: SlideId;
  onNotice: (notice: Omit<Notice, 'id'>) => void;
}

export function DetectionPanel(props: DetectionPanelProps) {
  const store = useDetectionStore();
  return store ? <Detections store={store} {...props} /> : null;
}

const KIND_COUNTS = { cell: 'detections.cells', detection: 'detections.detections', tile: 'detections.tiles' } as const satisfies Record<
  DetectionKind,
  MessageKey
>;

function Detections({ store, slideId, onNotice }: DetectionPanelProps & { store: DetectionStore }) {
  const t = useT();
  const api = useApi();
  const id = useId();
  const state = useSlideDetections(store, slideId);
  const reading = state?.status === 'reading';
  const busy = reading || state?.status === 'choosing';
  const layer = state?.layer ?? null;

  const open = async (button: HTMLButtonElement): Promise<void> => {
    const outcome = await store.open(slideId);
    // Disabled while the file was read, the button lost the focus: a keyboard user's place is kept.
    refocusIfLost(() => (button.isConnected ? button : null));
    if (outcome.kind === 'failed') {
      const { path, message } = outcome.error;
      onNotice({ kind: 'error', title: path ? t('detections.openFailed', { file: baseName(path) }) : t('detections.openFailedNoFile'), detail: message });
    } else if (outcome.kind === 'empty') {
      const detail = outcome.leftOut > 0 ? { detail: t('detections.leftOut', { count: outcome.leftOut }) } : {};
      onNotice({ kind: 'info', title: t('detections.empty', { file: baseName(outcome.file) }), ...detail });
    }
  };
  const change = store.update.bind(store, slideId);
  const exportTable = async (): Promise<void> => {
    const result = await api.exportDetectionTable({ slideId });
    if (!result.ok) onNotice({ kind: 'error', title: t('detections.exportFailed'), detail: result.error.message });
    else if (result.value.files[0]) onNotice({ kind: 'info', title: t('detections.exported', { file: baseName(result.value.files[0]) }) });
  };

  const set = layer?.set;
  const shownCount = layer ? layer.shown.reduce((sum, on) => sum + on, 0) : 0;
  const kinds = set
    ? DETECTION_KINDS.filter((kind) => set.kinds[kind] > 0)
        .map((kind) => t(KIND_COUNTS[kind], { count: set.kinds[kind], n: formatCount(set.kinds[kind]) }))
        .join(' · ')
    : '';

  return (
    <section className="detection-part" aria-labelledby={`${id}-title`} data-testid="detections">
      <h3 className="section-title" id={`${id}-title`}>
        {t('detections.title')}
      </h3>
      <div className="annotation-actions">
        <button
          type="button"
          className="button button-small"
          onClick={(event) => void open(event.currentTarget)}
          disabled={busy}
          title={t('detections.showTitle')}
          data-testid="detections-show"
        >
          {t('detections.show')}
        </button>
        {layer && (
          <button
            type="button"
            className="button button-small"
            onClick={(event) => {
              const panel = event.currentTarget.closest('section');
              store.remove(slideId);
              refocusIfLost(() => panel?.querySelector<HTMLElement>('[data-testid="detections-show"]'));
            }}
            disabled={busy}
            title={t('detections.removeTitle')}
            data-testid="detections-remove"
          >
            {t('detections.remove')}
          </button>
        )}
        {layer && (
          <button
            type="button"
            className="button button-small"
            onClick={() => void exportTable()}
            disabled={busy}
            title={t('detections.exportTableTitle')}
            data-testid="detections-export-table"
          >
            {t('detections.exportTable')}
          </button>
        )}
      </div>
      {state?.status === 'reading' && (
        <p className="muted small" role="status" title={state.file} data-testid="detections-reading">
          <span className="spinner" aria-hidden="true" /> {t('detections.reading', { file: baseName(state.file) })}
        </p>
      )}
      {state?.status === 'lost' && (
        <p className="muted small" title={state.file} data-testid="detections-lost">
          {t(state.forgotten ? 'detections.lost' : 'detections.unread', { file: baseName(state.file) })} {state.error?.message ?? t('detections.lostEmpty')}
        </p>
      )}
      {set && layer && (
        <>
          <p className="muted small detection-file" title={set.path} data-testid="detections-file">
            {t('detections.from', { file: baseName(set.path) })}
          </p>
          <p className="small" data-testid="detections-counts">
            {kinds}
          </p>
          {set.leftOut > 0 && <p className="muted small">{t('detections.leftOut', { count: set.leftOut })}</p>}
          <fieldset className="detection-classes">
            <legend className="small">{t('detections.classes')}</legend>
            <label className="detection-class">
              <input
                type="checkbox"
                checked={shownCount === layer.shown.length}
                ref={(box) => {
                  if (box) box.indeterminate = shownCount > 0 && shownCount < layer.shown.length;
                }}
                onChange={(event) => change((l) => withClassShown(l, null, event.target.checked))}
                data-testid="detections-all"
              />
              <span className="detection-class-name">{t('detections.allClasses')}</span>
              <span className="detection-class-count">{formatCount(set.count)}</span>
            </label>
            {set.classes.map((c, index) => (
              <label key={c.name ?? ''} className="detection-class" data-testid={`detection-class-${c.name ?? 'unclassified'}`}>
                <input type="checkbox" checked={layer.shown[index] === 1} onChange={(event) => change((l) => withClassShown(l, index, event.target.checked))} />
                <span className="class-swatch" style={{ background: rgbToCss(c.color) }} aria-hidden="true" />
                <span className="detection-class-name">{classLabel(t, c.name)}</span>
                <span className="detection-class-count">{formatCount(c.count)}</span>
              </label>
            ))}
          </fieldset>
          <fieldset className="detection-style">
            <legend className="small">{t('detections.drawnAs')}</legend>
            {DETECTION_STYLES.map((style) => (
              <label key={style} className="detection-style-choice">
                <input
                  type="radio"
                  name={`${id}-style`}
                  checked={layer.style === style}
                  onChange={() => change((l) => ({ ...l, style }))}
                  data-testid={`detections-style-${style}`}
                />
                {t(`detections.${style}`)}
              </label>
            ))}
          </fieldset>
          {hasNuclei(set) && (
            <label className="detection-option">
              <input
                type="checkbox"
                checked={layer.nuclei}
                onChange={(event) => change((l) => ({ ...l, nuclei: event.target.checked }))}
                data-testid="detections-nuclei"
              />
              {t('detections.nuclei')}
            </label>
          )}
          <label className="detection-option">
            {t('detections.opacity')}
            <input
              type="range"
              min={10}
              max={100}
              step={5}
              value={Math.round(layer.opacity * 100)}
              aria-valuetext={formatPercent(layer.opacity)}
              onKeyDown={keepStepKeys}
              onChange={(event) => change((l) => ({ ...l, opacity: Number(event.target.value) / 100 }))}
              data-testid="detections-opacity"
            />
          </label>
        </>
      )}
    </section>
  );
}
