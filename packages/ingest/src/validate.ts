import { type UsageEvent, UsageEventSchema } from '@tally/metering';
import { fastUsageEvent } from './fast-event.js';
import type { IngestPolicy } from './policy.js';
import type { Rejection } from './reasons.js';

export type Validated = { readonly event: UsageEvent } | { readonly rejection: Rejection };

function describe(json: unknown): string {
  if (json !== null && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (typeof o.source === 'string' && typeof o.id === 'string') return `event ${o.source}#${o.id}`;
  }
  return 'event';
}

/**
 * Validates one decoded input at the edge: the CloudEvents schema, then the event time against `now` (not
 * too far in the future). Whether it is too old depends on the customer's plans: `checkLateness`, once the
 * customer is known.
 */
export function validateEvent(json: unknown, now: Date, policy: IngestPolicy): Validated {
  // The usual valid event without zod's per-field work; anything else through the schema, for its issues.
  const fast = fastUsageEvent(json);
  const parsed =
    fast !== undefined ? { success: true as const, data: fast } : UsageEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    return {
      rejection: {
        reason: 'schema',
        message: `${describe(json)}: ${path || '(root)'} ${issue.message}`,
        ...(path ? { path } : {}),
      },
    };
  }
  const event = parsed.data;
  const at = Date.parse(event.time);
  const nowMs = now.getTime();
  if (at > nowMs + policy.maxFutureSeconds * 1000) {
    return {
      rejection: {
        reason: 'future-time',
        path: 'time',
        message:
          `event ${event.source}#${event.id}: time ${event.time} is more than ${policy.maxFutureSeconds} s ` +
          `ahead of now (${now.toISOString()})`,
      },
    };
  }
  return { event };
}
