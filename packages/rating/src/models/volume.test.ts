import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateQuantity } from '../test-support.js';

const tiers = [
  { upTo: '1000', unitPrice: '0.10' },
  { upTo: '10000', unitPrice: '0.05', flatAmount: '20' },
  { upTo: null, unitPrice: '0.01', flatAmount: '50' },
];
const charge = { type: 'volume', id: 'vol', meterId: 'm', tiers };

describe('volume', () => {
  it.each([
    // quantity, tier, precise
    ['0', 1, '0'],
    ['999', 1, '99.9'], // 999 × 0.10
    ['1000', 1, '100'], // on the bound: still tier 1
    ['1001', 2, '70.05'], // 1,001 × 0.05 + 20
    ['10000', 2, '520'], // 10,000 × 0.05 + 20
    ['10000.5', 3, '150.005'], // 10,000.5 × 0.01 + 50
    ['-10', 1, '-1'], // a credit at the first tier
  ])('prices %s units all in tier %i: %s', (quantity, tier, precise) => {
    const lines = rateQuantity(charge, quantity);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ key: 'vol', quantity, precise, tier: { index: tier } });
  });

  // https://zuplo.com/docs/articles/monetization/pricing-models: volume pricing, 15,000 units all at the
  // highest tier reached ($0.01) = $150.
  it('matches the volume example of the Zuplo pricing-model docs', () => {
    const zuplo = { ...charge, tiers: tiers.map(({ upTo, unitPrice }) => ({ upTo, unitPrice })) };
    expect(rateQuantity(zuplo, '15000', 'USD')[0]?.amount).toBe('150');
  });

  it('with one tier equals per-unit pricing (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 8n }),
        (q, p) => {
          const quantity = new Decimal(q.toString()).div(1000).toFixed();
          const unitPrice = `${p / 10000n}.${(p % 10000n).toString().padStart(4, '0')}`;
          const vol = rateQuantity(
            { type: 'volume', id: 'c', meterId: 'm', tiers: [{ upTo: null, unitPrice }] },
            quantity,
          );
          const unit = rateQuantity({ type: 'per-unit', id: 'c', meterId: 'm', unitPrice }, quantity);
          expect(vol.map((l) => [l.precise, l.amount])).toEqual(unit.map((l) => [l.precise, l.amount]));
        },
      ),
      { numRuns: 200 },
    );
  });
});
