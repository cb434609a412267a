// The one implementation of window.slidescope (SlidescopeApi, shared/ipc.ts). The preload builds it
// over ipcRenderer (transport) and webUtils.getPathForFile (resolveDroppedPath); the e2e host builds
// it over its own transport in a plain Chromium page. It imports nothing but shared types, so it
// bundles into the sandboxed preload and into a browser page alike.
//
// Every method resolves to a Result and never rejects: transport failures (no handler registered,
// the main process gone, a response that is not a Result) become IO_ERROR.

import type { ErrorInfo, Result } from '../../shared/errors';
import { isErrorCode } from '../../shared/errors';
import type { DroppedFile, EventChannel, EventChannels, InvokeChannel, InvokeRequest, InvokeResponse, SlidescopeApi } from '../../shared/ipc';
import { EVENT_CHANNELS } from '../../shared/ipc';

export interface BridgeTransport {
  /** Sends a request to the main process (ipcRenderer.invoke) and resolves to its answer. */
  invoke(channel: InvokeChannel, request: unknown): Promise<unknown>;
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  on(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** Resolves a dropped File to its absolute path (webUtils.getPathForFile); '' when it has none. */
export type DroppedPathResolver = (file: DroppedFile) => string;

/**
 * Events main may send before the page has subscribed (a slide opened from the command line while
 * React is still mounting): the bridge keeps them until the first listener of the channel arrives.
 */
const BUFFERED_EVENTS: readonly EventChannel[] = ['app:slide-opened', 'app:open-failed'];
const MAX_BUFFERED = 32;

function transportError(channel: string, error: unknown): ErrorInfo {
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'IO_ERROR', message: `${channel} failed: ${message}`.slice(0, 2000) };
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { ok?: unknown; error?: unknown };
  if (r.ok === true) return 'value' in r;
  if (r.ok === false) {
    const e = r.error as { code?: unknown; message?: unknown } | null | undefined;
    return typeof e === 'object' && e !== null && isErrorCode(e.code) && typeof e.message === 'string';
  }
  return false;
}

export function createSlidescopeApi(transport: BridgeTransport, resolveDroppedPath: DroppedPathResolver): SlidescopeApi {
  async function invoke<C extends InvokeChannel>(channel: C, request?: InvokeRequest<C>): Promise<InvokeResponse<C>> {
    try {
      const response = await transport.invoke(channel, request);
      if (!isResult(response)) return { ok: false, error: { code: 'IO_ERROR', message: `${channel} gave a malformed answer` } };
      return response as InvokeResponse<C>;
    } catch (error) {
      return { ok: false, error: transportError(channel, error) };
    }
  }

  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const buffered = new Map<EventChannel, unknown[]>();
  const subscribed = new Set<EventChannel>();

  function deliver(channel: EventChannel, payload: unknown): void {
    const set = listeners.get(channel);
    if (!set || set.size === 0) {
      if (BUFFERED_EVENTS.includes(channel)) {
        const queue = buffered.get(channel) ?? [];
        queue.push(payload);
        if (queue.length > MAX_BUFFERED) queue.shift();
        buffered.set(channel, queue);
      }
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        // One failing listener must not starve the others, nor break the IPC dispatch.
        console.error(`slidescope: a listener of ${channel} threw`, error);
      }
    }
  }

  function ensureTransportSubscription(channel: EventChannel): void {
    // One transport subscription per channel for the bridge's lifetime (the page's lifetime).
    if (subscribed.has(channel)) return;
    subscribed.add(channel);
    transport.on(channel, (payload) => deliver(channel, payload));
  }

  // Buffered channels are subscribed from the start so nothing sent early is lost.
  for (const channel of BUFFERED_EVENTS) ensureTransportSubscription(channel);

  function on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void {
    if (!(EVENT_CHANNELS as readonly string[]).includes(channel)) {
      throw new TypeError(`unknown event channel ${String(channel)}`);
    }
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    ensureTransportSubscription(channel);
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    const pending = buffered.get(channel);
    if (pending && pending.length > 0) {
      buffered.delete(channel);
      // Deliver after returning, like a real event would arrive.
      queueMicrotask(() => {
        for (const payload of pending) deliver(channel, payload);
      });
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(wrapped);
    };
  }

  async function openDropped(files: readonly DroppedFile[]): Promise<Array<InvokeResponse<'slide:open-path'>>> {
    if (!Array.isArray(files) && !isArrayLike(files)) {
      return [{ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'openDropped takes a list of files' } }];
    }
    const results: Array<InvokeResponse<'slide:open-path'>> = [];
    // One at a time: the first dropped slide opens first, and the engine is not flooded.
    for (const file of Array.from(files)) {
      let path = '';
      try {
        path = resolveDroppedPath(file);
      } catch {
        path = '';
      }
      if (typeof path !== 'string' || path.length === 0) {
        const name = typeof file?.name === 'string' ? file.name : 'the dropped item';
        results.push({ ok: false, error: { code: 'NOT_AUTHORIZED', message: `${name} is not a file on this computer` } });
        continue;
      }
      results.push(await invoke('slide:open-path', { path, origin: 'drop' }));
    }
    return results;
  }

  const api: SlidescopeApi = {
    openDialog: () => invoke('slide:open-dialog'),
    openDropped,
    openRecent: (path) => invoke('slide:open-path', { path, origin: 'recent' }),
    openSample: () => invoke('slide:open-sample'),
    closeSlide: (slideId) => invoke('slide:close', { slideId }),
    getTile: (request) =>
      invoke('slide:tile', {
        slideId: request?.slideId,
        dzLevel: request?.dzLevel,
        col: request?.col,
        row: request?.row,
        requestId: request?.requestId,
      }),
    prefetchTiles: (request) => invoke('slide:prefetch', { ...request }),
    cancelTiles: (slideId, requestIds) => invoke('slide:cancel-tiles', { slideId, requestIds: Array.isArray(requestIds) ? [...requestIds] : requestIds }),
    getAssociatedImage: (slideId, name) => invoke('slide:associated', { slideId, name }),
    listRecent: () => invoke('recent:list'),
    clearRecent: () => invoke('recent:clear'),
    exportThumbnail: (request) => invoke('export:thumbnail', request),
    exportComparison: (request) => invoke('export:comparison', request),
    showInFolder: (path) => invoke('export:show-in-folder', { path }),
    versions: () => invoke('app:versions'),
    on,
  };
  return Object.freeze(api);
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { length?: unknown }).length === 'number';
}
