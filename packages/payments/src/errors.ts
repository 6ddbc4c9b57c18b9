/**
 * Errors of @tally/payments, classified by what the pipeline must do with them:
 * - {@link PaymentInputError}: a payment or refund that can never be applied as given (quarantine, never retry).
 * - {@link WebhookSignatureError}: a webhook whose signature is missing, malformed, stale or forged (reject, 4xx).
 * - {@link RefundError}: a refund that would reverse more than its payment holds (a conflict).
 */

/** A payment, refund or ledger input is inconsistent: never retry, fix the data. */
export class PaymentInputError extends Error {
  constructor(
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PaymentInputError';
  }
}

export type WebhookRejection = 'missing' | 'malformed' | 'stale' | 'mismatch';

/** A webhook notification failed verification; `reason` says which check failed. */
export class WebhookSignatureError extends Error {
  constructor(
    readonly reason: WebhookRejection,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`webhook signature rejected (${reason}): ${message}`, options);
    this.name = 'WebhookSignatureError';
  }
}

/** A refund asks for more than can be reversed, or names a payment that was never applied. */
export class RefundError extends Error {
  constructor(
    readonly refundId: string,
    readonly paymentId: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`refund ${refundId} of payment ${paymentId}: ${message}`, options);
    this.name = 'RefundError';
  }
}
