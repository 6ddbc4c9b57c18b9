/**
 * Errors of @tally/billing, classified by what the pipeline must do with them:
 * - {@link BillingInputError}: the input is wrong (a bad customer, subscription or plan reference);
 *   quarantine the job, never retry it.
 * - {@link InvoiceStateError}: an invoice transition that the state machine forbids (a conflict).
 * - {@link CreditNoteError}: a credit note that would credit more than the invoice holds.
 */

/** The inputs of a billing operation are inconsistent: never retry, fix the data. */
export class BillingInputError extends Error {
  constructor(
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BillingInputError';
  }
}

/** An invoice was asked to move along a transition the state machine does not allow. */
export class InvoiceStateError extends Error {
  constructor(
    readonly invoiceId: string,
    readonly from: string,
    readonly to: string,
    options?: ErrorOptions,
  ) {
    super(
      `invoice ${invoiceId} cannot go from "${from}" to "${to}": allowed are draft → finalized, finalized → paid, finalized → void`,
      options,
    );
    this.name = 'InvoiceStateError';
  }
}

/** A credit note does not fit the invoice it reverses. */
export class CreditNoteError extends Error {
  constructor(
    message: string,
    readonly invoiceId: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CreditNoteError';
  }
}
