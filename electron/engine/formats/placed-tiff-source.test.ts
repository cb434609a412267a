// The plane's tiles put together from an image placed off the tile grid: each pixel where the image
// puts it, white around it, and each of the image's tiles decoded once though four plane tiles
// overlap it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RgbImage } from '../../../shared/slide';
import { PlacedTiffSource } from './placed-tiff-source';
import type { TiffPyramidSource } from './tiff-pyramid-source';

const TILE = 8;
const IMAGE = { width: 20, height: 12 };
const AT = { x: 3, y: 5 };

/** The image's pixel (x, y): a value no other pixel of it has. */
const pixel = (x: number, y: number) => [x, y, 200];

function fakeStore(decodes: string[]): TiffPyramidSource {
  const readTile = async (_image: number, col: number, row: number): Promise<RgbImage> => {
    decodes.push(`${col},${row}`);
    const data = new Uint8Array(TILE * TILE * 3);
    for (let y = 0; y < TILE; y++) for (let x = 0; x < TILE; x++) data.set(pixel(col * TILE + x, row * TILE + y), (y * TILE + x) * 3);
    return { data, width: TILE, height: TILE, channels: 3 };
  };
  const store = { path: 'fake.scn', associatedNames: [], levels: [{ ...IMAGE, downsample: 1, tileWidth: TILE, tileHeight: TILE }], readTile };
  return store as unknown as TiffPyramidSource;
}

describe('PlacedTiffSource', () => {
  test('an image off the tile grid: its pixels in place, white around, each of its tiles decoded once', async () => {
    const decodes: string[] = [];
    const plane = { width: 32, height: 24 };
    const source = new PlacedTiffSource({
      format: 'leica',
      vendor: 'leica',
      store: fakeStore(decodes),
      levels: [{ ...plane, downsample: 1, images: [{ image: 0, ...AT }] }],
      objectivePower: null,
      mpp: null,
      properties: {},
    });
    for (let row = 0; row < plane.height / TILE; row++) {
      for (let col = 0; col < plane.width / TILE; col++) {
        const tile = await source.readTile(0, col, row);
        const inside = (x: number, y: number) => x >= AT.x && y >= AT.y && x < AT.x + IMAGE.width && y < AT.y + IMAGE.height;
        const touches = [...Array(TILE * TILE).keys()].some((i) => inside(col * TILE + (i % TILE), row * TILE + Math.floor(i / TILE)));
        if (!touches) {
          assert.equal(tile, null, `tile ${col},${row} touches no image`);
          continue;
        }
        for (let y = 0; y < TILE; y++) {
          for (let x = 0; x < TILE; x++) {
            const [px, py] = [col * TILE + x, row * TILE + y];
            const want = inside(px, py) ? pixel(px - AT.x, py - AT.y) : [255, 255, 255];
            assert.deepEqual([...tile!.data.subarray((y * TILE + x) * 3, (y * TILE + x) * 3 + 3)], want, `plane pixel ${px},${py}`);
          }
        }
      }
    }
    // The image's 3 x 2 tiles, each under up to four plane tiles.
    assert.deepEqual(decodes.sort(), ['0,0', '0,1', '1,0', '1,1', '2,0', '2,1']);
  });
});
