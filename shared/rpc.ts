// The one RPC layer between Slidescope's own processes and threads: the renderer's port to the
// engine, the main process (or the CLI) to the engine process, the engine process to its lanes, a
// lane to its codec threads. Requests, progress, cancellation and errors as data (a handler's
// Result goes back as it is, never rethrown and rewrapped on the way), plus the few lifecycle
// messages a supervisor needs (ping, ready, exit). Pure TypeScript over any message endpoint.

import { type ErrorInfo, fail, isResult, type Result, toErrorInfo } from './errors';

/** What each side of an RPC boundary knows of the other's operations. */
export type Protocol = Record<string, { request: unknown; response: unknown; progress?: unknown }>;

/** How the engine process reports on itself in its pongs. */
export interface Health {
  rssBytes: number;
  /** Slides it is reading now or read in the last moments: what a crash was reading. */
  activeSlides?: string[];
}

export type RpcMessage =
  | { rpc: 'call'; id: number; op: string; request: unknown }
  | { rpc: 'cancel'; id: number }
  | { rpc: 'result'; id: number; result: Result<unknown> }
  | { rpc: 'progress'; id: number; value: unknown }
  | { rpc: 'event'; name: string; payload: unknown }
  | { rpc: 'ping' }
  | { rpc: 'pong'; health: Health }
  /** Once, when the serving side has warmed up (modules loaded, codec threads started). */
  | { rpc: 'ready'; health: Health }
  /** Unasked, when what a crash would lose has changed (a slide starts being read). */
  | { rpc: 'health'; health: Health }
  /** Leave between two tasks (a thread in a native call must not be torn down). */
  | { rpc: 'exit' };

/** A message channel: a worker, a MessagePort, a child process, one channel of a multiplexed one. */
export interface Endpoint {
  /** `transfer`: buffers moved rather than copied, where the channel can (worker threads). */
  post(message: RpcMessage, transfer?: ArrayBuffer[]): void;
  /** Returns the function that stops listening. */
  listen(listener: (message: unknown) => void): () => void;
}

export function isRpcMessage(value: unknown): value is RpcMessage {
  return typeof value === 'object' && value !== null && typeof (value as { rpc?: unknown }).rpc === 'string';
}

export interface CallOptions<Progress = unknown> {
  signal?: AbortSignal | undefined;
  onProgress?: ((value: Progress) => void) | undefined;
  transfer?: ArrayBuffer[] | undefined;
}

interface PendingCall {
  op: string;
  request: unknown;
  resolve: (result: Result<unknown>) => void;
  onProgress: ((value: unknown) => void) | undefined;
  cleanup: () => void;
}

const cancelledResult = (): Result<never> => fail('CANCELLED', 'The request was cancelled.');

