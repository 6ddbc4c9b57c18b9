import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateQuantity } from '../test-support.js';
import { exactInverse } from './package.js';

const base = { type: 'package', id: 'sms', meterId: 'm', packageSize: '100', packagePrice: '5' };

describe('package', () => {
  it.each([
    // config, quantity, packages, amount
    [{}, '0', '0', '0'],
    [{}, '1', '1', '5'], // a started package is billed in full
    [{}, '100', '1', '5'], // exactly one package
    [{}, '101', '2', '10'],
    [{}, '250.5', '3', '15'],
    [{ round: 'down' }, '199', '1', '5'], // only complete packages
    [{ round: 'down' }, '200', '2', '10'],
    [{ freeUnits: '50' }, '50', '0', '0'],
    [{ freeUnits: '50' }, '151', '2', '10'], // 101 billable → 2 packages
    [{}, '-300', '0', '0'], // package pricing never credits
  ])('with %j prices %s units as %s packages (%s)', (config, quantity, packages, amount) => {
    const [line] = rateQuantity({ ...base, ...config }, quantity);
    expect(line).toMatchObject({ key: 'sms', quantity: packages, unit: 'package', unitPrice: '5', amount });
  });

  it('has totals that never fall as the quantity grows (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        fc.constantFrom('up', 'down'),
        fc.nat(500),
        (a, d, round, free) => {
          const c = { ...base, round, freeUnits: String(free), packageSize: '7.5' };
          const t1 = new Decimal(rateQuantity(c, String(a))[0]!.precise);
          const t2 = new Decimal(rateQuantity(c, String(a + d))[0]!.precise);
          expect(t2.gte(t1)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([
    ['1000', '0.001'],
    ['2.5', '0.4'],
    ['0.125', '8'],
    ['1024', '0.0009765625'], // 1 ÷ 2^10 = 5^10 ÷ 10^10
    ['3', undefined], // 0.333…: divided, not multiplied
    ['0.3', undefined],
    ['7.5', undefined], // 75 = 3 × 5²
  ])('inverts a package size of %s exactly to %s, or not at all', (size, inverse) => {
    expect(exactInverse(size)?.toFixed()).toBe(inverse);
  });

  it('prices sizes with and without an exact inverse alike (property)', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.constantFrom('0.3', '2.5', '7.5', '1000', '0.125'), (n, size) => {
        const quantity = new Decimal(n).div(1000);
        const [line] = rateQuantity({ ...base, packageSize: size }, quantity.toFixed());
        // ⌈quantity ÷ size⌉ packages of 5
        expect(line?.quantity).toBe(quantity.div(size).ceil().toFixed());
      }),
      { numRuns: 300 },
    );
  });
});
