import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import type { EventChannel, EventChannels, InvokeChannel } from '../../shared/ipc';
import { createIpcHandlers } from '../main/ipc-handlers';
import { PathAuthorizer } from '../main/path-authorizer';
import { RecentFiles } from '../main/recent-files';
import { FakeEngine } from '../main/test-fakes';
import { type BridgeTransport, createSlidescopeApi } from './bridge';

class FakeTransport implements BridgeTransport {
  readonly sent: Array<{ channel: InvokeChannel; request: unknown }> = [];
  readonly listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  answer: (channel: InvokeChannel, request: unknown) => Promise<unknown> = async () => ({ ok: true, value: null });

  invoke(channel: InvokeChannel, request: unknown): Promise<unknown> {
    this.sent.push({ channel, request });
    return this.answer(channel, request);
  }

  on(channel: EventChannel, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends EventChannel>(channel: E, payload: EventChannels[E]): void {
    for (const l of this.listeners.get(channel) ?? []) l(payload);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createSlidescopeApi', () => {
  it('sends each method on its channel with the contract payload', async () => {
    const t = new FakeTransport();
    const api = createSlidescopeApi(t, () => '');
    await api.openDialog();
    await api.openRecent('/a.svs');
    await api.openSample();
    await api.closeSlide('s1');
    await api.getTile({ slideId: 's1', dzLevel: 3, col: 1, row: 2, requestId: 9 });
    await api.cancelTiles('s1', [9, 10]);
    await api.getAssociatedImage('s1', 'label');
    await api.listRecent();
    await api.clearRecent();
    await api.exportThumbnail({ slideId: 's1', spec: { kind: 'size', longestSide: 100 }, format: 'png' });
    await api.exportComparison({ slideId: 's1', powers: [1], mode: { kind: 'slide' }, format: 'png' });
    await api.showInFolder('/out/x.png');
    await api.versions();
    assert.deepEqual(t.sent, [
      { channel: 'slide:open-dialog', request: undefined },
      { channel: 'slide:open-path', request: { path: '/a.svs', origin: 'recent' } },
      { channel: 'slide:open-sample', request: undefined },
      { channel: 'slide:close', request: { slideId: 's1' } },
      { channel: 'slide:tile', request: { slideId: 's1', dzLevel: 3, col: 1, row: 2, requestId: 9 } },
      { channel: 'slide:cancel-tiles', request: { slideId: 's1', requestIds: [9, 10] } },
      { channel: 'slide:associated', request: { slideId: 's1', name: 'label' } },
      { channel: 'recent:list', request: undefined },
      { channel: 'recent:clear', request: undefined },
      { channel: 'export:thumbnail', request: { slideId: 's1', spec: { kind: 'size', longestSide: 100 }, format: 'png' } },
      { channel: 'export:comparison', request: { slideId: 's1', powers: [1], mode: { kind: 'slide' }, format: 'png' } },
      { channel: 'export:show-in-folder', request: { path: '/out/x.png' } },
      { channel: 'app:versions', request: undefined },
    ]);
    assert.ok(Object.isFrozen(api));
  });

  it('never rejects: transport failures and malformed answers become IO_ERROR', async () => {
    const t = new FakeTransport();
    const api = createSlidescopeApi(t, () => '');
    t.answer = async () => {
      throw new Error("No handler registered for 'export:thumbnail'");
    };
    const failed = await api.exportThumbnail({ slideId: 's', spec: { kind: 'size', longestSide: 1 }, format: 'png' });
    assert.equal(!failed.ok && failed.error.code, 'IO_ERROR');
    assert.match(!failed.ok ? failed.error.message : '', /No handler registered/);
    t.answer = async () => 'surprise';
    const malformed = await api.versions();
    assert.equal(!malformed.ok && malformed.error.code, 'IO_ERROR');
    t.answer = async () => ({ ok: false, error: { code: 'NOT_OPEN', message: 'gone' } });
    assert.deepEqual(await api.closeSlide('s'), { ok: false, error: { code: 'NOT_OPEN', message: 'gone' } });
  });

  it('openDropped resolves paths in the bridge and reports files without one', async () => {
    const t = new FakeTransport();
    t.answer = async (_c, request) => ({ ok: true, value: { slideId: 'x', info: { path: (request as { path: string }).path } } });
    const paths = new Map([['a.svs', '/d/a.svs']]);
    const api = createSlidescopeApi(t, (file) => {
      if (file.name === 'throws') throw new TypeError('not a File');
      return paths.get(file.name) ?? '';
    });
    const results = await api.openDropped([
      { name: 'a.svs', size: 1 },
      { name: 'made-in-script.svs', size: 1 },
      { name: 'throws', size: 0 },
    ]);
    assert.equal(results.length, 3);
    assert.equal(results[0]?.ok, true);
    assert.equal(!results[1]?.ok && results[1]?.error.code, 'NOT_AUTHORIZED');
    assert.equal(!results[2]?.ok && results[2]?.error.code, 'NOT_AUTHORIZED');
    assert.deepEqual(t.sent, [{ channel: 'slide:open-path', request: { path: '/d/a.svs', origin: 'drop' } }]);
  });

  it('delivers events, buffers slide-opened until the first listener, unsubscribes', async () => {
    const t = new FakeTransport();
    const api = createSlidescopeApi(t, () => '');
    t.emit('app:slide-opened', { slideId: 'early', info: {} as never });
    t.emit('app:menu-command', 'zoom-in'); // not buffered: a stale command means nothing
    const opened: string[] = [];
    const commands: string[] = [];
    const offOpened = api.on('app:slide-opened', (s) => opened.push(s.slideId));
    const offCommands = api.on('app:menu-command', (c) => commands.push(c));
    assert.deepEqual(opened, [], 'buffered events arrive asynchronously');
    await tick();
    assert.deepEqual(opened, ['early']);
    t.emit('app:slide-opened', { slideId: 'later', info: {} as never });
    t.emit('app:menu-command', 'fit');
    assert.deepEqual(opened, ['early', 'later']);
    assert.deepEqual(commands, ['fit']);
    offOpened();
    offOpened();
    offCommands();
    t.emit('app:menu-command', 'zoom-out');
    assert.deepEqual(commands, ['fit']);
    assert.throws(() => api.on('app:evil' as never, () => undefined), TypeError);
  });

  it('a throwing listener does not stop the others', () => {
    const t = new FakeTransport();
    const api = createSlidescopeApi(t, () => '');
    const seen: string[] = [];
    const originalError = console.error;
    console.error = () => undefined;
    try {
      api.on('app:menu-command', () => {
        throw new Error('bad listener');
      });
      api.on('app:menu-command', (c) => seen.push(c));
      t.emit('app:menu-command', 'rotate-left');
    } finally {
      console.error = originalError;
    }
    assert.deepEqual(seen, ['rotate-left']);
  });

  it('drives the real handlers through an in-memory transport (as the e2e host does)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-bridge-'));
    try {
      const engine = new FakeEngine();
      const recent = new RecentFiles({ dir });
      const ipc = createIpcHandlers({
        engine,
        recent,
        authorizer: new PathAuthorizer({ recent }),
        dialogs: { showOpenSlide: async () => null },
        samplePath: async () => '/samples/sample.svs',
        versions: () => ({ app: '1', electron: '-', chrome: '-', node: process.versions.node }),
        showInFolder: () => undefined,
      });
      const senderId = 42;
      const api = createSlidescopeApi(
        {
          // structuredClone stands in for the IPC serialisation.
          invoke: async (channel, request) => structuredClone(await ipc.dispatch(channel, senderId, structuredClone(request))),
          on: () => () => undefined,
        },
        (file) => `/dropped/${file.name}`,
      );
      const [dropped] = await api.openDropped([{ name: 'a.svs', size: 10 }]);
      assert.ok(dropped?.ok);
      const tile = await api.getTile({ slideId: dropped.value.slideId, dzLevel: 0, col: 0, row: 0, requestId: 1 });
      assert.ok(tile.ok);
      assert.ok(tile.value.bytes instanceof Uint8Array);
      const recentList = await api.listRecent();
      assert.deepEqual(recentList.ok && recentList.value.map((f) => f.path), ['/dropped/a.svs']);
      assert.equal((await api.openRecent('/dropped/a.svs')).ok, true);
      const denied = await api.openRecent('/etc/shadow');
      assert.equal(!denied.ok && denied.error.code, 'NOT_AUTHORIZED');
      const noExport = await api.exportThumbnail({ slideId: dropped.value.slideId, spec: { kind: 'size', longestSide: 10 }, format: 'png' });
      assert.equal(!noExport.ok && noExport.error.code, 'IO_ERROR');
      assert.equal((await api.closeSlide(dropped.value.slideId)).ok, true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
