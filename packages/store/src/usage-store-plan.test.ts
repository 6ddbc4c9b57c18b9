import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventToStore } from '@tally/ingest';
import { identityKey, shardOf } from '@tally/ingest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InsertBatchCommand } from './insert-batch.js';
import { type EventWriteClient, shardCountOn, UsageStore } from './usage-store.js';

// The shard-plan cache of the usage store, against an in-memory table of plan items (the only items these
// tests read through the document client) and a write client that records the pk of every INSERT.

interface PlanTable {
  items: Map<string, Record<string, unknown>>;
  gets: number;
  /** BatchGetItem requests, and the keys they asked for. */
  batchGets: { pks: string[] }[];
}

function planDoc(table: PlanTable): DynamoDBDocumentClient {
  return {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const input = command.input as {
        Key?: { pk: string };
        Item?: { pk: string; v: number };
        ExpressionAttributeValues?: Record<string, unknown>;
      };
      if (command.constructor.name === 'GetCommand') {
        table.gets++;
        return { Item: table.items.get(input.Key!.pk), $metadata: {} };
      }
      if (command.constructor.name === 'BatchGetCommand') {
        const [[name, req]] = Object.entries(
          (command.input as { RequestItems: Record<string, { Keys: { pk: string }[] }> }).RequestItems,
        ) as [[string, { Keys: { pk: string }[] }]];
        table.batchGets.push({ pks: req.Keys.map((k) => k.pk) });
        const items = req.Keys.flatMap((k) => (table.items.has(k.pk) ? [table.items.get(k.pk)!] : []));
        return { Responses: { [name]: items }, $metadata: {} };
      }
      if (command.constructor.name === 'PutCommand') {
        const was = table.items.get(input.Item!.pk);
        if (was !== undefined && was.v !== input.ExpressionAttributeValues?.[':v']) {
          throw Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' });
        }
        table.items.set(input.Item!.pk, input.Item!);
        return { $metadata: {} };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  } as unknown as DynamoDBDocumentClient;
}

function recordingWriter(pks: string[]): EventWriteClient {
  return {
    async send(command: InsertBatchCommand) {
      for (const item of command.items) pks.push(item.pk);
      return { Responses: command.items.map(() => ({})), $metadata: {} };
    },
  } as unknown as EventWriteClient;
}

function input(id: string, time: string): EventToStore {
  return {
    customerId: 'cust-1',
    event: {
      specversion: '1.0',
      id,
      source: 'urn:test',
      type: 'tally.call.completed',
      subject: 'cust-1',
      time,
      data: {},
    },
    hash: `hash-${id}`,
    receivedAt: time,
    origin: `msg-${id}`,
  } as EventToStore;
}

/** A clock the tests move by hand, and a store on the shared plan table that reads it. */
function setup(table: PlanTable, start: string) {
  let now = Date.parse(start);
  const pks: string[] = [];
  const store = new UsageStore({
    doc: planDoc(table),
    writeClient: recordingWriter(pks),
    tableName: 'usage',
    now: () => new Date(now),
  });
  return {
    store,
    pks,
    at: (iso: string) => {
      now = Date.parse(iso);
    },
    put: (id: string, time: string) => store.putEvents([input(id, time)]),
  };
}

const newTable = (): PlanTable => ({ items: new Map(), gets: 0, batchGets: [] });

describe('UsageStore: the shard-plan cache answers up to the day after the read', () => {
  it('does not read the plan again when the clock moves by an hour, or into the next day for its events', async () => {
    const table = newTable();
    const w = setup(table, '2026-01-10T10:00:00Z');
    await w.put('a', '2026-01-10T09:00:00Z');
    expect(table.gets).toBe(1);
    // read at Jan 10 10:00: complete through utcDay(Jan 11 10:00) = Jan 11
    w.at('2026-01-10T11:00:00Z');
    await w.put('b', '2026-01-10T10:30:00Z');
    w.at('2026-01-11T23:00:00Z');
    await w.put('c', '2026-01-11T22:00:00Z');
    // and for any earlier day, at any later time (a billing read of an old period)
    w.at('2026-03-01T00:00:00Z');
    await w.put('d', '2026-01-02T00:00:00Z');
    expect(table.gets).toBe(1);
  });

  it('reads the plan again for an event on a day past the horizon, and then caches up to the new one', async () => {
    const table = newTable();
    const w = setup(table, '2026-01-10T10:00:00Z');
    await w.put('a', '2026-01-10T09:00:00Z');
    // horizon Jan 11; the clock is at Jan 11 23:50 and the event 15 minutes ahead, on Jan 12
    w.at('2026-01-11T23:50:00Z');
    await w.put('b', '2026-01-12T00:05:00Z');
    expect(table.gets).toBe(2);
    // read at Jan 11 23:50: horizon utcDay(Jan 12 23:50) = Jan 12
    await w.put('c', '2026-01-12T00:06:00Z');
    expect(table.gets).toBe(2);
  });

  it('never misses a plan change for a day it governs: the step set at the last allowed instant', async () => {
    const table = newTable();
    const w = setup(table, '2026-01-10T10:00:00Z');
    const admin = setup(table, '2026-01-10T10:00:00Z');
    await w.put('a', '2026-01-10T09:00:00Z');
    // Another process, its clock 50 s behind (under the 60 s margin), changes the plan just after the read:
    // earliest = utcDay(Jan 10 09:59:10 + 1 day + 60 s) = Jan 11, so Jan 12 is the first day it may change.
    await expect(
      admin.store.setShardCount({
        customerId: 'cust-1',
        eventType: 'tally.call.completed',
        count: 8,
        fromDay: '2026-01-11',
        now: new Date('2026-01-10T09:59:10Z'),
      }),
    ).rejects.toThrow(/must be after 2026-01-11/);
    await admin.store.setShardCount({
      customerId: 'cust-1',
      eventType: 'tally.call.completed',
      count: 8,
      fromDay: '2026-01-12',
      now: new Date('2026-01-10T09:59:10Z'),
    });
    // Jan 11 is still one shard (the cached plan is right for it); Jan 12 is past the horizon: read again.
    w.at('2026-01-11T23:59:00Z');
    const ids = Array.from({ length: 16 }, (_, i) => `e${i}`);
    for (const id of ids) await w.put(`${id}-11`, '2026-01-11T23:00:00Z');
    for (const id of ids) await w.put(`${id}-12`, '2026-01-12T00:10:00Z');
    const expected = (id: string, count: number) => shardOf(identityKey('urn:test', id), count);
    const got = w.pks.slice(1);
    expect(got.map((pk) => Number(pk.split('#').at(-1)))).toEqual([
      ...ids.map((id) => expected(`${id}-11`, 1)),
      ...ids.map((id) => expected(`${id}-12`, 8)),
    ]);
  });

  it('keeps the margin in setShardCount: a step must start after utcDay(now + 1 day + 60 s)', async () => {
    const { store } = setup(newTable(), '2026-01-10T00:00:00Z');
    const set = (fromDay: string) =>
      store.setShardCount({
        customerId: 'cust-1',
        eventType: 'tally.call.completed',
        count: 2,
        fromDay,
        now: new Date('2026-01-10T23:59:30Z'),
      });
    // Jan 10 23:59:30 + 1 day + 60 s = Jan 12 00:00:30: Jan 12 is too early, Jan 13 is the first allowed day
    await expect(set('2026-01-12')).rejects.toThrow(RangeError);
    await expect(set('2026-01-13')).resolves.toEqual([{ fromDay: '2026-01-13', count: 2 }]);
  });

  it('writes every event with the shard count of its day in the final plan, whatever the clock and changes', async () => {
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;
    const start = Date.parse('2026-01-10T00:00:00Z');
    // Steps of a run: move the clock forward, let another process change the plan as early as it may, or
    // write an event from up to 3 days back to a day ahead (ingestion's widest future window).
    const step = fc.oneof(
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 36 * HOUR }) }),
      fc.record({
        kind: fc.constant('plan' as const),
        count: fc.integer({ min: 2, max: 7 }),
        daysAhead: fc.integer({ min: 0, max: 1 }),
        skewMs: fc.integer({ min: -59_000, max: 59_000 }),
      }),
      fc.record({
        kind: fc.constant('event' as const),
        offsetMs: fc.oneof(
          fc.integer({ min: -3 * DAY, max: DAY }),
          fc.integer({ min: DAY - HOUR, max: DAY }),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const table = newTable();
        let now = start;
        const pks: string[] = [];
        const writer = new UsageStore({
          doc: planDoc(table),
          writeClient: recordingWriter(pks),
          tableName: 'usage',
          now: () => new Date(now),
        });
        const admin = new UsageStore({ doc: planDoc(table), tableName: 'usage' });
        const written: { id: string; day: string }[] = [];
        let n = 0;
        for (const s of steps) {
          if (s.kind === 'advance') now += s.ms;
          else if (s.kind === 'plan') {
            // The earliest day the rule accepts from the admin's (skewed) clock, plus daysAhead.
            const adminNow = now + s.skewMs;
            const earliest = Date.parse(new Date(adminNow + DAY + 60_000).toISOString().slice(0, 10));
            const fromDay = new Date(earliest + (1 + s.daysAhead) * DAY).toISOString().slice(0, 10);
            await admin.setShardCount({
              customerId: 'cust-1',
              eventType: 'tally.call.completed',
              count: s.count,
              fromDay,
              now: new Date(adminNow),
            });
          } else {
            // Eight events at once: a wrong shard count shows in at least one of their shards.
            const time = new Date(now + s.offsetMs).toISOString();
            const batch = Array.from({ length: 8 }, () => ({ id: `e${n++}`, day: time.slice(0, 10) }));
            await writer.putEvents(batch.map(({ id }) => input(id, time)));
            written.push(...batch);
          }
        }
        const final = await admin.shardPlan('cust-1', 'tally.call.completed', '9999-12-31');
        const shardsUsed = pks.map((pk) => Number(pk.split('#').at(-1)));
        const shardsDue = written.map(({ id, day }) =>
          shardOf(identityKey('urn:test', id), shardCountOn(final, day)),
        );
        expect(shardsUsed).toEqual(shardsDue);
      }),
      { numRuns: 200 },
    );
  });
});

