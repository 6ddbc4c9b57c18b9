import type { FunctionLog, FunctionName, Invoked } from './handlers.js';

/** What a handler worker is started with. */
export interface WorkerData {
  /** The test clock's shared time (`TestClock.buffer`). */
  readonly clock: SharedArrayBuffer;
}

/** An invocation, main thread → worker. */
export interface ToWorker {
  readonly id: number;
  readonly name: FunctionName;
  readonly event: unknown;
}

/** An error as it crosses threads: structured clone keeps neither a class nor, for custom errors, a name. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly value: Invoked }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'log'; readonly log: FunctionLog };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

/** The error again, with its name (Step Functions' Retry and Catch match on it) and the worker's stack. */
export function deserializeError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
