// The annotation list beside the slide: counts and total areas per class (a click filters by it), the
// annotations with their measurements (a click centres the view on one), the selected one's name,
// class and description, the class list with its colours, and import and export of files. Where the
// annotations are saved is said at the top.

import { type FormEvent, type KeyboardEvent, useEffect, useMemo, useState } from 'react';
import { formatArea, measureShape } from '../../../shared/annotation-geometry';
import { type Annotation, type AnnotationFormat, classColor, hexToRgb, rgbToCss, rgbToHex, type ShapeKind } from '../../../shared/annotations';
import type { Mpp } from '../../../shared/slide';
import { useSessionState } from '../annotations/AnnotationContext';
import type { AnnotationSession, SaveStatus } from '../annotations/annotationSession';
import { describeMeasurement } from '../annotations/describeMeasurement';
import { fillText } from '../annotations/fillText';
import { useApi } from '../api';
import type { Notice } from '../hooks/useNotices';
import { baseName } from '../paths';
import { Icon } from './Icon';

const TEXT = {
  title: 'Annotations',
  close: 'Close the annotation list (A)',
  loading: 'Reading the annotations…',
  savedBeside: 'Saved beside the slide as {file}',
  savedAppData: 'Saved in the app’s data folder: the slide’s folder is read-only',
  notSavedYet: 'Nothing to save yet: draw with the tools above the slide',
  saving: 'Saving…',
  saveFailed: 'Not saved: {reason}',
  noScale: 'This slide records no pixel size: lengths and areas are in pixels.',
  importButton: 'Import…',
  importTitle: 'Add the annotations of a GeoJSON (QuPath, TIAToolbox) or ImageScope XML file',
  exportGeoJson: 'Export GeoJSON…',
  exportGeoJsonTitle: 'Write them as GeoJSON, which QuPath, TIAToolbox and shapely read',
  exportImageScope: 'Export ImageScope XML…',
  exportImageScopeTitle: 'Write them as Aperio ImageScope XML',
  imported: 'Imported {count} annotations from {file}',
  importedOne: 'Imported 1 annotation from {file}',
  importFailed: 'The annotations of {file} could not be imported',
  exported: 'Annotations exported to {file}',
  exportFailed: 'The annotations could not be exported',
  byClass: 'By class',
  classColumn: 'Class',
  countColumn: 'Count',
  areaColumn: 'Total area',
  allClasses: 'All classes',
  unclassified: 'Unclassified',
  list: 'Annotations',
  listEmpty: 'None yet.',
  listFiltered: 'None of this class.',
  more: '{count} more not listed: filter by class to see them.',
  selected: 'Selected',
  name: 'Name',
  classField: 'Class',
  description: 'Description',
  remove: 'Delete',
  classes: 'Classes',
  classColor: 'Colour of {name}',
  className: 'Name of class {name}',
  removeClass: 'Remove class {name} (its annotations become unclassified)',
  newClass: 'New class name',
  addClass: 'Add',
  classTaken: 'There is already a class of that name.',
  kinds: {
    line: 'Ruler',
    point: 'Points',
    rectangle: 'Rectangle',
    ellipse: 'Ellipse',
    polygon: 'Polygon',
    freehand: 'Freehand',
  } satisfies Record<ShapeKind, string>,
};

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
  const api = useApi();
  const state = useSessionState(session);
  const { document, selectedId } = state;
  const { mpp } = session.info;
  const [filter, setFilter] = useState<string | null | undefined>(undefined);
  const summary = useMemo(() => summarise(document.annotations, mpp), [document.annotations, mpp]);
  const shown = useMemo(
    () => (filter === undefined ? document.annotations : document.annotations.filter((a) => a.classification === filter)),
    [document.annotations, filter],
  );
  const selected = document.annotations.find((a) => a.id === selectedId) ?? null;

  const importFile = async (): Promise<void> => {
    const result = await api.importAnnotations({ slideId: session.slideId });
    if (!result.ok) {
      onNotice({ kind: 'error', title: fillText(TEXT.importFailed, { file: baseName(result.error.path ?? '') }), detail: result.error.message });
    } else if (result.value) {
      session.merge(result.value);
      const count = result.value.document.annotations.length;
      onNotice({ kind: 'info', title: fillText(count === 1 ? TEXT.importedOne : TEXT.imported, { count, file: baseName(result.value.file) }) });
    }
  };
  const exportFile = async (format: AnnotationFormat): Promise<void> => {
    await session.flush();
    const result = await api.exportAnnotations({ slideId: session.slideId, format });
    if (!result.ok) onNotice({ kind: 'error', title: TEXT.exportFailed, detail: result.error.message });
    else if (result.value.files[0]) onNotice({ kind: 'info', title: fillText(TEXT.exported, { file: baseName(result.value.files[0]) }) });
  };

  return (
    <aside className="metadata annotation-panel" aria-label={TEXT.title} data-testid="annotation-panel">
      <header className="metadata-header">
        <h2 className="metadata-title">{TEXT.title}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={TEXT.close} title={TEXT.close}>
          <Icon name="close" />
        </button>
      </header>
      <SaveLine status={state.save} />
      {!mpp && (
        <p className="notice-inline" data-testid="annotation-no-scale">
          {TEXT.noScale}
        </p>
      )}
      <div className="annotation-actions">
        <button type="button" className="button button-small" onClick={() => void importFile()} title={TEXT.importTitle} data-testid="annotation-import">
          {TEXT.importButton}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => void exportFile('geojson')}
          title={TEXT.exportGeoJsonTitle}
          data-testid="annotation-export-geojson"
        >
          {TEXT.exportGeoJson}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => void exportFile('imagescope')}
          title={TEXT.exportImageScopeTitle}
          data-testid="annotation-export-imagescope"
        >
          {TEXT.exportImageScope}
        </button>
      </div>

      <h3 className="section-title">{TEXT.byClass}</h3>
      <table className="annotation-summary" data-testid="annotation-summary">
        <thead>
          <tr>
            <th className="summary-cell summary-head">{TEXT.classColumn}</th>
            <th className="summary-cell summary-head number">{TEXT.countColumn}</th>
            <th className="summary-cell summary-head number">{TEXT.areaColumn}</th>
          </tr>
        </thead>
        <tbody>
          <tr className={filter === undefined ? 'active' : ''} onClick={() => setFilter(undefined)} data-testid="summary-all">
            <td className="summary-cell">{TEXT.allClasses}</td>
            <td className="summary-cell number">{document.annotations.length}</td>
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
                <span className="class-swatch" style={{ background: rgbToCss(classColor(document.classes, row.name)) }} aria-hidden="true" />
                {row.name ?? TEXT.unclassified}
              </td>
              <td className="summary-cell number">{row.count}</td>
              <td className="summary-cell number" data-testid="summary-area">
                {row.area > 0 ? formatArea(row.area, summary.unit) : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 className="section-title">{TEXT.list}</h3>
      {shown.length === 0 ? (
        <p className="muted small">{filter === undefined ? TEXT.listEmpty : TEXT.listFiltered}</p>
      ) : (
        <ul className="annotation-list" data-testid="annotation-list">
          {shown.slice(0, MAX_ROWS).map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={`annotation-row${a.id === selectedId ? ' selected' : ''}`}
                onClick={() => session.focus(a.id)}
                data-testid="annotation-row"
                data-id={a.id}
              >
                <span className="class-swatch" style={{ background: rgbToCss(classColor(document.classes, a.classification)) }} aria-hidden="true" />
                <span className="annotation-row-name">{a.name || TEXT.kinds[a.shape.kind]}</span>
                <span className="annotation-row-measure" data-testid="annotation-row-measure">
                  {describeMeasurement(a.shape, mpp)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {shown.length > MAX_ROWS && <p className="muted small">{fillText(TEXT.more, { count: shown.length - MAX_ROWS })}</p>}

      {selected && <SelectedEditor key={selected.id} session={session} annotation={selected} />}
      <ClassEditor session={session} />
    </aside>
  );
}

function SaveLine({ status }: { status: SaveStatus }) {
  let text: string;
  if (status.state === 'loading') text = TEXT.loading;
  else if (status.state === 'saving') text = TEXT.saving;
  else if (status.state === 'failed') text = fillText(TEXT.saveFailed, { reason: status.error.message });
  else if (!status.location) text = TEXT.notSavedYet;
  else text = status.location.beside ? fillText(TEXT.savedBeside, { file: baseName(status.location.path) }) : TEXT.savedAppData;
  return (
    <p className={`muted small annotation-save${status.state === 'failed' ? ' field-error' : ''}`} data-testid="annotation-save" data-state={status.state}>
      {text}
    </p>
  );
}

function SelectedEditor({ session, annotation }: { session: AnnotationSession; annotation: Annotation }) {
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
      <h3 className="section-title">{TEXT.selected}</h3>
      <label className="field">
        <span>{TEXT.name}</span>
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
        <span>{TEXT.classField}</span>
        <select
          value={annotation.classification ?? ''}
          onChange={(event) => commit({ classification: event.target.value === '' ? null : event.target.value })}
          data-testid="annotation-class"
        >
          <option value="">{TEXT.unclassified}</option>
          {document.classes.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{TEXT.description}</span>
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
      <button type="button" className="button button-small" onClick={() => session.remove(annotation.id)} data-testid="annotation-remove">
        <Icon name="trash" size={16} />
        {TEXT.remove}
      </button>
    </section>
  );
}

function ClassEditor({ session }: { session: AnnotationSession }) {
  const { document } = useSessionState(session);
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const classes = document.classes;
  const add = (event: FormEvent): void => {
    event.preventDefault();
    const name = newName.trim();
    if (!name) return;
    if (classes.some((c) => c.name === name)) {
      setError(TEXT.classTaken);
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
      <summary className="section-title">{TEXT.classes}</summary>
      <ul className="class-list">
        {classes.map((c) => (
          <li key={c.name} className="class-item">
            <input
              type="color"
              value={rgbToHex(c.color)}
              aria-label={fillText(TEXT.classColor, { name: c.name })}
              onChange={(event) => {
                const color = hexToRgb(event.target.value);
                if (color) session.setClasses(classes.map((k) => (k.name === c.name ? { ...k, color } : k)));
              }}
              data-testid={`class-color-${c.name}`}
            />
            <ClassName name={c.name} taken={(name) => classes.some((k) => k.name === name)} onRename={(to) => session.renameClass(c.name, to)} />
            <button
              type="button"
              className="icon-button"
              aria-label={fillText(TEXT.removeClass, { name: c.name })}
              title={fillText(TEXT.removeClass, { name: c.name })}
              onClick={() => session.setClasses(classes.filter((k) => k.name !== c.name))}
            >
              <Icon name="close" size={16} />
            </button>
          </li>
        ))}
      </ul>
      <form className="class-add" onSubmit={add}>
        <input
          className="text-input"
          value={newName}
          maxLength={500}
          placeholder={TEXT.newClass}
          aria-label={TEXT.newClass}
          onChange={(event) => {
            setNewName(event.target.value.replace(/[\r\n\t]/g, ' '));
            setError(null);
          }}
          data-testid="class-new-name"
        />
        <button type="submit" className="button button-small" data-testid="class-add">
          {TEXT.addClass}
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

function ClassName({ name, taken, onRename }: { name: string; taken: (name: string) => boolean; onRename: (to: string) => void }) {
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
      aria-label={fillText(TEXT.className, { name })}
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