/** The calling side. Every call resolves to a Result; nothing it does rejects. */
export class RpcClient<P extends Protocol> {
  private nextId = 1;
  private readonly pendingCalls = new Map<number, PendingCall>();
  private readonly unlisten: () => void;
  private closedWith: ErrorInfo | null = null;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly options: {
      /** Messages that are not answers: events, pongs, ready. */
      onMessage?: (message: RpcMessage) => void;
      /** Called when the number of calls in flight changes (a supervisor holds its child while busy). */
      onLoad?: (pending: number) => void;
    } = {},
  ) {
    this.unlisten = endpoint.listen((message) => this.receive(message));
  }

  /** Calls in flight. */
  get pending(): number {
    return this.pendingCalls.size;
  }

  /** The calls in flight: what a crash interrupted. */
  inFlight(): Array<{ op: string; request: unknown }> {
    return [...this.pendingCalls.values()].map(({ op, request }) => ({ op, request }));
  }

  call<K extends keyof P & string>(op: K, request: P[K]['request'], options: CallOptions<P[K]['progress']> = {}): Promise<Result<P[K]['response']>> {
    if (this.closedWith) return Promise.resolve({ ok: false, error: this.closedWith });
    if (options.signal?.aborted) return Promise.resolve(cancelledResult());
    const id = this.nextId++;
    return new Promise<Result<P[K]['response']>>((resolve) => {
      const signal = options.signal;
      const onAbort = () => {
        if (!this.settle(id, cancelledResult())) return;
        this.send({ rpc: 'cancel', id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pendingCalls.set(id, {
        op,
        request,
        resolve: resolve as (result: Result<unknown>) => void,
        onProgress: options.onProgress as ((value: unknown) => void) | undefined,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      this.options.onLoad?.(this.pendingCalls.size);
      this.send({ rpc: 'call', id, op, request }, options.transfer);
    });
  }

  /** Sends a lifecycle message (ping, exit). */
  send(message: RpcMessage, transfer?: ArrayBuffer[]): void {
    try {
      this.endpoint.post(message, transfer);
    } catch (error) {
      // The channel is gone: the supervisor notices the exit and fails the calls with the reason.
      if (message.rpc === 'call') this.settle(message.id, { ok: false, error: toErrorInfo(error) });
    }
  }

  /** Ends every call in flight with this error (the other side has gone). */
  failAll(error: ErrorInfo): void {
    for (const id of [...this.pendingCalls.keys()]) this.settle(id, { ok: false, error });
  }

  /** Stops listening; calls in flight and later calls answer `error`. */
  close(error: ErrorInfo): void {
    this.closedWith = error;
    this.unlisten();
    this.failAll(error);
  }

  private settle(id: number, result: Result<unknown>): boolean {
    const call = this.pendingCalls.get(id);
    if (!call) return false;
    this.pendingCalls.delete(id);
    call.cleanup();
    this.options.onLoad?.(this.pendingCalls.size);
    call.resolve(result);
    return true;
  }

  private receive(message: unknown): void {
    if (!isRpcMessage(message)) return;
    if (message.rpc === 'result') {
      const result = isResult(message.result) ? message.result : fail('INTERNAL', `a malformed answer to call ${message.id}`);
      this.settle(message.id, result);
    } else if (message.rpc === 'progress') {
      this.pendingCalls.get(message.id)?.onProgress?.(message.value);
    } else {
      this.options.onMessage?.(message);
    }
  }
}

export interface CallContext<Progress = unknown> {
  /** Aborted when the caller cancels (or its channel closes). */
  signal: AbortSignal;
  progress(value: Progress): void;
}

/** The serving side's one entry: answers a call with a Result (a throw becomes one, via toErrorInfo). */
export type Dispatch = (op: string, request: unknown, context: CallContext) => Promise<Result<unknown>>;

export interface ServeOptions {
  /** What pongs and 'ready' report. */
  health?: () => Health;
  /** The host asked this side to leave between two tasks. */
  onExit?: () => void;
  /** Buffers of an answer to move rather than copy (worker threads; only buffers the server no longer needs). */
  transferOf?: (op: string, value: unknown) => ArrayBuffer[];
}

export interface RpcServer {
  /** Tells the host this side has warmed up. */
  ready(): void;
  /** Sends an unsolicited event to the host. */
  emit(name: string, payload: unknown): void;
  /** Tells the host how this side is now, without waiting for its next ping. */
  reportHealth(): void;
  /** Calls being answered. */
  readonly running: number;
  /** Stops listening and aborts what runs. */
  close(): void;
}

export function serveRpc(endpoint: Endpoint, dispatch: Dispatch, options: ServeOptions = {}): RpcServer {
  const running = new Map<number, AbortController>();
  const health = () => options.health?.() ?? { rssBytes: 0 };
  const post = (message: RpcMessage, transfer?: ArrayBuffer[]) => {
    try {
      endpoint.post(message, transfer);
    } catch {
      // The caller has gone; nothing is waiting for this.
    }
  };

  const answer = async (id: number, op: string, request: unknown): Promise<void> => {
    const controller = new AbortController();
    running.set(id, controller);
    const context: CallContext = { signal: controller.signal, progress: (value) => post({ rpc: 'progress', id, value }) };
    let result: Result<unknown>;
    try {
      result = await dispatch(op, request, context);
    } catch (error) {
      result = { ok: false, error: toErrorInfo(error) };
    } finally {
      running.delete(id);
    }
    if (controller.signal.aborted) return; // the caller has answered itself CANCELLED
    post({ rpc: 'result', id, result }, result.ok ? options.transferOf?.(op, result.value) : undefined);
  };

  const unlisten = endpoint.listen((message) => {
    if (!isRpcMessage(message)) return;
    switch (message.rpc) {
      case 'call':
        void answer(message.id, message.op, message.request);
        return;
      case 'cancel':
        running.get(message.id)?.abort();
        return;
      case 'ping':
        post({ rpc: 'pong', health: health() });
        return;
      case 'exit':
        options.onExit?.();
        return;
      default:
        return;
    }
  });

  return {
    ready: () => post({ rpc: 'ready', health: health() }),
    emit: (name, payload) => post({ rpc: 'event', name, payload }),
    reportHealth: () => post({ rpc: 'health', health: health() }),
    get running() {
      return running.size;
    },
    close() {
      unlisten();
      for (const controller of running.values()) controller.abort();
    },
  };
}
