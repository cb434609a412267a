import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { cascadeFrom, clampToDisplays, DEFAULT_WINDOW_SIZE, parseWindowState, WINDOW_STATE_NAME, WindowStateStore } from './window-state';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 1280, height: 984 };

describe('window state', () => {
  it('keeps bounds that are visible', () => {
    assert.deepEqual(clampToDisplays({ x: 100, y: 80, width: 1200, height: 800 }, [primary, right], primary), { x: 100, y: 80, width: 1200, height: 800 });
    assert.deepEqual(clampToDisplays({ x: 2000, y: 50, width: 1000, height: 700 }, [primary, right], primary), { x: 2000, y: 50, width: 1000, height: 700 });
  });

  it('centres on the primary display when the saved display is gone', () => {
    const r = clampToDisplays({ x: 2000, y: 50, width: 1000, height: 700 }, [primary], primary);
    assert.deepEqual(r, { x: 460, y: 170, width: 1000, height: 700 });
  });

  it('pulls a partly visible window inside, shrinking it to the work area', () => {
    assert.deepEqual(clampToDisplays({ x: 1700, y: 900, width: 800, height: 600 }, [primary], primary), { x: 1120, y: 440, width: 800, height: 600 });
    assert.deepEqual(clampToDisplays({ x: -50, y: -20, width: 4000, height: 3000 }, [primary], primary), { x: 0, y: 0, width: 1920, height: 1040 });
  });

  it('defaults and minimum size', () => {
    assert.deepEqual(clampToDisplays(null, [primary], primary), {
      x: (1920 - DEFAULT_WINDOW_SIZE.width) / 2,
      y: (1040 - DEFAULT_WINDOW_SIZE.height) / 2,
      ...DEFAULT_WINDOW_SIZE,
    });
    const tiny = clampToDisplays({ x: 10, y: 10, width: 20, height: 20 }, [primary], primary);
    assert.deepEqual([tiny.width, tiny.height], [640, 480]);
    const nan = clampToDisplays({ x: Number.NaN, y: 0, width: 800, height: 600 }, [primary], primary);
    assert.deepEqual([nan.width, nan.height], [800, 600]);
  });

  it('cascades new windows and wraps at the edge', () => {
    assert.deepEqual(cascadeFrom({ x: 100, y: 100, width: 800, height: 600 }, [primary], primary), { x: 132, y: 132, width: 800, height: 600 });
    assert.deepEqual(cascadeFrom({ x: 1100, y: 430, width: 800, height: 600 }, [primary], primary), { x: 16, y: 16, width: 800, height: 600 });
  });

  it('parses stored state defensively', () => {
    assert.deepEqual(parseWindowState({ bounds: { x: 1, y: 2, width: 3, height: 4 }, maximized: true }), {
      bounds: { x: 1, y: 2, width: 3, height: 4 },
      maximized: true,
      fullScreen: false,
    });
    assert.equal(parseWindowState({ bounds: { x: 1, y: 2, width: -3, height: 4 } }), null);
    assert.equal(parseWindowState({ bounds: { x: '1', y: 2, width: 3, height: 4 } }), null);
    assert.equal(parseWindowState('x'), null);
  });

  it('persists atomically and survives a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slidescope-ws-'));
    try {
      const errors: string[] = [];
      await writeFile(join(dir, WINDOW_STATE_NAME), '{nope');
      const store = new WindowStateStore({ dir, delayMs: 5, onError: (m) => errors.push(m) });
      assert.equal(await store.load(), null);
      assert.equal(errors.length, 1);
      const state = { bounds: { x: 5, y: 6, width: 700, height: 500 }, maximized: false, fullScreen: false };
      store.saveSoon({ ...state, maximized: true });
      store.saveSoon(state);
      await store.flush();
      assert.deepEqual(await new WindowStateStore({ dir }).load(), state);
      assert.deepEqual(await readdir(dir), [WINDOW_STATE_NAME]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
