/** An ISO 4217 code that tally does not know. */
export class UnknownCurrencyError extends Error {
  constructor(
    readonly currency: string,
    options?: ErrorOptions,
  ) {
    super(
      `unknown currency "${currency}": expected an ISO 4217 alphabetic code such as USD, EUR or JPY`,
      options,
    );
    this.name = 'UnknownCurrencyError';
  }
}

/** Two amounts of different currencies were combined. */
export class CurrencyMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    options?: ErrorOptions,
  ) {
    super(`currency mismatch: expected ${expected}, got ${actual}`, options);
    this.name = 'CurrencyMismatchError';
  }
}
