/**
 * Raw usage events and meter readings in the usage table: put each event at most once, read a
 * customer·event type·time range back for billing.
 *
 * ## Keys (usage table)
 *
 * | item        | pk                                               | sk                                 |
 * | ----------- | ------------------------------------------------ | ---------------------------------- |
 * | event       | `U#<customerId>#<eventType>#<yyyy-mm>#<shard>`   | `<yyyy-mm-dd>#["<source>","<id>"]` |
 * | shard plan  | `USHARDS#<customerId>#<eventType>`               | `PLAN`                             |
 *
 * `yyyy-mm` and `yyyy-mm-dd` are the UTC month and day of the event's `time`; `shard` is
 * `fnv1a(["<source>","<id>"]) mod N`, N the shard plan's count on that day. A change of these keys bumps
 * `usageTable.layoutVersion` (@tally/resources): a persisted local stack keeps it in a `LAYOUT` item and
 * refuses a table of another layout (packages/local-stack/src/resources.ts).
 *
 * ## Access patterns
 *
 * | pattern                                         | operation                                                  |
 * | ----------------------------------------------- | ---------------------------------------------------------- |
 * | put events once (dedupe + conflict detection)   | PartiQL `INSERT` (fails on an existing key), 25 a BatchExecuteStatement; consistent BatchGetItem of the stored hash for those that existed |
 * | events of a customer·type in [from, to)         | per UTC month overlapping × shard: Query `pk`, `sk BETWEEN '<first day>' AND '<last day>~'`, filter on `t`; in parallel, a partition with more than a page in range in slices of days |
 * | last event of a customer·type before t (opening read / level) | per UTC month, newest first, × shard: Query backwards (`ScanIndexForward: false`) over the days from the look-back start (or `notBefore`) to t's day, filter on `t` (and `r`); stop at the first day with one |
 * | shard count of a customer·type on a day         | GetItem shard plan (cached for the days up to the day after the read) |
 *
 * ## Why these keys
 * - The key derives from the identity (plus customer, type and the event's UTC day, which gives the month),
 *   so the conditional write IS the dedupe: no identity-claim item, no transaction, one write unit per event
 *   of ≤ 1 KB. The write is a PartiQL INSERT, which fails on an existing key, 25 to a BatchExecuteStatement:
 *   the same write units as a conditional PutItem each, but one request's work for 25 events on our side
 *   (ingestion's CPU is mostly per-request SDK work). A duplicate costs the refused write (AWS charges it)
 *   and a consistent read of the stored hash, 100 keys to a BatchGetItem (or none, if the refusal returns
 *   the item: `ALL_OLD` is asked for; the local stack's INSERT does not return it).
 * - One item per event, not per meter: meters that read the same type (call count and call minutes) share
 *   it; billing maps events to each meter's records with `toUsageRecord` when it reads.
 * - UTC time, not the customer's billing period: periods depend on the subscription and the zone and can
 *   change; the billing run reads the days overlapping its period (at most one extra day at each end, cut
 *   off by the sk range) and filters on the time attribute.
 * - A partition per UTC month, the day first in the sort key: a period read is one or two Queries per shard
 *   (a month, or the two UTC months a zoned month overlaps) instead of one per day (about 33), and a search
 *   backwards reads a month at a time, newest day first, instead of a day at a time. Writes per second per
 *   partition are what they were with day partitions: events arrive in real time, so all of them go to the
 *   current month as they went to the current day. The table has no local secondary index, so a partition
 *   key's items are not limited to 10 GB (DynamoDB splits a large or busy key across partitions by sort
 *   key); a busy customer·type still gets shards, for its write rate.
 * - Shards: a customer·type that could exceed one partition's 1,000 writes/s gets N shards, chosen by
 *   `fnv1a(identity) mod N`, so a redelivery lands on the same shard. N comes from the shard plan, a list of
 *   `{ fromDay, count }` steps: a change applies only from after tomorrow (plus a clock-skew margin), so an
 *   event's key never changes while a redelivery of it can still arrive, readers know N for every day, and
 *   a plan read today stays right for every day up to tomorrow: it is cached for those days, not for a time.
 *   A month partition holds the days of a shard under every count of that month: readers query shards up to
 *   the month's largest count.
 *
 * ## Dedupe window and its trade-off
 * An event item lives until `time + retentionDays` (TTL `expiresAt`, default 400 days). Ingestion accepts an
 * event while it is inside its customer's acceptance window (the longest billing period of the customer's
 * subscriptions + the plan's `lateAcceptanceDays` + 1 day; 67 days by default), capped at `retentionDays - 1`
 * (`withinRetention` in @tally/ingest), so every copy that can be accepted finds the first one: the dedupe
 * window is the whole acceptance window, even after a plan change widens it. (A yearly plan with more than
 * 32 late days needs a retention above 400 days to accept its latest events.) A redelivery whose `time` moved
 * to another UTC day, or whose `subject` moved to another customer, has another key: it is stored as a
 * second event instead of being flagged as a conflict. Detecting that
 * would need an identity-claim item (`EVT#<hash(source,id)>` in the registry), doubling the write cost; we
 * accept it because a producer's retry resends the same payload.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type {
  AttributeValue,
  BatchExecuteStatementCommand,
  BatchExecuteStatementCommandOutput,
  BatchGetItemCommand,
  BatchGetItemCommandOutput,
  DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { EventToStore, PutOutcome } from '@tally/ingest';
import { fnv1a, identityKey, shardOf, utcDay } from '@tally/ingest';
import { type Meter, toUsageRecord, type UsageEvent, type UsageRecord } from '@tally/metering';
import { z } from 'zod';
import { deflateRawFixed } from './deflate.js';
import { ConflictError, isConditionFailed } from './errors.js';
import { InsertBatchCommand } from './insert-batch.js';
import { sleep, untilProcessed } from './unprocessed.js';
import { ReadHashesCommand, UsageWriteClient } from './usage-write-client.js';

const DAY_MS = 86_400_000;

/** Write and read units and requests the store spent (ReturnConsumedCapacity TOTAL), for the benchmark. */
export interface UsageStoreStats {
  requests: number;
  writeUnits: number;
  readUnits: number;
  /** Conditional puts that found the item: AWS charges their write units too (dynalite reports none). */
  failedConditionalPuts: number;
}

/**
 * Sends the INSERT batches (`InsertBatchCommand`, a `BatchExecuteStatementCommand` whose body the store
 * writes) and, for INSERTs refused without the stored item, the batched reads of its hash: a low-level
 * DynamoDB client.
 */
export interface EventWriteClient {
  send(command: BatchExecuteStatementCommand): Promise<BatchExecuteStatementCommandOutput>;
  send(command: BatchGetItemCommand): Promise<BatchGetItemCommandOutput>;
}

