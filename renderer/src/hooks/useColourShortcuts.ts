// The colour keys (viewer/colourShortcuts.ts) for the slide on screen, under the same rules as the
// other single-key shortcuts: no modifier but Shift, not while typing or in a dialog or menu.

import { useEffect, useRef } from 'react';
import { shortcutKey } from '../shortcutKey';
import { type ColourKeyAction, colourActionForKey } from '../viewer/colourShortcuts';
import { takesOwnKeys } from './useKeyboardShortcuts';

export function useColourShortcuts(onAction: (action: ColourKeyAction) => void): void {
  const current = useRef(onAction);
  useEffect(() => {
    current.current = onAction;
  }, [onAction]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (takesOwnKeys(event.target)) return;
      const action = colourActionForKey(shortcutKey(event));
      if (!action) return;
      event.preventDefault();
      current.current(action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
