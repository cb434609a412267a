// The main process's side of the IPC contract (shared/ipc.ts): one async handler per invoke channel,
// `(senderId, rawRequest) => Promise<Result>`. Plain TypeScript with injected dependencies, so the
// same code serves Electron's ipcMain (main.ts), the e2e test host (Node, driving a Chromium page)
// and the unit tests (a fake engine).
//
// Every handler validates its request (shared/validate.ts) and never throws: failures come back as
// { ok: false, error } with an ErrorCode. Slides belong to the window (sender) that opened them; a
// window can only touch its own slides, and releaseSender() closes them when the window goes away.

import type { ErrorInfo, Result } from '../../shared/errors';
import { isErrorCode } from '../../shared/errors';
import type {
  AppVersions,
  ComparisonRequest,
  ExportResult,
  ExportThumbnailRequest,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  OpenedSlide,
  RecentFile,
  SlideId,
} from '../../shared/ipc';
import type { SlideInfo } from '../../shared/slide';
import { isInvokeChannel, validateRequest } from '../../shared/validate';
import type { SlideEngineApi } from '../engine/engine-api';
import type { GrantSource, PathAuthority } from './path-authorizer';

/** How a slide reached the window. */
export type OpenSource = 'dialog' | 'drop' | 'recent' | 'menu' | 'cli' | 'os' | 'sample';
/** Opens the main process starts itself (menu, command line, OS), not a renderer request. */
export type MainOpenSource = 'dialog' | 'menu' | 'cli' | 'os';

export interface OwnedSlide {
  slideId: SlideId;
  path: string;
  info: SlideInfo;
  source: OpenSource;
}

/** Writes export files (issue 4). Gets the validated request and the requesting window's slide. */
export interface SlideExporter {
  exportThumbnail(senderId: number, slide: OwnedSlide, request: ExportThumbnailRequest): Promise<ExportResult>;
  exportComparison(senderId: number, slide: OwnedSlide, request: ComparisonRequest): Promise<ExportResult>;
}

export interface RecentFilesDep {
  list(): Promise<RecentFile[]>;
  add(path: string, name?: string): Promise<unknown>;
  clear(): Promise<void>;
}

export interface IpcHandlerDeps {
  engine: SlideEngineApi;
  authorizer: PathAuthority;
  recent: RecentFilesDep;
  dialogs: { showOpenSlide(senderId: number): Promise<string | null> };
  /** Path of the built-in sample slide (created on first use). */
  samplePath: () => Promise<string>;
  versions: () => AppVersions;
  showInFolder: (path: string) => void | Promise<void>;
  /** When given, the export:thumbnail and export:comparison handlers exist; otherwise they are absent. */
  exporter?: SlideExporter;
  /** Diagnostics for failures that do not reach the renderer (a recent-list write, a close). */
  log?: (message: string, error?: unknown) => void;
}

export type IpcHandler<C extends InvokeChannel> = (senderId: number, rawRequest: unknown) => Promise<InvokeResponse<C>>;

/** Export channels: present only with an exporter; the type stays open so they can be added. */
export type ExportChannel = 'export:thumbnail' | 'export:comparison';
export type CoreChannel = Exclude<InvokeChannel, ExportChannel>;

export type IpcHandlers = { [C in CoreChannel]: IpcHandler<C> } & { [C in ExportChannel]?: IpcHandler<C> };

/** Session control for the main process / the e2e host, beside the handlers. */
export interface IpcSessionControl {
  /** Runs the handler of `channel`; unknown channels and missing handlers answer with an error. */
  dispatch(channel: string, senderId: number, rawRequest: unknown): Promise<Result<unknown>>;
  /** Opens a path that reached main directly (dialog, menu, command line, OS) for a window. */
  openFromMain(senderId: number, path: string, source: MainOpenSource): Promise<InvokeResponse<'slide:open-path'>>;
  /** Opens the built-in sample for a window (launch without a slide, File > Open Sample Slide). */
  openSampleFor(senderId: number): Promise<InvokeResponse<'slide:open-sample'>>;
  /** The window is gone, reloaded or crashed: cancel its tile requests and close its slides. */
  releaseSender(senderId: number): Promise<void>;
  slidesOf(senderId: number): OwnedSlide[];
  /** Every window's slides closed, pending tiles aborted (app quit). */
  releaseAll(): Promise<void>;
}

