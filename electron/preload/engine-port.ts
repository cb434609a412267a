// The page's connection to the engine process: RPC over the MessagePort the main process hands the
// preload for this window ('engine:port'), so tiles go from the engine to the window without
// passing through the main process. When the engine stops, main says so ('engine:stopped': calls in
// flight answer WORKER_FAILED, which the viewer retries) and sends a new port once it has restarted;
// calls made meanwhile wait for it.

import { fail, type Result } from '../../shared/errors';
import type { OperationProtocol } from '../../shared/operation-rpc';
import type { EngineOperation } from '../../shared/operations';
import { type Endpoint, RpcClient } from '../../shared/rpc';

/** How long a call waits for a port before it gives up (the engine did not come back). */
const PORT_WAIT_MS = 30_000;

export interface EnginePort {
  call(op: EngineOperation, request: unknown): Promise<Result<unknown>>;
  /** A port arrived: calls go over it from now on. */
  attach(endpoint: Endpoint): void;
  /** The engine stopped: calls in flight end, later ones wait for the next port. */
  detach(reason: string): void;
}

/** A DOM MessagePort as an RPC endpoint. */
export function messagePortEndpoint(port: MessagePort): Endpoint {
  return {
    post: (message) => port.postMessage(message),
    listen(listener) {
      const onMessage = (event: MessageEvent) => listener(event.data);
      port.addEventListener('message', onMessage);
      port.start();
      return () => port.removeEventListener('message', onMessage);
    },
  };
}

export function createEnginePort(): EnginePort {
  let client: RpcClient<OperationProtocol> | null = null;
  let waiters: Array<() => void> = [];

  const waitForPort = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== wake);
        resolve(false);
      }, PORT_WAIT_MS);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      waiters.push(wake);
    });

  return {
    async call(op, request) {
      while (!client) {
        if (!(await waitForPort())) return fail('WORKER_FAILED', 'The slide engine is not running.');
      }
      return client.call(op, request as never);
    },
    attach(endpoint) {
      client?.close({ code: 'WORKER_FAILED', message: 'The slide engine connection was replaced.' });
      client = new RpcClient<OperationProtocol>(endpoint);
      for (const wake of waiters.splice(0)) wake();
    },
    detach(reason) {
      client?.close({ code: 'WORKER_FAILED', message: reason });
      client = null;
    },
  };
}
