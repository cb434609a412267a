import assert from 'node:assert/strict';
import { test } from 'node:test';
import type OpenSeadragon from 'openseadragon';
import { remakeTiles } from './remakeTiles';

// Stand-ins for the parts of OpenSeadragon remakeTiles uses: worlds whose items are added as
// OpenSeadragon adds them (the tiled image, then later the navigator's copy) and report being loaded.

type Handler = (event: { item?: FakeItem; fullyLoaded?: boolean }) => void;

class Events {
  readonly #handlers = new Map<string, Set<Handler>>();
  addHandler(name: string, handler: Handler): void {
    const set = this.#handlers.get(name) ?? new Set();
    set.add(handler);
    this.#handlers.set(name, set);
  }
  removeHandler(name: string, handler: Handler): void {
    this.#handlers.get(name)?.delete(handler);
  }
  raise(name: string, event: Parameters<Handler>[0]): void {
    for (const handler of [...(this.#handlers.get(name) ?? [])]) handler(event);
  }
}

class FakeItem extends Events {
  loaded = false;
  constructor(
    readonly source: object,
    readonly name: string,
    /** The navigator's copy: the item it copies. */
    readonly original: FakeItem | null = null,
  ) {
    super();
  }
  getFullyLoaded(): boolean {
    return this.loaded;
  }
  load(): void {
    this.loaded = true;
    this.raise('fully-loaded-change', { fullyLoaded: true });
  }
}

class FakeWorld extends Events {
  items: FakeItem[] = [];
  getItemCount(): number {
    return this.items.length;
  }
  getItemAt(i: number): FakeItem {
    return this.items[i]!;
  }
  add(item: FakeItem, index: number): void {
    this.items.splice(index, 0, item);
    this.raise('add-item', { item });
  }
  removeItem(item: FakeItem): void {
    if (!this.items.includes(item)) return;
    this.items = this.items.filter((i) => i !== item);
    this.raise('remove-item', { item });
  }
}

interface PendingAdd {
  index: number;
  success: (event: { item: FakeItem }) => void;
}

class FakeViewer {
  readonly world = new FakeWorld();
  readonly adds: PendingAdd[] = [];
  destroyed = false;
  constructor(readonly navigator: FakeViewer | null = null) {
    // As OpenSeadragon's navigator: an item removed from its viewer takes its copy with it.
    this.world.addHandler('remove-item', ({ item }) => {
      const copy = navigator?.world.items.find((i) => i.original === item);
      if (copy) navigator?.world.removeItem(copy);
    });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  addTiledImage(options: { tileSource: object; index: number; success: (event: { item: FakeItem }) => void }): void {
    this.adds.push({ index: options.index, success: options.success });
    this.lastSource = options.tileSource;
  }
  lastSource: object | null = null;
  /** OpenSeadragon adds the tiled image asked for (a timeout later); returns it. */
  land(name: string): FakeItem {
    const add = this.adds.shift();
    if (!add || !this.lastSource) throw new Error('no tiled image asked for');
    const item = new FakeItem(this.lastSource, name);
    this.world.add(item, add.index);
    add.success({ item });
    return item;
  }
}

const SOURCE = { kind: 'slide' };

function setUp() {
  const navigator = new FakeViewer();
  const viewer = new FakeViewer(navigator);
  const shown = new FakeItem(SOURCE, 'shown');
  viewer.world.add(shown, 0);
  navigator.world.add(new FakeItem(SOURCE, 'shown copy', shown), 0);
  shown.loaded = true;
  const remake = (changed = true) => remakeTiles(viewer as unknown as OpenSeadragon.Viewer, () => changed);
  /** The navigator's copy of `item`, added as OpenSeadragon adds it. */
  const copy = (item: FakeItem): FakeItem => {
    const made = new FakeItem(SOURCE, `${item.name} copy`, item);
    navigator.world.add(made, 0);
    return made;
  };
  const names = (v: FakeViewer) => v.world.items.map((i) => i.name);
  return { viewer, navigator, shown, remake, copy, names };
}

test('nothing is made again when the source did not change', () => {
  const { viewer, remake } = setUp();
  remake(false);
  assert.equal(viewer.adds.length, 0);
});

test('the new tiles load under the shown ones, which go only once the new ones and their navigator copy cover the view', () => {
  const { viewer, navigator, remake, copy, names } = setUp();
  remake();
  assert.equal(viewer.adds[0]?.index, 0);
  const next = viewer.land('next');
  assert.deepEqual(names(viewer), ['next', 'shown']);
  next.load();
  // The navigator's copy is not in yet: its minimap would go blank.
  assert.deepEqual(names(viewer), ['next', 'shown']);
  const nextCopy = copy(next);
  assert.deepEqual(names(viewer), ['next', 'shown']);
  nextCopy.load();
  assert.deepEqual(names(viewer), ['next']);
  assert.deepEqual(names(navigator), ['next copy']);
});

test('a viewer without a navigator swaps as soon as the new tiles are in', () => {
  const viewer = new FakeViewer();
  viewer.world.add(new FakeItem(SOURCE, 'shown'), 0);
  remakeTiles(viewer as unknown as OpenSeadragon.Viewer, () => true);
  const next = viewer.land('next');
  next.load();
  assert.deepEqual(
    viewer.world.items.map((i) => i.name),
    ['next'],
  );
});

test('changes in a row: the one still being added makes the newest tiles; one loading makes way for a new one; never a third', () => {
  const { viewer, navigator, remake, copy, names } = setUp();
  remake();
  // Still being added (it has no tile yet): no other is asked for.
  remake();
  assert.equal(viewer.adds.length, 1);
  const first = viewer.land('first');
  const firstCopy = copy(first);
  // Loading an older choice's tiles: replaced at once by a new one, under the shown one.
  remake();
  assert.deepEqual(names(viewer), ['shown']);
  assert.deepEqual(names(navigator), ['shown copy']);
  assert.equal(viewer.adds.length, 1);
  // Its late load changes nothing.
  first.load();
  firstCopy.load();
  assert.deepEqual(names(viewer), ['shown']);
  const second = viewer.land('second');
  assert.deepEqual(names(viewer), ['second', 'shown']);
  // Changed again before the navigator's copy is in: replaced once the copy is (it would stay behind otherwise).
  remake();
  assert.equal(viewer.adds.length, 0);
  const secondCopy = copy(second);
  assert.deepEqual(names(viewer), ['shown']);
  assert.deepEqual(names(navigator), ['shown copy']);
  assert.equal(viewer.adds.length, 1);
  second.load();
  secondCopy.load();
  const third = viewer.land('third');
  const thirdCopy = copy(third);
  third.load();
  thirdCopy.load();
  assert.deepEqual(names(viewer), ['third']);
  assert.deepEqual(names(navigator), ['third copy']);
});

test('a viewer destroyed meanwhile is left alone', () => {
  const { viewer, remake, copy, names } = setUp();
  remake();
  viewer.destroyed = true;
  const next = viewer.land('next');
  const nextCopy = copy(next);
  next.load();
  nextCopy.load();
  assert.deepEqual(names(viewer), ['next', 'shown']);
});
