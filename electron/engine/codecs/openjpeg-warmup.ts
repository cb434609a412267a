// Decodes a few small JPEG 2000 tiles of each kind Aperio slides hold, at the sizes the engine reads
// (full, half, quarter), so that V8 has optimised OpenJPEG's hot functions before a slide's first
// view needs them: unoptimised, the first hundred or so tiles decode 3-4x slower, which is most of
// the time a JPEG 2000 slide takes to fill the screen. Optimised code belongs to the compiled module,
// which the process's threads share (compileOpenJpeg), so this runs in one thread, once.

import { type J2kEncoderOptions, J2kTileEncoder } from '../../synth/jpeg2000-tiles';
import { TissuePainter } from '../../synth/tissue';
import { decodeJpeg2000 } from './jpeg2000-decoder';

const SIZE = 240; // Aperio's JPEG 2000 tile size
const KINDS: J2kEncoderOptions[] = [
  { colour: 'ycbcr', compressionRatio: 12 }, // 33003
  { colour: 'rgb', compressionRatio: 12 }, // 33005, lossy (9/7 wavelet)
  { colour: 'rgb', compressionRatio: 0 }, // 33005, lossless (5/3 wavelet)
];
const ROUNDS = 4;

export async function warmUpOpenJpeg(): Promise<void> {
  const painter = new TissuePainter({ width: 4 * SIZE, height: 4 * SIZE, seed: 1 });
  const rgb = painter.render(SIZE, SIZE, SIZE, SIZE);
  const tiles = await Promise.all(
    KINDS.map(async (kind) => ({ ycbcr: kind.colour === 'ycbcr', codestream: (await J2kTileEncoder.create(kind)).encode(rgb, SIZE, SIZE) })),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const { codestream, ycbcr } of tiles) {
      for (const reduce of [0, 1, 1, 2]) await decodeJpeg2000(codestream, { ycbcr, reduce });
    }
  }
}
