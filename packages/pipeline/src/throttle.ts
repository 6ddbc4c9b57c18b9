import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FinalizeHandler, FinalizeHandlerArguments, FinalizeHandlerOutput } from '@smithy/types';

/** The middleware's name in the client's stack (one injector per client). */
const NAME = 'tallyInjectedThrottle';

export interface ThrottleInjection {
  /** Share of requests (each attempt, retries included) that are throttled, 0 to 1. */
  readonly rate: number;
  /** Uniform [0, 1) source. Default Math.random. */
  readonly random?: () => number;
  /** Called for each throttled request. */
  readonly onThrottle?: () => void;
}

/**
 * Makes a share of a DynamoDB client's requests fail, unsent, with ProvisionedThroughputExceededException,
 * as DynamoDB answers when a table or partition is over its throughput.
 *
 * The fault is injected inside the SDK's retry loop (right after `retryMiddleware`), where a real throttle
 * appears: the client's retry strategy retries it with its throttling backoff as it retries a real one
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), and only a request throttled
 * on every attempt reaches the caller. Wrapping `send` instead would hand every throttle to the caller unretried,
 * a fault production never sees: a billing job reads a customer's month in a few hundred requests, so at a
 * rate of 0.002 about one attempt in three failed and now and then a job failed its five receives in a row.
 *
 * @example
 * const doc = createDocumentClient(); // 8 attempts
 * injectThrottling(doc, { rate: 0.002, onThrottle: () => throttles++ });
 */
export function injectThrottling(
  client: Pick<DynamoDBDocumentClient, 'middlewareStack'>,
  opts: ThrottleInjection,
): void {
  const random = opts.random ?? Math.random;
  client.middlewareStack.addRelativeTo(
    <I extends object, O extends object>(next: FinalizeHandler<I, O>) =>
      async (args: FinalizeHandlerArguments<I>): Promise<FinalizeHandlerOutput<O>> => {
        if (random() < opts.rate) {
          opts.onThrottle?.();
          throw new ProvisionedThroughputExceededException({
            message: 'injected: the level of configured provisioned throughput for the table was exceeded',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
    { name: NAME, relation: 'after', toMiddleware: 'retryMiddleware', override: true },
  );
}
