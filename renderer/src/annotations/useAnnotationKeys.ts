// The annotation keys on the window: tools, delete, undo and redo, finishing or cancelling a shape,
// the list. Typing in a field (an annotation's name), a dialog or a menu takes its keys for itself.

import { useEffect, useRef } from 'react';
import { pressesOnEnter, takesOwnKeys } from '../hooks/useKeyboardShortcuts';
import { shortcutKey } from '../shortcutKey';
import type { AnnotationContextValue } from './AnnotationContext';
import { PANEL_KEYS, toolForKey } from './tools';

export function useAnnotationKeys(context: AnnotationContextValue | null): void {
  const current = useRef(context);
  useEffect(() => {
    current.current = context;
  }, [context]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      const value = current.current;
      if (!value || event.defaultPrevented || event.isComposing || event.altKey) return;
      if (takesOwnKeys(event.target)) return;
      const { session } = value;
      const state = session.getState();
      const key = shortcutKey(event);
      if (event.ctrlKey || event.metaKey) {
        const lower = key.toLowerCase();
        if (lower === 'z' && !event.shiftKey) session.undo();
        else if ((lower === 'z' && event.shiftKey) || lower === 'y') session.redo();
        else return;
        // The Edit menu's Undo would act on a text field, which this is not.
        event.preventDefault();
        return;
      }
      if (key === 'Escape') {
        if (session.draft) session.draft.cancel();
        else if (state.contextMenu) session.openContextMenu(null);
        else if (state.selectedId) session.select(null);
        else session.setTool('select');
        return;
      }
      if (key === 'Enter' && session.draft && !pressesOnEnter(event.target)) {
        session.draft.finish();
        event.preventDefault();
        return;
      }
      if (key === 'Delete' || key === 'Backspace') {
        if (session.draft?.removeLastVertex()) event.preventDefault();
        else if (state.selectedId) {
          session.remove(state.selectedId);
          event.preventDefault();
        }
        return;
      }
      const tool = toolForKey(key);
      if (tool) {
        session.setTool(tool);
        event.preventDefault();
      } else if (PANEL_KEYS.includes(key)) {
        value.togglePanel();
        event.preventDefault();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
