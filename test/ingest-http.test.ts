import { Logger } from '@aws-lambda-powertools/logger';
import { ingestPolicy } from '@tally/ingest';
import { CachedCatalog } from '@tally/store';
import { afterAll, describe, expect, it } from 'vitest';
import { call, ingestWorld } from './ingest-fixtures.js';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
});

describe('HTTP ingest', () => {
  it("authenticates the producer, refuses other tenants' customers, and enqueues the rest with per-event results", async () => {
    const w = await ingestWorld('ing-http');
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
        producers: w.catalog,
        queue: new SqsUsageQueue(w.queue.url),
        clock: w.clock,
        policy: ingestPolicy(),
        logger: new Logger({ logLevel: 'SILENT' }),
      },
    });
    stops.push(api.stop);
    const post = (body: unknown, key?: string) =>
      fetch(`${api.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify(body),
      });

    expect((await post(call('h0'))).status).toBe(401);
    expect((await post(call('h0'), 'wrong-key')).status).toBe(401);

    const res = await post(
      [call('h1'), call('h2', { subject: 'cust-b' }), call('h3', { time: 'yesterday' })],
      'key-fra',
    );
    expect(res.status).toBe(207);
    const out = (await res.json()) as {
      accepted: number;
      results: { index: number; status: string; reason?: string; messageId?: string }[];
    };
    expect(out.accepted).toBe(1);
    expect(out.results.map((r) => [r.index, r.status, r.reason])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'forbidden'],
      [2, 'rejected', 'schema'],
    ]);
    expect(out.results[0]!.messageId).toBeTruthy();

    const all = await post(call('h4'), 'key-fra');
    expect(all.status).toBe(202);

    const s = w.connect();
    stops.push(() => s.stop());
    await s.drained({ timeoutMs: 20_000 });
    expect(w.total).toEqual({ units: 2, stored: 2, duplicate: 0, quarantined: {} });
  });
});
