/** Errors of @tally/workflow (the Step Functions, EventBridge and delivery adapters). */

/** A publish or start call was refused by the service (not retryable as is). */
export class WorkflowAdapterError extends Error {
  constructor(
    readonly service: 'sfn' | 'eventbridge' | 'sqs',
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${service}: ${message}`, options);
    this.name = 'WorkflowAdapterError';
  }
}
