import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Result } from '../../shared/errors';
import type { OpenedPath } from '../../shared/ipc';
import { fakeInfo } from '../../testing/fakes/fake-engine';
import { createSlideRouter, type OpenTarget, pickWindow, type RoutableWindow } from './slide-router';

class Win implements RoutableWindow {
  busy = false;
  readonly delivered: Array<Result<OpenedPath>> = [];
  constructor(readonly senderId: number) {}
}

function setup() {
  const windows: Win[] = [];
  const slides = new Map<number, number>();
  let focused: Win | undefined;
  const opens: Array<[number, OpenTarget]> = [];
  const router = createSlideRouter<Win>({
    current: () => focused,
    create: () => {
      const w = new Win(100 + windows.length);
      windows.push(w);
      focused = w;
      return w;
    },
    slideCount: (id) => slides.get(id) ?? 0,
    open: async (senderId, target) => {
      opens.push([senderId, target]);
      if (target.kind === 'path' && target.path.startsWith('/missing')) return { ok: false, error: { code: 'NOT_FOUND', message: 'gone' } };
      slides.set(senderId, (slides.get(senderId) ?? 0) + 1);
      const path = target.kind === 'sample' ? '/sample.svs' : target.path;
      return { ok: true, value: { slideId: `s${opens.length}`, info: fakeInfo(path) } };
    },
    deliver: async (win, result) => {
      win.delivered.push(result);
    },
  });
  return { router, windows, opens, setFocused: (w: Win | undefined) => (focused = w) };
}

describe('slide router', () => {
  it('pickWindow reuses only an idle window without slides', () => {
    const w = new Win(1);
    assert.equal(
      pickWindow(w, () => 0),
      w,
    );
    assert.equal(
      pickWindow(w, () => 1),
      null,
    );
    assert.equal(
      pickWindow(undefined, () => 0),
      null,
    );
    w.busy = true;
    assert.equal(
      pickWindow(w, () => 0),
      null,
    );
  });

  it('no window: creates one; launch sample goes there', async () => {
    const { router, windows } = setup();
    await router.open([{ kind: 'sample' }]);
    assert.equal(windows.length, 1);
    assert.equal(windows[0]?.delivered[0]?.ok, true);
  });

  it('reuses the empty current window, then opens a new window per slide', async () => {
    const { router, windows, opens, setFocused } = setup();
    const empty = new Win(1);
    setFocused(empty);
    await router.open([
      { kind: 'path', path: '/a.svs', source: 'cli' },
      { kind: 'path', path: '/b.svs', source: 'cli' },
      { kind: 'path', path: '/c.svs', source: 'cli' },
    ]);
    assert.deepEqual(
      opens.map(([id]) => id),
      [1, 100, 101],
    );
    assert.equal(empty.delivered.length, 1);
    assert.equal(windows.length, 2);
  });

  it('a failed open leaves the window empty, so the next slide reuses it', async () => {
    const { router, windows } = setup();
    await router.open([
      { kind: 'path', path: '/missing/x.svs', source: 'os' },
      { kind: 'path', path: '/b.svs', source: 'os' },
    ]);
    assert.equal(windows.length, 1);
    const w = windows[0]!;
    assert.equal(w.delivered[0]?.ok, false);
    assert.equal(w.delivered[1]?.ok, true);
  });

  it('concurrent opens do not share a window', async () => {
    const { router, windows, setFocused } = setup();
    const empty = new Win(1);
    setFocused(empty);
    await Promise.all([router.openOne({ kind: 'path', path: '/a.svs', source: 'menu' }), router.openOne({ kind: 'path', path: '/b.svs', source: 'menu' })]);
    assert.equal(empty.delivered.length, 1);
    assert.equal(windows.length, 1);
  });
});
