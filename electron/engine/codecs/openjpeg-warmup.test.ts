// The warm-up's stored codestreams (openjpeg-warmup-codestreams.ts, made by
// scripts/make-warmup-codestreams.ts): one of each Aperio kind, decodable at every size the warm-up
// asks for, and the image they were made from, repainted here with the synth.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TissuePainter } from '../../synth/tissue';
import { decodeJpeg2000 } from './jpeg2000-decoder';
import { warmUpOpenJpeg } from './openjpeg-warmup';
import { WARM_UP_CODESTREAMS, WARM_UP_SOURCE } from './openjpeg-warmup-codestreams';

/** Lossy (compression ratio 12) against the source: per channel. */
const LOSSY_MEAN = 3;
const LOSSY_MAX = 32;

interface Coding {
  width: number;
  height: number;
  components: number;
  /** COD's multiple component transform flag: 1 for 33005 (RGB), 0 for 33003 (Y, Cb, Cr as coded). */
  mct: number;
  /** COD's wavelet: 1 = reversible 5/3 (lossless), 0 = irreversible 9/7. */
  reversible: number;
}

/** SIZ and COD of a J2K main header. */
function coding(codestream: Uint8Array): Coding {
  const u16 = (p: number): number => (codestream[p]! << 8) | codestream[p + 1]!;
  const u32 = (p: number): number => u16(p) * 65536 + u16(p + 2);
  assert.equal(u16(0), 0xff4f, 'SOC');
  const found: Partial<Coding> = {};
  for (let p = 2; p + 4 <= codestream.length && u16(p) !== 0xff90; p += 2 + u16(p + 2)) {
    if (u16(p) === 0xff51) Object.assign(found, { width: u32(p + 6) - u32(p + 14), height: u32(p + 10) - u32(p + 18), components: u16(p + 38) });
    if (u16(p) === 0xff52) Object.assign(found, { mct: codestream[p + 8], reversible: codestream[p + 13] });
  }
  return found as Coding;
}

function errors(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  assert.equal(a.length, b.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!);
    sum += e;
    if (e > max) max = e;
  }
  return { mean: sum / a.length, max };
}

const stored = WARM_UP_CODESTREAMS.map((entry) => ({ ...entry, codestream: new Uint8Array(Buffer.from(entry.base64, 'base64')) }));

test('one stored codestream of each Aperio kind: 33003, 33005 lossy (9/7), 33005 lossless (5/3)', () => {
  const { size } = WARM_UP_SOURCE;
  const kinds = stored.map(({ name, ycbcr, lossless, codestream }) => ({ name, ycbcr, lossless, coding: coding(codestream) }));
  assert.deepEqual(kinds, [
    { name: '33003', ycbcr: true, lossless: false, coding: { width: size, height: size, components: 3, mct: 0, reversible: 0 } },
    { name: '33005-lossy', ycbcr: false, lossless: false, coding: { width: size, height: size, components: 3, mct: 1, reversible: 0 } },
    { name: '33005-lossless', ycbcr: false, lossless: true, coding: { width: size, height: size, components: 3, mct: 1, reversible: 1 } },
  ]);
});

test('the stored codestreams decode to the tissue they were made from, at full, half and quarter size', async () => {
  const { width, height, seed, x, y, size } = WARM_UP_SOURCE;
  const painter = new TissuePainter({ width, height, seed });
  const source = painter.render(x, y, size, size);
  // The tolerance tells images apart: the same tissue 2 px to the side is well outside it.
  const beside = errors(source, painter.render(x + 2, y, size, size));
  assert.ok(beside.mean > LOSSY_MEAN && beside.max > LOSSY_MAX, JSON.stringify(beside));
  for (const { name, ycbcr, lossless, codestream } of stored) {
    const full = await decodeJpeg2000(codestream, { ycbcr });
    assert.deepEqual([full.width, full.height, full.data.length], [size, size, size * size * 3], name);
    const error = errors(full.data, source);
    if (lossless) assert.deepEqual(error, { mean: 0, max: 0 }, name);
    else assert.ok(error.mean <= LOSSY_MEAN && error.max <= LOSSY_MAX, `${name}: ${JSON.stringify(error)}`);
    for (const reduce of [1, 2]) {
      const reduced = await decodeJpeg2000(codestream, { ycbcr, reduce });
      assert.deepEqual([reduced.width, reduced.height], [size >> reduce, size >> reduce], `${name} at 1/${2 ** reduce}`);
    }
  }
});

test('the warm-up decodes every stored kind, each at full, half and quarter size', async () => {
  assert.deepEqual(await warmUpOpenJpeg(), { '33003': 32, '33005-lossy': 32, '33005-lossless': 32 });
});
