import { type Meter, MeterSchema, type UsageRecord } from '@tally/metering';
import { type Plan, PlanSchema } from '@tally/rating';
import { describe, expect, it } from 'vitest';
import { assembleInvoice } from './assemble.js';
import { type Customer, CustomerSchema, IssuerSchema } from './customer.js';
import { type Invoice, InvoiceSchema } from './invoice.js';
import { finalizeInvoice } from './lifecycle.js';
import { billingPeriods } from './periods.js';
import { type Subscription, SubscriptionSchema } from './subscription.js';

/**
 * Worked billing scenarios, end to end through @tally/rating's `rate()`. Every expected figure is computed
 * by hand in the comments; none is copied from the code's output.
 */

const meter = (id: string, eventType: string, valuePath: string, unit: string): Meter =>
  MeterSchema.parse({ id, eventType, valuePath, unit, aggregation: 'sum' });

/** `n` records of `value`, `stepMinutes` apart from `from`. */
function series(prefix: string, from: string, n: number, value: string, stepMinutes = 60): UsageRecord[] {
  const t0 = Date.parse(from);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    time: new Date(t0 + i * stepMinutes * 60_000).toISOString(),
    value,
  }));
}

const amountsByKey = (inv: Invoice) => Object.fromEntries(inv.lines.map((l) => [l.key, l.amount]));

