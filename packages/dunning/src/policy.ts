import { DecimalStringSchema } from '@tally/money';
import { z } from 'zod';
import { DunningPolicyError } from './errors.js';

const afterDays = z.int().min(-60).max(365);

/**
 * One step of a dunning policy, `afterDays` days after the invoice's due date (negative: before it), at the
 * policy's local send time in the customer's zone.
 */
export const DunningStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('remind'), afterDays }),
  z.object({
    action: z.literal('late-fee'),
    afterDays,
    /** A fixed amount in the invoice currency, or a percentage of the open balance ("2" for 2 %). */
    fee: z.discriminatedUnion('type', [
      z.object({ type: z.literal('fixed'), amount: DecimalStringSchema }),
      z.object({ type: z.literal('percent'), percent: DecimalStringSchema }),
    ]),
  }),
  /** Marks the account suspended and tells provisioning (line barring, disconnection notice, device cut-off). */
  z.object({ action: z.literal('suspend'), afterDays }),
  z.object({ action: z.literal('final-notice'), afterDays }),
  /** Hands the invoice over to collections; dunning ends. */
  z.object({ action: z.literal('collections'), afterDays }),
]);
export type DunningStep = z.infer<typeof DunningStepSchema>;
export type DunningAction = DunningStep['action'];

/**
 * A dunning policy: data, one per customer segment. Steps run in order; their days never decrease, and
 * `collections`, when present, is the last step.
 */
export const DunningPolicySchema = z
  .object({
    segment: z.string().min(1),
    /** Local wall-clock time steps happen at, "HH:MM". Default 09:00. */
    sendAt: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
      .default('09:00'),
    steps: z.array(DunningStepSchema).max(20),
  })
  .superRefine((p, ctx) => {
    p.steps.forEach((s, i) => {
      const prev = p.steps[i - 1];
      if (prev && s.afterDays < prev.afterDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'afterDays'],
          message: `step ${i} (${s.action}, +${s.afterDays}d) comes before step ${i - 1} (+${prev.afterDays}d)`,
        });
      }
      if (s.action === 'collections' && i !== p.steps.length - 1) {
        ctx.addIssue({ code: 'custom', path: ['steps', i], message: 'collections must be the last step' });
      }
    });
  });
export type DunningPolicy = z.infer<typeof DunningPolicySchema>;
export type DunningPolicyInput = z.input<typeof DunningPolicySchema>;

/** The policies of all segments; `default` applies to customers of any other segment. */
export const DunningPoliciesSchema = z
  .array(DunningPolicySchema)
  .min(1)
  .superRefine((ps, ctx) => {
    const seen = new Set<string>();
    for (const p of ps) {
      if (seen.has(p.segment)) ctx.addIssue({ code: 'custom', message: `segment "${p.segment}" twice` });
      seen.add(p.segment);
    }
    if (!seen.has('default')) ctx.addIssue({ code: 'custom', message: 'a "default" policy is required' });
  });
export type DunningPolicies = z.infer<typeof DunningPoliciesSchema>;

/** The policy of a segment, or the default one. */
export function policyFor(policies: DunningPolicies, segment: string | undefined): DunningPolicy {
  const p = policies.find((x) => x.segment === segment) ?? policies.find((x) => x.segment === 'default');
  if (!p) throw new DunningPolicyError(segment ?? 'default', 'no such policy and no default');
  return p;
}

/**
 * tally's built-in policies. `default`: reminders at +3, +10, +20 days, a 2 % late fee at +10, suspension
 * at +30 with a final notice, collections at +45. `telecom` bars lines sooner; `utility` follows the longer
 * notice periods disconnection rules demand; `iot` cuts devices off after one reminder.
 */
export const DEFAULT_POLICIES: DunningPolicies = DunningPoliciesSchema.parse([
  {
    segment: 'default',
    steps: [
      { action: 'remind', afterDays: 3 },
      { action: 'remind', afterDays: 10 },
      { action: 'late-fee', afterDays: 10, fee: { type: 'percent', percent: '2' } },
      { action: 'remind', afterDays: 20 },
      { action: 'suspend', afterDays: 30 },
      { action: 'final-notice', afterDays: 30 },
      { action: 'collections', afterDays: 45 },
    ],
  },
  {
    segment: 'telecom',
    steps: [
      { action: 'remind', afterDays: 3 },
      { action: 'remind', afterDays: 10 },
      { action: 'suspend', afterDays: 14 },
      { action: 'final-notice', afterDays: 14 },
      { action: 'collections', afterDays: 30 },
    ],
  },
  {
    segment: 'utility',
    steps: [
      { action: 'remind', afterDays: 7 },
      { action: 'remind', afterDays: 21 },
      { action: 'final-notice', afterDays: 35 },
      { action: 'suspend', afterDays: 49 },
      { action: 'collections', afterDays: 60 },
    ],
  },
  {
    segment: 'iot',
    steps: [
      { action: 'remind', afterDays: 1 },
      { action: 'suspend', afterDays: 7 },
      { action: 'final-notice', afterDays: 7 },
      { action: 'collections', afterDays: 30 },
    ],
  },
]);
