import { SubscriptionSchema } from '@tally/billing';
import type { MeterInput } from '@tally/metering';
import { Decimal } from '@tally/money';
import { type PlanInput, PlanSchema } from '@tally/rating';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialCycle } from '../functions/bill-subscription/bill.js';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';

const KWH: MeterInput = {
  id: 'late-kwh',
  eventType: 'late.read',
  valuePath: 'kwh',
  aggregation: 'register-delta',
  register: { max: '100000' },
  unit: 'kWh',
};
const plan = (id: string, version: number, unitPrice: string): PlanInput => ({
  id,
  version,
  name: id,
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [{ type: 'per-unit', id: 'energy', meterId: 'late-kwh', unitPrice }],
});
const FLAT = plan('flat-kwh', 1, '0.20');
const CHEAP = plan('split-kwh', 1, '0.10');
const DEAR = plan('split-kwh', 2, '0.30');

const R = 'late-reg';
const S = 'late-split';
const read = (who: string, id: string, time: string, kwh: number, receivedAt?: string) => ({
  event: event(who, 'late.read', id, time, { kwh }),
  ...(receivedAt === undefined ? {} : { receivedAt }),
});
const LATE_ARRIVAL = '2026-03-03T00:00:00Z'; // after February's invoice, inside both periods' windows

describe('billing run: a late register read moves the opening of what follows it, billed once', () => {
  let h: Harness;
  const invoiceOf = async (who: string, periodStart: string) =>
    (await h.invoices.listByCustomer(who)).find(
      (i) => Date.parse(i.invoice.period.start) === Date.parse(periodStart),
    )?.invoice;
  const rows = (inv: Awaited<ReturnType<typeof invoiceOf>>, kind: string) =>
    inv?.lines
      .filter((l) => l.kind === kind)
      .map((l) => [
        new Date(l.adjusts?.period.start ?? l.period.start).toISOString().slice(0, 10),
        l.planVersion,
        l.quantity,
        new Decimal(l.amount).toFixed(2),
      ]);

  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2025-12-31T00:00:00Z' });
    await h.catalog.putMeter(KWH);
    for (const p of [FLAT, CHEAP, DEAR]) await h.plans.put(PlanSchema.parse(p));
    await h.subscribe(customer(R, 'UTC'), 'sub-late-reg', '2026-01-01', FLAT);
    // S changes from 0.10 to 0.30 a kWh on Feb 15: February has two segments.
    const c = customer(S, 'UTC');
    await h.catalog.putCustomer({ ...c, status: 'active' });
    const sub = SubscriptionSchema.parse({
      id: 'sub-late-split',
      customerId: S,
      start: '2026-01-01T00:00:00.000Z',
      interval: 'month',
      alignment: 'calendar',
      phases: [
        { from: '2026-01-01T00:00:00.000Z', planId: 'split-kwh', planVersion: 1 },
        { from: '2026-02-15T00:00:00.000Z', planId: 'split-kwh', planVersion: 2 },
      ],
    });
    await h.subscriptions.put(sub, initialCycle(sub, c, PlanSchema.parse(CHEAP)));
    await h.putEvents(R, [
      read(R, 'r1', '2026-01-01T00:00:00Z', 1000),
      read(R, 'r2', '2026-01-20T00:00:00Z', 1200),
      read(R, 'r3', '2026-02-10T00:00:00Z', 1300),
      read(R, 'r4', '2026-03-10T00:00:00Z', 1400),
    ]);
    await h.putEvents(S, [
      read(S, 's1', '2026-01-01T00:00:00Z', 1000),
      read(S, 's2', '2026-02-05T00:00:00Z', 1100),
      read(S, 's3', '2026-02-25T00:00:00Z', 1200),
    ]);
    for (const month of ['2026-02', '2026-03']) {
      await h.advanceTo(`${month}-01T01:00:00Z`);
      await h.advanceTo(`${month}-01T07:00:00Z`);
    }
    await h.putEvents(R, [read(R, 'late', '2026-01-31T12:00:00Z', 1260, LATE_ARRIVAL)]);
    await h.putEvents(S, [read(S, 'late', '2026-02-14T00:00:00Z', 1180, LATE_ARRIVAL)]);
    await h.advanceTo('2026-04-01T01:00:00Z');
  });
  afterAll(() => h.stop());

  it('bills January and February as the reads stood', async () => {
    // January 1200 − 1000 = 200 × 0.20 = 40.00; February 1300 − 1200 = 100 × 0.20 = 20.00
    expect(rows(await invoiceOf(R, '2026-01-01T00:00:00Z'), 'usage')).toEqual([
      ['2026-01-01', 1, '200', '40.00'],
    ]);
    expect(rows(await invoiceOf(R, '2026-02-01T00:00:00Z'), 'usage')).toEqual([
      ['2026-02-01', 1, '100', '20.00'],
    ]);
  });

  it('moves the kWh up to a late January read from February to January', async () => {
    const mar = await invoiceOf(R, '2026-03-01T00:00:00Z');
    // March: 1400 − 1300 = 100 × 0.20 = 20.00
    expect(rows(mar, 'usage')).toEqual([['2026-03-01', 1, '100', '20.00']]);
    // January + (1260 − 1200) = +60 kWh, +12.00; February opens at 1260 now: 1300 − 1260 = 40, −60 kWh, −12.00
    expect(rows(mar, 'adjustment')).toEqual([
      ['2026-02-01', 1, '-60', '-12.00'],
      ['2026-01-01', 1, '60', '12.00'],
    ]);
    expect(mar?.totals.total).toBe('20.00');
  });

  it('re-opens the second plan segment from a late read before the change', async () => {
    // February as billed: v1 1000 → 1100 = 100 × 0.10 = 10.00; v2 1100 → 1200 = 100 × 0.30 = 30.00
    expect(rows(await invoiceOf(S, '2026-02-01T00:00:00Z'), 'usage')).toEqual([
      ['2026-02-01', 1, '100', '10.00'],
      ['2026-02-15', 2, '100', '30.00'],
    ]);
    // with the Feb 14 read of 1180: v1 1000 → 1100 → 1180 = 180 (+80, +8.00); v2 1180 → 1200 = 20 (−80, −24.00)
    const mar = await invoiceOf(S, '2026-03-01T00:00:00Z');
    expect(rows(mar, 'adjustment')).toEqual([
      ['2026-02-01', 1, '80', '8.00'],
      ['2026-02-01', 2, '-80', '-24.00'],
    ]);
    // March has no read: 0; 8.00 − 24.00 = −16.00 (a credit balance)
    expect(mar?.totals.total).toBe('-16.00');
  });
});
