/**
 * The catalog ingestion reads (billing table): customers, the device registry, meters by event type, and
 * HTTP producers.
 *
 * ## Keys (billing table)
 *
 * | item                  | pk                    | sk                 | attributes                        |
 * | --------------------- | --------------------- | ------------------ | --------------------------------- |
 * | customer              | `CUST#<customerId>`   | `CUST`             | `data` (the whole customer, map)  |
 * | device                | `DEV#<deviceId>`      | `DEV`              | `data` (assignments over time)    |
 * | meter                 | `METER#<meterId>`     | `METER`            | `data` (the meter definition)     |
 * | meter by event type   | `MTYPE#<eventType>`   | `METER#<meterId>`  | `data` (copy of the meter)        |
 * | HTTP producer         | `PROD#<sha256(key)>`  | `PROD`             | `data` (allowed customers)        |
 *
 * ## Access patterns
 *
 * | pattern                                    | operation                                          |
 * | ------------------------------------------ | -------------------------------------------------- |
 * | customers and devices of a batch's subjects | BatchGetItem `CUST#s` + `DEV#s`, then the devices' customers |
 * | meters that read an event type             | Query `MTYPE#<type>`                               |
 * | a meter by id                              | GetItem `METER#<id>`                               |
 * | authenticate an HTTP producer              | GetItem `PROD#<sha256(key)>`                       |
 *
 * The catalog changes rarely and ingestion reads it for every batch: `CachedCatalog` keeps what it read for
 * a short time (default 30 s), so a new customer or meter is seen within that time; events quarantined in
 * the meantime can be replayed.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type CatalogCustomer,
  type CatalogCustomerInput,
  CatalogCustomerSchema,
  CatalogMeterSchema,
  type CatalogReader,
  type Device,
  type DeviceInput,
  DeviceSchema,
  type Producer,
  type ProducerInput,
  ProducerSchema,
  type SubjectLookup,
} from '@tally/ingest';
import type { Meter, MeterInput } from '@tally/metering';
import { untilProcessed } from './unprocessed.js';

const CUST = (id: string) => ({ pk: `CUST#${id}`, sk: 'CUST' });
const DEV = (id: string) => ({ pk: `DEV#${id}`, sk: 'DEV' });
const METER = (id: string) => ({ pk: `METER#${id}`, sk: 'METER' });
const MTYPE = (type: string, meterId: string) => ({ pk: `MTYPE#${type}`, sk: `METER#${meterId}` });
const PROD = (keyHash: string) => ({ pk: `PROD#${keyHash}`, sk: 'PROD' });

export interface CatalogStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Reads and writes the catalog items; `put*` functions are for seeding (tests, demo, admin tools). */
export class CatalogStore implements CatalogReader {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: CatalogStoreOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
  }

  /** Writes a customer; the whole record is kept under `data`, so billing's fields travel with it. */
  async putCustomer(input: CatalogCustomerInput): Promise<CatalogCustomer> {
    const customer = CatalogCustomerSchema.parse(input);
    await this.#put({ ...CUST(customer.id), type: 'customer', data: customer });
    return customer;
  }

  async getCustomer(id: string): Promise<CatalogCustomer | undefined> {
    const item = await this.#get(CUST(id));
    return item ? CatalogCustomerSchema.parse(item.data) : undefined;
  }

  async putDevice(input: DeviceInput): Promise<Device> {
    const device = DeviceSchema.parse(input);
    await this.#put({ ...DEV(device.id), type: 'device', data: device });
    return device;
  }

  /** Registers a meter, under its id and under the event type it reads. */
  async putMeter(input: MeterInput): Promise<Meter> {
    const meter = CatalogMeterSchema.parse(input);
    await Promise.all([
      this.#put({ ...METER(meter.id), type: 'meter', data: meter }),
      this.#put({ ...MTYPE(meter.eventType, meter.id), type: 'meter-by-type', data: meter }),
    ]);
    return meter;
  }

  async getMeter(id: string): Promise<Meter | undefined> {
    const item = await this.#get(METER(id));
    return item ? CatalogMeterSchema.parse(item.data) : undefined;
  }

  /** Registers an HTTP producer by the sha256 of its API key (the key itself is never stored). */
  async putProducer(input: ProducerInput): Promise<Producer> {
    const producer = ProducerSchema.parse(input);
    await this.#put({ ...PROD(producer.keyHash), type: 'producer', data: producer });
    return producer;
  }

  async getProducer(keyHash: string): Promise<Producer | undefined> {
    const item = await this.#get(PROD(keyHash));
    return item ? ProducerSchema.parse(item.data) : undefined;
  }

  async metersByType(types: readonly string[]): Promise<ReadonlyMap<string, readonly Meter[]>> {
    const out = new Map<string, Meter[]>();
    await Promise.all(
      types.map(async (type) => {
        const meters: Meter[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const res = await this.#doc.send(
            new QueryCommand({
              TableName: this.#table,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
              ExpressionAttributeValues: { ':pk': `MTYPE#${type}`, ':m': 'METER#' },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of res.Items ?? []) meters.push(CatalogMeterSchema.parse(item.data));
          start = res.LastEvaluatedKey;
        } while (start);
        out.set(type, meters);
      }),
    );
    return out;
  }

  /**
   * The customers and devices among `subjects`, plus the customers the devices are assigned to.
   * Two BatchGetItem rounds at most (100 keys per request, unprocessed keys retried).
   */
  async lookupSubjects(subjects: readonly string[]): Promise<SubjectLookup> {
    const customers = new Map<string, CatalogCustomer>();
    const devices = new Map<string, Device>();
    const keys = subjects.flatMap((s) => [CUST(s), DEV(s)]);
    for (const item of await this.#batchGet(keys)) this.#collect(item, customers, devices);
    const more = new Set<string>();
    for (const d of devices.values()) {
      for (const a of d.assignments) if (!customers.has(a.customerId)) more.add(a.customerId);
    }
    if (more.size > 0) {
      for (const item of await this.#batchGet([...more].map(CUST))) this.#collect(item, customers, devices);
    }
    return { customers, devices };
  }

  #collect(
    item: Record<string, unknown>,
    customers: Map<string, CatalogCustomer>,
    devices: Map<string, Device>,
  ) {
    if (item.sk === 'CUST') {
      const c = CatalogCustomerSchema.parse(item.data);
      customers.set(c.id, c);
    } else if (item.sk === 'DEV') {
      const d = DeviceSchema.parse(item.data);
      devices.set(d.id, d);
    }
  }

  async #batchGet(keys: { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    const chunks: { pk: string; sk: string }[][] = [];
    for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (chunk) => {
        await untilProcessed<Record<string, unknown>>('catalog BatchGetItem keys', chunk, async (pending) => {
          const res: BatchGetCommandOutput = await this.#doc.send(
            new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: [...pending] } } }),
          );
          out.push(...(res.Responses?.[this.#table] ?? []));
          return res.UnprocessedKeys?.[this.#table]?.Keys;
        });
      }),
    );
    return out;
  }

  async #put(item: Record<string, unknown>): Promise<void> {
    await this.#doc.send(new PutCommand({ TableName: this.#table, Item: item }));
  }

  async #get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const res = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: key }));
    return res.Item;
  }
}

