import { z } from 'zod';

/**
 * Why an input was quarantined. Machine-readable (metrics dimension, `tally quarantine list --reason`);
 * every quarantined input also carries a human message naming the field.
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
]);
export type QuarantineReason = z.infer<typeof QuarantineReasonSchema>;

/** Where every input ends: exactly one of these (architecture invariant 3). */
export type Outcome = 'stored' | 'duplicate' | 'quarantined';

/** A decision to quarantine, with the field path when one field is at fault. */
export interface Rejection {
  readonly reason: QuarantineReason;
  readonly message: string;
  readonly path?: string;
}
