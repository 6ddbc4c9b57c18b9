/** An ingest policy value out of range (a deployment error: the function must not start with it). */
export class InvalidIngestPolicyError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`ingest policy ${field}: ${message}`, options);
    this.name = 'InvalidIngestPolicyError';
  }
}

/** A quarantined input cannot be replayed (not found, or already replayed without `force`). */
export class ReplayError extends Error {
  constructor(
    readonly quarantineId: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`quarantine ${quarantineId}: ${message}`, options);
    this.name = 'ReplayError';
  }
}
