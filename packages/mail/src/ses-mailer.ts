import { SESv2Client, type SESv2ClientConfig, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  MailConfigurationError,
  MailOutcomeUnknownError,
  MailRejectedError,
  MailRetryableError,
} from './errors.js';
import { type BackoffOptions, DEFAULT_BACKOFF, withBackoff } from './retry.js';

/** Sends a raw MIME message; the port the delivery use case needs. */
export interface Mailer {
  sendRaw(raw: Buffer, opts: { readonly deliveryId: string }): Promise<{ readonly messageId: string }>;
}

export interface SesMailerOptions {
  /** The verified identity (address or domain) mail is sent from; `FromEmailAddress` for SES. */
  readonly fromAddress: string;
  /** Configuration set: event publishing (send, bounce, complaint) to SNS. Optional locally. */
  readonly configurationSet?: string;
  readonly client?: Pick<SESv2Client, 'send'>;
  readonly backoff?: BackoffOptions;
}

/** Message tag that carries the delivery id into SES events (bounce, complaint, send). */
export const DELIVERY_TAG = 'tally-delivery';

const RETRYABLE = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'Throttling',
  'ThrottlingException',
]);
const REJECTED = new Set(['MessageRejected', 'BadRequestException']);
const CONFIGURATION = new Set([
  'AccountSuspendedException',
  'SendingPausedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
]);
// Failures to connect happen before any byte of the request left: SES cannot have accepted the message.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Maps an SES v2 SendEmail failure to what the delivery must do. Anything that could have reached SES
 * (timeouts, resets, 5xx, unknown errors) is "outcome unknown": retrying it could send the mail twice.
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors
 */
export function classifySesError(err: unknown, deliveryId: string): Error {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const code = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode;
  const what = `SES SendEmail for delivery ${deliveryId} failed with ${code}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(err)}`;
  if (RETRYABLE.has(code) || status === 429) return new MailRetryableError(what, code, { cause: err });
  if (NOT_CONNECTED.has(e?.code ?? '')) return new MailRetryableError(what, e.code ?? code, { cause: err });
  if (REJECTED.has(code)) return new MailRejectedError(what, code, { cause: err });
  if (CONFIGURATION.has(code)) return new MailConfigurationError(what, code, { cause: err });
  return new MailOutcomeUnknownError(what, code, { cause: err });
}

/**
 * The SES v2 adapter: SendEmail with `Content.Raw`. The client makes ONE attempt per call (maxAttempts 1):
 * the SDK's own retries would resend after a timeout, which could deliver a mail twice. Throttling, which
 * SES answers before accepting anything, is retried here with backoff and jitter.
 *
 * @example new SesMailer({ fromAddress: 'billing@example.com', configurationSet: 'tally' }).sendRaw(raw, { deliveryId })
 */
export class SesMailer implements Mailer {
  readonly #client: Pick<SESv2Client, 'send'>;
  readonly #opts: SesMailerOptions;

  constructor(opts: SesMailerOptions) {
    this.#opts = opts;
    this.#client = opts.client ?? createSesClient();
  }

  async sendRaw(raw: Buffer, opts: { readonly deliveryId: string }): Promise<{ messageId: string }> {
    return withBackoff(
      async () => {
        try {
          const res = await this.#client.send(
            new SendEmailCommand({
              FromEmailAddress: this.#opts.fromAddress,
              Content: { Raw: { Data: new Uint8Array(raw) } },
              EmailTags: [{ Name: DELIVERY_TAG, Value: opts.deliveryId }],
              ...(this.#opts.configurationSet ? { ConfigurationSetName: this.#opts.configurationSet } : {}),
            }),
          );
          if (!res.MessageId) {
            throw new MailOutcomeUnknownError(
              `SES accepted delivery ${opts.deliveryId} without a MessageId`,
              'NoMessageId',
            );
          }
          return { messageId: res.MessageId };
        } catch (err) {
          if (err instanceof MailOutcomeUnknownError) throw err;
          throw classifySesError(err, opts.deliveryId);
        }
      },
      (err) => err instanceof MailRetryableError,
      this.#opts.backoff ?? DEFAULT_BACKOFF,
    );
  }
}

/** An SES v2 client that never retries on its own; the endpoint comes from AWS_ENDPOINT_URL_SESV2 when set. */
export function createSesClient(config: SESv2ClientConfig = {}): SESv2Client {
  const client = new SESv2Client({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
    // Middleware resolved once per command class, not per request (~100 µs of CPU a request).
    cacheMiddleware: true,
    ...config,
  });
  // Filters every request and response for sensitive fields even when nothing logs.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
