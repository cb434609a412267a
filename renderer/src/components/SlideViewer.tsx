// One slide on screen: toolbar, then either the single view (OpenSeadragon canvas, navigator, scale
// bar) or the comparison grid. Parents drive it through a ViewerHandle (keyboard and menu commands)
// and remount it per slide (key = slideId).
//
// Switching between the views keeps the place: the grid opens centred where the single view was,
// and the single view comes back with its zoom and rotation, centred where the grid was left (the
// same place when the grid was not panned).

import OpenSeadragon from 'openseadragon';
import { type Ref, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { isNeutral } from '../../../shared/colour';
import type { ErrorInfo } from '../../../shared/errors';
import type { LevelZeroRect } from '../../../shared/export-plan';
import type { OpenedSlide } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import type { SlideInfo } from '../../../shared/slide';
import { useAnnotationFocus } from '../annotations/useAnnotationFocus';
import { useAnnotationOverlay } from '../annotations/useAnnotationOverlay';
import { useDetectionOverlay } from '../annotations/useDetectionOverlay';
import { useApi } from '../api';
import type { Command, ViewCommand } from '../commands';
import { e2eHandle } from '../e2eHandle';
import { drawerChoice } from '../env';
import { describeTileError } from '../errors';
import { useColourFilter } from '../hooks/useColourFilter';
import { useColourShortcuts } from '../hooks/useColourShortcuts';
import type { PanDirection } from '../hooks/useKeyboardShortcuts';
import type { Notice } from '../hooks/useNotices';
import { useOsdViewer } from '../hooks/useOsdViewer';
import { useSlideChannels } from '../hooks/useSlideChannels';
import { useViewColour, type ViewColour } from '../hooks/useViewColour';
import { useViewState } from '../hooks/useViewState';
import { useT } from '../i18n/i18n';
import type { ColourKeyAction } from '../viewer/colourShortcuts';
import { panPixels, ZOOM_STEP } from '../viewer/keyboardSteps';
import type { Point } from '../viewer/linkedViewers';
import { GRID_DEFAULT_POWERS, imageZoomForPower, powerAtImageZoom } from '../viewer/magnification';
import { shownRect } from '../viewer/shownRect';
import { AnnotationToolbar } from './AnnotationToolbar';
import { ColourButton, ColourPanel } from './ColourPanel';
import { ComparisonGrid, type GridHandle, gridCellSize } from './ComparisonGrid';
import { ScaleBar } from './ScaleBar';
import { ViewerToolbar } from './ViewerToolbar';

/** What the export dialog starts from. */
export interface ExportContext {
  /** The grid's four magnifications (objective powers). */
  powers: number[];
  /** The grid's field of view: its level-0 centre and one cell's size in CSS pixels. */
  field: { centerX: number; centerY: number; panelWidth: number; panelHeight: number };
  /** The grid is on screen (otherwise the field is centred where the single view is). */
  fromGrid: boolean;
  /** How the view shows colour: exports follow its ICC choice and may carry its adjustment. */
  colour: ViewColour;
  /** What the single view shows, in level-0 pixels (within the slide), and its magnification; null in the grid. */
  view: { rect: LevelZeroRect | null; power: number | null } | null;
}

export interface ViewerHandle {
  run: (command: ViewCommand) => void;
  pan: (direction: PanDirection) => void;
  setPower: (power: number) => void;
  exportContext: () => ExportContext;
}

export interface SlideViewerProps {
  slide: OpenedSlide;
  /** Show the comparison grid instead of the single view. */
  grid: boolean;
  navigatorVisible: boolean;
  metadataOpen: boolean;
  fullscreen: boolean;
  onCommand: (command: Command) => void;
  onNotice: (notice: Omit<Notice, 'id'>) => void;
  /** The slide as the engine now shows it (its channels chosen in the colour panel). */
  onShownAs: (info: SlideInfo) => void;
  ref?: Ref<ViewerHandle>;
}

export function SlideViewer({ slide, grid, navigatorVisible, metadataOpen, fullscreen, onCommand, onNotice, onShownAs, ref }: SlideViewerProps) {
  const api = useApi();
  const t = useT();
  const { info } = slide;
  const [host, setHost] = useState<HTMLDivElement | null>(null);
  const [stage, setStage] = useState<HTMLDivElement | null>(null);
  const [stageSize, setStageSize] = useState({ width: 0, height: 0 });
  const [gridPowers, setGridPowers] = useState<number[]>(() => [...GRID_DEFAULT_POWERS]);
  const gridRef = useRef<GridHandle>(null);
  const tileErrorCount = useRef(0);
  /** Level-0 centre of what is shown, single view or grid: the other view opens there. */
  const center = useRef<Point>({ x: info.width / 2, y: info.height / 2 });
  /** The single view's zoom and rotation, restored when it comes back from the grid. */
  const singleView = useRef<{ imageZoom: number; rotation: number } | null>(null);

  // Every failing tile reports here (single view and grid cells alike); the user hears about it once per slide.
  const onTileError = useCallback(
    (error: ErrorInfo) => {
      tileErrorCount.current += 1;
      const handle = e2eHandle();
      if (handle) handle.tileErrors = tileErrorCount.current;
      if (tileErrorCount.current === 1) onNotice({ kind: 'error', ...describeTileError(error, info.name) });
    },
    [onNotice, info.name],
  );

  // A viewer rebuilt after the grid is put back where the single view was (below), not at home.
  const opensAtHome = useCallback(() => singleView.current === null, []);
  // The slide as it opened: its channels chosen since make its tiles again (useSlideChannels), not the viewer.
  const [viewed] = useState(slide);
  const viewer = useOsdViewer(grid ? null : host, { api, slide: viewed, drawer: drawerChoice(), onTileError, opensAtHome });
  const view = useViewState(viewer);
  useAnnotationOverlay(viewer);
  useDetectionOverlay(viewer, slide);
  useAnnotationFocus(viewer, grid ? (centre) => gridRef.current?.centerOn(centre) : null);
  const { colour, act: actOnColour } = useViewColour(slide.slideId);
  const [colourPanel, setColourPanel] = useState(false);
  const channels = useSlideChannels(
    slide,
    viewer,
    onShownAs,
    useCallback(
      (error: ErrorInfo) =>
        onNotice({ kind: 'error', title: t(info.channels ? 'channels.failed' : 'channels.planeFailed', { slide: info.name }), detail: error.message }),
      [onNotice, t, info.name, info.channels],
    ),
  );
  const toggleColourPanel = useCallback(() => setColourPanel((open) => !open), []);
  useColourFilter(
    useMemo(() => [viewer], [viewer]),
    colour,
  );
  useColourShortcuts(
    useCallback((action: ColourKeyAction) => (action.kind === 'toggle-panel' ? toggleColourPanel() : actOnColour(action)), [toggleColourPanel, actOnColour]),
  );

  useEffect(() => {
    if (viewer && view.ready) viewer.navigator?.setVisible(navigatorVisible);
  }, [viewer, view.ready, navigatorVisible]);

  useEffect(() => {
    const handle = e2eHandle();
    if (!handle) return undefined;
    handle.viewer = viewer;
    handle.tileErrors = tileErrorCount.current;
    return () => {
      handle.viewer = null;
    };
  }, [viewer]);

  useEffect(() => {
    if (!stage) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = entry.contentRect;
      setStageSize((prev) => (prev.width === width && prev.height === height ? prev : { width, height }));
    });
    observer.observe(stage);
    return () => observer.disconnect();
  }, [stage]);

  // Remembers where the single view is (its target, so a switch mid-animation lands where it was
  // going) and puts a new single view back there.
  useEffect(() => {
    if (!viewer) return undefined;
    let restored = false;
    const track = (): void => {
      // A viewer whose element just left the page reports a zero-size container: not a place.
      if (!restored || viewer.world.getItemCount() === 0 || !viewer.element.isConnected) return;
      const { viewport } = viewer;
      if (viewport.getContainerSize().x <= 0) return;
      const c = viewport.viewportToImageCoordinates(viewport.getCenter(false));
      center.current = { x: c.x, y: c.y };
      singleView.current = { imageZoom: viewport.viewportToImageZoom(viewport.getZoom(false)), rotation: viewport.getRotation(false) };
    };
    const onOpen = (): void => {
      const saved = singleView.current;
      if (saved) {
        const { viewport } = viewer;
        viewport.setRotation(saved.rotation, true);
        viewport.zoomTo(viewport.imageToViewportZoom(saved.imageZoom), undefined, true);
        viewport.panTo(viewport.imageToViewportCoordinates(center.current.x, center.current.y), true);
      }
      restored = true;
      track();
    };
    if (viewer.world.getItemCount() > 0) onOpen();
    else viewer.addOnceHandler('open', onOpen);
    viewer.addHandler('viewport-change', track);
    return () => {
      viewer.removeHandler('open', onOpen);
      viewer.removeHandler('viewport-change', track);
    };
  }, [viewer]);

  const setPower = useCallback(
    (power: number) => {
      const imageZoom = imageZoomForPower(info, power);
      if (!viewer || imageZoom === null) return;
      viewer.viewport.zoomTo(viewer.viewport.imageToViewportZoom(imageZoom));
    },
    [viewer, info],
  );

  const onGridPowerChange = useCallback((index: number, power: number) => {
    setGridPowers((list) => list.map((p, i) => (i === index ? power : p)));
  }, []);
  const onGridCenterChange = useCallback((c: Point) => {
    center.current = c;
  }, []);
  const leaveGrid = useCallback(() => onCommand('toggle-grid'), [onCommand]);

  /** View commands in the grid: zoom and rotation belong to the single view; fit recentres. */
  const runInGrid = useCallback(
    (command: ViewCommand): void => {
      switch (command) {
        case 'fit':
          gridRef.current?.recentre();
          break;
        case 'zoom-in':
        case 'zoom-out':
        case 'actual-pixels':
          onNotice({
            kind: 'info',
            title: t('viewer.gridKeepsPower'),
            detail: t('viewer.gridKeepsPowerHint'),
          });
          break;
        case 'rotate-left':
        case 'rotate-right':
          onNotice({ kind: 'info', title: t('viewer.gridNotRotated'), detail: t('viewer.gridNotRotatedHint') });
          break;
      }
    },
    [onNotice, t],
  );

  useImperativeHandle(
    ref,
    (): ViewerHandle => ({
      run(command) {
        if (grid) {
          runInGrid(command);
          return;
        }
        if (!viewer || viewer.world.getItemCount() === 0) return;
        const { viewport } = viewer;
        switch (command) {
          case 'zoom-in':
            viewport.zoomBy(ZOOM_STEP).applyConstraints();
            break;
          case 'zoom-out':
            viewport.zoomBy(1 / ZOOM_STEP).applyConstraints();
            break;
          case 'fit':
            viewport.goHome();
            break;
          case 'actual-pixels':
            viewport.zoomTo(viewport.imageToViewportZoom(1));
            break;
          case 'rotate-left':
            viewport.setRotation(viewport.getRotation(false) - 90);
            break;
          case 'rotate-right':
            viewport.setRotation(viewport.getRotation(false) + 90);
            break;
        }
      },
      pan(direction) {
        if (grid) {
          gridRef.current?.pan(direction);
          return;
        }
        if (!viewer) return;
        const step = panPixels(direction, viewer.viewport.getContainerSize());
        viewer.viewport.panBy(viewer.viewport.deltaPointsFromPixels(new OpenSeadragon.Point(step.x, step.y)));
      },
      setPower,
      exportContext() {
        const cell = gridCellSize(stageSize);
        return {
          powers: [...gridPowers],
          // A cell larger than an export panel may be: the field at its centre is exported, at the same magnification.
          field: {
            centerX: round2(center.current.x),
            centerY: round2(center.current.y),
            panelWidth: Math.min(cell.width, LIMITS.maxPanelSide),
            panelHeight: Math.min(cell.height, LIMITS.maxPanelSide),
          },
          fromGrid: grid,
          colour,
          view:
            viewer && !grid
              ? { rect: shownRect(viewer.viewport, info), power: powerAtImageZoom(info, viewer.viewport.viewportToImageZoom(viewer.viewport.getZoom(false))) }
              : null,
        };
      },
    }),
    [viewer, setPower, grid, gridPowers, stageSize, runInGrid, colour, info],
  );

  return (
    <section className="viewer" aria-label={t('viewer.region', { name: info.name })} data-testid="viewer">
      <ViewerToolbar
        info={info}
        grid={grid}
        imageZoom={view.imageZoom}
        targetImageZoom={view.targetImageZoom}
        rotation={view.rotation}
        navigatorVisible={navigatorVisible}
        metadataOpen={metadataOpen}
        fullscreen={fullscreen}
        onCommand={onCommand}
        onPreset={setPower}
      >
        <ColourButton open={colourPanel} adjusted={!isNeutral(colour.adjustment)} onClick={toggleColourPanel} />
      </ViewerToolbar>
      <AnnotationToolbar />
      <div ref={setStage} className="viewer-stage" data-testid="viewer-stage">
        {grid ? (
          stageSize.width > 0 && (
            <ComparisonGrid
              ref={gridRef}
              slide={slide}
              powers={gridPowers}
              onPowerChange={onGridPowerChange}
              initialCenter={center.current}
              onCenterChange={onGridCenterChange}
              cellSize={gridCellSize(stageSize)}
              onTileError={onTileError}
              onLeave={leaveGrid}
              colour={colour}
            />
          )
        ) : (
          <>
            <div ref={setHost} className="osd-host" data-testid="osd-host" data-ready={view.ready} aria-busy={channels?.pending === true} />
            {view.ready && <ScaleBar info={info} imageZoom={view.imageZoom} />}
            {!view.ready && <div className="viewer-loading">{t('viewer.loading', { name: info.name })}</div>}
          </>
        )}
        {colourPanel && <ColourPanel info={info} colour={colour} channels={channels} onAction={actOnColour} onClose={toggleColourPanel} />}
      </div>
    </section>
  );
}

/** Level-0 centres go to main with a hundredth of a pixel: plenty, and readable in the dialog. */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
