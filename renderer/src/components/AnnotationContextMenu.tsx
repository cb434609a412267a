// The right-click menu over the slide: on an annotation, its class and delete; everywhere, the tools
// and undo and redo. Closes on a choice, a click elsewhere or Escape; the arrow keys move between its items.

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { classColor, rgbToCss } from '../../../shared/annotations';
import { classLabel } from '../../../shared/i18n/class-label';
import { useAnnotationContext, useSessionState } from '../annotations/AnnotationContext';
import type { AnnotationSession, ContextMenuAt } from '../annotations/annotationSession';
import { TOOL_INFO } from '../annotations/tools';
import { focusLost } from '../focus';
import { useT } from '../i18n/i18n';

export function AnnotationContextMenu() {
  const context = useAnnotationContext();
  if (!context) return null;
  return <Menu session={context.session} />;
}

function Menu({ session }: { session: AnnotationSession }) {
  const state = useSessionState(session);
  const at = state.contextMenu;
  if (!at) return null;
  return <MenuAt session={session} at={at} />;
}

function MenuAt({ session, at }: { session: AnnotationSession; at: ContextMenuAt }) {
  const t = useT();
  const state = useSessionState(session);
  const menu = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState({ left: at.x, top: at.y });
  const close = (): void => session.openContextMenu(null);
  const annotation = at.annotationId ? state.document.annotations.find((a) => a.id === at.annotationId) : undefined;

  // Kept inside the window.
  useLayoutEffect(() => {
    const box = menu.current?.getBoundingClientRect();
    if (!box) return;
    setPlace({ left: Math.max(4, Math.min(at.x, window.innerWidth - box.width - 4)), top: Math.max(4, Math.min(at.y, window.innerHeight - box.height - 4)) });
  }, [at.x, at.y]);

  const openedAt = useRef(at);
  useEffect(() => {
    const outside = (event: PointerEvent): void => {
      if (!menu.current?.contains(event.target as Node)) session.openContextMenu(null);
    };
    window.addEventListener('pointerdown', outside, true);
    const previous = document.activeElement;
    const { x, y } = openedAt.current;
    menu.current?.querySelector('button')?.focus();
    return () => {
      window.removeEventListener('pointerdown', outside, true);
      // Closed by Escape, Tab or a choice, the menu takes the focus with it: back to where it was, or
      // to the slide view it was opened over.
      if (!focusLost()) return;
      const back =
        previous instanceof HTMLElement && previous !== document.body && previous.isConnected
          ? previous
          : document.elementsFromPoint(x, y).find((element) => element.classList.contains('openseadragon-canvas'));
      if (back instanceof HTMLElement) back.focus({ preventScroll: true });
    };
  }, [session]);

  const choose = (action: () => void) => () => {
    action();
    close();
  };
  const item = (label: string, action: () => void, testId: string) => (
    <button type="button" role="menuitem" className="menu-item" onClick={choose(action)} data-testid={testId}>
      {label}
    </button>
  );
  const radio = (label: string, action: () => void, testId: string, checked: boolean, swatch?: string) => (
    <button type="button" role="menuitemradio" aria-checked={checked} className="menu-item" onClick={choose(action)} data-testid={testId}>
      {swatch && <span className="class-swatch" style={{ background: swatch }} aria-hidden="true" />}
      {label}
    </button>
  );

  return (
    <div
      ref={menu}
      className="context-menu"
      role="menu"
      aria-label={t('annotations.menu')}
      style={place}
      data-testid="annotation-menu"
      onKeyDown={(event) => {
        if (event.key === 'Escape') close();
        // Tab leaves a menu: it closes instead of walking through its items while it stays open.
        if (event.key === 'Tab') {
          event.preventDefault();
          close();
          return;
        }
        // The arrows, Home and End move between the items, as in any menu.
        const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]') ?? [])];
        const at = items.indexOf(document.activeElement as HTMLButtonElement);
        const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[event.key];
        if (to === undefined || items.length === 0) return;
        event.preventDefault();
        items[(to + items.length) % items.length]?.focus();
      }}
    >
      {annotation && (
        <>
          <p className="menu-heading">{t('common.class')}</p>
          {radio(
            t('common.unclassified'),
            () => session.update(annotation.id, (a) => ({ ...a, classification: null })),
            'menu-class-none',
            annotation.classification === null,
            rgbToCss(classColor([], null)),
          )}
          {state.document.classes.map((c) => (
            <span key={c.name}>
              {radio(
                classLabel(t, c.name),
                () => session.update(annotation.id, (a) => ({ ...a, classification: c.name })),
                `menu-class-${c.name}`,
                annotation.classification === c.name,
                rgbToCss(c.color),
              )}
            </span>
          ))}
          <hr />
          {item(t('annotations.menuDelete'), () => session.remove(annotation.id), 'menu-delete')}
          <hr />
        </>
      )}
      <p className="menu-heading">{t('annotations.menuTool')}</p>
      {TOOL_INFO.map((info) => (
        <span key={info.tool}>{radio(t(info.label), () => session.setTool(info.tool), `menu-tool-${info.tool}`, state.tool === info.tool)}</span>
      ))}
      <hr />
      {state.canUndo && item(t('common.undo'), () => session.undo(), 'menu-undo')}
      {state.canRedo && item(t('common.redo'), () => session.redo(), 'menu-redo')}
    </div>
  );
}
