/** A handler worker thread failed outside an invocation (it crashed, exited or could not start). */
export class HandlerWorkerError extends Error {
  constructor(
    /** The worker's index in the pool. */
    readonly worker: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`local pipeline: handler worker ${worker} ${message}`, options);
    this.name = 'HandlerWorkerError';
  }
}

/** Options of `startLocalPipeline` that cannot be run together or are out of range. */
export class PipelineOptionsError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`startLocalPipeline: ${option}: ${message}`);
    this.name = 'PipelineOptionsError';
  }
}