describe('telecom subscriber: bundle with included minutes and data, overage, fees in advance (Berlin)', () => {
  const issuer = IssuerSchema.parse({
    id: 'tel',
    legalName: 'Telco GmbH',
    numberPrefix: 'TEL',
    timeZone: 'Europe/Berlin',
  });
  const customer: Customer = CustomerSchema.parse({
    id: 'cus-anna',
    legalName: 'Anna Schmidt',
    billingEmails: ['anna@example.de'],
    locale: 'de-DE',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    tax: {
      mode: 'exclusive',
      rates: [{ id: 'de-vat', name: 'USt. 19 %', rate: '0.19' }],
      rounding: 'per-invoice',
    },
    issuerId: 'tel',
    paymentTermsDays: 14,
  });
  const meters = {
    'voice-min': meter('voice-min', 'call.completed', 'minutes', 'min'),
    'data-gb': meter('data-gb', 'data.session', 'gb', 'GB'),
  };
  const plan: Plan = PlanSchema.parse({
    id: 'mobile-m',
    version: 1,
    name: 'Mobile M',
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    terms: { fixedFeeTiming: 'advance', proration: 'by-day' },
    charges: [
      { type: 'flat', id: 'bundle', name: 'Mobile M bundle', amount: '25.00' },
      { type: 'per-unit', id: 'voice', meterId: 'voice-min', unitPrice: '0.09', included: '300' },
      {
        type: 'graduated',
        id: 'data',
        meterId: 'data-gb',
        included: '10',
        tiers: [
          { upTo: '5', unitPrice: '2.00' },
          { upTo: null, unitPrice: '1.00' },
        ],
      },
    ],
  });
  // March 1 00:00 CET = Feb 28 23:00Z
  const subscription: Subscription = SubscriptionSchema.parse({
    id: 'sub-anna',
    customerId: 'cus-anna',
    start: '2026-02-28T23:00:00Z',
    interval: 'month',
    alignment: 'calendar',
    phases: [{ from: '2026-02-28T23:00:00Z', planId: 'mobile-m', planVersion: 1 }],
  });
  const [march] = billingPeriods(subscription, customer, {
    from: subscription.start,
    to: '2026-03-31T22:00:00Z',
  });
  const base = { customer, issuer, subscription, planVersions: [plan], meters };

  it('bills the bundle in advance on the opening invoice', () => {
    const opening = assembleInvoice({
      ...base,
      kind: 'opening',
      period: march!,
      now: '2026-02-28T23:00:00Z',
    });
    // 25.00 + 19 % = 4.75 → 29.75
    expect(opening.totals).toMatchObject({ subtotal: '25.00', tax: '4.75', total: '29.75' });
  });

  it('closes March: overage on minutes and tiered data, April bundle in advance, VAT rounded per invoice', () => {
    const opening = assembleInvoice({
      ...base,
      kind: 'opening',
      period: march!,
      now: '2026-02-28T23:00:00Z',
    });
    const voice = [
      ...series('call', '2026-03-02T08:00:00Z', 39, '8.5', 17 * 60), // 39 calls × 8.5 min
      { id: 'call-last', time: '2026-03-31T21:59:59Z', value: '8.5' }, // Mar 31 23:59:59 CEST: still March
      { id: 'call-april', time: '2026-03-31T22:00:00Z', value: '10' }, // Apr 1 00:00 CEST: April
    ];
    const data = series('gb', '2026-03-03T12:00:00Z', 37, '0.5', 18 * 60); // 37 × 0.5 = 18.5 GB, the last on Mar 30
    const draft = assembleInvoice({
      ...base,
      period: march!,
      usage: { 'voice-min': voice, 'data-gb': data },
      advanceBilled: opening.lines.filter((l) => l.timing === 'advance'),
      now: '2026-04-01T05:00:00Z',
    });
    // minutes 40 × 8.5 = 340: 300 included, 40 × 0.09 = 3.60
    // data 18.5 GB: 10 included, 8.5 left: tier 1 5 × 2.00 = 10.00, tier 2 3.5 × 1.00 = 3.50
    // April bundle in advance 25.00; March's bundle was billed on the opening invoice: nothing to true up
    expect(amountsByKey(draft)).toEqual({
      's0:voice:included': '0.00',
      's0:voice': '3.60',
      's0:data:included': '0.00',
      's0:data:tier:1': '10.00',
      's0:data:tier:2': '3.50',
      'adv:bundle': '25.00',
    });
    const tier2 = draft.lines.find((l) => l.key === 's0:data:tier:2')!;
    expect(tier2).toMatchObject({
      quantity: '3.5',
      unitPrice: '1',
      meterId: 'data-gb',
      tier: { index: 2, from: '5' },
    });
    expect(tier2).toMatchObject({
      planId: 'mobile-m',
      planVersion: 1,
      period: { start: march!.start, end: march!.end },
    });
    expect(draft.lines.find((l) => l.key === 'adv:bundle')!.period).toEqual({
      start: '2026-03-31T22:00:00Z',
      end: '2026-04-30T22:00:00Z',
    });
    // subtotal 3.60 + 10.00 + 3.50 + 25.00 = 42.10; VAT 42.10 × 0.19 = 7.999 → 8.00; total 50.10
    expect(draft.totals).toEqual({
      charges: '42.10',
      discounts: '0.00',
      subtotal: '42.10',
      tax: '8.00',
      credits: '0.00',
      total: '50.10',
      amountDue: '50.10',
      creditBalanceCreated: '0.00',
    });
    const final = finalizeInvoice(draft, { number: 1, now: '2026-04-01T05:00:00Z' });
    // 05:00Z = 07:00 CEST on Apr 1; net 14 → Apr 15
    expect(final).toMatchObject({
      number: 'TEL-2026-000001',
      issueDate: '2026-04-01',
      dueDate: '2026-04-15',
    });
    expect(InvoiceSchema.parse(JSON.parse(JSON.stringify(final)))).toEqual(final);
  });
});

