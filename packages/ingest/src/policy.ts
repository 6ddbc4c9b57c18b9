import { z } from 'zod';
import { acceptanceWindowDays, acceptanceWindowMs, defaultTerms } from './acceptance.js';
import { InvalidIngestPolicyError } from './errors.js';

const DAY_MS = 86_400_000;

/**
 * The limits ingestion enforces. Every field has a default; functions read overrides from environment
 * variables (see `policyFromEnv`).
 *
 * The acceptance window is per customer (see `AcceptanceTerms`): an event is accepted while
 * `now - time <= periodDays + lateAcceptanceDays + 1` days, with the longest billing period of the customer's
 * subscriptions and the `lateAcceptanceDays` of their plans. `maxPeriodDays` and `lateAcceptanceDays` here
 * are only the default for a customer without subscriptions (31 + 35 + 1 = 67 days).
 */
export const IngestPolicySchema = z.object({
  /** Default late acceptance for a customer without subscriptions; 35 is the PlanTermsSchema default. */
  lateAcceptanceDays: z.int().min(0).max(3650).default(35),
  /** Default longest billing period for a customer without subscriptions (a month: 31). */
  maxPeriodDays: z.int().min(1).max(366).default(31),
  /** Device clocks drift: an event this far ahead of `now` is still accepted. */
  maxFutureSeconds: z.int().min(0).max(86_400).default(900),
  /** Bytes of one event's JSON; larger events are quarantined as `oversize`. */
  maxEventBytes: z.int().min(256).max(350_000).default(32_768),
  /** Events in one message (a producer's array); a larger array is quarantined whole as `oversize`. */
  maxEventsPerMessage: z.int().min(1).max(10_000).default(1000),
  /** Magnitude above which a measured value is taken for a producer bug (`invalid-quantity`). */
  maxQuantity: z.number().positive().default(1e15),
  /**
   * Days a stored event is kept at least (DynamoDB TTL); must exceed the default acceptance window. No
   * acceptance window is longer than this less a day (`withinRetention`), so the dedupe window always covers
   * the acceptance window.
   */
  retentionDays: z.int().min(1).max(3650).default(400),
});
export type IngestPolicy = z.infer<typeof IngestPolicySchema>;
export type IngestPolicyInput = z.input<typeof IngestPolicySchema>;

/** Validates a policy; the retention must cover the acceptance window, or a redelivery could double count. */
export function ingestPolicy(input: IngestPolicyInput = {}): IngestPolicy {
  const parsed = IngestPolicySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidIngestPolicyError(issue.path.join('.') || '(root)', issue.message);
  }
  const p = parsed.data;
  if (p.retentionDays * DAY_MS <= acceptanceWindowMs(defaultTerms(p))) {
    throw new InvalidIngestPolicyError(
      'retentionDays',
      `${p.retentionDays} days must exceed the default acceptance window of ${acceptanceWindowDays(defaultTerms(p))} days, ` +
        'otherwise an event could expire while a redelivery of it is still accepted',
    );
  }
  return p;
}

const ENV: Record<keyof IngestPolicy, string> = {
  lateAcceptanceDays: 'TALLY_LATE_ACCEPTANCE_DAYS',
  maxPeriodDays: 'TALLY_MAX_PERIOD_DAYS',
  maxFutureSeconds: 'TALLY_MAX_FUTURE_SECONDS',
  maxEventBytes: 'TALLY_MAX_EVENT_BYTES',
  maxEventsPerMessage: 'TALLY_MAX_EVENTS_PER_MESSAGE',
  maxQuantity: 'TALLY_MAX_QUANTITY',
  retentionDays: 'TALLY_USAGE_RETENTION_DAYS',
};

/** The policy from `TALLY_*` environment variables (numbers), defaults for the absent ones. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): IngestPolicy {
  const input: Record<string, number> = {};
  for (const [field, name] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new InvalidIngestPolicyError(field, `${name}="${raw}" is not a number`);
    input[field] = n;
  }
  return ingestPolicy(input);
}
