import { DunningPoliciesSchema } from '@tally/dunning';
import { DUE_SHARDS } from '@tally/store';
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
  /**
   * AWS region and account to deploy to. Default: the CLI's (`CDK_DEFAULT_REGION`/`CDK_DEFAULT_ACCOUNT`, from
   * the profile), which leaves the stacks environment-agnostic when neither is known (offline synth).
   */
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'an AWS region code such as eu-central-1')
    .optional(),
  account: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit AWS account id')
    .optional(),
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
  /**
   * Partitions of the "due for billing" index (gsi1 `BILLDUE#<shard>`): close-periods queries each one, and a
   * subscription's shard is a byte of its id's hash modulo this count, so at most 256. Raise it when month-end
   * closes throttle on the index (about 1,000 writes/s per partition). Only raise it on a running deployment:
   * a subscription keeps its old shard until its cycle next moves, and a lower count would leave subscriptions
   * in shards close-periods no longer reads. Default 4 (the store's DUE_SHARDS).
   */
  dueShards: z
    .number()
    .int('a whole number')
    .min(1, 'at least 1')
    .max(256, 'at most 256: the shard is one byte of the subscription id hash')
    .default(DUE_SHARDS),
  /**
   * Encryption at rest of the tables and queues: `aws-managed` keys (DynamoDB's `aws/dynamodb`, SQS-managed
   * SSE), or `customer-managed`: one KMS key of this deployment (rotation on, alias `alias/<stackPrefix>-data`,
   * removed with `removal`), whose use every function is granted for exactly the tables and queues it touches.
   */
  encryption: z.enum(['aws-managed', 'customer-managed']).default('aws-managed'),
});
export type TallyConfig = z.infer<typeof TallyConfigSchema>;

/**
 * Reads `tally` from the context; a wrong value fails with the key path and the reason. The context holds an
 * object when it comes from cdk.json, and a string when it comes from the command line
 * (`-c tally='{"encryption":"customer-managed"}'`), which is parsed as JSON.
 */
export function loadConfig(raw: unknown): TallyConfig {
  let value = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (cause) {
      throw new Error(`invalid CDK context "tally": not a JSON object: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
  const parsed = TallyConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `  ${['tally', ...i.path.map(String)].join('.')}: ${i.message}`)
      .join('\n');
    throw new Error(`invalid CDK context "tally":\n${issues}`);
  }
  return parsed.data;
}
