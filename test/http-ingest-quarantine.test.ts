import { Logger } from '@aws-lambda-powertools/logger';
import { ingestPolicy } from '@tally/ingest';
import { CachedCatalog } from '@tally/store';
import { afterAll, describe, expect, it } from 'vitest';
import { subscriptionAcceptance } from '../functions/ingest/acceptance.js';
import { call, ingestWorld, NOW } from './ingest-fixtures.js';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
});

interface Answer {
  accepted: number;
  rejected: number;
  results: { index: number; status: string; reason?: string; messageId?: string; quarantineId?: string }[];
}

describe('HTTP ingest quarantine under retries', () => {
  it('keeps one entry per refused event however often the request is retried, and a new one for a changed event', async () => {
    const w = await ingestWorld('ing-http-q');
    const { hashApiKey } = await import('../functions/http-ingest/handler.js');
    const { SqsUsageQueue } = await import('../functions/http-ingest/usage-queue.js');
    const { startHttpIngest } = await import('../functions/http-ingest/server.js');
    await w.catalog.putProducer({
      id: 'switch-fra',
      keyHash: hashApiKey('key-fra'),
      customerIds: ['cust-a'],
    });
    const api = await startHttpIngest({
      deps: {
        catalog: new CachedCatalog(w.catalog, { ttlMs: 0 }),
        acceptance: subscriptionAcceptance(w.doc, w.resources.tables.Billing!, { ttlMs: 0 }),
        producers: w.catalog,
        queue: new SqsUsageQueue(w.queue.url),
        quarantine: w.quarantine,
        clock: w.clock,
        policy: ingestPolicy(),
        logger: new Logger({ logLevel: 'SILENT' }),
      },
    });
    stops.push(api.stop);
    const post = async (body: string) => {
      const res = await fetch(`${api.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'key-fra' },
        body,
      });
      return { status: res.status, answer: (await res.json()) as Answer };
    };
    const day = NOW.slice(0, 10);
    const entries = async () => (await w.quarantine.list({ day })).items;
    const outcome = (a: Answer) => a.results.map((r) => [r.index, r.status, r.reason, r.quarantineId]);

    const events = [
      call('r1'), // accepted
      call('r2', { subject: 'cust-b' }), // forbidden: another tenant's customer
      call('r3', { time: 'yesterday' }), // schema
      call('r4', { type: 'tally.sms.sent' }), // unknown-meter
      call('r4', { type: 'tally.sms.sent' }), // the same refused event twice in one request: two inputs
    ];
    const body = JSON.stringify(events);
    const first = await post(body);
    expect(first.status).toBe(207);
    expect(first.answer).toMatchObject({ accepted: 1, rejected: 4 });
    expect(first.answer.results.map((r) => r.reason)).toEqual([
      undefined,
      'forbidden',
      'schema',
      'unknown-meter',
      'unknown-meter',
    ]);
    expect(first.answer.results[0]!.messageId).toBeTruthy();
    const refusedIds = first.answer.results.flatMap((r) => (r.quarantineId ? [r.quarantineId] : []));
    expect(new Set(refusedIds).size).toBe(4);

    // The producer retries the request twice (it never saw the answer), a minute apart.
    await w.clock.advance(60_000);
    const second = await post(body);
    await w.clock.advance(60_000);
    // The same events re-serialised with other spacing: the entries keep each event as its JSON.
    const third = await post(JSON.stringify(events, null, 2));
    for (const retry of [second, third]) {
      expect(retry.status).toBe(207);
      expect(retry.answer).toMatchObject({ accepted: 1, rejected: 4 });
      expect(outcome(retry.answer)).toEqual(outcome(first.answer));
      expect(retry.answer.results[0]!.messageId).toBeTruthy(); // the accepted event is queued again
    }
    let kept = await entries();
    // one entry per refused event of the request, not one per try: 4, not 12
    expect(kept.map((e) => e.id).sort()).toEqual([...refusedIds].sort());
    // the last try wrote them
    expect(new Set(kept.map((e) => e.receivedAt))).toEqual(new Set(['2026-01-10T12:02:00.000Z']));

    // A malformed body retried: one entry.
    const broken = '{"specversion":"1.0",';
    const bad1 = await post(broken);
    const bad2 = await post(broken);
    expect([bad1.status, bad2.status]).toEqual([400, 400]);
    expect(bad2.answer.results[0]!.quarantineId).toBe(bad1.answer.results[0]!.quarantineId);
    kept = await entries();
    expect(kept).toHaveLength(5); // 4 + 1

    // A changed body: r3 now has another bad time. r3's new input gets its own entry beside the old one;
    // r2 and r4, sent unchanged, overwrite theirs.
    const changed = [...events];
    changed[2] = call('r3', { time: 'tomorrow' });
    const fourth = await post(JSON.stringify(changed));
    expect(fourth.answer).toMatchObject({ accepted: 1, rejected: 4 });
    const newIds = fourth.answer.results.map((r) => r.quarantineId);
    expect(newIds[2]).not.toBe(first.answer.results[2]!.quarantineId);
    expect([newIds[1], newIds[3], newIds[4]]).toEqual(
      [1, 3, 4].map((i) => first.answer.results[i]!.quarantineId),
    );
    kept = await entries();
    expect(kept).toHaveLength(6); // 5 + the changed r3
    const r3 = kept.filter((e) => e.eventId === 'r3').map((e) => JSON.parse(e.raw).time);
    expect(r3.sort()).toEqual(['tomorrow', 'yesterday']);
    // every entry is whole and names the producer
    for (const e of kept) expect(e.producerId).toBe('switch-fra');
  });
});
