// Opening a slide runs through code V8 has not optimised when the engine starts: the format probes,
// the TIFF reader, the router's checks, the lanes' messages. The app's engine opens a small slide of
// its own a few dozen times before it says it is ready, so that the user's first slides open as fast
// as the later ones (docs/performance.md, "Opening"). The CLI skips it, as it skips the codec warm-up.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatch } from '../../shared/rpc';
import type { SlideInfo } from '../../shared/slide';
import { Compression, Photometric, TiffWriter } from '../synth/tiff-writer';
import { MAX_LANES } from './engine-settings';

/** Enough opens for V8 to optimise the path (the time per open levels off after ~30). */
const ROUNDS = 40;
const TILE = 256;
const LIBRARY = 'Aperio Image Library v11.2.1 ';
/** An empty JPEG (SOI, EOI): opening reads no tile, and the router's process loads no codec to make one. */
const EMPTY_JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xd9);

/** A two-level Aperio slide with its thumbnail, label and macro, all empty: what opening one reads, in a few ms. */
async function writeWarmUpSlide(path: string): Promise<void> {
  const writer = await TiffWriter.create(path);
  try {
    const base = { width: 2048, height: 1536 };
    const meta = '|AppMag = 20|MPP = 0.5|Filename = warm-up';
    const level = (width: number, height: number) =>
      writer.addImage({
        width,
        height,
        compression: Compression.JPEG,
        photometric: Photometric.RGB,
        layout: { kind: 'tiles', tileWidth: TILE, tileHeight: TILE },
        newSubfileType: width === base.width ? 0 : 1,
        description: `${LIBRARY}\r\n${base.width}x${base.height} [0,0 ${base.width}x${base.height}] (${TILE}x${TILE})${width === base.width ? '' : ` -> ${width}x${height}`} JPEG/RGB Q=80${meta}`,
      });
    const strips = (width: number, height: number, description: string, newSubfileType: number) =>
      writer.addImage({
        width,
        height,
        compression: Compression.JPEG,
        photometric: Photometric.RGB,
        layout: { kind: 'strips', rowsPerStrip: height },
        newSubfileType,
        description: `${LIBRARY}\n${description}`,
      });
    // In Aperio's order: level 0, the thumbnail, the other levels, the label, the macro.
    const images = [
      level(base.width, base.height),
      strips(256, 192, `${base.width}x${base.height} -> 256x192 - ${meta}`, 0),
      level(512, 384),
      strips(128, 128, 'label 128x128', 1),
      strips(256, 96, 'macro 256x96', 9),
    ];
    for (const image of images) {
      const { width, height, layout } = image.spec;
      const count = layout.kind === 'tiles' ? Math.ceil(width / TILE) * Math.ceil(height / TILE) : 1;
      for (let i = 0; i < count; i++) await writer.writeChunk(image, i, EMPTY_JPEG);
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

export async function warmOpenPath(dispatch: Dispatch): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-warm-up-'));
  try {
    const path = join(dir, 'warm-up.svs');
    await writeWarmUpSlide(path);
    const context = { signal: new AbortController().signal, progress: () => undefined };
    for (let i = 0; i < ROUNDS; i++) {
      const slideId = randomUUID();
      const opened = await dispatch('engine:open', { slideId, path, client: null }, context);
      if (!opened.ok) throw new Error(opened.error.message);
      // A lane opens a slide when first asked about it: a tile of each lane's (lane = (col + row) mod
      // lanes) warms every lane's open. The tiles are empty and fail; that is not what is warmed.
      const dzLevel = (opened.value as SlideInfo).deepZoom.levels.length - 1;
      const cols = Array.from({ length: MAX_LANES }, (_, col) => col);
      await Promise.all(cols.map((col) => dispatch('slide:tile', { slideId, dzLevel, col, row: 0, requestId: col }, context)));
      await dispatch('engine:close', { slideId }, context);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
