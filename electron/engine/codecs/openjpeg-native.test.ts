import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { J2kTileEncoder } from '../../synth/jpeg2000-tiles';
import { decodeJpeg2000 } from './jpeg2000-decoder';
import { loadOpenJpeg } from './openjpeg';
import { CHECK_DECODES, fnv1a, nativeOpenJpeg } from './openjpeg-native';
import { WARM_UP_CODESTREAMS } from './openjpeg-warmup-codestreams';

// The test machines install Debian's libopenjp2-7 (scripts/install-test-deps.sh): there it must load.
const native = nativeOpenJpeg();

test("the system's OpenJPEG loads on Linux and passes its check decodes", () => {
  if (process.platform !== 'linux') return;
  assert.ok(native, 'libopenjp2.so.7 did not load or failed its check');
  assert.match(native.version, /^2\.\d+\.\d+/);
});

test('the check decodes are those of the WebAssembly build', async () => {
  for (const { name, reduce, fnv } of CHECK_DECODES) {
    const stored = WARM_UP_CODESTREAMS.find((c) => c.name === name)!;
    const decoded = await decodeJpeg2000(new Uint8Array(Buffer.from(stored.base64, 'base64')), { ycbcr: false, reduce }, null);
    assert.equal(fnv1a(decoded.data), fnv, `${name} at 1/${2 ** reduce}`);
  }
});

test('the system OpenJPEG decodes every kind and size to the same bytes as the WebAssembly build', { skip: !native }, async () => {
  const paint = (width: number, height: number) =>
    Uint8Array.from(
      { length: width * height * 3 },
      (_, i) => (((i / 3) | 0) % width) * 3 + Math.floor(i / 3 / width) * 5 + (i % 3) * 70 + ((i * 2654435761) >>> 28),
    );
  const kinds = [
    { colour: 'ycbcr', compressionRatio: 12 },
    { colour: 'rgb', compressionRatio: 8 },
    { colour: 'rgb', compressionRatio: 0 },
  ] as const;
  for (const options of kinds) {
    const encoder = await J2kTileEncoder.create({ ...options, decompositions: 3 });
    // A whole tile and an edge tile of odd sizes.
    for (const [width, height] of [
      [240, 240],
      [241, 97],
    ] as const) {
      const codestream = encoder.encode(paint(width, height), width, height);
      for (let reduce = 0; reduce <= 3; reduce++) {
        const ycbcr = options.colour === 'ycbcr';
        const mine = await decodeJpeg2000(codestream, { ycbcr, reduce }, native);
        const reference = await decodeJpeg2000(codestream, { ycbcr, reduce }, null);
        const what = `${options.colour} ratio ${options.compressionRatio}, ${width} x ${height} at 1/${2 ** reduce}`;
        assert.deepEqual([mine.width, mine.height, mine.channels], [reference.width, reference.height, reference.channels], what);
        assert.ok(Buffer.from(mine.data).equals(Buffer.from(reference.data)), what);
      }
    }
  }
});

test('grey codestreams decode alike too; other samples stay with the WebAssembly build', { skip: !native }, async () => {
  const openjpeg = await loadOpenJpeg();
  const encoder = new openjpeg.J2KEncoder();
  const [width, height] = [243, 130];
  encoder
    .getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 1, isSigned: false })
    .set(Uint8Array.from({ length: width * height }, (_, i) => (i * 131) % 251));
  encoder.setDecompositions(3);
  encoder.encode();
  const grey = encoder.getEncodedBuffer().slice();
  encoder.delete();
  for (let reduce = 0; reduce <= 3; reduce++) {
    const mine = await decodeJpeg2000(grey, { ycbcr: false, reduce }, native);
    const reference = await decodeJpeg2000(grey, { ycbcr: false, reduce }, null);
    assert.equal(mine.channels, 1);
    assert.ok(Buffer.from(mine.data).equals(Buffer.from(reference.data)), `grey at 1/${2 ** reduce}`);
  }
  // Marked 12-bit, or 8-bit signed, in the first component's Ssiz (byte 42): the WebAssembly build's
  // answer, whichever decoder is offered.
  for (const ssiz of [0x0b, 0x87]) {
    const marked = grey.slice();
    marked[42] = ssiz;
    const reference = await decodeJpeg2000(marked, { ycbcr: false }, null).then(
      () => 'decoded',
      (error: Error) => error.message,
    );
    const mine = await decodeJpeg2000(marked, { ycbcr: false }, native).then(
      () => 'decoded',
      (error: Error) => error.message,
    );
    assert.equal(mine, reference, `Ssiz 0x${ssiz.toString(16)}`);
  }
});

test("a damaged codestream fails with OpenJPEG's reason", { skip: !native }, async () => {
  const encoder = await J2kTileEncoder.create({ colour: 'rgb', compressionRatio: 10 });
  const codestream = encoder.encode(new Uint8Array(64 * 64 * 3).fill(128), 64, 64);
  const damaged = codestream.slice();
  for (let i = 120; i < damaged.length; i += 5) damaged[i]! ^= 0x5a;
  await assert.rejects(decodeJpeg2000(damaged, { ycbcr: false }, native), /JPEG 2000 codestream: OpenJPEG could not (decode|read)/);
  // The main header cut after its SIZ marker.
  await assert.rejects(decodeJpeg2000(codestream.subarray(0, 55), { ycbcr: false }, native), /JPEG 2000 codestream: OpenJPEG could not read its header/);
  // The decoder is still sound after failures.
  assert.equal((await decodeJpeg2000(codestream, { ycbcr: false }, native)).width, 64);
});

test('SLIDESCOPE_OPENJPEG=wasm leaves JPEG 2000 to the WebAssembly build', () => {
  const module = fileURLToPath(new URL('./openjpeg-native.ts', import.meta.url));
  const script = `import { nativeOpenJpeg } from ${JSON.stringify(module)}; console.log(nativeOpenJpeg() === null ? 'wasm' : 'native');`;
  const run = (value: string | undefined) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, SLIDESCOPE_OPENJPEG: value },
      encoding: 'utf8',
    }).stdout.trim();
  assert.equal(run('wasm'), 'wasm');
  if (native) assert.equal(run(''), 'native');
});