export interface UsageStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * The client the INSERT batches of `putEvents` (and the reads of existing copies) go through: the store
   * marshals its fixed-shape items itself (no document-client translation), and a client created with
   * `cacheMiddleware: true` resolves the SDK middleware stack once instead of for every request. Default:
   * `doc` (same requests; `createDocumentClient`'s client also resolves its middleware once per command
   * class). Never give a client with `cacheMiddleware` to the SDK's `DynamoDBDocumentClient`: a cached
   * handler would resend the first document command's input (lib-dynamodb refuses it).
   */
  readonly writeClient?: EventWriteClient;
  /**
   * INSERT statements in flight at once (25 to a request). Default 1,000: 40 requests, a whole SQS batch of
   * single-event messages in one wave. Measured on the ingest handler against 200 (8 requests in flight, the
   * default before): 5.6–7.5 µs less CPU per input (paired rounds in one process; BENCHMARKS.md, ingest), the
   * same write units and requests. Likely cause (not measured apart): the answers come back closer together
   * and are read in fewer wake-ups of the process. The HTTP agent's socket limit (the SDK's default 50) is
   * above the 40 requests.
   */
  readonly concurrency?: number;
  /**
   * How far the clocks of the processes that share a shard plan may disagree, plus how long a plan change
   * may take to land: `setShardCount` accepts a step only from after `utcDay(now + 1 day + this)`, which
   * keeps every cached plan complete for the days it answers for (see `#plansFor`). Default 60 s.
   */
  readonly shardPlanMarginMs?: number;
  /**
   * @deprecated Plans are no longer cached for a time but up to a day (see `#plansFor`); a value given here
   * is read as `shardPlanMarginMs`, the part of the old rule that still matters.
   */
  readonly shardPlanCacheMs?: number;
  /** Days an event is kept (TTL). Default 400. */
  readonly retentionDays?: number;
  /**
   * The time: where `#plansFor` dates a plan read (a TestClock locally; the same clock ingestion validates
   * event times with). Default the system clock.
   */
  readonly now?: () => Date;
}

/** A stored event as read back, with when it arrived (billing needs it for late adjustments). */
export interface StoredEvent {
  readonly customerId: string;
  readonly event: UsageEvent;
  readonly hash: string;
  readonly receivedAt: string;
}

export const ShardStepSchema = z.object({
  fromDay: z.iso.date(),
  count: z.int().min(1).max(1000),
});
export type ShardStep = z.infer<typeof ShardStepSchema>;

/** An ISO 8601 instant with any offset, as its UTC `toISOString()` text (how times are stored, so they compare as strings). */
const IsoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const QueryEventsInputSchema = z
  .object({
    customerId: z.string().min(1),
    /** The event type a meter reads (`meter.eventType`). */
    eventType: z.string().min(1),
    /** Inclusive start, ISO instant. */
    from: IsoInstant,
    /** Exclusive end, ISO instant. */
    to: IsoInstant,
    /** Partition queries in flight at once. Default 16. */
    concurrency: z.int().min(1).max(256).optional(),
    /** Strongly consistent reads (twice the read cost). Default false: billing reads hours after the period. */
    consistent: z.boolean().optional(),
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] });
export type QueryEventsInput = z.input<typeof QueryEventsInputSchema>;

export const AnyArrivedInputSchema = z
  .object({
    customerId: z.string().min(1),
    eventType: z.string().min(1),
    /** Event times: inclusive start, exclusive end, ISO instants. */
    from: IsoInstant,
    to: IsoInstant,
    /** Arrival (`receivedAt`): inclusive start, exclusive end, ISO instants. */
    receivedFrom: IsoInstant,
    receivedBefore: IsoInstant,
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] })
  .refine((q) => q.receivedFrom < q.receivedBefore, {
    message: 'receivedFrom must be before receivedBefore',
    path: ['receivedBefore'],
  });
export type AnyArrivedInput = z.input<typeof AnyArrivedInputSchema>;

/** Days `lastEventBefore` looks back by default: a register read quarterly still finds its previous read. */
export const DEFAULT_LOOKBACK_DAYS = 93;

export const LastEventBeforeInputSchema = z.object({
  customerId: z.string().min(1),
  eventType: z.string().min(1),
  /** Exclusive bound, ISO instant (a period start). */
  before: IsoInstant,
  /** Only events that arrived before this instant (the arrival cutoff of the read that uses it). */
  receivedBefore: IsoInstant.optional(),
  /**
   * UTC days to look back, the day of `before` included. Default `DEFAULT_LOOKBACK_DAYS` (93). Each UTC month
   * the search reaches costs a Query per shard (one per page of items read), the month's shards in parallel.
   */
  lookbackDays: z.int().min(1).max(400).default(DEFAULT_LOOKBACK_DAYS),
  /**
   * Nothing before this instant counts (a subscription's start: a read from before a move-in is the previous
   * occupant's): the search stops at its UTC day and ignores events older than it. None when it is not
   * before `before`.
   */
  notBefore: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s).toISOString())
    .optional(),
});
export type LastEventBeforeInput = z.input<typeof LastEventBeforeInputSchema>;

/**
 * zlib allocates its state for every call: 2^(windowBits+2) + 2^(memLevel+9) bytes, 256 KB with the defaults,
 * for data that is mostly 1–4 KB. A window no larger than the data (at least 512 B, the raw-deflate minimum)
 * compresses it the same; inflate with the default window reads any smaller one.
 */
function deflateOptions(length: number): { windowBits: number; memLevel: number } {
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(length))));
  return { windowBits, memLevel: Math.min(8, windowBits - 6) };
}

let scratch = Buffer.allocUnsafeSlow(16 * 1024);

/** Items larger than this are one write unit more; the event data is deflated to stay under it. */
const WRITE_UNIT_BYTES = 1024;

/** pk of an event item: `month` is the UTC `yyyy-mm` of the event's time. */
export function eventPk(customerId: string, eventType: string, month: string, shard: number): string {
  return `U#${customerId}#${eventType}#${month}#${shard}`;
}

/** sk of an event item: the UTC `yyyy-mm-dd` of the event's time, then its identity. */
export function eventSk(day: string, source: string, id: string): string {
  return `${day}#${identityKey(source, id)}`;
}

/** Length of the day prefix of an event sk (`yyyy-mm-dd#`). */
const SK_DAY_PREFIX = 11;

/**
 * sk bounds of the items of the days `firstDay` to `lastDay` (both included): every sk of a day starts with
 * `<day>#`, which sorts after `<day>` and, as `#` sorts before `~`, before `<day>~`.
 */
function daySkBounds(firstDay: string, lastDay: string): { lo: string; hi: string } {
  return { lo: firstDay, hi: `${lastDay}~` };
}

