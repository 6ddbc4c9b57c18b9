import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateRecords, rec } from '../test-support.js';

// Card processing at 2.9 % + $0.30 per successful charge, as in Lago's "Clone Stripe pricing" template
// (https://getlago.com/docs/templates/per-transaction/stripe).
const card = { type: 'percentage', id: 'cards', meterId: 'amount', rate: '0.029', fixedFee: '0.30' };
const tx = (...amounts: string[]) => amounts.map((a, i) => rec(`2026-01-0${i + 1}T12:00:00Z`, a));

describe('percentage', () => {
  it.each([
    // config, amounts, base (rated amount), precise
    [{}, ['100'], '100', '3.2'], // 100 × 2.9 % + 0.30
    [{}, ['100', '10'], '110', '3.79'], // 3.20 + (0.29 + 0.30)
    [{}, [], '0', '0'],
    [{ freeTransactions: 1 }, ['100', '10'], '10', '0.59'], // first one free entirely
    [{ freeAmount: '50' }, ['100', '10'], '60', '2.34'], // 50 × 2.9 % + 0.30 + 10 × 2.9 % + 0.30
    [{ minPerTransaction: '0.50' }, ['5'], '5', '0.5'], // 0.145 + 0.30 = 0.445 → 0.50
    [{ maxPerTransaction: '10' }, ['1000'], '1000', '10'], // 29.30 → 10
    [{}, ['-100'], '-100', '-2.9'], // a refund is credited at the rate, without the fixed fee
  ])('with %j rates transactions %j on %s: %s', (config, amounts, base, precise) => {
    const lines = rateRecords({ ...card, ...config }, tx(...amounts), { currency: 'USD' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ key: 'cards', quantity: base, unitPrice: '0.029', precise });
  });

  it('shows fixed fees and limit adjustments as the flat amount of the line', () => {
    // 2 × 0.30 fixed fees; rate part 110 × 0.029 = 3.19; total 3.79
    const [line] = rateRecords(card, tx('100', '10'));
    expect(line).toMatchObject({ flatAmount: '0.6', amount: '3.79' });
  });

  // Past the maximum's threshold (25 − 0.30) ÷ 0.029 = 851.724137931…, a transaction pays 25. Amounts with more
  // decimals than the rounded threshold's 40 digits can tell apart are decided by computing their fee.
  it.each([
    // amount, flatAmount (0.30 fixed + limit adjustment), precise
    ['851.73', '0.29983', '25'], // 851.73 × 0.029 = 24.70017; 0.30 + (25 − 25.00017) = 0.29983
    ['851.72', '0.3', '24.99988'], // 851.72 × 0.029 + 0.30 = 24.99988: under the maximum
    // 24.699999…(38 nines)8845 rounds to 24.7 at 40 digits: a fee of exactly 25, not above the maximum
    ['851.72413793103448275862068965517241379305', '0.3', '25'],
    ['851.7241379310344827586206896551724137931', '0.3', '25'], // the rounded threshold itself
  ])('caps a transaction of %s with flat amount %s: %s', (amount, flatAmount, precise) => {
    const [line] = rateRecords({ ...card, maxPerTransaction: '25' }, tx(amount));
    expect(line).toMatchObject({ flatAmount, precise });
  });

  it('equals the per-transaction fee clamped to its limits, summed (property)', () => {
    const money = (max: number) => fc.integer({ min: 0, max }).map((c) => new Decimal(c).div(100));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50_000, max: 500_000 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 600 }),
        money(100),
        money(200),
        money(5_000),
        (cents, bp, fixed, min, extra) => {
          const rate = new Decimal(bp).div(10_000);
          const max = min.plus(extra);
          const amounts = cents.map((c) => new Decimal(c).div(100));
          let expected = new Decimal(0);
          for (const a of amounts) {
            if (a.isNegative()) expected = expected.plus(a.times(rate));
            else expected = expected.plus(Decimal.min(Decimal.max(a.times(rate).plus(fixed), min), max));
          }
          const charge = {
            ...card,
            rate: rate.toFixed(),
            fixedFee: fixed.toFixed(),
            minPerTransaction: min.toFixed(),
            maxPerTransaction: max.toFixed(),
          };
          const records = amounts.map((a, i) =>
            rec(`2026-01-10T00:00:${String(i).padStart(2, '0')}Z`, a.toFixed()),
          );
          expect(rateRecords(charge, records)[0]?.precise).toBe(expected.toFixed());
        },
      ),
      { numRuns: 300 },
    );
  });
});
