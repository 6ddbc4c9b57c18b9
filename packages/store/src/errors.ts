/** A required environment variable is missing (a deployment or local-stack wiring error). */
export class MissingConfigurationError extends Error {
  constructor(
    readonly variable: string,
    what: string,
    options?: ErrorOptions,
  ) {
    super(`environment variable ${variable} is not set: it must hold ${what}`, options);
    this.name = 'MissingConfigurationError';
  }
}

/** A conditional write lost: the item exists already, or its version moved on. Not retryable as is. */
export class ConflictError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${entity} ${key}: ${message}`, options);
    this.name = 'ConflictError';
  }
}

/** An item that must exist does not. */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`${entity} ${key} not found`, options);
    this.name = 'NotFoundError';
  }
}

/** DynamoDB throttled or timed out after the SDK's own retries: the caller should retry later. */
export class RetryableStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RetryableStoreError';
  }
}

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** True for DynamoDB errors worth retrying (throttling, 5xx, timeouts). */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return (
    err instanceof RetryableStoreError ||
    RETRYABLE.has(e?.name ?? '') ||
    Boolean(e?.$retryable) ||
    (e?.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** True when a conditional write or update failed its condition. */
export function isConditionFailed(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}
