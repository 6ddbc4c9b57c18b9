/**
 * Raw usage events and meter readings in the usage table: put each event at most once, read a
 * customer·event type·time range back for billing.
 *
 * ## Keys (usage table)
 *
 * | item        | pk                                                  | sk                  |
 * | ----------- | --------------------------------------------------- | ------------------- |
 * | event       | `U#<customerId>#<eventType>#<yyyy-mm-dd>#<shard>`   | `["<source>","<id>"]` |
 * | shard plan  | `USHARDS#<customerId>#<eventType>`                  | `PLAN`              |
 *
 * ## Access patterns
 *
 * | pattern                                         | operation                                                  |
 * | ----------------------------------------------- | ---------------------------------------------------------- |
 * | put an event once (dedupe + conflict detection) | PutItem `attribute_not_exists(pk)`, ALL_OLD on failure     |
 * | events of a customer·type in [from, to)         | Query each `pk` of the UTC days overlapping × shards, in parallel, filter on `t` |
 * | last event of a customer·type before t (opening read / level) | Query the UTC days before t × shards, newest week first, filter on `t` (and `r`), at most `lookbackDays` |
 * | shard count of a customer·type on a day         | GetItem shard plan (cached)                                |
 *
 * ## Why these keys
 * - The key derives from the identity (plus customer, type and the event's UTC day), so the conditional put
 *   IS the dedupe: no identity-claim item, no transaction, one write unit per event of ≤ 1 KB. A duplicate
 *   costs the failed put (AWS charges it) and nothing else: `ReturnValuesOnConditionCheckFailure: ALL_OLD`
 *   returns the stored hash (dynalite omits it, so there a consistent GetItem of 0.5 RCU follows).
 * - One item per event, not per meter: meters that read the same type (call count and call minutes) share
 *   it; billing maps events to each meter's records with `toUsageRecord` when it reads.
 * - The UTC day, not the customer's billing period: periods depend on the subscription and the zone and can
 *   change; the billing run reads every day overlapping its period (at most one extra day at each end) and
 *   filters on the time attribute. Days also bound a partition's size for a busy customer.
 * - Shards: a customer·type that could exceed one partition's 1,000 writes/s gets N shards, chosen by
 *   `fnv1a(identity) mod N`, so a redelivery lands on the same shard. N comes from the shard plan, a list of
 *   `{ fromDay, count }` steps: a change applies from a future day only, so an event's key never changes while
 *   a redelivery of it can still arrive, and readers know N for every day.
 *
 * ## Dedupe window and its trade-off
 * An event item lives until `time + retentionDays` (TTL `expiresAt`, default 400 days), or one day past the
 * last instant a redelivery of it can be accepted when that is later (`EventToStore.acceptUntil`). Ingestion
 * accepts an event while it is inside its customer's acceptance window (the longest billing period of the
 * customer's subscriptions + the plan's `lateAcceptanceDays` + 1 day; 67 days by default, 402 for a yearly
 * plan with the default 35), so every redelivery that can be accepted finds the first copy: the dedupe window
 * is the whole acceptance window. (A plan change that widens a customer's window later does not extend items
 * already written; the 400-day retention covers every window up to 399 days.) A redelivery whose `time` moved
 * to another UTC day, or whose `subject` moved to another customer, has another key: it is stored as a
 * second event instead of being flagged as a conflict. Detecting that
 * would need an identity-claim item (`EVT#<hash(source,id)>` in the registry), doubling the write cost; we
 * accept it because a producer's retry resends the same payload.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  type GetItemCommandOutput,
  PutItemCommand,
  type PutItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EventToStore, PutOutcome } from '@tally/ingest';
import { fnv1a, identityKey, shardOf, utcDay } from '@tally/ingest';
import { type Meter, toUsageRecord, type UsageEvent, type UsageRecord } from '@tally/metering';
import { z } from 'zod';
import { ConflictError, isConditionFailed } from './errors.js';

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
 * Sends the conditional puts (and, where a failed put does not return the stored item, the read of its
 * hash): a low-level DynamoDB client; the store marshals the attributes itself.
 */
