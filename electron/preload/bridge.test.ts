import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { MessageChannel } from 'node:worker_threads';
import { fail, ok } from '../../shared/errors';
import type { EventChannel, EventChannels } from '../../shared/ipc';
import { type EngineOperation, isGallery, type MainOperation } from '../../shared/operations';
import { type Endpoint, serveRpc } from '../../shared/rpc';
import { StubAlignmentDialogs } from '../../testing/fakes/alignment-dialogs';
import { StubAnnotationDialogs } from '../../testing/fakes/annotation-dialogs';
import { FakeEngine } from '../../testing/fakes/fake-engine';
import { AnnotationStore } from '../annotations/annotation-store';
import { AlignmentStore } from '../main/alignment-store';
import { CompareAlignments } from '../main/compare-alignments';
import { createIpcHandlers } from '../main/ipc-handlers';
import { PathAuthorizer } from '../main/path-authorizer';
import { RecentFiles } from '../main/recent-files';
import { SlideAnnotationFiles } from '../main/slide-annotations';
import { type BridgeTransport, createSlidescopeApi } from './bridge';
import { createEnginePort } from './engine-port';

class FakeTransport implements BridgeTransport {
  readonly sent: Array<{ to: 'main' | 'engine'; channel: string; request: unknown }> = [];
  readonly listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  answer: (channel: string, request: unknown) => Promise<unknown> = async () => ({ ok: true, value: null });

  invoke(channel: MainOperation, request: unknown): Promise<unknown> {
    this.sent.push({ to: 'main', channel, request });
    return this.answer(channel, request);
  }

  invokeEngine(channel: EngineOperation, request: unknown): Promise<unknown> {
    this.sent.push({ to: 'engine', channel, request });
    return this.answer(channel, request);
  }

