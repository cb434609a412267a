// The window: welcome screen or open slides, plus messages, dialogs and drop handling. Every way of
// asking for something (keys, toolbar, native menu) ends in runCommand.

import { Fragment, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ErrorInfo, Result } from '../../../shared/errors';
import type { FolderGallery, OpenedPath, OpenedSlide, SlideId } from '../../../shared/ipc';
import { formatPower } from '../../../shared/magnification';
import { isGallery } from '../../../shared/operations';
import { AnnotationContext, type AnnotationContextValue } from '../annotations/AnnotationContext';
import { annotationsStored } from '../annotations/annotationSession';
import { DetectionContext } from '../annotations/DetectionContext';
import { DetectionStore } from '../annotations/detectionStore';
import { useAnnotationKeys } from '../annotations/useAnnotationKeys';
import { useSlideAnnotations } from '../annotations/useSlideAnnotations';
import { useApi } from '../api';
import { type Command, isViewCommand } from '../commands';
import { copyViewPlan } from '../copyView';
import { e2eHandle } from '../e2eHandle';
import { describeCopyError, describeExportError, describeOpenError } from '../errors';
import { type ExportJob, useExportJob } from '../hooks/useExportJob';
import { useFileDrop } from '../hooks/useFileDrop';
import { useFullscreen } from '../hooks/useFullscreen';
import { type KeyboardHandlers, useKeyboardShortcuts } from '../hooks/useKeyboardShortcuts';
import { type MainEventHandlers, useMainEvents } from '../hooks/useMainEvents';
import { useNotices } from '../hooks/useNotices';
import { useRecentFiles } from '../hooks/useRecentFiles';
import { useSlides } from '../hooks/useSlides';
import { forgetViewColours } from '../hooks/useViewColour';
import { formatCount } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { baseName, dirName } from '../paths';
import { AboutDialog } from './AboutDialog';
import { AnnotationContextMenu } from './AnnotationContextMenu';
import { AnnotationPanel } from './AnnotationPanel';
import { CompareChooser } from './CompareChooser';
import { CompareExportDialog, type SideBySideField } from './CompareExportDialog';
import { type CompareHandle, CompareView } from './CompareView';
import { DetectionCard } from './DetectionCard';
import { DropChoice, type DropMode } from './DropChoice';
import { DropOverlay } from './DropOverlay';
import { ExportDialog } from './ExportDialog';
import { GalleryView } from './GalleryView';
import { HelpOverlay } from './HelpOverlay';
import { Icon } from './Icon';
import { MetadataPanel } from './MetadataPanel';
import { Notices } from './Notices';
import { GALLERY_TAB_ID, SlideTabs, slideTabId } from './SlideTabs';
import { type ExportContext, SlideViewer, type ViewerHandle } from './SlideViewer';
import { WelcomeScreen } from './WelcomeScreen';

type Overlay = 'help' | 'about' | null;

const SLIDE_PANEL_ID = 'slide-panel';
const GALLERY_PANEL_ID = 'gallery-panel';

