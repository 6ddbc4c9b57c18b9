import { RetryableStoreError } from './errors.js';

/** Attempts of a batch request before what DynamoDB still leaves unprocessed is given up. */
const ATTEMPTS = 8;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends a batch request (BatchGetItem, BatchWriteItem) until DynamoDB has processed all of it: `send` takes
 * what is still pending and returns what the answer left unprocessed. Up to 8 attempts, waiting
 * 25 ms × 2^attempt before each retry (DynamoDB leaves keys unprocessed under throttling).
 *
 * @throws RetryableStoreError naming `what` when keys are still unprocessed after the last attempt
 */
export async function untilProcessed<T>(
  what: string,
  pending: readonly T[],
  send: (pending: readonly T[]) => Promise<readonly T[] | undefined>,
): Promise<void> {
  let left: readonly T[] | undefined = pending;
  for (let attempt = 0; left && left.length > 0; attempt++) {
    if (attempt === ATTEMPTS) {
      throw new RetryableStoreError(`${what}: ${left.length} still unprocessed after ${ATTEMPTS} attempts`);
    }
    if (attempt > 0) await sleep(25 * 2 ** attempt);
    left = await send(left);
  }
}
