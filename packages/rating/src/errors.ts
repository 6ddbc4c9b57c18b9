/** A plan, meter set or usage that rating cannot price (bad input: fix the plan or the usage, never retry). */
export class RatingError extends Error {
  constructor(
    message: string,
    readonly context: {
      readonly planId?: string;
      readonly chargeId?: string;
      readonly meterId?: string;
    } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RatingError';
  }
}