export interface EventWriteClient {
  send(command: PutItemCommand): Promise<PutItemCommandOutput>;
  send(command: GetItemCommand): Promise<GetItemCommandOutput>;
}

export interface UsageStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * The client the conditional puts of `putEvents` go through. Ingestion puts one event per request, so the
   * per-request work on our side counts: the store marshals its fixed-shape items itself (no document-client
   * translation), and a client created with `cacheMiddleware: true` resolves the SDK middleware stack once
   * instead of for every put. Default: `doc` (same requests, middleware resolved per put). Never give a
   * client with `cacheMiddleware` to a document client: its commands ignore the cached handler's input.
   */
  readonly writeClient?: EventWriteClient;
  /** Puts in flight at once. Default 64. */
  readonly concurrency?: number;
  /** How long a shard plan is cached. Default 60 s. */
  readonly shardPlanCacheMs?: number;
  /** Days an event is kept (TTL). Default 400. */
  readonly retentionDays?: number;
  /** Where the cache reads time. Default the system clock. */
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

export const QueryEventsInputSchema = z
  .object({
    customerId: z.string().min(1),
    /** The event type a meter reads (`meter.eventType`). */
    eventType: z.string().min(1),
    /** Inclusive start, ISO instant. */
    from: z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString()),
    /** Exclusive end, ISO instant. */
    to: z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString()),
    /** Partition queries in flight at once. Default 16. */
    concurrency: z.int().min(1).max(256).optional(),
    /** Strongly consistent reads (twice the read cost). Default false: billing reads hours after the period. */
    consistent: z.boolean().optional(),
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] });
export type QueryEventsInput = z.input<typeof QueryEventsInputSchema>;

export const LastEventBeforeInputSchema = z.object({
  customerId: z.string().min(1),
  eventType: z.string().min(1),
  /** Exclusive bound, ISO instant (a period start). */
  before: z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString()),
  /** Only events that arrived before this instant (the arrival cutoff of the read that uses it). */
  receivedBefore: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s).toISOString())
    .optional(),
  /**
   * UTC days to look back, the day of `before` included. Default 93: a register read quarterly still finds
   * its previous read. Each day costs one Query per shard, issued a week at a time.
   */
  lookbackDays: z.int().min(1).max(400).default(93),
});
export type LastEventBeforeInput = z.input<typeof LastEventBeforeInputSchema>;

/** Days of a backward search queried in parallel per round. */
const LOOKBACK_DAYS_PER_ROUND = 7;

/**
 * zlib allocates its state for every call: 2^(windowBits+2) + 2^(memLevel+9) bytes, 256 KB with the defaults,
 * for data that is mostly 1–4 KB. A window no larger than the data (at least 512 B, the raw-deflate minimum)
 * compresses it the same; inflate with the default window reads any smaller one.
 */
function deflateOptions(length: number): { windowBits: number; memLevel: number } {
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(length))));
  return { windowBits, memLevel: Math.min(8, windowBits - 6) };
}

/** Items larger than this are one write unit more; the event data is deflated to stay under it. */
const WRITE_UNIT_BYTES = 1024;

