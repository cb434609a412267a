// Opening a slide and serving its tiles run through code V8 has not optimised when the engine starts:
// the format probes, the TIFF reader, the router's checks, the lanes' messages, reading, halving and
// encoding tiles. The app's engine opens a small slide of its own a few dozen times and reads its
// tiles at every kind of level before it says it is ready, so that the user's first slide opens and
// shows as fast as the later ones (docs/performance.md, "Opening" and "Warm tiles"). The CLI skips
// it, as it skips the codec warm-up.

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatch } from '../../shared/rpc';
import type { SlideInfo } from '../../shared/slide';
import { Compression, Photometric, TiffWriter } from '../synth/tiff-writer';
import { MAX_LANES } from './engine-settings';
import { WARM_UP_TILE_JPEG_BASE64, WARM_UP_TILE_SIZE } from './warm-up-tile';

/** Enough opens for V8 to optimise the path (the time per open levels off after ~30). */
const ROUNDS = 40;
/** Rounds of reading every tile of the warm-up slide's finer levels: ~30 tiles a round. */
const TILE_ROUNDS = 8;
const TILE = WARM_UP_TILE_SIZE;
const LIBRARY = 'Aperio Image Library v11.2.1 ';
/** An empty JPEG (SOI, EOI) for the associated images: opening reads none of them. */
const EMPTY_JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xd9);

/**
 * A two-level Aperio slide with its thumbnail, label and macro (empty), every tile one stored patch
 * of tissue: what opening one reads, and the deep-zoom levels a slide's tiles come from (stored,
 * half a stored level, a quarter), in a few ms.
 */
async function writeWarmUpSlide(path: string): Promise<void> {
  const tile = Buffer.from(WARM_UP_TILE_JPEG_BASE64, 'base64');
  const writer = await TiffWriter.create(path);
  try {
    const base = { width: 8 * TILE, height: 6 * TILE };
    const meta = '|AppMag = 20|MPP = 0.5|Filename = warm-up';
    const level = (width: number, height: number) =>
      writer.addImage({
        width,
        height,
        compression: Compression.JPEG,
        photometric: Photometric.YCbCr,
        ycbcrSubsampling: [1, 1],
        layout: { kind: 'tiles', tileWidth: TILE, tileHeight: TILE },
        newSubfileType: width === base.width ? 0 : 1,
        description: `${LIBRARY}\r\n${base.width}x${base.height} [0,0 ${base.width}x${base.height}] (${TILE}x${TILE})${width === base.width ? '' : ` -> ${width}x${height}`} JPEG/YCC Q=80${meta}`,
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
      level(base.width / 4, base.height / 4),
      strips(128, 128, 'label 128x128', 1),
      strips(256, 96, 'macro 256x96', 9),
    ];
    for (const image of images) {
      const { width, height, layout } = image.spec;
      const count = layout.kind === 'tiles' ? Math.ceil(width / TILE) * Math.ceil(height / TILE) : 1;
      for (let i = 0; i < count; i++) await writer.writeChunk(image, i, layout.kind === 'tiles' ? tile : EMPTY_JPEG);
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

export async function warmUpEngine(dispatch: Dispatch): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-warm-up-'));
  try {
    const path = join(dir, 'warm-up.svs');
    await writeWarmUpSlide(path);
    const signal = new AbortController().signal;
    // A round's tiles all listen to this one signal.
    setMaxListeners(0, signal);
    const context = { signal, progress: () => undefined };
    const call = async (operation: 'engine:open' | 'engine:close' | 'slide:tile', request: object): Promise<unknown> => {
      const answer = await dispatch(operation, request, context);
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value;
    };
    for (let round = 0; round < ROUNDS + TILE_ROUNDS; round++) {
      const slideId = randomUUID();
      const { deepZoom } = (await call('engine:open', { slideId, path, client: null })) as SlideInfo;
      const finest = deepZoom.levels.length - 1;
      // Opening rounds: a tile of each lane's (lane = (col + row) mod lanes), served as stored, warms
      // every lane's open. Tile rounds: all at once, as a screen asks for them, every tile of the four
      // levels below the finest: half of level 0, level 1 as stored, half and a quarter of level 1.
      const tiles =
        round < ROUNDS
          ? Array.from({ length: MAX_LANES }, (_, col) => [finest, col, 0] as const)
          : [finest - 1, finest - 2, finest - 3, finest - 4].flatMap((z) => {
              const { cols, rows } = deepZoom.levels[z]!;
              return Array.from({ length: cols * rows }, (_, i) => [z, i % cols, Math.floor(i / cols)] as const);
            });
      await Promise.all(tiles.map(([dzLevel, col, row], requestId) => call('slide:tile', { slideId, dzLevel, col, row, requestId })));
      await call('engine:close', { slideId });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
