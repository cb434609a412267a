// Single-key shortcuts on the window. Keys with Ctrl/Cmd/Alt belong to the native menu's
// accelerators, and typing in a field (the property filter) must not zoom the slide.

import { useEffect, useRef } from 'react';
import { type Command, commandForKey } from '../commands';
import { shortcutKey } from '../shortcutKey';

export type PanDirection = 'left' | 'right' | 'up' | 'down';

export interface KeyboardHandlers {
  onCommand: (command: Command) => void;
  onPan: (direction: PanDirection) => void;
  onEscape: () => void;
}

const ARROWS: Partial<Record<string, PanDirection>> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

/** The direction an arrow key names, or null for any other key. */
export function arrowDirection(key: string): PanDirection | null {
  return ARROWS[key] ?? null;
}

export function useKeyboardShortcuts(handlers: KeyboardHandlers): void {
  const current = useRef(handlers);
  useEffect(() => {
    current.current = handlers;
  }, [handlers]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (event.key === 'Escape') {
        current.current.onEscape();
        return;
      }
      if (takesOwnKeys(event.target)) return;
      const direction = arrowDirection(event.key);
      if (direction) {
        event.preventDefault();
        current.current.onPan(direction);
        return;
      }
      const command = commandForKey(shortcutKey(event));
      if (command) {
        event.preventDefault();
        current.current.onCommand(command);
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

/**
 * Whether the focus takes single keys for itself: a text field (an annotation's name), or a dialog or
 * menu (the slide underneath is not what the user is working with). The slide's shortcuts then wait.
 */
export function takesOwnKeys(target: EventTarget | null): boolean {
  if (isTextEntry(target) || (target instanceof Element && target.closest('[role="dialog"], [role="menu"]') !== null)) return true;
  // Focus can drop to <body> while a modal dialog stays open (a control in it disabled): the slide
  // behind is still not what the keys are for.
  return typeof document !== 'undefined' && document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * Whether Enter on the focus presses it (a button, a link, a tab, a list's option): Enter is then the
 * control's, not the drawing's, which would otherwise close the shape at the view's centre unseen.
 */
export function pressesOnEnter(target: EventTarget | null): boolean {
  return (
    target instanceof Element &&
    target.closest(
      'button, a[href], input, select, textarea, summary, [role="button"], [role="link"], [role="tab"], [role="option"], [role="checkbox"], [role="switch"]',
    ) !== null
  );
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'range', 'submit', 'color'].includes(target.type);
}
