// What the main process's unit tests use for the engine process (EngineAccess): an in-memory one.
// Paths under /missing fail with NOT_FOUND, *.txt with NOT_A_SLIDE, a folder named "several" with
// SEVERAL_SLIDES (a.dcm and b.dcm in it); opening can be held open.

import type { IpcHandlerDeps } from '../../electron/main/ipc-handlers';
import { fail, ok, type Result } from '../../shared/errors';
import type { EngineOperation, OpenedSlide, RequestInput, ResponseOf } from '../../shared/operations';
import type { SlideInfo } from '../../shared/slide';

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
    iccProfile: null,
    warnings: [],
  };
}

type EngineAccess = IpcHandlerDeps['engine'];

export class FakeEngine implements EngineAccess {
  /** Open slides: id -> the window (client) that may read it. */
  readonly slides = new Map<string, number>();
  readonly closed: string[] = [];
  /** Every call of an engine operation, in order. */
  readonly calls: Array<{ op: EngineOperation; request: unknown }> = [];
  /** When set, open waits for this promise before answering. */
  openGate: Promise<void> | null = null;
  /** Answers for engine operations other than open and close (the exporter's writes, the sample). */
  answer: (op: EngineOperation, request: unknown) => Promise<Result<unknown>> = async (op, request) =>
    op === 'engine:ensure-sample' ? ok(`${(request as { dir: string }).dir}/sample.svs`) : fail('INTERNAL', `${op} is not faked`);
  private next = 1;

  async open(path: string, client: number): Promise<Result<OpenedSlide>> {
    if (this.openGate) await this.openGate;
    if (path.startsWith('/missing')) return fail('NOT_FOUND', `no such file: ${path}`, path);
    if (path.endsWith('.txt')) return fail('NOT_A_SLIDE', 'not a slide', path);
    if (path.endsWith('/several')) {
      const choices = ['a', 'b'].map((n) => ({ path: `${path}/${n}.dcm`, name: `slide ${n}` }));
      return { ok: false, error: { code: 'SEVERAL_SLIDES', message: 'The folder holds 2 DICOM slides.', path, choices } };
    }
    const slideId = `s${this.next++}`;
    this.slides.set(slideId, client);
    return ok({ slideId, info: fakeInfo(path) });
  }

  async close(slideId: string): Promise<Result<void>> {
    if (!this.slides.delete(slideId)) return fail('NOT_OPEN', `unknown slide ${slideId}`);
    this.closed.push(slideId);
    return ok(undefined);
  }

  async call<O extends EngineOperation>(op: O, request: RequestInput<O>): Promise<Result<ResponseOf<O>>> {
    this.calls.push({ op, request });
    return (await this.answer(op, request)) as Result<ResponseOf<O>>;
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