/** The UTC day `n` days after `day` (`yyyy-mm-dd`; n may be negative). */
function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (`yyyy-mm-dd`, or an sk bound that starts with one). */
function daysBetween(a: string, b: string): number {
  return Math.round(
    (Date.parse(`${b.slice(0, 10)}T00:00:00.000Z`) - Date.parse(`${a.slice(0, 10)}T00:00:00.000Z`)) / DAY_MS,
  );
}

/** The UTC months from `firstDay` to `lastDay` (both included), oldest first, each with its days in that range. */
export function monthsOf(
  firstDay: string,
  lastDay: string,
): { month: string; firstDay: string; lastDay: string }[] {
  const out: { month: string; firstDay: string; lastDay: string }[] = [];
  let y = Number(firstDay.slice(0, 4));
  let m = Number(firstDay.slice(5, 7)) - 1;
  for (;;) {
    const start = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
    if (start > lastDay) break;
    const end = new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10);
    out.push({
      month: start.slice(0, 7),
      firstDay: start < firstDay ? firstDay : start,
      lastDay: end > lastDay ? lastDay : end,
    });
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
  return out;
}

/**
 * Where a customer·type's events of the days `firstDay` to `lastDay` (UTC, both included) are: per UTC month,
 * oldest first, the sk bounds of those days and the pk of each shard the plan had on any of them.
 */
export function eventPartitions(
  steps: readonly ShardStep[],
  customerId: string,
  eventType: string,
  firstDay: string,
  lastDay: string,
): { month: string; bounds: { lo: string; hi: string }; pks: string[] }[] {
  return monthsOf(firstDay, lastDay).map((m) => ({
    month: m.month,
    bounds: daySkBounds(m.firstDay, m.lastDay),
    pks: Array.from({ length: maxShardCount(steps, m.firstDay, m.lastDay) }, (_, shard) =>
      eventPk(customerId, eventType, m.month, shard),
    ),
  }));
}

/** The largest shard count of the days `firstDay` to `lastDay` under a plan (steps sorted by fromDay). */
export function maxShardCount(steps: readonly ShardStep[], firstDay: string, lastDay: string): number {
  let count = shardCountOn(steps, firstDay);
  for (const s of steps) if (s.fromDay > firstDay && s.fromDay <= lastDay) count = Math.max(count, s.count);
  return count;
}

function shardPlanPk(customerId: string, eventType: string): string {
  return `USHARDS#${customerId}#${eventType}`;
}

/** The shard count of a day under a plan (steps sorted by fromDay); 1 before the first step. */
export function shardCountOn(steps: readonly ShardStep[], day: string): number {
  let count = 1;
  for (const s of steps) if (s.fromDay <= day) count = s.count;
  return count;
}

/** Approximate DynamoDB item size (names + values), as AWS counts it for write units. */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined) continue;
    size += k.length;
    if (typeof v === 'string') size += Buffer.byteLength(v, 'utf8');
    else if (typeof v === 'number') size += Math.ceil(String(v).length / 2) + 1;
    else if (v instanceof Uint8Array) size += v.length;
    else size += Buffer.byteLength(JSON.stringify(v), 'utf8');
  }
  return size;
}

function originTag(origin: string): string {
  return fnv1a(origin).toString(36);
}

export interface EventItem {
  pk: string;
  sk: string;
  /** time, UTC ISO */
  t: string;
  /** payload hash */
  h: string;
  /** origin tag: which input wrote it */
  m: string;
  /** receivedAt */
  r: string;
  /** subject */
  s: string;
  /** data as JSON, or deflated in `z` when the item would exceed one write unit */
  d?: string;
  z?: Uint8Array;
  /** other CloudEvents attributes (dataschema, datacontenttype), JSON, when present */
  x?: string;
  expiresAt: number;
}

/**
 * The item's TTL (epoch seconds): `retentionDays` after the event's time, or one day after the last instant
 * a redelivery of it can be accepted when that is later, so an item never expires while a copy of it can
 * still be accepted. Ingestion caps every window at `retentionDays - 1` (`withinRetention`), so the second
 * bound only matters to a caller that stores with a longer one.
 */
export function expiresAt(timeMs: number, retentionDays: number, acceptUntil?: number): number {
  const kept = timeMs + retentionDays * DAY_MS;
  return Math.floor(
    (acceptUntil !== undefined && acceptUntil + DAY_MS > kept ? acceptUntil + DAY_MS : kept) / 1000,
  );
}

/** Size of a string as AWS counts it: its UTF-8 bytes (a string's length when it is ASCII). */
function utf8Size(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * `itemSize` of an event item without the data (`d` or `z`): names and values of the fixed attributes, the
 * number as AWS counts it (about one byte per two digits, plus one).
 */
function sizeWithoutData(item: Omit<EventItem, 'd' | 'z'>): number {
  return (
    2 +
    utf8Size(item.pk) +
    2 +
    utf8Size(item.sk) +
    1 +
    utf8Size(item.t) +
    1 +
    utf8Size(item.h) +
    1 +
    utf8Size(item.m) +
    1 +
    utf8Size(item.r) +
    1 +
    utf8Size(item.s) +
    9 +
    Math.ceil(String(item.expiresAt).length / 2) +
    1 +
    (item.x !== undefined ? 1 + utf8Size(item.x) : 0)
  );
}

/**
 * The data of an item of `restSize` bytes without it: the JSON as is (a string), or deflated (bytes) when the
 * item would exceed one write unit and deflating makes it smaller. Fixed-code deflate first
 * (`deflateRawFixed`, a few µs); if the item is still over a unit, zlib's dynamic codes, which compress text
 * better (the smaller output wins).
 */
function dataAttribute(json: string, restSize: number): string | Uint8Array {
  if (json.length <= 400) return json;
  // UTF-8 into a buffer kept between calls (at most 3 bytes a code unit): no 1 KB allocation per event.
  if (scratch.length < json.length * 3) scratch = Buffer.allocUnsafeSlow(json.length * 3);
  const length = scratch.write(json, 0, 'utf8');
  if (restSize + 1 + length <= WRITE_UNIT_BYTES) return json;
  const bytes = scratch.subarray(0, length);
  let z = deflateRawFixed(bytes);
  if (restSize + 1 + z.length > WRITE_UNIT_BYTES) {
    const dynamic = deflateRawSync(bytes, deflateOptions(bytes.length));
    if (dynamic.length < z.length) z = dynamic;
  }
  return z.length < bytes.length ? z : json;
}

/**
 * Maps an event to its item. `source`, `id` and `type` live in the key, so they are not repeated. The data
 * is `input.dataJson` when given (ingestion's canonical JSON, serialized once for the payload hash), else
 * `JSON.stringify(event.data)`.
 */
export function toItem(input: EventToStore, shard: number, retentionDays: number): EventItem {
  const { event } = input;
  const { specversion: _v, id, source, type, subject, time, data, ...extra } = event;
  const day = utcDay(time);
  const item: EventItem = {
    pk: eventPk(input.customerId, type, day.slice(0, 7), shard),
    sk: eventSk(day, source, id),
    t: time,
    h: input.hash,
    m: originTag(input.origin),
    r: input.receivedAt,
    s: subject,
    expiresAt: expiresAt(Date.parse(time), retentionDays, input.acceptUntil),
  };
  for (const _ in extra) {
    item.x = JSON.stringify(extra);
    break;
  }
  const json = input.dataJson ?? (data !== undefined ? JSON.stringify(data) : undefined);
  if (json === undefined) {
    throw new TypeError(`usage event ${source}#${id}: neither its data nor its data JSON to store`);
  }
  const value = dataAttribute(json, sizeWithoutData(item));
  if (typeof value === 'string') item.d = value;
  else item.z = value;
  return item;
}

/** An event item as DynamoDB attribute values: every attribute is a string, a number or binary. */
export function toAttributeValues(item: EventItem): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {
    pk: { S: item.pk },
    sk: { S: item.sk },
    t: { S: item.t },
    h: { S: item.h },
    m: { S: item.m },
    r: { S: item.r },
    s: { S: item.s },
    expiresAt: { N: String(item.expiresAt) },
  };
  if (item.d !== undefined) out.d = { S: item.d };
  if (item.z !== undefined) out.z = { B: item.z };
  if (item.x !== undefined) out.x = { S: item.x };
  return out;
}

