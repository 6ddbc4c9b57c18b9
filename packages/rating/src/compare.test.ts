import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, isPositive } from './compare.js';

const decimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 20 }))
  .map(([n, places]) => new Decimal(n.toString()).div(new Decimal(10).pow(places)));

describe('compare', () => {
  it.each([
    ['0', '0', 0],
    ['0', '-0', 0],
    ['1', '0', 1],
    ['0', '1', -1],
    ['-1', '0', -1],
    ['0', '-1', 1],
    ['100', '100.0', 0],
    ['100.0000001', '100', 1], // same exponent and first word, longer digits
    ['-100.0000001', '-100', -1],
    ['99.99', '100', -1], // exponents differ
    ['-99.99', '-100', 1],
    ['12345678.9', '12345679', -1], // differ in the first base-1e7 word
  ])('orders %s against %s as %i', (a, b, sign) => {
    expect(compare(new Decimal(a), new Decimal(b))).toBe(sign);
  });

  it('gives what Decimal#cmp gives (property)', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        expect(compare(a, b)).toBe(a.cmp(b));
        expect(compare(a, a.plus(0))).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives what Decimal#cmp gives for numbers that share their leading digits (property)', () => {
    fc.assert(
      fc.property(decimal, fc.integer({ min: -5, max: 35 }), fc.boolean(), (a, k, up) => {
        const step = new Decimal(10).pow(-k);
        const b = up ? a.plus(step) : a.minus(step);
        expect(compare(a, b)).toBe(a.cmp(b));
        expect(compare(b, a)).toBe(b.cmp(a));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells positive numbers from zero and negatives (property)', () => {
    fc.assert(
      fc.property(decimal, (a) => {
        expect(isPositive(a)).toBe(a.gt(0));
      }),
    );
  });
});
