// The engine process's channel to its parent (the main process, the CLI, a test): the parent's own
// RPC, and the windows' connections. In Electron each window gets a real MessagePort, handed over in
// a 'connect' message; over a forked process's IPC channel (CLI, tests, e2e host) a window's traffic
// travels as a numbered channel of the same connection.

import type { Endpoint, RpcMessage } from '../../shared/rpc';

/** The parent's own channel number; windows are numbered from 1 (Electron's webContents ids). */
export const HOST_CHANNEL = 0;

export type ParentEnvelope =
  | { ch: number; m: RpcMessage }
  /** A window may now talk to the engine: over the port sent with this message, or as channel `connect`. */
  | { connect: number }
  /** The window has gone: end its session. */
  | { disconnect: number };

/** A raw message connection: process IPC, Electron's parentPort or utilityProcess. */
export interface RawChannel {
  send(envelope: ParentEnvelope): void;
  /** `ports`: MessagePorts sent with the message (Electron). */
  listen(listener: (message: unknown, ports: readonly unknown[]) => void): () => void;
}

export function isEnvelope(value: unknown): value is ParentEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e['ch'] === 'number' || typeof e['connect'] === 'number' || typeof e['disconnect'] === 'number';
}

/** One numbered channel of a raw connection, as an RPC endpoint. */
export function subChannel(raw: RawChannel, ch: number): Endpoint {
  return {
    post: (m) => raw.send({ ch, m }),
    listen: (listener) =>
      raw.listen((message) => {
        if (isEnvelope(message) && 'ch' in message && message.ch === ch) listener(message.m);
      }),
  };
}

/** What Electron's MessagePortMain offers (typed here so the engine process imports nothing of Electron). */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  start(): void;
  close(): void;
}

export function portEndpoint(port: PortLike): Endpoint {
  return {
    post: (message) => port.postMessage(message),
    listen(listener) {
      const onMessage = (event: { data: unknown }) => listener(event.data);
      port.on('message', onMessage);
      port.start();
      return () => void port.off('message', onMessage);
    },
  };
}
