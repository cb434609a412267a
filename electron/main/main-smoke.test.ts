// Runs the BUILT main process (main.cjs), preload and engine process in plain Node against a fake
// 'electron' module: Electron cannot run on every machine the tests run on, but the glue in
// main.ts (startup order, IPC registration, the engine process and each window's port to it, the
// window-per-slide routing, the launch sample, a killed engine, single-instance hand-over,
// shutdown) and the real engine process behind it can.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';

import type { Result } from '../../shared/errors';
import { ENGINE_PORT_CHANNELS, type EngineStopped, type OpenedSlide, type SlidescopeApi } from '../../shared/ipc';
import type { OperationProtocol } from '../../shared/operation-rpc';
import { MAIN_OPERATIONS, OPERATION_NAMES, OPERATIONS } from '../../shared/operations';
import { RpcClient } from '../../shared/rpc';
import { createFakeElectron, createFakePreloadElectron, type FakePortMain } from '../../testing/fakes/fake-electron';
import { PACKAGE_VERSION } from '../../testing/paths';
import { waitFor } from '../../testing/wait-for';
import { portEndpoint } from '../engine-host/parent-channel';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outRel = join('.cache', `main-smoke-${process.pid}`);
const out = join(root, outRel);

type ModuleInternals = { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

function withFakeElectron<T>(fake: unknown, load: () => T): T {
  const internals = Module as unknown as ModuleInternals;
  const original = internals._load;
  internals._load = function (request, parent, isMain) {
    if (request === 'electron') return fake;
    return original.call(this, request, parent, isMain);
  };
  try {
    return load();
  } finally {
    internals._load = original;
  }
}

interface MenuItem {
  id?: string;
  click?: () => void;
  submenu?: MenuItem[];
}

/** The item of a menu (as the fake's setApplicationMenu recorded it) with that id. */
function menuItem(menu: unknown, id: string): { click: () => void } {
  const find = (items: readonly MenuItem[]): MenuItem | undefined => {
    for (const item of items) {
      const found = item.id === id ? item : item.submenu ? find(item.submenu) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const item = find((menu as { template: MenuItem[] }).template);
  if (!item?.click) throw new Error(`the menu has no item ${id}`);
  return { click: item.click };
}

describe('built main process with a fake electron', { timeout: 180_000 }, () => {
  let userData: string;

  before(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs', '--no-renderer', '--quiet', '--outdir', outRel], { cwd: root, stdio: 'inherit' });
    userData = await mkdtemp(join(tmpdir(), 'slidescope-smoke-'));
    await mkdir(join(out, 'renderer'), { recursive: true });
    await writeFile(join(out, 'renderer', 'index.html'), '<!doctype html><title>smoke</title>');
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(userData, { recursive: true, force: true });
  });

  it("the built CLI says package.json's version, built into it wherever the bundle lies", () => {
    const said = execFileSync(process.execPath, [join(out, 'cli', 'slidescope.mjs'), '--version'], { encoding: 'utf8' });
    assert.equal(said, `slidescope ${PACKAGE_VERSION}\n`);
  });

  it('the preload exposes the bridge and requires nothing but electron', async () => {
    const code = await readFile(join(out, 'electron', 'preload.cjs'), 'utf8');
    const fake = createFakePreloadElectron();
    const required: string[] = [];
    const sandboxRequire = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return fake.electron;
    };
    const module = { exports: {} };
    runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console, queueMicrotask, setTimeout });
    assert.deepEqual([...new Set(required)], ['electron']);
    const api = fake.exposed.get('slidescope') as SlidescopeApi;
    assert.ok(api);
    // One method per page operation of the table, plus openDropped and on.
    const pageMethods = OPERATION_NAMES.filter((name) => OPERATIONS[name].exposure === 'page').map((name) => OPERATIONS[name].method);
    assert.deepEqual(Object.keys(api).sort(), [...pageMethods, 'openDropped', 'on'].sort());
    for (const key of Object.keys(api)) assert.equal(typeof (api as unknown as Record<string, unknown>)[key], 'function', key);
    // At load it asks main for its port to the engine.
    assert.deepEqual(fake.sent, [ENGINE_PORT_CHANNELS.request]);
    await api.openDropped([{ name: 'x.svs', size: 1 }]);
    // Objects made in the vm context have that realm's prototypes: compare as data.
    assert.equal(JSON.stringify(fake.invoked), JSON.stringify([['slide:open-dropped', { path: '/dropped/x.svs' }]]));
    const commands: unknown[] = [];
    api.on('app:menu-command', (command) => commands.push(command));
    fake.emit('app:menu-command', 'fit');
    assert.deepEqual(commands, ['fit']);
  });

  it('starts, opens the sample, serves tiles, routes slides to windows and shuts down', async () => {
    const mainPath = join(out, 'electron', 'main.cjs');
    assert.ok(existsSync(mainPath));
    const fake = createFakeElectron({ userData });
    const { recorded, FakeBrowserWindow, app } = fake;

    const savedArgv = process.argv;
    process.argv = ['/opt/Slidescope/slidescope']; // launched without a slide
    try {
      withFakeElectron(fake.electron, () => createRequire(import.meta.url)(mainPath));
    } finally {
      process.argv = savedArgv;
    }

    assert.deepEqual((recorded.privileged[0] as { scheme: string }).scheme, 'app');
    await waitFor('IPC handlers', () => (recorded.ipcHandlers.size === MAIN_OPERATIONS.length ? true : undefined));
    assert.deepEqual([...recorded.ipcHandlers.keys()].sort(), [...MAIN_OPERATIONS].sort());
    assert.equal(recorded.utilityProcesses.length, 1, 'the engine runs in a utility process');
    assert.ok(recorded.protocolHandlers.has('app'));
    // The menu follows the handlers once the recent-files list is read.
    await waitFor('the application menu', () => (recorded.menus.length >= 1 ? true : undefined));

    // One window, locked down.
    const first = await waitFor('the first window', () => FakeBrowserWindow.windows[0]);
    const prefs = first.options.webPreferences as Record<string, unknown>;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webSecurity, true);
    assert.ok(existsSync(prefs.preload as string), 'preload path exists');
    // Loaded in the language main resolved (the system's: en-US here), so its first frame is drawn in it.
    assert.equal(first.webContents.url, 'app://slidescope/index.html?lang=en');
    assert.ok(first.webContents.windowOpenHandler, 'window.open is handled (denied)');

    // The launch opens the built-in sample in it.
    const opened = await waitFor('the sample slide', () => first.webContents.sent.find(([c]) => c === 'app:slide-opened' || c === 'app:open-failed'));
    assert.equal(opened[0], 'app:slide-opened', JSON.stringify(opened[1]));
    const sample = opened[1] as OpenedSlide;
    assert.ok(sample.info.levels.length >= 2, 'the sample is a pyramid');

    const senderId = first.webContents.id;
    const trusted = { sender: { id: senderId }, senderFrame: { url: 'app://slidescope/index.html', parent: null } };
    const call = (channel: string, request: unknown, event: unknown = trusted) =>
      recorded.ipcHandlers.get(channel)!(event, request) as Promise<Result<unknown>>;

    // The window asks for its port to the engine; a frame that is not the app gets none.
    const connect = recorded.ipcListeners.get(ENGINE_PORT_CHANNELS.request)!;
    connect({ sender: first.webContents, senderFrame: { url: 'https://evil.example/', parent: null } });
    assert.equal(first.webContents.posted.length, 0);
    const portOf = async (win: typeof first, count: number) => {
      const posted = await waitFor('an engine port', () => win.webContents.posted[count - 1]);
      assert.equal(posted.channel, ENGINE_PORT_CHANNELS.port);
      return new RpcClient<OperationProtocol>(portEndpoint(posted.ports[0] as FakePortMain));
    };
    connect({ sender: first.webContents, senderFrame: trusted.senderFrame });
    const port = await portOf(first, 1);

    // Tiles come from the engine process over that port, for this window's slides only.
    const dz = sample.info.deepZoom.levels.length - 1;
    const tile = await port.call('slide:tile', { slideId: sample.slideId, dzLevel: dz, col: 0, row: 0, requestId: 1 });
    assert.ok(tile.ok, JSON.stringify(tile));
    assert.ok(tile.value.bytes.length > 100);
    const hostOnly = await port.call('engine:region', { slideId: sample.slideId, level: 0, x: 0, y: 0, width: 8, height: 8 });
    assert.equal(!hostOnly.ok && hostOnly.error.code, 'NOT_AUTHORIZED');
    const untrusted = await call('slide:open-sample', undefined, { sender: { id: senderId }, senderFrame: { url: 'https://evil.example/', parent: null } });
    assert.equal(!untrusted.ok && untrusted.error.code, 'NOT_AUTHORIZED');

    // The engine process killed: the window is told which of its slides it was reading, the engine
    // restarts, the slide reopens under its id, and a new port serves the view.
    const engineProcess = recorded.utilityProcesses[0]!.process;
    const reading = port.call('slide:tile', { slideId: sample.slideId, dzLevel: dz - 1, col: 1, row: 1, requestId: 2 });
    engineProcess.kill('SIGKILL');
    const stopped = await waitFor('engine:stopped', () => first.webContents.sent.find(([c]) => c === 'engine:stopped'));
    // The preload ends the calls in flight on the old port when it hears this (engine-port.ts).
    port.close({ code: 'WORKER_FAILED', message: (stopped[1] as EngineStopped).message });
    assert.equal((await reading).ok, false);
    assert.match((stopped[1] as EngineStopped).message, /The slide engine stopped .*\(it exited \(code \d+\)\)\. It was restarted/);
    const newPort = await portOf(first, 2);
    const again = await newPort.call('slide:tile', { slideId: sample.slideId, dzLevel: dz, col: 0, row: 0, requestId: 3 });
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(recorded.utilityProcesses.length, 2);

    const versions = await call('app:versions', undefined);
    assert.ok(versions.ok && (versions.value as { app: string }).app === '0.1.0-test');

    // Security policy installed on the session and the app protocol.
    let cancelled: boolean | undefined;
    recorded.beforeRequest!({ url: 'https://example.com/x.js' }, (r) => (cancelled = r.cancel));
    assert.equal(cancelled, true);
    recorded.beforeRequest!({ url: 'app://slidescope/index.html' }, (r) => (cancelled = r.cancel));
    assert.equal(cancelled, false);
    const page = await recorded.protocolHandlers.get('app')!(new Request('app://slidescope/index.html'));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);

    // View > Language > 한국어: the open window is told, and a window opened later loads in Korean.
    menuItem(recorded.menus.at(-1), 'language:ko').click();
    const told = await waitFor('app:language-changed', () => first.webContents.sent.find(([c]) => c === 'app:language-changed'));
    assert.deepEqual(told[1], { language: 'ko', preference: 'ko' });

    // A second instance with a slide: the current window shows one already, so a new window opens.
    const missing = join(userData, 'no-such-slide.svs');
    app.emit('second-instance', {}, [], '/', { argv: ['/opt/Slidescope/slidescope', missing], cwd: '/' });
    const second = await waitFor('a second window', () => FakeBrowserWindow.windows[1]);
    assert.equal(second.webContents.url, 'app://slidescope/index.html?lang=ko');
    const failed = await waitFor('the open failure', () => second.webContents.sent.find(([c]) => c === 'app:open-failed'));
    assert.equal((failed[1] as { code: string }).code, 'NOT_FOUND');
    assert.equal(FakeBrowserWindow.windows.length, 2);

    // The second window is still empty: the sample from another second instance goes there.
    app.emit('second-instance', {}, [], '/', { argv: ['/opt/Slidescope/slidescope', '--sample'], cwd: '/' });
    await waitFor('the sample in the second window', () => second.webContents.sent.find(([c]) => c === 'app:slide-opened'));
    assert.equal(FakeBrowserWindow.windows.length, 2);

    // Closing the first window closes its slides: its id no longer answers.
    first.close();
    await new Promise((r) => setTimeout(r, 50));
    const closedSender = await call('slide:close', { slideId: sample.slideId });
    assert.equal(!closedSender.ok && closedSender.error.code, 'NOT_OPEN');

    // Quit: will-quit waits for the cleanup, then quits for real.
    app.quit();
    await waitFor('the real quit', () => (recorded.quitCalls >= 2 ? true : undefined), 10_000);
    assert.ok(existsSync(join(userData, 'window-state.json')), 'window state saved');
  });
});