export type IpcController = IpcHandlers & IpcSessionControl;

function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

function err(error: ErrorInfo): { ok: false; error: ErrorInfo } {
  return { ok: false, error };
}

const MAX_MESSAGE = 2000;

/** Turns anything thrown into an ErrorInfo: engine errors keep their code, the rest is IO_ERROR. */
export function toErrorInfo(error: unknown, path?: string): ErrorInfo {
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown; path?: unknown; name?: unknown };
    const message = typeof e.message === 'string' && e.message.length > 0 ? e.message.slice(0, MAX_MESSAGE) : undefined;
    const errorPath = typeof e.path === 'string' ? e.path : path;
    if (isErrorCode(e.code)) {
      return withPath({ code: e.code, message: message ?? e.code }, errorPath);
    }
    if (e.name === 'AbortError') return withPath({ code: 'CANCELLED', message: message ?? 'cancelled' }, errorPath);
    return withPath({ code: 'IO_ERROR', message: message ?? String(error).slice(0, MAX_MESSAGE) }, errorPath);
  }
  return withPath({ code: 'IO_ERROR', message: String(error).slice(0, MAX_MESSAGE) || 'unknown error' }, path);
}

function withPath(info: ErrorInfo, path: string | undefined): ErrorInfo {
  return path ? { ...info, path } : info;
}

const notOpen = (slideId: string): ErrorInfo => ({ code: 'NOT_OPEN', message: `slide ${slideId} is not open in this window` });
const cancelled = (message: string): ErrorInfo => ({ code: 'CANCELLED', message });

