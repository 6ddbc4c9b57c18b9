import { type Meter, MeterSchema, type UsageRecord } from '@tally/metering';
import { type Plan, PlanSchema } from '@tally/rating';
import { describe, expect, it } from 'vitest';
import { assembleInvoice } from './assemble.js';
import { CustomerSchema, IssuerSchema } from './customer.js';
import type { Invoice } from './invoice.js';
import { lateUsageAdjustment } from './late-usage.js';
import { type Subscription, SubscriptionSchema } from './subscription.js';

/**
 * A time-weighted meter on a period cut by a plan change or a trial end, through @tally/rating's `rate()`:
 * each part is billed its share of the period's GB-months, never the part as if it were the whole period.
 */

const disk: Meter = MeterSchema.parse({
  id: 'disk',
  eventType: 'disk.level',
  valuePath: 'gb',
  unit: 'GB-month',
  aggregation: 'time-weighted-sum',
});
const storage = (version: number, unitPrice: string): Plan =>
  PlanSchema.parse({
    id: 'storage',
    version,
    name: 'Storage',
    currency: 'EUR',
    effectiveFrom: '2025-01-01T00:00:00Z',
    terms: { fixedFeeTiming: 'arrears', proration: 'by-day' },
    charges: [{ type: 'per-unit', id: 'disk', meterId: 'disk', unitPrice }],
  });
const V1 = storage(1, '1.00');
const V2 = storage(2, '2.00');
const issuer = IssuerSchema.parse({ id: 'acme', legalName: 'ACME', numberPrefix: 'AC', timeZone: 'UTC' });
const customerIn = (timeZone: string) =>
  CustomerSchema.parse({
    id: 'cus-disk',
    legalName: 'Disk GmbH',
    billingEmails: ['billing@example.com'],
    locale: 'de-DE',
    timeZone,
    currency: 'EUR',
    tax: { mode: 'exclusive', rates: [], rounding: 'per-invoice' },
    issuerId: 'acme',
    paymentTermsDays: 14,
  });
const sub = (over: Record<string, unknown>): Subscription =>
  SubscriptionSchema.parse({
    id: 'sub-disk',
    customerId: 'cus-disk',
    start: '2026-01-01T00:00:00Z',
    interval: 'month',
    alignment: 'calendar',
    phases: [{ from: '2026-01-01T00:00:00Z', planId: 'storage', planVersion: 1 }],
    ...over,
  });
const changedOn = (at: string) =>
  sub({
    phases: [
      { from: '2026-01-01T00:00:00Z', planId: 'storage', planVersion: 1 },
      { from: at, planId: 'storage', planVersion: 2 },
    ],
  });
const level = (id: string, time: string, gb: string): UsageRecord => ({ id, time, value: gb });

const FEB = { start: '2026-02-01T00:00:00Z', end: '2026-03-01T00:00:00Z' };
// 10 GB all February: set on Feb 1 and restated at the change (rate() sees only each part's own records)
const TEN_GB = [level('l1', '2026-02-01T00:00:00Z', '10'), level('l2', '2026-02-15T00:00:00Z', '10')];

function bill(subscription: Subscription, usage: UsageRecord[], period = FEB, zone = 'UTC'): Invoice {
  return assembleInvoice({
    customer: customerIn(zone),
    issuer,
    subscription,
    planVersions: [V1, V2],
    meters: { disk },
    period,
    usage: { disk: usage },
    now: period.end,
  });
}
const usageLines = (inv: Invoice) =>
  inv.lines.filter((l) => l.kind === 'usage').map((l) => [l.planVersion, l.quantity, l.amount]);

describe('a time-weighted meter on a billing period cut in parts', () => {
  it('bills 10 GB held all February and changed on the 15th as 10 GB-months, half at each price', () => {
    // v1: 10 × 14 ÷ 28 = 5 GB-months × 1.00 = 5.00; v2: 10 × 14 ÷ 28 = 5 × 2.00 = 10.00 (not 10 + 20 = 30.00)
    const inv = bill(changedOn('2026-02-15T00:00:00Z'), TEN_GB);
    expect(usageLines(inv)).toEqual([
      [1, '5', '5.00'],
      [2, '5', '10.00'],
    ]);
    expect(inv.totals.total).toBe('15.00');
  });

  it('weighs the parts of a DST month by seconds, not by the plan’s by-day proration (Berlin, March 2026)', () => {
    // Local March: Feb 28 23:00Z .. Mar 31 22:00Z = 743 h (clocks forward on Mar 29). The change at Mar 15 00:00
    // CET (Mar 14 23:00Z) leaves 336 h before it and 407 h after. 743 GB: 336 GB-months × 1.00 = 336.00 and
    // 407 × 2.00 = 814.00 (by days it would be 14/31 and 17/31).
    const march = { start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z' };
    const cut = '2026-03-14T23:00:00Z';
    const inv = bill(
      changedOn(cut),
      [level('m1', march.start, '743'), level('m2', cut, '743')],
      march,
      'Europe/Berlin',
    );
    expect(usageLines(inv)).toEqual([
      [1, '336', '336.00'],
      [2, '407', '814.00'],
    ]);
  });

  it('bills only the share after a trial end (10 GB all February, trial to the 15th: 5 GB-months)', () => {
    // the part before the trial end is not billed: 10 × 14 ÷ 28 = 5 × 1.00 = 5.00
    const inv = bill(sub({ trialEnd: '2026-02-15T00:00:00Z' }), TEN_GB);
    expect(usageLines(inv)).toEqual([[1, '5', '5.00']]);
  });

  it('leaves an uncut period as it was: 10 GB all February is 10 GB-months', () => {
    expect(usageLines(bill(sub({}), TEN_GB))).toEqual([[1, '10', '10.00']]);
  });

  it('adjusts a late level change in the later part by its share of the period only', () => {
    // 20 GB from Feb 22 arrives late: v2's part becomes (10 × 7 + 20 × 7) ÷ 28 = 7.5 GB-months (was 5):
    // +2.5 × 2.00 = +5.00; v1's part is unchanged
    const adj = lateUsageAdjustment({
      customer: customerIn('UTC'),
      subscription: changedOn('2026-02-15T00:00:00Z'),
      planVersions: [V1, V2],
      meters: { disk },
      original: { invoiceId: 'inv-feb', invoiceNumber: 'AC-2026-000002', period: FEB },
      billedUsage: { disk: TEN_GB },
      lateUsage: { disk: [level('late', '2026-02-22T00:00:00Z', '20')] },
    });
    expect(adj.map((l) => [l.planVersion, l.quantity, l.amount])).toEqual([[2, '2.5', '5']]);
  });
});
