import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fixturePath } from '../../testing/fixtures';
import { openSlide } from '../../testing/open-slide';
import { SlideEngine } from './engine';
import { spareBufferBytes, withSpareBuffer, withSpareBufferAsync } from './spare-buffers';

test('a spare buffer is reused once given back, and never lent twice at once', async () => {
  const size = 12_345;
  const first = withSpareBuffer(size, (buffer) => buffer);
  let a: Buffer | undefined;
  let b: Buffer | undefined;
  await Promise.all([
    withSpareBufferAsync(size, async (buffer) => {
      a = buffer;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }),
    withSpareBufferAsync(size, async (buffer) => {
      b = buffer;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }),
  ]);
  assert.notEqual(a, b);
  assert.ok(a === first || b === first, 'the buffer given back was lent again');
});

test('the spares of a thread stay under their cap, however many sizes pass through', () => {
  for (let size = 100_000; size < 400_000; size += 1_000) withSpareBuffer(size, (buffer) => buffer.fill(1));
  assert.ok(spareBufferBytes() <= 8 * 1024 * 1024, `${spareBufferBytes()} bytes kept`);
  assert.ok(spareBufferBytes() > 0);
});

test('buffers given back over the cap make room one at a time from other sizes, not by dropping their own', () => {
  const big = 3 * 1024 * 1024;
  const lent: Buffer[] = [];
  // Three lent at once and given back: two fit under the 8 MB cap and stay.
  withSpareBuffer(big, (a) => withSpareBuffer(big, (b) => withSpareBuffer(big, (c) => void lent.push(a, b, c))));
  assert.ok(spareBufferBytes() <= 8 * 1024 * 1024);
  assert.ok(lent.includes(withSpareBuffer(big, (buffer) => buffer)), 'a buffer of the size just used is lent again');
});

const engines = [new SlideEngine(), new SlideEngine()];
after(() => Promise.all(engines.map((engine) => engine.closeAll())));

test('resampled tiles read into reused buffers many at once are the tiles read one at a time', { timeout: 300_000 }, async () => {
  const path = await fixturePath('aperio-jpeg-rgb');
  const [together, alone] = await Promise.all(engines.map((engine) => openSlide(engine, path)));
  const plans = engines[0]!.describeTiling(together!.slideId);
  const levels = plans.flatMap((plan, z) => (plan.startsWith('resample') ? [z] : []));
  assert.ok(levels.length >= 2, plans.join(', '));
  for (const z of levels) {
    const { cols, rows } = together!.info.deepZoom.levels[z]!;
    const tiles = Array.from({ length: Math.min(cols * rows, 48) }, (_, i) => ({ col: i % cols, row: Math.floor(i / cols) % rows }));
    const many = await Promise.all(tiles.map((t) => engines[0]!.getTile({ slideId: together!.slideId, dzLevel: z, ...t, requestId: 0 })));
    for (const [i, t] of tiles.entries()) {
      const one = await engines[1]!.getTile({ slideId: alone!.slideId, dzLevel: z, ...t, requestId: 0 });
      assert.ok(Buffer.from(many[i]!.bytes).equals(Buffer.from(one.bytes)), `${plans[z]} tile ${t.col},${t.row}`);
    }
  }
});