describe('UsageStore: the plans of many customer·types are read together', () => {
  it('reads the plans an ingest batch lacks in one BatchGetItem, and writes each event to its plan’s shard', async () => {
    const table = newTable();
    const pks: string[] = [];
    const store = new UsageStore({
      doc: planDoc(table),
      writeClient: recordingWriter(pks),
      tableName: 'usage',
      now: () => new Date('2026-01-10T10:00:00Z'),
    });
    // cust-2 spreads over 4 shards from Jan 5; the others have no plan (one shard).
    await store.setShardCount({
      customerId: 'cust-2',
      eventType: 'tally.call.completed',
      count: 4,
      fromDay: '2026-01-05',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    const gets = table.gets;
    const events = ['cust-1', 'cust-2', 'cust-3'].flatMap((c) =>
      Array.from({ length: 8 }, (_, i) => ({
        ...input(`${c}-e${i}`, `2026-01-10T0${i}:00:00Z`),
        customerId: c,
      })),
    );
    await store.putEvents(events);
    // One request for the three plans, no GetItem
    expect(table.batchGets).toEqual([
      {
        pks: [
          'USHARDS#cust-1#tally.call.completed',
          'USHARDS#cust-2#tally.call.completed',
          'USHARDS#cust-3#tally.call.completed',
        ],
      },
    ]);
    expect(table.gets).toBe(gets);
    // cust-2's events by shardOf(identity, 4); the others' on shard 0
    const shardOfPk = (pk: string) => Number(pk.split('#').at(-1));
    const byCustomer = (c: string) => pks.filter((pk) => pk.startsWith(`U#${c}#`)).map(shardOfPk);
    expect(byCustomer('cust-1')).toEqual(Array(8).fill(0));
    expect(byCustomer('cust-3')).toEqual(Array(8).fill(0));
    expect(byCustomer('cust-2').sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => shardOf(identityKey('urn:test', `cust-2-e${i}`), 4)).sort(),
    );
    expect(new Set(byCustomer('cust-2')).size).toBeGreaterThan(1);
    // Cached now: a second batch reads nothing
    await store.putEvents(events.map((e) => ({ ...e, origin: `again-${e.origin}` })));
    expect(table.batchGets).toHaveLength(1);
    expect(table.gets).toBe(gets);
  });
});
