// A worker that takes a while to warm up, as on a busy machine: it answers pings at once, a call
// after 3 s, and says it is ready after 3.5 s.
import { parentPort } from 'node:worker_threads';

const started = Date.now();
setTimeout(() => parentPort?.postMessage({ type: 'ready', rssBytes: 1 }), 3500);
parentPort?.on('message', (message: { type: string; id: number }) => {
  if (message.type === 'ping') parentPort?.postMessage({ type: 'pong', id: message.id, rssBytes: 1 });
  if (message.type === 'call') {
    setTimeout(() => parentPort?.postMessage({ type: 'result', id: message.id, ok: true, value: { warmingUpFor: Date.now() - started } }), 3000);
  }
});
