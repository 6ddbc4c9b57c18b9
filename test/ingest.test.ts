import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ingestPolicy, quarantinedTotal, type UsageWriter } from '@tally/ingest';
import { aggregate, MeterSchema } from '@tally/metering';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqsEventSource } from '../packages/local-stack/src/index.js';
import { lambdaContext, SqsEventSource as Source } from '../packages/local-stack/src/index.js';
import { call, emfTotals, ingestWorld, METERS, NOW, read, sqsEvent, subscribe } from './ingest-fixtures.js';

const sources: SqsEventSource[] = [];
afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
});

type World = Awaited<ReturnType<typeof ingestWorld>>;

function connect(w: World, handler = w.handler, concurrency = 1): SqsEventSource {
  const s = new Source(w.clients.sqs, {
    functionName: 'ingest',
    queueUrl: w.queue.url,
    queueArn: w.queue.arn,
    handler: handler as never,
    batchSize: 1000,
    maxBatchingWindowSeconds: 0.3,
    concurrency,
    retryVisibilitySeconds: 0,
  });
  sources.push(s);
  s.start();
  return s;
}

async function usageItems(w: World): Promise<Record<string, unknown>[]> {
  const res = await w.doc.send(new ScanCommand({ TableName: w.resources.tables.Usage! }));
  return (res.Items ?? []).filter((i) => String(i.pk).startsWith('U#'));
}

async function quarantined(w: World) {
  return (await w.quarantine.list({ day: NOW.slice(0, 10), limit: 1000 })).items;
}

/** The usage store, except that its first putEvents throws after its writes (a crash before the delete). */
function crashingOnce(usage: UsageWriter): UsageWriter {
  let crashes = 0;
  return {
    putEvents: async (items) => {
      const out = await usage.putEvents(items);
      if (crashes++ === 0) throw new Error('simulated crash after the write');
      return out;
    },
  };
}

