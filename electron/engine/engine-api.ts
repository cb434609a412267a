// What the slide engine offers its callers: the worker host (for the main process), the CLI and the
// tests. In-process (SlideEngine) and across a worker (EngineHost) both implement it.

import type { EncodedImage, EncodedTile, SlideInfo, ThumbnailSpec } from '../../shared/slide';

export interface RgbImage {
  /** Interleaved 8-bit samples, row-major, no padding. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface OpenOptions {
  /** Size of the deep-zoom tiles served; default: the slide's own tile size when it suits. */
  tileSize?: number;
}

export interface SlideEngineApi {
  open(path: string, options?: OpenOptions): Promise<{ slideId: string; info: SlideInfo }>;
  close(slideId: string): Promise<void>;
  /** A deep-zoom tile, encoded for display. */
  getTile(slideId: string, dzLevel: number, col: number, row: number, signal?: AbortSignal): Promise<EncodedTile>;
  /**
   * Replaces the slide's prefetch with these tiles (inclusive ranges at one dz level): they are
   * made into the tile cache one at a time while no request is waiting, so a pan finds them ready.
   * Returns at once.
   */
  prefetch(slideId: string, dzLevel: number, range: { colStart: number; colEnd: number; rowStart: number; rowEnd: number }): Promise<void>;
  /** RGBA pixels of a region: x, y in level-0 pixels, width and height in pixels of the slide level. */
  readRegion(slideId: string, level: number, x: number, y: number, width: number, height: number, signal?: AbortSignal): Promise<RgbImage>;
  /** An associated image (thumbnail, label, macro), decoded to RGB. */
  readAssociated(slideId: string, name: string): Promise<RgbImage>;
  /** The same, encoded as PNG for display. */
  getAssociatedImage(slideId: string, name: string): Promise<EncodedImage>;
  /** A thumbnail, read from the coarsest level with enough resolution. RGB. */
  thumbnail(slideId: string, spec: ThumbnailSpec, signal?: AbortSignal): Promise<RgbImage>;
  /**
   * RGB pixels of a level-0 rectangle resampled to the given output size, read from the coarsest
   * level with enough resolution (the comparison export's field-of-view panels use this).
   */
  readScaledRegion(
    slideId: string,
    x: number,
    y: number,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    signal?: AbortSignal,
  ): Promise<RgbImage>;
  /**
   * Makes the built-in sample slide (a generated multi-level Aperio-like slide with label and
   * macro) in cacheDir on first use and returns its path. Runs in the worker: painting is CPU work.
   */
  ensureSample(cacheDir: string): Promise<string>;
}
