// A worker thread for the Supervisor's tests: 'echo' answers its request, 'crash' throws outside any
// call, 'exit' leaves with code 3, 'hang' blocks its event loop for `ms`, 'fatal' says it is ending
// itself and then blocks for `ms` (an exit held by a thread in native code), 'read' takes its
// request as the slides it reads and reports its health unasked. It says it is ready after
// workerData.readyAfterMs, answering pings meanwhile (as an engine lane warming up does).

import { parentPort, workerData } from 'node:worker_threads';
import { threadData, workerEndpoint } from '../../electron/rpc/worker-thread';
import { ok } from '../../shared/errors';
import { serveRpc } from '../../shared/rpc';

const { readyAfterMs = 0 } = threadData<{ readyAfterMs?: number } | undefined>(workerData) ?? {};
const never = new Promise<never>(() => undefined);
let activeSlides: string[] = [];

const server = serveRpc(
  workerEndpoint(parentPort!),
  async (op, request) => {
    switch (op) {
      case 'echo':
        return ok(request);
      case 'crash':
        setImmediate(() => {
          throw new Error('boom');
        });
        return never;
      case 'exit':
        setImmediate(() => process.exit(3));
        return never;
      case 'hang': {
        const end = Date.now() + (request as { ms: number }).ms;
        while (Date.now() < end);
        return ok('woke');
      }
      case 'read':
        activeSlides = request as string[];
        server.reportHealth();
        return ok(null);
      case 'fatal':
        server.emit('fatal', { reason: 'it went over its memory cap' });
        setImmediate(() => {
          const end = Date.now() + (request as { ms: number }).ms;
          while (Date.now() < end);
        });
        return never;
      default:
        return never;
    }
  },
  { health: () => ({ rssBytes: process.memoryUsage.rss(), activeSlides }), onExit: () => process.exit(0) },
);
setTimeout(() => server.ready(), readyAfterMs);
