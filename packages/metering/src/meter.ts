import { DecimalStringSchema } from '@tally/money';
import { z } from 'zod';

/** A decimal string greater than zero. */
export const PositiveDecimalStringSchema = DecimalStringSchema.refine(
  (s) => !s.startsWith('-') && /[1-9]/.test(s),
  {
    message: 'must be greater than zero',
  },
);

export const AggregationSchema = z.enum([
  'count',
  'sum',
  'min',
  'max',
  'average',
  'unique',
  'latest',
  'time-weighted-sum',
  'time-weighted-average',
  'register-delta',
]);
export type Aggregation = z.infer<typeof AggregationSchema>;

/** A dot path into the event's `data`, e.g. `usage.bytes`. */
const DataPathSchema = z
  .string()
  .regex(/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/, 'must be a dot path into data such as "usage.bytes"');

export const MeterSchema = z
  .object({
    /** Unique meter id, referenced by plan charges. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be lower-case letters, digits, "_", "." or "-"'),
    name: z.string().optional(),
    /** The CloudEvents `type` this meter reads. */
    eventType: z.string().min(1),
    /** Path of the measured value in `data`; absent only for `count`. */
    valuePath: DataPathSchema.optional(),
    /** Unit of the (converted) value, e.g. "kWh", "GB", "s". */
    unit: z.string().optional(),
    /** value × factor, e.g. bytes → GB with "0.000000001". A bare decimal string is read as the factor. */
    conversion: z
      .union([PositiveDecimalStringSchema, z.object({ factor: PositiveDecimalStringSchema })])
      .transform((c) => (typeof c === 'string' ? { factor: c } : c))
      .optional(),
    /**
     * How records become the period's quantity. `time-weighted-sum` is level × seconds ÷ period seconds (10 GB
     * held half the month is 5 GB-months); `time-weighted-average` is level × seconds ÷ seconds the level was
     * known. When a plan change or a trial end cuts a billing period, each part's quantity is its share of
     * the period's value (its level × seconds ÷ the whole period's seconds, resp. ÷ the seconds known in the
     * whole period), so the parts add up to the period's value and each part is priced by its plan version:
     * see `aggregate`'s `whole`.
     */
    aggregation: AggregationSchema,
    /** Dimensions the aggregate is split by: names from `dimensions`, or dot paths into data. */
    groupBy: z.array(z.string().min(1)).optional(),
    /** Extra dimensions copied onto each record (name → path into data), e.g. `{ destination: "called" }`. */
    dimensions: z.record(z.string().min(1), DataPathSchema).optional(),
    /** Path of a price carried on the event, for dynamic pricing. */
    pricePath: DataPathSchema.optional(),
    /** Rounding of the aggregate: `places` decimals, `mode` up/down/half-up (default half-up). */
    rounding: z
      .object({
        places: z.int().min(0).max(20),
        mode: z.enum(['up', 'down', 'half-up', 'half-even']).default('half-up'),
      })
      .optional(),
    /**
     * Cumulative register settings (`register-delta`): `max` is the value at which the register rolls over
     * to zero (100000 for a five-digit register); `multiplier` scales the difference of reads (a current
     * transformer ratio). Reads carry `estimated` and `reset` flags at `estimatedPath` / `resetPath`.
     */
    register: z
      .object({
        max: PositiveDecimalStringSchema.optional(),
        multiplier: PositiveDecimalStringSchema.default('1'),
        estimatedPath: DataPathSchema.default('estimated'),
        resetPath: DataPathSchema.default('reset'),
      })
      .optional(),
    /**
     * Time-weighted settings: `input` says whether each event carries the new level (`absolute`) or a change
     * of level (`delta`); `initial` is the level before the first event when no earlier event is given.
     */
    timeWeighted: z
      .object({
        input: z.enum(['absolute', 'delta']).default('absolute'),
        initial: DecimalStringSchema.optional(),
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (m.aggregation !== 'count' && m.valuePath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['valuePath'],
        message: `is required for aggregation "${m.aggregation}" (only "count" reads no value)`,
      });
    }
    if (m.register !== undefined && m.aggregation !== 'register-delta') {
      ctx.addIssue({ code: 'custom', path: ['register'], message: 'is only valid with "register-delta"' });
    }
  })
  .describe('tally meter: which events to read, which value, how to aggregate and group');

export type Meter = z.infer<typeof MeterSchema>;
export type MeterInput = z.input<typeof MeterSchema>;

/** JSON Schema of a meter definition. */
export function meterJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(MeterSchema, { io: 'input' }) as Record<string, unknown>;
}
