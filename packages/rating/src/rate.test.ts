import type { UsageRecord } from '@tally/metering';
import { currencyExponent, Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RatingError } from './errors.js';
import { PlanSchema } from './plan.js';
import { rate } from './rate.js';
import { JANUARY, meter, planWith, rec } from './test-support.js';
import { totals } from './totals.js';

const charges = [
  { type: 'flat', id: 'base', amount: '12.345' },
  { type: 'per-unit', id: 'api', meterId: 'calls', unitPrice: '0.0013', included: '100' },
  {
    type: 'graduated',
    id: 'storage',
    meterId: 'gb',
    tiers: [
      { upTo: '10', unitPrice: '0.023' },
      { upTo: null, unitPrice: '0.0217', flatAmount: '0.005' },
    ],
  },
  { type: 'package', id: 'sms', meterId: 'calls', packageSize: '7', packagePrice: '0.333' },
  {
    type: 'volume',
    id: 'seats',
    meterId: 'gb',
    tiers: [
      { upTo: '5', unitPrice: '3.333' },
      { upTo: null, unitPrice: '2.1111' },
    ],
  },
];
const meters = { calls: meter({ id: 'calls', aggregation: 'count' }), gb: meter({ id: 'gb' }) };

describe('rate', () => {
  it('returns lines for every charge, keyed deterministically', () => {
    const plan = planWith(charges);
    const lines = rate({
      plan,
      meters,
      period: JANUARY,
      timeZone: 'UTC',
      usage: {},
      quantities: { calls: '0', gb: '0' },
    });
    expect(lines.map((l) => l.key)).toEqual([
      'base',
      'api:included',
      'api',
      'storage:tier:1',
      'sms',
      'seats',
    ]);
    for (const l of lines) expect(l).toMatchObject({ planId: 'test-plan', planVersion: 3, period: JANUARY });
  });

  it('aggregates raw records with the meter when no quantity is given', () => {
    const plan = planWith([{ type: 'per-unit', id: 'api', meterId: 'calls', unitPrice: '0.5' }]);
    const usage = {
      calls: [
        rec('2026-01-02T00:00:00Z', '1'),
        rec('2026-01-03T00:00:00Z', '1'),
        rec('2026-02-01T00:00:00Z', '1'),
      ],
    };
    // two calls inside January (the third is in February) × 0.5 = 1
    expect(rate({ plan, meters, period: JANUARY, timeZone: 'UTC', usage })[0]).toMatchObject({
      quantity: '2',
      amount: '1',
    });
  });

  it('fails for a charge whose meter is not given, naming both', () => {
    const plan = planWith([{ type: 'per-unit', id: 'api', meterId: 'nope', unitPrice: '1' }]);
    expect(() => rate({ plan, meters, period: JANUARY, timeZone: 'UTC', usage: {} })).toThrow(
      /charge api reads meter "nope", which is not defined/,
    );
  });

  it('fails for an unknown time zone', () => {
    const plan = planWith([{ type: 'flat', id: 'f', amount: '1' }]);
    expect(() => rate({ plan, meters, period: JANUARY, timeZone: 'Mars/Olympus', usage: {} })).toThrow(
      RatingError,
    );
  });

  it('fails when a model that prices each event only gets an aggregated quantity', () => {
    const plan = planWith([{ type: 'dynamic', id: 'spot', meterId: 'gb' }]);
    expect(() =>
      rate({ plan, meters, period: JANUARY, timeZone: 'UTC', usage: {}, quantities: { gb: '3' } }),
    ).toThrow(/give raw events, not an aggregated quantity/);
  });

  it('gives the same lines for any order of the records (property)', () => {
    const plan = planWith([
      {
        type: 'call',
        id: 'voice',
        meterId: 'calls',
        includedMinutes: '2',
        destinations: [{ prefix: '4', name: 'Four', perMinute: '0.1' }],
      },
    ]);
    const records: UsageRecord[] = Array.from({ length: 8 }, (_, i) =>
      rec(`2026-01-0${1 + (i % 5)}T0${i}:00:00Z`, String(20 + i * 17), {
        dimensions: { destination: '4123' },
      }),
    );
    const expected = rate({ plan, meters, period: JANUARY, timeZone: 'UTC', usage: { calls: records } });
    fc.assert(
      fc.property(fc.shuffledSubarray(records, { minLength: records.length }), (shuffled) => {
        expect(rate({ plan, meters, period: JANUARY, timeZone: 'UTC', usage: { calls: shuffled } })).toEqual(
          expected,
        );
      }),
      { numRuns: 50 },
    );
  });

  it('lines sum to the total, and each line is off its precise amount by at most half a minor unit (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 12n }),
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        fc.constantFrom('half-up', 'half-even'),
        (calls, gbMilli, currency, rounding) => {
          const plan = planWith(charges, currency, { rounding });
          const gb = new Decimal(gbMilli.toString()).div(1000).toFixed();
          const lines = rate({
            plan,
            meters,
            period: JANUARY,
            timeZone: 'UTC',
            usage: {},
            quantities: { calls: calls.toString(), gb },
          });
          const half = new Decimal(10).pow(-currencyExponent(currency)).div(2);
          let sum = new Decimal(0);
          for (const l of lines) {
            expect(new Decimal(l.amount).minus(l.precise).abs().lte(half)).toBe(true);
            expect(l.rounding).toBe(rounding);
            sum = sum.plus(l.amount);
          }
          expect(totals(lines, currency).total).toBe(sum.toFixed());
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('PlanSchema', () => {
  const base = { id: 'p', version: 1, name: 'P', currency: 'EUR', effectiveFrom: '2026-01-01' };
  const issues = (plan: unknown) =>
    PlanSchema.safeParse(plan).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

  it('fills the documented term defaults', () => {
    expect(PlanSchema.parse({ ...base, charges: [{ type: 'flat', id: 'f', amount: '1' }] }).terms).toEqual({
      interval: 'month',
      fixedFeeTiming: 'advance',
      proration: 'by-day',
      draftGraceHours: 6,
      lateAcceptanceDays: 35,
      rounding: 'half-up',
    });
  });

  it('keeps an itemized appendix request in the terms (billing stores it, delivery reads it)', () => {
    const charges = [{ type: 'flat', id: 'f', amount: '1' }];
    const terms = (appendix: unknown) => PlanSchema.parse({ ...base, charges, terms: { appendix } }).terms;
    expect(terms({ type: 'calls', meterId: 'calls' }).appendix).toEqual({ type: 'calls', meterId: 'calls' });
    expect(terms({ type: 'intervals', meterId: 'energy' }).appendix).toEqual({
      type: 'intervals',
      meterId: 'energy',
      intervalMinutes: 15,
    });
    expect(issues({ ...base, charges, terms: { appendix: { type: 'cdrs', meterId: 'x' } } })).toHaveLength(1);
  });

  it.each([
    [
      [{ type: 'graduated', id: 'g', meterId: 'm', tiers: [{ upTo: '10' }, { upTo: '5' }, { upTo: null }] }],
      'charges.0.tiers.1.upTo: must be greater than the previous bound (10), got 5',
    ],
    [
      [{ type: 'graduated', id: 'g', meterId: 'm', tiers: [{ upTo: '10' }] }],
      'charges.0.tiers.0.upTo: the last tier must be open-ended (null)',
    ],
    [
      [{ type: 'per-unit', id: 'x', meterId: 'm', unitPrice: 0.5 }],
      'charges.0.unitPrice: Invalid input: expected string, received number',
    ],
    [
      [{ type: 'per-unit', id: 'x', meterId: 'm', unitPrice: '1e3' }],
      'charges.0.unitPrice: must be a plain decimal string such as "12.50" (no exponent, no spaces)',
    ],
    [
      [
        { type: 'flat', id: 'a', amount: '1' },
        { type: 'flat', id: 'a', amount: '2' },
      ],
      'charges.1.id: duplicate charge id "a"',
    ],
    [[{ type: 'tiered', id: 'a' }], "charges.0.type: Invalid discriminator value. Expected 'flat' | 'daily'"],
  ])('rejects bad charges with the path and reason (%#)', (charges, message) => {
    expect(issues({ ...base, charges }).some((m) => m.startsWith(message))).toBe(true);
  });

  it('rejects a charge reading a meter the plan does not define', () => {
    const plan = {
      ...base,
      meters: [{ id: 'a', eventType: 't', aggregation: 'count' }],
      charges: [{ type: 'per-unit', id: 'x', meterId: 'b', unitPrice: '1' }],
    };
    expect(issues(plan)).toEqual(['charges.0.meterId: unknown meter "b": the plan\'s meters are a']);
  });
});