describe('ingest through the queue', () => {
  it('stores single events and arrays once each, and accounts for every input', async () => {
    const w = await ingestWorld('ing-basic');
    const s = connect(w);
    await w.send([
      JSON.stringify(call('c1')),
      JSON.stringify([call('c2'), call('c3', { subject: 'cust-b' })]),
      JSON.stringify(read('r1', '2026-01-09T00:00:00Z', 10)),
    ]);
    await s.drained({ timeoutMs: 20_000 });
    // 1 + 2 + 1 = 4 events, all valid
    expect(w.total).toEqual({ units: 4, stored: 4, duplicate: 0, quarantined: {} });
    const items = await usageItems(w);
    // U#<customer>#<type>#<UTC month>#<shard> / <UTC day>#<identity>
    expect(items.map((i) => `${i.pk} ${i.sk}`).sort()).toEqual([
      'U#cust-a#tally.call.completed#2026-01#0 2026-01-09#["urn:tally:switch:fra1","c1"]',
      'U#cust-a#tally.call.completed#2026-01#0 2026-01-09#["urn:tally:switch:fra1","c2"]',
      'U#cust-a#tally.meter.read#2026-01#0 2026-01-09#["urn:tally:meters","r1"]',
      'U#cust-b#tally.call.completed#2026-01#0 2026-01-09#["urn:tally:switch:fra1","c3"]',
    ]);
    const e = emfTotals(w.emf);
    expect(e.stored + e.duplicate + e.quarantined).toBe(e.inputs);
    expect(e.inputs).toBe(4);
  });

  it('counts a duplicate storm once: 40 copies in messages and arrays, one item', async () => {
    const w = await ingestWorld('ing-storm');
    const s = connect(w, w.handler, 2);
    const body = JSON.stringify(call('storm-1'));
    // 30 single messages + 2 arrays of 5 = 40 copies
    await w.send([
      ...Array.from({ length: 30 }, () => body),
      JSON.stringify(Array.from({ length: 5 }, () => call('storm-1'))),
      JSON.stringify(Array.from({ length: 5 }, () => call('storm-1'))),
    ]);
    await s.drained({ timeoutMs: 20_000 });
    expect(w.total).toEqual({ units: 40, stored: 1, duplicate: 39, quarantined: {} });
    expect(await usageItems(w)).toHaveLength(1);
  });

  it('keeps the first of two conflicting payloads and quarantines the second as a conflict', async () => {
    const w = await ingestWorld('ing-conflict');
    const s = connect(w);
    await w.send([JSON.stringify(call('x1', { data: { durationSeconds: 61 } }))]);
    await s.drained({ timeoutMs: 20_000 });
    const second = JSON.stringify(call('x1', { data: { durationSeconds: 999 } }));
    await w.send([second]);
    await s.drained({ timeoutMs: 20_000 });
    const items = await usageItems(w);
    expect(items).toHaveLength(1);
    expect(JSON.parse(String(items[0]!.d))).toEqual({ durationSeconds: 61 });
    const q = await quarantined(w);
    expect(q.map((e) => [e.reason, e.raw])).toEqual([['conflict', second]]);
    expect(w.total).toEqual({ units: 2, stored: 1, duplicate: 0, quarantined: { conflict: 1 } });
  });

  it('counts an event once when the handler crashes after writing and before the delete', async () => {
    const w = await ingestWorld('ing-crash');
    const crashing = crashingOnce(w.deps.ports.usage);
    const { makeHandler } = await import('../functions/ingest/handler.js');
    const handler = makeHandler({ ...w.deps, ports: { ...w.deps.ports, usage: crashing } });
    const s = connect(w, handler);
    await w.send([JSON.stringify([call('k1'), call('k2')])]);
    await s.drained({ timeoutMs: 20_000 });
    expect(s.stats.failedInvocations).toBe(1);
    expect(s.stats.records).toBe(2); // delivered twice
    expect(await usageItems(w)).toHaveLength(2);
    // The redelivery recognises its own writes: each input counted once, as stored.
    expect(w.total).toEqual({ units: 2, stored: 2, duplicate: 0, quarantined: {} });
  });

  it('counts the message that wrote an event as stored when its redelivery comes after the resend of it', async () => {
    const w = await ingestWorld('ing-order');
    const crashing = crashingOnce(w.deps.ports.usage);
    const { makeHandler } = await import('../functions/ingest/handler.js');
    const handler = makeHandler({ ...w.deps, ports: { ...w.deps.ports, usage: crashing } });
    // The same event in an original message (m-orig) and in a producer's resend (m-resend), in one batch.
    const body = JSON.stringify(call('ord-1'));
    const batch = (ids: string[]) => {
      const [template] = sqsEvent([body]).Records;
      return { Records: ids.map((messageId) => ({ ...template!, messageId })) };
    };
    // First delivery: the original first, so it writes the event; then the handler crashes (nothing counted).
    await expect(handler(batch(['m-orig', 'm-resend']), lambdaContext('ingest'))).rejects.toThrow(/crash/);
    // Redelivery in the other order: the original still counts as stored, the resend as the duplicate.
    await handler(batch(['m-resend', 'm-orig']), lambdaContext('ingest'));
    expect(w.total).toEqual({ units: 2, stored: 1, duplicate: 1, quarantined: {} });
    const units = w.results.at(-1)!.units.map((u) => [u.messageId, u.outcome]);
    expect(units.sort()).toEqual([
      ['m-orig', 'stored'],
      ['m-resend', 'duplicate'],
    ]);
    expect(await usageItems(w)).toHaveLength(1);
  });

  it('reports only the messages whose writes failed for redelivery, and settles the rest', async () => {
    const w = await ingestWorld('ing-fail');
    const usage = w.deps.ports.usage;
    const failing = {
      // The event with id f2 is refused for throughput past the store's retries.
      putEvents: async (items: Parameters<typeof usage.putEvents>[0]) => {
        const out = await usage.putEvents(items.filter((i) => i.event.id !== 'f2'));
        return items.map((i) =>
          i.event.id === 'f2' ? { status: 'error' as const, error: new Error('throttled') } : out.shift()!,
        );
      },
    };
    const { makeHandler } = await import('../functions/ingest/handler.js');
    const handler = makeHandler({ ...w.deps, ports: { ...w.deps.ports, usage: failing } });
    const res = await handler(
      sqsEvent([JSON.stringify(call('f1')), JSON.stringify(call('f2')), JSON.stringify(call('f3'))], 'x'),
      lambdaContext('ingest'),
    );
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: expect.stringMatching(/^x-\d+-1$/) }] });
    expect(await usageItems(w)).toHaveLength(2);
  });

  it('settles one event carried by two concurrent batches with one write winning', async () => {
    const w = await ingestWorld('ing-race');
    const body = JSON.stringify(call('race-1'));
    await Promise.all([w.invoke([body], 'a'), w.invoke([body], 'b')]);
    expect(w.total).toEqual({ units: 2, stored: 1, duplicate: 1, quarantined: {} });
    expect(await usageItems(w)).toHaveLength(1);
  });

  it('stores register reads that arrive out of order and late, so the delta is the same as in order', async () => {
    const w = await ingestWorld('ing-reads');
    const s = connect(w);
    const reads = [
      read('r0', '2025-12-31T23:00:00Z', 99_990),
      read('r1', '2026-01-02T00:00:00Z', 5),
      read('r2', '2026-01-05T00:00:00Z', 25),
      read('r3', '2026-01-08T00:00:00Z', 40.5),
    ];
    // newest first, then the oldest arrives last
    await w.send([reads[3], reads[1], reads[2]].map((r) => JSON.stringify(r)));
    await s.drained({ timeoutMs: 20_000 });
    await w.send([JSON.stringify(reads[0])]);
    await s.drained({ timeoutMs: 20_000 });
    const meter = MeterSchema.parse(METERS[2]);
    const records = [];
    for await (const r of w.usage.queryRecords({
      customerId: 'cust-a',
      meter,
      from: '2025-12-31T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    })) {
      records.push(r);
    }
    expect(records).toHaveLength(4);
    const period = { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' };
    // rollover 99990 → 5: (100000 − 99990) + 5 = 15; then 25 − 5 = 20; 40.5 − 25 = 15.5 → 50.5
    expect(aggregate(meter, records, period).toFixed()).toBe('50.5');
  });
});

describe('acceptance window from the plan', () => {
  it("accepts a 40-day-old event when the customer's plan bills it late and quarantines it as too-late when not", async () => {
    const w = await ingestWorld('ing-late');
    await w.catalog.putCustomer({ id: 'cust-y' });
    await Promise.all([
      subscribe(w, 'cust-a', 'month', 10), // window 31 + 10 + 1 = 42 days
      subscribe(w, 'cust-b', 'month', 5), // window 31 + 5 + 1 = 37 days
      subscribe(w, 'cust-y', 'year', 60), // window 366 + 60 + 1 = 427 days, capped at 400 − 1 = 399 days
    ]);
    const fortyDaysAgo = '2025-12-01T12:00:00.000Z'; // NOW − 40 d
    const rejected = JSON.stringify(call('l5', { subject: 'cust-b', time: fortyDaysAgo }));
    await w.invoke([JSON.stringify(call('l10', { time: fortyDaysAgo })), rejected]);
    expect(w.total).toEqual({ units: 2, stored: 1, duplicate: 0, quarantined: { 'too-late': 1 } });
    const [entry] = await quarantined(w);
    expect(entry!.raw).toBe(rejected);
    expect(entry!.message).toContain('late acceptance 5 d');
    expect(entry!.message).toContain('plan plan-cust-b v1');
    const a = (await usageItems(w)).find((i) => String(i.pk).startsWith('U#cust-a#'))!;
    expect(a.expiresAt).toBe((Date.parse(fortyDaysAgo) + 400 * 86_400_000) / 1000);
  });

  it('caps a window longer than the retention, so every accepted copy finds the stored one', async () => {
    const w = await ingestWorld('ing-cap');
    await w.catalog.putCustomer({ id: 'cust-y' });
    await subscribe(w, 'cust-y', 'year', 60); // 427 days by the plan, 399 by the 400-day retention
    const tooOld = JSON.stringify(call('y-old', { subject: 'cust-y', time: '2024-11-16T12:00:00.000Z' })); // NOW − 420 d
    const old = JSON.stringify(call('y-398', { subject: 'cust-y', time: '2024-12-08T12:00:00.000Z' })); // NOW − 398 d
    await w.invoke([tooOld, old]);
    expect(w.total).toEqual({ units: 2, stored: 1, duplicate: 0, quarantined: { 'too-late': 1 } });
    const [entry] = await quarantined(w);
    expect(entry!.raw).toBe(tooOld);
    expect(entry!.message).toContain('capped at 399 d');
    // Stored with the retention's TTL: time + 400 d = 2026-01-12T12:00Z, after the last instant a copy of it is
    // accepted (time + 399 d = NOW + 1 d).
    const [item] = await usageItems(w);
    expect(item!.expiresAt).toBe(Date.parse('2026-01-12T12:00:00Z') / 1000);
    // A redelivery inside the window is a duplicate of the stored copy.
    await w.invoke([old]);
    expect(w.total.duplicate).toBe(1);
  });
});

describe('ingest quarantine', () => {
  const policy = ingestPolicy();
  const big = 'x'.repeat(policy.maxEventBytes);
  const cases: [string, string, string][] = [
    ['malformed JSON', '{"specversion":"1.0",', 'malformed-json'],
    ['a schema violation (no time)', JSON.stringify(call('s1', { time: undefined })), 'schema'],
    ['an unknown customer', JSON.stringify(call('u1', { subject: 'nobody' })), 'unknown-customer'],
    ['a closed customer', JSON.stringify(call('u2', { subject: 'cust-closed' })), 'unknown-customer'],
    [
      'a device unassigned at that time',
      JSON.stringify(read('d1', '2026-01-09T00:00:00Z', 1, 'dev-old')),
      'unknown-device',
    ],
    ['a type no meter reads', JSON.stringify(call('m1', { type: 'tally.sms.sent' })), 'unknown-meter'],
    [
      'a negative quantity',
      JSON.stringify(call('q1', { data: { durationSeconds: -5 } })),
      'invalid-quantity',
    ],
    [
      'a non-finite quantity (1e400)',
      '{"specversion":"1.0","id":"q2","source":"urn:tally:switch:fra1","type":"tally.call.completed","subject":"cust-a","time":"2026-01-09T08:00:00Z","data":{"durationSeconds":1e400}}',
      'invalid-quantity',
    ],
    [
      'an absurd quantity',
      JSON.stringify(call('q3', { data: { durationSeconds: 1e18 } })),
      'invalid-quantity',
    ],
    ['a missing quantity', JSON.stringify(call('q4', { data: {} })), 'schema'],
    [
      'a read beyond the register',
      JSON.stringify(read('q5', '2026-01-09T00:00:00Z', 100_000)),
      'invalid-quantity',
    ],
    ['a time too far ahead', JSON.stringify(call('f1', { time: '2026-01-10T13:00:00Z' })), 'future-time'],
    [
      'a time before the acceptance window',
      JSON.stringify(call('l1', { time: '2025-10-01T00:00:00Z' })),
      'too-late',
    ],
    ['an oversize event', JSON.stringify(call('o1', { data: { durationSeconds: 1, pad: big } })), 'oversize'],
  ];

  it('quarantines every bad-input class with its reason and keeps it whole, failing nothing', async () => {
    const w = await ingestWorld('ing-bad');
    const good = JSON.stringify(call('good-1'));
    // all in one batch, with a valid event among them
    const res = await w.invoke([...cases.map((c) => c[1]), good]);
    expect(res).toEqual({ batchItemFailures: [] });
    expect(w.total.stored).toBe(1);
    expect(quarantinedTotal(w.total)).toBe(cases.length);
    const q = await quarantined(w);
    const byRaw = new Map(q.map((e) => [e.raw, e]));
    for (const [what, body, reason] of cases) {
      const entry = byRaw.get(body);
      expect(entry, what).toBeDefined();
      expect(entry!.reason, what).toBe(reason);
      expect(entry!.message.length, what).toBeGreaterThan(10);
    }
    // queryable by day and reason
    const schema = await w.quarantine.list({ day: NOW.slice(0, 10), reason: 'schema' });
    expect(schema.items.map((e) => e.raw).sort()).toEqual([cases[1]![1], cases[9]![1]].sort());
    expect(schema.items.find((e) => e.raw === cases[1]![1])!.path).toBe('time');
    const e = emfTotals(w.emf);
    expect(e.byReason['invalid-quantity']).toBe(4);
    expect(e.stored + e.duplicate + e.quarantined).toBe(e.inputs);
  });

  it('quarantines the bad element of an array and stores the rest', async () => {
    const w = await ingestWorld('ing-array');
    await w.invoke([JSON.stringify([call('a1'), call('a2', { subject: 'nobody' }), call('a3')])]);
    expect(w.total).toEqual({ units: 3, stored: 2, duplicate: 0, quarantined: { 'unknown-customer': 1 } });
    const [entry] = await quarantined(w);
    expect(entry!.index).toBe(1);
    expect(JSON.parse(entry!.raw)).toEqual(call('a2', { subject: 'nobody' }));
  });
});
