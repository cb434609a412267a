// Subscribes to the main process's events for the lifetime of the app.

import { useEffect, useRef } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { EngineStopped, FolderGallery, MenuCommand, OpenedSlide, SlidescopeApi } from '../../../shared/ipc';

export interface MainEventHandlers {
  onSlideOpened: (slide: OpenedSlide) => void;
  /** A folder of several slides opened from the menu (or the command line, the OS): its gallery. */
  onFolderOpened: (folder: FolderGallery) => void;
  onOpenFailed: (error: ErrorInfo) => void;
  onMenuCommand: (command: MenuCommand) => void;
  onEngineStopped: (stopped: EngineStopped) => void;
}

export function useMainEvents(api: SlidescopeApi, handlers: MainEventHandlers): void {
  const current = useRef(handlers);
  useEffect(() => {
    current.current = handlers;
  }, [handlers]);

  useEffect(() => {
    const unsubscribe = [
      api.on('app:slide-opened', (slide) => current.current.onSlideOpened(slide)),
      api.on('app:folder-opened', (folder) => current.current.onFolderOpened(folder)),
      api.on('app:open-failed', (error) => current.current.onOpenFailed(error)),
      api.on('app:menu-command', (command) => current.current.onMenuCommand(command)),
      api.on('engine:stopped', (stopped) => current.current.onEngineStopped(stopped)),
    ];
    return () => {
      for (const off of unsubscribe) off();
    };
  }, [api]);
}
