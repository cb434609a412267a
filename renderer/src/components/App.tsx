// The window: welcome screen or open slides, plus messages, dialogs and drop handling. Every way of
// asking for something (keys, toolbar, native menu) ends in runCommand.

import { useCallback, useMemo, useRef, useState } from 'react';
import type { ErrorInfo, Result } from '../../../shared/errors';
import type { OpenedSlide } from '../../../shared/ipc';
import { useApi } from '../api';
import { isViewCommand, type Command } from '../commands';
import { describeOpenError } from '../errors';
import { useFileDrop } from '../hooks/useFileDrop';
import { useFullscreen } from '../hooks/useFullscreen';
import { useKeyboardShortcuts, type KeyboardHandlers } from '../hooks/useKeyboardShortcuts';
import { useMainEvents, type MainEventHandlers } from '../hooks/useMainEvents';
import { useNotices } from '../hooks/useNotices';
import { useRecentFiles } from '../hooks/useRecentFiles';
import { useSlides } from '../hooks/useSlides';
import { baseName } from '../paths';
import { AboutDialog } from './AboutDialog';
import { DropOverlay } from './DropOverlay';
import { HelpOverlay } from './HelpOverlay';
import { Icon } from './Icon';
import { MetadataPanel } from './MetadataPanel';
import { Notices } from './Notices';
import { SlideTabs } from './SlideTabs';
import { SlideViewer, type ViewerHandle } from './SlideViewer';
import { WelcomeScreen } from './WelcomeScreen';

type Overlay = 'help' | 'about' | null;

export function App() {
  const api = useApi();
  const { notices, push: pushNotice, dismiss } = useNotices();
  const slides = useSlides(api);
  const recent = useRecentFiles(api);
  const fullscreen = useFullscreen();
  const [overlay, setOverlay] = useState<Overlay>(null);
  const [metadataOpen, setMetadataOpen] = useState(false);
  const [navigatorVisible, setNavigatorVisible] = useState(true);
  const [pending, setPending] = useState(0);
  const viewer = useRef<ViewerHandle>(null);
  const { adopt } = slides;
  const { refresh: refreshRecent } = recent;

  const reportOpenError = useCallback(
    (error: ErrorInfo, fileName?: string) => pushNotice({ kind: 'error', ...describeOpenError(error, fileName) }),
    [pushNotice],
  );

  /** Runs one open request with the busy indicator; shows the slide or says why not. */
  const open = useCallback(
    async (request: Promise<Result<OpenedSlide | null>>, fileName?: string) => {
      setPending((n) => n + 1);
      try {
        const result = await request;
        if (!result.ok) reportOpenError(result.error, fileName);
        else if (result.value) adopt(result.value, { activate: true });
      } finally {
        setPending((n) => n - 1);
        refreshRecent();
      }
    },
    [adopt, refreshRecent, reportOpenError],
  );

  const openDialog = useCallback(() => void open(api.openDialog()), [api, open]);
  const openSample = useCallback(() => void open(api.openSample()), [api, open]);
  const openRecent = useCallback((path: string) => void open(api.openRecent(path), baseName(path)), [api, open]);

  const openFiles = useCallback(
    async (files: File[]) => {
      setPending((n) => n + 1);
      try {
        const results = await api.openDropped(files);
        let first = true;
        results.forEach((result, index) => {
          if (result.ok) {
            // Several good files become tabs; the first one dropped is shown.
            adopt(result.value, { activate: first });
            first = false;
          } else {
            reportOpenError(result.error, files[index]?.name);
          }
        });
      } finally {
        setPending((n) => n - 1);
        refreshRecent();
      }
    },
    [api, adopt, refreshRecent, reportOpenError],
  );

  const dragging = useFileDrop((files) => void openFiles(files));

  const runCommand = useCallback(
    (command: Command) => {
      if (isViewCommand(command)) {
        viewer.current?.run(command);
        return;
      }
      switch (command) {
        case 'show-shortcuts':
          setOverlay((current) => (current === 'help' ? null : 'help'));
          break;
        case 'show-about':
          setOverlay('about');
          break;
        case 'toggle-metadata':
          setMetadataOpen((v) => !v);
          break;
        case 'toggle-navigator':
          setNavigatorVisible((v) => !v);
          break;
        case 'fullscreen':
          // Refused without a user gesture (a menu command arrives by IPC): say how instead.
          void fullscreen.toggle().then((ok) => {
            if (!ok) pushNotice({ kind: 'info', title: 'Full screen could not start', detail: 'Press F or use the full-screen button in the toolbar.' });
          });
          break;
        case 'toggle-grid':
          pushNotice({ kind: 'info', title: 'The comparison grid is not available yet', detail: 'It will show one field at several magnifications side by side.' });
          break;
        case 'export':
          pushNotice({ kind: 'info', title: 'Export is not available in this window yet' });
          break;
      }
    },
    [fullscreen, pushNotice],
  );

  const keyboard = useMemo<KeyboardHandlers>(
    () => ({
      onCommand: runCommand,
      onPan: (direction) => viewer.current?.pan(direction),
      onEscape: () => setOverlay(null),
    }),
    [runCommand],
  );
  useKeyboardShortcuts(keyboard);

  const mainEvents = useMemo<MainEventHandlers>(
    () => ({
      onSlideOpened: (slide) => {
        adopt(slide, { activate: true });
        refreshRecent();
      },
      onOpenFailed: (error) => reportOpenError(error),
      onMenuCommand: runCommand,
    }),
    [adopt, refreshRecent, reportOpenError, runCommand],
  );
  useMainEvents(api, mainEvents);

  const active = slides.active;
  const closeOverlay = useCallback(() => setOverlay(null), []);

  return (
    <div className="app">
      {active ? (
        <>
          <header className="titlebar">
            <SlideTabs slides={slides.slides} activeId={active.slideId} onActivate={slides.activate} onClose={slides.close} />
            <div className="titlebar-actions">
              <button type="button" className="button button-small" onClick={openDialog}>
                <Icon name="open" size={16} />
                Open…
              </button>
            </div>
          </header>
          <div className="workspace">
            <SlideViewer
              key={active.slideId}
              ref={viewer}
              slide={active}
              navigatorVisible={navigatorVisible}
              metadataOpen={metadataOpen}
              fullscreen={fullscreen.active}
              onCommand={runCommand}
              onNotice={pushNotice}
            />
            {metadataOpen && <MetadataPanel key={active.slideId} slide={active} onClose={() => setMetadataOpen(false)} />}
          </div>
        </>
      ) : (
        <WelcomeScreen
          dragging={dragging}
          recent={recent.files}
          onOpenDialog={openDialog}
          onOpenSample={openSample}
          onOpenRecent={openRecent}
          onClearRecent={recent.clear}
          onShowHelp={() => setOverlay('help')}
        />
      )}
      <Notices notices={notices} onDismiss={dismiss} />
      {dragging && active && <DropOverlay />}
      {pending > 0 && (
        <div className="busy" role="status" data-testid="busy">
          <span className="spinner" aria-hidden="true" />
          Opening…
        </div>
      )}
      {overlay === 'help' && <HelpOverlay onClose={closeOverlay} />}
      {overlay === 'about' && <AboutDialog onClose={closeOverlay} />}
    </div>
  );
}
