// The RPC layer over a real MessageChannel: answers, errors as data, cancellation, progress.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { fail, ok } from './errors';
import { type Endpoint, RpcClient, serveRpc } from './rpc';

type Test = {
  add: { request: { a: number; b: number }; response: number };
  wait: { request: { ms: number }; response: string };
  count: { request: { to: number }; response: number; progress: number };
  refuse: { request: null; response: never };
  explode: { request: null; response: never };
};

const channels: MessageChannel[] = [];
after(() => {
  for (const { port1 } of channels) port1.close();
});

function pair(): [Endpoint, Endpoint] {
  const channel = new MessageChannel();
  channels.push(channel);
  const { port1, port2 } = channel;
  const endpoint = (port: typeof port1): Endpoint => ({
    post: (message) => port.postMessage(message),
    listen(listener) {
      port.on('message', listener);
      return () => void port.off('message', listener);
    },
  });
  return [endpoint(port1), endpoint(port2)];
}

describe('RPC', () => {
  const aborted: string[] = [];
  const [clientSide, serverSide] = pair();
  serveRpc(serverSide, async (op, request, context) => {
    const r = request as Record<string, number>;
    switch (op) {
      case 'add':
        return ok(r.a! + r.b!);
      case 'wait':
        return new Promise((resolve) => {
          const timer = setTimeout(() => resolve(ok('waited')), r.ms);
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            aborted.push('wait');
            resolve(fail('CANCELLED', 'stopped'));
          });
        });
      case 'count':
        for (let i = 1; i <= r.to!; i++) context.progress(i);
        return ok(r.to);
      case 'refuse':
        return fail('NOT_OPEN', 'no such slide', '/a.svs');
      default:
        throw new TypeError('a bug');
    }
  });
  const client = new RpcClient<Test>(clientSide);

  test('answers, and errors travel as data with their code and path', async () => {
    assert.deepEqual(await client.call('add', { a: 2, b: 3 }), { ok: true, value: 5 });
    assert.deepEqual(await client.call('refuse', null), { ok: false, error: { code: 'NOT_OPEN', message: 'no such slide', path: '/a.svs' } });
    const thrown = await client.call('explode', null);
    assert.deepEqual(thrown, { ok: false, error: { code: 'INTERNAL', message: 'a bug' } });
  });

  test('progress arrives before the answer', async () => {
    const seen: number[] = [];
    const result = await client.call('count', { to: 3 }, { onProgress: (n) => seen.push(n) });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(result, { ok: true, value: 3 });
  });

  test('a cancelled call answers CANCELLED at once and aborts the handler', async () => {
    const controller = new AbortController();
    const pending = client.call('wait', { ms: 5000 }, { signal: controller.signal });
    assert.equal(client.pending, 1);
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    const answer = await pending;
    assert.equal(!answer.ok && answer.error.code, 'CANCELLED');
    assert.ok(Date.now() - started < 1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(aborted, ['wait']);
    assert.equal(client.pending, 0);
    const already = new AbortController();
    already.abort();
    assert.equal((await client.call('add', { a: 1, b: 1 }, { signal: already.signal })).ok, false);
  });

  test('failAll and close end calls in flight with the reason; a closed client answers it at once', async () => {
    const [a, b] = pair();
    serveRpc(b, () => new Promise(() => undefined)); // never answers
    const silent = new RpcClient<Test>(a);
    const pending = silent.call('add', { a: 1, b: 2 });
    assert.deepEqual(silent.inFlight(), [{ op: 'add', request: { a: 1, b: 2 } }]);
    silent.close({ code: 'WORKER_FAILED', message: 'gone' });
    assert.deepEqual(await pending, { ok: false, error: { code: 'WORKER_FAILED', message: 'gone' } });
    assert.deepEqual(await silent.call('add', { a: 1, b: 2 }), { ok: false, error: { code: 'WORKER_FAILED', message: 'gone' } });
  });

  test('a malformed answer is INTERNAL, not trusted', async () => {
    const [a, b] = pair();
    b.listen((message) => {
      const id = (message as { id: number }).id;
      b.post({ rpc: 'result', id, result: { ok: false, error: { code: 'NOPE', message: 1 } } as never });
    });
    const result = await new RpcClient<Test>(a).call('add', { a: 1, b: 1 });
    assert.equal(!result.ok && result.error.code, 'INTERNAL');
  });
});