/**
 * A read-through cache over a catalog reader, per Lambda container. Misses are cached too (a batch full of
 * one unknown subject costs one read), for the same time.
 */
export class CachedCatalog implements CatalogReader {
  readonly #inner: CatalogReader;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #customers = new Map<string, { v: CatalogCustomer | undefined; until: number }>();
  readonly #devices = new Map<string, { v: Device | undefined; until: number }>();
  readonly #meters = new Map<string, { v: readonly Meter[]; until: number }>();

  constructor(inner: CatalogReader, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#inner = inner;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  async lookupSubjects(subjects: readonly string[]): Promise<SubjectLookup> {
    const now = this.#now();
    const fresh = <V>(m: Map<string, { v: V; until: number }>, k: string) => {
      const e = m.get(k);
      return e !== undefined && e.until > now ? e : undefined;
    };
    const customers = new Map<string, CatalogCustomer>();
    const devices = new Map<string, Device>();
    const missing: string[] = [];
    for (const s of subjects) {
      const c = fresh(this.#customers, s);
      const d = fresh(this.#devices, s);
      if (c === undefined || d === undefined) {
        missing.push(s);
        continue;
      }
      if (c.v) customers.set(s, c.v);
      if (d.v) {
        devices.set(s, d.v);
        for (const a of d.v.assignments) {
          const owner = fresh(this.#customers, a.customerId);
          if (owner === undefined) missing.push(s);
          else if (owner.v) customers.set(a.customerId, owner.v);
        }
      }
    }
    if (missing.length > 0) {
      const got = await this.#inner.lookupSubjects(missing);
      const until = now + this.#ttlMs;
      for (const s of missing) {
        this.#customers.set(s, { v: got.customers.get(s), until });
        this.#devices.set(s, { v: got.devices.get(s), until });
      }
      for (const [id, c] of got.customers) {
        this.#customers.set(id, { v: c, until });
        customers.set(id, c);
      }
      for (const [id, d] of got.devices) devices.set(id, d);
    }
    return { customers, devices };
  }

  async metersByType(types: readonly string[]): Promise<ReadonlyMap<string, readonly Meter[]>> {
    const now = this.#now();
    const out = new Map<string, readonly Meter[]>();
    const missing = types.filter((t) => {
      const e = this.#meters.get(t);
      if (e !== undefined && e.until > now) out.set(t, e.v);
      return !(e !== undefined && e.until > now);
    });
    if (missing.length > 0) {
      const got = await this.#inner.metersByType(missing);
      for (const t of missing) {
        const v = got.get(t) ?? [];
        this.#meters.set(t, { v, until: now + this.#ttlMs });
        out.set(t, v);
      }
    }
    return out;
  }
}
