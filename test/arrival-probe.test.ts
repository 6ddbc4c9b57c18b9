import { randomBytes } from 'node:crypto';
import { payloadHash } from '@tally/ingest';
import type { UsageEvent } from '@tally/metering';
import { createDocumentClient, UsageStore } from '@tally/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { createResources } from '../packages/local-stack/src/index.js';
import { localClients, uniquePrefix } from './support/aws.js';

// The usage store's arrival probe against the emulator: real key conditions and filter expressions on the usage table.

let usage: UsageStore;

beforeAll(async () => {
  const resources = await createResources(localClients(), uniquePrefix('arrivals'));
  const doc = createDocumentClient();
  usage = new UsageStore({
    doc,
    tableName: resources.tables.Usage!,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
});

async function put(
  customerId: string,
  events: { id: string; time: string; receivedAt: string; data?: Record<string, unknown> }[],
) {
  const out = await usage.putEvents(
    events.map(({ id, time, receivedAt, data }) => {
      const event = {
        specversion: '1.0',
        id,
        source: 'urn:t',
        type: 'x.call',
        subject: customerId,
        time,
        data: data ?? { n: 1 },
      } as UsageEvent;
      return { customerId, event, hash: payloadHash(event), receivedAt, origin: `m-${id}` };
    }),
  );
  expect(out.every((o) => o.status === 'stored')).toBe(true);
}

const JAN = { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };

describe('UsageStore.anyArrived', () => {
  it('finds an event only when its time and its arrival are both in range (from inclusive, before exclusive)', async () => {
    const c = 'edges';
    await put(c, [
      { id: 'on-time', time: '2026-01-10T10:00:00.000Z', receivedAt: '2026-01-10T10:00:01.000Z' },
      { id: 'late', time: '2026-01-20T10:00:00.000Z', receivedAt: '2026-02-03T00:00:00.000Z' },
      // Arrived in the window, but its time is February's
      { id: 'feb', time: '2026-02-02T10:00:00.000Z', receivedAt: '2026-02-04T00:00:00.000Z' },
    ]);
    const ask = (receivedFrom: string, receivedBefore: string, range = JAN) =>
      usage.anyArrived({ customerId: c, eventType: 'x.call', ...range, receivedFrom, receivedBefore });
    expect(await ask('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z')).toBe(true);
    expect(await ask('2026-02-03T00:00:00Z', '2026-02-03T00:00:00.001Z')).toBe(true);
    // An offset names the same instant
    expect(await ask('2026-02-03T01:00:00+01:00', '2026-02-04T00:00:00Z')).toBe(true);
    // Exclusive end, and nothing of January after the late one
    expect(await ask('2026-02-01T00:00:00Z', '2026-02-03T00:00:00Z')).toBe(false);
    expect(await ask('2026-02-03T00:00:00.001Z', '2026-03-01T00:00:00Z')).toBe(false);
    // The February event is outside January's times whatever its arrival
    expect(await ask('2026-02-04T00:00:00Z', '2026-03-01T00:00:00Z')).toBe(false);
    expect(
      await ask('2026-02-04T00:00:00Z', '2026-03-01T00:00:00Z', {
        from: '2026-02-01T00:00:00Z',
        to: '2026-03-01T00:00:00Z',
      }),
    ).toBe(true);
    // Another customer's partition holds nothing
    expect(
      await usage.anyArrived({
        customerId: 'nobody',
        eventType: 'x.call',
        ...JAN,
        receivedFrom: '2026-01-01T00:00:00Z',
        receivedBefore: '2026-03-01T00:00:00Z',
      }),
    ).toBe(false);
  });

  it('looks in every shard of the months in range, and across a month boundary of a zoned period', async () => {
    const c = 'sharded';
    await usage.setShardCount({
      customerId: c,
      eventType: 'x.call',
      count: 3,
      fromDay: '2026-01-10',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    // 30 events from Jan 10 on (spread over the 3 shards), all on time; one late event on Dec 31 at 23:30 UTC.
    await put(
      c,
      Array.from({ length: 30 }, (_, i) => ({
        id: `e${i}`,
        time: new Date(Date.parse('2026-01-10T00:00:00Z') + i * 3_600_000).toISOString(),
        receivedAt: new Date(Date.parse('2026-01-10T00:00:00Z') + i * 3_600_000 + 1000).toISOString(),
      })),
    );
    await put(c, [{ id: 'late', time: '2025-12-31T23:30:00.000Z', receivedAt: '2026-02-02T00:00:00.000Z' }]);
    const window = { receivedFrom: '2026-02-01T00:00:00Z', receivedBefore: '2026-03-01T00:00:00Z' };
    // A month in UTC+1 (Dec 31 23:00Z to Jan 31 23:00Z) holds the late event; the UTC month does not.
    expect(
      await usage.anyArrived({
        customerId: c,
        eventType: 'x.call',
        from: '2025-12-31T23:00:00Z',
        to: '2026-01-31T23:00:00Z',
        ...window,
      }),
    ).toBe(true);
    expect(await usage.anyArrived({ customerId: c, eventType: 'x.call', ...JAN, ...window })).toBe(false);
    // Every on-time event is found through its shard: each one's arrival second alone
    for (const i of [0, 1, 2, 29]) {
      const at = Date.parse('2026-01-10T00:00:00Z') + i * 3_600_000 + 1000;
      const found = await usage.anyArrived({
        customerId: c,
        eventType: 'x.call',
        ...JAN,
        receivedFrom: new Date(at).toISOString(),
        receivedBefore: new Date(at + 1).toISOString(),
      });
      expect(found, `event e${i}`).toBe(true);
    }
  });

  it('reads on past a page that holds no late event: the late one is on a later page of the partition', async () => {
    const c = 'paged';
    // 1,300 on-time events of ~1 KB of incompressible data: more than one 1 MB Query page of the one partition.
    // The late event's day (Jan 31) sorts after all of them, so only a read that pages on can find it.
    const onTime = Array.from({ length: 1_300 }, (_, i) => {
      const time = new Date(Date.parse('2026-01-02T00:00:00Z') + i * 60_000).toISOString();
      return { id: `p${i}`, time, receivedAt: time, data: { blob: randomBytes(450).toString('hex') } };
    });
    for (let i = 0; i < onTime.length; i += 100) await put(c, onTime.slice(i, i + 100));
    await put(c, [{ id: 'late', time: '2026-01-31T12:00:00.000Z', receivedAt: '2026-02-02T00:00:00.000Z' }]);
    const window = { receivedFrom: '2026-02-01T00:00:00Z', receivedBefore: '2026-03-01T00:00:00Z' };
    const before = usage.stats.requests;
    expect(await usage.anyArrived({ customerId: c, eventType: 'x.call', ...JAN, ...window })).toBe(true);
    // 1.3 MB of items: a second page at least, and not many more
    expect(usage.stats.requests - before).toBeGreaterThanOrEqual(2);
    expect(usage.stats.requests - before).toBeLessThanOrEqual(4);
  }, 30_000);

  it('refuses a window that ends before it starts', async () => {
    await expect(
      usage.anyArrived({
        customerId: 'x',
        eventType: 'x.call',
        ...JAN,
        receivedFrom: '2026-02-02T00:00:00Z',
        receivedBefore: '2026-02-01T00:00:00Z',
      }),
    ).rejects.toThrow(/receivedFrom must be before receivedBefore/);
  });
});
