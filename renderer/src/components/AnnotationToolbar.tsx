// The annotation tools above the slide: the tool in use, the class new shapes get, undo and redo,
// delete, and the annotation list. The same tools answer keys and the right-click menu. Beside them, the
// live region that says each step of a shape drawn from the keyboard.

import { classColor, rgbToCss } from '../../../shared/annotations';
import { classLabel } from '../../../shared/i18n/class-label';
import { useAnnotationContext, useSessionState } from '../annotations/AnnotationContext';
import type { AnnotationSession } from '../annotations/annotationSession';
import { TOOL_INFO } from '../annotations/tools';
import { refocusIfLost } from '../focus';
import { useT } from '../i18n/i18n';
import { Icon } from './Icon';

export function AnnotationToolbar() {
  const context = useAnnotationContext();
  if (!context) return null;
  return <Tools session={context.session} panelOpen={context.panelOpen} onTogglePanel={context.togglePanel} />;
}

function Tools({ session, panelOpen, onTogglePanel }: { session: AnnotationSession; panelOpen: boolean; onTogglePanel: () => void }) {
  const t = useT();
  const state = useSessionState(session);
  return (
    <>
      <div className="toolbar annotation-toolbar" role="toolbar" aria-label={t('annotations.toolbar')} data-testid="annotation-toolbar">
        <div className="toolbar-group">
          {TOOL_INFO.map((info) => (
            <button
              key={info.tool}
              type="button"
              className="icon-button"
              aria-label={t(info.label)}
              aria-pressed={state.tool === info.tool}
              title={t(info.title)}
              onClick={() => session.setTool(info.tool)}
              data-testid={`tool-${info.tool}`}
            >
              <Icon name={info.icon} />
            </button>
          ))}
        </div>
        <label className="annotation-class-select" title={t('annotations.classTitle')}>
          <span className="muted small">{t('common.class')}</span>
          <span className="class-swatch" style={{ background: rgbToCss(classColor(state.document.classes, state.activeClass)) }} aria-hidden="true" />
          <select
            value={state.activeClass ?? ''}
            onChange={(event) => session.setActiveClass(event.target.value === '' ? null : event.target.value)}
            data-testid="active-class"
          >
            <option value="">{t('common.unclassified')}</option>
            {state.document.classes.map((c) => (
              <option key={c.name} value={c.name}>
                {classLabel(t, c.name)}
              </option>
            ))}
          </select>
        </label>
        <div className="toolbar-group">
          <button
            type="button"
            className="icon-button"
            aria-label={t('annotations.undoTitle')}
            title={t('annotations.undoTitle')}
            disabled={!state.canUndo}
            onClick={() => session.undo()}
            data-testid="annotation-undo"
          >
            <Icon name="undo" />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={t('annotations.redoTitle')}
            title={t('annotations.redoTitle')}
            disabled={!state.canRedo}
            onClick={() => session.redo()}
            data-testid="annotation-redo"
          >
            <Icon name="redo" />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={t('annotations.deleteTitle')}
            title={t('annotations.deleteTitle')}
            disabled={state.selectedId === null}
            onClick={(event) => {
              if (!state.selectedId) return;
              const toolbar = event.currentTarget.closest('[role="toolbar"]');
              session.remove(state.selectedId);
              // Delete greys itself out; Undo, beside it, is what one may want next.
              refocusIfLost(() => toolbar?.querySelector<HTMLElement>('[data-testid="annotation-undo"]'));
            }}
            data-testid="annotation-delete"
          >
            <Icon name="trash" />
          </button>
        </div>
        <div className="toolbar-spacer" />
        <button
          type="button"
          className="icon-button"
          aria-label={t('annotations.listTitle')}
          aria-pressed={panelOpen}
          title={t('annotations.listTitle')}
          onClick={onTogglePanel}
          data-testid="annotation-list-toggle"
        >
          <Icon name="list" />
        </button>
      </div>
      {/* What a shape drawn from the keyboard did, step by step; keyed so that the same words twice are heard twice. */}
      <span className="visually-hidden" role="status" data-testid="annotation-announced">
        {state.announcement && <span key={state.announcement.id}>{state.announcement.text}</span>}
      </span>
    </>
  );
}
