import type { Meter, UsageEvent } from '@tally/metering';
import { type AcceptanceTerms, checkLateness, defaultTerms, withinRetention } from './acceptance.js';
import type { Producer } from './catalog.js';
import { checkMeters } from './classify.js';
import type { InputUnit } from './decode.js';
import { withHttpQuarantineIds } from './http-quarantine-id.js';
import type { IngestPolicy } from './policy.js';
import type { QuarantineEntry } from './ports.js';
import { quarantineEntry } from './quarantine-entry.js';
import type { Rejection } from './reasons.js';
import { resolveCustomer, type SubjectLookup } from './resolve.js';
import { validateEvent } from './validate.js';

export interface AdmitResult {
  readonly index: number;
  readonly status: 'accepted' | 'rejected';
  readonly source?: string;
  readonly id?: string;
  /** What the producer is told (`forbidden` for a subject it may not report for, whatever the cause). */
  readonly reason?: string;
  readonly message?: string;
  /** The event to enqueue, when accepted. */
  readonly event?: UsageEvent;
  /**
   * When rejected: the input kept whole for quarantine. Its reason and message may say more than the answer
   * (why a subject is not the producer's), which is for operators only.
   */
  readonly quarantine?: QuarantineEntry;
}

export interface AdmitContext {
  readonly producer: Producer;
  readonly lookup: SubjectLookup;
  readonly meters: ReadonlyMap<string, readonly Meter[]>;
  /** Acceptance terms of the producer's customers that have subscriptions (others: the policy default). */
  readonly terms: ReadonlyMap<string, AcceptanceTerms>;
  readonly now: Date;
  readonly policy: IngestPolicy;
}

/**
 * Decides, per event of an HTTP request, whether the producer may report it, with the same checks as the
 * ingest function so the answer is precise: the subject must be a customer the producer's key is bound to
 * (directly, or a device assigned to one at the event's time), checked first so a producer never learns
 * anything about other tenants' subjects; then the schema, the time (not ahead, not older than the
 * customer's acceptance window), the customer and the meters. Accepted events go to the queue and through
 * the full ingest path (dedupe, conflicts); every refused one carries its quarantine entry, whose id a
 * retried request reproduces (`withHttpQuarantineIds`).
 *
 * @example
 * const results = admitEvents(decodeMessage({ messageId: requestId, body }, policy),
 *   { producer, lookup, meters, terms, now, policy });
 */
export function admitEvents(units: readonly InputUnit[], ctx: AdmitContext): AdmitResult[] {
  const allowed = new Set(ctx.producer.customerIds);
  const at = { receivedAt: ctx.now.toISOString(), quarantinedAt: ctx.now.toISOString() };
  const producerId = ctx.producer.id;
  const fallback = defaultTerms(ctx.policy);

  const reject = (
    u: InputUnit,
    rejection: Rejection,
    known: { event?: UsageEvent; customerId?: string } = {},
  ): AdmitResult => {
    const quarantine = quarantineEntry(u, rejection, at, { ...known, producerId });
    return {
      index: u.index,
      status: 'rejected',
      ...idOf(quarantine),
      reason: rejection.reason,
      message: rejection.message,
      quarantine,
    };
  };
  /** The producer is told only that it may not report for the subject; the entry says why. */
  const forbid = (u: InputUnit, subject: string, why: string, event?: UsageEvent): AdmitResult => {
    const ids = event ?? (u.json as { source?: unknown; id?: unknown });
    const who =
      typeof ids.source === 'string' && typeof ids.id === 'string'
        ? `event ${ids.source}#${ids.id}`
        : `event ${u.messageId}[${u.index}]`;
    const answer = `${who}: producer ${producerId} may not report for subject "${subject}"`;
    const r = reject(
      u,
      { reason: 'forbidden', path: 'subject', message: `${answer}: ${why}` },
      event ? { event } : {},
    );
    return { ...r, message: answer };
  };

  const results = units.map((u): AdmitResult => {
    if (u.rejection) return reject(u, u.rejection);
    const subject = subjectOf(u.json);
    if (subject !== undefined) {
      const why = notOwned(subject, allowed, ctx.lookup);
      if (why !== undefined) return forbid(u, subject, why);
    }
    const v = validateEvent(u.json, ctx.now, ctx.policy);
    if ('rejection' in v) return reject(u, v.rejection);
    const { event } = v;
    const r = resolveCustomer(event, ctx.lookup);
    if ('rejection' in r) return reject(u, r.rejection, { event });
    const customerId = r.customer.id;
    if (!allowed.has(customerId)) {
      return forbid(
        u,
        event.subject,
        `the device is assigned to customer ${customerId} at ${event.time}`,
        event,
      );
    }
    const bad =
      checkLateness(
        event,
        ctx.now,
        withinRetention(ctx.terms.get(customerId) ?? fallback, ctx.policy.retentionDays),
      ) ?? checkMeters(event, ctx.meters.get(event.type) ?? [], ctx.policy);
    if (bad) return reject(u, bad, { event, customerId });
    return { index: u.index, status: 'accepted', source: event.source, id: event.id, event };
  });
  // Request ids differ per try: quarantine ids from the producer and the input, so a retry overwrites its own.
  return withHttpQuarantineIds(producerId, results);
}

/**
 * Why a subject is not the producer's, or undefined when it is: a customer it is bound to (existing or not
 * yet), or a device ever assigned to one (the event's time decides later).
 */
function notOwned(subject: string, allowed: ReadonlySet<string>, lookup: SubjectLookup): string | undefined {
  if (allowed.has(subject)) return undefined;
  const device = lookup.devices.get(subject);
  if (device !== undefined) {
    if (device.assignments.some((a) => allowed.has(a.customerId))) return undefined;
    return `device of customers ${[...new Set(device.assignments.map((a) => a.customerId))].join(', ')}`;
  }
  if (lookup.customers.has(subject)) return 'a customer the key is not bound to';
  return 'neither a known customer nor a registered device';
}

function subjectOf(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const s = (json as Record<string, unknown>).subject;
  return typeof s === 'string' && s.length > 0 ? s : undefined;
}

function idOf(entry: QuarantineEntry): { source?: string; id?: string } {
  return {
    ...(entry.source !== undefined ? { source: entry.source } : {}),
    ...(entry.eventId !== undefined ? { id: entry.eventId } : {}),
  };
}
