// The engine's operations answered in this process, through the same dispatch an engine lane uses
// (operationDispatch over a SlideEngine): what the main process's tests give their code in place of
// the engine process, with real pixels and files and no process to start.

import { randomUUID } from 'node:crypto';
import { SlideEngine } from '../electron/engine/engine';
import type { EngineAccess } from '../electron/main/ipc-handlers';
import type { Result } from '../shared/errors';
import { operationDispatch } from '../shared/operation-rpc';
import { type EngineOperation, LANE_OPERATIONS, type OpenedSlide, type RequestInput, type ResponseOf } from '../shared/operations';
import type { CallOptions } from '../shared/rpc';

export class InProcessEngine implements EngineAccess {
  readonly engine = new SlideEngine();
  private readonly dispatch = operationDispatch(LANE_OPERATIONS, this.engine as never, { validate: true });

  async call<O extends EngineOperation>(op: O, request: RequestInput<O>, options: CallOptions = {}): Promise<Result<ResponseOf<O>>> {
    const context = { signal: options.signal ?? new AbortController().signal, progress: (value: unknown) => options.onProgress?.(value) };
    return (await this.dispatch(op, request, context)) as Result<ResponseOf<O>>;
  }

  async open(path: string, client: number | null = null): Promise<Result<OpenedSlide>> {
    const slideId = randomUUID();
    const info = await this.call('engine:open', { slideId, path, client });
    return info.ok ? { ok: true, value: { slideId, info: info.value } } : info;
  }

  close(slideId: string): Promise<Result<void>> {
    return this.call('engine:close', { slideId });
  }

  dispose(): Promise<void> {
    return this.engine.closeAll();
  }
}
