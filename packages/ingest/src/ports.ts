import type { Meter, UsageEvent } from '@tally/metering';
import type { AcceptanceReader } from './acceptance.js';
import type { QuarantineReason } from './reasons.js';
import type { SubjectLookup } from './resolve.js';

/** Where time comes from: the system clock in Lambda, a TestClock locally. */
export interface Clock {
  now(): Date;
}

/** A usage event whose `data` may be left out when its JSON travels beside it (`EventToStore.dataJson`). */
export type StoredEventInput = Omit<UsageEvent, 'data'> & { readonly data?: UsageEvent['data'] };

/** A validated, resolved event to store idempotently under its identity. */
export interface EventToStore {
  readonly customerId: string;
  /** The event; without `data` when `dataJson` is given (ingestion drops the parsed data once hashed). */
  readonly event: StoredEventInput;
  /** `payloadHash(event)`. */
  readonly hash: string;
  /**
   * The event's data as JSON, when the caller has it already (ingestion: the canonical JSON its payload hash
   * was computed from, `hashPayload`): the store writes it instead of serializing the data again. It must
   * parse to the event's data. Required when `event.data` is left out.
   */
  readonly dataJson?: string;
  readonly receivedAt: string;
  /**
   * Which input wrote it (`<origin>.<index>`, `unitId`, hashed by the store; the origin is the producer's send
   * id, else the message id). A redelivery of the same message, or a dead-letter redrive of one with a send id,
   * finds its own write and counts it as stored, not as a duplicate: each input is counted once.
   */
  readonly origin: string;
  /**
   * The origins of the other inputs of the same call with the same identity (a message and its resend in one
   * batch). When the stored copy was written by one of them (a redelivery after a crash, in another order),
   * the outcome names it in `writtenBy`, so that input, not the first in this batch, counts as stored.
   */
  readonly alsoFrom?: readonly string[];
  /**
   * The last instant (epoch ms) a redelivery of this event can still be accepted: `time` + the customer's
   * acceptance window. The store keeps the item at least until then, so the dedupe window covers it.
   */
  readonly acceptUntil?: number;
}

/**
 * The result of one conditional write (a PartiQL INSERT): `stored` (first copy), `exists` with the stored
 * copy's payload hash (a duplicate when equal, a conflict otherwise; `writtenBy` names this input when it
 * wrote the copy itself before a crash), or `error` (retry the message).
 */
export type PutOutcome =
  | { readonly status: 'stored' }
  | {
      readonly status: 'exists';
      readonly hash: string;
      /** Which of `origin` and `alsoFrom` wrote the stored copy, if one did. */
      readonly writtenBy?: string;
    }
  | { readonly status: 'error'; readonly error: unknown };

/** Writes events, each at most once (implemented by @tally/store's usage store). */
export interface UsageWriter {
  putEvents(items: readonly EventToStore[]): Promise<PutOutcome[]>;
}

/** Reads the catalog (implemented by @tally/store's catalog store, cached). */
export interface CatalogReader {
  lookupSubjects(subjects: readonly string[]): Promise<SubjectLookup>;
  metersByType(types: readonly string[]): Promise<ReadonlyMap<string, readonly Meter[]>>;
}

/** An input that cannot be stored, kept whole for a person to look at and replay. */
export interface QuarantineEntry {
  /**
   * Deterministic (`<origin>.<index>`, `unitId`), so a redelivered (or redriven, when it has a send id) message
   * overwrites its own entry.
   */
  readonly id: string;
  readonly reason: QuarantineReason;
  readonly message: string;
  readonly path?: string;
  /** The input whole: the message body, or the array element as JSON. */
  readonly raw: string;
  readonly messageId: string;
  readonly index: number;
  readonly receivedAt: string;
  readonly quarantinedAt: string;
  readonly source?: string;
  readonly eventId?: string;
  readonly customerId?: string;
  /** The HTTP producer that sent it (inputs refused at the HTTP endpoint). */
  readonly producerId?: string;
}

export interface QuarantineWriter {
  /** Writes the entries; resolves per entry to undefined (written) or the error. */
  putQuarantined(entries: readonly QuarantineEntry[]): Promise<(unknown | undefined)[]>;
}

export interface IngestPorts {
  readonly catalog: CatalogReader;
  /** The customers' acceptance windows (subscriptions and plans, cached). */
  readonly acceptance: AcceptanceReader;
  readonly usage: UsageWriter;
  readonly quarantine: QuarantineWriter;
}
