import { describe, expect, it } from 'vitest';
import { type AssembleInvoiceInput, assembleInvoice } from './assemble.js';
import type { Coupon } from './discounts.js';
import { BillingInputError } from './errors.js';
import { type Invoice, InvoiceSchema } from './invoice.js';
import {
  customer,
  issuer,
  records,
  subscription,
  type ToyPlan,
  type ToyRecord,
  toyPlan,
  toyRate,
} from './testing.js';

type Input = AssembleInvoiceInput<ToyPlan, unknown, ToyRecord>;

const APRIL = { start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' };
const basic = toyPlan({ fee: '30', perUnit: { meterId: 'calls', price: '0.10' } });
const pro = toyPlan({ id: 'pro', name: 'Pro', fee: '60', perUnit: { meterId: 'calls', price: '0.05' } });

function assemble(over: Partial<Input> = {}): Invoice {
  return assembleInvoice({
    customer: customer(),
    issuer,
    subscription: subscription(),
    planVersions: [basic, pro],
    meters: {},
    period: APRIL,
    usage: {},
    now: '2026-05-01T06:00:00Z',
    rate: toyRate,
    ...over,
  });
}

function amounts(inv: Invoice): Record<string, string> {
  return Object.fromEntries(inv.lines.map((l) => [l.key, l.amount]));
}

const upgrade = subscription({
  phases: [
    { from: '2026-04-01T00:00:00Z', planId: 'basic', planVersion: 1 },
    { from: '2026-04-11T14:00:00Z', planId: 'pro', planVersion: 1 },
  ],
});

describe('assembleInvoice: fees in arrears and usage', () => {
  it('bills a full month: fee, usage, 20 % VAT', () => {
    const inv = assemble({
      customer: customer({ tax: { rates: [{ id: 'vat', name: 'VAT 20 %', rate: '0.20' }] } }),
      usage: { calls: records('2026-04-02T00:00:00Z', 150) },
    });
    // 150 calls × 0.10 = 15.00; fee 30.00; subtotal 45.00; VAT 45 × 0.2 = 9.00; total 54.00
    expect(amounts(inv)).toEqual({ 's0:calls:usage': '15.00', 's0:base:fee': '30.00' });
    expect(inv.totals).toEqual({
      charges: '45.00',
      discounts: '0.00',
      subtotal: '45.00',
      tax: '9.00',
      credits: '0.00',
      total: '54.00',
      amountDue: '54.00',
      creditBalanceCreated: '0.00',
    });
    expect(inv.tax.lines).toEqual([
      {
        rateId: 'vat',
        name: 'VAT 20 %',
        rate: '0.20',
        base: '45.00',
        amount: '9.00',
        rounding: 'per-invoice',
      },
    ]);
    expect(inv).toMatchObject({
      id: 'inv_sub-1_20260401T000000Z',
      status: 'draft',
      number: null,
      periodIndex: 0,
    });
    expect(inv.lines[1]).toMatchObject({ planId: 'basic', planVersion: 1, period: APRIL, timing: 'arrears' });
    expect(InvoiceSchema.parse(JSON.parse(JSON.stringify(inv)))).toEqual(inv);
  });

  it('prorates a start mid-month by day: 17 of 31 January days', () => {
    const start = '2026-01-15T10:30:00Z';
    const inv = assemble({
      subscription: subscription({ start, phases: [{ from: start, planId: 'basic', planVersion: 1 }] }),
      planVersions: [toyPlan({ fee: '31' })],
      period: { start, end: '2026-02-01T00:00:00Z' },
    });
    // Jan 15..31 = 17 days; 31 × 17/31 = 17.00
    expect(inv.lines[0]).toMatchObject({
      amount: '17.00',
      proration: { basis: 'by-day', numerator: 17, denominator: 31, credit: false },
    });
  });

  it('splits usage and fees at an upgrade; each part priced on its own plan version', () => {
    const inv = assemble({
      subscription: upgrade,
      usage: { calls: [...records('2026-04-01T00:00:00Z', 100), ...records('2026-04-20T00:00:00Z', 200)] },
    });
    // basic Apr 1–10: 10/30 × 30 = 10.00, 100 calls × 0.10 = 10.00
    // pro Apr 11–30: 20/30 × 60 = 40.00, 200 calls × 0.05 = 10.00 (the day of the change is billed on pro)
    expect(amounts(inv)).toEqual({
      's0:calls:usage': '10.00',
      's1:calls:usage': '10.00',
      's0:base:fee': '10.00',
      's1:base:fee': '40.00',
    });
    expect(inv.lines.map((l) => [l.key, l.planId, l.period.start, l.period.end])).toEqual([
      ['s0:calls:usage', 'basic', '2026-04-01T00:00:00Z', '2026-04-11T14:00:00Z'],
      ['s1:calls:usage', 'pro', '2026-04-11T14:00:00Z', '2026-05-01T00:00:00Z'],
      ['s0:base:fee', 'basic', '2026-04-01T00:00:00Z', '2026-04-11T14:00:00Z'],
      ['s1:base:fee', 'pro', '2026-04-11T14:00:00Z', '2026-05-01T00:00:00Z'],
    ]);
    expect(inv.totals.subtotal).toBe('70.00');
  });

  it("hands every segment's rater the whole period's usage beside the segment's own", () => {
    const seen: [string, number, number][] = [];
    assemble({
      subscription: upgrade,
      usage: { calls: [...records('2026-04-01T00:00:00Z', 3), ...records('2026-04-20T00:00:00Z', 4)] },
      rate: (input) => {
        seen.push([input.plan.id, input.usage.calls?.length ?? 0, input.periodUsage?.calls?.length ?? 0]);
        return toyRate(input);
      },
    });
    // basic sees its 3 records, pro its 4; both see all 3 + 4 = 7 of the period
    expect(seen).toEqual([
      ['basic', 3, 7],
      ['pro', 4, 7],
    ]);
  });

  it('hands a cut segment the billing period as wholePeriod (time-weighted meters take their share of it)', () => {
    const seen: [string, string | undefined][] = [];
    const spy: Input['rate'] = (input) => {
      seen.push([input.period.start, input.wholePeriod?.end]);
      return toyRate(input);
    };
    assemble({ subscription: upgrade, rate: spy });
    assemble({ rate: spy });
    assemble({ subscription: subscription({ trialEnd: '2026-04-08T00:00:00Z' }), rate: spy });
    // both parts of the upgrade and the part after the trial get April; the uncut April gets none
    expect(seen).toEqual([
      ['2026-04-01T00:00:00Z', APRIL.end],
      ['2026-04-11T14:00:00Z', APRIL.end],
      ['2026-04-01T00:00:00Z', undefined],
      ['2026-04-08T00:00:00Z', APRIL.end],
    ]);
  });

  it('multiplies fees by the quantity and prorates a quantity change', () => {
    const inv = assemble({
      subscription: subscription({
        phases: [
          { from: '2026-04-01T00:00:00Z', planId: 'basic', planVersion: 1, quantity: '2' },
          { from: '2026-04-16T00:00:00Z', planId: 'basic', planVersion: 1, quantity: '5' },
        ],
      }),
      planVersions: [toyPlan({ fee: '10' })],
    });
    // 15/30 × 10 × 2 = 10.00; 15/30 × 10 × 5 = 25.00
    expect(inv.lines.map((l) => [l.quantity, l.amount])).toEqual([
      ['2', '10.00'],
      ['5', '25.00'],
    ]);
  });

  it.each([
    // UTC March: 744 h; cancelled Mar 11 00:00 → 240 h; 744 × 240/744 = 240.00; by day 10/31 × 744 = 240.00
    ['by-second', 'UTC', '2026-03-01T00:00:00Z', '2026-03-11T00:00:00Z', '744', '240.00'],
    ['by-day', 'UTC', '2026-03-01T00:00:00Z', '2026-03-11T00:00:00Z', '744', '240.00'],
    // Berlin March has 743 h (DST on the 29th); cancelled Mar 31 00:00 CEST:
    // by second 719 h / 743 h × 743 = 719.00; by day 30/31 × 743 = 719.032… → 719.03
    ['by-second', 'Europe/Berlin', '2026-02-28T23:00:00Z', '2026-03-30T22:00:00Z', '743', '719.00'],
    ['by-day', 'Europe/Berlin', '2026-02-28T23:00:00Z', '2026-03-30T22:00:00Z', '743', '719.03'],
  ] as const)('prorates a cancellation %s in %s', (basis, zone, start, end, fee, expected) => {
    const inv = assemble({
      customer: customer({ timeZone: zone }),
      subscription: subscription({ start, end, phases: [{ from: start, planId: 'basic', planVersion: 1 }] }),
      planVersions: [toyPlan({ fee, terms: { proration: basis } })],
      period: { start, end },
    });
    expect(inv.lines[0]!.amount).toBe(expected);
  });

  it('charges nothing during the trial: neither fees nor usage', () => {
    const inv = assemble({
      subscription: subscription({ trialEnd: '2026-04-08T00:00:00Z' }),
      usage: { calls: [...records('2026-04-01T00:00:00Z', 10), ...records('2026-04-10T00:00:00Z', 20)] },
    });
    // fee Apr 8–30: 23/30 × 30 = 23.00; usage after the trial 20 × 0.10 = 2.00
    expect(amounts(inv)).toEqual({ 's0:calls:usage': '2.00', 's0:base:fee': '23.00' });
  });

  it('makes the invoice of a short "none" proration period charge the full fee', () => {
    const inv = assemble({
      subscription: subscription({ start: '2026-04-16T00:00:00Z' }),
      planVersions: [toyPlan({ fee: '30', terms: { proration: 'none' } })],
      period: { start: '2026-04-16T00:00:00Z', end: APRIL.end },
    });
    expect(inv.lines[0]!.amount).toBe('30.00');
  });
});

describe('assembleInvoice: fees in advance', () => {
  const adv = (p: ToyPlan): ToyPlan => ({ ...p, terms: { ...p.terms, fixedFeeTiming: 'advance' } });
  const plans = [adv(basic), adv(pro)];
  const opening = assemble({ kind: 'opening', planVersions: plans, now: '2026-04-01T00:00:00Z' });
  const advanceLines = opening.lines.filter((l) => l.timing === 'advance');

  it('bills the first period in advance on the opening invoice', () => {
    expect(opening.id).toBe('inv_sub-1_20260401T000000Z_open');
    expect(opening.lines).toHaveLength(1);
    expect(opening.lines[0]).toMatchObject({
      key: 'adv:base:fee',
      amount: '30.00',
      period: APRIL,
      timing: 'advance',
    });
    expect(opening.totals.total).toBe('30.00');
  });

  it('takes only the advance fees for this period from a whole previous invoice', () => {
    const march = subscription({ start: '2026-03-01T00:00:00Z' });
    const previous = assemble({
      subscription: march,
      planVersions: plans,
      period: { start: '2026-03-01T00:00:00Z', end: APRIL.start },
    });
    // March closed without advance billing: March's fee (true-up, arrears) and April's in advance
    expect(previous.lines.filter((l) => l.kind === 'fixed').map((l) => l.period.start)).toEqual([
      '2026-03-01T00:00:00Z',
      '2026-04-01T00:00:00Z',
    ]);
    const inv = assemble({ subscription: march, planVersions: plans, advanceBilled: previous.lines });
    expect(amounts(inv)).toEqual({ 's0:calls:usage': '0.00', 'adv:base:fee': '30.00' });
  });

  it('bills only usage and the next fee when nothing changed', () => {
    const inv = assemble({
      planVersions: plans,
      advanceBilled: advanceLines,
      usage: { calls: records(APRIL.start, 3) },
    });
    // 3 × 0.10 = 0.30; May fee 30.00 in advance
    expect(amounts(inv)).toEqual({ 's0:calls:usage': '0.30', 'adv:base:fee': '30.00' });
    expect(inv.lines[1]!.period).toEqual({ start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z' });
  });

  it('credits unused time of the old plan and charges the new one on an upgrade', () => {
    const inv = assemble({ subscription: upgrade, planVersions: plans, advanceBilled: advanceLines });
    // unused basic Apr 11–30: −20/30 × 30 = −20.00; pro Apr 11–30: 20/30 × 60 = 40.00; May pro 60.00
    expect(amounts(inv)).toEqual({
      's0:calls:usage': '0.00',
      's1:calls:usage': '0.00',
      'credit:adv:base:fee:20260411T140000Z': '-20.00',
      's1:base:fee:20260411T140000Z': '40.00',
      'adv:base:fee': '60.00',
    });
    expect(inv.lines[2]!.proration).toMatchObject({ credit: true, numerator: 20, denominator: 30 });
    expect(inv.lines[4]!.planId).toBe('pro');
    expect(inv.totals.total).toBe('80.00');
  });

  it('credits the days after a cancellation and bills no next fee; the negative total becomes balance', () => {
    const inv = assemble({
      subscription: subscription({ end: '2026-04-21T00:00:00Z' }),
      planVersions: plans,
      period: { start: APRIL.start, end: '2026-04-21T00:00:00Z' },
      advanceBilled: advanceLines,
    });
    // unused Apr 21–30: 10/30 × 30 = 10.00 (a usage line of zero stays on the invoice, as rating gave it)
    expect(amounts(inv)).toEqual({
      's0:calls:usage': '0.00',
      'credit:adv:base:fee:20260421T000000Z': '-10.00',
    });
    expect(inv.totals).toMatchObject({ total: '-10.00', amountDue: '0.00', creditBalanceCreated: '10.00' });
  });

  it('bills the fees of the period itself when no advance billing is given', () => {
    const inv = assemble({ planVersions: plans });
    expect(amounts(inv)).toEqual({
      's0:calls:usage': '0.00',
      's0:base:fee:20260401T000000Z': '30.00',
      'adv:base:fee': '30.00',
    });
  });
});

describe('assembleInvoice: minimum commitment', () => {
  it.each([
    // spend 30 fee + 150 × 0.10 = 45.00 < 100 → top-up 55.00
    ['a full period', '2026-04-01T00:00:00Z', 150, '1', '55.00', '100.00'],
    // Apr 16–30 is 15/30: commitment 50.00, fee 15.00 → 35.00
    ['a half period', '2026-04-16T00:00:00Z', 0, '1', '35.00', '50.00'],
    // spend 30 + 400 × 2 × 0.10 = 110 ≥ 100 → no top-up
    ['a period above it', '2026-04-01T00:00:00Z', 400, '2', null, '110.00'],
  ])('tops up %s', (_, start, calls, value, topUp, subtotal) => {
    const inv = assemble({
      subscription: subscription({ start }),
      planVersions: [{ ...basic, terms: { ...basic.terms, minimumCommitment: '100' } }],
      period: { start, end: APRIL.end },
      usage: { calls: records(start, calls, value) },
    });
    expect(inv.lines.find((l) => l.kind === 'commitment')?.amount ?? null).toBe(topUp);
    expect(inv.totals.subtotal).toBe(subtotal);
  });
});

describe('assembleInvoice: coupons', () => {
  const ten: Coupon = {
    id: 'welcome',
    type: 'percent',
    percentOff: '10',
    periods: 2,
    redeemedAt: '2026-04-05T00:00:00Z',
  };
  const usage = { calls: records('2026-04-02T00:00:00Z', 150) }; // 15.00 + fee 30.00 = 45.00

  it.each([
    [[ten], ['-4.50'], '40.50'],
    [
      [{ ...ten, id: 'fifty', type: 'amount', amountOff: '50', currency: 'EUR' } as Coupon],
      ['-45.00'],
      '0.00',
    ],
    // 10 % of 45 = 4.50, then 5.00 off the remaining 40.50
    [
      [ten, { ...ten, id: 'five', type: 'amount', amountOff: '5', currency: 'EUR' } as Coupon],
      ['-4.50', '-5.00'],
      '35.50',
    ],
    // 50 % of the calls line only: 7.50
    [[{ ...ten, id: 'half-calls', percentOff: '50', chargeIds: ['calls'] }], ['-7.50'], '37.50'],
  ])('discounts %#', (coupons, discounts, subtotal) => {
    const inv = assemble({ usage, coupons });
    expect(inv.lines.filter((l) => l.kind === 'discount').map((l) => l.amount)).toEqual(discounts);
    expect(inv.totals.subtotal).toBe(subtotal);
  });

  it.each([
    [0, true],
    [1, true],
    [2, false],
  ])('a coupon for 2 periods redeemed in period 0 covers period %i: %s', (index, applies) => {
    const start = ['2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z'][index]!;
    const end = ['2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z'][index]!;
    const inv = assemble({ period: { start, end }, coupons: [ten] });
    expect(inv.lines.some((l) => l.kind === 'discount')).toBe(applies);
  });
});

describe('assembleInvoice: tax', () => {
  const tiny = toyPlan({ fee: '0.05', perUnit: { meterId: 'calls', price: '0.05' } });
  const tenPct = [{ id: 'vat', name: 'VAT 10 %', rate: '0.10' }];

  it.each([
    // two lines of 0.05 at 10 %: per line 0.005 → 0.01 twice = 0.02; per invoice 0.10 × 10 % = 0.01
    ['per-line', '0.02', '0.12'],
    ['per-invoice', '0.01', '0.11'],
  ] as const)('rounds tax %s', (rounding, tax, total) => {
    const inv = assemble({
      customer: customer({ tax: { rates: tenPct, rounding } }),
      planVersions: [tiny],
      usage: { calls: records(APRIL.start, 1) },
    });
    expect(inv.totals).toMatchObject({ subtotal: '0.10', tax, total });
    expect(inv.tax.rounding).toBe(rounding);
    expect(inv.roundingRule.statement).toContain(rounding === 'per-line' ? 'per line' : 'once per rate');
    if (rounding === 'per-line') expect(inv.lines[0]!.taxes).toEqual([{ rateId: 'vat', amount: '0.01' }]);
  });

  it('adds several rates side by side', () => {
    const inv = assemble({
      customer: customer({
        tax: {
          rates: [
            { id: 'state', name: 'State 7 %', rate: '0.07' },
            { id: 'county', name: 'County 2 %', rate: '0.02' },
          ],
        },
      }),
      usage: { calls: records(APRIL.start, 150) },
    });
    // 45 × 0.07 = 3.15; 45 × 0.02 = 0.90
    expect(inv.tax.lines.map((t) => t.amount)).toEqual(['3.15', '0.90']);
    expect(inv.totals).toMatchObject({ tax: '4.05', total: '49.05' });
  });

  it('states the tax contained in inclusive prices', () => {
    const inv = assemble({
      customer: customer({ tax: { mode: 'inclusive', rates: tenPct } }),
      planVersions: [toyPlan({ fee: '11' })],
    });
    // 11 × 0.10 / 1.10 = 1.00 contained; net 10.00; total stays 11.00
    expect(inv.tax.lines[0]).toMatchObject({ base: '10.00', amount: '1.00' });
    expect(inv.totals).toMatchObject({ subtotal: '11.00', tax: '1.00', total: '11.00' });
  });

  it('charges no tax for an exempt customer and prints the reason', () => {
    const reason = 'Reverse charge';
    const inv = assemble({ customer: customer({ tax: { rates: tenPct, exemption: { reason } } }) });
    expect(inv.tax).toMatchObject({ lines: [], exemption: { reason } });
    expect(inv.totals.tax).toBe('0.00');
  });
});

describe('assembleInvoice: prepaid credits', () => {
  it('uses the grant that expires first, skips expired ones, and never goes below zero', () => {
    const inv = assemble({
      customer: customer({ tax: { rates: [{ id: 'vat', name: 'VAT 20 %', rate: '0.20' }] } }),
      usage: { calls: records('2026-04-02T00:00:00Z', 150) },
      credits: [
        { id: 'a', currency: 'EUR', remaining: '100' },
        { id: 'b', currency: 'EUR', remaining: '20', expiresAt: '2026-06-01T00:00:00Z' },
        { id: 'c', currency: 'EUR', remaining: '50', expiresAt: '2026-04-30T00:00:00Z' },
      ],
    });
    // owed 45.00 + 9.00 = 54.00: b 20.00 then a 34.00; c expired before now (May 1)
    expect(inv.creditsApplied).toEqual([
      { creditId: 'b', amount: '20.00' },
      { creditId: 'a', amount: '34.00' },
    ]);
    expect(inv.totals).toMatchObject({ credits: '54.00', total: '0.00', amountDue: '0.00' });
  });
});

describe('assembleInvoice: input errors', () => {
  it.each([
    ['a plan version that was not given', { planVersions: [pro] }, /plan basic version 1 is not among/],
    ['a plan in another currency', { planVersions: [{ ...basic, currency: 'USD' }] }, /priced in USD/],
    [
      'a range that is not a billing period',
      { period: { start: APRIL.start, end: '2026-04-15T00:00:00Z' } },
      /not one of its billing periods/,
    ],
    ['another customer', { customer: customer({ id: 'cus-2' }) }, /belongs to customer cus-1/],
    [
      'a plan priced per another interval',
      { planVersions: [{ ...basic, terms: { ...basic.terms, interval: 'year' as const } }] },
      /bills every month, but plan basic v1 is priced per year/,
    ],
  ])('fails for %s', (_, over, message) => {
    expect(() => assemble(over as Partial<Input>)).toThrow(BillingInputError);
    expect(() => assemble(over as Partial<Input>)).toThrow(message);
  });
});
