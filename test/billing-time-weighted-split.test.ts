import { SubscriptionSchema } from '@tally/billing';
import { Decimal } from '@tally/money';
import { type PlanInput, PlanSchema } from '@tally/rating';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialCycle } from '../functions/bill-subscription/bill.js';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';

/** Disk in use, sent as absolute levels: GB-months = level × seconds ÷ the billing period's seconds. */
const DISK = {
  id: 'disk-level',
  eventType: 'disk.level',
  valuePath: 'gb',
  aggregation: 'time-weighted-sum' as const,
  unit: 'GB-month',
};

/** 1.00 per GB-month on v1, 2.00 on v2; nothing fixed. */
const STORAGE: PlanInput = {
  id: 'disk-plan',
  version: 1,
  name: 'Disk',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [{ type: 'per-unit', id: 'disk', meterId: 'disk-level', unitPrice: '1.00' }],
};
const STORAGE_V2: PlanInput = {
  ...STORAGE,
  version: 2,
  charges: [{ type: 'per-unit', id: 'disk', meterId: 'disk-level', unitPrice: '2.00' }],
};

const WHO = 'tw-split';
const money = (s: string) => new Decimal(s).toFixed(2);

describe('billing run: a time-weighted meter on a period cut by a plan change bills the period’s GB-months once', () => {
  let h: Harness;
  const invoiceOf = async (periodStart: string) =>
    (await h.invoices.listByCustomer(WHO)).find(
      (i) => Date.parse(i.invoice.period.start) === Date.parse(periodStart),
    )?.invoice;
  const usage = (inv: Awaited<ReturnType<typeof invoiceOf>>) =>
    inv?.lines.filter((l) => l.kind === 'usage').map((l) => [l.planVersion, l.quantity, money(l.amount)]);

  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2025-12-31T00:00:00Z' });
    await h.catalog.putMeter(DISK);
    await h.plans.put(PlanSchema.parse(STORAGE));
    await h.plans.put(PlanSchema.parse(STORAGE_V2));
    const c = customer(WHO, 'UTC');
    await h.catalog.putCustomer({ ...c, status: 'active' });
    const sub = SubscriptionSchema.parse({
      id: 'sub-tw-split',
      customerId: WHO,
      start: '2026-01-01T00:00:00Z',
      interval: 'month',
      alignment: 'calendar',
      phases: [
        { from: '2026-01-01T00:00:00Z', planId: 'disk-plan', planVersion: 1 },
        { from: '2026-02-15T00:00:00Z', planId: 'disk-plan', planVersion: 2 },
      ],
    });
    await h.subscriptions.put(sub, initialCycle(sub, c, PlanSchema.parse(STORAGE)));
    // 10 GB from Jan 1, never changed: February opens from this level (the last record before it)
    await h.putEvents(WHO, [{ event: event(WHO, 'disk.level', 'l1', '2026-01-01T00:00:00Z', { gb: 10 }) }]);
    for (const month of ['2026-02', '2026-03']) {
      await h.advanceTo(`${month}-01T01:00:00Z`); // draft
      await h.advanceTo(`${month}-01T07:00:00Z`); // finalized
    }
  });
  afterAll(() => h.stop());

  it('bills January, uncut, as 10 GB-months at v1', async () => {
    const jan = await invoiceOf('2026-01-01T00:00:00Z');
    // 10 GB × 31 d ÷ 31 d = 10 GB-months × 1.00
    expect(usage(jan)).toEqual([[1, '10', '10.00']]);
  });

  it('bills 10 GB held all February as 10 GB-months: 5 at v1’s price and 5 at v2’s, not 10 at each', async () => {
    const feb = await invoiceOf('2026-02-01T00:00:00Z');
    expect(feb?.status).toBe('finalized');
    // Feb 1–15: 10 × 14 d ÷ 28 d = 5 GB-months × 1.00 = 5.00; Feb 15–Mar 1: 10 × 14 ÷ 28 = 5 × 2.00 = 10.00
    // (the bug billed each segment as a whole month: 10 × 1.00 + 10 × 2.00 = 30.00)
    expect(usage(feb)).toEqual([
      [1, '5', '5.00'],
      [2, '5', '10.00'],
    ]);
    const gbMonths = (feb?.lines ?? [])
      .filter((l) => l.kind === 'usage')
      .reduce((a, l) => a.plus(l.quantity), new Decimal(0));
    expect(gbMonths.toFixed()).toBe('10');
    expect(feb?.totals.total).toBe('15.00');
  });
});
