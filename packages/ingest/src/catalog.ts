import { MeterSchema } from '@tally/metering';
import { z } from 'zod';

/** Ids that become DynamoDB key segments must not contain the segment separator. */
const KeySegmentSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !s.includes('#'), { message: 'must not contain "#" (it separates key segments)' });

const InstantSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/**
 * What ingestion needs of a customer. Loose: the billing side stores its full customer record in the same
 * item, and the extra fields pass through untouched.
 */
export const CatalogCustomerSchema = z.looseObject({
  id: KeySegmentSchema,
  timeZone: z.string().min(1).default('UTC'),
  /** `closed` customers are no longer metered (their events are quarantined as `unknown-customer`). */
  status: z.enum(['active', 'suspended', 'closed']).default('active'),
});
export type CatalogCustomer = z.infer<typeof CatalogCustomerSchema>;
export type CatalogCustomerInput = z.input<typeof CatalogCustomerSchema>;

/**
 * A device in the registry and the customers it belonged to over time (a device can move between customers;
 * the event's time picks the assignment). `to` is exclusive.
 */
export const DeviceSchema = z.object({
  id: z.string().min(1),
  assignments: z
    .array(z.object({ customerId: KeySegmentSchema, from: InstantSchema, to: InstantSchema.optional() }))
    .min(1),
});
export type Device = z.infer<typeof DeviceSchema>;
export type DeviceInput = z.input<typeof DeviceSchema>;

/** A meter as ingestion reads it from the registry. */
export const CatalogMeterSchema = MeterSchema.refine((m) => !m.eventType.includes('#'), {
  path: ['eventType'],
  message: 'must not contain "#" (it separates key segments)',
});

/** An HTTP producer: who may report usage, and for which customers. The key itself is never stored. */
export const ProducerSchema = z.object({
  id: z.string().min(1),
  /** sha256 of the API key, lower-case hex. */
  keyHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  /** Customers this producer may report for; devices resolve to a customer first. */
  customerIds: z.array(z.string().min(1)).min(1),
  status: z.enum(['active', 'revoked']).default('active'),
});
export type Producer = z.infer<typeof ProducerSchema>;
export type ProducerInput = z.input<typeof ProducerSchema>;
