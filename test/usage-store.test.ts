import type { BatchExecuteStatementCommandOutput } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { identityKey, payloadHash, shardOf } from '@tally/ingest';
import type { UsageEvent } from '@tally/metering';
import { createDocumentClient, UsageStore } from '@tally/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { createResources } from '../packages/local-stack/src/index.js';
import type { EventWriteClient } from '../packages/store/src/usage-store.js';
import { localClients, uniquePrefix } from './support/aws.js';

// The usage store's reads against the emulator: month partitions, the day first in the sort key, so the
// bounds of the sk ranges and the backward search are checked on real key conditions.

let usage: UsageStore;
let tableName: string;

beforeAll(async () => {
  const resources = await createResources(localClients(), uniquePrefix('usage'));
  tableName = resources.tables.Usage!;
  usage = new UsageStore({
    doc: createDocumentClient(),
    tableName: resources.tables.Usage!,
    now: () => new Date('2026-03-10T00:00:00Z'),
  });
});

function event(customerId: string, id: string, time: string, type = 'x.call'): UsageEvent {
  return {
    specversion: '1.0',
    id,
    source: 'urn:t',
    type,
    subject: customerId,
    time: new Date(time).toISOString(),
    data: { n: 1 },
  } as UsageEvent;
}

async function put(customerId: string, events: { id: string; time: string; receivedAt?: string }[]) {
  const out = await usage.putEvents(
    events.map(({ id, time, receivedAt }) => {
      const e = event(customerId, id, time);
      return {
        customerId,
        event: e,
        hash: payloadHash(e),
        receivedAt: receivedAt ?? e.time,
        origin: `m-${id}`,
      };
    }),
  );
  expect(out.every((o) => o.status === 'stored')).toBe(true);
}

async function ids(customerId: string, from: string, to: string): Promise<string[]> {
  const out: string[] = [];
  for await (const s of usage.queryEvents({ customerId, eventType: 'x.call', from, to }))
    out.push(s.event.id);
  return out.sort();
}

async function requests<T>(fn: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const before = usage.stats.requests;
  const result = await fn();
  return { result, requests: usage.stats.requests - before };
}

