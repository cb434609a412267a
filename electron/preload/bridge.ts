// The one implementation of window.slidescope (SlidescopeApi, shared/ipc.ts), built from the
// operation table: one method per page operation, sent to the main process or straight to the
// engine process as the table says. The preload builds it over ipcRenderer and the window's engine
// port; the e2e host builds it over its own transport in a plain Chromium page. It imports nothing
// but shared code, so it bundles into the sandboxed preload and into a browser page alike.
//
// Every method resolves to a Result and never rejects: transport failures and answers that are not
// Results become INTERNAL.

import { fail, isResult, type Result, toErrorInfo } from '../../shared/errors';
import type { DroppedFile, EventChannel, EventChannels, SlidescopeApi } from '../../shared/ipc';
import { EVENT_CHANNELS } from '../../shared/ipc';
import { type EngineOperation, type MainOperation, OPERATION_NAMES, type OpenedPath, type OperationName, operationSpec } from '../../shared/operations';

export interface BridgeTransport {
  /** Sends a request to the main process (ipcRenderer.invoke) and resolves to its answer. */
  invoke(operation: MainOperation, request: unknown): Promise<unknown>;
  /** Sends a request to the engine process over the window's port. */
  invokeEngine(operation: EngineOperation, request: unknown): Promise<unknown>;
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  on(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** Resolves a dropped File to its absolute path (webUtils.getPathForFile); '' when it has none. */
export type DroppedPathResolver = (file: DroppedFile) => string;

/**
 * Events main may send before the page has subscribed (a slide, or a folder's gallery, opened from
 * the command line while React is still mounting): the bridge keeps them until the first listener of the channel arrives.
 */
const BUFFERED_EVENTS: readonly EventChannel[] = ['app:slide-opened', 'app:folder-opened', 'app:open-failed'];
const MAX_BUFFERED = 32;

export function createSlidescopeApi(transport: BridgeTransport, resolveDroppedPath: DroppedPathResolver): SlidescopeApi {
  async function call(operation: OperationName, request: unknown): Promise<Result<unknown>> {
    try {
      const at = operationSpec(operation).at;
      const answer =
        at === 'main' ? await transport.invoke(operation as MainOperation, request) : await transport.invokeEngine(operation as EngineOperation, request);
      return isResult(answer) ? answer : fail('INTERNAL', `${operation} gave a malformed answer`);
    } catch (error) {
      return { ok: false, error: toErrorInfo(error) };
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
    if (!(EVENT_CHANNELS as readonly string[]).includes(channel)) throw new TypeError(`unknown event channel ${String(channel)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    ensureTransportSubscription(channel);
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
    }
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

  async function openDropped(files: readonly DroppedFile[]): Promise<Array<Result<OpenedPath>>> {
    if (!Array.isArray(files) && !isArrayLike(files)) return [fail('INVALID_ARGUMENT', 'openDropped takes a list of files')];
    const results: Array<Result<OpenedPath>> = [];
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
        results.push(fail('NOT_AUTHORIZED', `${name} is not a file on this computer`));
        continue;
      }
      results.push((await call('slide:open-dropped', { path })) as Result<OpenedPath>);
    }
    return results;
  }

  const methods: Record<string, (request?: unknown) => Promise<Result<unknown>>> = {};
  for (const operation of OPERATION_NAMES) {
    const spec = operationSpec(operation);
    if (spec.exposure === 'page') methods[spec.method] = (request) => call(operation, request);
  }
  return Object.freeze({ ...methods, openDropped, on }) as SlidescopeApi;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { length?: unknown }).length === 'number';
}
