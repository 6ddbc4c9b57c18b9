/** Bad input or usage: the user must fix a file or an option (exit code 2). */
export class InputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** Exit codes of the tally CLI. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;
