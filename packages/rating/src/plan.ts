import { dimensionPaths, type Meter, MeterSchema } from '@tally/metering';
import { CurrencyCodeSchema, DecimalStringSchema } from '@tally/money';
import { z } from 'zod';
import { ChargeSchema } from './charge.js';
import { IdSchema } from './schema-parts.js';

/**
 * An itemized appendix in the invoice PDF, read from one meter's usage of the invoice period. Calls need a
 * meter whose records are calls (value = seconds, dimension `destination`, as the `call` model reads them);
 * intervals print each reading as [time, time + intervalMinutes).
 *
 * @example { "type": "calls", "meterId": "calls" }
 */
export const AppendixSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('calls'), meterId: z.string().min(1) }),
  z.object({
    type: z.literal('intervals'),
    meterId: z.string().min(1),
    intervalMinutes: z.int().min(1).max(1440).default(15),
  }),
]);
export type AppendixSpec = z.infer<typeof AppendixSpecSchema>;

/** Commercial terms of a plan, read by billing. Every field has a default. */
export const PlanTermsSchema = z.object({
  /** Billing period length. */
  interval: z.enum(['week', 'month', 'quarter', 'year']).default('month').describe('billing period length'),
  /** Fixed fees billed at the start of the period they cover, or at its end. */
  fixedFeeTiming: z
    .enum(['advance', 'arrears'])
    .default('advance')
    .describe('fixed fees billed at the start of the period they cover, or at its end'),
  /** How fixed fees are prorated for a partial period. */
  proration: z
    .enum(['by-day', 'by-second', 'none'])
    .default('by-day')
    .describe('how fixed fees are prorated for a partial period'),
  /** Minimum spend per full period, trued up at invoice level, decimal string. */
  minimumCommitment: DecimalStringSchema.optional().describe(
    'minimum spend per full period, trued up on the invoice',
  ),
  /** Hours after the period end before a draft invoice is finalized. */
  draftGraceHours: z
    .int()
    .min(0)
    .default(6)
    .describe('hours after the period end before a draft is finalized'),
  /** Days after a period's end during which a late event for it is still billed, as an adjustment. */
  lateAcceptanceDays: z
    .int()
    .min(0)
    .default(35)
    .describe('days after a period end during which late events are still billed, as an adjustment'),
  /** Rounding of each line to the currency's minor unit. */
  rounding: z
    .enum(['half-up', 'half-even'])
    .default('half-up')
    .describe('rounding of each line to the currency minor unit'),
  /** Overrides the customer's payment terms (net days). */
  paymentTermsDays: z.int().min(0).optional().describe("overrides the customer's payment terms (net days)"),
  /** An itemized appendix (call records or interval readings of a meter) in the invoice PDF. */
  appendix: AppendixSpecSchema.optional().describe(
    'an itemized appendix (call records or interval readings of a meter) in the invoice PDF',
  ),
});
export type PlanTerms = z.infer<typeof PlanTermsSchema>;

/**
 * A versioned price plan. Plans are immutable once used: a change is a new `version` from a new
 * `effectiveFrom`. `meters` optionally carries the meters the charges read, so a plan file is
 * self-contained for `tally quote`; in the pipeline meters come from the meter registry.
 *
 * @example
 * PlanSchema.parse({ id: 'iot-basic', version: 1, name: 'IoT basic', currency: 'EUR',
 *   effectiveFrom: '2026-01-01T00:00:00Z', charges: [{ type: 'flat', id: 'base', amount: '9.00' }] });
 */
export const PlanSchema = z
  .object({
    id: IdSchema.describe('plan id; with version, identifies an immutable plan version'),
    version: z
      .int()
      .min(1)
      .describe('plan version, from 1; a used version never changes, a change is a new version'),
    name: z.string().min(1),
    currency: CurrencyCodeSchema.describe('ISO 4217 code of every amount in the plan'),
    effectiveFrom: z
      .union([z.iso.datetime({ offset: true }), z.iso.date()])
      .describe('when this version takes effect (ISO date or date-time)'),
    description: z.string().optional(),
    terms: PlanTermsSchema.prefault({}).describe(
      'commercial terms read by billing; every field has a default',
    ),
    charges: z
      .array(ChargeSchema)
      .min(1, 'a plan needs at least one charge')
      .describe('the charges, each priced by the model its type names'),
    meters: z
      .array(MeterSchema)
      .optional()
      .describe('meters the charges read, making the file self-contained for tally quote'),
  })
  .superRefine((plan, ctx) => {
    const seen = new Set<string>();
    plan.charges.forEach((c, i) => {
      if (seen.has(c.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['charges', i, 'id'],
          message: `duplicate charge id "${c.id}"`,
        });
      }
      seen.add(c.id);
    });
    if (plan.meters === undefined) return;
    const meters = new Map(plan.meters.map((m) => [m.id, m]));
    plan.charges.forEach((c, i) => {
      if (!('meterId' in c)) return;
      const meter = meters.get(c.meterId);
      if (meter === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['charges', i, 'meterId'],
          message: `unknown meter "${c.meterId}": the plan's meters are ${[...meters.keys()].join(', ') || '(none)'}`,
        });
        return;
      }
      // A charge can only group by dimensions its meter copies onto the records.
      const carried = new Set(dimensionPaths(meter).map(([name]) => name));
      c.groupBy?.forEach((name, j) => {
        if (!carried.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['charges', i, 'groupBy', j],
            message: `meter ${meter.id} does not carry dimension "${name}": add it to the meter's groupBy or dimensions (it has ${[...carried].join(', ') || 'none'})`,
          });
        }
      });
    });
  })
  .describe('tally price plan (versioned): currency, terms and charges');

export type Plan = z.infer<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

/** JSON Schema (draft 2020-12) of a plan file, for plan authors and editors. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PlanSchema, { io: 'input' }) as Record<string, unknown>;
}

/** The plan's meters by id, for {@link rate}. */
export function metersOf(plan: Plan): Record<string, Meter> {
  return Object.fromEntries((plan.meters ?? []).map((m) => [m.id, m]));
}

/** The ids of the meters the plan's charges read, each once, in charge order. */
export function chargedMeterIds(plan: Plan): string[] {
  return [...new Set(plan.charges.flatMap((c) => ('meterId' in c ? [c.meterId] : [])))];
}

/**
 * The meters the plans read, by id: the meters they embed ({@link metersOf}), then, for each meter a charge
 * reads that none of them embeds, `lookup(id)` (the meter registry: plans stored in the pipeline embed
 * none), one at a time in charge order.
 */
export async function planMeters(
  plans: readonly Plan[],
  lookup: (id: string) => Promise<Meter>,
): Promise<Record<string, Meter>> {
  const meters: Record<string, Meter> = {};
  for (const plan of plans) Object.assign(meters, metersOf(plan));
  for (const id of new Set(plans.flatMap(chargedMeterIds))) meters[id] ??= await lookup(id);
  return meters;
}
