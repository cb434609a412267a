// A child for a Supervisor or an EngineClient that serves RPC in this thread, over an in-memory
// endpoint pair: the tests kill it at the moment they choose.

import { EventEmitter } from 'node:events';
import type { EngineChild, EngineSpawn } from '../../electron/engine-host/engine-client';
import { type Dispatch, type Endpoint, serveRpc } from '../../shared/rpc';

function endpointPair(): [Endpoint, Endpoint] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const end = (mine: EventEmitter, other: EventEmitter): Endpoint => ({
    post: (message) => void queueMicrotask(() => other.emit('message', structuredClone(message))),
    listen(listener) {
      mine.on('message', listener);
      return () => void mine.off('message', listener);
    },
  });
  return [end(a, b), end(b, a)];
}

export interface InMemoryChild {
  /** Ends it as a crash would: its parent hears `reason`. */
  kill(reason: string): void;
}

/** An engine spawn whose children serve `dispatch`; each child started is pushed onto `children`. */
export function inMemoryEngine(dispatch: Dispatch, children: InMemoryChild[]): EngineSpawn<null> {
  return (gone) => {
    const [parentEnd, childEnd] = endpointPair();
    const server = serveRpc(childEnd, dispatch, { health: () => ({ rssBytes: 1 }) });
    queueMicrotask(() => server.ready());
    let dead = false;
    const end = () => {
      dead = true;
      server.close();
    };
    children.push({
      kill(reason) {
        if (dead) return;
        end();
        setTimeout(() => gone(reason), 1);
      },
    });
    const child: EngineChild<null> = { endpoint: parentEnd, hold: () => undefined, stop: async () => end(), connect: () => null, disconnect: () => undefined };
    return child;
  };
}
