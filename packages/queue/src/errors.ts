/** Why one message did not reach the queue. */
export interface FailedMessage {
  /** Its position in the bodies passed to `send`. */
  readonly index: number;
  /** The SQS error code (`InvalidMessageContents`, `InternalError`, …) or the request's error name. */
  readonly code: string;
  readonly message: string;
  /** True when SQS blamed the request (never retried); false for a fault on SQS's side (retried). */
  readonly senderFault: boolean;
  /** Requests that carried it. */
  readonly attempts: number;
}

/** How many failures the error message names; the `failures` field has them all. */
const NAMED = 5;

/**
 * Some messages are not on the queue after the sender's retries. `failures` says why for each message that was
 * tried; `unsent` lists every body index that is not on the queue, including those never tried because a
 * request failed in a way retrying cannot fix (the queue does not exist, access denied). The others were sent
 * (at least once: a retried entry may have been stored by a request whose answer was lost).
 */
export class QueueSendError extends Error {
  constructor(
    readonly queueUrl: string,
    readonly total: number,
    readonly failures: readonly FailedMessage[],
    readonly unsent: readonly number[],
    options?: ErrorOptions,
  ) {
    const named = failures
      .slice(0, NAMED)
      .map(
        (f) =>
          `#${f.index} ${f.code}: ${f.message} (${f.senderFault ? 'sender fault' : 'SQS fault'}, ${f.attempts} ${f.attempts === 1 ? 'attempt' : 'attempts'})`,
      );
    const more = failures.length > NAMED ? `; and ${failures.length - NAMED} more` : '';
    const untried = unsent.length - failures.length;
    super(
      `${unsent.length} of ${total} messages not sent to ${queueUrl}: ${named.join('; ')}${more}` +
        (untried > 0 ? `; ${untried} not tried after that` : ''),
      options,
    );
    this.name = 'QueueSendError';
  }
}

/** Sender options out of range (named in the message). */
export class QueueConfigurationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'QueueConfigurationError';
  }
}
