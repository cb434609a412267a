// Sources whose tiles are only ever decoded (composed from placed images, 12-bit planes, cells of a
// database): no stored JPEG to send undecoded, no codec that decodes at a reduced size. Their
// SlideSource answers saying so, once.

import type { RgbImage } from '../../../shared/slide';

export abstract class DecodedTilesOnly {
  async readStoredJpeg(): Promise<Uint8Array | null> {
    return null;
  }

  storesJpeg(): boolean {
    return false;
  }

  async readTileReduced(): Promise<RgbImage | null> {
    return null;
  }

  decodesReduced(): boolean {
    return false;
  }
}
