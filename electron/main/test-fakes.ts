// Test doubles for the main-process unit tests (not bundled: nothing but *.test.ts imports this).

import type { EncodedImage, EncodedTile, SlideInfo, ThumbnailSpec } from '../../shared/slide';
import type { OpenOptions, RgbImage, SlideEngineApi } from '../engine/engine-api';

export class FakeEngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function fakeInfo(path: string): SlideInfo {
  const name = path.split(/[\\/]/).pop() ?? path;
  return {
    path,
    name,
    format: 'fake',
    vendor: 'generic-tiff',
    width: 1000,
    height: 800,
    levels: [{ width: 1000, height: 800, downsample: 1, tileWidth: 256, tileHeight: 256 }],
    objectivePower: 20,
    mpp: { x: 0.5, y: 0.5 },
    associated: ['label'],
    properties: {},
    deepZoom: { tileSize: 256, overlap: 0, levels: [{ width: 1000, height: 800, cols: 4, rows: 4 }] },
  };
}

/** An in-memory engine: paths under /missing fail with NOT_FOUND, getTile can be held open. */
export class FakeEngine implements SlideEngineApi {
  readonly open_ = new Set<string>();
  readonly closed: string[] = [];
  readonly tileCalls: Array<{ slideId: string; dzLevel: number; col: number; row: number; signal?: AbortSignal }> = [];
  /** When set, getTile waits for this promise (or the abort) before answering. */
  tileGate: Promise<void> | null = null;
  /** When set, open waits for this promise before answering. */
  openGate: Promise<void> | null = null;
  private next = 1;

  async open(path: string, _options?: OpenOptions): Promise<{ slideId: string; info: SlideInfo }> {
    if (this.openGate) await this.openGate;
    if (path.startsWith('/missing')) throw new FakeEngineError('NOT_FOUND', `no such file: ${path}`);
    if (path.endsWith('.txt')) throw new FakeEngineError('NOT_A_SLIDE', 'not a slide');
    if (path.includes('boom')) throw new Error('disk on fire');
    const slideId = `s${this.next++}`;
    this.open_.add(slideId);
    return { slideId, info: fakeInfo(path) };
  }

  async close(slideId: string): Promise<void> {
    if (!this.open_.delete(slideId)) throw new FakeEngineError('NOT_OPEN', `unknown slide ${slideId}`);
    this.closed.push(slideId);
  }

  readonly prefetches: Array<{ slideId: string; dzLevel: number; range: { colStart: number; colEnd: number; rowStart: number; rowEnd: number } }> = [];

  async prefetch(slideId: string, dzLevel: number, range: { colStart: number; colEnd: number; rowStart: number; rowEnd: number }): Promise<void> {
    this.prefetches.push({ slideId, dzLevel, range });
  }

  async getTile(slideId: string, dzLevel: number, col: number, row: number, signal?: AbortSignal): Promise<EncodedTile> {
    this.tileCalls.push({ slideId, dzLevel, col, row, ...(signal ? { signal } : {}) });
    if (!this.open_.has(slideId)) throw new FakeEngineError('NOT_OPEN', `unknown slide ${slideId}`);
    if (this.tileGate) {
      const gate = this.tileGate;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new FakeEngineError('CANCELLED', 'aborted'));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        void gate.then(resolve);
      });
    }
    if (dzLevel > 0) throw new FakeEngineError('INVALID_ARGUMENT', `no dz level ${dzLevel}`);
    return { bytes: new Uint8Array([dzLevel, col, row]), mime: 'image/jpeg' };
  }

  async readRegion(): Promise<RgbImage> {
    return { data: new Uint8Array(3), width: 1, height: 1, channels: 3 };
  }

  async readAssociated(): Promise<RgbImage> {
    return { data: new Uint8Array(3), width: 1, height: 1, channels: 3 };
  }

  async getAssociatedImage(slideId: string, name: string): Promise<EncodedImage> {
    if (!this.open_.has(slideId)) throw new FakeEngineError('NOT_OPEN', `unknown slide ${slideId}`);
    if (name !== 'label') throw new FakeEngineError('NOT_FOUND', `no associated image ${name}`);
    return { bytes: new Uint8Array([1, 2]), mime: 'image/png', width: 1, height: 1 };
  }

  async thumbnail(_slideId: string, _spec: ThumbnailSpec): Promise<RgbImage> {
    return { data: new Uint8Array(3), width: 1, height: 1, channels: 3 };
  }

  async readScaledRegion(): Promise<RgbImage> {
    return { data: new Uint8Array(3), width: 1, height: 1, channels: 3 };
  }

  async ensureSample(cacheDir: string): Promise<string> {
    return `${cacheDir}/sample.svs`;
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
