// One slide on screen: toolbar, OpenSeadragon canvas, navigator and scale bar. Parents drive it
// through a ViewerHandle (keyboard and menu commands) and remount it per slide (key = slideId).

import { useCallback, useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import OpenSeadragon from 'openseadragon';
import type { ErrorInfo } from '../../../shared/errors';
import type { OpenedSlide } from '../../../shared/ipc';
import { useApi } from '../api';
import type { Command, ViewCommand } from '../commands';
import { drawerChoice, e2eHooksEnabled } from '../env';
import { describeTileError } from '../errors';
import { useOsdViewer } from '../hooks/useOsdViewer';
import type { PanDirection } from '../hooks/useKeyboardShortcuts';
import type { Notice } from '../hooks/useNotices';
import { useViewState } from '../hooks/useViewState';
import { imageZoomForPower } from '../viewer/magnification';
import { ScaleBar } from './ScaleBar';
import { ViewerToolbar } from './ViewerToolbar';

export interface ViewerHandle {
  run: (command: ViewCommand) => void;
  pan: (direction: PanDirection) => void;
  setPower: (power: number) => void;
}

export interface SlideViewerProps {
  slide: OpenedSlide;
  navigatorVisible: boolean;
  metadataOpen: boolean;
  fullscreen: boolean;
  onCommand: (command: Command) => void;
  onNotice: (notice: Omit<Notice, 'id'>) => void;
  ref?: Ref<ViewerHandle>;
}

declare global {
  interface Window {
    /** Present only with ?e2e in the URL: lets the suite set exact views and wait for tiles. */
    __slidescopeE2E?: { viewer: OpenSeadragon.Viewer | null; tileErrors: number };
  }
}

const ZOOM_STEP = 1.6;
/** Arrow keys move the view by this share of its size. */
const PAN_STEP = 0.15;

export function SlideViewer({ slide, navigatorVisible, metadataOpen, fullscreen, onCommand, onNotice, ref }: SlideViewerProps) {
  const api = useApi();
  const [host, setHost] = useState<HTMLDivElement | null>(null);
  const tileErrorCount = useRef(0);

  // Every failing tile reports here; the user hears about it once per slide.
  const onTileError = useCallback(
    (error: ErrorInfo) => {
      tileErrorCount.current += 1;
      if (window.__slidescopeE2E) window.__slidescopeE2E.tileErrors = tileErrorCount.current;
      if (tileErrorCount.current === 1) onNotice({ kind: 'error', ...describeTileError(error, slide.info.name) });
    },
    [onNotice, slide.info.name],
  );

  const viewer = useOsdViewer(host, { api, slide, drawer: drawerChoice(), onTileError });
  const view = useViewState(viewer);

  useEffect(() => {
    if (viewer && view.ready) viewer.navigator?.setVisible(navigatorVisible);
  }, [viewer, view.ready, navigatorVisible]);

  useEffect(() => {
    if (!e2eHooksEnabled) return undefined;
    window.__slidescopeE2E = { viewer, tileErrors: tileErrorCount.current };
    return () => {
      window.__slidescopeE2E = { viewer: null, tileErrors: 0 };
    };
  }, [viewer]);

  const setPower = useCallback(
    (power: number) => {
      const imageZoom = imageZoomForPower(slide.info, power);
      if (!viewer || imageZoom === null) return;
      viewer.viewport.zoomTo(viewer.viewport.imageToViewportZoom(imageZoom));
    },
    [viewer, slide.info],
  );

  useImperativeHandle(
    ref,
    (): ViewerHandle => ({
      run(command) {
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
        if (!viewer) return;
        const size = viewer.viewport.getContainerSize();
        const dx = direction === 'left' ? -1 : direction === 'right' ? 1 : 0;
        const dy = direction === 'up' ? -1 : direction === 'down' ? 1 : 0;
        // Pixels, so the arrows follow the screen even when the slide is rotated.
        const delta = viewer.viewport.deltaPointsFromPixels(new OpenSeadragon.Point(dx * size.x * PAN_STEP, dy * size.y * PAN_STEP));
        viewer.viewport.panBy(delta);
      },
      setPower,
    }),
    [viewer, setPower],
  );

  return (
    <section className="viewer" aria-label={`Slide ${slide.info.name}`} data-testid="viewer">
      <ViewerToolbar
        info={slide.info}
        imageZoom={view.imageZoom}
        targetImageZoom={view.targetImageZoom}
        rotation={view.rotation}
        navigatorVisible={navigatorVisible}
        metadataOpen={metadataOpen}
        fullscreen={fullscreen}
        onCommand={onCommand}
        onPreset={setPower}
      />
      <div className="viewer-stage">
        <div ref={setHost} className="osd-host" data-testid="osd-host" data-ready={view.ready} />
        {view.ready && <ScaleBar info={slide.info} imageZoom={view.imageZoom} />}
        {!view.ready && <div className="viewer-loading">Loading {slide.info.name}…</div>}
      </div>
    </section>
  );
}
