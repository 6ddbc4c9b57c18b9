/**
 * Errors of @tally/documents. Rendering is pure, so there is one class: the input cannot be rendered (an
 * unknown currency, an invalid date, an invoice that is not finalized). Never retry: fix the data.
 */
export class DocumentInputError extends Error {
  constructor(
    message: string,
    options?: ErrorOptions & { readonly invoiceId?: string; readonly kind?: string },
  ) {
    super(message, options);
    this.name = 'DocumentInputError';
    this.invoiceId = options?.invoiceId;
    this.kind = options?.kind;
  }
  readonly invoiceId: string | undefined;
  readonly kind: string | undefined;
}
