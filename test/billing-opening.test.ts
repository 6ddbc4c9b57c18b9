import { type PlanInput, PlanSchema } from '@tally/rating';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';

/** 31.00 a month billed in advance (1.00 a day in January), 0.10 per call in arrears. */
const ADVANCE: PlanInput = {
  id: 'advance',
  version: 1,
  name: 'Advance',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'advance', proration: 'by-day', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [
    { type: 'flat', id: 'base', amount: '31.00' },
    { type: 'per-unit', id: 'calls', meterId: 'calls', unitPrice: '0.10' },
  ],
};

// Berlin (UTC+1 in winter): the subscription starts Jan 15 00:00 local; periods end on local midnights.
const START = '2026-01-14T23:00:00Z';
const FEB = '2026-01-31T23:00:00Z';
const MAR = '2026-02-28T23:00:00Z';
const APR = '2026-03-31T22:00:00Z'; // summer time from Mar 29: UTC+2

const calls = (prefix: string, n: number, from: string) =>
  Array.from({ length: n }, (_, i) => ({
    event: event(
      'early',
      'api.call',
      `${prefix}${i}`,
      new Date(Date.parse(from) + i * 7_200_000).toISOString(),
    ),
  }));

describe('billing run: fees in advance for a subscription starting mid-month', () => {
  let h: Harness;
  const invoices = async () => (await h.invoices.listByCustomer('early')).map((s) => s.invoice);
  const fixed = (inv: { lines: readonly { kind: string; chargeId: string }[] }) =>
    inv.lines.filter((l) => l.kind === 'fixed' && l.chargeId === 'base');

  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2026-01-14T20:00:00Z' });
    await h.plans.put(PlanSchema.parse(ADVANCE));
    await h.subscribe(customer('early', 'Europe/Berlin'), 'sub-early', '2026-01-15', ADVANCE);
    await h.putEvents('early', [
      ...calls('before', 1, '2026-01-14T12:00:00Z'), // before the subscription: never billed
      ...calls('jan', 40, '2026-01-16T00:00:00Z'), // Jan 16 00:00 .. Jan 19 06:00
      ...calls('feb', 25, '2026-02-10T00:00:00Z'), // Feb 10 00:00 .. Feb 12 00:00
    ]);
    await h.advanceTo('2026-01-14T23:30:00Z'); // the opening invoice is due at the start
    await h.advanceTo('2026-02-01T00:00:00Z'); // January's draft
    await h.advanceTo('2026-02-01T06:00:00Z'); // grace (6 h from 23:00Z) over: finalized
    await h.advanceTo('2026-03-01T00:00:00Z');
    await h.advanceTo('2026-03-01T06:00:00Z');
  });
  afterAll(() => h.stop());

  it('bills the first partial month in advance, prorated by day, as invoice 1 at the start', async () => {
    const opening = (await h.invoices.get('inv_sub-early_20260114T230000Z_open'))?.invoice;
    expect(opening?.kind).toBe('opening');
    expect(opening?.status).toBe('finalized');
    expect(opening?.number).toBe('ACME-2026-000001');
    // Finalized at 23:30Z = 00:30 on Jan 15 in Berlin; net 14 days
    expect(opening?.issueDate).toBe('2026-01-15');
    expect(opening?.dueDate).toBe('2026-01-29');
    // Jan 15 .. Feb 1 local is 17 of January's 31 days: 31.00 × 17 ÷ 31 = 17.00
    expect(opening?.lines).toHaveLength(1);
    const [fee] = fixed(opening!) as NonNullable<typeof opening>['lines'];
    expect(fee).toMatchObject({
      timing: 'advance',
      amount: '17.00',
      period: { start: START, end: FEB },
      proration: { basis: 'by-day', numerator: 17, denominator: 31, credit: false },
    });
    expect(opening?.totals.total).toBe('17.00');
  });

  it('bills January’s calls and February’s fee in advance on invoice 2, without billing January’s fee again', async () => {
    const jan = (await invoices()).find(
      (i) => i.kind === 'period' && Date.parse(i.period.start) === Date.parse(START),
    );
    expect(jan?.number).toBe('ACME-2026-000002');
    // calls: 40 × 0.10 = 4.00 (the call before the start is not counted)
    expect(jan?.lines.find((l) => l.chargeId === 'calls')?.amount).toBe('4.00');
    // February in full, in advance: 31.00; no true-up line for January (nothing changed)
    const fees = fixed(jan!) as NonNullable<typeof jan>['lines'];
    expect(fees.map((l) => [l.period.start, l.period.end, l.timing, l.amount])).toEqual([
      [FEB, MAR, 'advance', '31.00'],
    ]);
    // 4.00 + 31.00 = 35.00
    expect(jan?.totals.total).toBe('35.00');
  });

  it('bills February’s calls and March’s fee on invoice 3', async () => {
    const feb = (await invoices()).find((i) => Date.parse(i.period.start) === Date.parse(FEB));
    expect(feb?.number).toBe('ACME-2026-000003');
    // calls: 25 × 0.10 = 2.50; March in advance 31.00 → 33.50
    expect(feb?.lines.find((l) => l.chargeId === 'calls')?.amount).toBe('2.50');
    const fees = fixed(feb!) as NonNullable<typeof feb>['lines'];
    expect(fees.map((l) => [l.period.start, l.period.end, l.amount])).toEqual([[MAR, APR, '31.00']]);
    expect(feb?.totals.total).toBe('33.50');
    expect(await invoices()).toHaveLength(3);
  });

  it('hands every invoice to delivery once', async () => {
    const sent = (await h.deliveryMessages()).map((m) => m.invoiceId).sort();
    expect(sent).toEqual(
      [
        'inv_sub-early_20260114T230000Z_open',
        'inv_sub-early_20260114T230000Z',
        'inv_sub-early_20260131T230000Z',
      ].sort(),
    );
  });
});
