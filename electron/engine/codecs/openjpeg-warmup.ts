// Decodes a few small JPEG 2000 tiles of each kind Aperio slides hold, at the sizes the engine reads
// (full, half, quarter), so that V8 has optimised OpenJPEG's hot functions before a slide's first
// view needs them: unoptimised, the first hundred or so tiles decode 3-4x slower, which is most of
// the time a JPEG 2000 slide takes to fill the screen. Optimised code belongs to the compiled module,
// which the process's threads share (compileOpenJpeg), so this runs in one thread, once.

import { decodeJpeg2000 } from './jpeg2000-decoder';
import { WARM_UP_CODESTREAMS } from './openjpeg-warmup-codestreams';

// 8 rounds of the three 128 px all-tissue tiles: three quarters of the coded bytes of the 4 rounds of
// half-tissue 240 px tiles the warm-up once painted and encoded at launch, and as effective
// (bench/openjpeg-warmup.ts); fewer rounds were as good there, these leave a margin.
const ROUNDS = 8;

/** The stored codestreams, each at the sizes the engine reads them: one round of the warm-up. */
export function warmUpDecodes(): Array<{ name: string; codestream: Uint8Array; ycbcr: boolean; reduce: number }> {
  return WARM_UP_CODESTREAMS.flatMap(({ name, ycbcr, base64 }) => {
    const codestream = new Uint8Array(Buffer.from(base64, 'base64'));
    return [0, 1, 1, 2].map((reduce) => ({ name, codestream, ycbcr, reduce }));
  });
}

/** Resolves with the number of decodes of each stored kind. */
export async function warmUpOpenJpeg(): Promise<Record<string, number>> {
  const decodes: Record<string, number> = {};
  const round = warmUpDecodes();
  for (let i = 0; i < ROUNDS; i++) {
    for (const { name, codestream, ycbcr, reduce } of round) {
      // The WebAssembly build, whichever decodes the engine's tiles: it still decodes those the system's
      // OpenJPEG is not given (subsampled chroma, JP2).
      await decodeJpeg2000(codestream, { ycbcr, reduce }, null);
      decodes[name] = (decodes[name] ?? 0) + 1;
    }
  }
  return decodes;
}
