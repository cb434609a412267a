// HTML fullscreen of the whole app (toolbar included); in Electron this makes the window fullscreen.

import { useCallback, useEffect, useState } from 'react';

export interface Fullscreen {
  active: boolean;
  /** Resolves false when the request was refused (no user gesture, e.g. from a menu IPC message). */
  toggle: () => Promise<boolean>;
}

export function useFullscreen(): Fullscreen {
  const [active, setActive] = useState(() => document.fullscreenElement !== null);

  useEffect(() => {
    const onChange = (): void => setActive(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const toggle = useCallback(async (): Promise<boolean> => {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen({ navigationUI: 'hide' });
      return true;
    } catch {
      return false;
    }
  }, []);

  return { active, toggle };
}
