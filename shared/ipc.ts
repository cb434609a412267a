// The renderer's side of the contract: window.slidescope (derived from the operation table), the
// events the main process sends a window, and the menu's commands. Main, preload, renderer and the
// e2e host import it.

import type { ErrorInfo, Result } from './errors';
import type { LanguageState } from './i18n/languages';
import {
  type ExportStep,
  type FolderGallery,
  type MethodOf,
  type OpenedPath,
  type OpenedSlide,
  type PageOperation,
  type RequestInput,
  type ResponseOf,
  type Returns,
  returns,
} from './operations';

export type {
  AppVersions,
  ComparisonMode,
  ExportResult,
  FolderGallery,
  GallerySlide,
  ImageFormat,
  OpenedPath,
  OpenedSlide,
  RecentFile,
  RequestInput,
  SlidePreview,
  ThumbnailSpec,
} from './operations';

/** Handle of a slide opened for one window, never a path. */
export type SlideId = string;
export type TileRequest = RequestInput<'slide:tile'>;
export type PrefetchRequest = RequestInput<'slide:prefetch'>;
export type ExportThumbnailRequest = RequestInput<'export:thumbnail'>;
export type ComparisonRequest = RequestInput<'export:comparison'>;
export type ExportRegionRequest = RequestInput<'export:region'>;
export type CopyRegionRequest = RequestInput<'export:copy-region'>;

export interface ExportProgress extends ExportStep {
  jobId: number;
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
  'compare-slides',
  'export',
  'copy-view',
  'show-shortcuts',
  'show-about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value);
}

/** The slide engine stopped (crashed, was killed, or hit its memory cap) and was restarted. */
export interface EngineStopped {
  /** What happened, for the user: which slides it was reading and why it stopped. */
  message: string;
  /** This window's slides it was reading when it stopped. */
  slideIds: SlideId[];
  /** Slides it no longer reads: they stopped it twice, or could not be reopened after it restarted. Their views show an error. */
  failedSlideIds: SlideId[];
}

/** Channels the main process sends to a window, each with its payload's type. */
const EVENTS = {
  /** A slide opened from the menu, the command line or the OS: show it in this window. */
  'app:slide-opened': returns<OpenedSlide>(),
  /** A folder of several slides opened from the menu, the command line or the OS: show its gallery. */
  'app:folder-opened': returns<FolderGallery>(),
  /** Opening failed outside the renderer's own request (command line, OS open-file). */
  'app:open-failed': returns<ErrorInfo>(),
  'app:menu-command': returns<MenuCommand>(),
  'export:progress': returns<ExportProgress>(),
  'engine:stopped': returns<EngineStopped>(),
  /** View > Language changed: every window shows the new language. */
  'app:language-changed': returns<LanguageState>(),
};
export type EventChannels = { [E in keyof typeof EVENTS]: (typeof EVENTS)[E] extends Returns<infer T> ? T : never };
export type EventChannel = keyof EventChannels;

export const EVENT_CHANNELS = Object.keys(EVENTS) as readonly EventChannel[];

/**
 * How a window gets its port to the engine process: the preload asks on `request` (ipcRenderer.send)
 * and main answers on `port` (webContents.postMessage with a MessagePort), again after a restart.
 */
export const ENGINE_PORT_CHANNELS = { request: 'engine:connect', port: 'engine:port' } as const;

/** A DOM File as shared/ may name it (no DOM types here); the preload needs the real File. */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

type ApiMethod<O extends PageOperation> = [RequestInput<O>] extends [null | undefined]
  ? () => Promise<Result<ResponseOf<O>>>
  : (request: RequestInput<O>) => Promise<Result<ResponseOf<O>>>;

/** One method per page operation of the table, named by it. */
export type OperationMethods = { readonly [O in PageOperation as MethodOf<O>]: ApiMethod<O> };

/** What the preload exposes as window.slidescope. The e2e host offers exactly this too. */
export interface SlidescopeApi extends OperationMethods {
  /** Files from a drop: the preload resolves their paths (webUtils.getPathForFile). */
  openDropped(files: readonly DroppedFile[]): Promise<Array<Result<OpenedPath>>>;
  /** Subscribe to a main-process event; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void;
}
