import type { Meter, UsageEvent } from '@tally/metering';
import type { Producer } from './catalog.js';
import { checkMeters } from './classify.js';
import type { InputUnit } from './decode.js';
import type { IngestPolicy } from './policy.js';
import { resolveCustomer, type SubjectLookup } from './resolve.js';
import { validateEvent } from './validate.js';

export interface AdmitResult {
  readonly index: number;
  readonly status: 'accepted' | 'rejected';
  readonly source?: string;
  readonly id?: string;
  readonly reason?: string;
  readonly message?: string;
  /** The event to enqueue, when accepted. */
  readonly event?: UsageEvent;
}

/**
 * Decides, per event of an HTTP request, whether the producer may report it: the event must be valid, its
 * subject must resolve to a customer the producer's key is bound to (a producer can never report usage for
 * another tenant's customers), and a meter must read it. Accepted events go to the queue and through the full
 * ingest path (dedupe, conflicts); refused ones are answered to the producer, who holds the input.
 */
export function admitEvents(
  units: readonly InputUnit[],
  ctx: {
    readonly producer: Producer;
    readonly lookup: SubjectLookup;
    readonly meters: ReadonlyMap<string, readonly Meter[]>;
    readonly now: Date;
    readonly policy: IngestPolicy;
  },
): AdmitResult[] {
  const allowed = new Set(ctx.producer.customerIds);
  return units.map((u): AdmitResult => {
    if (u.rejection) return { index: u.index, status: 'rejected', ...u.rejection };
    const v = validateEvent(u.json, ctx.now, ctx.policy);
    if ('rejection' in v) return { index: u.index, status: 'rejected', ...idOf(u.json), ...v.rejection };
    const { event } = v;
    const ids = { source: event.source, id: event.id };
    const r = resolveCustomer(event, ctx.lookup);
    if ('rejection' in r || !allowed.has(r.customer.id)) {
      // The same answer for "unknown" and "not yours": a producer learns nothing about other tenants.
      return {
        index: u.index,
        status: 'rejected',
        ...ids,
        reason: 'forbidden',
        message: `event ${event.source}#${event.id}: producer ${ctx.producer.id} may not report for subject "${event.subject}"`,
      };
    }
    const bad = checkMeters(event, ctx.meters.get(event.type) ?? [], ctx.policy);
    if (bad) return { index: u.index, status: 'rejected', ...ids, ...bad };
    return { index: u.index, status: 'accepted', ...ids, event };
  });
}

function idOf(json: unknown): { source?: string; id?: string } {
  if (json === null || typeof json !== 'object') return {};
  const o = json as Record<string, unknown>;
  return {
    ...(typeof o.source === 'string' ? { source: o.source } : {}),
    ...(typeof o.id === 'string' ? { id: o.id } : {}),
  };
}
