import { DecimalStringSchema } from '@tally/money';
import { z } from 'zod';
import { InstantSchema, ms } from './time.js';

export const BillingIntervalSchema = z.enum(['week', 'month', 'quarter', 'year']);
export type BillingInterval = z.infer<typeof BillingIntervalSchema>;

/**
 * - `calendar`: periods follow the customer's calendar (ISO weeks from Monday, months from the 1st, quarters from
 *   Jan/Apr/Jul/Oct 1st, years from Jan 1st, all at local midnight); a start inside a period makes a short first period.
 * - `anniversary`: periods start at the subscription's local start date and wall-clock time, repeated every
 *   interval; an anniversary on the 29th–31st falls on the last day of shorter months and returns to the
 *   original day in longer months (Jan 31 → Feb 28/29 → Mar 31).
 */
export const AlignmentSchema = z.enum(['calendar', 'anniversary']);
export type Alignment = z.infer<typeof AlignmentSchema>;

/**
 * One stretch of a subscription on one plan version and quantity. A plan change (upgrade, downgrade,
 * quantity change) is a new phase starting at the instant of the change.
 */
export const SubscriptionPhaseSchema = z.object({
  from: InstantSchema,
  planId: z.string().min(1),
  planVersion: z.int().min(1),
  /** Multiplies the plan's fixed fees (seats, lines, meters); decimal string, default "1". */
  quantity: DecimalStringSchema.default('1'),
});
export type SubscriptionPhase = z.infer<typeof SubscriptionPhaseSchema>;

/**
 * A customer's subscription. Times are UTC instants; periods are computed in the customer's zone.
 * `end` is exclusive (the cancellation takes effect at that instant). During the trial, fixed fees and usage
 * are not charged.
 */
export const SubscriptionSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1–100 letters, digits, ".", "_" or "-"'),
    customerId: z.string().min(1),
    start: InstantSchema,
    end: InstantSchema.optional(),
    trialEnd: InstantSchema.optional(),
    interval: BillingIntervalSchema,
    alignment: AlignmentSchema,
    phases: z.array(SubscriptionPhaseSchema).min(1),
  })
  .superRefine((s, ctx) => {
    const first = s.phases[0];
    if (first && ms(first.from) !== ms(s.start)) {
      ctx.addIssue({
        code: 'custom',
        path: ['phases', 0, 'from'],
        message: 'the first phase must start at `start`',
      });
    }
    for (let i = 1; i < s.phases.length; i++) {
      if (ms(s.phases[i]!.from) <= ms(s.phases[i - 1]!.from)) {
        ctx.addIssue({
          code: 'custom',
          path: ['phases', i, 'from'],
          message: 'phases must be in increasing order',
        });
      }
    }
    if (s.end !== undefined) {
      if (ms(s.end) <= ms(s.start))
        ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
      const last = s.phases[s.phases.length - 1];
      if (last && ms(last.from) >= ms(s.end)) {
        ctx.addIssue({ code: 'custom', path: ['phases'], message: 'every phase must start before `end`' });
      }
    }
    if (s.trialEnd !== undefined && ms(s.trialEnd) < ms(s.start)) {
      ctx.addIssue({ code: 'custom', path: ['trialEnd'], message: 'trialEnd must not be before start' });
    }
  });
export type Subscription = z.infer<typeof SubscriptionSchema>;
export type SubscriptionInput = z.input<typeof SubscriptionSchema>;
