import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateQuantity, total } from '../test-support.js';

// Lago's documented example (https://getlago.com/docs/guide/plans/charges/charge-models/graduated):
// $1 per unit for the first 100 units, $0.50 for the next 100, $0.10 beyond.
const lago = {
  type: 'graduated',
  id: 'api',
  meterId: 'calls',
  tiers: [
    { upTo: '100', unitPrice: '1' },
    { upTo: '200', unitPrice: '0.5' },
    { upTo: null, unitPrice: '0.1' },
  ],
};

describe('graduated', () => {
  it.each([
    // quantity, [tier quantities], total
    ['0', ['0'], '0'],
    ['1', ['1'], '1'],
    ['100', ['100'], '100'], // exactly on the bound: all in tier 1
    ['101', ['100', '1'], '100.5'],
    ['200', ['100', '100'], '150'], // 100 + 100 × 0.5
    ['250', ['100', '100', '50'], '155'], // 150 + 50 × 0.1
    ['100.5', ['100', '0.5'], '100.25'],
    ['1000000000000', ['100', '100', '999999999800'], '100000000130'], // 150 + 999,999,999,800 × 0.1 = 150 + 99,999,999,980
  ])('prices %s units as tiers %j totalling %s', (quantity, tierQuantities, expected) => {
    const lines = rateQuantity(lago, quantity);
    expect(lines.map((l) => l.quantity)).toEqual(tierQuantities);
    expect(lines.map((l) => l.key)).toEqual(tierQuantities.map((_, i) => `api:tier:${i + 1}`));
    expect(total(lines)).toBe(expected);
  });

  it('prices a negative adjustment at the first tier price, as a credit', () => {
    expect(rateQuantity(lago, '-20').map((l) => [l.quantity, l.amount])).toEqual([['-20', '-20']]);
  });

  it('adds a tier flat amount once the tier is reached', () => {
    const charge = {
      type: 'graduated',
      id: 'g',
      meterId: 'm',
      tiers: [
        { upTo: '10', unitPrice: '0', flatAmount: '5' },
        { upTo: null, unitPrice: '2', flatAmount: '1' },
      ],
    };
    // 10 units: tier 1 only → 5; 11 units: 5 + 1 × 2 + 1 = 8; 0 units: nothing reached → 0
    expect(total(rateQuantity(charge, '10'))).toBe('5');
    expect(total(rateQuantity(charge, '11'))).toBe('8');
    expect(total(rateQuantity(charge, '0'))).toBe('0');
    expect(rateQuantity(charge, '11')[1]).toMatchObject({
      flatAmount: '1',
      tier: { index: 2, from: '10', upTo: null },
    });
  });

  // https://zuplo.com/docs/articles/monetization/pricing-models: tiers 0–1,000 at $0.10, to 10,000 at $0.05,
  // beyond at $0.01; 15,000 units = 1,000 × 0.10 + 9,000 × 0.05 + 5,000 × 0.01 = 100 + 450 + 50 = 600.
  it('matches the graduated example of the Zuplo pricing-model docs', () => {
    const charge = {
      type: 'graduated',
      id: 'z',
      meterId: 'm',
      tiers: [
        { upTo: '1000', unitPrice: '0.10' },
        { upTo: '10000', unitPrice: '0.05' },
        { upTo: null, unitPrice: '0.01' },
      ],
    };
    expect(rateQuantity(charge, '15000', 'USD').map((l) => l.amount)).toEqual(['100', '450', '50']);
  });

  it('is non-decreasing in quantity (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), (a, d) => {
        const q1 = new Decimal(a.toString()).div(100);
        const q2 = q1.plus(new Decimal(d.toString()).div(100));
        const t1 = rateQuantity(lago, q1.toFixed()).reduce((s, l) => s.plus(l.precise), new Decimal(0));
        const t2 = rateQuantity(lago, q2.toFixed()).reduce((s, l) => s.plus(l.precise), new Decimal(0));
        expect(t2.gte(t1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('tier quantities sum back to the quantity (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), (n) => {
        const q = new Decimal(n.toString()).div(1000);
        const lines = rateQuantity(lago, q.toFixed());
        expect(lines.reduce((s, l) => s.plus(l.quantity), new Decimal(0)).eq(q)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
