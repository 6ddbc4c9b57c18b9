import { type SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';

export interface SesFailureInjection {
  /** Share of SendEmail requests (each attempt, retries included) that fail, 0 to 1. */
  readonly rate: number;
  /** Uniform [0, 1) source. Default Math.random. */
  readonly random?: () => number;
  /** Called for each failed request. */
  readonly onFailure?: () => void;
}

/**
 * An SES v2 client whose requests fail, unsent, with TooManyRequestsException (HTTP 429) at `rate`, as SES
 * answers a sender over its sending rate.
 *
 * Give it to `SesMailer` as its client: the failure then comes from inside the mailer's backoff, where a real
 * throttle appears, and the mailer retries it as it retries a real one (4 attempts); only a send throttled on
 * every attempt fails the delivery, which releases its claim and comes back through the queue. Failing
 * `sendRaw` itself would skip the mailer's retries, so every injected failure cost a receive of the delivery
 * queue and, at a rate of 0.5, one mail in 32 failed its five receives and went to the dead-letter queue.
 *
 * @example
 * const mailer = new SesMailer({ fromAddress, client: failingSesClient(createSesClient(), { rate: 0.1 }) });
 */
export function failingSesClient(
  client: Pick<SESv2Client, 'send'>,
  opts: SesFailureInjection,
): Pick<SESv2Client, 'send'> {
  const random = opts.random ?? Math.random;
  const send = async (command: unknown) => {
    if (random() < opts.rate) {
      opts.onFailure?.();
      throw new TooManyRequestsException({
        message: 'injected: maximum sending rate exceeded',
        $metadata: { httpStatusCode: 429 },
      });
    }
    return (client.send as (c: unknown) => Promise<unknown>)(command);
  };
  return { send } as Pick<SESv2Client, 'send'>;
}
