/**
 * Errors of @tally/dunning:
 * - {@link DunningPolicyError}: a policy that cannot be followed (bad data; fix the policy, never retry).
 * - {@link DunningStateError}: a step asked out of order, e.g. step 3 while step 1 is not done (a conflict: the
 *   state machine and the ledger disagree).
 */
export class DunningPolicyError extends Error {
  constructor(
    readonly segment: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`dunning policy "${segment}": ${message}`, options);
    this.name = 'DunningPolicyError';
  }
}

export class DunningStateError extends Error {
  constructor(
    readonly invoiceId: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`dunning of invoice ${invoiceId}: ${message}`, options);
    this.name = 'DunningStateError';
  }
}
