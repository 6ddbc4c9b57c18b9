import { SubscriptionSchema } from '@tally/billing';
import { Decimal } from '@tally/money';
import { type PlanInput, PlanSchema } from '@tally/rating';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billSubscription, initialCycle } from '../functions/bill-subscription/bill.js';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';

/** Disk in use, sent as changes (+10 GB, −2 GB): the level is the sum of every change since the start. */
const DISK = {
  id: 'disk',
  eventType: 'disk.change',
  valuePath: 'gb',
  aggregation: 'time-weighted-sum' as const,
  timeWeighted: { input: 'delta' as const, initial: '0' },
  unit: 'GB-month',
};

/** 1.00 per GB-month, nothing fixed; v2 the same price (a plan change that only cuts the period). */
const STORAGE: PlanInput = {
  id: 'storage',
  version: 1,
  name: 'Storage',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [{ type: 'per-unit', id: 'disk', meterId: 'disk', unitPrice: '1.00' }],
};
const STORAGE_V2: PlanInput = { ...STORAGE, version: 2 };

const A = 'levels-a';
const B = 'levels-b';
const change = (who: string, id: string, time: string, gb: number, receivedAt?: string) => ({
  event: event(who, 'disk.change', id, time, { gb }),
  ...(receivedAt === undefined ? {} : { receivedAt }),
});
const money = (s: string | undefined) => (s === undefined ? undefined : new Decimal(s).toFixed(2));

