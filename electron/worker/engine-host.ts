// Runs the slide engine in worker threads, one per core (lanes), and offers the same API. Each slide
// is open in every lane; a deep-zoom tile always goes to the same lane (tileLane), other work to the
// least busy. TurboJPEG's calls are synchronous (see codecs/turbojpeg), so lanes are what puts the
// tile work of a screen on every core.

import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { ErrorInfo } from '../../shared/errors';
import type { EncodedImage, EncodedTile, SlideInfo, ThumbnailSpec } from '../../shared/slide';
import { compileOpenJpeg } from '../engine/codecs/openjpeg';
import type { OpenOptions, RgbImage, SlideEngineApi } from '../engine/engine-api';
import { tileLane } from '../engine/tile-lanes';
import { EngineLane } from './engine-lane';

export interface EngineHostOptions {
  /** The built worker script (dist/electron/engine-worker.mjs), or the .ts source under tsx. */
  workerPath: string;
  /** A worker that answers no ping for this long, while busy, is replaced. */
  stallTimeoutMs?: number;
  /** Called when a worker was replaced, with what happened. */
  onRestart?: (error: ErrorInfo) => void;
  /** Engine workers; default one per core, at most four. */
  lanes?: number;
}

export class EngineHost implements SlideEngineApi {
  private readonly lanes: EngineLane[];

  constructor(options: EngineHostOptions) {
    const count = Math.max(1, Math.floor(options.lanes ?? Math.min(4, availableParallelism())));
    this.lanes = Array.from({ length: count }, (_, lane) => new EngineLane({ ...options, lane: { lane, lanes: count } }));
  }

  /** Peak resident memory the workers reported (the whole process, as the OS counts it). */
  get workerPeakRssBytes(): number {
    return Math.max(...this.lanes.map((l) => l.workerPeakRssBytes));
  }

  /** Workers replaced so far, in all lanes. */
  get restarts(): number {
    return this.lanes.reduce((sum, l) => sum + l.restarts, 0);
  }

  /**
   * Loads the workers now, so the first slide opened does not wait for them (the app starts them at
   * launch). OpenJPEG is compiled here, once, so that every lane's JPEG 2000 threads share the code
   * that V8 optimises (see warmUpOpenJpeg).
   */
  start(): void {
    void compileOpenJpeg().then(
      (openJpeg) => this.lanes.forEach((lane) => lane.start(openJpeg)),
      () => this.lanes.forEach((lane) => lane.start()), // each compiles its own, and reports any failure per tile
    );
  }

  /** Settles when every lane's worker has answered once (after start(), or a first request). */
  whenReady(): Promise<void> {
    return Promise.all(this.lanes.map((lane) => lane.ready)).then(() => undefined);
  }

  /** Replaces every worker now (a user's "restart engine", and the tests). */
  restart(reason = 'The slide engine was restarted.'): void {
    for (const lane of this.lanes) lane.restart(reason);
  }

  private leastBusy(): EngineLane {
    return this.lanes.reduce((a, b) => (b.load < a.load ? b : a));
  }

  async open(path: string, options: OpenOptions = {}): Promise<{ slideId: string; info: SlideInfo }> {
    const slideId = randomUUID();
    const opened = await Promise.allSettled(this.lanes.map((lane) => lane.open(slideId, path, options)));
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      await this.close(slideId);
      throw failed.reason;
    }
    return { slideId, info: (opened[0] as PromiseFulfilledResult<SlideInfo>).value };
  }

  async close(slideId: string): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close(slideId)));
  }

  getTile(slideId: string, dzLevel: number, col: number, row: number, signal?: AbortSignal): Promise<EncodedTile> {
    return this.lanes[tileLane(col, row, this.lanes.length)]!.call('getTile', slideId, [dzLevel, col, row], signal);
  }

  async prefetch(slideId: string, dzLevel: number, range: { colStart: number; colEnd: number; rowStart: number; rowEnd: number }): Promise<void> {
    // Every lane makes its own share of the range.
    await Promise.all(this.lanes.map((lane) => lane.call('prefetch', slideId, [dzLevel, range])));
  }

  readRegion(slideId: string, level: number, x: number, y: number, width: number, height: number, signal?: AbortSignal): Promise<RgbImage> {
    return this.leastBusy().call('readRegion', slideId, [level, x, y, width, height], signal);
  }

  readAssociated(slideId: string, name: string): Promise<RgbImage> {
    return this.leastBusy().call('readAssociated', slideId, [name]);
  }

  getAssociatedImage(slideId: string, name: string): Promise<EncodedImage> {
    return this.leastBusy().call('getAssociatedImage', slideId, [name]);
  }

  thumbnail(slideId: string, spec: ThumbnailSpec, signal?: AbortSignal): Promise<RgbImage> {
    return this.leastBusy().call('thumbnail', slideId, [spec], signal);
  }

  readScaledRegion(
    slideId: string,
    x: number,
    y: number,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    signal?: AbortSignal,
  ): Promise<RgbImage> {
    return this.leastBusy().call('readScaledRegion', slideId, [x, y, width, height, outWidth, outHeight], signal);
  }

  ensureSample(cacheDir: string): Promise<string> {
    return this.lanes[0]!.send('ensureSample', [cacheDir]);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.dispose()));
  }
}
