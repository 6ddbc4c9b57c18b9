import { DunningPoliciesSchema } from '@tally/dunning';
import { z } from 'zod';

/**
 * Deployment configuration, read from CDK context (`cdk.json` or `-c key=value`) and validated at synth
 * time so a typo fails `cdk synth` with the key's name instead of deploying something odd.
 */
export const TallyConfigSchema = z.object({
  /** Prefix of stack names, so several environments can share an account. */
  stackPrefix: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,30}$/, 'letters, digits and hyphens, starting with a letter')
    .default('Tally'),
  /** Days raw usage events are kept before DynamoDB TTL removes them (after invoicing and the late window). */
  usageRetentionDays: z.number().int().min(35).max(3650).default(400),
  /** Removal policy for stateful resources: `retain` in production; `destroy` for throwaway environments. */
  removal: z.enum(['retain', 'destroy']).default('retain'),
  /** How often close-periods looks for subscriptions due for billing (EventBridge Scheduler rate expression). */
  closePeriodsSchedule: z
    .string()
    .regex(/^rate\(\d+ (minutes?|hours?|days?)\)$/, 'a rate expression such as rate(1 hour)')
    .default('rate(1 hour)'),
  /** The verified SES identity invoices are sent from. */
  senderIdentity: z.string().min(3).default('billing@example.com'),
  /**
   * Dunning policies per customer segment (reminders, late fee, suspension, collections, as days after the due
   * date); validated here with the same schema the dunning functions use. Default: tally's built-in policies.
   */
  dunningPolicies: DunningPoliciesSchema.optional(),
});
export type TallyConfig = z.infer<typeof TallyConfigSchema>;

/** Reads `tally` from the context; a wrong value fails with the key path and the reason. */
export function loadConfig(raw: unknown): TallyConfig {
  const parsed = TallyConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  tally.${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid CDK context "tally":\n${issues}`);
  }
  return parsed.data;
}
