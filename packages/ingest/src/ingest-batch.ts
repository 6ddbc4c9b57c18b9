import type { UsageEvent } from '@tally/metering';
import {
  type AcceptanceTerms,
  acceptanceWindowMs,
  checkLateness,
  defaultTerms,
  withinRetention,
} from './acceptance.js';
import type { CatalogCustomer } from './catalog.js';
import { checkMeters } from './classify.js';
import { decodeMessage, type InputMessage, type InputUnit, unitId } from './decode.js';
import { hashPayload, identityKey, utcDay } from './identity.js';
import type { IngestPolicy } from './policy.js';
import type { EventToStore, IngestPorts, QuarantineEntry } from './ports.js';
import { quarantineEntry } from './quarantine-entry.js';
import type { Outcome, QuarantineReason, Rejection } from './reasons.js';
import { resolveCustomer } from './resolve.js';
import { validateEvent } from './validate.js';

export interface UnitResult {
  readonly messageId: string;
  readonly index: number;
  readonly outcome: Outcome;
  readonly reason?: QuarantineReason;
}

/** Counts of one batch's settled messages: `stored + duplicate + Σ quarantined = units`. */
export interface Accounting {
  units: number;
  stored: number;
  duplicate: number;
  quarantined: Partial<Record<QuarantineReason, number>>;
}

export interface BatchResult {
  /** Units of the messages that settled (failed messages are left out: they come back). */
  readonly units: readonly UnitResult[];
  readonly accounting: Accounting;
  /** Messages to report in batchItemFailures, with the error that failed each. */
  readonly failed: ReadonlyMap<string, unknown>;
}

interface Work {
  /** The input; once validated, without its parsed JSON (see the writes below). */
  unit: InputUnit;
  /** The message's `receivedAt`, or the processing time. */
  readonly receivedAt: string;
  /** The validated event, until its item is built (then only `who` is kept). */
  event?: UsageEvent;
  /** The validated event's identity, for messages and quarantine entries. */
  who?: { readonly source: string; readonly id: string };
  customer?: CatalogCustomer;
  hash?: string;
  rejection?: Rejection;
  outcome?: Outcome;
  /** Index into the puts of the first unit with the same storage key in this batch. */
  put?: number;
}

/**
 * Drops a validated unit's event and parsed JSON (keeping what its outcome and quarantine entry read), so a
 * batch's inputs are not kept alive while its writes are out.
 */
function release(w: Work): void {
  w.event = undefined;
  const { messageId, origin, index, raw } = w.unit;
  w.unit = { messageId, origin, index, raw };
}

export function emptyAccounting(): Accounting {
  return { units: 0, stored: 0, duplicate: 0, quarantined: {} };
}

/** Sum of quarantined counts over every reason. */
export function quarantinedTotal(a: Accounting): number {
  return Object.values(a.quarantined).reduce((s, n) => s + (n ?? 0), 0);
}

/**
 * Ingests one batch of messages: decode, validate, resolve the customer and meters, check the event's age
 * against the customer's acceptance window (its subscriptions' periods and plans' `lateAcceptanceDays`), store
 * each valid event once under its identity, and quarantine everything else with a reason. Every unit of a settled message
 * ends in exactly one of stored / duplicate / quarantined; a message whose write failed (throttling) is
 * returned in `failed` and redelivered by the queue; the redelivery finds the events it already stored
 * (same origin, same hash) and counts them as stored, so each input is counted once.
 *
 * Same-identity units inside the batch are settled without extra writes: the first (in batch order) is
 * put; the others compare their payload hash with the copy that stays.
 *
 * @example
 * const { accounting, failed } = await ingestBatch(messages, ports, { now: clock.now(), policy });
 */
