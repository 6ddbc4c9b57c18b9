/**
 * An input that can never be metered as it is (quarantine it, never retry): a missing or malformed value,
 * an event of the wrong type, a register read that goes backwards without a rollover or reset.
 */
export class InvalidUsageError extends Error {
  constructor(
    message: string,
    readonly context: { readonly meterId?: string; readonly recordId?: string; readonly path?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InvalidUsageError';
  }
}
