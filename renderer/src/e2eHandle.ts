// The e2e suite's window into the viewers (present only with ?e2e): it sets exact views and waits
// for tiles through OpenSeadragon itself instead of guessing from pixels.

import type OpenSeadragon from 'openseadragon';
import type { AnnotationOverlay } from './annotations/annotationOverlay';
import type { DetectionOverlay } from './annotations/detectionOverlay';
import { e2eHooksEnabled } from './env';

export interface E2EHandle {
  /** The single view's viewer; null while the comparison grid is shown. */
  viewer: OpenSeadragon.Viewer | null;
  /** The grid's four cells in order (null: a cell showing a refusal instead of a viewer). */
  gridViewers: Array<OpenSeadragon.Viewer | null>;
  /** The compare view's panels in order (null: a slide without µm/px, shown as a refusal). */
  compareViewers: Array<OpenSeadragon.Viewer | null>;
  tileErrors: number;
  /** The app has mounted and listens for drops, keys and main's events (a drop before that is lost). */
  listening: boolean;
  /** The annotation layers of the views on screen (their draw times measure the frame cost). */
  annotationOverlays: AnnotationOverlay[];
  /** The detection layers of the views on screen (their draw times measure the frame cost). */
  detectionOverlays: DetectionOverlay[];
}

declare global {
  interface Window {
    __slidescopeE2E?: E2EHandle;
  }
}

/** The handle, created on first use; null unless the page was loaded with ?e2e. */
export function e2eHandle(): E2EHandle | null {
  if (!e2eHooksEnabled) return null;
  window.__slidescopeE2E ??= {
    viewer: null,
    gridViewers: [],
    compareViewers: [],
    tileErrors: 0,
    listening: false,
    annotationOverlays: [],
    detectionOverlays: [],
  };
  return window.__slidescopeE2E;
}