describe('utility customer: mid-month tariff change and the DST week, time-of-use, VAT per line (London)', () => {
  const issuer = IssuerSchema.parse({
    id: 'power',
    legalName: 'Power Ltd',
    numberPrefix: 'PWR',
    timeZone: 'Europe/London',
  });
  const customer: Customer = CustomerSchema.parse({
    id: 'cus-home',
    legalName: 'J. Smith',
    billingEmails: ['j.smith@example.co.uk'],
    locale: 'en-GB',
    timeZone: 'Europe/London',
    currency: 'GBP',
    tax: {
      mode: 'exclusive',
      rates: [{ id: 'uk-vat-reduced', name: 'VAT 5 %', rate: '0.05' }],
      rounding: 'per-line',
    },
    issuerId: 'power',
    paymentTermsDays: 21,
  });
  const meters = { kwh: meter('kwh', 'meter.reading', 'kwh', 'kWh') };
  const tariff = (version: number, standing: string, night: string, day: string): Plan =>
    PlanSchema.parse({
      id: 'home-tou',
      version,
      name: 'Home time-of-use',
      currency: 'GBP',
      effectiveFrom: version === 1 ? '2026-01-01' : '2026-03-16',
      terms: { fixedFeeTiming: 'arrears', proration: 'by-day' },
      charges: [
        { type: 'daily', id: 'standing', name: 'Standing charge', amountPerDay: standing },
        {
          type: 'time-of-use',
          id: 'energy',
          name: 'Energy',
          meterId: 'kwh',
          schedule: {
            weekday: [
              { from: '00:00', to: '07:00', band: 'night' },
              { from: '07:00', to: '24:00', band: 'day' },
            ],
          },
          prices: [
            { band: 'night', unitPrice: night },
            { band: 'day', unitPrice: day },
          ],
        },
        { type: 'flat', id: 'rental', name: 'Smart meter rental', amount: '3.10' },
      ],
    });
  const subscription = SubscriptionSchema.parse({
    id: 'sub-home',
    customerId: 'cus-home',
    start: '2026-01-01T00:00:00Z',
    interval: 'month',
    alignment: 'calendar',
    phases: [
      { from: '2026-01-01T00:00:00Z', planId: 'home-tou', planVersion: 1 },
      // the new tariff from Mar 16 00:00 GMT
      { from: '2026-03-16T00:00:00Z', planId: 'home-tou', planVersion: 2 },
    ],
  });

  it('rates each half of March on its own tariff, counts the 23-hour Sunday right, and rounds VAT per line', () => {
    const [march] = billingPeriods(subscription, customer, {
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-02T00:00:00Z',
    });
    // Mar 1 00:00 GMT .. Apr 1 00:00 BST = Mar 31 23:00Z: 743 hours (clocks go forward on Sun Mar 29)
    expect(march).toMatchObject({ start: '2026-03-01T00:00:00Z', end: '2026-03-31T23:00:00Z' });
    const readings = [
      // Tue Mar 10 (GMT), 24 hourly readings of 1 kWh: 7 night (00–07), 17 day
      ...series('a', '2026-03-10T00:00:00Z', 24, '1'),
      // the DST week Mon Mar 23 00:00 GMT .. Mon Mar 30 00:00 BST (= Mar 29 23:00Z): 7 × 24 − 1 = 167 readings;
      // Sunday has no 01:00, so it has 6 night hours: night 6 × 7 + 6 = 48, day 7 × 17 = 119
      ...series('b', '2026-03-23T00:00:00Z', 167, '1'),
    ];
    const draft = assembleInvoice({
      customer,
      issuer,
      subscription,
      planVersions: [tariff(1, '0.50', '0.10', '0.30'), tariff(2, '0.55', '0.12', '0.28')],
      meters,
      period: march!,
      usage: { kwh: readings },
      now: '2026-04-01T06:00:00Z',
    });
    // v1 (Mar 1–15): standing 15 days × 0.50 = 7.50; night 7 × 0.10 = 0.70; day 17 × 0.30 = 5.10; rental 15/31 × 3.10 = 1.50
    // v2 (Mar 16–31): standing 16 days × 0.55 = 8.80; night 48 × 0.12 = 5.76; day 119 × 0.28 = 33.32; rental 16/31 × 3.10 = 1.60
    expect(draft.lines.map((l) => [l.key, l.planVersion, l.quantity, l.amount])).toEqual([
      ['s0:standing', 1, '15', '7.50'],
      ['s0:energy:band:night', 1, '7', '0.70'],
      ['s0:energy:band:day', 1, '17', '5.10'],
      ['s1:standing', 2, '16', '8.80'],
      ['s1:energy:band:night', 2, '48', '5.76'],
      ['s1:energy:band:day', 2, '119', '33.32'],
      ['s0:rental', 1, '1', '1.50'],
      ['s1:rental', 2, '1', '1.60'],
    ]);
    // VAT 5 % per line: 0.375→0.38, 0.035→0.04, 0.255→0.26, 0.44, 0.288→0.29, 1.666→1.67, 0.075→0.08, 0.08
    // = 3.24 (per invoice it would be 64.28 × 0.05 = 3.214 → 3.21)
    expect(draft.lines.map((l) => l.taxes?.[0]?.amount)).toEqual([
      '0.38',
      '0.04',
      '0.26',
      '0.44',
      '0.29',
      '1.67',
      '0.08',
      '0.08',
    ]);
    // subtotal 7.50 + 0.70 + 5.10 + 8.80 + 5.76 + 33.32 + 1.50 + 1.60 = 64.28; + 3.24 = 67.52
    expect(draft.totals).toMatchObject({
      subtotal: '64.28',
      tax: '3.24',
      total: '67.52',
      amountDue: '67.52',
    });
    expect(draft.roundingRule.statement).toBe(
      'Each line is rounded once to 0.01 GBP (half-up); tax is rounded per line, then added up (half-up).',
    );
    const final = finalizeInvoice(draft, { number: 314, now: '2026-04-01T06:00:00Z' });
    // 06:00Z = 07:00 BST on Apr 1; net 21 → Apr 22
    expect(final).toMatchObject({
      number: 'PWR-2026-000314',
      issueDate: '2026-04-01',
      dueDate: '2026-04-22',
    });
  });
});

