// One annotation session per slide shown: created and loaded when the slide is shown, saved and let
// go when another is (or the window goes). What goes wrong is told as a notice.

import { useEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { MessageKey } from '../../../shared/i18n/catalogue';
import type { OpenedSlide, SlidescopeApi } from '../../../shared/ipc';
import type { Notice } from '../hooks/useNotices';
import { t } from '../i18n/i18n';
import { AnnotationSession, type SessionProblem } from './annotationSession';

const TITLES = { load: 'annotations.loadFailed', unreadable: 'annotations.unreadable', save: 'annotations.saveFailedNotice' } as const satisfies Record<
  SessionProblem,
  MessageKey
>;

export function useSlideAnnotations(api: SlidescopeApi, slide: OpenedSlide | null, onNotice: (notice: Omit<Notice, 'id'>) => void): AnnotationSession | null {
  const [session, setSession] = useState<AnnotationSession | null>(null);
  const notice = useRef(onNotice);
  useEffect(() => {
    notice.current = onNotice;
  }, [onNotice]);
  const current = useRef(slide);
  current.current = slide;
  const slideId = slide?.slideId ?? null;

  useEffect(() => {
    const shown = current.current;
    if (!shown || slideId === null) {
      setSession(null);
      return undefined;
    }
    const created = new AnnotationSession(api, shown, (problem: SessionProblem, error: ErrorInfo) =>
      notice.current({ kind: 'error', title: t(TITLES[problem], { slide: shown.info.name }), detail: error.message }),
    );
    setSession(created);
    void created.load();
    // Closing the window: what is not saved yet is sent now.
    const leave = (): void => void created.flush();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      void created.dispose();
    };
  }, [api, slideId]);

  return session?.slideId === slideId ? session : null;
}
