/**
 * Errors of @tally/reports. Reports are pure computations over data already stored, so the only failure is
 * input that does not fit together (a payment in another currency than its invoice, a window that ends before
 * it starts): fix the data or the parameters, never retry.
 */
export class ReportInputError extends Error {
  constructor(
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ReportInputError';
  }
}