describe('IoT customer: anniversary billing, mid-period upgrade prorated by the second, coupon, prepaid credit (New York)', () => {
  const issuer = IssuerSchema.parse({
    id: 'iot',
    legalName: 'Things Inc.',
    numberPrefix: 'IOT',
    timeZone: 'America/New_York',
  });
  const customer: Customer = CustomerSchema.parse({
    id: 'cus-fleet',
    legalName: 'Fleet Sensors LLC',
    billingEmails: ['ap@fleet.example'],
    locale: 'en-US',
    timeZone: 'America/New_York',
    currency: 'USD',
    tax: { exemption: { reason: 'Sales tax exempt: resale certificate on file', certificateId: 'NY-123' } },
    issuerId: 'iot',
    paymentTermsDays: 30,
  });
  const meters = { messages: meter('messages', 'device.messages', 'count', 'msg') };
  const plan = (id: string, fee: string, price: string, included: string): Plan =>
    PlanSchema.parse({
      id,
      version: 1,
      name: id,
      currency: 'USD',
      effectiveFrom: '2026-01-01',
      terms: { fixedFeeTiming: 'advance', proration: 'by-second' },
      charges: [
        { type: 'flat', id: 'platform', name: 'Platform fee', amount: fee },
        { type: 'per-unit', id: 'messages', meterId: 'messages', unitPrice: price, included },
      ],
    });
  const plans = [
    plan('iot-starter', '49.00', '0.001', '50000'),
    plan('iot-growth', '199.00', '0.0005', '500000'),
  ];
  // Jan 31 10:00 EST; anniversary periods: Feb 28 10:00 EST (15:00Z), Mar 31 10:00 EDT (14:00Z), …
  const subscription = SubscriptionSchema.parse({
    id: 'sub-fleet',
    customerId: 'cus-fleet',
    start: '2026-01-31T15:00:00Z',
    interval: 'month',
    alignment: 'anniversary',
    phases: [
      { from: '2026-01-31T15:00:00Z', planId: 'iot-starter', planVersion: 1 },
      { from: '2026-03-10T17:00:00Z', planId: 'iot-growth', planVersion: 1 },
    ],
  });
  const coupon = {
    id: 'launch20',
    code: 'LAUNCH20',
    type: 'percent' as const,
    percentOff: '20',
    periods: 3,
    redeemedAt: '2026-01-31T15:00:00Z',
  };
  const [p0, p1] = billingPeriods(subscription, customer, {
    from: subscription.start,
    to: '2026-03-01T00:00:00Z',
  });
  const base = { customer, issuer, subscription, planVersions: plans, meters, coupons: [coupon] };

  it('follows the anniversary across the month end and DST', () => {
    expect([p0!.start, p0!.end, p1!.end]).toEqual([
      '2026-01-31T15:00:00Z',
      '2026-02-28T15:00:00Z',
      '2026-03-31T14:00:00Z',
    ]);
  });

  it('closes the first period: no usage, the next platform fee in advance, 20 % off', () => {
    const inv = assembleInvoice({
      ...base,
      period: p0!,
      advanceBilled: assembleInvoice({ ...base, kind: 'opening', period: p0!, now: p0!.start }).lines,
      now: '2026-02-28T21:00:00Z',
    });
    // 49.00 in advance for Feb 28–Mar 31; 20 % of 49.00 = 9.80; subtotal 39.20; exempt
    expect(inv.totals).toMatchObject({
      charges: '49.00',
      discounts: '-9.80',
      subtotal: '39.20',
      tax: '0.00',
      total: '39.20',
    });
    expect(inv.tax).toMatchObject({ lines: [], exemption: { certificateId: 'NY-123' } });
  });

  it('closes the upgrade period: credit and charge by the second, usage per plan, coupon, then prepaid credit', () => {
    const closing0 = assembleInvoice({ ...base, period: p0!, now: '2026-02-28T21:00:00Z' });
    const inv = assembleInvoice({
      ...base,
      period: p1!,
      usage: {
        // starter part: 60 × 1,000 = 60,000 messages; growth part: 70 × 10,000 = 700,000
        messages: [
          ...series('s', '2026-03-01T00:00:00Z', 60, '1000'),
          ...series('g', '2026-03-11T00:00:00Z', 70, '10000'),
        ],
      },
      advanceBilled: closing0.lines.filter((l) => l.timing === 'advance'),
      credits: [{ id: 'prepaid-1', currency: 'USD', remaining: '50.00' }],
      now: '2026-03-31T20:00:00Z',
    });
    // The period Feb 28 15:00Z .. Mar 31 14:00Z is 743 h (DST on Mar 8); the upgrade at Mar 10 17:00Z is 242 h in,
    // 501 h remain.
    // starter unused: 49 × 501/743 = 33.0403… → −33.04; growth: 199 × 501/743 = 134.1843… → 134.18
    // messages: each part gets its share of its plan's allowance, by the second, rounded to whole messages
    // (the plans write it without decimals): starter 50,000 × 242/743 = 16,285.33… → 16,285, so
    // (60,000 − 16,285) × 0.001 = 43.715 → 43.72; growth 500,000 × 501/743 = 337,146.70… → 337,147, so
    // (700,000 − 337,147) × 0.0005 = 181.4265 → 181.43
    // next period Mar 31 14:00Z .. Apr 30 14:00Z, growth, in advance: 199.00
    // coupon 20 % of 43.72 + 181.43 − 33.04 + 134.18 + 199.00 = 525.29 → 105.058 → −105.06
    expect(amountsByKey(inv)).toEqual({
      's0:messages:included': '0.00',
      's0:messages': '43.72',
      's1:messages:included': '0.00',
      's1:messages': '181.43',
      'credit:adv:platform:20260310T170000Z': '-33.04',
      's1:platform:20260310T170000Z': '134.18',
      'adv:platform': '199.00',
      'discount:launch20': '-105.06',
    });
    const credit = inv.lines.find((l) => l.key.startsWith('credit:'))!;
    expect(credit.proration).toMatchObject({
      basis: 'by-second',
      numerator: 501 * 3600,
      denominator: 743 * 3600,
    });
    // charges 525.29 (above); discount −105.06; subtotal 420.23; no tax; prepaid 50.00; total 370.23
    expect(inv.totals).toEqual({
      charges: '525.29',
      discounts: '-105.06',
      subtotal: '420.23',
      tax: '0.00',
      credits: '50.00',
      total: '370.23',
      amountDue: '370.23',
      creditBalanceCreated: '0.00',
    });
    const final = finalizeInvoice(inv, { number: 12, now: '2026-03-31T20:00:00Z' });
    // 20:00Z = 16:00 EDT Mar 31; net 30 → Apr 30
    expect(final).toMatchObject({
      number: 'IOT-2026-000012',
      issueDate: '2026-03-31',
      dueDate: '2026-04-30',
    });
    expect(InvoiceSchema.parse(JSON.parse(JSON.stringify(final)))).toEqual(final);
  });
});
