import { Logger } from '@aws-lambda-powertools/logger';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ingestPolicy } from '@tally/ingest';
import { CachedCatalog } from '@tally/store';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { subscriptionAcceptance } from '../functions/ingest/acceptance.js';
import { register } from '../packages/cli/src/commands/quarantine.js';
import { call, ingestWorld, NOW, subscribe } from './ingest-fixtures.js';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
});

interface Answer {
  accepted: number;
  rejected: number;
  results: {
    index: number;
    status: string;
    reason?: string;
    message?: string;
    messageId?: string;
    quarantineId?: string;
  }[];
}

describe('HTTP ingest', () => {
  it('authenticates the producer, answers per event, quarantines every refused event whole and replays them after a fix', async () => {
    const w = await ingestWorld('ing-http');
    const { hashApiKey } = await import('../functions/http-ingest/handler.js');
    const { SqsUsageQueue } = await import('../functions/http-ingest/usage-queue.js');
    const { startHttpIngest } = await import('../functions/http-ingest/server.js');
    const billing = w.resources.tables.Billing!;
    await Promise.all([
      // cust-new: bound to the producer, created only later (the fix)
      w.catalog.putProducer({
        id: 'switch-fra',
        keyHash: hashApiKey('key-fra'),
        customerIds: ['cust-a', 'cust-new'],
      }),
      // cust-a bills late usage for 5 days only: window 31 + 5 + 1 = 37 days
      subscribe(w, 'cust-a', 'month', 5),
    ]);
    const api = await startHttpIngest({
      deps: {
        catalog: new CachedCatalog(w.catalog, { ttlMs: 0 }),
        acceptance: subscriptionAcceptance(w.doc, billing, { ttlMs: 0 }),
        producers: w.catalog,
        queue: new SqsUsageQueue(w.queue.url),
        quarantine: w.quarantine,
        clock: w.clock,
        policy: ingestPolicy(),
        logger: new Logger({ logLevel: 'SILENT' }),
      },
    });
    stops.push(api.stop);
    const s = w.connect();
    stops.push(() => s.stop());
    const post = (body: string, key?: string) =>
      fetch(`${api.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body,
      });

    // Authentication failures are answered, not quarantined: they are not input from a known producer.
    expect((await post(JSON.stringify(call('h0')))).status).toBe(401);
    expect((await post(JSON.stringify(call('h0')), 'wrong-key')).status).toBe(401);

    const events = [
      call('h1'),
      call('h2', { subject: 'cust-b' }), // another tenant's customer
      call('h3', { time: 'yesterday' }),
      call('h4', { subject: 'cust-new' }), // the producer's, not created yet
      call('h5', { type: 'tally.sms.sent' }),
      call('h6', { time: '2025-12-01T12:00:00Z' }), // 40 days before NOW: beyond cust-a's 37
    ];
    const res = await post(JSON.stringify(events), 'key-fra');
    expect(res.status).toBe(207);
    const out = (await res.json()) as Answer;
    expect(out).toMatchObject({ accepted: 1, rejected: 5 });
    expect(out.results.map((r) => [r.index, r.status, r.reason])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'forbidden'],
      [2, 'rejected', 'schema'],
      [3, 'rejected', 'unknown-customer'],
      [4, 'rejected', 'unknown-meter'],
      [5, 'rejected', 'too-late'],
    ]);
    expect(out.results[0]!.messageId).toBeTruthy();
    // precise for the producer's own events, nothing about other tenants' subjects
    expect(out.results[1]!.message).toBe(
      'event urn:tally:switch:fra1#h2: producer switch-fra may not report for subject "cust-b"',
    );
    expect(out.results[2]!.message).toContain('time');
    expect(out.results[5]!.message).toContain('late acceptance 5 d');

    const broken = '{"specversion":"1.0",';
    const bad = await post(broken, 'key-fra');
    expect(bad.status).toBe(400);
    const badOut = (await bad.json()) as Answer;
    expect(badOut.results.map((r) => r.reason)).toEqual(['malformed-json']);

    // Every refused event is in the quarantine, whole, under the id the answer gave.
    const day = NOW.slice(0, 10);
    const entries = (await w.quarantine.list({ day })).items;
    const byId = new Map(entries.map((e) => [e.id, e]));
    const answered = [...out.results, ...badOut.results].filter((r) => r.status === 'rejected');
    expect(entries).toHaveLength(answered.length); // 5 + 1, and nothing for the 401s
    for (const r of answered) {
      const e = byId.get(r.quarantineId!);
      expect(e, r.reason).toBeDefined();
      expect(e!.raw).toBe(r.reason === 'malformed-json' ? broken : JSON.stringify(events[r.index]));
      expect(e!.producerId).toBe('switch-fra');
      expect(e!.message.length).toBeGreaterThan(10);
    }
    const forbidden = entries.find((e) => e.reason === 'forbidden')!;
    expect(forbidden.status).toBe('held');
    expect(forbidden.message).toContain('a customer the key is not bound to');
    expect(entries.filter((e) => e.status === 'open')).toHaveLength(5);

    // The fix: cust-new exists. Replaying the day sends the open entries through the queue again.
    await w.catalog.putCustomer({ id: 'cust-new' });
    const lines: string[] = [];
    const run = async (...args: string[]) => {
      const program = new Command('tally').exitOverride();
      register(
        program as unknown as Parameters<typeof register>[0],
        { io: { out: (t) => lines.push(t), err: (t) => lines.push(t), readFile: async () => '' } },
        () => ({
          store: w.quarantine,
          send: async (raw) =>
            (await w.clients.sqs.send(new SendMessageCommand({ QueueUrl: w.queue.url, MessageBody: raw })))
              .MessageId!,
          now: () => w.clock.now(),
        }),
      );
      await program.parseAsync(args, { from: 'user' });
    };
    await run('quarantine', 'replay', '--day', day);
    // A held entry is never replayed: the queue does not authenticate producers.
    await expect(run('quarantine', 'replay', forbidden.id)).rejects.toThrow(/held/);
    await s.drained({ timeoutMs: 20_000 });
    // h1 (accepted) and h4 (replayed after the fix) stored; the other four open entries are still bad:
    // schema, unknown-meter, too-late, malformed-json, each quarantined again under its replay message.
    expect(w.total.stored).toBe(2);
    expect(w.total.quarantined).toEqual({
      schema: 1,
      'unknown-meter': 1,
      'too-late': 1,
      'malformed-json': 1,
    });
  });
});