  on(channel: EventChannel, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends EventChannel>(channel: E, payload: EventChannels[E]): void {
    for (const l of this.listeners.get(channel) ?? []) l(payload);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createSlidescopeApi', () => {
  it('sends each method on its operation, to main or straight to the engine as the table says', async () => {
    const t = new FakeTransport();
    const api = createSlidescopeApi(t, () => '');
    await api.openDialog();
    await api.openRecent({ path: '/a.svs' });
    await api.openSample();
    await api.closeSlide({ slideId: 's1' });
    await api.getTile({ slideId: 's1', dzLevel: 3, col: 1, row: 2, requestId: 9 });
    await api.cancelTiles({ slideId: 's1', requestIds: [9, 10] });
    await api.prefetchTiles({ slideId: 's1', dzLevel: 3, colStart: 0, colEnd: 1, rowStart: 0, rowEnd: 1 });
    await api.getAssociatedImage({ slideId: 's1', name: 'label' });
    await api.listRecent();
    await api.clearRecent();
    await api.exportThumbnail({ slideId: 's1', spec: { kind: 'size', longestSide: 100 }, format: 'png' });
    await api.exportComparison({ slideId: 's1', powers: [1], mode: { kind: 'slide' }, format: 'png' });
    await api.showInFolder({ path: '/out/x.png' });
    await api.versions();
    assert.deepEqual(t.sent, [
      { to: 'main', channel: 'slide:open-dialog', request: undefined },
      { to: 'main', channel: 'slide:open-recent', request: { path: '/a.svs' } },
      { to: 'main', channel: 'slide:open-sample', request: undefined },
      { to: 'main', channel: 'slide:close', request: { slideId: 's1' } },
      { to: 'engine', channel: 'slide:tile', request: { slideId: 's1', dzLevel: 3, col: 1, row: 2, requestId: 9 } },
      { to: 'engine', channel: 'slide:cancel-tiles', request: { slideId: 's1', requestIds: [9, 10] } },
      { to: 'engine', channel: 'slide:prefetch', request: { slideId: 's1', dzLevel: 3, colStart: 0, colEnd: 1, rowStart: 0, rowEnd: 1 } },
      { to: 'engine', channel: 'slide:associated', request: { slideId: 's1', name: 'label' } },
      { to: 'main', channel: 'recent:list', request: undefined },
      { to: 'main', channel: 'recent:clear', request: undefined },
      { to: 'main', channel: 'export:thumbnail', request: { slideId: 's1', spec: { kind: 'size', longestSide: 100 }, format: 'png' } },
      { to: 'main', channel: 'export:comparison', request: { slideId: 's1', powers: [1], mode: { kind: 'slide' }, format: 'png' } },
      { to: 'main', channel: 'export:show-in-folder', request: { path: '/out/x.png' } },
      { to: 'main', channel: 'app:versions', request: undefined },
    ]);
    assert.ok(Object.isFrozen(api));
    // Only the page's operations are methods: no host-only engine operation, no path the page could forge.
    assert.equal('openDroppedPath' in api, false);
    assert.equal('readRegion' in api, false);
    assert.equal('writeThumbnail' in api, false);
  });

  it('never rejects: transport failures and malformed answers become INTERNAL', async () => {
    const t = new FakeTransport();
    const api = createSlidescopeApi(t, () => '');
    t.answer = async () => {
      throw new Error("No handler registered for 'export:thumbnail'");
    };
    const failed = await api.exportThumbnail({ slideId: 's', spec: { kind: 'size', longestSide: 1 }, format: 'png' });
    assert.equal(!failed.ok && failed.error.code, 'INTERNAL');
    assert.match(!failed.ok ? failed.error.message : '', /No handler registered/);
    t.answer = async () => 'surprise';
    const malformed = await api.versions();
    assert.equal(!malformed.ok && malformed.error.code, 'INTERNAL');
    t.answer = async () => ({ ok: false, error: { code: 'NOT_OPEN', message: 'gone' } });
    assert.deepEqual(await api.closeSlide({ slideId: 's' }), { ok: false, error: { code: 'NOT_OPEN', message: 'gone' } });
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
    assert.deepEqual(t.sent, [{ to: 'main', channel: 'slide:open-dropped', request: { path: '/d/a.svs' } }]);
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

  it("buffers a folder's gallery opened before the page listens (a folder on the command line)", async () => {
    const t = new FakeTransport();
    const api = createSlidescopeApi(t, () => '');
    t.emit('app:folder-opened', { gallery: { galleryId: 'gallery-1', folder: '/set', name: 'set', slides: [] } });
    const seen: string[] = [];
    api.on('app:folder-opened', (folder) => seen.push(folder.gallery.galleryId));
    await tick();
    assert.deepEqual(seen, ['gallery-1']);
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
        exporter: {
          exportThumbnail: async () => fail('IO_ERROR', 'no disk'),
          exportComparison: async () => fail('IO_ERROR', 'no disk'),
          exportRegion: async () => fail('IO_ERROR', 'no disk'),
          copyRegion: async () => fail('IO_ERROR', 'no clipboard'),
          exportSideBySide: async () => fail('IO_ERROR', 'no disk'),
        },
        samplePath: async () => ok('/samples/sample.svs'),
        versions: () => ({ app: '1', electron: '-', chrome: '-', node: process.versions.node }),
        showInFolder: () => undefined,
        annotations: new SlideAnnotationFiles(new AnnotationStore({ dataDir: join(dir, 'annotations') }), new StubAnnotationDialogs()),
        alignments: new CompareAlignments(new AlignmentStore({ dir }), new StubAlignmentDialogs()),
      });
      const senderId = 42;
      const api = createSlidescopeApi(
        {
          // structuredClone stands in for the IPC serialisation.
          invoke: async (channel, request) => structuredClone(await ipc.dispatch(channel, senderId, structuredClone(request))),
          invokeEngine: async (channel, request) => ok({ channel, request }),
          on: () => () => undefined,
        },
        (file) => `/dropped/${file.name}`,
      );
      const [dropped] = await api.openDropped([{ name: 'a.svs', size: 10 }]);
      assert.ok(dropped?.ok && !isGallery(dropped.value));
      assert.equal(engine.slides.get(dropped.value.slideId), senderId);
      const recentList = await api.listRecent();
      assert.deepEqual(recentList.ok && recentList.value.map((f) => f.path), ['/dropped/a.svs']);
      assert.equal((await api.openRecent({ path: '/dropped/a.svs' })).ok, true);
      const denied = await api.openRecent({ path: '/etc/shadow' });
      assert.equal(!denied.ok && denied.error.code, 'NOT_AUTHORIZED');
      const noExport = await api.exportThumbnail({ slideId: dropped.value.slideId, spec: { kind: 'size', longestSide: 10 }, format: 'png' });
      assert.equal(!noExport.ok && noExport.error.code, 'IO_ERROR');
      assert.equal((await api.closeSlide({ slideId: dropped.value.slideId })).ok, true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createEnginePort', () => {
  function engineSide(): { endpoint: Endpoint; close(): void; served: string[] } {
    const { port1, port2 } = new MessageChannel();
    const served: string[] = [];
    const server: Endpoint = {
      post: (message) => port2.postMessage(message),
      listen(listener) {
        port2.on('message', listener);
        return () => void port2.off('message', listener);
      },
    };
    serveRpc(server, async (op, request) => {
      served.push(op);
      if ((request as { hold?: boolean }).hold) return new Promise(() => undefined);
      return ok(request);
    });
    const endpoint: Endpoint = {
      post: (message) => port1.postMessage(message),
      listen(listener) {
        port1.on('message', listener);
        return () => void port1.off('message', listener);
      },
    };
    return { endpoint, served, close: () => port1.close() };
  }

  it('calls wait for a port; the engine stopping ends those in flight; the next port serves again', async () => {
    const port = createEnginePort();
    const early = port.call('slide:tile', { n: 1 });
    const first = engineSide();
    port.attach(first.endpoint);
    assert.deepEqual(await early, { ok: true, value: { n: 1 } });
    const held = port.call('slide:tile', { hold: true });
    await new Promise((resolve) => setTimeout(resolve, 10));
    port.detach('The slide engine stopped (it was killed (SIGKILL)).');
    assert.deepEqual(await held, { ok: false, error: { code: 'WORKER_FAILED', message: 'The slide engine stopped (it was killed (SIGKILL)).' } });
    const waiting = port.call('slide:associated', { n: 2 });
    const second = engineSide();
    port.attach(second.endpoint);
    assert.deepEqual(await waiting, { ok: true, value: { n: 2 } });
    assert.deepEqual(second.served, ['slide:associated']);
    first.close();
    second.close();
  });
});
