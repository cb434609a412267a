// A fluorescence slide's channels, as last chosen in a window, shown again when it is next opened
// (through main's handlers and the real engine, over a generated 3-channel OME-TIFF); a reset forgets
// them; a choice the file no longer fits opens the slide as its own and is forgotten.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Result } from '../../shared/errors';
import type { OpenedSlide } from '../../shared/operations';
import type { SlideInfo } from '../../shared/slide';
import { ipcHandlerDeps } from '../../testing/fakes/ipc-handler-deps';
import { fixturePath } from '../../testing/fixtures';
import { InProcessEngine } from '../../testing/in-process-engine';
import type { ChannelsShown } from '../engine-host/open-request';
import { CHANNEL_MEMORY_NAME, ChannelMemory } from './channel-memory';
import { createIpcHandlers } from './ipc-handlers';

const SENDER = 3;

describe("a fluorescence slide's channels remembered", () => {
  const engine = new InProcessEngine();
  let dir: string;
  let slide: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-channel-memory-'));
    slide = await fixturePath('ome-fluorescence-16bit');
  });
  after(async () => {
    await engine.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  function handlers() {
    return createIpcHandlers(ipcHandlerDeps(engine, dir, { channelMemory: new ChannelMemory({ dir }) }));
  }

  /** Opens the slide, answers what the window is told, and closes it. */
  async function openedAs(ipc: ReturnType<typeof handlers>, path: string, choose?: ChannelsShown): Promise<SlideInfo> {
    const opened = (await ipc.dispatch('slide:open-dropped', SENDER, { path })) as Result<OpenedSlide>;
    assert.ok(opened.ok, JSON.stringify(opened));
    const { slideId, info } = opened.value;
    if (choose !== undefined) assert.equal(((await ipc.dispatch('slide:set-channels', SENDER, { slideId, ...choose })) as Result<SlideInfo>).ok, true);
    assert.equal(((await ipc.dispatch('slide:close', SENDER, { slideId })) as Result<void>).ok, true);
    return info;
  }

  /** The slide's channels at open, after which `choose` (channels alone) is shown. */
  async function shownAtOpen(ipc: ReturnType<typeof handlers>, choose?: ChannelsShown['channels']): Promise<SlideInfo['channels']> {
    return (await openedAs(ipc, slide, choose === undefined ? undefined : { channels: choose })).channels;
  }

  const shown = (channels: SlideInfo['channels']) => channels?.map((c) => (c.shown ? `${c.colour} ${c.low}-${c.high}` : 'hidden'));

  it('shows the slide with its channels as last chosen, and as its own once reset', async () => {
    const ipc = handlers();
    const own = await shownAtOpen(ipc, [{ channel: 1, colour: '#ff00ff', low: 100, high: 2000 }]);
    assert.deepEqual(
      shown(own)?.filter((s) => s === 'hidden'),
      [],
      'every channel shown the first time',
    );
    assert.deepEqual(shown(await shownAtOpen(ipc)), ['hidden', '#ff00ff 100-2000', 'hidden']);
    // Another window's handlers (the app started again) read the same file.
    assert.deepEqual(shown(await shownAtOpen(handlers(), null)), ['hidden', '#ff00ff 100-2000', 'hidden']);
    assert.deepEqual(shown(await shownAtOpen(handlers())), shown(own));
    const stored = JSON.parse(await readFile(join(dir, CHANNEL_MEMORY_NAME), 'utf8')) as { sets: object };
    assert.deepEqual(stored.sets, {}, 'the reset forgot it');
  });

  it('a remembered choice the file no longer fits (a channel renamed) opens it as its own, and is forgotten', async () => {
    await writeFile(join(dir, CHANNEL_MEMORY_NAME), JSON.stringify({ version: 1, sets: { [slide]: [{ channel: 'CD8 (gone)' }] } }));
    const channels = await shownAtOpen(handlers());
    assert.equal(
      channels?.every((c) => c.shown),
      true,
    );
    const stored = JSON.parse(await readFile(join(dir, CHANNEL_MEMORY_NAME), 'utf8')) as { sets: object };
    assert.deepEqual(stored.sets, {});
  });

  it('keeps the most recently changed slides only, past its bound', async () => {
    const memory = new ChannelMemory({ dir: join(dir, 'bounded'), max: 2 });
    for (const path of ['/a.ome.tif', '/b.ome.tif', '/c.ome.tif']) await memory.remember(path, { channels: [{ channel: 0 }] });
    await memory.remember('/b.ome.tif', { channels: [{ channel: 1 }] });
    const again = new ChannelMemory({ dir: join(dir, 'bounded'), max: 2 });
    assert.deepEqual(await Promise.all(['/a.ome.tif', '/b.ome.tif', '/c.ome.tif'].map((p) => again.recall(p))), [
      null,
      { channels: [{ channel: 1 }] },
      { channels: [{ channel: 0 }] },
    ]);
  });

  it("a z-stack's plane is remembered with its channels, kept when they are reset, forgotten at the first plane; an earlier version's entry (channels alone) still reads", async () => {
    const stack = await fixturePath('ome-fluorescence-zstack');
    const ipc = handlers();
    assert.deepEqual((await openedAs(ipc, stack, { channels: [{ channel: 'FITC' }], plane: { z: 2, t: 0 } })).plane, { z: 0, t: 0, sizeZ: 4, sizeT: 1 });
    const again = await openedAs(handlers(), stack, { channels: null, plane: { z: 3, t: 0 } });
    assert.deepEqual(again.plane, { z: 2, t: 0, sizeZ: 4, sizeT: 1 }, 'shown at the plane last chosen');
    assert.deepEqual(shown(again.channels)?.[0], 'hidden');
    const reset = await openedAs(handlers(), stack, { channels: null });
    assert.deepEqual(reset.plane, { z: 3, t: 0, sizeZ: 4, sizeT: 1 }, 'the channels reset, the plane kept');
    assert.equal(
      reset.channels?.every((c) => c.shown),
      true,
    );
    assert.deepEqual((await openedAs(handlers(), stack)).plane, { z: 0, t: 0, sizeZ: 4, sizeT: 1 });
    const stored = JSON.parse(await readFile(join(dir, CHANNEL_MEMORY_NAME), 'utf8')) as { sets: Record<string, unknown> };
    assert.equal(stored.sets[stack], undefined, 'forgotten at the first plane');

    await writeFile(join(dir, CHANNEL_MEMORY_NAME), JSON.stringify({ version: 1, sets: { [slide]: [{ channel: 'TRITC' }] } }));
    assert.deepEqual(shown(await shownAtOpen(handlers()))?.slice(0, 2), ['hidden', 'hidden']);
  });
});
