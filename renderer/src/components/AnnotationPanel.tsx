// The annotation list beside the slide: counts and total areas per class (a click filters by it), the
// annotations with their measurements (a click centres the view on one), the selected one's name,
// class and description, the class list with its colours, and import and export of files; below
// them, QuPath's detections shown over the slide (DetectionPanel). Where the annotations are saved is
// said at the top.

import { type FormEvent, type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { measureShape } from '../../../shared/annotation-geometry';
import { type Annotation, type AnnotationFormat, classColor, hexToRgb, rgbToCss, rgbToHex } from '../../../shared/annotations';
import { classLabel } from '../../../shared/i18n/class-label';
import type { Mpp } from '../../../shared/slide';
import { useSessionState } from '../annotations/AnnotationContext';
import type { AnnotationSession, SaveStatus } from '../annotations/annotationSession';
import { describeMeasurement } from '../annotations/describeMeasurement';
import { useApi } from '../api';
import { refocusIfLost } from '../focus';
import type { Notice } from '../hooks/useNotices';
import { areaColumn, formatCount } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { baseName } from '../paths';
import { DetectionCounts } from './DetectionCounts';
import { DetectionPanel } from './DetectionPanel';
import { Icon } from './Icon';

/** Rows listed at most: a cell-counting session has thousands, which the class filter narrows. */
const MAX_ROWS = 300;

export interface AnnotationPanelProps {
  session: AnnotationSession;
  onClose: () => void;
  onNotice: (notice: Omit<Notice, 'id'>) => void;
}

interface ClassSummary {
  name: string | null;
  count: number;
  area: number;
}

function summarise(annotations: readonly Annotation[], mpp: Mpp | null): { rows: ClassSummary[]; unit: 'µm' | 'px' } {
  const byClass = new Map<string | null, ClassSummary>();
  for (const a of annotations) {
    const row = byClass.get(a.classification) ?? { name: a.classification, count: 0, area: 0 };
    byClass.set(a.classification, row);
    const m = measureShape(a.shape, mpp);
    row.count += m.count ?? 1;
    row.area += m.area ?? 0;
  }
  return { rows: [...byClass.values()], unit: mpp ? 'µm' : 'px' };
}

export function AnnotationPanel({ session, onClose, onNotice }: AnnotationPanelProps) {
  const t = useT();
  const api = useApi();
  const state = useSessionState(session);
  const { document, selectedId } = state;
  const { mpp } = session.info;
  const [filter, setFilter] = useState<string | null | undefined>(undefined);
  const summary = useMemo(() => summarise(document.annotations, mpp), [document.annotations, mpp]);
  const writeArea = useMemo(
    () =>
      areaColumn(
        summary.rows.map((row) => row.area),
        summary.unit,
      ),
    [summary],
  );
  const shown = useMemo(
    () => (filter === undefined ? document.annotations : document.annotations.filter((a) => a.classification === filter)),
    [document.annotations, filter],
  );
  const selected = document.annotations.find((a) => a.id === selectedId) ?? null;

  const importFile = async (): Promise<void> => {
    const result = await api.importAnnotations({ slideId: session.slideId });
    if (!result.ok) {
      onNotice({ kind: 'error', title: t('annotations.importFailed', { file: baseName(result.error.path ?? '') }), detail: result.error.message });
    } else if (result.value) {
      const merged = session.merge(result.value);
      if ('refused' in merged) {
        onNotice({
          kind: 'error',
          title: t('annotations.importFailed', { file: baseName(result.value.file) }),
          detail: t('annotations.pastLimits', { reason: merged.refused.message }),
        });
        return;
      }
      const count = merged.added;
      const { leftOut, skipped } = result.value;
      const held = result.value.document.annotations.length - count;
      const file = baseName(result.value.file);
      const details = [
        ...(held > 0 && count > 0 ? [t('annotations.alreadyThere', { count: held })] : []),
        ...(leftOut > 0 ? [t('annotations.leftOut', { count: leftOut })] : []),
        ...(skipped > 0 ? [t('annotations.skipped', { count: skipped })] : []),
      ];
      const detail = details.length > 0 ? { detail: details.join(' ') } : {};
      if (count === 0 && held > 0) onNotice({ kind: 'info', title: t('annotations.nothingNew', { count: held, file }), ...detail });
      else onNotice({ kind: 'info', title: t('annotations.imported', { count, file }), ...detail });
    }
  };
  const exportFile = async (format: AnnotationFormat): Promise<void> => {
    await session.flush();
    const result = await api.exportAnnotations({ slideId: session.slideId, format });
    if (!result.ok) onNotice({ kind: 'error', title: t('annotations.exportFailed'), detail: result.error.message });
    else if (result.value.files[0]) onNotice({ kind: 'info', title: t('annotations.exported', { file: baseName(result.value.files[0]) }) });
  };

  return (
    <aside className="metadata annotation-panel" aria-label={t('annotations.title')} data-testid="annotation-panel">
      <header className="metadata-header">
        <h2 className="metadata-title">{t('annotations.title')}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('annotations.close')} title={t('annotations.close')}>
          <Icon name="close" />
        </button>
      </header>
      <SaveLine status={state.save} />
      {!mpp && (
        <p className="notice-inline" data-testid="annotation-no-scale">
          {t('annotations.noScale')}
        </p>
      )}
      <div className="annotation-actions">
        <button
          type="button"
          className="button button-small"
          onClick={() => void importFile()}
          title={t('annotations.importTitle')}
          data-testid="annotation-import"
        >
          {t('annotations.importButton')}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => void exportFile('geojson')}
          title={t('annotations.exportGeoJsonTitle')}
          data-testid="annotation-export-geojson"
        >
          {t('annotations.exportGeoJson')}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => void exportFile('imagescope')}
          title={t('annotations.exportImageScopeTitle')}
          data-testid="annotation-export-imagescope"
        >
          {t('annotations.exportImageScope')}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => void exportFile('csv')}
          title={t('annotations.exportTableTitle')}
          data-testid="annotation-export-csv"
        >
          {t('annotations.exportTable')}
        </button>
      </div>
      <DetectionPanel slideId={session.slideId} onNotice={onNotice} />

      <h3 className="section-title">{t('annotations.byClass')}</h3>
      <table className="annotation-summary" data-testid="annotation-summary">
        <thead>
          <tr>
            <th className="summary-cell summary-head">{t('common.class')}</th>
            <th className="summary-cell summary-head number">{t('annotations.countColumn')}</th>
            <th className="summary-cell summary-head number">{t('annotations.areaColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {/* A whole row filters on a click; its first cell's button is the row's keyboard and screen-reader
              control (it has no handler of its own: its click, by Enter or Space too, reaches the row's). */}
          <tr className={filter === undefined ? 'active' : ''} onClick={() => setFilter(undefined)} data-testid="summary-all">
            <td className="summary-cell">
              <button type="button" className="summary-filter" aria-pressed={filter === undefined}>
                {t('annotations.allClasses')}
              </button>
            </td>
            <td className="summary-cell number">{formatCount(document.annotations.length)}</td>
            <td className="summary-cell" />
          </tr>
          {summary.rows.map((row) => (
            <tr
              key={row.name ?? ''}
              className={filter === row.name ? 'active' : ''}
              onClick={() => setFilter(filter === row.name ? undefined : row.name)}
              data-testid={`summary-${row.name ?? 'unclassified'}`}
            >
              <td className="summary-cell">
                <button type="button" className="summary-filter" aria-pressed={filter === row.name}>
                  <span className="class-swatch" style={{ background: rgbToCss(classColor(document.classes, row.name)) }} aria-hidden="true" />
                  {classLabel(t, row.name)}
                </button>
              </td>
              <td className="summary-cell number">{formatCount(row.count)}</td>
              <td className="summary-cell number" data-testid="summary-area">
                {row.area > 0 ? writeArea(row.area) : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 className="section-title">{t('annotations.list')}</h3>
      {shown.length === 0 ? (
        <p className="muted small">{filter === undefined ? t('annotations.listEmpty') : t('annotations.listFiltered')}</p>
      ) : (
        <ul className="annotation-list" data-testid="annotation-list">
          {shown.slice(0, MAX_ROWS).map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={`annotation-row${a.id === selectedId ? ' selected' : ''}`}
                aria-current={a.id === selectedId ? 'true' : undefined}
                onClick={() => session.focus(a.id)}
                data-testid="annotation-row"
                data-id={a.id}
              >
                <span className="class-swatch" style={{ background: rgbToCss(classColor(document.classes, a.classification)) }} aria-hidden="true" />
                <span className="annotation-row-name">{a.name || t(`shapes.${a.shape.kind}`)}</span>
                <span className="annotation-row-measure" title={describeMeasurement(a.shape, mpp)} data-testid="annotation-row-measure">
                  {describeMeasurement(a.shape, mpp)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {shown.length > MAX_ROWS && <p className="muted small">{t('annotations.more', { count: shown.length - MAX_ROWS })}</p>}

      {selected && <SelectedEditor key={selected.id} session={session} annotation={selected} />}
      <ClassEditor session={session} onRenamed={(from, to) => setFilter((f) => (f === from ? to : f))} />
    </aside>
  );
}

function SaveLine({ status }: { status: SaveStatus }) {
  const t = useT();
  let text: string;
  if (status.state === 'loading') text = t('annotations.loading');
  else if (status.state === 'saving') text = t('annotations.saving');
  else if (status.state === 'failed') text = t('annotations.saveFailed', { reason: status.error.message });
  else if (!status.location) text = t('annotations.notSavedYet');
  else text = status.location.beside ? t('annotations.savedBeside', { file: baseName(status.location.path) }) : t('annotations.savedAppData');
  return (
    <p className={`muted small annotation-save${status.state === 'failed' ? ' field-error' : ''}`} data-testid="annotation-save" data-state={status.state}>
      {text}
    </p>
  );
}

function SelectedEditor({ session, annotation }: { session: AnnotationSession; annotation: Annotation }) {
  const t = useT();
  const { document } = useSessionState(session);
  const [name, setName] = useState(annotation.name);
  const [description, setDescription] = useState(annotation.description);
  useEffect(() => {
    setName(annotation.name);
    setDescription(annotation.description);
  }, [annotation.name, annotation.description]);
  const commit = (patch: Partial<Pick<Annotation, 'name' | 'description' | 'classification'>>): void => {
    if (Object.entries(patch).every(([k, v]) => annotation[k as keyof typeof patch] === v)) return;
    session.update(annotation.id, (a) => ({ ...a, ...patch }));
  };
  const onNameKey = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'Enter') commit({ name: name.trim() });
  };
  return (
    <section className="annotation-editor" data-testid="annotation-editor">
      <h3 className="section-title">{t('annotations.selected')}</h3>
      <label className="field">
        <span>{t('annotations.name')}</span>
        <input
          className="text-input"
          value={name}
          maxLength={500}
          onChange={(event) => setName(event.target.value.replace(/[\r\n\t]/g, ' '))}
          onBlur={() => commit({ name: name.trim() })}
          onKeyDown={onNameKey}
          data-testid="annotation-name"
        />
      </label>
      <label className="field">
        <span>{t('common.class')}</span>
        <select
          value={annotation.classification ?? ''}
          onChange={(event) => commit({ classification: event.target.value === '' ? null : event.target.value })}
          data-testid="annotation-class"
        >
          <option value="">{t('common.unclassified')}</option>
          {document.classes.map((c) => (
            <option key={c.name} value={c.name}>
              {classLabel(t, c.name)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('annotations.description')}</span>
        <textarea
          className="text-input"
          rows={3}
          value={description}
          maxLength={20_000}
          onChange={(event) => setDescription(event.target.value)}
          onBlur={() => commit({ description })}
          data-testid="annotation-description"
        />
      </label>
      <p className="annotation-editor-measure" data-testid="annotation-editor-measure">
        {describeMeasurement(annotation.shape, session.info.mpp)}
      </p>
      <DetectionCounts slideId={session.slideId} annotation={annotation} mpp={session.info.mpp} />
      <button
        type="button"
        className="button button-small"
        onClick={(event) => {
          const panel = event.currentTarget.closest('aside');
          const rows = [...(panel?.querySelectorAll<HTMLElement>('[data-testid="annotation-row"]') ?? [])];
          const index = rows.findIndex((row) => row.dataset['id'] === annotation.id);
          session.remove(annotation.id);
          // The editor goes with the annotation: the row that took its place in the list (or the last) gets the focus, else the panel's Import.
          refocusIfLost(() => {
            const left = [...(panel?.querySelectorAll<HTMLElement>('[data-testid="annotation-row"]') ?? [])];
            return left[Math.min(Math.max(index, 0), left.length - 1)] ?? panel?.querySelector<HTMLElement>('[data-testid="annotation-import"]');
          });
        }}
        data-testid="annotation-remove"
      >
        <Icon name="trash" size={16} />
        {t('annotations.remove')}
      </button>
    </section>
  );
}

/** The slide's classes: colour, name, added and removed. `onRenamed` lets the list's filter follow a rename. */
function ClassEditor({ session, onRenamed }: { session: AnnotationSession; onRenamed: (from: string, to: string) => void }) {
  const t = useT();
  const { document } = useSessionState(session);
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const classes = document.classes;
  // Rows keyed by a number that follows a rename: keyed by name, a renamed row was rebuilt and its
  // field lost the focus, so the next letters typed went to the slide's shortcuts.
  const keys = useRef({ next: 0, of: new Map<string, number>() });
  const keyOf = (name: string): number => {
    const { of } = keys.current;
    let key = of.get(name);
    if (key === undefined) {
      key = keys.current.next++;
      of.set(name, key);
    }
    return key;
  };
  const add = (event: FormEvent): void => {
    event.preventDefault();
    const name = newName.trim();
    if (!name) return;
    if (classes.some((c) => c.name === name)) {
      setError(t('annotations.classTaken'));
      return;
    }
    // A colour of its own: spread around the hue circle by the golden angle.
    const hue = (classes.length * 137.5) % 360;
    session.setClasses([...classes, { name, color: hslToRgb(hue, 0.65, 0.45) }]);
    setNewName('');
    setError(null);
  };
  return (
    <details className="class-editor" data-testid="class-editor">
      <summary className="section-title">{t('annotations.classes')}</summary>
      <ul className="class-list">
        {classes.map((c) => {
          // QuPath's standard classes keep their stored (English) names, which the field edits; the
          // window's language names them beside it and in the labels ("종양 (Tumor)"), as elsewhere.
          const label = classLabel(t, c.name);
          // Beside the field, which shows "Tumor", "종양" is enough of "종양 (Tumor)".
          const shown = label.endsWith(` (${c.name})`) ? label.slice(0, -(c.name.length + 3)) : label;
          return (
            <li key={keyOf(c.name)} className="class-item">
              <input
                type="color"
                value={rgbToHex(c.color)}
                aria-label={t('annotations.classColor', { name: label })}
                onChange={(event) => {
                  const color = hexToRgb(event.target.value);
                  if (color) session.setClasses(classes.map((k) => (k.name === c.name ? { ...k, color } : k)));
                }}
                data-testid={`class-color-${c.name}`}
              />
              <ClassName
                name={c.name}
                label={label}
                taken={(name) => classes.some((k) => k.name === name)}
                onRename={(to) => {
                  keys.current.of.set(to, keyOf(c.name));
                  keys.current.of.delete(c.name);
                  session.renameClass(c.name, to);
                  onRenamed(c.name, to);
                }}
              />
              {label !== c.name && (
                <span className="class-translated muted small" title={label} data-testid={`class-label-${c.name}`}>
                  {shown}
                </span>
              )}
              <button
                type="button"
                className="icon-button"
                aria-label={t('annotations.removeClass', { name: label })}
                title={t('annotations.removeClass', { name: label })}
                onClick={() => session.setClasses(classes.filter((k) => k.name !== c.name))}
              >
                <Icon name="close" size={16} />
              </button>
            </li>
          );
        })}
      </ul>
      <form className="class-add" onSubmit={add}>
        <input
          className="text-input"
          value={newName}
          maxLength={500}
          placeholder={t('annotations.newClass')}
          aria-label={t('annotations.newClass')}
          onChange={(event) => {
            setNewName(event.target.value.replace(/[\r\n\t]/g, ' '));
            setError(null);
          }}
          data-testid="class-new-name"
        />
        <button type="submit" className="button button-small" data-testid="class-add">
          {t('annotations.addClass')}
        </button>
      </form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}

function ClassName({ name, label, taken, onRename }: { name: string; label: string; taken: (name: string) => boolean; onRename: (to: string) => void }) {
  const t = useT();
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name]);
  const commit = (): void => {
    const to = text.trim();
    if (to && to !== name && !taken(to)) onRename(to);
    else setText(name);
  };
  return (
    <input
      className="text-input class-name"
      value={text}
      maxLength={500}
      aria-label={t('annotations.className', { name: label })}
      onChange={(event) => setText(event.target.value.replace(/[\r\n\t]/g, ' '))}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
      }}
    />
  );
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number): number => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}
