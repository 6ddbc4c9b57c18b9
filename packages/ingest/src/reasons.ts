import { z } from 'zod';

/**
 * Why an input was quarantined. Machine-readable (metrics dimension, `tally quarantine list --reason`);
 * every quarantined input also carries a human message naming the field.
 *
 * `forbidden` comes from the HTTP endpoint only: an authenticated producer reported for a subject its API key
 * is not bound to. Such an input is kept for audit but held, never replayed: the usage queue does not
 * authenticate producers, so a replay would bypass the check that refused it.
 */
export const QuarantineReasonSchema = z.enum([
  'malformed-json',
  'schema',
  'unknown-customer',
  'unknown-device',
  'unknown-meter',
  'invalid-quantity',
  'future-time',
  'too-late',
  'conflict',
  'oversize',
  'forbidden',
]);
export type QuarantineReason = z.infer<typeof QuarantineReasonSchema>;

/** Whether an input quarantined for this reason may be replayed after a fix (`forbidden` may not). */
export function isReplayable(reason: QuarantineReason): boolean {
  return reason !== 'forbidden';
}

/** Where every input ends: exactly one of these (architecture invariant 3). */
export type Outcome = 'stored' | 'duplicate' | 'quarantined';

/** A decision to quarantine, with the field path when one field is at fault. */
export interface Rejection {
  readonly reason: QuarantineReason;
  readonly message: string;
  readonly path?: string;
}
