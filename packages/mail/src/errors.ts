/**
 * Errors of @tally/mail, classified by what the delivery must do:
 * - {@link MailRetryableError}: SES did NOT accept the message (throttling, quota, connection refused before sending):
 *   sending again later is safe.
 * - {@link MailRejectedError}: SES will never accept this message (bad recipient, content): mark the delivery
 *   failed-permanent.
 * - {@link MailConfigurationError}: the sender identity or configuration set is wrong, or sending is paused:
 *   not the customer's fault; keep the message for a retry after the operator fixes it (it ends in the DLQ).
 * - {@link MailOutcomeUnknownError}: the request may have reached SES (timeout, 5xx, connection reset after
 *   sending): the mail may or may not be out. Never resend blindly.
 * - {@link MailInputError}: the message itself is invalid (no recipient, bad address): fix the data.
 */
export class MailRetryableError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MailRetryableError';
  }
}

export class MailRejectedError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MailRejectedError';
  }
}

export class MailConfigurationError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MailConfigurationError';
  }
}

export class MailOutcomeUnknownError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MailOutcomeUnknownError';
  }
}

export class MailInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MailInputError';
  }
}
