import { describe, expect, it } from 'vitest';
import { rateQuantity, total } from '../test-support.js';

// Lago's documented example (https://getlago.com/docs/guide/plans/charges/charge-models/graduated-percentage):
// 0–1,000 at 1 % + $200 flat, 1,001–10,000 at 2 % + $300, beyond at 3 % + $400. Lago bills transactions of
// $500, $550 and $4,000 at $205 + $306 + $80 = $591; over the period's total of $5,050 that is
// 1,000 × 1 % + 200 = 210 and 4,050 × 2 % + 300 = 381, together 591.
const lago = {
  type: 'graduated-percentage',
  id: 'fx',
  meterId: 'amount',
  tiers: [
    { upTo: '1000', rate: '0.01', flatAmount: '200' },
    { upTo: '10000', rate: '0.02', flatAmount: '300' },
    { upTo: null, rate: '0.03', flatAmount: '400' },
  ],
};

describe('graduated-percentage', () => {
  it('matches the Lago documentation example', () => {
    const lines = rateQuantity(lago, '5050', 'USD');
    expect(lines.map((l) => [l.key, l.quantity, l.amount])).toEqual([
      ['fx:tier:1', '1000', '210'],
      ['fx:tier:2', '4050', '381'],
    ]);
    expect(total(lines)).toBe('591');
  });

  it.each([
    ['0', '0'],
    ['1000', '210'], // on the bound: tier 1 only
    ['10001', '1090.03'], // 210 + 9,000 × 2 % + 300 + 1 × 3 % + 400 = 210 + 480 + 400.03
    ['-100', '-1'], // refunds credited at the first tier's rate
  ])('takes %s at the graduated rates: %s', (quantity, expected) => {
    expect(total(rateQuantity(lago, quantity))).toBe(expected);
  });
});
