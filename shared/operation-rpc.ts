// The operation table over the RPC layer: the protocol type of a set of operations, and the serving
// side's dispatch from an operation's name to the method that answers it.

import { fail, ok, type Result, toErrorInfo } from './errors';
import {
  type CancellableOperation,
  type MethodOf,
  type OperationName,
  operationSpec,
  type ProgressOf,
  type RequestInput,
  type RequestOf,
  type ResponseOf,
  validateRequest,
} from './operations';
import type { CallContext, CallOptions, Dispatch } from './rpc';

export type OperationProtocol = {
  [O in OperationName]: { request: RequestInput<O>; response: ResponseOf<O>; progress: ProgressOf<O> };
};

/** A caller's options for an operation: a signal to cancel it only where the table says it can be cancelled. */
export type OperationCallOptions<O extends OperationName> = CallOptions<ProgressOf<O>> & ([O] extends [CancellableOperation] ? unknown : { signal?: never });

/**
 * The methods that answer a set of operations, named by the table; a thrown error becomes the
 * Result's error. The context is optional so that code in the same thread can call them directly.
 */
export type OperationHandlers<N extends OperationName> = {
  [O in N as MethodOf<O>]: (request: RequestOf<O>, context?: Partial<CallContext<ProgressOf<O>>>) => Promise<ResponseOf<O>>;
};

/**
 * A dispatch for `names`, answered by `handlers`. `validate` checks each request against its schema
 * first (where requests cross from a less trusted or another process); operations outside `names`
 * are refused.
 */
export function operationDispatch<N extends OperationName>(names: readonly N[], handlers: OperationHandlers<N>, options: { validate: boolean }): Dispatch {
  const served = new Set<string>(names);
  const methods = handlers as unknown as Record<string, (request: unknown, context: CallContext) => Promise<unknown>>;
  return async (op, raw, context): Promise<Result<unknown>> => {
    if (!served.has(op)) return fail('INVALID_ARGUMENT', `${String(op).slice(0, 40)} is not an operation of this side`);
    const name = op as N;
    const request = options.validate ? validateRequest(name, raw) : ok(raw);
    if (!request.ok) return request;
    const method = methods[operationSpec(name).method];
    if (!method) return fail('INTERNAL', `${name} has no handler`);
    try {
      return ok(await method.call(handlers, request.value, context));
    } catch (error) {
      return { ok: false, error: toErrorInfo(error) };
    }
  };
}
