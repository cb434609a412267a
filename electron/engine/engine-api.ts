// What the slide engine answers: the lane operations of the table (shared/operations.ts), each a
// method taking its request. An engine lane serves it over RPC; the tests call it in process.

import type { OperationHandlers } from '../../shared/operation-rpc';
import type { LaneOperation } from '../../shared/operations';

/** Every lane operation but the built-in sample, which the slide generator makes (the engine does not depend on it). */
export type EngineOperation = Exclude<LaneOperation, 'engine:ensure-sample'>;

export type SlideEngineApi = OperationHandlers<EngineOperation>;
