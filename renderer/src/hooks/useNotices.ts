// Messages for the user: errors stay until dismissed, information fades after a few seconds.

import { useCallback, useEffect, useRef, useState } from 'react';

export type NoticeKind = 'error' | 'warning' | 'info';

export interface Notice {
  id: number;
  kind: NoticeKind;
  title: string;
  detail?: string;
}

export interface Notices {
  notices: Notice[];
  push: (notice: Omit<Notice, 'id'>) => void;
  dismiss: (id: number) => void;
  clear: () => void;
}

const INFO_LIFETIME_MS = 6000;
/** Older messages drop off rather than pile up behind each other. */
const MAX_NOTICES = 6;

export function useNotices(): Notices {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    setNotices((list) => list.filter((n) => n.id !== id));
  }, []);

  const push = useCallback(
    (notice: Omit<Notice, 'id'>) => {
      const id = nextId.current++;
      setNotices((list) => [...list, { ...notice, id }].slice(-MAX_NOTICES));
      if (notice.kind === 'info')
        timers.current.set(
          id,
          setTimeout(() => dismiss(id), INFO_LIFETIME_MS),
        );
    },
    [dismiss],
  );

  const clear = useCallback(() => {
    for (const timer of timers.current.values()) clearTimeout(timer);
    timers.current.clear();
    setNotices([]);
  }, []);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
    };
  }, []);

  return { notices, push, dismiss, clear };
}
