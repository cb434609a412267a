// Where the focus goes when the control it was on disappears or is disabled by what it did (a deleted
// annotation's editor, a tab closed, Reset greyed out). Left alone, it drops to <body>: a keyboard
// user starts again from the top and single-key shortcuts fire where the user did not look.

import type { KeyboardEvent } from 'react';

/** Whether the focus was lost: on <body>, on nothing, or on an element gone from the page or disabled. */
export function focusLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected || active.matches(':disabled');
}

/** After the update that an action in an event handler causes, moves the focus to `next()` if it was lost. */
export function refocusIfLost(next: () => HTMLElement | null | undefined): void {
  // React commits the handler's updates before the next task.
  setTimeout(() => {
    if (focusLost()) next()?.focus();
  }, 0);
}

/** Keys a focused slider or number field answers itself (a step): they must not also pan the slide (the window's shortcuts). */
const STEP_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

/** A slider's or number field's onKeyDown: its step keys stay with it. */
export function keepStepKeys(event: KeyboardEvent): void {
  if (STEP_KEYS.has(event.key)) event.stopPropagation();
}