export async function ingestBatch(
  messages: readonly InputMessage[],
  ports: IngestPorts,
  opts: { readonly now: Date; readonly policy: IngestPolicy },
): Promise<BatchResult> {
  const { now, policy } = opts;
  const nowIso = now.toISOString();
  const work: Work[] = [];
  for (const m of messages) {
    const receivedAt = m.receivedAt ?? nowIso;
    for (const unit of decodeMessage(m, policy)) work.push({ unit, receivedAt });
  }

  const subjects = new Set<string>();
  const types = new Set<string>();
  for (const w of work) {
    if (w.unit.rejection) {
      w.rejection = w.unit.rejection;
      continue;
    }
    const v = validateEvent(w.unit.json, now, policy);
    if ('rejection' in v) {
      w.rejection = v.rejection;
      continue;
    }
    w.event = v.event;
    w.who = { source: v.event.source, id: v.event.id };
    subjects.add(v.event.subject);
    types.add(v.event.type);
  }

  const [lookup, meters] = await Promise.all([
    ports.catalog.lookupSubjects([...subjects]),
    ports.catalog.metersByType([...types]),
  ]);

  const resolved: Work[] = [];
  const customerIds = new Set<string>();
  for (const w of work) {
    if (w.event === undefined) continue;
    const r = resolveCustomer(w.event, lookup);
    if ('rejection' in r) {
      w.rejection = r.rejection;
      continue;
    }
    w.customer = r.customer;
    customerIds.add(r.customer.id);
    resolved.push(w);
  }
  const termsByCustomer: ReadonlyMap<string, AcceptanceTerms> =
    customerIds.size > 0 ? await ports.acceptance.termsOf([...customerIds]) : new Map();
  const fallback = defaultTerms(policy);
  // Each customer's terms capped at the retention, and their window, once per batch.
  const windows = new Map<string, { terms: AcceptanceTerms; windowMs: number }>();
  const windowOf = (customerId: string) => {
    let w = windows.get(customerId);
    if (w === undefined) {
      const terms = withinRetention(termsByCustomer.get(customerId) ?? fallback, policy.retentionDays);
      w = { terms, windowMs: acceptanceWindowMs(terms) };
      windows.set(customerId, w);
    }
    return w;
  };

  const puts: EventToStore[] = [];
  /** Origins of the same-identity units after each put's own (see `EventToStore.alsoFrom`). */
  const companions = new Map<number, string[]>();
  const byKey = new Map<string, number>();
  for (const w of resolved) {
    const event = w.event!;
    const customer = w.customer!;
    // Its parsed input and event are not read again once its put is built (which carries the data as JSON
    // only): dropped now, not kept alive through the rest of the batch's work.
    release(w);
    const { terms, windowMs } = windowOf(customer.id);
    const bad = checkLateness(event, now, terms) ?? checkMeters(event, meters.get(event.type) ?? [], policy);
    if (bad) {
      w.rejection = bad;
      continue;
    }
    const { hash, dataJson } = hashPayload(event);
    w.hash = hash;
    const key = `${customer.id}#${event.type}#${utcDay(event.time)}#${identityKey(event.source, event.id)}`;
    const first = byKey.get(key);
    const origin = unitId(w.unit);
    if (first === undefined) {
      byKey.set(key, puts.length);
      w.put = puts.length;
      const { data: _data, ...envelope } = event;
      puts.push({
        customerId: customer.id,
        event: envelope,
        hash,
        dataJson,
        receivedAt: w.receivedAt,
        origin,
        acceptUntil: Date.parse(event.time) + windowMs,
      });
    } else {
      w.put = first;
      const list = companions.get(first);
      if (list === undefined) companions.set(first, [origin]);
      else list.push(origin);
    }
  }
  for (const [i, alsoFrom] of companions) puts[i] = { ...puts[i]!, alsoFrom };

  const failed = new Map<string, unknown>();
  // What is read after the writes: each put's hash (the puts, with their data JSON, go to the store, which
  // keeps only its items while the requests are out).
  const putHashes = puts.map((p) => p.hash);
  for (const w of work) {
    // Units refused before their put was built (unknown customer) keep only what their entry reads.
    if (w.who !== undefined && w.event !== undefined) release(w);
  }
  const results = puts.length > 0 ? await ports.usage.putEvents(puts.splice(0)) : [];
  const leaders = new Set<number>();
  for (const w of work) {
    if (w.put === undefined) continue;
    const res = results[w.put];
    if (res === undefined || res.status === 'error') {
      failed.set(w.unit.messageId, res?.status === 'error' ? res.error : new Error('no put result'));
      continue;
    }
    const isLeader = !leaders.has(w.put);
    leaders.add(w.put);
    // The copy that stays: this batch's first when it was stored, otherwise the one already in the table.
    const kept = res.status === 'stored' ? putHashes[w.put]! : res.hash;
    // The input that wrote the stored copy counts as stored: this batch's put, or on a redelivery the unit
    // whose origin wrote it (this batch's first, or a later same-identity unit that was first before).
    const wrote = res.status === 'stored' ? isLeader : res.writtenBy === unitId(w.unit);
    if (wrote && (res.status === 'stored' || res.hash === w.hash)) w.outcome = 'stored';
    else if (w.hash === kept) w.outcome = 'duplicate';
    else {
      w.rejection = {
        reason: 'conflict',
        message:
          `event ${w.who!.source}#${w.who!.id}: same identity as an event already stored for customer ` +
          `${w.customer!.id}, with another payload (stored hash ${kept}, this one ${w.hash}); the first stays`,
      };
    }
  }

  const entries: QuarantineEntry[] = [];
  const entryOf: Work[] = [];
  for (const w of work) {
    if (w.rejection === undefined || failed.has(w.unit.messageId)) continue;
    entries.push(
      quarantineEntry(
        w.unit,
        w.rejection,
        { receivedAt: w.receivedAt, quarantinedAt: nowIso },
        {
          ...(w.who !== undefined ? { event: w.who } : {}),
          ...(w.customer !== undefined ? { customerId: w.customer.id } : {}),
        },
      ),
    );
    entryOf.push(w);
  }
  const errors = entries.length > 0 ? await ports.quarantine.putQuarantined(entries) : [];
  errors.forEach((err, i) => {
    const w = entryOf[i]!;
    if (err === undefined) w.outcome = 'quarantined';
    else failed.set(w.unit.messageId, err);
  });

  const accounting = emptyAccounting();
  const units: UnitResult[] = [];
  for (const w of work) {
    if (failed.has(w.unit.messageId)) continue;
    const outcome = w.outcome;
    if (outcome === undefined) throw new Error(`unit ${w.unit.messageId}[${w.unit.index}] has no outcome`);
    accounting.units++;
    if (outcome === 'quarantined') {
      const reason = w.rejection!.reason;
      accounting.quarantined[reason] = (accounting.quarantined[reason] ?? 0) + 1;
      units.push({ messageId: w.unit.messageId, index: w.unit.index, outcome, reason });
    } else {
      accounting[outcome]++;
      units.push({ messageId: w.unit.messageId, index: w.unit.index, outcome });
    }
  }
  return { units, accounting, failed };
}
