// The IPC contract between the renderer and the main process: channel names, payloads and the API
// the preload bridge exposes as window.slidescope. Main, preload, renderer and the e2e host import it.

import type { ErrorInfo, Result } from './errors';
import type { EncodedImage, EncodedTile, SlideInfo, ThumbnailSpec } from './slide';

/** Handle of a slide opened for one window; the engine's id, never a path. */
export type SlideId = string;

export interface OpenedSlide {
  slideId: SlideId;
  info: SlideInfo;
}

export interface RecentFile {
  path: string;
  name: string;
  openedAt: string; // ISO time
}

export interface TileRequest {
  slideId: SlideId;
  dzLevel: number;
  col: number;
  row: number;
  /** Caller-chosen id, so the request can be cancelled. */
  requestId: number;
}

/** Tiles (inclusive ranges at one dz level) the engine may make ahead, while it has nothing else to do. */
export interface PrefetchRequest {
  slideId: SlideId;
  dzLevel: number;
  colStart: number;
  colEnd: number;
  rowStart: number;
  rowEnd: number;
}

export type ImageFormat = 'png' | 'jpeg' | 'tiff';

export interface ExportThumbnailRequest {
  slideId: SlideId;
  spec: ThumbnailSpec;
  format: ImageFormat;
}

/**
 * Whole slide (one thumbnail per magnification), or a field of view: what a grid cell of
 * panelWidth x panelHeight screen pixels shows around a level-0 centre at each magnification.
 */
export type ComparisonMode = { kind: 'slide' } | { kind: 'field'; centerX: number; centerY: number; panelWidth: number; panelHeight: number };

export interface ComparisonRequest {
  slideId: SlideId;
  /** Objective powers of the four panels, e.g. [1.25, 2.5, 5, 10]. */
  powers: number[];
  mode: ComparisonMode;
  format: ImageFormat;
}

export interface ExportResult {
  /** Files written, absolute paths. Empty when the user cancelled the save dialog. */
  files: string[];
}

export interface ExportProgress {
  jobId: number;
  done: number;
  total: number;
  label: string;
}

export interface AppVersions {
  app: string;
  electron: string;
  chrome: string;
  node: string;
}

/** Commands the native menu sends to the focused window. */
export const MENU_COMMANDS = [
  'zoom-in',
  'zoom-out',
  'fit',
  'actual-pixels',
  'rotate-left',
  'rotate-right',
  'fullscreen',
  'toggle-navigator',
  'toggle-metadata',
  'toggle-grid',
  'export',
  'show-shortcuts',
  'show-about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** invoke() channels: request payload and response, all responses wrapped in Result. */
export interface InvokeChannels {
  'slide:open-dialog': { request: void; response: OpenedSlide | null };
  'slide:open-path': { request: { path: string; origin: 'drop' | 'recent' }; response: OpenedSlide };
  'slide:open-sample': { request: void; response: OpenedSlide };
  'slide:close': { request: { slideId: SlideId }; response: void };
  'slide:tile': { request: TileRequest; response: EncodedTile };
  'slide:cancel-tiles': { request: { slideId: SlideId; requestIds: number[] }; response: void };
  'slide:prefetch': { request: PrefetchRequest; response: void };
  'slide:associated': { request: { slideId: SlideId; name: string }; response: EncodedImage };
  'recent:list': { request: void; response: RecentFile[] };
  'recent:clear': { request: void; response: void };
  'export:thumbnail': { request: ExportThumbnailRequest; response: ExportResult };
  'export:comparison': { request: ComparisonRequest; response: ExportResult };
  'export:show-in-folder': { request: { path: string }; response: void };
  'app:versions': { request: void; response: AppVersions };
}

export type InvokeChannel = keyof InvokeChannels;
export type InvokeRequest<C extends InvokeChannel> = InvokeChannels[C]['request'];
export type InvokeResponse<C extends InvokeChannel> = Result<InvokeChannels[C]['response']>;

/** Channels the main process sends to a window. */
export interface EventChannels {
  /** A slide opened from the menu, the command line or the OS: show it in this window. */
  'app:slide-opened': OpenedSlide;
  /** Opening failed outside the renderer's own request (command line, OS open-file). */
  'app:open-failed': ErrorInfo;
  'app:menu-command': MenuCommand;
  'export:progress': ExportProgress;
}
export type EventChannel = keyof EventChannels;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'slide:open-dialog',
  'slide:open-path',
  'slide:open-sample',
  'slide:close',
  'slide:tile',
  'slide:cancel-tiles',
  'slide:prefetch',
  'slide:associated',
  'recent:list',
  'recent:clear',
  'export:thumbnail',
  'export:comparison',
  'export:show-in-folder',
  'app:versions',
];

export const EVENT_CHANNELS: readonly EventChannel[] = ['app:slide-opened', 'app:open-failed', 'app:menu-command', 'export:progress'];

/** A DOM File as shared/ may name it (no DOM types here); the preload needs the real File. */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

/** What the preload exposes as window.slidescope. The e2e host offers exactly this too. */
export interface SlidescopeApi {
  openDialog(): Promise<InvokeResponse<'slide:open-dialog'>>;
  /** Files from a drop: the preload resolves their paths (webUtils.getPathForFile). */
  openDropped(files: readonly DroppedFile[]): Promise<Array<InvokeResponse<'slide:open-path'>>>;
  openRecent(path: string): Promise<InvokeResponse<'slide:open-path'>>;
  openSample(): Promise<InvokeResponse<'slide:open-sample'>>;
  closeSlide(slideId: SlideId): Promise<InvokeResponse<'slide:close'>>;
  getTile(request: TileRequest): Promise<InvokeResponse<'slide:tile'>>;
  cancelTiles(slideId: SlideId, requestIds: number[]): Promise<InvokeResponse<'slide:cancel-tiles'>>;
  /** Replaces this slide's prefetch: tiles around the view, made while the engine is idle. */
  prefetchTiles(request: PrefetchRequest): Promise<InvokeResponse<'slide:prefetch'>>;
  getAssociatedImage(slideId: SlideId, name: string): Promise<InvokeResponse<'slide:associated'>>;
  listRecent(): Promise<InvokeResponse<'recent:list'>>;
  clearRecent(): Promise<InvokeResponse<'recent:clear'>>;
  exportThumbnail(request: ExportThumbnailRequest): Promise<InvokeResponse<'export:thumbnail'>>;
  exportComparison(request: ComparisonRequest): Promise<InvokeResponse<'export:comparison'>>;
  showInFolder(path: string): Promise<InvokeResponse<'export:show-in-folder'>>;
  versions(): Promise<InvokeResponse<'app:versions'>>;
  /** Subscribe to a main-process event; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void;
}