/** pk of an event item. */
export function eventPk(customerId: string, eventType: string, day: string, shard: number): string {
  return `U#${customerId}#${eventType}#${day}#${shard}`;
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
 * a redelivery of it can be accepted when that is later (a customer with a long acceptance window), so an
 * item never expires while a copy of it can still be accepted: the dedupe window covers the acceptance window.
 */
export function expiresAt(timeMs: number, retentionDays: number, acceptUntil?: number): number {
  const kept = timeMs + retentionDays * DAY_MS;
  return Math.floor(
    (acceptUntil !== undefined && acceptUntil + DAY_MS > kept ? acceptUntil + DAY_MS : kept) / 1000,
  );
}

/** Maps an event to its item. `source`, `id` and `type` live in the key, so they are not repeated. */
export function toItem(input: EventToStore, shard: number, retentionDays: number): EventItem {
  const { event } = input;
  const { specversion: _v, id, source, type, subject, time, data, ...extra } = event;
  const item: EventItem = {
    pk: eventPk(input.customerId, type, utcDay(time), shard),
    sk: identityKey(source, id),
    t: time,
    h: input.hash,
    m: originTag(input.origin),
    r: input.receivedAt,
    s: subject,
    d: JSON.stringify(data),
    ...(Object.keys(extra).length > 0 ? { x: JSON.stringify(extra) } : {}),
    expiresAt: expiresAt(Date.parse(time), retentionDays, input.acceptUntil),
  };
  if (item.d!.length > 400 && itemSize(item as unknown as Record<string, unknown>) > WRITE_UNIT_BYTES) {
    const z = deflateRawSync(item.d!, deflateOptions(item.d!.length));
    if (z.length < item.d!.length) {
      delete item.d;
      item.z = z;
    }
  }
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

/** Maps an item back to the customer id and the event as it was validated. */
export function fromItem(item: Record<string, unknown>): StoredEvent {
  const pk = String(item.pk);
  const parts = pk.split('#');
  // U # customerId # eventType # day # shard: ids cannot contain '#' (the catalog refuses them).
  const customerId = parts[1]!;
  const type = parts[2]!;
  const [source, id] = JSON.parse(String(item.sk)) as [string, string];
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
  readonly #cacheMs: number;
  readonly #retentionDays: number;
  readonly #now: () => Date;
  readonly #plans = new Map<string, { steps: ShardStep[]; version: number; until: number }>();

  /**
   * A low-level client for `writeClient`: middleware resolved once per command class (`cacheMiddleware`),
   * and without the SDK's logger middleware, which filters every request and response for sensitive fields
   * even when nothing logs (the default logger is a no-op). Endpoint, region and credentials come from the
   * environment, like `createDocumentClient`.
   *
   * @example
   * new UsageStore({ doc, writeClient: UsageStore.createWriteClient(), tableName });
   */
  static createWriteClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
    const client = new DynamoDBClient({ maxAttempts: 8, ...config, cacheMiddleware: true });
    client.middlewareStack.remove('loggerMiddleware');
    return client;
  }

  constructor(options: UsageStoreOptions) {
    this.#doc = options.doc;
    // The document client passes low-level commands through untranslated.
    this.#writer = options.writeClient ?? (options.doc as unknown as EventWriteClient);
    this.#table = options.tableName;
    this.#concurrency = options.concurrency ?? 64;
    this.#cacheMs = options.shardPlanCacheMs ?? 60_000;
    this.#retentionDays = options.retentionDays ?? 400;
    this.#now = options.now ?? (() => new Date());
  }

  /** Puts one event at most once; see `putEvents`. */
  async putEvent(input: EventToStore): Promise<PutOutcome> {
    const [outcome] = await this.putEvents([input]);
    return outcome!;
  }

  /**
   * Puts events, each with a conditional PutItem (BatchWriteItem cannot be conditional), `concurrency` at a
   * time. Resolves per input, in order: `stored`, `exists` with the stored copy's hash, or `error`.
   */
  async putEvents(inputs: readonly EventToStore[]): Promise<PutOutcome[]> {
    const plans = await this.#plansFor(inputs.map((i) => [i.customerId, i.event.type] as const));
    const outcomes: PutOutcome[] = new Array(inputs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < inputs.length; i = next++) {
        const input = inputs[i]!;
        const steps = plans.get(shardPlanPk(input.customerId, input.event.type)) ?? [];
        const count = shardCountOn(steps, utcDay(input.event.time));
        const shard = shardOf(identityKey(input.event.source, input.event.id), count);
        outcomes[i] = await this.#put(toItem(input, shard, this.#retentionDays), input.origin);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, inputs.length) }, worker));
    return outcomes;
  }

  async #put(item: EventItem, origin: string): Promise<PutOutcome> {
    try {
      this.stats.requests++;
      const res = await this.#writer.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toAttributeValues(item),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.stats.writeUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
      return { status: 'stored' };
    } catch (err) {
      if (!isConditionFailed(err)) return { status: 'error', error: err };
      this.stats.failedConditionalPuts++;
      this.stats.writeUnits += Math.ceil(
        itemSize(item as unknown as Record<string, unknown>) / WRITE_UNIT_BYTES,
      );
      try {
        const old = await this.#existing(err, item);
        return { status: 'exists', hash: old.h, ownWrite: old.m === originTag(origin) };
      } catch (readErr) {
        return { status: 'error', error: readErr };
      }
    }
  }

  /** The stored copy's hash and origin: from the failed put (AWS), or a consistent read (dynalite). */
  async #existing(err: unknown, item: EventItem): Promise<{ h: string; m?: string }> {
    const returned = (err as { Item?: Record<string, { S?: string } | string> }).Item;
    const str = (v: { S?: string } | string | undefined): string | undefined =>
      typeof v === 'string' ? v : v?.S;
    const h = str(returned?.h);
    if (h !== undefined) return { h, ...(str(returned?.m) !== undefined ? { m: str(returned?.m)! } : {}) };
    this.stats.requests++;
    const got = await this.#writer.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: { pk: { S: item.pk }, sk: { S: item.sk } },
        ProjectionExpression: 'h, m',
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.stats.readUnits += got.ConsumedCapacity?.CapacityUnits ?? 0;
    const stored = got.Item?.h?.S;
    if (stored === undefined) {
      // The condition failed on an item that is gone: only TTL deletes events, long after the window.
      throw new ConflictError(
        'usage event',
        `${item.pk} ${item.sk}`,
        'condition failed but the item is gone',
      );
    }
    const m = got.Item?.m?.S;
    return { h: stored, ...(m !== undefined ? { m } : {}) };
  }

  /**
   * Every stored event of a customer·event type with `from <= time < to`: the UTC days overlapping the
   * range × their shards, queried in parallel and paginated. Order is not defined (aggregations sort).
   */
  async *queryEvents(input: QueryEventsInput): AsyncGenerator<StoredEvent> {
    const q = QueryEventsInputSchema.parse(input);
    const steps = (await this.#plansFor([[q.customerId, q.eventType]])).get(
      shardPlanPk(q.customerId, q.eventType),
    );
    const sources: (() => AsyncGenerator<Record<string, unknown>[]>)[] = [];
    const lastMs = Date.parse(q.to) - 1;
    for (let ms = Date.parse(`${utcDay(q.from)}T00:00:00.000Z`); ms <= lastMs; ms += DAY_MS) {
      const day = new Date(ms).toISOString().slice(0, 10);
      const count = shardCountOn(steps ?? [], day);
      for (let shard = 0; shard < count; shard++) {
        sources.push(() => this.#pages(eventPk(q.customerId, q.eventType, day, shard), q));
      }
    }
    for await (const item of fanIn(sources, q.concurrency ?? 16)) yield fromItem(item);
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
   * The last stored event of a customer·event type with `time < before` (ordered by time, then by
   * `source#id` as aggregations order records), or null when none is found within `lookbackDays`. Billing
   * reads it as the opening state of register and time-weighted meters (the last read, the level in force at
   * the period start). Sort keys are identities, not times, so every item of a day is read and filtered; the
   * search stops at the first week that holds one.
   */
  async lastEventBefore(input: LastEventBeforeInput): Promise<StoredEvent | null> {
    const q = LastEventBeforeInputSchema.parse(input);
    const steps = await this.shardPlan(q.customerId, q.eventType);
    const beforeMs = Date.parse(q.before);
    const newestDayMs = Date.parse(`${utcDay(new Date(beforeMs - 1).toISOString())}T00:00:00.000Z`);
    for (let offset = 0; offset < q.lookbackDays; offset += LOOKBACK_DAYS_PER_ROUND) {
      const pks: string[] = [];
      for (let i = offset; i < Math.min(offset + LOOKBACK_DAYS_PER_ROUND, q.lookbackDays); i++) {
        const day = new Date(newestDayMs - i * DAY_MS).toISOString().slice(0, 10);
        const count = shardCountOn(steps, day);
        for (let shard = 0; shard < count; shard++) pks.push(eventPk(q.customerId, q.eventType, day, shard));
      }
      const found = (await Promise.all(pks.map((pk) => this.#lastBefore(pk, q)))).filter(
        (e): e is StoredEvent => e !== null,
      );
      if (found.length > 0) return found.reduce((a, b) => (isLater(b, a) ? b : a));
    }
    return null;
  }

  async #lastBefore(pk: string, q: { before: string; receivedBefore?: string }): Promise<StoredEvent | null> {
    let best: StoredEvent | null = null;
    let start: Record<string, unknown> | undefined;
    do {
      this.stats.requests++;
      const res = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: q.receivedBefore === undefined ? '#t < :before' : '#t < :before AND #r < :rb',
          ExpressionAttributeNames: { '#t': 't', ...(q.receivedBefore === undefined ? {} : { '#r': 'r' }) },
          ExpressionAttributeValues: {
            ':pk': pk,
            ':before': q.before,
            ...(q.receivedBefore === undefined ? {} : { ':rb': q.receivedBefore }),
          },
          ReturnConsumedCapacity: 'TOTAL',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      this.stats.readUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of res.Items ?? []) {
        const e = fromItem(item);
        if (best === null || isLater(e, best)) best = e;
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return best;
  }

  async *#pages(
    pk: string,
    q: { from: string; to: string; consistent?: boolean | undefined },
  ): AsyncGenerator<Record<string, unknown>[]> {
    let start: Record<string, unknown> | undefined;
    do {
      this.stats.requests++;
      const res = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: '#t >= :from AND #t < :to',
          ExpressionAttributeNames: { '#t': 't' },
          ExpressionAttributeValues: { ':pk': pk, ':from': q.from, ':to': q.to },
          ConsistentRead: q.consistent ?? false,
          ReturnConsumedCapacity: 'TOTAL',
          // Pages of at most PAGE_ITEMS: the fan-in holds a page per partition in flight, so this (not the
          // 1 MB page of DynamoDB, reached only by busy days) bounds a reader's memory at any volume.
          Limit: PAGE_ITEMS,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      this.stats.readUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
      if (res.Items && res.Items.length > 0) yield res.Items;
      start = res.LastEvaluatedKey;
    } while (start);
  }

  /** The shard plan of a customer·type (steps by fromDay), from the cache or the table. */
  async shardPlan(customerId: string, eventType: string): Promise<ShardStep[]> {
    return (await this.#plansFor([[customerId, eventType]])).get(shardPlanPk(customerId, eventType)) ?? [];
  }

  /**
   * Spreads a customer·type over `count` shards from `fromDay` (UTC) on. The day must be later than
   * tomorrow plus the cache time, so no writer still uses the old count for it and no event changes key.
   */
  async setShardCount(input: {
    customerId: string;
    eventType: string;
    count: number;
    fromDay: string;
    now: Date;
  }): Promise<ShardStep[]> {
    const step = ShardStepSchema.parse({ fromDay: input.fromDay, count: input.count });
    const earliest = utcDay(new Date(input.now.getTime() + DAY_MS + this.#cacheMs).toISOString());
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
    const steps = z.array(ShardStepSchema).parse(res.Item?.steps ?? []);
    return {
      steps: steps.sort((a, b) => a.fromDay.localeCompare(b.fromDay)),
      version: Number(res.Item?.v ?? 0),
    };
  }

  async #plansFor(pairs: readonly (readonly [string, string])[]): Promise<Map<string, ShardStep[]>> {
    const now = this.#now().getTime();
    const out = new Map<string, ShardStep[]>();
    const missing = new Set<string>();
    for (const [c, t] of pairs) {
      const pk = shardPlanPk(c, t);
      const cached = this.#plans.get(pk);
      if (cached && cached.until > now) out.set(pk, cached.steps);
      else missing.add(pk);
    }
    await Promise.all(
      [...missing].map(async (pk) => {
        const plan = await this.#readPlan(pk);
        this.#plans.set(pk, { ...plan, until: now + this.#cacheMs });
        out.set(pk, plan.steps);
      }),
    );
    return out;
  }
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
  while (pending.size < concurrency && started < sources.length) start();
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        if (started < sources.length) start();
        continue;
      }
      pull(i);
      yield* r.value;
    }
  } finally {
    // Stop prefetching when the consumer breaks out early; swallow the abandoned pages' outcomes.
    for (const p of pending.values()) p.catch(() => undefined);
  }
}
