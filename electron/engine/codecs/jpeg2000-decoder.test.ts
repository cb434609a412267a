import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Supervisor } from '../../rpc/supervisor';
import { workerChild } from '../../rpc/worker-thread';
import { J2kTileEncoder } from '../../synth/jpeg2000-tiles';
import type { CodecProtocol } from './codec-jobs';
import type { CodecThreadData } from './codec-pool';
import { decodeJpeg2000, decompositionLevels } from './jpeg2000-decoder';
import { compileOpenJpeg } from './openjpeg';

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

test('a codec thread decodes with OpenJPEG compiled in another thread, after warming it up', async () => {
  const rgb = Uint8Array.from({ length: 240 * 240 * 3 }, (_, i) => (i * 7919) % 251);
  const codestream = (await J2kTileEncoder.create({ colour: 'ycbcr' })).encode(rgb, 240, 240);
  const expected = await decodeJpeg2000(codestream, { ycbcr: true, reduce: 1 });
  const threadData: CodecThreadData = { openJpeg: await compileOpenJpeg(), warmUp: true };
  const thread = new Supervisor<CodecProtocol>({
    name: 'A JPEG 2000 decoding thread',
    spawn: workerChild({ script: fileURLToPath(new URL('./codec-thread.ts', import.meta.url)), workerData: threadData }),
  });
  try {
    thread.start();
    await thread.whenReady();
    const answer = await thread.call('jpeg2000', { kind: 'jpeg2000', codestream, ycbcr: true, reduce: 1 });
    assert.ok(answer.ok, answer.ok ? '' : answer.error.message);
    assert.deepEqual([answer.value.width, answer.value.height], [120, 120]);
    assert.deepEqual(answer.value.data, expected.data);
  } finally {
    await thread.dispose();
  }
});
