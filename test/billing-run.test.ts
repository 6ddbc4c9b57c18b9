import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';

/** `n` events spread evenly over [start, end). */
function spread(n: number, start: string, end: string): string[] {
  const a = Date.parse(start);
  const step = (Date.parse(end) - a) / n;
  return Array.from({ length: n }, (_, i) => new Date(Math.floor(a + (i + 0.5) * step)).toISOString());
}

const CUSTOMERS = [
  // January in each zone, as UTC instants.
  {
    id: 'berlin',
    zone: 'Europe/Berlin',
    start: '2025-12-31T23:00:00Z',
    end: '2026-01-31T23:00:00Z',
    calls: 250,
    gb: ['4', '12.5', '9'],
  },
  {
    id: 'newyork',
    zone: 'America/New_York',
    start: '2026-01-01T05:00:00Z',
    end: '2026-02-01T05:00:00Z',
    calls: 80,
    gb: ['3', '1'],
  },
  {
    id: 'tokyo',
    zone: 'Asia/Tokyo',
    start: '2025-12-31T15:00:00Z',
    end: '2026-01-31T15:00:00Z',
    calls: 400,
    gb: ['40', '39.9'],
  },
] as const;

describe('billing run: a month of usage for customers in three time zones', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2025-12-30T00:00:00Z' });
    for (const c of CUSTOMERS) {
      await h.subscribe(customer(c.id, c.zone), `sub-${c.id}`);
      const calls = spread(c.calls, c.start, c.end).map((t, i) => ({
        event: event(c.id, 'api.call', `c${i}`, t),
      }));
      const gb = spread(c.gb.length, c.start, c.end).map((t, i) => ({
        event: event(c.id, 'storage.used', `g${i}`, t, { gb: c.gb[i] }),
      }));
      // Just outside the local month on both sides: never billed for January.
      const outside = [
        { event: event(c.id, 'api.call', 'before', new Date(Date.parse(c.start) - 1000).toISOString()) },
        { event: event(c.id, 'api.call', 'after', c.end) },
        { event: event(c.id, 'storage.used', 'after-gb', c.end, { gb: '999' }) },
      ];
      await h.putEvents(c.id, [...calls, ...gb, ...outside]);
    }
    await h.walkTo('2026-02-03T00:00:00Z');
  });
  afterAll(() => h.stop());

  it.each([
    // base 10.00 + calls (250 − 100 included) × 0.05 = 7.50 + storage peak 12.5 GB × 0.50 = 6.25 → 23.75
    ['berlin', '23.75', '7.50', '6.25'],
    // base 10.00 + 80 calls all included = 0.00 + peak 3 GB × 0.50 = 1.50 → 11.50
    ['newyork', '11.50', '0.00', '1.50'],
    // base 10.00 + (400 − 100) × 0.05 = 15.00 + peak 40 GB × 0.50 = 20.00 → 45.00
    ['tokyo', '45.00', '15.00', '20.00'],
  ])('bills %s exactly once for January, total %s', async (id, total, calls, storage) => {
    const invoices = await h.invoices.listByCustomer(id);
    expect(invoices).toHaveLength(1);
    const inv = invoices[0]!.invoice;
    const c = CUSTOMERS.find((x) => x.id === id)!;
    expect(inv.status).toBe('finalized');
    expect(inv.period).toEqual({ start: c.start, end: c.end });
    expect(inv.totals.total).toBe(total);
    expect(inv.lines.find((l) => l.chargeId === 'calls' && l.kind === 'usage')?.amount).toBe(calls);
    expect(inv.lines.find((l) => l.chargeId === 'storage')?.amount).toBe(storage);
    expect(inv.lines.find((l) => l.chargeId === 'base')?.amount).toBe('10.00');
  });

  it('numbers the three invoices 1, 2, 3 of the issuer, the earliest period end first', async () => {
    const all = await Promise.all(CUSTOMERS.map((c) => h.invoices.listByCustomer(c.id)));
    const numbers = all.map((x) => x[0]!.invoice.number);
    expect([...numbers].sort()).toEqual(['ACME-2026-000001', 'ACME-2026-000002', 'ACME-2026-000003']);
    // Tokyo's January ends first (15:00Z) and its 6 h grace ends before the walk's Feb 1 00:00Z step.
    expect(numbers[2]).toBe('ACME-2026-000001');
    expect(await h.invoices.lastNumber('acme')).toBe(3);
  });

  it('issues and dates each invoice in its customer’s zone', async () => {
    const tokyo = (await h.invoices.listByCustomer('tokyo'))[0]!.invoice;
    // Finalized at 2026-02-01T00:00Z = 09:00 in Tokyo on Feb 1; net 14 days.
    expect(tokyo.issueDate).toBe('2026-02-01');
    expect(tokyo.dueDate).toBe('2026-02-15');
  });

  it('hands each invoice to delivery and dunning, and moves every subscription to February', async () => {
    const sent = await h.deliveryMessages();
    const ids = CUSTOMERS.map((c) => `inv_sub-${c.id}_${c.start.replace(/[-:]/g, '')}`);
    expect(new Set(sent.map((m) => m.invoiceId))).toEqual(new Set(ids));
    expect(sent.every((m) => m.requestId === `${m.invoiceId}:invoice` && m.kind === 'invoice')).toBe(true);
    expect(new Set(h.dunningStarted)).toEqual(new Set(ids));
    for (const c of CUSTOMERS) {
      const sub = await h.subscriptions.get(`sub-${c.id}`);
      expect(sub?.cycle).toMatchObject({ periodStart: c.end, stage: 'open' });
    }
  });

  it('enqueues nothing when close-periods runs again for the billed period', async () => {
    expect(await h.closeOnce()).toEqual({ due: 0, enqueued: 0 });
  });
});