export function App() {
  const api = useApi();
  const t = useT();
  const { notices, push: pushNotice, dismiss, clear: dismissAll } = useNotices();
  const slides = useSlides(api);
  const recent = useRecentFiles(api);
  const fullscreen = useFullscreen();
  const [overlay, setOverlay] = useState<Overlay>(null);
  const [metadataOpen, setMetadataOpen] = useState(false);
  const [navigatorVisible, setNavigatorVisible] = useState(true);
  /** The comparison grid instead of the single view, for whichever slide is shown. */
  const [grid, setGrid] = useState(false);
  const [exporting, setExporting] = useState<{ slide: OpenedSlide; context: ExportContext } | null>(null);
  const [pending, setPending] = useState(0);
  const viewer = useRef<ViewerHandle>(null);
  /** Slides side by side (in panel order) instead of the tabs' single view; the chooser; a multi-file drop awaiting "tabs or side by side". */
  const [compare, setCompare] = useState<SlideId[] | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [dropped, setDropped] = useState<File[] | null>(null);
  /** The compared field of view the export dialog was opened for (null: the dialog is closed). */
  const [exportingCompare, setExportingCompare] = useState<{ field: SideBySideField | null } | null>(null);
  const compareView = useRef<CompareHandle>(null);
  const { ask, adopt: adoptTab } = slides;
  /** The folder whose slides the gallery shows (one at a time: another folder replaces it), and whether its tab is the one shown. */
  const [gallery, setGallery] = useState<FolderGallery['gallery'] | null>(null);
  const [galleryShown, setGalleryShown] = useState(false);
  const galleryId = gallery?.galleryId;
  const showGallery = useCallback(
    ({ gallery: next }: FolderGallery) => {
      if (galleryId && galleryId !== next.galleryId) void api.galleryClose({ galleryId });
      setGallery(next);
      setGalleryShown(true);
      setCompare(null);
    },
    [api, galleryId],
  );
  const closeGallery = useCallback(() => {
    if (galleryId) void api.galleryClose({ galleryId });
    setGallery(null);
    setGalleryShown(false);
  }, [api, galleryId]);
  /** A slide taken into a tab; one the engine opened damaged says so when it first comes (not when its tab is shown again). */
  const adopt = useCallback(
    (slide: OpenedSlide, options: { activate: boolean; asked?: number }): SlideId => {
      if (options.activate) setGalleryShown(false);
      const slideId = adoptTab(slide, options);
      const { name, warnings } = slide.info;
      if (slideId === slide.slideId && warnings.length > 0) pushNotice({ kind: 'warning', title: t('app.damaged', { name }), detail: warnings.join(' ') });
      return slideId;
    },
    [adoptTab, pushNotice, t],
  );
  const { refresh: refreshRecent } = recent;
  const active = slides.active;
  const annotations = useSlideAnnotations(api, active, pushNotice);
  const [annotationsOpen, setAnnotationsOpen] = useState(false);
  const toggleAnnotations = useCallback(() => setAnnotationsOpen((open) => !open), []);
  const annotationContext = useMemo<AnnotationContextValue | null>(
    () => (annotations ? { session: annotations, panelOpen: annotationsOpen, togglePanel: toggleAnnotations } : null),
    [annotations, annotationsOpen, toggleAnnotations],
  );
  useAnnotationKeys(annotationContext);
  /** An export that draws the annotations in reads what is stored: what is not saved yet is, first. */
  const savedFirst = useCallback(
    async <T,>(request: () => Promise<T>): Promise<T> => {
      await annotations?.flush();
      return request();
    },
    [annotations],
  );
  // The tab goes at once; the slide's engine handle once its annotations are stored (a save after it
  // would fail): what is not saved yet is sent now, before the session is let go.
  const { close } = slides;
  const closeSlide = useCallback(
    (slideId: SlideId) => {
      const flushed = annotations?.slideId === slideId ? annotations.flush() : Promise.resolve();
      close(
        slideId,
        flushed.then(() => annotationsStored(slideId)),
      );
    },
    [annotations, close],
  );
  // A closed slide's colour settings and detection layer go with it; an opened one shows the detections remembered for it.
  useEffect(() => forgetViewColours(slides.slides.map((s) => s.slideId)), [slides.slides]);
  const [detections] = useState(() => new DetectionStore(api));
  useEffect(() => detections.track(slides.slides.map((s) => s.slideId)), [detections, slides.slides]);
  // With every slide closed the grid ends too: the next slide opens in the ordinary view.
  useEffect(() => {
    if (!active) setGrid(false);
  }, [active]);

  // An export that ends while its dialog is closed is reported here instead.
  const exportDialogOpen = useRef(false);
  const onExportSettled = useCallback(
    (job: ExportJob) => {
      if (exportDialogOpen.current) return;
      if (job.status === 'failed') pushNotice({ kind: 'error', ...describeExportError(job.error) });
      else if (job.status === 'done' && job.files.length > 0) {
        const files = t('common.files', { count: job.files.length });
        pushNotice({ kind: 'info', title: t('app.exported', { files, slide: job.slideName }), detail: dirName(job.files[0] ?? '') });
      }
    },
    [pushNotice, t],
  );
  const exportJob = useExportJob(api, onExportSettled);

  const reportOpenError = useCallback(
    (error: ErrorInfo, fileName?: string) => pushNotice({ kind: 'error', ...describeOpenError(error, fileName) }),
    [pushNotice],
  );

  /** Runs one open request with the busy indicator; shows the slide or says why not. */
  const open = useCallback(
    async (request: Promise<Result<OpenedPath | null>>, fileName?: string) => {
      setPending((n) => n + 1);
      const asked = ask();
      try {
        const result = await request;
        if (!result.ok) reportOpenError(result.error, fileName);
        else if (result.value && isGallery(result.value)) showGallery(result.value);
        else if (result.value) adopt(result.value, { activate: true, asked });
      } finally {
        setPending((n) => n - 1);
        refreshRecent();
      }
    },
    [ask, adopt, refreshRecent, reportOpenError, showGallery],
  );

  const openDialog = useCallback(() => void open(api.openDialog()), [api, open]);
  const openFolderDialog = useCallback(() => void open(api.openFolderDialog()), [api, open]);
  /** A gallery card: its slide opens in a tab, as a dropped slide does. */
  const openFromGallery = useCallback(
    (path: string, name: string) => {
      if (galleryId) void open(api.galleryOpen({ galleryId, path }), name);
    },
    [api, galleryId, open],
  );
  /** An export dialog's "Show in folder", for both exports. */
  const showInFolder = useCallback(
    (path: string) => {
      void api.showInFolder({ path }).then((result) => {
        if (!result.ok)
          pushNotice({ kind: 'error', title: t('app.folderNotShown'), detail: t('errors.detail', { code: result.error.code, message: result.error.message }) });
      });
    },
    [api, pushNotice, t],
  );
  const openSample = useCallback(() => void open(api.openSample()), [api, open]);
  const openRecent = useCallback((path: string) => void open(api.openRecent({ path }), baseName(path)), [api, open]);

  const openFiles = useCallback(
    async (files: File[], mode: DropMode = 'tabs') => {
      setPending((n) => n + 1);
      const asked = ask();
      try {
        const results = await api.openDropped(files);
        let first = true;
        const opened: SlideId[] = [];
        results.forEach((result, index) => {
          if (!result.ok) {
            reportOpenError(result.error, files[index]?.name);
          } else if (isGallery(result.value)) {
            // A folder of several slides: its gallery.
            showGallery(result.value);
          } else {
            // Several good files become tabs; the first one dropped is shown.
            opened.push(adopt(result.value, { activate: first, asked }));
            first = false;
          }
        });
        if (mode === 'side-by-side' && opened.length >= 2) setCompare(opened);
      } finally {
        setPending((n) => n - 1);
        refreshRecent();
      }
    },
    [api, ask, adopt, refreshRecent, reportOpenError, showGallery],
  );

  // Several files at once: ask whether they go into tabs or side by side.
  const dragging = useFileDrop((files) => (files.length >= 2 ? setDropped(files) : void openFiles(files)));
  // A slide closed from the side-by-side set leaves the others side by side, while there are two.
  useEffect(() => {
    if (!compare) return;
    const left = compare.filter((id) => slides.slides.some((s) => s.slideId === id));
    if (left.length < compare.length) setCompare(left.length >= 2 ? left : null);
  }, [compare, slides.slides]);
  // One array while the set and the tabs stay: the compare view links its viewers once per set.
  const compared = useMemo(() => (compare ? compare.flatMap((id) => slides.slides.filter((s) => s.slideId === id)) : null), [compare, slides.slides]);

  const runCommand = useCallback(
    (command: Command) => {
      if (isViewCommand(command)) {
        if (compare) compareView.current?.run(command);
        else viewer.current?.run(command);
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
            if (!ok) pushNotice({ kind: 'info', title: t('app.fullscreenFailed'), detail: t('app.fullscreenHint') });
          });
          break;
        case 'toggle-grid':
          if (compare) pushNotice({ kind: 'info', title: t('app.gridNotInCompare') });
          else if (active) setGrid((v) => !v);
          else pushNotice({ kind: 'info', title: t('app.gridNeedsSlide') });
          break;
        case 'compare-slides':
          if (active) setChoosing(true);
          else pushNotice({ kind: 'info', title: t('compare.needsSlides') });
          break;
        case 'export': {
          if (compare) {
            setExportingCompare({ field: compareView.current?.exportField() ?? null });
            break;
          }
          const context = viewer.current?.exportContext();
          if (active && context) setExporting({ slide: active, context });
          else pushNotice({ kind: 'info', title: t('app.exportNeedsSlide') });
          break;
        }
        case 'copy-view': {
          const context = compare || grid ? null : (viewer.current?.exportContext() ?? null);
          const annotated = (annotations?.getState().document.annotations.length ?? 0) > 0;
          const plan = copyViewPlan(active, context, annotated);
          if ('problem' in plan) {
            pushNotice({ kind: 'info', title: t(plan.problem === 'needsView' ? 'app.copyNeedsView' : 'app.copyNeedsScale') });
            break;
          }
          const { request } = plan;
          void savedFirst(() => api.copyRegion(request)).then((copied) => {
            if (copied.ok) {
              const { width, height } = copied.value;
              pushNotice({
                kind: 'info',
                title: t('app.copied', { width: formatCount(width), height: formatCount(height), power: formatPower(request.objectivePower) }),
              });
            } else pushNotice({ kind: 'error', ...describeCopyError(copied.error) });
          });
          break;
        }
      }
    },
    [fullscreen, pushNotice, active, compare, grid, annotations, savedFirst, api, t],
  );

  const keyboard = useMemo<KeyboardHandlers>(
    () => ({
      onCommand: runCommand,
      onPan: (direction) => (compare ? compareView.current?.pan(direction) : viewer.current?.pan(direction)),
      onEscape: () => setOverlay(null),
    }),
    [runCommand, compare],
  );
  useKeyboardShortcuts(keyboard);

  const mainEvents = useMemo<MainEventHandlers>(
    () => ({
      onSlideOpened: (slide) => {
        adopt(slide, { activate: true });
        refreshRecent();
      },
      onFolderOpened: (opened) => {
        showGallery(opened);
        refreshRecent();
      },
      onOpenFailed: (error) => reportOpenError(error),
      onMenuCommand: runCommand,
      // The views carry on by themselves (their tiles are asked for again); the user is told why they paused.
      onEngineStopped: (stopped) =>
        pushNotice({
          kind: stopped.failedSlideIds.length > 0 ? 'error' : 'warning',
          title: t('app.engineStopped'),
          detail: stopped.message,
        }),
    }),
    [adopt, refreshRecent, reportOpenError, runCommand, pushNotice, t, showGallery],
  );
  useMainEvents(api, mainEvents);
  // Effects run in order: by now the drop, key and main-event listeners above are attached.
  useEffect(() => {
    const handle = e2eHandle();
    if (handle) handle.listening = true;
  }, []);

  const closeOverlay = useCallback(() => setOverlay(null), []);
  const closeExport = useCallback(() => setExporting(null), []);
  // The dialog belongs to the slide it was opened for: it goes when that slide is closed or another is
  // shown (opened from the menu or a drop behind it), and does not come back with it.
  const exportSlide = exporting && exporting.slide.slideId === active?.slideId ? exporting : null;
  useEffect(() => {
    if (exporting && !exportSlide) setExporting(null);
  }, [exporting, exportSlide]);
  // A dialog shown (not one whose slides were closed) shows the export's end itself.
  useEffect(() => {
    exportDialogOpen.current = exportSlide !== null || (exportingCompare !== null && compared !== null);
  }, [exportSlide, exportingCompare, compared]);

  // The gallery's tab is shown when chosen, or when no slide is open.
  const galleryInView = gallery !== null && (galleryShown || !active);
  const body = (
    <div className="app">
      {active || gallery ? (
        <>
          <header className="titlebar">
            <SlideTabs
              slides={slides.slides}
              activeId={compared || galleryInView ? null : (active?.slideId ?? null)}
              onActivate={(slideId) => {
                setCompare(null);
                setGalleryShown(false);
                slides.activate(slideId);
              }}
              onClose={closeSlide}
              onCompare={active ? () => setChoosing(true) : undefined}
              panelId={compared ? null : SLIDE_PANEL_ID}
              gallery={
                gallery && {
                  name: gallery.name,
                  folder: gallery.folder,
                  selected: galleryInView,
                  panelId: GALLERY_PANEL_ID,
                  onSelect: () => {
                    setCompare(null);
                    setGalleryShown(true);
                  },
                  onClose: closeGallery,
                }
              }
            />
            <div className="titlebar-actions">
              <button type="button" className="button button-small" onClick={openDialog}>
                <Icon name="open" size={16} />
                {t('app.open')}
              </button>
            </div>
          </header>
          {/* The page's main content and its one level-one heading: the slide shown (the gallery has its own). */}
          <main className="app-main">
            {active && !galleryInView && (
              <h1 className="visually-hidden" translate={compared ? undefined : 'no'}>
                {compared ? t('compare.region') : active.info.name}
              </h1>
            )}
            {gallery && (
              <GalleryView
                key={gallery.galleryId}
                gallery={gallery}
                hidden={!galleryInView}
                panelId={GALLERY_PANEL_ID}
                labelledBy={GALLERY_TAB_ID}
                onOpen={openFromGallery}
              />
            )}
            {/* The tab shown labels the workspace below it; the compare view is no tab's panel. */}
            {active && !galleryInView && (
              <div className="workspace" {...(compared ? {} : { id: SLIDE_PANEL_ID, role: 'tabpanel', 'aria-labelledby': slideTabId(active.slideId) })}>
                {compared ? (
                  <CompareView
                    key={compared.map((s) => s.slideId).join(' ')}
                    ref={compareView}
                    slides={compared}
                    onLeave={() => setCompare(null)}
                    onExport={() => setExportingCompare({ field: compareView.current?.exportField() ?? null })}
                    onNotice={pushNotice}
                  />
                ) : (
                  // One key for the three: siblings sharing a key are not all replaced when it changes.
                  <Fragment key={active.slideId}>
                    <SlideViewer
                      ref={viewer}
                      slide={active}
                      grid={grid}
                      navigatorVisible={navigatorVisible}
                      metadataOpen={metadataOpen}
                      fullscreen={fullscreen.active}
                      onCommand={runCommand}
                      onNotice={pushNotice}
                      onShownAs={(info) => slides.showAs(active.slideId, info)}
                    />
                    {annotationsOpen && annotations && <AnnotationPanel session={annotations} onClose={toggleAnnotations} onNotice={pushNotice} />}
                    {metadataOpen && <MetadataPanel slide={active} onClose={() => setMetadataOpen(false)} />}
                  </Fragment>
                )}
              </div>
            )}
          </main>
        </>
      ) : (
        <WelcomeScreen
          dragging={dragging}
          recent={recent.files}
          onOpenDialog={openDialog}
          onOpenFolder={openFolderDialog}
          onOpenSample={openSample}
          onOpenRecent={openRecent}
          onClearRecent={recent.clear}
          onShowHelp={() => setOverlay('help')}
        />
      )}
      <Notices notices={notices} onDismiss={dismiss} onDismissAll={dismissAll} />
      {dragging && active && <DropOverlay />}
      {pending > 0 && (
        <div className="busy" role="status" data-testid="busy">
          <span className="spinner" aria-hidden="true" />
          {t('app.opening')}
        </div>
      )}
      {overlay === 'help' && <HelpOverlay onClose={closeOverlay} />}
      {overlay === 'about' && <AboutDialog onClose={closeOverlay} />}
      {exportSlide && (
        <ExportDialog
          slide={exportSlide.slide}
          context={exportSlide.context}
          job={exportJob.job}
          onExportThumbnail={(request) =>
            exportJob.start({ kind: 'thumbnail', slideName: exportSlide.slide.info.name, slideIds: [exportSlide.slide.slideId] }, () =>
              savedFirst(() => api.exportThumbnail(request)),
            )
          }
          onExportSet={(request) =>
            exportJob.start({ kind: 'set', slideName: exportSlide.slide.info.name, slideIds: [exportSlide.slide.slideId] }, () =>
              savedFirst(() => api.exportComparison(request)),
            )
          }
          onExportRegion={(request) =>
            exportJob.start({ kind: 'region', slideName: exportSlide.slide.info.name, slideIds: [exportSlide.slide.slideId] }, () =>
              savedFirst(() => api.exportRegion(request)),
            )
          }
          onShowInFolder={showInFolder}
          onClose={closeExport}
        />
      )}
      {choosing && (
        <CompareChooser
          slides={slides.slides}
          initial={slides.slides
            .slice(
              Math.max(
                0,
                slides.slides.findIndex((s) => s.slideId === active?.slideId),
              ),
            )
            .slice(0, 2)
            .map((s) => s.slideId)}
          onOpenMore={openDialog}
          onCompare={(ids) => {
            setChoosing(false);
            setCompare(ids);
          }}
          onClose={() => setChoosing(false)}
        />
      )}
      {dropped && (
        <DropChoice
          files={dropped}
          onChoose={(mode) => {
            setDropped(null);
            void openFiles(dropped, mode);
          }}
          onClose={() => setDropped(null)}
        />
      )}
      {exportingCompare && compared && (
        <CompareExportDialog
          slides={compared}
          field={exportingCompare.field}
          job={exportJob.job}
          onExport={(request) =>
            exportJob.start(
              {
                kind: 'side-by-side',
                slideName: compared.map((s) => s.info.name).join(', '),
                slideIds: compared.map((s) => s.slideId),
              },
              () => api.exportSideBySide(request),
            )
          }
          onShowInFolder={showInFolder}
          onClose={() => setExportingCompare(null)}
        />
      )}
      <AnnotationContextMenu />
      <DetectionCard slideId={compared || galleryInView ? null : (active?.slideId ?? null)} />
    </div>
  );
  return (
    <AnnotationContext.Provider value={annotationContext}>
      <DetectionContext.Provider value={detections}>{body}</DetectionContext.Provider>
    </AnnotationContext.Provider>
  );
}