describe('UsageStore.queryEvents on month partitions', () => {
  it('returns exactly the events with from <= time < to, at the edges of days and months', async () => {
    const c = 'edges';
    await put(c, [
      { id: 'dec31-last', time: '2025-12-31T23:59:59.999Z' },
      { id: 'jan01-first', time: '2026-01-01T00:00:00.000Z' },
      { id: 'jan15-noon', time: '2026-01-15T12:00:00.000Z' },
      { id: 'jan31-last', time: '2026-01-31T23:59:59.999Z' },
      { id: 'feb01-first', time: '2026-02-01T00:00:00.000Z' },
      { id: 'feb01-noon', time: '2026-02-01T12:00:00.000Z' },
    ]);
    expect(await ids(c, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual([
      'jan01-first',
      'jan15-noon',
      'jan31-last',
    ]);
    // A zoned month (UTC+1): Dec 31 23:00Z to Jan 31 23:00Z spans two UTC months
    expect(await ids(c, '2025-12-31T23:00:00Z', '2026-01-31T23:00:00Z')).toEqual([
      'dec31-last',
      'jan01-first',
      'jan15-noon',
    ]);
    // Ranges inside one day, and one that starts and ends on the first and last instants of a day
    expect(await ids(c, '2026-01-31T23:59:59.999Z', '2026-02-01T00:00:00.001Z')).toEqual([
      'feb01-first',
      'jan31-last',
    ]);
    expect(await ids(c, '2026-02-01T00:00:00.001Z', '2026-02-02T00:00:00Z')).toEqual(['feb01-noon']);
    expect(await ids(c, '2026-01-16T00:00:00Z', '2026-01-31T23:59:59.999Z')).toEqual([]);
  });

  it('reads a UTC month in one Query per shard, two for a zoned month; shards up to the month’s largest count', async () => {
    const c = 'sharded';
    // 3 shards from Jan 10, 2 from Jan 20 (the plan may change only days after tomorrow)
    await usage.setShardCount({
      customerId: c,
      eventType: 'x.call',
      count: 3,
      fromDay: '2026-01-10',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    await usage.setShardCount({
      customerId: c,
      eventType: 'x.call',
      count: 2,
      fromDay: '2026-01-20',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    const events = Array.from({ length: 31 }, (_, d) =>
      Array.from({ length: 4 }, (_, k) => ({
        id: `d${String(d + 1).padStart(2, '0')}-${k}`,
        time: `2026-01-${String(d + 1).padStart(2, '0')}T0${k}:30:00Z`,
      })),
    ).flat();
    await put(c, events);
    const jan = await requests(() => ids(c, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'));
    // 31 days × 4 events, each once
    expect(jan.result).toEqual(events.map((e) => e.id).sort());
    // January: its largest count is 3 → 3 Queries (each partition under one page of 500)
    expect(jan.requests).toBe(3);
    // Dec 31 23:00Z .. Jan 31 23:00Z: December (1 shard) + January (3 shards) = 4
    const zoned = await requests(() => ids(c, '2025-12-31T23:00:00Z', '2026-01-31T23:00:00Z'));
    expect(zoned.requests).toBe(4);
    // Jan 1 to Jan 9: one shard only (the steps start later)
    const early = await requests(() => ids(c, '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z'));
    expect(early.result.length).toBe(9 * 4);
    expect(early.requests).toBe(1);
  });

  it('splits a month with more than a page into parts read in parallel, each event once', async () => {
    const c = 'busy';
    // 40 events a day, Jan 1 .. Jan 30: 1,200 in one partition
    const events = Array.from({ length: 30 * 40 }, (_, i) => {
      const day = String(Math.floor(i / 40) + 1).padStart(2, '0');
      return {
        id: `b${String(i).padStart(4, '0')}`,
        time: `2026-01-${day}T${String(i % 24).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}Z`,
      };
    });
    await put(c, events);
    const jan = await requests(() => ids(c, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'));
    expect(jan.result).toEqual(events.map((e) => e.id).sort());
    // The first page (500) ends on Jan 13 (12 × 40 = 480 before it): the rest of Jan 13 (1 Query), then
    // Jan 14 .. Jan 31 (18 days) in ceil(18 / 13) = 2 slices of 9 days (360 events, 1 Query each): 1 + 1 + 2
    expect(jan.requests).toBe(4);
  });
});

describe('UsageStore: shard plans of many customers, read together', () => {
  it('writes each event of a batch of several customers to the shard of its customer’s plan', async () => {
    const doc = createDocumentClient();
    const table = tableName;
    await usage.setShardCount({
      customerId: 'plans-b',
      eventType: 'x.call',
      count: 3,
      fromDay: '2026-01-05',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    // A store with nothing cached, as an ingest container that starts: it reads the three plans at once.
    const cold = new UsageStore({ doc, tableName: table, now: () => new Date('2026-01-10T12:00:00Z') });
    const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const inputs = ['plans-a', 'plans-b', 'plans-c'].flatMap((c) =>
      ids.map((id, i) => {
        const e = event(c, id, `2026-01-10T${String(i).padStart(2, '0')}:00:00Z`);
        return { customerId: c, event: e, hash: payloadHash(e), receivedAt: e.time, origin: `m-${c}-${id}` };
      }),
    );
    const before = cold.stats.requests;
    const out = await cold.putEvents(inputs);
    expect(out.every((o) => o.status === 'stored')).toBe(true);
    // 36 events: 2 INSERT batches (25 a request) and 1 BatchGetItem of the 3 plans
    expect(cold.stats.requests - before).toBe(3);
    const onShard = async (c: string, shard: number) =>
      (
        await doc.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `U#${c}#x.call#2026-01#${shard}` },
          }),
        )
      ).Count ?? 0;
    expect(await onShard('plans-a', 0)).toBe(12);
    expect(await onShard('plans-c', 0)).toBe(12);
    const expected = [0, 1, 2].map(
      (k) => ids.filter((id) => shardOf(identityKey('urn:t', id), 3) === k).length,
    );
    expect(await Promise.all([0, 1, 2].map((k) => onShard('plans-b', k)))).toEqual(expected);
    expect(expected.filter((n) => n > 0).length).toBeGreaterThan(1);
  });
});

describe('UsageStore.lastEventBefore on month partitions', () => {
  const last = (customerId: string, q: { before: string; receivedBefore?: string; notBefore?: string }) =>
    requests(() =>
      usage.lastEventBefore({ customerId, eventType: 'x.call', ...q }).then((e) => e?.event.id ?? null),
    );

  it('finds the latest time of a day although later identities of the day sort before it backwards', async () => {
    const c = 'sameday';
    // Read backwards, Jan 20's items come in descending identity order: z… first, a-latest last.
    await put(c, [
      { id: 'a-latest', time: '2026-01-20T23:00:00Z' },
      ...Array.from({ length: 520 }, (_, i) => ({
        id: `z${String(i).padStart(3, '0')}`,
        time: `2026-01-20T${String(i % 23).padStart(2, '0')}:00:00Z`,
      })),
      { id: 'jan19', time: '2026-01-19T23:59:59Z' },
      { id: 'dec', time: '2025-12-15T00:00:00Z' },
    ]);
    // 522 items on Jan 20 and before: a page of 500, then the rest of Jan 20, where a-latest is
    const found = await last(c, { before: '2026-02-01T00:00:00Z' });
    expect(found).toEqual({ result: 'a-latest', requests: 2 });
    expect((await last(c, { before: '2026-01-20T00:00:00Z' })).result).toBe('jan19');
    // Nothing in January before the 19th: December's partition, a month earlier
    expect(await last(c, { before: '2026-01-19T00:00:00Z' })).toEqual({ result: 'dec', requests: 2 });
  });

  it('excludes the bound, late arrivals and anything before notBefore; looks back lookbackDays', async () => {
    const c = 'bounds';
    await put(c, [
      { id: 'at-bound', time: '2026-03-01T00:00:00Z' },
      { id: 'feb28-late', time: '2026-02-28T22:00:00Z', receivedAt: '2026-03-02T00:00:00Z' },
      { id: 'feb28', time: '2026-02-28T21:00:00Z' },
      { id: 'jan02', time: '2026-01-02T10:00:00Z' },
    ]);
    const before = '2026-03-01T00:00:00Z';
    expect((await last(c, { before })).result).toBe('feb28-late');
    expect((await last(c, { before, receivedBefore: '2026-03-01T00:00:00Z' })).result).toBe('feb28');
    // the bound itself is not before it
    expect((await last(c, { before: '2026-02-28T22:00:00Z' })).result).toBe('feb28');
    expect((await last(c, { before: '2026-02-28T21:00:00Z' })).result).toBe('jan02');
    expect(
      (await last(c, { before: '2026-02-28T21:00:00Z', notBefore: '2026-01-02T10:00:00Z' })).result,
    ).toBe('jan02');
    expect(
      (await last(c, { before: '2026-02-28T21:00:00Z', notBefore: '2026-01-02T10:00:00.001Z' })).result,
    ).toBeNull();
    // 58 days back from Feb 28 reach Jan 2 (Feb 28 is day 1: 28 + 30 = 58 → Jan 2); 57 do not
    const within = (lookbackDays: number) =>
      usage
        .lastEventBefore({ customerId: c, eventType: 'x.call', before: '2026-02-28T21:00:00Z', lookbackDays })
        .then((e) => e?.event.id ?? null);
    expect(await within(58)).toBe('jan02');
    expect(await within(57)).toBeNull();
  });

  it('reads a month partition per shard and stops at the first month with an event', async () => {
    const c = 'months';
    await put(c, [{ id: 'nov', time: '2025-11-20T00:00:00Z' }]);
    // Feb 1 back 93 days: Nov 1 .. Jan 31 → January, December, then November, where it stops
    expect(await last(c, { before: '2026-02-01T00:00:00Z' })).toEqual({ result: 'nov', requests: 3 });
    // Nothing: Oct 31 .. Jan 31 is four months, four Queries (was 93 day partitions)
    expect(await last('nobody', { before: '2026-02-01T00:00:00Z' })).toEqual({
      result: null,
      requests: 4 + 1,
    });
  });
});

describe('UsageStore.putEvents: a refused INSERT settled on the local DynamoDB', () => {
  const customerId = 'refusals';
  const input = (id: string, n: number, origin: string) => {
    const e = { ...event(customerId, id, '2026-03-02T10:00:00Z'), data: { n } } as UsageEvent;
    return { customerId, event: e, hash: payloadHash(e), receivedAt: e.time, origin };
  };

  /** A store on the same table whose write client drops the stored item from refusals (no ALL_OLD). */
  function storeWithoutItems(): UsageStore {
    const client = UsageStore.createWriteClient();
    const send = client.send.bind(client) as (c: unknown) => Promise<BatchExecuteStatementCommandOutput>;
    const writeClient = {
      async send(command: unknown) {
        const out = await send(command);
        // INSERT answers only (a BatchGetItem's Responses is a map of tables).
        if (Array.isArray(out.Responses)) for (const r of out.Responses) if (r.Error) delete r.Error.Item;
        return out;
      },
    } as unknown as EventWriteClient;
    return new UsageStore({ doc: createDocumentClient(), writeClient, tableName });
  }

  it('settles duplicates and conflicts from the stored item the refusal carries, without a read', async () => {
    const first = input('dup-1', 1, 'm-a');
    expect(await usage.putEvents([first])).toEqual([{ status: 'stored' }]);
    const before = { ...usage.stats };
    const out = await usage.putEvents([input('dup-1', 1, 'm-b'), input('dup-1', 2, 'm-c')]);
    // Same identity, same key: the two go out in successive waves and each finds the first, whose hash tells
    // the duplicate (same payload) from the conflict (another payload).
    expect(input('dup-1', 2, 'm-c').hash).not.toBe(first.hash);
    expect(out).toEqual([
      { status: 'exists', hash: first.hash },
      { status: 'exists', hash: first.hash },
    ]);
    expect(usage.stats.readUnits - before.readUnits).toBe(0);
    expect(usage.stats.requests - before.requests).toBe(2);
    // A redelivery of the input that wrote it is told so.
    expect(await usage.putEvents([input('dup-1', 1, 'm-a')])).toEqual([
      { status: 'exists', hash: first.hash, writtenBy: 'm-a' },
    ]);
  });

  it('reads the stored copies back (BatchGetItem) when a refusal carries no item', async () => {
    const store = storeWithoutItems();
    const first = input('dup-2', 1, 'm-a');
    expect(await store.putEvents([first])).toEqual([{ status: 'stored' }]);
    const before = { ...store.stats };
    const out = await store.putEvents([input('dup-2', 2, 'm-x'), input('dup-2', 1, 'm-a')]);
    expect(out).toEqual([
      { status: 'exists', hash: first.hash },
      { status: 'exists', hash: first.hash, writtenBy: 'm-a' },
    ]);
    // Two INSERT waves (one key), each refusal read back with a consistent BatchGetItem.
    expect(store.stats.requests - before.requests).toBe(4);
    expect(store.stats.readUnits - before.readUnits).toBeGreaterThan(0);
  });
});
