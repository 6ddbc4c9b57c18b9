import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { billSubscription } from '../functions/bill-subscription/bill.js';
import { billingHarness, type Crash, customer, event, type Harness } from './billing-run-harness.js';
import { localClients } from './support/aws.js';

const JAN = { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' };
const INVOICE_ID = 'inv_sub-crash_20260101T000000Z';

/** A customer in UTC with 130 calls and a 7 GB peak in January. */
async function setUp(crashes: Crash[] = []): Promise<Harness> {
  const h = await billingHarness({ clockStart: '2026-01-31T12:00:00Z', crashes });
  await h.subscribe(customer('crash', 'UTC'), 'sub-crash');
  const t0 = Date.parse(JAN.start);
  await h.putEvents('crash', [
    ...Array.from({ length: 130 }, (_, i) => ({
      event: event('crash', 'api.call', `c${i}`, new Date(t0 + i * 3_600_000).toISOString()),
    })),
    { event: event('crash', 'storage.used', 'g1', '2026-01-10T00:00:00Z', { gb: '7' }) },
    { event: event('crash', 'storage.used', 'g2', '2026-01-20T00:00:00Z', { gb: '2' }) },
  ]);
  return h;
}

/** The period's lines as a reader compares them (keys, kinds, quantities, amounts). */
function shape(lines: readonly { key: string; kind: string; quantity: string; amount: string }[]) {
  return lines.map(({ key, kind, quantity, amount }) => ({ key, kind, quantity, amount }));
}

async function billJanuary(h: Harness): Promise<void> {
  // Jan ends 00:00Z; the draft is stored at the first hourly run, finalized once the 6 h grace has passed.
  await h.advanceTo('2026-02-01T01:00:00Z');
  await h.advanceTo('2026-02-01T07:00:00Z');
}

// base 10.00 + (130 − 100 included) × 0.05 = 1.50 + peak 7 GB × 0.50 = 3.50 → 15.00
const EXPECTED_TOTAL = '15.00';

const STEPS = [
  'usage.queryEvents',
  'invoices.writeDraft',
  'subscriptions.moveCycle',
  'invoices.finalize',
  'delivery.enqueueInvoice',
  'dunning.startDunning',
] as const;

describe('billing run: crash at any step, then retry', () => {
  let reference: ReturnType<typeof shape> | undefined;

  it('bills January once without crashes (the reference)', async () => {
    const h = await setUp();
    await billJanuary(h);
    const [inv, ...more] = await h.invoices.listByCustomer('crash');
    expect(more).toHaveLength(0);
    expect(inv!.invoice.totals.total).toBe(EXPECTED_TOTAL);
    expect(inv!.invoice.number).toBe('ACME-2026-000001');
    reference = shape(inv!.invoice.lines);
    await h.stop();
  });

  it.each(
    STEPS.flatMap((at) => [
      { at, after: false },
      { at, after: true },
    ]),
  )('yields the same single invoice after a crash at $at (after the write: $after)', async (crash) => {
    // Crash twice, at both billing steps (draft, then finalization) where the method runs twice.
    const h = await setUp([{ ...crash, times: 2 }]);
    await billJanuary(h);
    expect(h.crashLog.length).toBeGreaterThan(0);
    const invoices = await h.invoices.listByCustomer('crash');
    expect(invoices).toHaveLength(1);
    const inv = invoices[0]!.invoice;
    expect(inv.status).toBe('finalized');
    expect(inv.totals.total).toBe(EXPECTED_TOTAL);
    expect(inv.number).toBe('ACME-2026-000001');
    expect(await h.invoices.lastNumber('acme')).toBe(1);
    expect(shape(inv.lines)).toEqual(reference);
    const sub = await h.subscriptions.get('sub-crash');
    expect(sub?.cycle).toMatchObject({ periodStart: JAN.end, stage: 'open' });
    const sent = await h.deliveryMessages();
    // A crash after the send re-sends it; delivery dedupes on the request id, which is the same.
    expect(new Set(sent.map((m) => m.requestId))).toEqual(new Set([`${INVOICE_ID}:invoice`]));
    expect(new Set(h.dunningStarted)).toEqual(new Set([INVOICE_ID]));
    await h.stop();
  });

  it('runs a duplicated job and a repeated job to the same single invoice', async () => {
    const h = await setUp();
    await h.advanceTo('2026-02-01T07:00:00Z');
    const job = { subscriptionId: 'sub-crash', periodStart: JAN.start, periodEnd: JAN.end };
    // The cycle has moved on: the same job again, by hand or from the queue, changes nothing.
    expect(await billSubscription(job, h.deps)).toEqual({ outcome: 'stale' });
    const { sqs } = localClients();
    const url = (h.jobs as unknown as { options: { queueUrl: string } }).options.queueUrl;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(job) }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(job) }));
    await h.jobs.drained({ timeoutMs: 20_000 });
    const invoices = await h.invoices.listByCustomer('crash');
    expect(invoices.map((i) => i.invoice.number)).toEqual(['ACME-2026-000001']);
    expect(await h.invoices.lastNumber('acme')).toBe(1);
    expect(await h.closeOnce()).toEqual({ due: 0, enqueued: 0 });
    await h.stop();
  });

  it('finalizes concurrent jobs of many subscriptions with numbers 1..N, crashing at finalization', async () => {
    const h = await billingHarness({
      clockStart: '2026-01-31T12:00:00Z',
      concurrency: 6,
      crashes: [
        { at: 'invoices.finalize', after: true, times: 4 },
        { at: 'subscriptions.moveCycle', after: false, times: 3 },
      ],
    });
    const n = 12;
    for (let i = 0; i < n; i++) {
      const id = `many${i}`;
      await h.subscribe(customer(id, i % 2 === 0 ? 'UTC' : 'Europe/Lisbon'), `sub-${id}`);
      await h.putEvents(id, [{ event: event(id, 'api.call', 'c', '2026-01-15T00:00:00Z') }]);
    }
    await h.advanceTo('2026-02-01T12:00:00Z');
    const numbers: string[] = [];
    for (let i = 0; i < n; i++) {
      const invs = await h.invoices.listByCustomer(`many${i}`);
      expect(invs).toHaveLength(1);
      numbers.push(invs[0]!.invoice.number!);
    }
    const seqs = numbers.map((x) => Number(x.slice(-6))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(await h.invoices.lastNumber('acme')).toBe(n);
    await h.stop();
  });
});