export function createIpcHandlers(deps: IpcHandlerDeps): IpcController {
  const { engine, authorizer, recent } = deps;
  const log = deps.log ?? (() => undefined);

  /** senderId -> slideId -> slide. */
  const slides = new Map<number, Map<SlideId, OwnedSlide>>();
  /** senderId -> slideId -> requestId -> controller of an in-flight tile. */
  const pendingTiles = new Map<number, Map<SlideId, Map<number, AbortController>>>();
  /** Bumped when a sender is released: an open that started before must not land in the new page. */
  const epochs = new Map<number, number>();

  const epochOf = (senderId: number) => epochs.get(senderId) ?? 0;
  const ownSlide = (senderId: number, slideId: string) => slides.get(senderId)?.get(slideId);

  /** Wraps a handler: validation first, and nothing thrown escapes. */
  function handler<C extends InvokeChannel>(channel: C, body: (senderId: number, request: InvokeRequest<C>) => Promise<InvokeResponse<C>>): IpcHandler<C> {
    return async (senderId, rawRequest) => {
      try {
        if (typeof senderId !== 'number' || !Number.isInteger(senderId)) {
          return err({ code: 'INVALID_ARGUMENT', message: 'unknown sender' });
        }
        const request = validateRequest(channel, rawRequest);
        if (!request.ok) return request;
        return await body(senderId, request.value);
      } catch (error) {
        return err(toErrorInfo(error));
      }
    };
  }

  async function openSlide(senderId: number, path: string, source: OpenSource): Promise<Result<OpenedSlide>> {
    const epoch = epochOf(senderId);
    let opened: { slideId: string; info: SlideInfo };
    try {
      opened = await engine.open(path);
    } catch (error) {
      return err(toErrorInfo(error, path));
    }
    if (epochOf(senderId) !== epoch) {
      // The window closed or reloaded while the engine was opening: nobody will show this slide.
      engine.close(opened.slideId).catch((e: unknown) => log(`closing orphaned slide ${opened.slideId} failed`, e));
      return err({ ...cancelled('the window closed before the slide opened'), path });
    }
    let owned = slides.get(senderId);
    if (!owned) slides.set(senderId, (owned = new Map()));
    owned.set(opened.slideId, { slideId: opened.slideId, path, info: opened.info, source });
    authorizer.grant(path, source satisfies GrantSource);
    if (source !== 'sample') {
      try {
        await recent.add(path, opened.info.name);
      } catch (error) {
        log(`could not add ${path} to the recent files`, error);
      }
    }
    return ok({ slideId: opened.slideId, info: opened.info });
  }

  async function openSample(senderId: number): Promise<Result<OpenedSlide>> {
    let path: string;
    try {
      path = await deps.samplePath();
    } catch (error) {
      return err(toErrorInfo(error));
    }
    return openSlide(senderId, path, 'sample');
  }

  function abortTiles(senderId: number, slideId?: string): void {
    const bySlide = pendingTiles.get(senderId);
    if (!bySlide) return;
    for (const [id, requests] of bySlide) {
      if (slideId !== undefined && id !== slideId) continue;
      for (const controller of requests.values()) controller.abort();
      bySlide.delete(id);
    }
    if (bySlide.size === 0) pendingTiles.delete(senderId);
  }

  async function closeSlide(senderId: number, slideId: string): Promise<void> {
    abortTiles(senderId, slideId);
    const owned = slides.get(senderId);
    owned?.delete(slideId);
    if (owned && owned.size === 0) slides.delete(senderId);
    await engine.close(slideId);
  }

  function requireSlide(senderId: number, slideId: string): Result<OwnedSlide> {
    const slide = ownSlide(senderId, slideId);
    return slide ? ok(slide) : err(notOpen(slideId));
  }

  async function runExport(senderId: number, slideId: string, write: (slide: OwnedSlide) => Promise<ExportResult>): Promise<Result<ExportResult>> {
    const slide = requireSlide(senderId, slideId);
    if (!slide.ok) return slide;
    let result: ExportResult;
    try {
      result = await write(slide.value);
    } catch (error) {
      return err(toErrorInfo(error));
    }
    const files = Array.isArray(result?.files) ? result.files.filter((f): f is string => typeof f === 'string') : [];
    for (const file of files) authorizer.grant(file, 'export');
    return ok({ files });
  }

  const handlers: IpcHandlers = {
    'slide:open-dialog': handler('slide:open-dialog', async (senderId) => {
      const chosen = await deps.dialogs.showOpenSlide(senderId);
      if (chosen === null || chosen === undefined || chosen === '') return ok(null);
      const path = authorizer.grant(chosen, 'dialog');
      return openSlide(senderId, path, 'dialog');
    }),

    'slide:open-path': handler('slide:open-path', async (senderId, request) => {
      const authorized = await authorizer.authorizeRendererPath(request.path, request.origin);
      if (!authorized.ok) return authorized;
      return openSlide(senderId, authorized.value, request.origin);
    }),

    'slide:open-sample': handler('slide:open-sample', async (senderId) => openSample(senderId)),

    'slide:close': handler('slide:close', async (senderId, { slideId }) => {
      if (!ownSlide(senderId, slideId)) return err(notOpen(slideId));
      await closeSlide(senderId, slideId);
      return ok(undefined);
    }),

    'slide:tile': handler('slide:tile', async (senderId, { slideId, dzLevel, col, row, requestId }) => {
      if (!ownSlide(senderId, slideId)) return err(notOpen(slideId));
      let bySlide = pendingTiles.get(senderId);
      if (!bySlide) pendingTiles.set(senderId, (bySlide = new Map()));
      let requests = bySlide.get(slideId);
      if (!requests) bySlide.set(slideId, (requests = new Map()));
      // A reused request id replaces the older request, which is no longer wanted.
      requests.get(requestId)?.abort();
      const controller = new AbortController();
      requests.set(requestId, controller);
      try {
        const tile = await engine.getTile(slideId, dzLevel, col, row, controller.signal);
        if (controller.signal.aborted) return err(cancelled(`tile request ${requestId} was cancelled`));
        return ok(tile);
      } catch (error) {
        if (controller.signal.aborted) return err(cancelled(`tile request ${requestId} was cancelled`));
        return err(toErrorInfo(error));
      } finally {
        const current = pendingTiles.get(senderId)?.get(slideId);
        if (current?.get(requestId) === controller) {
          current.delete(requestId);
          if (current.size === 0) pendingTiles.get(senderId)?.delete(slideId);
          if (pendingTiles.get(senderId)?.size === 0) pendingTiles.delete(senderId);
        }
      }
    }),

    'slide:cancel-tiles': handler('slide:cancel-tiles', async (senderId, { slideId, requestIds }) => {
      if (!ownSlide(senderId, slideId)) return err(notOpen(slideId));
      const requests = pendingTiles.get(senderId)?.get(slideId);
      if (requests) {
        for (const id of requestIds) requests.get(id)?.abort();
      }
      return ok(undefined);
    }),

    'slide:prefetch': handler('slide:prefetch', async (senderId, request) => {
      if (!ownSlide(senderId, request.slideId)) return err(notOpen(request.slideId));
      await engine.prefetch(request.slideId, request.dzLevel, {
        colStart: request.colStart,
        colEnd: request.colEnd,
        rowStart: request.rowStart,
        rowEnd: request.rowEnd,
      });
      return ok(undefined);
    }),

    'slide:associated': handler('slide:associated', async (senderId, { slideId, name }) => {
      if (!ownSlide(senderId, slideId)) return err(notOpen(slideId));
      return ok(await engine.getAssociatedImage(slideId, name));
    }),

    'recent:list': handler('recent:list', async () => ok(await recent.list())),

    'recent:clear': handler('recent:clear', async () => {
      await recent.clear();
      return ok(undefined);
    }),

    'export:show-in-folder': handler('export:show-in-folder', async (_senderId, { path }) => {
      if (!authorizer.isGranted(path)) {
        return err({ code: 'NOT_AUTHORIZED', message: 'only files this app wrote or opened can be shown', path });
      }
      await deps.showInFolder(path);
      return ok(undefined);
    }),

    'app:versions': handler('app:versions', async () => ok(deps.versions())),
  };

  const exporter = deps.exporter;
  if (exporter) {
    handlers['export:thumbnail'] = handler('export:thumbnail', (senderId, request) =>
      runExport(senderId, request.slideId, (slide) => exporter.exportThumbnail(senderId, slide, request)),
    );
    handlers['export:comparison'] = handler('export:comparison', (senderId, request) =>
      runExport(senderId, request.slideId, (slide) => exporter.exportComparison(senderId, slide, request)),
    );
  }

  const control: IpcSessionControl = {
    async dispatch(channel, senderId, rawRequest) {
      if (!isInvokeChannel(channel)) {
        return err({ code: 'INVALID_ARGUMENT', message: `unknown channel ${String(channel).slice(0, 40)}` });
      }
      const h = handlers[channel] as IpcHandler<InvokeChannel> | undefined;
      if (!h) return err({ code: 'IO_ERROR', message: `${channel} is not available in this build` });
      return h(senderId, rawRequest);
    },

    async openFromMain(senderId, path, source) {
      try {
        const granted = authorizer.grant(path, source);
        return await openSlide(senderId, granted, source);
      } catch (error) {
        return err(toErrorInfo(error, path));
      }
    },

    async openSampleFor(senderId) {
      try {
        return await openSample(senderId);
      } catch (error) {
        return err(toErrorInfo(error));
      }
    },

    async releaseSender(senderId) {
      epochs.set(senderId, epochOf(senderId) + 1);
      abortTiles(senderId);
      const owned = slides.get(senderId);
      slides.delete(senderId);
      if (!owned) return;
      const results = await Promise.allSettled([...owned.keys()].map((slideId) => engine.close(slideId)));
      for (const r of results) if (r.status === 'rejected') log(`closing a slide of window ${senderId} failed`, r.reason);
    },

    slidesOf(senderId) {
      return [...(slides.get(senderId)?.values() ?? [])].map((s) => ({ ...s }));
    },

    async releaseAll() {
      const senders = new Set([...slides.keys(), ...pendingTiles.keys()]);
      await Promise.all([...senders].map((id) => control.releaseSender(id)));
    },
  };

  return Object.assign(handlers, control) as IpcController;
}
