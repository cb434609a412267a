import assert from 'node:assert/strict';
import { test } from 'node:test';
import { J2kTileEncoder } from '../synth/jpeg2000-tiles';
import { decodeJpeg2000, decompositionLevels } from './jpeg2000-decoder';

test('a codestream decodes at 1/2^n size for every n up to its decomposition levels', async () => {
  const rgb = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 37) % 256);
  for (const decompositions of [2, 4]) {
    const encoder = await J2kTileEncoder.create({ colour: 'rgb', decompositions });
    const codestream = encoder.encode(rgb, 64, 64);
    assert.equal(decompositionLevels(codestream), decompositions);
    for (let reduce = 0; reduce <= decompositions; reduce++) {
      const decoded = await decodeJpeg2000(codestream, { ycbcr: false, reduce });
      assert.deepEqual([decoded.width, decoded.height], [64 >> reduce, 64 >> reduce]);
    }
  }
  assert.equal(decompositionLevels(new Uint8Array([0xff, 0x4f, 0xff, 0x90, 0, 10])), null);
  assert.equal(decompositionLevels(new Uint8Array(0)), null);
});
