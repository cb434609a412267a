// A worker that hangs on its first call: lets the host's stall watchdog be tested for real.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'call') {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      // Busy: no pong, no result, as a decoder stuck in a loop would be.
    }
  }
  if (message.type === 'ping') parentPort?.postMessage({ type: 'pong', id: 0, rssBytes: 0 });
});
