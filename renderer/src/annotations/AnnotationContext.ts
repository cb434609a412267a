// The annotations of the slide on screen, handed to every view and panel of the window (the single
// view, each grid cell, the list, the toolbar, the right-click menu, the export dialog).

import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AnnotationSession, SessionState } from './annotationSession';

export interface AnnotationContextValue {
  session: AnnotationSession;
  /** The annotation list is shown beside the slide. */
  panelOpen: boolean;
  togglePanel: () => void;
}

export const AnnotationContext = createContext<AnnotationContextValue | null>(null);

export function useAnnotationContext(): AnnotationContextValue | null {
  return useContext(AnnotationContext);
}

/** The session's state, re-rendering on each change. */
export function useSessionState(session: AnnotationSession): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState);
}
