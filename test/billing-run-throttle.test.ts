import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Random } from '@tally/demo';
import { usageTable } from '@tally/resources';
import { createDocumentClient } from '@tally/store';
import { describe, expect, it } from 'vitest';
import { injectThrottling } from '../packages/pipeline/src/throttle.js';
import { billingHarness, customer, event } from './billing-run-harness.js';

// The chaos soak throttles the usage store's DynamoDB client. A billing job read a customer's month in a few
// hundred requests then (event types × UTC days × shards, plus the backward opening reads; now event types ×
// UTC months × shards), so when a throttle reached the job unretried, about one attempt in three failed, and a
// job that failed its five receives in a row landed in the dead-letter queue. The SDK retries a real throttle
// (createDocumentClient: 8 attempts): the injected one must be retried the same way.

describe('billing run: the usage table throttles', () => {
  it('bills January with no failed receive while 1 usage request in 4 is throttled', async () => {
    let armed = false;
    let throttles = 0;
    const rng = new Random(5);
    const h = await billingHarness({
      clockStart: '2026-01-31T12:00:00Z',
      // Throttling starts once the events are stored: the billing jobs meet it, not the setup.
      usageThrottle: { rate: 0.25, random: () => (armed ? rng.next() : 1), onThrottle: () => throttles++ },
    });
    try {
      await h.subscribe(customer('throttled', 'UTC'), 'sub-throttled');
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      await h.putEvents('throttled', [
        ...Array.from({ length: 130 }, (_, i) => ({
          event: event('throttled', 'api.call', `c${i}`, new Date(t0 + i * 3_600_000).toISOString()),
        })),
        { event: event('throttled', 'storage.used', 'g1', '2026-01-10T00:00:00Z', { gb: '7' }) },
      ]);
      armed = true;
      // The draft at the first hourly run after the period end, finalized once the 6 h grace has passed.
      // Each job reads 2 event types × 1 UTC month = 2 partitions (the shard plans are cached since the puts):
      // 4 requests for the two jobs, so at 1 attempt in 4 the run meets a throttle with probability
      // 1 − 0.75^4 ≈ 68 % (seed 5: 2 throttles in 6 attempts); retried by the SDK, a request fails only when
      // throttled 8 times in a row (0.25^8 ≈ 1.5·10⁻⁵).
      await h.advanceTo('2026-02-01T01:00:00Z');
      await h.advanceTo('2026-02-01T07:00:00Z');

      expect(throttles).toBeGreaterThan(0);
      expect(h.jobs.stats.failedRecords).toBe(0);
      const [inv, ...more] = await h.invoices.listByCustomer('throttled');
      expect(more).toHaveLength(0);
      expect(inv!.invoice.status).toBe('finalized');
      // base 10.00 + (130 − 100 included) × 0.05 = 1.50 + peak 7 GB × 0.50 = 3.50 → 15.00
      expect(inv!.invoice.totals.total).toBe('15.00');
    } finally {
      await h.stop();
    }
  });

  it('hands a request throttled on every attempt to the caller after the client’s attempts', async () => {
    const h = await billingHarness();
    try {
      const table = h.env[usageTable.envVar]!;
      const key = { pk: 'none', sk: 'none' };
      let throttles = 0;
      const doc = createDocumentClient({ endpoint: h.env.AWS_ENDPOINT_URL_DYNAMODB!, maxAttempts: 3 });
      let throttling = true;
      injectThrottling(doc, { rate: 0.5, random: () => (throttling ? 0 : 1), onThrottle: () => throttles++ });
      const failed = await doc.send(new GetCommand({ TableName: table, Key: key })).catch((e: unknown) => e);
      expect(failed).toMatchObject({
        name: 'ProvisionedThroughputExceededException',
        $metadata: { attempts: 3 },
      });
      expect(throttles).toBe(3);
      throttling = false;
      await expect(doc.send(new GetCommand({ TableName: table, Key: key }))).resolves.toMatchObject({
        $metadata: { httpStatusCode: 200, attempts: 1 },
      });
      expect(throttles).toBe(3);
    } finally {
      await h.stop();
    }
  });
});
