import { describe, expect, it } from 'vitest';
import { assembleInvoice } from './assemble.js';
import { BillingInputError } from './errors.js';
import { classifyLateEvent, lateUsageAdjustment } from './late-usage.js';
import { customer, issuer, records, subscription, type ToyPlan, toyPlan, toyRate } from './testing.js';

const MARCH = { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' };
const sub = subscription({ start: '2026-01-01T00:00:00Z' });
const original = {
  invoiceId: 'inv_sub-1_20260301T000000Z',
  invoiceNumber: 'ACME-2026-000003',
  period: MARCH,
};

function adjust(plan: ToyPlan, billed: number, late: number, lateFrom = '2026-03-20T00:00:00Z') {
  return lateUsageAdjustment({
    customer: customer(),
    subscription: sub,
    planVersions: [plan],
    meters: {},
    original,
    billedUsage: { calls: records('2026-03-02T00:00:00Z', billed) },
    lateUsage: { calls: records(lateFrom, late) },
    rate: toyRate,
  });
}

describe('classifyLateEvent', () => {
  const opts = {
    subscription: sub,
    customer: customer(),
    finalizedThrough: '2026-04-01T00:00:00Z',
    lateAcceptanceDays: 35,
  };

  it.each([
    ['2026-04-02T00:00:00Z', '2026-04-10T00:00:00Z', 'current'],
    ['2026-03-30T10:00:00Z', '2026-04-10T00:00:00Z', 'adjustment'],
    // Apr 1 + 35 days = May 6 00:00: the last moment before it is still accepted
    ['2026-03-30T10:00:00Z', '2026-05-05T23:59:59Z', 'adjustment'],
    ['2026-03-30T10:00:00Z', '2026-05-06T00:00:00Z', 'too-late'],
    // a January event: its window closed on Mar 7 (Feb 1 + 35 days)
    ['2026-01-15T00:00:00Z', '2026-03-08T00:00:00Z', 'too-late'],
    ['2025-12-31T23:59:59Z', '2026-01-02T00:00:00Z', 'outside-subscription'],
  ])('classifies an event at %s seen at %s as %s', (t, now, expected) => {
    expect(classifyLateEvent(t, now, opts)).toBe(expected);
  });

  it('treats every event as current before anything was finalized', () => {
    expect(
      classifyLateEvent('2026-01-15T00:00:00Z', '2026-09-01T00:00:00Z', { ...opts, finalizedThrough: null }),
    ).toBe('current');
  });
});

describe('lateUsageAdjustment', () => {
  const withAllowance = toyPlan({ fee: '30', perUnit: { meterId: 'calls', price: '0.10', included: '100' } });

  it('bills the difference of re-rating the period, so the allowance stays correct', () => {
    // billed 90 ≤ 100 included → 0.00; with 20 late: 110 → 10 × 0.10 = 1.00 (rating the 20 alone would give 0)
    const lines = adjust(withAllowance, 90, 20);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      key: 'adj:inv_sub-1_20260301T000000Z:s0:calls:usage',
      kind: 'adjustment',
      quantity: '10',
      amount: '1',
      planId: 'basic',
      period: MARCH,
      adjusts: {
        invoiceId: original.invoiceId,
        invoiceNumber: 'ACME-2026-000003',
        period: MARCH,
        reason: 'late-usage',
      },
    });
  });

  it('offsets the commitment top-up: more usage, less top-up, nothing new to pay', () => {
    const committed = { ...withAllowance, terms: { ...withAllowance.terms, minimumCommitment: '50' } };
    // before: 150 calls → 5.00 + fee 30 = 35 → top-up 15.00; after +100: 15.00 + 30 = 45 → top-up 5.00
    const lines = adjust(committed, 150, 100, '2026-03-10T00:00:00Z');
    expect(lines.map((l) => [l.adjusts?.originalKind, l.amount])).toEqual([
      ['usage', '10'],
      ['commitment', '-10'],
    ]);
  });

  it('bills nothing for records already billed (a redelivery)', () => {
    expect(adjust(withAllowance, 150, 0)).toEqual([]);
    const lines = lateUsageAdjustment({
      customer: customer(),
      subscription: sub,
      planVersions: [withAllowance],
      meters: {},
      original,
      billedUsage: { calls: records('2026-03-02T00:00:00Z', 150) },
      lateUsage: { calls: records('2026-03-02T00:00:00Z', 5) },
      rate: toyRate,
    });
    expect(lines).toEqual([]);
  });

  it('refuses a late record outside the corrected period', () => {
    expect(() => adjust(withAllowance, 10, 1, '2026-04-01T00:00:00Z')).toThrow(BillingInputError);
  });

  it('rates late usage on the plan version in effect at its time (split at a mid-period change)', () => {
    const v2 = toyPlan({ version: 2, fee: '30', perUnit: { meterId: 'calls', price: '0.20' } });
    const changed = subscription({
      start: '2026-01-01T00:00:00Z',
      phases: [
        { from: '2026-01-01T00:00:00Z', planId: 'basic', planVersion: 1 },
        { from: '2026-03-15T00:00:00Z', planId: 'basic', planVersion: 2 },
      ],
    });
    const lines = lateUsageAdjustment({
      customer: customer(),
      subscription: changed,
      planVersions: [toyPlan({ fee: '30', perUnit: { meterId: 'calls', price: '0.10' } }), v2],
      meters: {},
      original,
      billedUsage: {},
      lateUsage: { calls: [...records('2026-03-05T00:00:00Z', 10), ...records('2026-03-20T00:00:00Z', 10)] },
      rate: toyRate,
    });
    // 10 × 0.10 = 1.00 on v1, 10 × 0.20 = 2.00 on v2
    expect(lines.map((l) => [l.planVersion, l.amount])).toEqual([
      [1, '1'],
      [2, '2'],
    ]);
  });

  it('re-rates a period with no late records of its own when its rater changed (an opening moved)', () => {
    const plan = toyPlan({ fee: '30', perUnit: { meterId: 'calls', price: '0.10' } });
    // the rater adds `opening` units to the period, as a register read before it would
    const opened =
      (opening: number): typeof toyRate =>
      (input) =>
        toyRate({
          ...input,
          usage: {
            calls: [...(input.usage.calls ?? []), ...records(input.period.start, 1, String(opening))],
          },
        });
    const lines = lateUsageAdjustment({
      customer: customer(),
      subscription: sub,
      planVersions: [plan],
      meters: {},
      original,
      billedUsage: { calls: records('2026-03-02T00:00:00Z', 10) },
      lateUsage: {},
      rateBilled: opened(2),
      rate: opened(7),
    });
    // billed (10 + 2) × 0.10 = 1.20; now (10 + 7) × 0.10 = 1.70: +5 units, +0.50
    expect(lines.map((l) => [l.kind, l.quantity, l.amount])).toEqual([['adjustment', '5', '0.5']]);
  });

  it('goes on the next invoice, undiscounted and outside its commitment', () => {
    const adjustments = adjust(withAllowance, 90, 20);
    const inv = assembleInvoice({
      customer: customer(),
      issuer,
      subscription: sub,
      planVersions: [{ ...withAllowance, terms: { ...withAllowance.terms, minimumCommitment: '40' } }],
      meters: {},
      period: { start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' },
      adjustments,
      coupons: [
        { id: 'all', type: 'percent', percentOff: '100', periods: null, redeemedAt: '2026-01-01T00:00:00Z' },
      ],
      now: '2026-05-01T06:00:00Z',
      rate: toyRate,
    });
    // April: allowance line 0, fee 30.00, commitment top-up 40 − 30 = 10.00, −100 % of 40.00, adjustment 1.00
    expect(inv.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['usage', '0.00'],
      ['fixed', '30.00'],
      ['commitment', '10.00'],
      ['adjustment', '1.00'],
      ['discount', '-40.00'],
    ]);
    expect(inv.totals.total).toBe('1.00');
  });
});
