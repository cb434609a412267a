// Messages between the engine host (main process, CLI) and the engine worker thread.

import type { ErrorInfo } from '../../shared/errors';
import type { SlideEngineApi } from '../engine/engine-api';

export type EngineMethod = keyof SlideEngineApi;

export type HostMessage =
  | { type: 'call'; id: number; method: EngineMethod; args: unknown[] }
  | { type: 'cancel'; id: number }
  | { type: 'ping'; id: number }
  /** Leave between two tasks (see engine/thread-exit). */
  | { type: 'exit' };

export type WorkerMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ErrorInfo }
  | { type: 'pong'; id: number; rssBytes: number }
  /** Once, when the worker has warmed up (its JPEG 2000 threads started and OpenJPEG optimised). */
  | { type: 'ready'; rssBytes: number };

/** Methods whose last argument is an AbortSignal: the host turns it into a cancel message. */
export const CANCELLABLE: ReadonlySet<EngineMethod> = new Set<EngineMethod>(['getTile', 'readRegion', 'thumbnail', 'readScaledRegion']);

/** What a worker is told at start: which lane it is (see tileLane), of how many. */
export interface LaneData {
  lane: number;
  lanes: number;
  /** OpenJPEG compiled once for the process, so that all lanes share its optimised code (compileOpenJpeg). */
  openJpeg?: WebAssembly.Module;
}