describe('billing run: a time-weighted meter fed by changes opens each period from the level it closed with', () => {
  let h: Harness;
  const invoiceOf = async (who: string, periodStart: string) =>
    (await h.invoices.listByCustomer(who)).find(
      (i) => Date.parse(i.invoice.period.start) === Date.parse(periodStart),
    )?.invoice;
  const usage = (inv: Awaited<ReturnType<typeof invoiceOf>>) =>
    inv?.lines.filter((l) => l.kind === 'usage').map((l) => money(l.amount));

  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2025-12-31T00:00:00Z' });
    await h.catalog.putMeter(DISK);
    await h.plans.put(PlanSchema.parse(STORAGE));
    await h.plans.put(PlanSchema.parse(STORAGE_V2));
    await h.subscribe(customer(A, 'UTC'), 'sub-levels-a', '2026-01-01', STORAGE);
    // B: the same usage, and a plan change on Feb 10 that cuts February in two segments.
    const c = customer(B, 'UTC');
    await h.catalog.putCustomer({ ...c, status: 'active' });
    const start = DateTime.fromISO('2026-01-01T00:00:00Z').toUTC().toISO()!;
    const sub = SubscriptionSchema.parse({
      id: 'sub-levels-b',
      customerId: B,
      start,
      interval: 'month',
      alignment: 'calendar',
      phases: [
        { from: start, planId: 'storage', planVersion: 1 },
        { from: '2026-02-10T00:00:00Z', planId: 'storage', planVersion: 2 },
      ],
    });
    await h.subscriptions.put(sub, initialCycle(sub, c, PlanSchema.parse(STORAGE)));
    for (const who of [A, B]) {
      await h.putEvents(who, [
        change(who, 'c1', '2026-01-01T00:00:00Z', 10), // 10 GB from the start
        change(who, 'c2', '2026-02-15T00:00:00Z', 4), // 14 GB from Feb 15
      ]);
    }
    for (const month of ['2026-02', '2026-03']) {
      await h.advanceTo(`${month}-01T01:00:00Z`); // draft
      await h.advanceTo(`${month}-01T07:00:00Z`); // finalized
    }
    // A change of January arrives on Mar 3: after February's invoice, inside January's window (Feb 1 + 35 d).
    await h.putEvents(A, [change(A, 'late', '2026-01-20T00:00:00Z', 3, '2026-03-03T00:00:00Z')]);
    await h.advanceTo('2026-04-01T01:00:00Z');
  });
  afterAll(() => h.stop());

  it('bills January from the first change and closes it at 10 GB', async () => {
    const jan = await invoiceOf(A, '2026-01-01T00:00:00Z');
    // 10 GB all 31 days = 10 GB-months × 1.00
    expect(usage(jan)).toEqual(['10.00']);
    expect(jan?.closingLevels).toEqual({ disk: { '': '10' } });
  });

  it('opens February at January’s closing level, not at the meter’s initial 0', async () => {
    const feb = await invoiceOf(A, '2026-02-01T00:00:00Z');
    // 10 GB for 14 days + 14 GB for 14 days over 28: (140 + 196) ÷ 28 = 12 (from 0 it would be 4 × 14 ÷ 28 = 2)
    expect(usage(feb)).toEqual(['12.00']);
    expect(feb?.closingLevels).toEqual({ disk: { '': '14' } });
  });

  it('carries the level over a previous period split by a plan change', async () => {
    const feb = await invoiceOf(B, '2026-02-01T00:00:00Z');
    expect(new Set(feb?.lines.map((l) => l.planVersion))).toEqual(new Set([1, 2]));
    // the closing level does not depend on segments: 10 + 4 = 14
    expect(feb?.closingLevels).toEqual({ disk: { '': '14' } });
    const mar = await invoiceOf(B, '2026-03-01T00:00:00Z');
    // March on v2: 14 GB all month = 14.00
    expect(mar?.lines.map((l) => [l.planVersion, money(l.amount)])).toEqual([[2, '14.00']]);
  });

  it('adds a late change to the next opening and corrects every period it moved, once', async () => {
    const mar = await invoiceOf(A, '2026-03-01T00:00:00Z');
    expect(mar?.status).toBe('draft');
    // March opens at February's 14 + the late 3 = 17 GB, all month: 17.00
    expect(usage(mar)).toEqual(['17.00']);
    expect(mar?.closingLevels).toEqual({ disk: { '': '17' } });
    const adj = mar?.lines
      .filter((l) => l.kind === 'adjustment')
      .map((l) => [l.adjusts?.period.start, money(l.amount)]);
    // January: + 3 GB for the 12 days from Jan 20: 10 → (10 × 31 + 3 × 12) ÷ 31 = 11.16, +1.16
    // February (no late change of its own, its opening moved 10 → 13): (13 × 14 + 17 × 14) ÷ 28 = 15, +3.00
    expect(adj).toEqual([
      ['2026-02-01T00:00:00Z', '3.00'],
      ['2026-01-01T00:00:00Z', '1.16'],
    ]);
    // 17.00 + 3.00 + 1.16
    expect(mar?.totals.total).toBe('21.16');
  });

  it('assembles the same invoice when the job runs again, and finalizes it unchanged', async () => {
    const job = {
      subscriptionId: 'sub-levels-a',
      periodStart: '2026-03-01T00:00:00Z',
      periodEnd: '2026-04-01T00:00:00Z',
    };
    const draft = await invoiceOf(A, '2026-03-01T00:00:00Z');
    expect((await h.subscriptions.get('sub-levels-a'))?.cycle?.stage).toBe('draft');
    // a duplicate job before the grace end leaves the draft as it is
    const at = (t: string) => ({ ...h.deps, clock: { now: () => new Date(t) } });
    expect(await billSubscription(job, at('2026-04-01T01:00:00Z'))).toMatchObject({ outcome: 'not-due' });
    expect(await invoiceOf(A, '2026-03-01T00:00:00Z')).toEqual(draft);
    // at the grace end it is re-assembled (nothing new arrived) and finalized with the same lines and levels
    expect(await billSubscription(job, at('2026-04-01T07:00:00Z'))).toMatchObject({ outcome: 'finalized' });
    const final = await invoiceOf(A, '2026-03-01T00:00:00Z');
    expect(final?.status).toBe('finalized');
    expect(final?.lines).toEqual(draft?.lines);
    expect(final?.closingLevels).toEqual(draft?.closingLevels);
    expect(final?.totals).toEqual(draft?.totals);
  });
});
