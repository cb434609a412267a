// The annotation tools above the slide: the tool in use, the class new shapes get, undo and redo,
// delete, and the annotation list. The same tools answer keys and the right-click menu.

import { classColor, rgbToCss } from '../../../shared/annotations';
import { useAnnotationContext, useSessionState } from '../annotations/AnnotationContext';
import type { AnnotationSession } from '../annotations/annotationSession';
import { TOOL_INFO } from '../annotations/tools';
import { Icon } from './Icon';

const TEXT = {
  toolbar: 'Annotation tools',
  classLabel: 'Class',
  classTitle: 'The class new annotations get',
  unclassified: 'Unclassified',
  undo: 'Undo (Ctrl+Z)',
  redo: 'Redo (Ctrl+Shift+Z)',
  remove: 'Delete the selected annotation (Delete)',
  list: 'Annotation list: measurements, classes, import and export (A)',
};

export function AnnotationToolbar() {
  const context = useAnnotationContext();
  if (!context) return null;
  return <Tools session={context.session} panelOpen={context.panelOpen} onTogglePanel={context.togglePanel} />;
}

function Tools({ session, panelOpen, onTogglePanel }: { session: AnnotationSession; panelOpen: boolean; onTogglePanel: () => void }) {
  const state = useSessionState(session);
  return (
    <div className="toolbar annotation-toolbar" role="toolbar" aria-label={TEXT.toolbar} data-testid="annotation-toolbar">
      <div className="toolbar-group">
        {TOOL_INFO.map((info) => (
          <button
            key={info.tool}
            type="button"
            className="icon-button"
            aria-label={info.label}
            aria-pressed={state.tool === info.tool}
            title={info.title}
            onClick={() => session.setTool(info.tool)}
            data-testid={`tool-${info.tool}`}
          >
            <Icon name={info.icon} />
          </button>
        ))}
      </div>
      <label className="annotation-class-select" title={TEXT.classTitle}>
        <span className="muted small">{TEXT.classLabel}</span>
        <span className="class-swatch" style={{ background: rgbToCss(classColor(state.document.classes, state.activeClass)) }} aria-hidden="true" />
        <select
          value={state.activeClass ?? ''}
          onChange={(event) => session.setActiveClass(event.target.value === '' ? null : event.target.value)}
          data-testid="active-class"
        >
          <option value="">{TEXT.unclassified}</option>
          {state.document.classes.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <div className="toolbar-group">
        <button
          type="button"
          className="icon-button"
          aria-label={TEXT.undo}
          title={TEXT.undo}
          disabled={!state.canUndo}
          onClick={() => session.undo()}
          data-testid="annotation-undo"
        >
          <Icon name="undo" />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={TEXT.redo}
          title={TEXT.redo}
          disabled={!state.canRedo}
          onClick={() => session.redo()}
          data-testid="annotation-redo"
        >
          <Icon name="redo" />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={TEXT.remove}
          title={TEXT.remove}
          disabled={state.selectedId === null}
          onClick={() => state.selectedId && session.remove(state.selectedId)}
          data-testid="annotation-delete"
        >
          <Icon name="trash" />
        </button>
      </div>
      <div className="toolbar-spacer" />
      <button
        type="button"
        className="icon-button"
        aria-label={TEXT.list}
        aria-pressed={panelOpen}
        title={TEXT.list}
        onClick={onTogglePanel}
        data-testid="annotation-list-toggle"
      >
        <Icon name="list" />
      </button>
    </div>
  );
}
