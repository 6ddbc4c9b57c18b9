import { z } from 'zod';
import { InstantSchema } from './period.js';

/**
 * A usage event or a meter reading in the CloudEvents 1.0 structured JSON format
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md). Identity is (`source`, `id`).
 * `subject` is who used it: a customer id, or a device id that ingestion resolves to a customer.
 *
 * @example
 * UsageEventSchema.parse({ specversion: '1.0', id: 'cdr-1', source: 'urn:tally:switch:fra1',
 *   type: 'tally.call.completed', subject: 'cust_42', time: '2026-01-05T09:00:00+01:00',
 *   data: { destination: '4930123456', durationSeconds: 61 } });
 */
export const UsageEventSchema = z
  .object({
    specversion: z.literal('1.0'),
    id: z.string().min(1, 'must not be empty'),
    source: z.string().min(1, 'must not be empty'),
    type: z.string().min(1, 'must not be empty'),
    subject: z.string().min(1, 'must not be empty'),
    time: InstantSchema,
    datacontenttype: z.literal('application/json').optional(),
    dataschema: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
  })
  .describe('tally usage event: a CloudEvents 1.0 envelope whose data holds the measured values');

export type UsageEvent = z.infer<typeof UsageEventSchema>;

/** JSON Schema (draft 2020-12) of a usage event, for producers. */
export function usageEventJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(UsageEventSchema, { io: 'input' }) as Record<string, unknown>;
}