/** Statements in one BatchExecuteStatement (DynamoDB's limit). */
const STATEMENTS_PER_BATCH = 25;
/** Attempts of a statement refused for throughput before its input is an `error` (the message is retried). */
const STATEMENT_ATTEMPTS = 8;
/** Per-statement errors worth sending again: throughput and transient server errors. */
const RETRYABLE_STATEMENT_ERRORS = new Set([
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
  'RequestLimitExceeded',
  'InternalServerError',
  'TransactionConflict',
]);

/** Full-jitter exponential backoff: up to 25 ms × 2^attempt, at most 2 s. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(2_000, 25 * 2 ** attempt);
}

const insertTexts = new Map<string, string>();

/**
 * The PartiQL INSERT of an event item as the SDK's statement input: `INSERT INTO "<table>" VALUE {'pk': ?, ...}`
 * with the attribute values as parameters (the text depends only on the table and which optional attributes
 * the item has, so it is built once per shape). `putEvents` sends the same statements with a body it writes
 * itself (`InsertBatchCommand`, whose property test checks it against this); the benchmark's SDK floor sends
 * these.
 */
export function insertStatement(
  table: string,
  item: EventItem,
): { Statement: string; Parameters: AttributeValue[]; ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } {
  const values = toAttributeValues(item);
  const names = Object.keys(values);
  const shape = `${table}\u0000${names.join(',')}`;
  let text = insertTexts.get(shape);
  if (text === undefined) {
    text = `INSERT INTO "${table}" VALUE {${names.map((n) => `'${n}': ?`).join(', ')}}`;
    insertTexts.set(shape, text);
  }
  return {
    Statement: text,
    Parameters: names.map((n) => values[n]!),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Maps an item back to the customer id and the event as it was validated. */
export function fromItem(item: Record<string, unknown>): StoredEvent {
  const pk = String(item.pk);
  const parts = pk.split('#');
  // U # customerId # eventType # month # shard: ids cannot contain '#' (the catalog refuses them).
  const customerId = parts[1]!;
  const type = parts[2]!;
  // sk: yyyy-mm-dd # identity
  const [source, id] = JSON.parse(String(item.sk).slice(SK_DAY_PREFIX)) as [string, string];
  const dataJson =
    item.z !== undefined ? inflateRawSync(item.z as Uint8Array).toString('utf8') : String(item.d ?? '{}');
  const extra = item.x !== undefined ? (JSON.parse(String(item.x)) as Record<string, unknown>) : {};
  const event = {
    specversion: '1.0' as const,
    id,
    source,
    type,
    subject: String(item.s),
    time: String(item.t),
    ...extra,
    data: JSON.parse(dataJson) as Record<string, unknown>,
  };
  return { customerId, event, hash: String(item.h), receivedAt: String(item.r) };
}

/**
 * The usage store: idempotent puts and sharded, parallel reads of raw events.
 *
 * @example
 * const usage = new UsageStore({ doc: createDocumentClient(), tableName: tableName(usageTable) });
 * for await (const e of usage.queryEvents({ customerId: 'cust_42', eventType: meter.eventType,
 *   from: period.start, to: period.end })) { ... }
 */
export class UsageStore {
  readonly stats: UsageStoreStats = { requests: 0, writeUnits: 0, readUnits: 0, failedConditionalPuts: 0 };
  readonly #doc: DynamoDBDocumentClient;
  readonly #writer: EventWriteClient;
  readonly #table: string;
  readonly #concurrency: number;
  readonly #marginMs: number;
  readonly #retentionDays: number;
  readonly #now: () => Date;
  /** Shard plans read, by pk, each complete for the days up to its `horizon` (see `#plansFor`). */
  readonly #plans = new Map<string, { steps: ShardStep[]; horizon: string }>();

  /**
   * A low-level client for `writeClient`: INSERT batches signed and sent below the SDK's per-request pipeline
   * after the first (`UsageWriteClient`), other requests with middleware resolved once per command class
   * (`cacheMiddleware`), and without the SDK's logger middleware, which filters every request and response for sensitive fields
   * even when nothing logs (the default logger is a no-op). Endpoint, region and credentials come from the
   * environment, like `createDocumentClient`.
   *
   * @example
   * new UsageStore({ doc, writeClient: UsageStore.createWriteClient(), tableName });
   */
  static createWriteClient(config: DynamoDBClientConfig = {}): UsageWriteClient {
    const client = new UsageWriteClient({ maxAttempts: 8, ...config, cacheMiddleware: true });
    client.middlewareStack.remove('loggerMiddleware');
    return client;
  }

  constructor(options: UsageStoreOptions) {
    this.#doc = options.doc;
    // The document client passes low-level commands through untranslated.
    this.#writer = options.writeClient ?? (options.doc as unknown as EventWriteClient);
    this.#table = options.tableName;
    this.#concurrency = options.concurrency ?? 1_000;
    this.#marginMs = options.shardPlanMarginMs ?? options.shardPlanCacheMs ?? 60_000;
    this.#retentionDays = options.retentionDays ?? 400;
    this.#now = options.now ?? (() => new Date());
  }

  /** Puts one event at most once; see `putEvents`. */
  async putEvent(input: EventToStore): Promise<PutOutcome> {
    const [outcome] = await this.putEvents([input]);
    return outcome!;
  }

  /**
   * Puts events, each at most once: PartiQL `INSERT` statements, 25 to a `BatchExecuteStatement`, up to
   * `concurrency` statements in flight. An INSERT is a conditional write (it fails with `DuplicateItem` when
   * the key exists) that costs what a PutItem costs, and a batch of them costs one request's work on our side
   * instead of 25 (BatchWriteItem cannot be conditional; TransactWriteItems doubles the write cost). Resolves
   * per input, in order: `stored`, `exists` with the stored copy's hash, or `error`.
   *
   * Two inputs with the same key in one call go out in successive waves, never in one batch: the later one
   * then finds the first. Statements refused for throughput (`ProvisionedThroughputExceeded`,
   * `ThrottlingError`, `RequestLimitExceeded`, `InternalServerError`) are sent again with backoff; a whole
   * request that fails after the SDK's own retries makes each of its inputs an `error` (the caller retries
   * the message).
   */
  async putEvents(inputs: readonly EventToStore[]): Promise<PutOutcome[]> {
    const plans = await this.#plansFor(
      inputs.map((i) => [i.customerId, i.event.type, utcDay(i.event.time)] as const),
    );
    const items = inputs.map((input) => {
      const steps = plans.get(shardPlanPk(input.customerId, input.event.type)) ?? [];
      const count = shardCountOn(steps, utcDay(input.event.time));
      const shard = count > 1 ? shardOf(identityKey(input.event.source, input.event.id), count) : 0;
      return toItem(input, shard, this.#retentionDays);
    });
    // Who may have written each stored copy: the input, and its same-identity companions in this call.
    const writers = inputs.map((input) =>
      input.alsoFrom === undefined || input.alsoFrom.length === 0
        ? [input.origin]
        : [input.origin, ...input.alsoFrom],
    );
    // The inputs (their data above all) are not needed once mapped: only the items stay alive while the
    // requests are out.
    return this.#putItems(items, writers);
  }

  async #putItems(
    items: readonly EventItem[],
    writers: readonly (readonly string[])[],
  ): Promise<PutOutcome[]> {
    const outcomes: Settled[] = new Array(items.length);
    let pending = items.map((_, i) => i);
    while (pending.length > 0) {
      const keys = new Set<string>();
      const wave: number[] = [];
      const later: number[] = [];
      for (const i of pending) {
        const key = `${items[i]!.pk}\u0000${items[i]!.sk}`;
        (keys.has(key) ? later : wave).push(i);
        keys.add(key);
      }
      await this.#insertAll(wave, items, outcomes);
      pending = later;
    }
    // Who wrote each copy found: this input (its own tag, already on its item) or one of its companions.
    return outcomes.map((o, i) => {
      if (o.status !== 'found') return o;
      const by =
        o.tag === items[i]!.m
          ? writers[i]![0]
          : o.tag === undefined
            ? undefined
            : writers[i]!.slice(1).find((w) => originTag(w) === o.tag);
      return by !== undefined
        ? { status: 'exists', hash: o.hash, writtenBy: by }
        : { status: 'exists', hash: o.hash };
    });
  }

  /** INSERTs the items at `indices` (distinct keys), then reads the stored copy of each one that existed. */
  async #insertAll(
    indices: readonly number[],
    items: readonly EventItem[],
    outcomes: Settled[],
  ): Promise<void> {
    const batches: number[][] = [];
    for (let i = 0; i < indices.length; i += STATEMENTS_PER_BATCH) {
      batches.push(indices.slice(i, i + STATEMENTS_PER_BATCH));
    }
    const existing: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let b = next++; b < batches.length; b = next++) {
        await this.#insertBatch(batches[b]!, items, outcomes, existing);
      }
    };
    const inFlight = Math.max(1, Math.ceil(this.#concurrency / STATEMENTS_PER_BATCH));
    await Promise.all(Array.from({ length: Math.min(inFlight, batches.length) }, worker));
    if (existing.length > 0) await this.#readExisting(existing, items, outcomes);
  }

  async #insertBatch(
    batch: readonly number[],
    items: readonly EventItem[],
    outcomes: Settled[],
    existing: number[],
  ): Promise<void> {
    let todo = batch;
    for (let attempt = 0; todo.length > 0; attempt++) {
      let res: BatchExecuteStatementCommandOutput;
      try {
        this.stats.requests++;
        res = await this.#writer.send(
          new InsertBatchCommand(
            this.#table,
            todo.map((i) => items[i]!),
          ),
        );
      } catch (err) {
        for (const i of todo) outcomes[i] = { status: 'error', error: err };
        return;
      }
      for (const c of res.ConsumedCapacity ?? []) this.stats.writeUnits += c.CapacityUnits ?? 0;
      const retry: number[] = [];
      todo.forEach((i, n) => {
        const error = res.Responses?.[n]?.Error;
        if (error === undefined) {
          outcomes[i] = { status: 'stored' };
        } else if (error.Code === 'DuplicateItem' || error.Code === 'ConditionalCheckFailed') {
          // AWS charges the refused write too (dynalite reports none): count it as a PutItem's would be.
          this.stats.failedConditionalPuts++;
          this.stats.writeUnits += Math.ceil(
            itemSize(items[i] as unknown as Record<string, unknown>) / WRITE_UNIT_BYTES,
          );
          const h = error.Item?.h?.S;
          if (h !== undefined) {
            outcomes[i] = { status: 'found', hash: h, tag: error.Item?.m?.S };
          } else {
            existing.push(i);
          }
        } else if (RETRYABLE_STATEMENT_ERRORS.has(error.Code ?? '') && attempt < STATEMENT_ATTEMPTS - 1) {
          retry.push(i);
        } else {
          outcomes[i] = {
            status: 'error',
            error: new Error(
              `usage event ${items[i]!.pk} ${items[i]!.sk}: INSERT failed with ${error.Code}: ${error.Message}`,
            ),
          };
        }
      });
      todo = retry;
      if (todo.length > 0) await sleep(backoffMs(attempt));
    }
  }

  /** The stored copies' hash and origin, by consistent BatchGetItem (100 keys a request). */
  async #readExisting(
    indices: readonly number[],
    items: readonly EventItem[],
    outcomes: Settled[],
  ): Promise<void> {
    const byKey = new Map<string, number[]>();
    for (const i of indices) {
      const key = JSON.stringify([items[i]!.pk, items[i]!.sk]);
      byKey.set(key, [...(byKey.get(key) ?? []), i]);
    }
    const keys = [...byKey.keys()];
    const found = new Map<string, { h: string; m?: string }>();
    for (let k = 0; k < keys.length; k += 100) {
      const request = keys.slice(k, k + 100).map((key) => {
        const [pk, sk] = JSON.parse(key) as [string, string];
        return { pk: { S: pk }, sk: { S: sk } } as Record<string, AttributeValue>;
      });
      try {
        await untilProcessed('usage events BatchGetItem keys', request, async (pending) => {
          this.stats.requests++;
          const res: BatchGetItemCommandOutput = await this.#writer.send(
            new ReadHashesCommand(this.#table, pending, 'pk, sk, h, m'),
          );
          for (const c of res.ConsumedCapacity ?? []) this.stats.readUnits += c.CapacityUnits ?? 0;
          for (const got of res.Responses?.[this.#table] ?? []) {
            const h = got.h?.S;
            if (h !== undefined) {
              found.set(JSON.stringify([got.pk?.S, got.sk?.S]), {
                h,
                ...(got.m?.S !== undefined ? { m: got.m.S } : {}),
              });
            }
          }
          return res.UnprocessedKeys?.[this.#table]?.Keys;
        });
      } catch (err) {
        // Keys the reads did not settle: their inputs are errors (the message is retried).
        for (const key of request) {
          const id = JSON.stringify([key.pk!.S, key.sk!.S]);
          if (found.has(id)) continue;
          for (const i of byKey.get(id) ?? []) outcomes[i] = { status: 'error', error: err };
        }
      }
    }
    for (const [key, list] of byKey) {
      const old = found.get(key);
      for (const i of list) {
        if (outcomes[i] !== undefined) continue;
        outcomes[i] =
          old === undefined
            ? {
                status: 'error',
                // The INSERT found the key but the item is gone: only TTL deletes events, long after the window.
                error: new ConflictError(
                  'usage event',
                  `${items[i]!.pk} ${items[i]!.sk}`,
                  'the insert found the key but the item is gone',
                ),
              }
            : { status: 'found', hash: old.h, tag: old.m };
      }
    }
  }

  /**
   * Every stored event of a customer·event type with `from <= time < to`: per UTC month overlapping the
   * range, one paginated Query per shard (up to the largest count of the month's days in range) over the sk
   * range of those days, filtered on `t`; the partitions queried in parallel, and a busy one in parallel
   * slices of its days (`#pages`). Order is not defined (aggregations sort).
   */
  async *queryEvents(input: QueryEventsInput): AsyncGenerator<StoredEvent> {
    const q = QueryEventsInputSchema.parse(input);
    const lastDay = utcDay(new Date(Date.parse(q.to) - 1).toISOString());
    const steps =
      (await this.#plansFor([[q.customerId, q.eventType, lastDay]])).get(
        shardPlanPk(q.customerId, q.eventType),
      ) ?? [];
    // Grows while the read runs: a partition with more than a page in range adds the rest as parts.
    const sources: (() => AsyncGenerator<Record<string, unknown>[]>)[] = [];
    for (const { bounds, pks } of eventPartitions(
      steps,
      q.customerId,
      q.eventType,
      utcDay(q.from),
      lastDay,
    )) {
      for (const pk of pks) {
        const part = (b: { lo: string; hi: string }, start?: Record<string, unknown>) =>
          sources.push(() => this.#pages(pk, b, q, { start }));
        sources.push(() => this.#pages(pk, bounds, q, { split: part }));
      }
    }
    for await (const item of fanIn(sources, q.concurrency ?? 16)) yield fromItem(item);
  }

  /**
   * Whether any event of a customer·type with `from <= time < to` arrived with `receivedFrom <= receivedAt <
   * receivedBefore`, without reading the events: billing asks it of each earlier period it may correct and
   * reads a period whole only when something arrived late. The partitions of `queryEvents`, with DynamoDB
   * filtering on time and arrival and sending back keys only; each partition's read stops at its first find. Times and arrival
   * instants are stored as `toISOString()` text, so they compare as strings.
   */
  async anyArrived(input: AnyArrivedInput): Promise<boolean> {
    const q = AnyArrivedInputSchema.parse(input);
    const lastDay = utcDay(new Date(Date.parse(q.to) - 1).toISOString());
    const steps = await this.shardPlan(q.customerId, q.eventType, lastDay);
    const parts = eventPartitions(steps, q.customerId, q.eventType, utcDay(q.from), lastDay);
    const found = await Promise.all(
      parts.flatMap(({ bounds, pks }) => pks.map((pk) => this.#anyArrivedIn(pk, bounds, q))),
    );
    return found.some(Boolean);
  }

  async #anyArrivedIn(
    pk: string,
    bounds: { lo: string; hi: string },
    q: { from: string; to: string; receivedFrom: string; receivedBefore: string },
  ): Promise<boolean> {
    const pages = this.#queryPages(pk, bounds, {
      FilterExpression: '#t >= :from AND #t < :to AND #r >= :rf AND #r < :rb',
      ExpressionAttributeNames: { '#t': 't', '#r': 'r' },
      ExpressionAttributeValues: {
        ':from': q.from,
        ':to': q.to,
        ':rf': q.receivedFrom,
        ':rb': q.receivedBefore,
      },
      ProjectionExpression: 'pk, sk',
    });
    for await (const res of pages) {
      if ((res.Count ?? res.Items?.length ?? 0) > 0) return true;
    }
    return false;
  }

  /**
   * Every page of a Query over one partition's sk range (`pk = :pk AND sk BETWEEN :lo AND :hi`), from `start`
   * on, each counted in `stats` (a request, its read units). The caller may stop early; `params` brings the
   * rest of the request (its filter, limit, order) and any values beyond `:pk`, `:lo` and `:hi`.
   */
  async *#queryPages(
    pk: string,
    bounds: { lo: string; hi: string },
    params: Omit<QueryCommandInput, 'TableName' | 'KeyConditionExpression' | 'ExclusiveStartKey'>,
    start?: Record<string, unknown>,
  ): AsyncGenerator<QueryCommandOutput> {
    do {
      this.stats.requests++;
      const res = await this.#doc.send(
        new QueryCommand({
          ...params,
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: {
            ':pk': pk,
            ':lo': bounds.lo,
            ':hi': bounds.hi,
            ...params.ExpressionAttributeValues,
          },
          ReturnConsumedCapacity: 'TOTAL',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      this.stats.readUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
      yield res;
      start = res.LastEvaluatedKey;
    } while (start);
  }

  /**
   * The usage records of one meter in [from, to), read from its event type, each with its `receivedAt`.
   *
   * @throws InvalidUsageError when a stored event cannot feed the meter (a meter added after the events).
   */
  async *queryRecords(input: {
    customerId: string;
    meter: Meter;
    from: string;
    to: string;
  }): AsyncGenerator<UsageRecord & { readonly receivedAt: string }> {
    const { meter, ...range } = input;
    for await (const stored of this.queryEvents({ ...range, eventType: meter.eventType })) {
      yield { ...toUsageRecord(meter, stored.event), receivedAt: stored.receivedAt };
    }
  }

  /**
   * The last stored event of a customer·event type with `notBefore <= time < before` (ordered by time, then
   * by `source#id` as aggregations order records) that arrived before `receivedBefore`, or null when none is
   * found within `lookbackDays`. Billing reads it as the opening state of register and time-weighted meters
   * (the last read, the level in force at the period start). The month partitions are read newest first,
   * each shard backwards through its days (sk order: day, then identity): once a shard finds an event on a
   * day it reads the rest of that day (a later time may sort after it) and stops; the search stops at the
   * first month where a shard finds one.
   */
  async lastEventBefore(input: LastEventBeforeInput): Promise<StoredEvent | null> {
    const q = LastEventBeforeInputSchema.parse(input);
    if (q.notBefore !== undefined && q.notBefore >= q.before) return null;
    // UTC days from the day of `before`'s last instant back `lookbackDays` days, or to the day of `notBefore`.
    const newestDay = utcDay(new Date(Date.parse(q.before) - 1).toISOString());
    const lookbackStart = addDays(newestDay, 1 - q.lookbackDays);
    const oldestDay =
      q.notBefore !== undefined && utcDay(q.notBefore) > lookbackStart ? utcDay(q.notBefore) : lookbackStart;
    const steps = await this.shardPlan(q.customerId, q.eventType, newestDay);
    for (const { bounds, pks } of eventPartitions(
      steps,
      q.customerId,
      q.eventType,
      oldestDay,
      newestDay,
    ).reverse()) {
      const found = (await Promise.all(pks.map((pk) => this.#lastBefore(pk, bounds, q)))).filter(
        (e): e is StoredEvent => e !== null,
      );
      if (found.length > 0) return found.reduce((a, b) => (isLater(b, a) ? b : a));
    }
    return null;
  }

  /** The latest qualifying event of one partition's sk range, read backwards: see `lastEventBefore`. */
  async #lastBefore(
    pk: string,
    bounds: { lo: string; hi: string },
    q: { before: string; receivedBefore?: string | undefined; notBefore?: string | undefined },
  ): Promise<StoredEvent | null> {
    const filter = ['#t < :before'];
    const names: Record<string, string> = { '#t': 't' };
    const values: Record<string, string> = { ':before': q.before };
    if (q.notBefore !== undefined) {
      filter.push('#t >= :nb');
      values[':nb'] = q.notBefore;
    }
    if (q.receivedBefore !== undefined) {
      filter.push('#r < :rb');
      names['#r'] = 'r';
      values[':rb'] = q.receivedBefore;
    }
    let best: StoredEvent | null = null;
    const pages = this.#queryPages(pk, bounds, {
      FilterExpression: filter.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: PAGE_ITEMS,
    });
    for await (const res of pages) {
      for (const item of res.Items ?? []) {
        const e = fromItem(item);
        if (best === null || isLater(e, best)) best = e;
      }
      const next = res.LastEvaluatedKey;
      // Items come newest day first: once the read has passed the day of the best one, nothing later is left.
      if (best !== null && next !== undefined && String(next.sk).slice(0, 10) < utcDay(best.event.time)) {
        break;
      }
    }
    return best;
  }

  /**
   * The pages of one partition's sk range, filtered on `t`. With `split`, a first page that does not reach
   * the range's last day hands the rest to parts read in parallel (by the same fan-in): the rest of the day
   * where the page stopped, then the later days in slices the first page's density says hold about a page
   * each. A sparse month stays one Query; a busy one is read about as a day per partition was, in parallel.
   */
  async *#pages(
    pk: string,
    bounds: { lo: string; hi: string },
    q: { from: string; to: string; consistent?: boolean | undefined },
    opts: {
      split?: (bounds: { lo: string; hi: string }, start?: Record<string, unknown>) => void;
      start?: Record<string, unknown> | undefined;
    } = {},
  ): AsyncGenerator<Record<string, unknown>[]> {
    let first = opts.split !== undefined;
    const pages = this.#queryPages(
      pk,
      bounds,
      {
        FilterExpression: '#t >= :from AND #t < :to',
        ExpressionAttributeNames: { '#t': 't' },
        ExpressionAttributeValues: { ':from': q.from, ':to': q.to },
        ConsistentRead: q.consistent ?? false,
        // Pages of at most PAGE_ITEMS: the fan-in holds a page per partition in flight, so this (not the
        // 1 MB page of DynamoDB) bounds a reader's memory at any volume.
        Limit: PAGE_ITEMS,
      },
      opts.start,
    );
    for await (const res of pages) {
      const next = res.LastEvaluatedKey;
      let handedOn = false;
      if (first && next !== undefined && opts.split !== undefined) {
        // More than a page in range: the rest of the day the page stopped in goes on from where it stopped,
        // the days after it in slices of as many days as this page covered (about a page each).
        const day = String(next.sk).slice(0, 10);
        const lastDay = bounds.hi.slice(0, 10);
        if (day < lastDay) {
          opts.split({ lo: bounds.lo, hi: `${day}~` }, next);
          const covered = daysBetween(bounds.lo, day) + 1;
          const left = daysBetween(day, lastDay);
          const slices = Math.ceil(left / covered);
          for (let k = 0; k < slices; k++) {
            const lo = addDays(day, 1 + Math.floor((k * left) / slices));
            const hi = addDays(day, Math.floor(((k + 1) * left) / slices));
            opts.split(daySkBounds(lo, hi));
          }
          handedOn = true;
        }
      }
      first = false;
      if (res.Items && res.Items.length > 0) yield res.Items;
      if (handedOn) return;
    }
  }

  /**
   * The shard plan of a customer·type (steps by fromDay), from the cache or the table: complete for every
   * day up to `throughDay` (default: tomorrow, UTC, by the store's clock).
   */
  async shardPlan(customerId: string, eventType: string, throughDay?: string): Promise<ShardStep[]> {
    const day = throughDay ?? utcDay(new Date(this.#now().getTime() + DAY_MS).toISOString());
    return (
      (await this.#plansFor([[customerId, eventType, day]])).get(shardPlanPk(customerId, eventType)) ?? []
    );
  }

  /**
   * Spreads a customer·type over `count` shards from `fromDay` (UTC) on. The day must be after
   * `utcDay(now + 1 day + shardPlanMarginMs)`: no event of it can be stored yet (ingestion accepts times
   * at most a day ahead), and every plan a writer or reader has cached answers only for days before it
   * (see `#plansFor`), so no event changes key and no reader misses a shard.
   */
  async setShardCount(input: {
    customerId: string;
    eventType: string;
    count: number;
    fromDay: string;
    now: Date;
  }): Promise<ShardStep[]> {
    const step = ShardStepSchema.parse({ fromDay: input.fromDay, count: input.count });
    const earliest = utcDay(new Date(input.now.getTime() + DAY_MS + this.#marginMs).toISOString());
    if (step.fromDay <= earliest) {
      throw new RangeError(
        `shard plan ${input.customerId}·${input.eventType}: fromDay ${step.fromDay} must be after ${earliest}, ` +
          'so that no writer still uses the old shard count on that day',
      );
    }
    const pk = shardPlanPk(input.customerId, input.eventType);
    this.#plans.delete(pk);
    const current = await this.#readPlan(pk);
    const steps = [...current.steps.filter((s) => s.fromDay < step.fromDay), step];
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk, sk: 'PLAN', steps, v: current.version + 1 },
          ConditionExpression: 'attribute_not_exists(pk) OR v = :v',
          ExpressionAttributeValues: { ':v': current.version },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) {
        throw new ConflictError('shard plan', pk, 'changed concurrently; read it again', { cause: err });
      }
      throw err;
    }
    this.#plans.delete(pk);
    return steps;
  }

  async #readPlan(pk: string): Promise<{ steps: ShardStep[]; version: number }> {
    this.stats.requests++;
    const res = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: { pk, sk: 'PLAN' }, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.stats.readUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
    return { steps: planSteps(res.Item), version: Number(res.Item?.v ?? 0) };
  }

  /**
   * The shard plans of customer·types, each complete for every day up to the day given with it.
   *
   * A plan read at instant R (by `now()`, taken before the read) is complete for every day up to its
   * horizon `utcDay(R + 1 day)`, forever: `setShardCount` at any later instant S accepts only a step from
   * after `utcDay(S + 1 day + margin)`, and S + margin >= R while the clocks of the processes differ by
   * less than the margin (`shardPlanMarginMs`), so no step can start on or before the horizon. A cached
   * plan therefore answers for those days without expiring (a moved test clock or a long-lived reader does
   * not re-read it), and a day past its horizon re-reads it. Ingestion refuses times more than a day ahead
   * (`maxFutureSeconds`), so the days written to never pass the horizon of a plan read when they arrive.
   */
  async #plansFor(
    wants: readonly (readonly [customerId: string, eventType: string, day: string])[],
  ): Promise<Map<string, ShardStep[]>> {
    const out = new Map<string, ShardStep[]>();
    const missing = new Set<string>();
    for (const [c, t, day] of wants) {
      const pk = shardPlanPk(c, t);
      const cached = this.#plans.get(pk);
      if (cached !== undefined && day <= cached.horizon) out.set(pk, cached.steps);
      else missing.add(pk);
    }
    if (missing.size === 0) return out;
    const horizon = utcDay(new Date(this.#now().getTime() + DAY_MS).toISOString());
    if (missing.size === 1) {
      const pk = missing.values().next().value as string;
      const { steps } = await this.#readPlan(pk);
      this.#plans.set(pk, { steps, horizon });
      out.set(pk, steps);
      return out;
    }
    // Several at once (an ingest batch of many customers, the first one of a day): BatchGetItem, 100 keys a
    // request, instead of a GetItem each.
    const keys = [...missing];
    const found = new Map<string, Record<string, unknown>>();
    await Promise.all(
      Array.from({ length: Math.ceil(keys.length / PLAN_KEYS_PER_READ) }, async (_, i) => {
        const chunk = keys.slice(i * PLAN_KEYS_PER_READ, (i + 1) * PLAN_KEYS_PER_READ);
        await untilProcessed(
          'shard plans BatchGetItem keys',
          chunk.map((pk) => ({ pk, sk: 'PLAN' })),
          async (pending) => {
            this.stats.requests++;
            const res = await this.#doc.send(
              new BatchGetCommand({
                RequestItems: { [this.#table]: { Keys: [...pending], ProjectionExpression: 'pk, steps' } },
                ReturnConsumedCapacity: 'TOTAL',
              }),
            );
            for (const c of res.ConsumedCapacity ?? []) this.stats.readUnits += c.CapacityUnits ?? 0;
            for (const item of res.Responses?.[this.#table] ?? []) found.set(String(item.pk), item);
            return res.UnprocessedKeys?.[this.#table]?.Keys as { pk: string; sk: string }[] | undefined;
          },
        );
      }),
    );
    for (const pk of keys) {
      const steps = planSteps(found.get(pk));
      this.#plans.set(pk, { steps, horizon });
      out.set(pk, steps);
    }
    return out;
  }
}

/**
 * An input's outcome while its batch is written: a copy found under its key is kept with the stored origin tag
 * until `#putItems` tells whose write it was.
 */
type Settled =
  | PutOutcome
  | { readonly status: 'found'; readonly hash: string; readonly tag: string | undefined };

/** Keys of one BatchGetItem of shard plans (DynamoDB's limit). */
const PLAN_KEYS_PER_READ = 100;

/** The steps of a stored shard plan (none stored: no steps), sorted by `fromDay`. */
function planSteps(item: Record<string, unknown> | undefined): ShardStep[] {
  const steps = z.array(ShardStepSchema).parse(item?.steps ?? []);
  return steps.sort((a, b) => a.fromDay.localeCompare(b.fromDay));
}

/** Whether `a` comes after `b` in time, ties broken by `source#id` (the record id aggregations sort by). */
function isLater(a: StoredEvent, b: StoredEvent): boolean {
  const ta = Date.parse(a.event.time);
  const tb = Date.parse(b.event.time);
  if (ta !== tb) return ta > tb;
  return `${a.event.source}#${a.event.id}` > `${b.event.source}#${b.event.id}`;
}

/** Items per Query page of a period read (see `#pages`): 16 partitions in flight hold at most 16 × 500 items. */
const PAGE_ITEMS = 500;

/**
 * Pages of several paginated sources merged as they arrive, at most `concurrency` sources in flight, each
 * prefetching its next page while the consumer works on the current one.
 */
async function* fanIn<T>(
  /** May grow while the fan-in runs (a source may add more): they are started as slots free up. */
  sources: readonly (() => AsyncGenerator<T[]>)[],
  concurrency: number,
): AsyncGenerator<T> {
  type Next = { i: number; r: IteratorResult<T[]> };
  const its: AsyncGenerator<T[]>[] = [];
  const pending = new Map<number, Promise<Next>>();
  let started = 0;
  const pull = (i: number) =>
    pending.set(
      i,
      its[i]!.next().then((r) => ({ i, r })),
    );
  const start = () => {
    const i = started++;
    its[i] = sources[i]!();
    pull(i);
  };
  const fill = () => {
    while (pending.size < concurrency && started < sources.length) start();
  };
  fill();
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        fill();
        continue;
      }
      pull(i);
      fill();
      yield* r.value;
    }
  } finally {
    // Stop prefetching when the consumer breaks out early; swallow the abandoned pages' outcomes.
    for (const p of pending.values()) p.catch(() => undefined);
  }
}
